#!/usr/bin/env bash
# Status: `aixcl stack status --json` on 10 running services vs `podman ps --format json`, wall time of the
# whole command including the JVM start (hyperfine, same run), and the daemon's own status request
# (curl over the Unix socket, BENCH_REQUESTS times, default 200: p50 and p90 of curl's time_total).
# Targets: aixcl/podman-ps <= 2, daemon p50 < 20 ms. Last line: the ratio and the p50.
#
#   bench/status.sh            (root, rootful podman; ~1 min)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

require podman "apt-get install -y podman runc"
require hyperfine "apt-get install -y hyperfine"
require curl "apt-get install -y curl"
require ss "apt-get install -y iproute2"

RUNS="${BENCH_RUNS:-30}"
REQUESTS="${BENCH_REQUESTS:-200}"
STACK="benchstatus$$"
HOME_DIR="$(mktemp -d /tmp/aixcl-bench-status.XXXXXX)"
export AIXCL_HOME="$HOME_DIR/home"
STACK_FILE="$HOME_DIR/stack.yaml"

cleanup() {
    set +e
    "$AIXCL" stack down --volumes --yes -f "$STACK_FILE" >/dev/null 2>&1
    remove_stack_containers "$STACK"
    stop_daemon "$AIXCL_HOME"
    rm -rf -- "$HOME_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_busybox_image
mapfile -t PORTS < <(free_ports 10)
{
    printf 'version: 1\nname: %s\ndefault_profile: bench\nservices:\n' "$STACK"
    http_service inference "${PORTS[0]}" ""
    names=(inference)
    for i in 1 2 3 4 5 6 7 8 9; do
        http_service "s$i" "${PORTS[$i]}" ""
        names+=("s$i")
    done
    printf 'profiles:\n  bench:\n    services: [%s]\n' "$(IFS=,; printf '%s' "${names[*]}" | sed 's/,/, /g')"
} >"$STACK_FILE"

log "starting 10 services (daemon under $AIXCL_HOME)"
"$AIXCL" stack start -f "$STACK_FILE" >/dev/null
"$AIXCL" stack status --json -f "$STACK_FILE" >/dev/null || die "the stack is not healthy"

# 1. Whole commands, same run.
CSV="$HOME_DIR/hyperfine.csv"
hyperfine -N --warmup 3 --runs "$RUNS" --export-csv "$CSV" \
    -n aixcl "$AIXCL stack status --json -f $STACK_FILE" \
    -n podman-ps "podman ps --format json" >&2
# CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
read -r a_mean a_median < <(awk -F, '$1 == "aixcl" {printf "%.1f %.1f\n", $2 * 1000, $4 * 1000}' "$CSV")
read -r p_mean p_median < <(awk -F, '$1 == "podman-ps" {printf "%.1f %.1f\n", $2 * 1000, $4 * 1000}' "$CSV")

# 2. The daemon's own answer: one status request, as the CLI sends it, timed by curl.
query="stackFile=$(printf '%s' "$STACK_FILE" | sed 's|/|%2F|g')"
times="$HOME_DIR/times.txt"
: >"$times"
for ((i = 0; i < 10; i++)); do # warm-up
    curl -s -o /dev/null --max-time 5 --unix-socket "$AIXCL_HOME/run/aixcld.sock" "http://aixcld/v1/stack/status?$query"
done
for ((i = 0; i < REQUESTS; i++)); do
    curl -s -o /dev/null --max-time 5 -w '%{time_total}\n' --unix-socket "$AIXCL_HOME/run/aixcld.sock" \
        "http://aixcld/v1/stack/status?$query" >>"$times"
done
read -r d_p50 d_p90 < <(awk '{printf "%.2f\n", $1 * 1000}' "$times" | sort -n |
    awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[int(NR*0.9+0.5)]}')

echo "status of 10 services: aixcl stack status --json mean ${a_mean} ms / median ${a_median} ms;" \
    "podman ps --format json mean ${p_mean} ms / median ${p_median} ms; daemon request p50 ${d_p50} ms, p90 ${d_p90} ms ($REQUESTS requests)"
echo "aixcl/podman-ps=$(ratio "$a_median" "$p_median") (target <= 2) daemon_p50_ms=$d_p50 (target < 20)"
