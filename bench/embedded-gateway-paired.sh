#!/usr/bin/env bash
# A diagnostic beside bench/embedded-gateway.sh: two daemons serving ../shared/models/llama-2-tiny-random.gguf on
# their embedded engines, daemon A from another build (AIXCL_DAEMON_JAR_A, e.g. main's dist/target/aixcl/lib copied
# aside, aixcl-daemon.jar in it) and daemon B from this tree (or AIXCL_DAEMON_JAR_B, to swap the two), and the in-process anchor of embedded-gateway.sh, each
# round running the three in a shuffled order (same prompt, parameters, JDK client). Prints each gateway's median
# ratio to in-process, the median of B/A per round, and the CPU time each daemon and its worker spent per request
# (from /proc: independent of the machine's load).
#
# BENCH_WARMUP (default 300, as embedded-gateway.sh) requests on every side before the timed rounds.
#
#   AIXCL_DAEMON_JAR_A=/path/aixcl-daemon.jar bench/embedded-gateway-paired.sh     (BENCH_ROUNDS default 40)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"

aixcl_find_jdk || die "no JDK >= 21 found"
[[ -f "${AIXCL_DAEMON_JAR_A:-}" ]] || die "set AIXCL_DAEMON_JAR_A to the other build's aixcl-daemon.jar"
MODEL="${1:-$REPO_DIR/../shared/models/llama-2-tiny-random.gguf}"
[[ -r "$MODEL" ]] || die "model not found: $MODEL (see ../shared/models/README.md)"
TOKENS="${BENCH_TOKENS:-256}"
ROUNDS="${BENCH_ROUNDS:-40}"
THREADS="${BENCH_THREADS:-$(nproc)}"

WORK="$(mktemp -d /tmp/aixcl-bench-gwpairs.XXXXXX)"
cleanup() {
    set +e
    stop_daemon "$WORK/A"
    stop_daemon "$WORK/B"
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CP="$(engine_llama_classpath "$WORK")"
mapfile -t ports < <(free_ports 2)
portA="${ports[0]}"
portB="${ports[1]}"

# setup WHO PORT [JAR]: the settings of embedded-gateway.sh, the model as "bench", an inference key in WHO/key.
setup() {
    local home="$WORK/$1"
    mkdir -p "$home/config"
    printf 'version: 1\ninference:\n  engine: embedded\n  context: 1024\n  threads: %s\ngateway:\n  listen: 127.0.0.1:%s\n' \
        "$THREADS" "$2" >"$home/config/settings.yaml"
    AIXCL_HOME="$home" AIXCL_DAEMON_JAR="${3:-}" "$AIXCL" models add "$MODEL" --name bench >/dev/null
    AIXCL_HOME="$home" "$AIXCL" keys create --name bench | grep -o 'aixk_[A-Za-z0-9]*' | head -1 >"$home/key"
    [[ -s "$home/key" ]] || die "aixcl keys create printed no key"
    AIXCL_HOME="$home" "$AIXCL" daemon status --json 2>/dev/null | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' | head -1
}
pidA="$(setup A "$portA" "$AIXCL_DAEMON_JAR_A")"
pidB="$(setup B "$portB" "${AIXCL_DAEMON_JAR_B:-}")"
[[ -n "$pidA" && -n "$pidB" ]] || die "cannot find the daemons' pids"

log "A: $AIXCL_DAEMON_JAR_A (pid $pidA), B: ${AIXCL_DAEMON_JAR_B:-this tree} (pid $pidB); $TOKENS tokens, $ROUNDS rounds, $THREADS threads"
"$AIXCL_JDK_JAVA" --enable-native-access=ALL-UNNAMED -Dde.kherud.llama.tmpdir="$WORK" -cp "$CP" \
    "$BENCH_DIR/embedded-tokens/GatewayPairs.java" "$MODEL" "$TOKENS" "$ROUNDS" "$THREADS" \
    "http://127.0.0.1:$portA,$WORK/A/key,$pidA" "http://127.0.0.1:$portB,$WORK/B/key,$pidB" 2>"$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; die "benchmark failed"; }
