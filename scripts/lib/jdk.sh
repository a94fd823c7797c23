# shellcheck shell=bash
# Finds a JDK whose feature version is at least AIXCL_MIN_JAVA (21).
# Sourced by ./aixcl and ./run-tests; defines functions and variables only.
#
# aixcl_find_jdk sets, on success (return 0):
#   AIXCL_JDK_HOME   the JDK's home folder
#   AIXCL_JDK_JAVA   its bin/java
#   AIXCL_JDK_MAJOR  its feature version (21, 25, ...)
# On failure (return 1) it prints to stderr what was examined and what to install.
# Search order: $JAVA_HOME, `java` on PATH, then the highest version under /usr/lib/jvm.
# Candidates without bin/javac (a JRE) are skipped: the launcher may have to build.
# AIXCL_DEBUG=1 traces the choice on stderr.
#
# The launcher runs this on every start, so the usual path starts no process but one realpath:
# versions come from each JDK's `release` file, read with bash builtins; results are passed in
# variables, not through $(...).

AIXCL_MIN_JAVA=21
# Folders whose subfolders are JDK homes (Debian/Ubuntu, Fedora/RHEL put them here).
AIXCL_JVM_DIRS=(/usr/lib/jvm)

_aixcl_jdk_debug() {
    if [[ "${AIXCL_DEBUG:-}" == 1 ]]; then
        printf 'aixcl: jdk: %s\n' "$*" >&2
    fi
    return 0
}

# Sets _aixcl_v to the feature version of a version string, or empty:
# "25.0.3" -> 25, "21-ea" -> 21, "1.8.0_412" -> 8.
_aixcl_feature_version() {
    local v="$1"
    v="${v#\"}"
    v="${v%%\"*}"
    if [[ "$v" == 1.* ]]; then
        v="${v#1.}"
    fi
    v="${v%%[!0-9]*}"
    _aixcl_v=""
    if [[ -n "$v" ]]; then
        _aixcl_v="$((10#$v))"
    fi
}

# Sets _aixcl_v to the feature version of the JDK at home folder $1, or empty if unknown.
# Reads the `release` file (no JVM start); falls back to `java -version`.
_aixcl_jdk_major() {
    local home="$1" line
    _aixcl_v=""
    if [[ -r "$home/release" ]]; then
        while IFS= read -r line; do
            if [[ "$line" == JAVA_VERSION=* ]]; then
                _aixcl_feature_version "${line#JAVA_VERSION=}"
                break
            fi
        done <"$home/release"
    fi
    if [[ -z "$_aixcl_v" && -x "$home/bin/java" ]]; then
        # First line is like: openjdk version "21.0.2" 2024-01-16  |  java version "1.8.0_412"
        line="$("$home/bin/java" -version 2>&1 | head -n 1)" || true
        if [[ "$line" =~ version\ \"([^\"]+)\" ]]; then
            _aixcl_feature_version "${BASH_REMATCH[1]}"
        fi
    fi
}

# Prints the feature version of the JDK at home folder $1, or nothing if unknown.
aixcl_jdk_major() {
    local _aixcl_v
    _aixcl_jdk_major "$1"
    printf '%s' "$_aixcl_v"
}

# Succeeds if $1 is the home of a JDK >= AIXCL_MIN_JAVA; sets _aixcl_v to its feature version.
_aixcl_jdk_usable() {
    local home="$1"
    _aixcl_v=""
    if [[ ! -x "$home/bin/java" ]]; then
        _aixcl_jdk_debug "$home: no bin/java"
        return 1
    fi
    if [[ ! -x "$home/bin/javac" ]]; then
        _aixcl_jdk_debug "$home: no bin/javac (a JRE, not a JDK)"
        return 1
    fi
    _aixcl_jdk_major "$home"
    if [[ -z "$_aixcl_v" ]]; then
        _aixcl_jdk_debug "$home: version unknown"
        return 1
    fi
    if ((_aixcl_v < AIXCL_MIN_JAVA)); then
        _aixcl_jdk_debug "$home: Java $_aixcl_v < $AIXCL_MIN_JAVA"
        return 1
    fi
}

# shellcheck disable=SC2034  # the results, read by the scripts that source this file
_aixcl_jdk_select() {
    AIXCL_JDK_HOME="${1%/}"
    AIXCL_JDK_JAVA="$AIXCL_JDK_HOME/bin/java"
    AIXCL_JDK_MAJOR="$2"
    _aixcl_jdk_debug "using $AIXCL_JDK_HOME (Java $AIXCL_JDK_MAJOR)"
}

aixcl_find_jdk() {
    local _aixcl_v home java_bin jvms dir best="" best_major=0 tried=() looked

    if [[ -n "${JAVA_HOME:-}" ]]; then
        tried+=("JAVA_HOME=$JAVA_HOME")
        if _aixcl_jdk_usable "$JAVA_HOME"; then
            _aixcl_jdk_select "$JAVA_HOME" "$_aixcl_v"
            return 0
        fi
    fi

    if java_bin="$(command -v java)"; then
        # /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/X/bin/java
        java_bin="$(realpath -q -- "$java_bin" || printf '%s' "$java_bin")"
        home="${java_bin%/bin/java}"
        tried+=("java on PATH ($java_bin)")
        if [[ "$home" != "$java_bin" ]] && _aixcl_jdk_usable "$home"; then
            _aixcl_jdk_select "$home" "$_aixcl_v"
            return 0
        fi
    fi

    for jvms in "${AIXCL_JVM_DIRS[@]}"; do
        for dir in "$jvms"/*/; do
            [[ -d "$dir" ]] || continue
            if _aixcl_jdk_usable "${dir%/}" && ((_aixcl_v > best_major)); then
                best="${dir%/}"
                best_major="$_aixcl_v"
            fi
        done
        tried+=("$jvms/*")
    done
    if [[ -n "$best" ]]; then
        _aixcl_jdk_select "$best" "$best_major"
        return 0
    fi

    looked="$(printf '%s; ' "${tried[@]}")"
    {
        printf 'aixcl: no JDK %s or newer found (looked at: %s).\n' "$AIXCL_MIN_JAVA" "${looked%; }"
        printf 'Install one, then run again:\n'
        printf '  apt-get install -y openjdk-21-jdk-headless   # Debian 13, Ubuntu 24.04 and later\n'
        printf '  (Debian 12 has no JDK 21 package: install Eclipse Temurin 21 or newer into /usr/lib/jvm)\n'
        printf 'or point JAVA_HOME at a JDK %s+:  export JAVA_HOME=/path/to/jdk\n' "$AIXCL_MIN_JAVA"
    } >&2
    return 1
}
