#!/usr/bin/env bash
# The gateway's CPU cost per request, which the machine's load barely moves (unlike bench/gateway.sh's req/s): the
# daemon in front of the canned upstream of bench/gateway.sh, warmed up under wrk -t2 -c64 (C2 needs tens of seconds
# of traffic on a loaded machine), then `perf stat` on the daemon alone during BENCH_ROUNDS 10 s wrk runs: user and
# kernel instructions, CPU time (task-clock) and context switches per request (compiler threads included: take the
# last, settled rounds),
# and the syscalls per request of one more 5 s run. BENCH_PROFILE=cpu|alloc adds an async-profiler run (ASYNC_PROFILER=path to
# libasyncProfiler.so) written as collapsed stacks to BENCH_PROFILE_OUT.
#
#   bench/gateway-cost.sh json|sse     (BENCH_WARMUP=90 s, BENCH_ROUNDS=3; AIXCL_DAEMON_JAR to measure another build)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

MODE="${1:-json}"
[[ "$MODE" == json || "$MODE" == sse ]] || die "usage: bench/gateway-cost.sh json|sse"
WARMUP="${BENCH_WARMUP:-90}"
ROUNDS="${BENCH_ROUNDS:-3}"
require wrk "apt-get install -y wrk"
require nginx "apt-get install -y nginx"
require perf "apt-get install -y linux-perf"
require curl "apt-get install -y curl"

WORK="$(mktemp -d /tmp/aixcl-bench-gateway-cost.XXXXXX)"
export AIXCL_HOME="$WORK/home"
cleanup() {
    set +e
    stop_daemon "$AIXCL_HOME"
    [[ -f "$WORK/nginx/nginx.pid" ]] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mapfile -t ports < <(free_ports 5)
UJ="${ports[0]}" US="${ports[1]}" GW="${ports[4]}"
NG="$WORK/nginx"
mkdir -p "$NG"/{body,proxy,fastcgi,uwsgi,scgi}
chat_json="$(tr -d '\n' <"$BENCH_DIR/gateway/chat.json")"
chat_sse="$(awk '{printf "%s\\n", $0}' "$BENCH_DIR/gateway/chat.sse")"
models_json="$(tr -d '\n' <"$BENCH_DIR/gateway/models.json")"
sed -e "s|@DIR@|$NG|g" -e "s|@UPSTREAM_JSON@|$UJ|g" -e "s|@UPSTREAM_SSE@|$US|g" \
    -e "s|@PROXY_JSON@|${ports[2]}|g" -e "s|@PROXY_SSE@|${ports[3]}|g" "$BENCH_DIR/gateway/nginx.conf.in" >"$NG/nginx.conf.tmp"
python3 - "$NG/nginx.conf.tmp" "$NG/nginx.conf" "$chat_json" "$chat_sse" "$models_json" <<'PY'
import sys
src, dst, js, sse, models = sys.argv[1:6]
text = open(src).read().replace("@CHAT_JSON@", js).replace("@CHAT_SSE@", sse).replace("@MODELS_JSON@", models)
open(dst, "w").write(text)
PY
nginx -c "$NG/nginx.conf" -p "$NG" -e "$NG/error.log" || die "nginx did not start (config $NG/nginx.conf)"

upstream="$UJ" stream=0
[[ "$MODE" == sse ]] && upstream="$US" stream=1
mkdir -p "$AIXCL_HOME/config"
printf 'version: 1\ninference:\n  engine: openai\n  url: http://127.0.0.1:%s\ngateway:\n  listen: 127.0.0.1:%s\n' \
    "$upstream" "$GW" >"$AIXCL_HOME/config/settings.yaml"
"$AIXCL" daemon start >/dev/null
for ((i = 0; i < 200; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$GW/api/version" && break
    sleep 0.05
done
KEY="$("$AIXCL" keys create --name bench | grep -o 'aixk_[A-Za-z0-9]*' | head -1)"
[[ -n "$KEY" ]] || die "aixcl keys create printed no key"
PID="$(ss -Hltnp "sport = :$GW" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
[[ -n "$PID" ]] || die "no process listens on the gateway's port $GW"

run_wrk() { # seconds
    BENCH_STREAM="$stream" AIXCL_KEY="$KEY" wrk -t2 -c64 -d"$1s" -s "$BENCH_DIR/gateway/post.lua" \
        "http://127.0.0.1:$GW/v1/chat/completions"
}
requests_of() { grep -o '[0-9]* requests in' <<<"$1" | cut -d' ' -f1; }

log "$MODE: warming the gateway up for ${WARMUP}s"
run_wrk "$WARMUP" >/dev/null
for ((r = 1; r <= ROUNDS; r++)); do
    out="$({ perf stat -e instructions:u,instructions:k,task-clock,context-switches -p "$PID" -x, -o "$WORK/perf.txt" -- sleep 10 &
        run_wrk 10; wait; })"
    n="$(requests_of "$out")"
    user="$(grep 'instructions:u' "$WORK/perf.txt" | cut -d, -f1)"
    kernel="$(grep 'instructions:k' "$WORK/perf.txt" | cut -d, -f1)"
    switches="$(grep 'context-switches' "$WORK/perf.txt" | cut -d, -f1)"
    cpu_ms="$(grep 'task-clock' "$WORK/perf.txt" | cut -d, -f1)"
    printf '%s round %d: %s req/s, %d user + %d kernel instructions, %s us CPU, %s context switches per request (load %s)\n' \
        "$MODE" "$r" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" $((user / n)) $((kernel / n)) \
        "$(awk -v c="$cpu_ms" -v n="$n" 'BEGIN {printf "%.0f", c * 1000 / n}')" \
        "$(awk -v s="$switches" -v n="$n" 'BEGIN {printf "%.2f", s / n}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
calls="writev write read epoll_wait epoll_ctl futex"
events="$(printf 'syscalls:sys_enter_%s,' $calls)"
out="$({ perf stat -e "${events%,}" -p "$PID" -x, -o "$WORK/sys.txt" -- sleep 5 & run_wrk 5; wait; })"
n="$(requests_of "$out")"
printf '%s syscalls per request:' "$MODE"
awk -F, -v n="$n" '/sys_enter_/ {sub(/.*sys_enter_/, "", $3); printf " %s=%.2f", $3, $1 / n}' "$WORK/sys.txt"
printf '\n'
if [[ -n "${BENCH_PROFILE:-}" ]]; then
    lib="${ASYNC_PROFILER:?set ASYNC_PROFILER to libasyncProfiler.so}"
    out_file="${BENCH_PROFILE_OUT:-/tmp/gateway-$MODE-$BENCH_PROFILE.collapsed}"
    jcmd="$(dirname -- "$(readlink -f -- "$(command -v java)")")/jcmd"
    [[ -n "${JAVA_HOME:-}" ]] && jcmd="$JAVA_HOME/bin/jcmd"
    # jcmd parses name=value arguments itself: the agent's options go quoted, as one argument.
    "$jcmd" "$PID" JVMTI.agent_load "$lib" "\"start,event=$BENCH_PROFILE,interval=500us\"" >/dev/null
    run_wrk 10 >/dev/null
    "$jcmd" "$PID" JVMTI.agent_load "$lib" "\"stop,file=$out_file\"" >/dev/null
    log "profile: $out_file"
fi
