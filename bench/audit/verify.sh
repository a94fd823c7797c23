#!/usr/bin/env bash
# Offline verification of a 1 GiB log (`AuditTool verify`: every frame's CRC, every link and leaf hash, the Merkle
# tree, the checkpoints), wall time of the whole command including the JVM start, against `openssl dgst -sha256`
# of the same bytes (the CPU's SHA-256 limit). Both read from the page cache (warmed first); best of BENCH_RUNS.
# Target: verify throughput >= 0.5x openssl's. Last line: the ratio.
#
#   bench/audit/verify.sh             (~1 min; BENCH_BYTES default 1073741824, BENCH_RUNS default 3)
set -euo pipefail
# shellcheck source=bench/audit/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
command -v openssl >/dev/null || die "missing tool 'openssl'; install it with: apt-get install -y openssl"

BYTES="${BENCH_BYTES:-1073741824}"
RUNS="${BENCH_RUNS:-3}"
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/aixcl-bench-audit-verify.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT

build_audit "$WORK"
log "writing a $BYTES-byte log"
"$JAVA" -cp "$BENCH_CP" io.aixcl.audit.BenchLogWriter "$WORK/audit" "$WORK/witness" "$BYTES" >&2
TOTAL="$(cat "$WORK"/audit/*.log | wc -c)"
cat "$WORK"/audit/*.log > /dev/null # into the page cache

now() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }

best_openssl=""
best_verify=""
for ((run = 1; run <= RUNS; run++)); do
    t0="$(now)"
    openssl dgst -sha256 "$WORK"/audit/*.log >/dev/null
    t1="$(now)"
    "$JAVA" -cp "$BENCH_CP" io.aixcl.audit.AuditTool verify "$WORK/audit" --witness "$WORK/witness" >"$WORK/report" \
        || { cat "$WORK/report" >&2; die "verify failed"; }
    t2="$(now)"
    o=$((t1 - t0))
    v=$((t2 - t1))
    log "run $run: openssl ${o} us, verify ${v} us ($(grep -o 'checked in .*' "$WORK/report"))"
    if [[ -z "$best_openssl" || $o -lt $best_openssl ]]; then best_openssl=$o; fi
    if [[ -z "$best_verify" || $v -lt $best_verify ]]; then best_verify=$v; fi
done
cat "$WORK/report"
awk -v b="$TOTAL" -v o="$best_openssl" -v v="$best_verify" 'BEGIN {
    printf "openssl dgst -sha256: %.0f MB/s (%.2f s)\n", b / o, o / 1e6
    printf "aixcl audit verify:   %.0f MB/s (%.2f s, JVM start included)\n", b / v, v / 1e6
    printf "ratio: verify/openssl throughput = %.2fx (target >= 0.5x)\n", o / v
}'
