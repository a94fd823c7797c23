#!/usr/bin/env bash
# The gateway's per-request API key check (KeyService.authorize + settle, usage written behind to SQLite),
# in-process, against the bare SHA-256 + map lookup any hashed-key check needs. Target: >= 10,000 per second.
# Last line: authorizations per second, target/ours (<= 1 meets the target) and lookup/ours.
#
#   bench/key-authorize.sh             (BENCH_THREADS=4, BENCH_SECONDS=5 by default)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

THREADS="${BENCH_THREADS:-4}"
SECONDS_RUN="${BENCH_SECONDS:-5}"
WORK="$(mktemp -d /tmp/aixcl-bench-keys.XXXXXX)"
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"
aixcl_find_jdk >/dev/null
"$AIXCL" --version >/dev/null # builds dist/ when needed
lib="$REPO_DIR/dist/target/aixcl/lib"
"$AIXCL_JDK_HOME/bin/javac" -d "$WORK/classes" -cp "$lib/*" "$REPO_DIR/bench/keys/AuthorizeBench.java"
"$AIXCL_JDK_HOME/bin/java" -cp "$WORK/classes:$lib/*" AuthorizeBench "$WORK" "$THREADS" "$SECONDS_RUN"
