#!/usr/bin/env bash
# Stack start: an 8-service graph of busybox HTTP servers, 4 dependency levels, each gated on its
# dependencies' health. In one run, alternating, BENCH_ROUNDS times (default 3, after one untimed warm-up):
#   (a) aixcl      `aixcl stack start` until every service answers /health
#   (b) compose    `podman-compose up -d` of `aixcl stack export --network bridge` until every service answers
#   (c) bound      the critical path done by hand: 4 x (`podman run -d` + poll until it answers), sequential
# Prints the medians and, last line, aixcl/bound and podman-compose/aixcl.
#
#   bench/stack-start.sh            (root, rootful podman; ~1-2 min)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

require podman "apt-get install -y podman runc"
require podman-compose "apt-get install -y podman-compose"
require curl "apt-get install -y curl"
require ss "apt-get install -y iproute2"

ROUNDS="${BENCH_ROUNDS:-3}"
STACK="benchstart$$"
PROJECT="$STACK"
HOME_DIR="$(mktemp -d /tmp/aixcl-bench-start.XXXXXX)"
export AIXCL_HOME="$HOME_DIR/home"
STACK_FILE="$HOME_DIR/stack.yaml"
COMPOSE_FILE="$HOME_DIR/compose.yaml"
BOUND_PREFIX="$STACK-bound"

cleanup() {
    set +e
    if [[ -f "$COMPOSE_FILE" ]]; then
        podman-compose -f "$COMPOSE_FILE" -p "$PROJECT" down -v >/dev/null 2>&1
    fi
    remove_stack_containers "$STACK"
    stop_daemon "$AIXCL_HOME"
    rm -rf -- "$HOME_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_busybox_image
mapfile -t PORTS < <(free_ports 12)
# Levels: 0 {inference, a}; 1 {b1 <- inference, b2 <- a}; 2 {c1 <- b1 b2, c2 <- b2}; 3 {d1 <- c1, d2 <- c1 c2}.
# Longest path (4 services): inference -> b1 -> c1 -> d1.
{
    printf 'version: 1\nname: %s\ndefault_profile: bench\nservices:\n' "$STACK"
    http_service inference "${PORTS[0]}" ""
    http_service a "${PORTS[1]}" ""
    http_service b1 "${PORTS[2]}" "inference"
    http_service b2 "${PORTS[3]}" "a"
    http_service c1 "${PORTS[4]}" "b1, b2"
    http_service c2 "${PORTS[5]}" "b2"
    http_service d1 "${PORTS[6]}" "c1"
    http_service d2 "${PORTS[7]}" "c1, c2"
    printf 'profiles:\n  bench:\n    services: [inference, a, b1, b2, c1, c2, d1, d2]\n'
} >"$STACK_FILE"
STACK_PORTS=("${PORTS[@]:0:8}")
BOUND_PORTS=("${PORTS[@]:8:4}")

log "building/starting aixcl (daemon under $AIXCL_HOME)"
"$AIXCL" daemon start >/dev/null
"$AIXCL" stack export --format compose --network bridge -f "$STACK_FILE" >"$COMPOSE_FILE"

# One curl process asks every port: aixcl and podman-compose return with the services (about) up, and eight
# sequential curl processes cost 180-450 ms on a loaded 2-core machine, time that is the script's, not theirs.
all_answer() {
    local args=() p codes
    for p in "${STACK_PORTS[@]}"; do
        args+=(-o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$p/health")
    done
    codes="$(curl -s --max-time 0.5 "${args[@]}" || true)"
    [[ "$(grep -c '^2' <<<"$codes")" -eq "${#STACK_PORTS[@]}" ]]
}

wait_all() {
    local p
    all_answer && return 0
    for p in "${STACK_PORTS[@]}"; do
        wait_http "$p" 60 || die "port $p did not answer within 60 s"
    done
}

# Each prints the elapsed milliseconds.
run_aixcl() {
    local t0 t1
    t0=$(now_us)
    "$AIXCL" stack start -f "$STACK_FILE" >/dev/null
    wait_all
    t1=$(now_us)
    "$AIXCL" stack down --volumes --yes -f "$STACK_FILE" >/dev/null
    echo $(((t1 - t0) / 1000))
}

run_compose() {
    local t0 t1
    t0=$(now_us)
    podman-compose -f "$COMPOSE_FILE" -p "$PROJECT" up -d >/dev/null 2>&1 || die "podman-compose up failed"
    wait_all
    t1=$(now_us)
    podman-compose -f "$COMPOSE_FILE" -p "$PROJECT" down -v >/dev/null 2>&1 || true
    remove_stack_containers "$STACK"
    echo $(((t1 - t0) / 1000))
}

run_bound() {
    local t0 t1 i
    t0=$(now_us)
    for i in 0 1 2 3; do
        podman run -d --name "$BOUND_PREFIX-$i" --label "io.aixcl.stack=$STACK" --init --network host \
            --cap-drop ALL "$BUSYBOX_IMAGE" httpd -f -p "127.0.0.1:${BOUND_PORTS[$i]}" -h /www >/dev/null
        wait_http "${BOUND_PORTS[$i]}" 30 || die "bound container $i did not answer"
    done
    t1=$(now_us)
    remove_stack_containers "$STACK"
    echo $(((t1 - t0) / 1000))
}

log "warm-up (untimed)"
run_aixcl >/dev/null
run_compose >/dev/null
run_bound >/dev/null

A=() C=() B=()
for ((r = 1; r <= ROUNDS; r++)); do
    a=$(run_aixcl)
    c=$(run_compose)
    b=$(run_bound)
    A+=("$a") C+=("$c") B+=("$b")
    log "round $r: aixcl ${a} ms, podman-compose ${c} ms, critical-path bound ${b} ms"
done

ma=$(printf '%s\n' "${A[@]}" | median)
mc=$(printf '%s\n' "${C[@]}" | median)
mb=$(printf '%s\n' "${B[@]}" | median)
echo "stack start, 8 services / 4 levels, median of $ROUNDS rounds (ms): aixcl $ma, podman-compose $mc, critical-path bound $mb"
echo "aixcl/bound=$(ratio "$ma" "$mb") podman-compose/aixcl=$(ratio "$mc" "$ma")"
