# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers of the tests that run guests under 'cvm run' (run-qemu.sh, libvirt.sh), sourced after tap.sh.
# They use the caller's $CVM, $tmp, GUEST (the common 'cvm run' options) and pids (what to reap at exit).

# alive PID: the process exists and is no zombie.
alive() {
        local s
        [[ $1 =~ ^[0-9]+$ ]] || return 1
        s=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# start NAME MODE [OPTIONS...]: cvm run in the background, console in $tmp/NAME.console, stderr in
# $tmp/NAME.err; its pid in $pid_NAME (via the global "started").
start() {
        local name=$1 mode=$2
        shift 2
        local cmdline="console=ttyS0 quiet panic=-1"
        [ -n "$mode" ] && cmdline+=" cvm.mode=$mode"
        rm -f "$tmp/$name.console"
        "$CVM" run --name="$name" "${GUEST[@]}" --cmdline="$cmdline" --console=file:"$tmp/$name.console" "$@" \
                >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
        started=$!
        pids+=("$started")
}

# wait_for FILE PATTERN SECONDS: until FILE contains PATTERN (a bounded poll; false on timeout).
wait_for() {
        local i
        for ((i = 0; i < $3 * 10; i++)); do
                grep -q -- "$2" "$1" 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}

# finish PID SECONDS: waits for a background cvm (killing it after SECONDS) and sets $rc.
finish() {
        local i
        for ((i = 0; i < $2 * 10; i++)); do
                alive "$1" || break
                sleep 0.1
        done
        if alive "$1"; then
                kill -9 "$1" 2>/dev/null || true
                echo "# pid $1 did not end within $2 s: killed" >&2
        fi
        rc=0
        wait "$1" || rc=$?
}

# show NAME [FILE...]: diagnostics of a case.
show() {
        local f
        {
                echo "--- stderr"
                cat "$tmp/$1.err" 2>/dev/null || true
                echo "--- console"
                tail -n 5 "$tmp/$1.console" 2>/dev/null || true
                for f in "${@:2}"; do
                        echo "--- ${f##*/}"
                        cat "$f" 2>/dev/null || true
                done
        } | tap_diag
}

# check_case NAME DESCRIPTION COMMAND...: like tap_check, with the case's output (and the files in
# $diag_files) on failure.
diag_files=()
check_case() {
        local name=$1 desc=$2
        shift 2
        if "$@"; then
                tap_ok "$desc"
        else
                tap_not_ok "$desc"
                show "$name" "${diag_files[@]}"
        fi
        diag_files=()
}

