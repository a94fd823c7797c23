#!/usr/bin/env bash
# Offline verification of a 1 GiB log by `aixcl audit verify` (every frame's CRC, every link and leaf hash, the Merkle
# tree, the checkpoints), wall time of the whole command including the launcher and the JVM start, against
# `openssl dgst -sha256` of the same bytes (the CPU's SHA-256 limit). Both read from the page cache (warmed first).
# Each round times both, the order flipping every round; the figure is the median of the rounds' ratios.
# Target: verify throughput >= 0.5x openssl's. Last line: the ratio.
#
#   bench/audit/verify.sh             (~2 min; BENCH_BYTES default 1073741824, BENCH_RUNS default 5)
set -euo pipefail
# shellcheck source=bench/audit/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
command -v openssl >/dev/null || die "missing tool 'openssl'; install it with: apt-get install -y openssl"

BYTES="${BENCH_BYTES:-1073741824}"
RUNS="${BENCH_RUNS:-5}"
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/aixcl-bench-audit-verify.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
# The CLI's own folders stay inside the work folder; the log is named on the command line.
export AIXCL_HOME="$WORK/home"

build_audit "$WORK"
log "building the CLI"
"$REPO_DIR/aixcl" --version >/dev/null
log "writing a $BYTES-byte log"
"$JAVA" -cp "$BENCH_CP" io.aixcl.audit.BenchLogWriter "$WORK/audit" "$WORK/witness" "$BYTES" >&2
TOTAL="$(cat "$WORK"/audit/*.log | wc -c)"
cat "$WORK"/audit/*.log > /dev/null # into the page cache

now() { local t="$EPOCHREALTIME"; printf '%s' "${t/./}"; }

run_openssl() {
    openssl dgst -sha256 "$WORK"/audit/*.log >/dev/null
}

run_verify() {
    "$REPO_DIR/aixcl" audit verify --data "$WORK/audit" --checkpoint "$WORK/witness/checkpoint" \
        --key "$WORK/witness/checkpoint.pub" >"$WORK/report" || { cat "$WORK/report" >&2; die "verify failed"; }
}

# timed NAME: microseconds taken by run_NAME
timed() {
    local t0 t1
    t0="$(now)"
    "run_$1"
    t1="$(now)"
    printf '%s' $((t1 - t0))
}

ratios=()
os=()
vs=()
for ((run = 1; run <= RUNS; run++)); do
    if ((run % 2)); then
        o="$(timed openssl)"
        v="$(timed verify)"
    else
        v="$(timed verify)"
        o="$(timed openssl)"
    fi
    os+=("$o")
    vs+=("$v")
    ratios+=("$(awk -v o="$o" -v v="$v" 'BEGIN { printf "%.3f", o / v }')")
    log "run $run: openssl ${o} us, verify ${v} us ($(grep -o 'checked in .*' "$WORK/report")), ratio ${ratios[-1]} (load $(cut -d' ' -f1 /proc/loadavg))"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
cat "$WORK/report"
awk -v b="$TOTAL" -v o="$(printf '%s\n' "${os[@]}" | median)" -v v="$(printf '%s\n' "${vs[@]}" | median)" \
    -v r="$(printf '%s\n' "${ratios[@]}" | median)" -v n="$RUNS" 'BEGIN {
    printf "openssl dgst -sha256: %.0f MB/s (median %.2f s)\n", b / o, o / 1e6
    printf "aixcl audit verify:   %.0f MB/s (median %.2f s, launcher and JVM start included)\n", b / v, v / 1e6
    printf "ratio: verify/openssl throughput = %.2fx (median of %d paired runs; target >= 0.5x)\n", r, n
}'
