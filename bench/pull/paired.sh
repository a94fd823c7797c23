#!/usr/bin/env bash
# Two daemons side by side pulling the same 1 GiB GGUF file from one nginx on loopback, interleaved with curl:
# daemon A from another build (AIXCL_DAEMON_JAR_A, e.g. main's dist/target/aixcl/lib/aixcl-daemon.jar copied aside),
# daemon B from this tree. Each round runs curl, A and B once, in a shuffled order, after `sync`. Per pull it prints
# the wall time of `aixcl models add URL --sha256 HEX` (CLI included) and the daemon's CPU time and user/kernel
# instructions over the pull (`perf stat -p`), so a change of load hits all three alike and the CPU figures do not
# depend on it. Last lines: the medians, and B/A.
#
#   AIXCL_DAEMON_JAR_A=/path/aixcl-daemon.jar bench/pull/paired.sh     (BENCH_BYTES, BENCH_ROUNDS default 8)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../common.sh"
# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"

require curl "apt-get install -y curl"
require perf "apt-get install -y linux-perf"
require sha256sum "apt-get install -y coreutils"
NGINX="$(command -v nginx || true)"
[[ -n "$NGINX" ]] || NGINX=/usr/sbin/nginx
[[ -x "$NGINX" ]] || die "missing tool 'nginx'; install it with: apt-get install -y nginx"
[[ -f "${AIXCL_DAEMON_JAR_A:-}" ]] || die "set AIXCL_DAEMON_JAR_A to the other build's aixcl-daemon.jar"
aixcl_find_jdk || die "no JDK >= 21"

BYTES="${BENCH_BYTES:-1073741824}"
ROUNDS="${BENCH_ROUNDS:-8}"
WORK="$(mktemp -d /tmp/aixcl-bench-paired.XXXXXX)"

cleanup() {
    set +e
    stop_daemon "$WORK/A"
    stop_daemon "$WORK/B"
    if [[ -f "$WORK/nginx/nginx.pid" ]]; then
        kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/pull/serve-blob.sh
source "$BENCH_DIR/pull/serve-blob.sh"

daemon_pid() {
    AIXCL_HOME="$WORK/$1" "$AIXCL" daemon status --json 2>/dev/null | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' | head -1
}

AIXCL_HOME="$WORK/A" AIXCL_DAEMON_JAR="$AIXCL_DAEMON_JAR_A" "$AIXCL" daemon start >/dev/null
AIXCL_HOME="$WORK/B" "$AIXCL" daemon start >/dev/null
declare -A PID=([A]="$(daemon_pid A)" [B]="$(daemon_pid B)")
[[ -n "${PID[A]}" && -n "${PID[B]}" ]] || die "cannot find the daemons' pids"

pull() { # pull A|B: one timed `models add`, the store emptied after; prints "wall_ms task_ms user_G kernel_G"
    local who="$1" t0 t1 out="$WORK/perf.$1"
    perf stat -x, -e task-clock,instructions:u,instructions:k -p "${PID[$who]}" -o "$out" &
    local perf_pid=$!
    sleep 0.2
    sync
    t0="$(now_us)"
    AIXCL_HOME="$WORK/$who" "$AIXCL" models add "$URL" --sha256 "$HEX" --name paired >/dev/null
    t1="$(now_us)"
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    AIXCL_HOME="$WORK/$who" "$AIXCL" models remove paired >/dev/null
    rm -f -- "$WORK/$who/data/models/blobs/sha256-$HEX"
    awk -F, -v w=$(((t1 - t0) / 1000)) '
        $3 == "task-clock" { t = $1 } $3 == "instructions:u" { u = $1 / 1e9 } $3 == "instructions:k" { k = $1 / 1e9 }
        END { printf "%d %.0f %.2f %.2f\n", w, t, u, k }' "$out"
}

curl_pull() {
    local t0 t1
    sync
    t0="$(now_us)"
    curl -s -S -f -o "$WORK/curl.gguf" "$URL"
    t1="$(now_us)"
    rm -f -- "$WORK/curl.gguf"
    printf '%d\n' $(((t1 - t0) / 1000))
}

log "warm-up: one pull each"
pull A >/dev/null
pull B >/dev/null
curl_pull >/dev/null
: >"$WORK/rows"
for ((round = 1; round <= ROUNDS; round++)); do
    for who in $(printf '%s\n' curl A B | shuf); do
        if [[ "$who" == curl ]]; then
            row="curl $(curl_pull)"
        else
            row="$who $(pull "$who")"
        fi
        printf 'round %d %s (load %s)\n' "$round" "$row" "$(cut -d' ' -f1 /proc/loadavg)"
        printf '%s\n' "$row" >>"$WORK/rows"
    done
done
for who in curl A B; do
    for col in 2 3 4 5; do
        [[ "$who" == curl && "$col" != 2 ]] && continue
        printf '%s %s median %s\n' "$who" "$(sed -n "${col}p" <<<$'\nwall_ms\ncpu_ms\nuser_Ginstr\nkernel_Ginstr')" \
            "$(awk -v c="$col" -v w="$who" '$1 == w { print $c }' "$WORK/rows" | median)"
    done
done
