#!/usr/bin/env bash
# Durable appends per second through AuditStore with 1, 16 and 64 concurrent writers (each append returns only
# after fsync; group commit shares fsyncs), with p50/p99 append latency. The log written under load is verified.
# Target: >= 20,000 appends/s at 64 writers. Last line: the ratio to the target.
#
#   bench/audit/appends.sh            (~20 s; BENCH_SECONDS per writer count, default 5)
#   BENCH_DIR=/some/disk bench/audit/appends.sh    (measure another file system; default: a temp dir under /var/tmp)
set -euo pipefail
# shellcheck source=bench/audit/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

SECONDS_EACH="${BENCH_SECONDS:-5}"
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/aixcl-bench-audit-appends.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT

build_audit "$WORK"
log "file system under test: $(df -T "$WORK" | awk 'NR==2 {print $1, $2}')"
"$JAVA" -cp "$BENCH_CP" AppendBench "$WORK/logs" "$SECONDS_EACH" 1 16 64
