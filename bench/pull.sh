#!/usr/bin/env bash
# Model pull: a 1 GiB GGUF blob served by nginx on loopback, pulled through the model store with verification on
# (`aixcl models add URL --sha256 HEX`: the CLI's JVM start, the daemon's download, sha256, fsync, GGUF header check
# and atomic publish) against `curl -o FILE URL` of the same URL (the download alone), in the same run. Each round
# times both, the order flipping every round, after `sync` so neither pays for the other's writeback; the daemon and
# the page cache are warmed by one untimed pull first. Target: aixcl's throughput >= 0.9x curl's.
# Last line: the median of the rounds' ratios.
#
# Outside what is timed, each round also reports where a slow pull's time went: how long each `sync` before a timed
# pull took (the disk's state at that moment: it writes out the other side's 1 GiB), the daemon's own account of the
# download (its log: time to the last byte, the hash's catch-up, the final fsync, the slowest checkpoint fsync,
# retries) and any retry the CLI printed.
#
#   bench/pull.sh            (~2 min; BENCH_BYTES default 1073741824, BENCH_ROUNDS default 5; BENCH_KEEP=1 keeps the
#                             work folder: the daemon's log, each round's CLI output)
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
    if [[ -n "${BENCH_KEEP:-}" ]]; then
        rm -f -- "$WORK/www/model.gguf" "$WORK/curl.gguf"
        log "kept $WORK"
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/pull/serve-blob.sh
source "$BENCH_DIR/pull/serve-blob.sh"

pull_aixcl() {
    "$AIXCL" models add "$URL" --sha256 "$HEX" --name "$NAME" >"$WORK/aixcl.$round.out" 2>&1 \
        || { cat "$WORK/aixcl.$round.out" >&2; die "aixcl models add failed"; }
}

# Leaves the store without the model or its blob, so the next pull downloads it all again.
forget_aixcl() {
    "$AIXCL" models remove "$NAME" >/dev/null
    rm -f -- "$AIXCL_HOME/data/models/blobs/sha256-$HEX"
}

pull_curl() {
    curl -s -S -f -o "$WORK/curl.gguf" "$URL"
}

DAEMON_LOG="$AIXCL_HOME/data/logs/aixcld.log"

# What the ./aixcl launcher builds or trains in this tree: if a source changes during the run (a merge in the tree
# being measured), a timed `models add` rebuilds the jars (~1 min) or re-trains the CLI's cache (~2 s) first.
launcher_state() {
    stat -c '%n %Y' "$REPO_DIR/.aixcl-build/built.stamp" "$REPO_DIR/.aixcl-build/cli-fast.aot" 2>/dev/null || true
}

# timed NAME: runs pull_NAME after a sync and prints its wall time in microseconds. Untimed: the sync's own time goes
# to $WORK/sync.NAME, and an aixcl pull's lines of the daemon log to $WORK/daemon.$round.log.
timed() {
    local t0 t1 s0 offset=0
    [[ "$1" == aixcl && -f "$DAEMON_LOG" ]] && offset="$(stat -c %s "$DAEMON_LOG")"
    launcher_state >"$WORK/launcher.before"
    s0="$(now_us)"
    sync
    t0="$(now_us)"
    "pull_$1"
    t1="$(now_us)"
    printf '%s' $(((t0 - s0) / 1000)) >"$WORK/sync.$1"
    if [[ "$1" == aixcl ]]; then
        tail -c +$((offset + 1)) "$DAEMON_LOG" | grep -E 'io\.aixcl\.models' >"$WORK/daemon.$round.log" || true
        launcher_state | cmp -s - "$WORK/launcher.before" || printf 'rebuilt or re-trained\n' >"$WORK/launcher.$round"
    fi
    printf '%s' $((t1 - t0))
}

log "daemon under $AIXCL_HOME; warm-up pull (untimed)"
"$AIXCL" daemon start >/dev/null
round=0
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
    # Not timed: the syncs before each pull, and the daemon's account of its download.
    log "  untimed sync before curl $(cat "$WORK/sync.curl") ms, before aixcl $(cat "$WORK/sync.aixcl") ms"
    sed -n 's/.*io\.aixcl\.models\.[A-Za-z]*: /  daemon: /p' "$WORK/daemon.$round.log" >&2
    grep -h 'retrying' "$WORK/aixcl.$round.out" | sed 's/^ */  cli: /' >&2 || true
    if [[ -f "$WORK/launcher.$round" ]]; then
        log "  WARNING: the ./aixcl launcher rebuilt the jars or re-trained its cache inside this round's timed pull" \
            "(a source or jar of $REPO_DIR changed during the run): its aixcl time is not a pull's"
    fi
done
printf 'aixcl/curl=%s (median of %d rounds; target >= 0.9)\n' "$(printf '%s\n' "${ratios[@]}" | median)" "$ROUNDS"
