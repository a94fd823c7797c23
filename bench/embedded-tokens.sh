#!/usr/bin/env bash
# Embedded engine tokens/s: the same model (../shared/models/llama-2-tiny-random.gguf by default) called
# in-process with de.kherud.llama versus through EmbeddedEngine (a supervised worker JVM and its socket
# protocol), same prompt and parameters (greedy, BENCH_TOKENS tokens, default 256, BENCH_THREADS llama.cpp
# threads, default nproc), in BENCH_PAIRS paired runs (default 30; the order flips every pair, so drift in
# the machine's load hits both sides). Target: ratio >= 0.9x.
# Last line: the median of the pairs' ratios (embedded tokens/s over in-process tokens/s).
#
#   bench/embedded-tokens.sh [MODEL.gguf]       (~30 s; no root, no container engine)
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

WORK="$(mktemp -d /tmp/aixcl-bench-tokens.XXXXXX)"
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT TERM

CP="$(engine_llama_classpath "$WORK")"

log "model $MODEL, $TOKENS tokens per run, $PAIRS pairs, $THREADS threads"
# The in-process side unpacks llama.cpp's native library into a private folder too.
"$AIXCL_JDK_JAVA" --enable-native-access=ALL-UNNAMED -Dde.kherud.llama.tmpdir="$WORK" -cp "$CP" \
    "$BENCH_DIR/embedded-tokens/EmbeddedTokensBench.java" "$MODEL" "$TOKENS" "$PAIRS" "$THREADS" 2>"$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; die "benchmark failed"; }
