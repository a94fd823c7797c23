#!/usr/bin/env bash
# A trivial authenticated request over the daemon's Unix socket (peer credentials checked on every connection):
# p50 in-process, client start excluded. Target: p50 under 1 ms. Last line: the p50 against the target.
#
#   bench/daemon-request.sh            (BENCH_REQUESTS=5000 by default)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

REQUESTS="${BENCH_REQUESTS:-5000}"
HOME_DIR="$(mktemp -d /tmp/aixcl-bench-request.XXXXXX)"
export AIXCL_HOME="$HOME_DIR/home"
cleanup() {
    set +e
    stop_daemon "$AIXCL_HOME"
    rm -rf -- "$HOME_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"
aixcl_find_jdk >/dev/null
"$AIXCL" daemon start >/dev/null
lib="$REPO_DIR/dist/target/aixcl/lib"
"$AIXCL_JDK_HOME/bin/javac" -d "$HOME_DIR/classes" -cp "$lib/aixcl-cli.jar" "$REPO_DIR/bench/daemon/RequestLatency.java"
"$AIXCL_JDK_HOME/bin/java" -cp "$HOME_DIR/classes:$lib/aixcl-cli.jar:$lib/aixcl-api-0.1.0.jar" RequestLatency \
    "$AIXCL_HOME/run/aixcld.sock" "$REQUESTS"
