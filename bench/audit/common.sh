# shellcheck shell=bash
# Shared by bench/audit/*.sh (sourced): finds the JDK, builds the audit module, compiles the bench sources.

AUDIT_BENCH_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd -- "$AUDIT_BENCH_DIR/../.." && pwd)"

die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

log() {
    printf '# %s\n' "$*" >&2
}

# shellcheck source=scripts/lib/jdk.sh
source "$REPO_DIR/scripts/lib/jdk.sh"
aixcl_find_jdk || die "no JDK >= 21"
JAVA="$AIXCL_JDK_JAVA"
JAVAC="$AIXCL_JDK_HOME/bin/javac"

# build_audit WORK_DIR: builds core+audit, compiles bench sources into WORK_DIR/classes, sets BENCH_CP.
build_audit() {
    local work="$1"
    log "building the audit module"
    (cd "$REPO_DIR" && JAVA_HOME="$AIXCL_JDK_HOME" MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow" \
        ./mvnw -B -q -ntp -pl audit -am package -DskipTests) >&2 || die "build failed"
    local cp="$REPO_DIR/audit/target/classes:$REPO_DIR/core/target/classes"
    mkdir -p "$work/classes"
    "$JAVAC" -d "$work/classes" -cp "$cp" "$AUDIT_BENCH_DIR"/*.java || die "bench sources do not compile"
    BENCH_CP="$work/classes:$cp"
}
