#!/usr/bin/env bash
# Daemon idle RSS: start aixcld (as the CLI launches it), start a 2-service stack, make one status call,
# idle BENCH_IDLE seconds (default 5), then read VmRSS from /proc/PID/status. Target: under 120 MB.
# Last line: rss/target.
#
#   bench/daemon-rss.sh        (root, rootful podman; ~30 s)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

require podman "apt-get install -y podman runc"
require curl "apt-get install -y curl"
require ss "apt-get install -y iproute2"

IDLE="${BENCH_IDLE:-5}"
TARGET_MB=120
STACK="benchrss$$"
HOME_DIR="$(mktemp -d /tmp/aixcl-bench-rss.XXXXXX)"
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
mapfile -t PORTS < <(free_ports 2)
{
    printf 'version: 1\nname: %s\ndefault_profile: bench\nservices:\n' "$STACK"
    http_service inference "${PORTS[0]}" ""
    http_service app "${PORTS[1]}" "inference"
    printf 'profiles:\n  bench:\n    services: [inference, app]\n'
} >"$STACK_FILE"

"$AIXCL" daemon start >/dev/null
pid="$(tr -dc '0-9' <"$AIXCL_HOME/run/aixcld.lock")"
[[ -n "$pid" && -r "/proc/$pid/status" ]] || die "cannot find the daemon's pid"
rss_mb() {
    awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"
}
after_start="$(rss_mb)"
"$AIXCL" stack start -f "$STACK_FILE" >/dev/null
"$AIXCL" stack status --json -f "$STACK_FILE" >/dev/null
after_status="$(rss_mb)"
sleep "$IDLE"
idle="$(rss_mb)"
hwm="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")"
threads="$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")"
cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ -jar .*//')"

echo "daemon flags: $cmd"
echo "daemon RSS (MB): after start $after_start, after stack start + status $after_status, idle ${IDLE}s later $idle (peak $hwm, $threads threads)"
echo "rss_mb=$idle rss/target=$(ratio "$idle" "$TARGET_MB") (target < ${TARGET_MB} MB)"
