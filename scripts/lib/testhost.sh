# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are read by the scripts that source this file
# What a test host needs, and how to check it. Sourced by scripts/setup-test-host (which makes it so)
# and ./run-tests (which only checks). Defines functions and variables only.

# Debian packages the tests use. Benchmarks' tools (hyperfine, wrk, ...) are not here.
AIXCL_TEST_PACKAGES=(podman runc catatonit busybox-static uidmap slirp4netns fuse-overlayfs podman-compose postgresql nginx)

# The unprivileged user that rootless-Podman tests run as, and its subordinate id range.
AIXCL_TEST_USER=aixcl-test
AIXCL_TEST_SUBID_START=200000
AIXCL_TEST_SUBID_COUNT=65536

AIXCL_SYSTEM_CONTAINERS_CONF=/etc/containers/containers.conf

# Settings Podman needs on this kernel (cgroups in hybrid mode, RLIMIT raising refused):
# section, key, TOML value.
AIXCL_CONTAINERS_SETTINGS=(
    containers default_ulimits '["nofile=1024:1024", "nproc=1024:1024"]'
    engine runtime '"runc"'
)

# Prints the packages of AIXCL_TEST_PACKAGES that are not installed, one a line.
aixcl_missing_packages() {
    local installed
    installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${AIXCL_TEST_PACKAGES[@]}" 2>/dev/null |
        awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }')" || true
    local p
    for p in "${AIXCL_TEST_PACKAGES[@]}"; do
        if ! grep -qxF -- "$p" <<<"$installed"; then
            printf '%s\n' "$p"
        fi
    done
}

# Prints the value of KEY in [SECTION] of a TOML file, a multi-line array joined on one line.
aixcl_toml_get() {
    local file="$1" section="$2" key="$3"
    [[ -r "$file" ]] || return 0
    awk -v sec="$section" -v key="$key" '
        function header(s) { sub(/^[[:space:]]*\[+[[:space:]]*/, "", s); sub(/[[:space:]]*\]+.*$/, "", s); return s }
        collecting { val = val " " $0; if ($0 ~ /\]/) { print val; exit } next }
        /^[[:space:]]*\[/ { insec = (header($0) == sec); next }
        insec && $0 ~ "^[[:space:]]*\"?" key "\"?[[:space:]]*=" {
            val = $0; sub(/^[^=]*=[[:space:]]*/, "", val)
            if (val ~ /^\[/ && val !~ /\]/) { collecting = 1; next }
            print val; exit
        }' "$file"
}

# Sets KEY = VALUE in [SECTION] of a TOML file, keeping everything else: replaces the key where it
# is (a multi-line array too), adds it to the section, or adds the section. Creates the file.
aixcl_toml_set() {
    local file="$1" section="$2" key="$3" value="$4" tmp
    tmp="$(mktemp "$file.XXXXXX")"
    if [[ -f "$file" ]]; then
        cat -- "$file" >"$tmp"
    fi
    awk -v sec="$section" -v key="$key" -v line="$key = $value" '
        function header(s) { sub(/^[[:space:]]*\[+[[:space:]]*/, "", s); sub(/[[:space:]]*\]+.*$/, "", s); return s }
        skipping { if ($0 ~ /\]/) skipping = 0; next }
        /^[[:space:]]*\[/ {
            if (insec && !done) { print line; done = 1 }
            insec = (header($0) == sec)
            print; next
        }
        insec && $0 ~ "^[[:space:]]*\"?" key "\"?[[:space:]]*=" {
            if (!done) { print line; done = 1 }
            v = $0; sub(/^[^=]*=[[:space:]]*/, "", v)
            if (v ~ /^\[/ && v !~ /\]/) skipping = 1
            next
        }
        { print }
        END {
            if (!done) {
                if (insec) print line
                else { if (NR > 0) print ""; print "[" sec "]"; print line }
            }
        }' "$tmp" >"$tmp.new"
    # Keep the file itself (owner, mode): write through it.
    if [[ -f "$file" ]]; then
        cat -- "$tmp.new" >"$file"
    else
        mv -- "$tmp.new" "$file"
        chmod 0644 -- "$file"
    fi
    rm -f -- "$tmp" "$tmp.new"
}

# Succeeds if the value of one setting is right: for default_ulimits every limit is there, for the
# rest the same value (whitespace aside).
_aixcl_setting_ok() {
    local file="$1" section="$2" key="$3" want="$4" have item
    have="$(aixcl_toml_get "$file" "$section" "$key")"
    if [[ "$key" == default_ulimits ]]; then
        for item in nofile=1024:1024 nproc=1024:1024; do
            [[ "$have" == *"\"$item\""* ]] || return 1
        done
        return 0
    fi
    [[ "${have//[[:space:]]/}" == "${want//[[:space:]]/}" ]]
}

# Prints the settings of AIXCL_CONTAINERS_SETTINGS that FILE lacks, as "[section] key", one a line.
aixcl_missing_settings() {
    local file="$1" i
    for ((i = 0; i < ${#AIXCL_CONTAINERS_SETTINGS[@]}; i += 3)); do
        if ! _aixcl_setting_ok "$file" "${AIXCL_CONTAINERS_SETTINGS[@]:i:3}"; then
            printf '[%s] %s\n' "${AIXCL_CONTAINERS_SETTINGS[i]}" "${AIXCL_CONTAINERS_SETTINGS[i + 1]}"
        fi
    done
}

# The test user's home folder, or nothing if there is no such user.
aixcl_test_user_home() {
    local entry
    entry="$(getent passwd "$AIXCL_TEST_USER")" || return 0
    printf '%s\n' "$entry" | cut -d: -f6
}

# Succeeds if FILE (/etc/subuid or /etc/subgid) gives the test user a range.
aixcl_has_subids() {
    [[ -r "$1" ]] && grep -q "^$AIXCL_TEST_USER:" -- "$1"
}

# Prints every problem of this host for the tests, one a line; nothing if it is ready.
aixcl_test_host_problems() {
    local p home user_conf uid
    while IFS= read -r p; do
        [[ -n "$p" ]] && printf 'package %s is not installed\n' "$p"
    done < <(aixcl_missing_packages)
    while IFS= read -r p; do
        [[ -n "$p" ]] && printf '%s lacks %s\n' "$AIXCL_SYSTEM_CONTAINERS_CONF" "$p"
    done < <(aixcl_missing_settings "$AIXCL_SYSTEM_CONTAINERS_CONF")
    home="$(aixcl_test_user_home)"
    if [[ -z "$home" ]]; then
        printf 'user %s does not exist\n' "$AIXCL_TEST_USER"
        return 0
    fi
    uid="$(id -u -- "$AIXCL_TEST_USER")"
    [[ -d "/run/user/$uid" ]] || printf '/run/user/%s (XDG_RUNTIME_DIR of %s) does not exist\n' "$uid" "$AIXCL_TEST_USER"
    aixcl_has_subids /etc/subuid || printf '/etc/subuid has no entry for %s\n' "$AIXCL_TEST_USER"
    aixcl_has_subids /etc/subgid || printf '/etc/subgid has no entry for %s\n' "$AIXCL_TEST_USER"
    user_conf="$home/.config/containers/containers.conf"
    if [[ ! -x "$home" ]]; then
        return 0 # not root and the home folder is closed: setup-test-host checks it
    fi
    while IFS= read -r p; do
        [[ -n "$p" ]] && printf '%s lacks %s\n' "$user_conf" "$p"
    done < <(aixcl_missing_settings "$user_conf")
    return 0
}
