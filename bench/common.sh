# shellcheck shell=bash
# Helpers shared by the bench/ scripts (sourced, not run). Plain bash: no eval, bounded loops, loopback only.

BENCH_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd -- "$BENCH_DIR/.." && pwd)"
AIXCL="$REPO_DIR/aixcl"
BUSYBOX_IMAGE="localhost/aixcl-test-busybox:1"

die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

log() {
    printf '# %s\n' "$*" >&2
}

# require TOOL "install command"
require() {
    command -v "$1" >/dev/null 2>&1 || die "missing tool '$1'; install it with: $2"
}

# Microseconds since the epoch, without a fork.
now_us() {
    local t="$EPOCHREALTIME"
    printf '%s' "${t/./}"
}

# Prints N free TCP ports on 127.0.0.1, consecutive, from a random base (checked against ss).
free_ports() {
    local n="$1" tries base p ok used
    used="$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)"
    for ((tries = 0; tries < 50; tries++)); do
        base=$((20000 + RANDOM % 30000))
        ok=1
        for ((p = base; p < base + n; p++)); do
            if grep -qx "$p" <<<"$used"; then
                ok=0
                break
            fi
        done
        if ((ok)); then
            seq "$base" $((base + n - 1))
            return 0
        fi
    done
    die "no $n free consecutive ports found"
}

# wait_http PORT TIMEOUT_S: polls http://127.0.0.1:PORT/health every 10 ms until it answers 2xx.
wait_http() {
    local port="$1" deadline
    deadline=$(($(now_us) + $2 * 1000000))
    while (($(now_us) < deadline)); do
        if curl -s -f -o /dev/null --max-time 0.5 "http://127.0.0.1:$port/health"; then
            return 0
        fi
        sleep 0.01
    done
    return 1
}

# The busybox test image, imported from busybox-static the way TestImages.java builds it.
ensure_busybox_image() {
    podman image exists "$BUSYBOX_IMAGE" && return 0
    [[ -x /bin/busybox ]] || die "missing /bin/busybox; install it with: apt-get install -y busybox-static"
    local work applet
    work="$(mktemp -d /tmp/aixcl-bench-image.XXXXXX)"
    mkdir -p "$work/rootfs/bin"
    cp /bin/busybox "$work/rootfs/bin/busybox"
    for applet in sh httpd nc wget sleep true false cat echo mkdir ls id env kill ps touch rm seq date \
        hostname grep head tail yes printf test timeout stat whoami; do
        ln -s busybox "$work/rootfs/bin/$applet"
    done
    mkdir -p "$work/rootfs"/{tmp,www,etc,proc,sys,dev,run}
    printf 'ok\n' >"$work/rootfs/www/health"
    printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/rootfs/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$work/rootfs/etc/group"
    tar --owner=0 --group=0 -C "$work/rootfs" -cf "$work/image.tar" .
    podman import --change ENV=PATH=/bin --change 'CMD=["sleep","3600"]' "$work/image.tar" "$BUSYBOX_IMAGE" >/dev/null
    rm -rf -- "$work"
}

# http_service NAME PORT "dep1, dep2": one busybox HTTP service of a stack file, healthy when /health answers.
http_service() {
    printf '  %s:\n' "$1"
    printf '    image: %s\n' "$BUSYBOX_IMAGE"
    printf '    command: [httpd, -f, -p, "127.0.0.1:%s", -h, /www]\n' "$2"
    printf '    ports: [%s]\n' "$2"
    printf '    health: {http: "http://127.0.0.1:%s/health", interval: 1s, timeout: 1s, retries: 2, start_period: 10s}\n' "$2"
    printf '    init: true\n'
    if [[ -n "${3:-}" ]]; then
        printf '    depends_on: [%s]\n' "$3"
    fi
}

# Removes every container and volume labelled with stack NAME (aixcl's and the exported Compose file's).
remove_stack_containers() {
    local ids
    ids="$(podman ps -aq --filter "label=io.aixcl.stack=$1" 2>/dev/null || true)"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086
        podman rm -f -t 0 $ids >/dev/null 2>&1 || true
    fi
    ids="$(podman volume ls -q --filter "label=io.aixcl.stack=$1" 2>/dev/null || true)"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086
        podman volume rm -f $ids >/dev/null 2>&1 || true
    fi
}

# Stops the daemon of AIXCL_HOME (by the pid it reports), if one runs.
stop_daemon() {
    AIXCL_HOME="$1" "$AIXCL" daemon stop >/dev/null 2>&1 || true
}

# median of the numbers on stdin
median() {
    sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"} else if (NR % 2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'
}

# ratio A B with 2 decimals
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'
}

# engine_llama_classpath WORK: builds engine-llama (and core) and prints the class path that runs it, for the
# benchmarks that call llama.cpp in-process beside the engine. Needs scripts/lib/jdk.sh's aixcl_find_jdk first.
engine_llama_classpath() {
    log "building engine-llama"
    (cd "$REPO_DIR" && JAVA_HOME="$AIXCL_JDK_HOME" MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow" \
        ./mvnw -q -B -ntp -pl engine-llama -am package dependency:build-classpath \
        -DskipTests -Dmdep.outputFile="$1/classpath" -DincludeScope=runtime) >&2
    printf '%s' "$REPO_DIR/engine-llama/target/classes:$REPO_DIR/core/target/classes:$(cat "$1/classpath")"
}
