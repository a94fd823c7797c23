#!/usr/bin/env bash
# Embedded engine tokens/s through the gateway versus the same model called in-process: the daemon serves
# ../shared/models/llama-2-tiny-random.gguf (as model "bench") on its embedded engine behind the gateway; the
# bench streams /v1/completions over loopback HTTP with an inference key, against de.kherud.llama in the bench's
# own JVM, same prompt and parameters, BENCH_PAIRS paired runs (order flipped every pair). Target: >= 0.9x.
# Both sides compute with BENCH_THREADS llama.cpp threads (default nproc; the daemon through inference.threads).
# The gateway's client is the JDK's HttpClient in the bench's JVM (BENCH_CLIENT=jdk, the default) or curl
# (BENCH_CLIENT=curl, timed by its own time_total): a client shares the two cores with llama.cpp, so its own cost
# shows in the ratio; the two show how much of the gap is the client's.
# Both sides first run BENCH_WARMUP (default 300) untimed requests: the daemon's steady state, past its JIT.
# Last line: the median of the pairs' ratios.
#
#   bench/embedded-gateway.sh [MODEL.gguf]       (~1 min; no root, no container engine)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"

aixcl_find_jdk || die "no JDK >= 21 found"
MODEL="${1:-$REPO_DIR/../shared/models/llama-2-tiny-random.gguf}"
[[ -r "$MODEL" ]] || die "model not found: $MODEL (see ../shared/models/README.md)"
TOKENS="${BENCH_TOKENS:-256}"
PAIRS="${BENCH_PAIRS:-30}"
THREADS="${BENCH_THREADS:-$(nproc)}"

WORK="$(mktemp -d /tmp/aixcl-bench-gwtokens.XXXXXX)"
export AIXCL_HOME="$WORK/home"
cleanup() {
    set +e
    stop_daemon "$AIXCL_HOME"
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CP="$(engine_llama_classpath "$WORK")"

port="$(free_ports 1)"
mkdir -p "$AIXCL_HOME/config"
cat >"$AIXCL_HOME/config/settings.yaml" <<YAML
version: 1
inference:
  engine: embedded
  context: 1024
  threads: $THREADS
gateway:
  listen: 127.0.0.1:$port
YAML
"$AIXCL" models add "$MODEL" --name bench >/dev/null
"$AIXCL" keys create --name bench | grep -o 'aixk_[A-Za-z0-9]*' | head -1 >"$WORK/key"
[[ -s "$WORK/key" ]] || die "aixcl keys create printed no key"

log "model $MODEL, $TOKENS tokens per run, $PAIRS pairs, $THREADS llama.cpp threads on both sides, gateway 127.0.0.1:$port"
"$AIXCL_JDK_JAVA" --enable-native-access=ALL-UNNAMED -Dde.kherud.llama.tmpdir="$WORK" -cp "$CP" \
    "$BENCH_DIR/embedded-tokens/EmbeddedTokensBench.java" "$MODEL" "$TOKENS" "$PAIRS" "$THREADS" \
    "http://127.0.0.1:$port" "$WORK/key" 2>"$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; die "benchmark failed"; }
