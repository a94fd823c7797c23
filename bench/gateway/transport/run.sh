#!/usr/bin/env bash
# The transport alone, in one run: nginx reverse-proxying bench/gateway.sh's canned JSON upstream, a minimal Jetty 12
# proxy (server handler + Jetty HttpClient, MiniProxy.java) and a minimal Netty 4.1 proxy where each downstream
# connection owns an upstream connection on the same event loop (NettyProxy.java); no aixcl logic in either. After a
# 30 s warm-up each, three rounds of `perf stat` on each process during a 5 s wrk -t2 -c64 run: req/s, user and kernel
# instructions, context switches and CPU time per request.
#
#   bench/gateway/transport/run.sh     (~3 min; jars from ~/.m2: run a build once first)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../common.sh"
require wrk "apt-get install -y wrk"
require nginx "apt-get install -y nginx"
require perf "apt-get install -y linux-perf"
JAVA="${JAVA_BIN:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
M2="${M2_REPO:-$HOME/.m2/repository}"
WORK=$(mktemp -d /tmp/transport-run.XXXXXX)
mapfile -t ports < <(free_ports 6)
UJ="${ports[0]}" US="${ports[1]}" PJ="${ports[2]}" PS="${ports[3]}" MP="${ports[4]}" NP="${ports[5]}"
NG="$WORK/nginx"; mkdir -p "$NG"/{body,proxy,fastcgi,uwsgi,scgi}
chat_json="$(tr -d '\n' <"$BENCH_DIR/gateway/chat.json")"
chat_sse="$(awk '{printf "%s\\n", $0}' "$BENCH_DIR/gateway/chat.sse")"
models_json="$(tr -d '\n' <"$BENCH_DIR/gateway/models.json")"
sed -e "s|@DIR@|$NG|g" -e "s|@UPSTREAM_JSON@|$UJ|g" -e "s|@UPSTREAM_SSE@|$US|g" -e "s|@PROXY_JSON@|$PJ|g" \
    -e "s|@PROXY_SSE@|$PS|g" "$BENCH_DIR/gateway/nginx.conf.in" >"$NG/nginx.conf.tmp"
python3 - "$NG/nginx.conf.tmp" "$NG/nginx.conf" "$chat_json" "$chat_sse" "$models_json" <<'PY'
import sys
src, dst, js, sse, models = sys.argv[1:6]
open(dst, "w").write(open(src).read().replace("@CHAT_JSON@", js).replace("@CHAT_SSE@", sse).replace("@MODELS_JSON@", models))
PY
nginx -c "$NG/nginx.conf" -p "$NG" -e "$NG/error.log"
JCP=$(find "$M2/org/eclipse/jetty" -name "*-12.1.10.jar" | grep -v sources | tr '\n' ':')"$M2/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar"
NCP=$(find "$M2/io/netty" -name "*-4.1.128.Final.jar" | grep -v sources | tr '\n' ':')
HERE="$(dirname -- "${BASH_SOURCE[0]}")"
"${JAVA%/java}/javac" -d "$WORK/jetty" -cp "$JCP" "$HERE/MiniProxy.java"
"${JAVA%/java}/javac" -d "$WORK/netty" -cp "$NCP" "$HERE/NettyProxy.java"
"$JAVA" -XX:+UseSerialGC -cp "$WORK/jetty:$JCP" MiniProxy "$MP" "http://127.0.0.1:$UJ/v1/chat/completions" >"$WORK/mini.log" 2>&1 &
MPID=$!
"$JAVA" -XX:+UseSerialGC -cp "$WORK/netty:$NCP" NettyProxy "$NP" "$UJ" >"$WORK/netty.log" 2>&1 &
NPID=$!
trap 'kill $MPID $NPID; kill $(cat $NG/nginx.pid); rm -rf $WORK' EXIT
for port in $MP $NP; do
    for i in $(seq 100); do curl -s -o /dev/null -d "{}" "http://127.0.0.1:$port/v1/chat/completions" && break; sleep 0.1; done
done
w() { wrk -t2 -c64 -d"$2s" -s "$BENCH_DIR/gateway/post.lua" "http://127.0.0.1:$1/v1/chat/completions" >/dev/null; }
w $MP 30; w $NP 30
cost() { # name port pids...
  local name=$1 port=$2; shift 2
  local pl; pl=$(IFS=,; echo "$*")
  out=$({ perf stat -e instructions:u,instructions:k,context-switches,task-clock -p "$pl" -x, -o "$WORK/perf.txt" -- sleep 5 &
          wrk -t2 -c64 -d5s -s "$BENCH_DIR/gateway/post.lua" "http://127.0.0.1:$port/v1/chat/completions"; wait; })
  n=$(grep -o '[0-9]* requests in' <<<"$out" | cut -d' ' -f1)
  awk -F, -v n="$n" -v name="$name" '/instructions:u/ {u=$1} /instructions:k/ {k=$1} /context-switches/ {cs=$1} /task-clock/ {t=$1}
      END {printf "%-12s %6d req/s  user %7d  kernel %7d instr/req  cs/req %.2f  cpu us/req %.1f\n", name, n/5, u/n, k/n, cs/n, t*1000/n}' "$WORK/perf.txt"
}
NGW=$(pgrep -f "nginx: worker" -P "$(cat "$NG/nginx.pid")" | tr '\n' ' ')
for i in 1 2 3; do
  # shellcheck disable=SC2086
  cost nginx-proxy "$PJ" $NGW
  cost jetty-mini "$MP" "$MPID"
  cost netty-mini "$NP" "$NPID"
done
