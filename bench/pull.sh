#!/usr/bin/env bash
# Model pull: a 1 GiB GGUF blob served by nginx on loopback, pulled through the model store with verification on
# (`aixcl models add URL --sha256 HEX`: the CLI's JVM start, the daemon's download, sha256, fsync, GGUF header check
# and atomic publish) against `curl -o FILE URL` of the same URL (the download alone), in the same run. Each round
# times both, the order flipping every round, after `sync` so neither pays for the other's writeback; the daemon and
# the page cache are warmed by one untimed pull first. Target: aixcl's throughput >= 0.9x curl's.
# Last line: the median of the rounds' ratios.
#
#   bench/pull.sh            (~2 min; BENCH_BYTES default 1073741824, BENCH_ROUNDS default 5)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"

require curl "apt-get install -y curl"
require sha256sum "apt-get install -y coreutils"
require ss "apt-get install -y iproute2"
NGINX="$(command -v nginx || true)"
[[ -n "$NGINX" ]] || NGINX=/usr/sbin/nginx
[[ -x "$NGINX" ]] || die "missing tool 'nginx'; install it with: apt-get install -y nginx"
aixcl_find_jdk || die "no JDK >= 21"

BYTES="${BENCH_BYTES:-1073741824}"
ROUNDS="${BENCH_ROUNDS:-5}"
WORK="$(mktemp -d /tmp/aixcl-bench-pull.XXXXXX)"
export AIXCL_HOME="$WORK/home"
NAME="benchpull"

cleanup() {
    set +e
    stop_daemon "$AIXCL_HOME"
    if [[ -f "$WORK/nginx/nginx.pid" ]]; then
        kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/pull/serve-blob.sh
source "$BENCH_DIR/pull/serve-blob.sh"

pull_aixcl() {
    "$AIXCL" models add "$URL" --sha256 "$HEX" --name "$NAME" >"$WORK/aixcl.out" 2>&1 \
        || { cat "$WORK/aixcl.out" >&2; die "aixcl models add failed"; }
}

# Leaves the store without the model or its blob, so the next pull downloads it all again.
forget_aixcl() {
    "$AIXCL" models remove "$NAME" >/dev/null
    rm -f -- "$AIXCL_HOME/data/models/blobs/sha256-$HEX"
}

pull_curl() {
    curl -s -S -f -o "$WORK/curl.gguf" "$URL"
}

# timed NAME: runs pull_NAME after a sync and prints its wall time in microseconds.
timed() {
    local t0 t1
    sync
    t0="$(now_us)"
    "pull_$1"
    t1="$(now_us)"
    printf '%s' $((t1 - t0))
}

log "daemon under $AIXCL_HOME; warm-up pull (untimed)"
"$AIXCL" daemon start >/dev/null
pull_aixcl
forget_aixcl
pull_curl
rm -f -- "$WORK/curl.gguf"

ratios=()
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
        c="$(timed curl)"
        a="$(timed aixcl)"
    else
        a="$(timed aixcl)"
        c="$(timed curl)"
    fi
    rm -f -- "$WORK/curl.gguf"
    forget_aixcl
    r="$(ratio "$c" "$a")"
    ratios+=("$r")
    log "round $round: curl $((c / 1000)) ms, aixcl $((a / 1000)) ms, aixcl/curl throughput $r (load $(cut -d' ' -f1 /proc/loadavg))"
done
printf 'aixcl/curl=%s (median of %d rounds; target >= 0.9)\n' "$(printf '%s\n' "${ratios[@]}" | median)" "$ROUNDS"
