#!/usr/bin/env bash
# Stack start, A/B: the graph of stack-start.sh started by several source trees (each with its own daemon), and the
# critical-path bound, in shuffled order every round; prints each round and the median per-round ratio to the bound.
#
#   bench/stack-start-interleaved.sh ROUNDS NAME=TREE[,VAR=VALUE] ...
#   e.g. bench/stack-start-interleaved.sh 10 before=/tmp/old-tree after=.   (each TREE built: TREE/aixcl --version)
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
require podman "apt-get install -y podman runc"
require curl "apt-get install -y curl"
require ss "apt-get install -y iproute2"
require shuf "apt-get install -y coreutils"
[[ $# -ge 2 ]] || die "usage: bench/stack-start-interleaved.sh ROUNDS NAME=TREE[,VAR=VALUE] ..."
ROUNDS="$1"; shift
NAMES=() TREES=() ENVS=() HOMES=() FILES=() PORTSV=()
WORK="$(mktemp -d /tmp/aixcl-bench-ab.XXXXXX)"
BSTACK="abbound$$"
cleanup() {
  set +e
  for i in "${!NAMES[@]}"; do
    remove_stack_containers "ab$$${NAMES[$i]}"
    AIXCL="${TREES[$i]}/aixcl" stop_daemon "${HOMES[$i]}"
  done
  remove_stack_containers "$BSTACK"
  rm -rf -- "$WORK"
}
trap cleanup EXIT
ensure_busybox_image
for v in "$@"; do
  name="${v%%=*}"; rest="${v#*=}"; tree="${rest%%,*}"; env=""; [[ "$rest" == *,* ]] && env="${rest#*,}"
  NAMES+=("$name"); TREES+=("$tree"); ENVS+=("$env")
  home="$WORK/$name/home"; mkdir -p "$home"; HOMES+=("$home")
  f="$WORK/$name/stack.yaml"; FILES+=("$f")
  mapfile -t P < <(free_ports 8)
  PORTSV+=("${P[*]}")
  st="ab$$$name"
  {
    printf 'version: 1\nname: %s\ndefault_profile: bench\nservices:\n' "$st"
    http_service inference "${P[0]}" ""; http_service a "${P[1]}" ""
    http_service b1 "${P[2]}" "inference"; http_service b2 "${P[3]}" "a"
    http_service c1 "${P[4]}" "b1, b2"; http_service c2 "${P[5]}" "b2"
    http_service d1 "${P[6]}" "c1"; http_service d2 "${P[7]}" "c1, c2"
    printf 'profiles:\n  bench:\n    services: [inference, a, b1, b2, c1, c2, d1, d2]\n'
  } >"$f"
  if [[ -n "$env" ]]; then
    env "$env" AIXCL_HOME="$home" "$tree/aixcl" daemon start >/dev/null
  else
    AIXCL_HOME="$home" "$tree/aixcl" daemon start >/dev/null
  fi
done
mapfile -t BP < <(free_ports 4)
run_variant() {
  local i="$1" t0 t1 p
  t0=$(now_us)
  AIXCL_HOME="${HOMES[$i]}" "${TREES[$i]}/aixcl" stack start -f "${FILES[$i]}" >/dev/null
  # shellcheck disable=SC2086
  for p in ${PORTSV[$i]}; do wait_http "$p" 60 || die "port $p"; done
  t1=$(now_us)
  AIXCL_HOME="${HOMES[$i]}" "${TREES[$i]}/aixcl" stack down --volumes --yes -f "${FILES[$i]}" >/dev/null
  echo $(((t1 - t0) / 1000))
}
run_bound() {
  local t0 t1 i
  t0=$(now_us)
  for i in 0 1 2 3; do
    podman run -d --name "$BSTACK-$i" --label "io.aixcl.stack=$BSTACK" --init --network host \
      --cap-drop ALL "$BUSYBOX_IMAGE" httpd -f -p "127.0.0.1:${BP[$i]}" -h /www >/dev/null
    wait_http "${BP[$i]}" 30 || die "bound $i"
  done
  t1=$(now_us)
  remove_stack_containers "$BSTACK"
  echo $(((t1 - t0) / 1000))
}
# warm-up
for i in "${!NAMES[@]}"; do run_variant "$i" >/dev/null; done
run_bound >/dev/null
declare -A R
for ((r = 1; r <= ROUNDS; r++)); do
  order=$(shuf -e bound "${!NAMES[@]}")
  line="round $r (load $(cut -d' ' -f1 /proc/loadavg)):"
  declare -A cur=()
  for k in $order; do
    if [[ "$k" == bound ]]; then cur[bound]=$(run_bound); else cur[$k]=$(run_variant "$k"); fi
  done
  line+=" bound ${cur[bound]}"
  for i in "${!NAMES[@]}"; do
    line+=" ${NAMES[$i]} ${cur[$i]} ($(ratio "${cur[$i]}" "${cur[bound]}"))"
    R[$i]+="$(ratio "${cur[$i]}" "${cur[bound]}") "
  done
  R[bound]+="${cur[bound]} "
  echo "$line"
done
# shellcheck disable=SC2086 # the lists are split on purpose
echo "median bound ms: $(printf '%s\n' ${R[bound]} | median)"
for i in "${!NAMES[@]}"; do
  # shellcheck disable=SC2086
  echo "${NAMES[$i]}: median ratio to bound $(printf '%s\n' ${R[$i]} | median)"
done
