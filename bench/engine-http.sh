#!/usr/bin/env bash
# engine-http's OpenAI adapter alone against the gateway benchmark's canned upstream (nginx serving the
# fixtures of engine-http/src/test/resources/upstream from its config template): BENCH_REQUESTS requests
# (default 100000) at 64 concurrent exchanges through OpenAiCompatibleEngine versus wrk at 64 connections
# straight to nginx, for the JSON and the SSE flavour; then one exchange at a time (the adapter's latency).
# Last line: adapter/wrk throughput ratios and the adapter's p50 at concurrency 1.
#
#   bench/engine-http.sh        (~1 min; no root, no container engine)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"

aixcl_find_jdk || die "no JDK >= 21 found"
require nginx "apt-get install -y nginx"
require wrk "apt-get install -y wrk"
REQUESTS="${BENCH_REQUESTS:-100000}"
FIXTURES="$REPO_DIR/engine-http/src/test/resources/upstream"

WORK="$(mktemp -d /tmp/aixcl-bench-enginehttp.XXXXXX)"
NGINX_PID=""
cleanup() {
    if [[ -n "$NGINX_PID" ]]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building engine-http"
(cd "$REPO_DIR" && JAVA_HOME="$AIXCL_JDK_HOME" MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow" \
    ./mvnw -q -B -ntp -pl engine-http -am package dependency:build-classpath \
    -DskipTests -Dmdep.outputFile="$WORK/classpath" -DincludeScope=runtime) >&2
CP="$REPO_DIR/engine-http/target/classes:$REPO_DIR/core/target/classes:$(cat "$WORK/classpath")"

PORT="$(free_ports 1)"
sed -e "s#@PORT@#$PORT#g" -e "s#@ROOT@#$FIXTURES#g" -e "s#@PREFIX@#$WORK#g" -e "s#@WORKERS@#1#g" \
    "$FIXTURES/nginx.conf.template" >"$WORK/nginx.conf"
nginx -p "$WORK" -e "$WORK/error.log" -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for ((i = 0; i < 100; i++)); do
    curl -s -f -o /dev/null "http://127.0.0.1:$PORT/json/v1/models" && break
    sleep 0.05
done

printf 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n' >"$WORK/post.lua"
wrk_rps() { # BASE
    wrk -t2 -c64 -d5s -s "$WORK/post.lua" "$1/v1/chat/completions" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
}
adapter() { # BASE REQUESTS CONCURRENCY
    "$AIXCL_JDK_JAVA" -cp "$CP" "$BENCH_DIR/engine-http/EngineHttpBench.java" "$@"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

declare -A ratio
for flavour in json sse; do
    base="http://127.0.0.1:$PORT/$flavour"
    anchor="$(wrk_rps "$base")"
    line="$(adapter "$base" "$REQUESTS" 64)"
    log "$flavour: wrk ${anchor} req/s; adapter $line"
    ratio[$flavour]="$(awk -v a="$(field req_per_s <<<"$line")" -v w="$anchor" 'BEGIN { printf "%.2f", a / w }')"
done
single="$(adapter "http://127.0.0.1:$PORT/json" 20000 1)"
log "json, one at a time: $single"
printf 'json adapter/wrk=%s sse adapter/wrk=%s p50_c1_ms=%s\n' "${ratio[json]}" "${ratio[sse]}" \
    "$(field p50_ms <<<"$single")"
