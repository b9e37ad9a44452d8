#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cvm-qgsd end to end, without TDX hardware: the soft backend on a temporary unix socket, a client that
# frames requests byte for byte as QEMU does (test/helpers/qgs-client.c), the real TDREPORT of Intel's DCAP tests,
# and `cvm verify` / `cvm inspect` on what comes back. Then hostile clients, 1000 connections at once,
# memory over 10 000 requests, SIGHUP and SIGTERM.
set -u
. "$(dirname "$0")/tap.sh"

: "${CVM:?}" "${QGSD:?}" "${QGS_CLIENT:?}" "${CVM_TEST_DATA:?}"
command -v jq >/dev/null || tap_skip_all "jq is not installed"

report=$CVM_TEST_DATA/attest/tdx/dcap-misc/tdreport_for_test.dat
tmp=$(mktemp -d /tmp/cvm-qgsd-test-XXXXXX)
pid=
cleanup() {
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
        exec 3<&- 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
sock=$tmp/qgs.socket

# start_daemon ARGS...: starts cvm-qgsd and returns once it has said READY=1 on $NOTIFY_SOCKET.
# start_daemon_limited N ARGS...: the same with at most N open descriptors.
fd_limit=
start_daemon_limited() {
        fd_limit=$1
        shift
        start_daemon "$@"
        local r=$?
        fd_limit=
        return $r
}
start_daemon() {
        rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
        "$QGS_CLIENT" "$tmp/notify" notify-wait >"$tmp/fifo" &
        exec 3<"$tmp/fifo"
        local line
        read -r -u 3 line # "bound": the notification socket exists
        # Under AddressSanitizer, freed memory waits in a quarantine that would read as growth; LeakSanitizer
        # checks the exit instead (a leak fails "exits 0" below).
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
                NOTIFY_SOCKET=$tmp/notify bash -c '[ -z "$1" ] || ulimit -n "$1"; shift; exec "$@"' _ \
                "$fd_limit" "$QGSD" "$@" 2>>"$tmp/daemon.log" &
        pid=$!
        read -r -u 3 line
        exec 3<&-
        [ "$line" = READY ]
}

tap_check "--init-soft-ca creates the soft CA" "$QGSD" --init-soft-ca="$tmp/ca"
out=$("$QGSD" --init-soft-ca="$tmp/ca" 2>&1)
tap_check "--init-soft-ca refuses an existing CA" grep -q "soft CA in .*: File exists" <<<"$out"

out=$("$QGSD" --backend=dcap --listen=unix:"$tmp/dcap.socket" 2>&1)
rc=$?
tap_check "--backend=dcap without Intel's library fails at start, naming it" \
        test "$rc" -ne 0 -a ! -S "$tmp/dcap.socket" -a -n "$(grep libsgx_tdx_logic.so.1 <<<"$out")"
out=$("$QGSD" --listen=unix:"$tmp/x.socket" 2>&1)
tap_check "the soft backend without --soft-ca fails at start" grep -q -- "--soft-ca=DIR" <<<"$out"
out=$("$QGSD" --listen=tcp:1 2>&1)
tap_check "--listen refuses what is not unix: or vsock:" grep -q "tcp:1" <<<"$out"

# `cvm run` points a TD at cvm-qgsd's default socket.
touch "$tmp/fw.fd" "$tmp/disk.qcow2"
default=$("$QGSD" --help | sed -n 's/.*default unix:\([^,]*\),.*/\1/p')
"$CVM" run --dry-run --name=td1 --coco=tdx --firmware="$tmp/fw.fd" --disk="$tmp/disk.qcow2" \
        --qemu=/usr/bin/qemu-system-x86_64 >"$tmp/argv" 2>/dev/null
tap_check "cvm run --dry-run gives a TD cvm-qgsd's default socket ($default)" \
        grep -qF "\"quote-generation-socket\":{\"type\":\"unix\",\"path\":\"$default\"}" "$tmp/argv"

# Intel's qgs.conf keys plus ours, read through --config.
cat >"$tmp/qgsd.conf" <<EOF
# as in Intel's /etc/qgs.conf
number_threads = 2
[QGSD]
backend = soft
soft-ca = $tmp/ca
listen = unix:$sock
timeout = 2s
EOF
tap_check "cvm-qgsd starts from --config and says READY=1" start_daemon --config="$tmp/qgsd.conf"
tap_check "it listens on the configured socket" test -S "$sock"

# The QEMU path: a framed GET_QUOTE_REQ, the reply checked as QEMU checks it.
tap_check "a QEMU-framed request gets a quote" "$QGS_CLIENT" "$sock" quote "$report" "$tmp/quote.bin"
"$CVM" verify --root-ca="$tmp/ca/root.pem" --collateral="$tmp/ca/collateral" "$tmp/quote.bin" >"$tmp/verify.out" 2>&1
rc=$?
tap_check "the quote verifies against the soft root and collateral" test "$rc" -eq 0
"$CVM" verify --collateral="$tmp/ca/collateral" "$tmp/quote.bin" >"$tmp/verify-intel.out" 2>&1
rc=$?
tap_check "Intel's root rejects it" test "$rc" -eq 1

fields='.body | {mr_td, mr_config_id, mr_owner, mr_owner_config, rtmr0, rtmr1, rtmr2, rtmr3, td_attributes, xfam,
                  report_data, mr_seam, tee_tcb_svn}'
"$CVM" inspect --json "$report" | jq -S "$fields" >"$tmp/report.json"
"$CVM" inspect --json "$tmp/quote.bin" | jq -S "$fields" >"$tmp/quote.json"
tap_check "MRTD, RTMRs, attributes and report data equal the TDREPORT's" \
        cmp -s "$tmp/report.json" "$tmp/quote.json"
tap_check "... and are not empty" test "$(jq -r .mr_td "$tmp/quote.json" | tr -d 0 | wc -c)" -gt 1

tap_check "the raw mode (a bare TDREPORT) gets a bare quote" "$QGS_CLIENT" "$sock" raw "$report" "$tmp/raw.bin"
"$CVM" verify --root-ca="$tmp/ca/root.pem" --collateral="$tmp/ca/collateral" "$tmp/raw.bin" >/dev/null 2>&1
tap_check "the raw-mode quote verifies" test $? -eq 0
"$CVM" inspect --json "$tmp/raw.bin" | jq -S "$fields" >"$tmp/raw.json"
tap_check "the raw-mode quote carries the TDREPORT's measurements" cmp -s "$tmp/report.json" "$tmp/raw.json"

out=$("$QGS_CLIENT" "$sock" platform-info)
tap_check "GET_PLATFORM_INFO_REQ gets an UNEXPECTED error reply from the soft backend" \
        test "$out" = "GET_PLATFORM_INFO_RESP UNEXPECTED"

# Hostile clients: each gets an error reply (header checked as QEMU would) or a close.
while read -r case expect; do
        out=$("$QGS_CLIENT" "$sock" hostile "$case" "$report" | head -1)
        tap_check "hostile client '$case': $expect (got: $out)" test "$out" = "$expect"
done <<EOF
bad-prefix error-reply INVALID_SIZE
wrong-version error-reply INVALID_VERSION
wrong-type error-reply INVALID_TYPE
response-type error-reply INVALID_TYPE
size-mismatch error-reply INVALID_SIZE
nonzero-error error-reply INVALID_CODE
truncated error-reply INVALID_SIZE
huge-length error-reply INVALID_SIZE
zero-length error-reply INVALID_SIZE
half-close error-reply INVALID_SIZE
raw-short closed
hang-up closed
EOF
out=$("$QGS_CLIENT" "$sock" hostile slow)
tap_check "a slow sender is closed at the deadline (2 s here)" grep -Eq "^after (19[5-9][0-9]|2[0-9]{3}) ms" <<<"$out"
tap_check "... with nothing sent back" grep -q "^closed" <<<"$out"
grep -q "4294967295 bytes, more than the cap" "$tmp/daemon.log"
tap_check "the log names the 4 GiB length prefix and the cap" test $? -eq 0
grep -q "header.major_version at offset 0 is 2" "$tmp/daemon.log"
tap_check "the log names the field and offset of a wrong version" test $? -eq 0
grep -q "the client went away before its reply: Broken pipe" "$tmp/daemon.log"
tap_check "the log says why a reply could not be sent" test $? -eq 0

out=$("$QGS_CLIENT" "$sock" flood 1000 "$report")
tap_check "1000 connections at once: 500 quotes, 500 error replies (got: $out)" \
        test "$out" = "quotes 500 errors 500 closed 0 bad 0"
tap_check "the next honest client is served" "$QGS_CLIENT" "$sock" quote "$report" "$tmp/q2.bin"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
"$QGS_CLIENT" "$sock" repeat 1000 "$report"
before=$(rss)
"$QGS_CLIENT" "$sock" repeat 10000 "$report"
rc=$?
after=$(rss)
tap_check "10 000 requests served" test "$rc" -eq 0
echo "VmRSS before $before kB, after $after kB" | tap_diag
tap_check "RSS stays flat over 10 000 requests (+$((after - before)) kB, at most 1024)" \
        test $((after - before)) -le 1024

# SIGHUP reloads: a new soft CA directory replaces the old one, and a shorter timeout applies to the
# connections that come after, even while one from before the reload still waits for its 2 s deadline.
"$QGSD" --init-soft-ca="$tmp/ca2" >/dev/null
sed -i -e "s|^soft-ca = .*|soft-ca = $tmp/ca2|" -e "s|^timeout = .*|timeout = 500ms|" "$tmp/qgsd.conf"
rm -f "$tmp/slow-fifo" && mkfifo "$tmp/slow-fifo"
"$QGS_CLIENT" "$sock" hostile slow >"$tmp/slow-fifo" &
exec 4<"$tmp/slow-fifo"
read -r -u 4 line # "sent": accepted before the SIGHUP below is handled
rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
"$QGS_CLIENT" "$tmp/notify" notify-wait >"$tmp/fifo" &
exec 3<"$tmp/fifo"
read -r -u 3 line
kill -HUP "$pid"
read -r -u 3 line # READY=1 again once the reload is done
exec 3<&-
tap_check "SIGHUP reloads and says READY=1 again" test "$line" = READY
"$QGS_CLIENT" "$sock" quote "$report" "$tmp/q3.bin"
"$CVM" verify --root-ca="$tmp/ca2/root.pem" --collateral="$tmp/ca2/collateral" "$tmp/q3.bin" >/dev/null 2>&1
tap_check "after SIGHUP, quotes come from the reloaded soft CA" test $? -eq 0
out=$("$QGS_CLIENT" "$sock" hostile slow)
tap_check "after SIGHUP, the new 500 ms timeout applies ($(grep after <<<"$out"))" \
        grep -Eq "^after [4-9][0-9]{2} ms" <<<"$out"
out=$(cat <&4)
exec 4<&-
tap_check "... and the connection from before keeps its 2 s ($(grep after <<<"$out"))" \
        grep -Eq "^after (1[5-9][0-9]{2}|2[0-9]{3}) ms" <<<"$out"

# SIGTERM while a request is half sent: it is finished, then the daemon exits 0.
out=$("$QGS_CLIENT" "$sock" drain "$pid" "$report")
tap_check "SIGTERM finishes the request in flight (got: $out)" grep -q "^quote " <<<"$out"
wait "$pid"
rc=$?
pid=
tap_check "... and cvm-qgsd exits 0" test "$rc" -eq 0
tap_check "... having said so" grep -q "All connections finished" "$tmp/daemon.log"

# Out of descriptors: with room for about 30 connections and a cap of 200, accept() fails with EMFILE.
# The daemon waits for a connection to end, rather than spinning on the listener and logging each failed
# accept() over and over: 40 slow clients hold every descriptor until their 2 s deadline, and an honest
# client behind them in the backlog is served then.
sed -i "s|^timeout = .*|timeout = 2s|" "$tmp/qgsd.conf"
tap_check "cvm-qgsd starts with 40 descriptors at most" start_daemon_limited 40 --config="$tmp/qgsd.conf" \
        --max-connections=200
out=$("$QGS_CLIENT" "$sock" flood 200 "$report")
tap_check "out of descriptors, 200 connections at once: each answered (got: $out)" \
        test "$out" = "quotes 100 errors 100 closed 0 bad 0"
: >"$tmp/daemon.log"
out=$("$QGS_CLIENT" "$sock" hold 40 "$pid" "$report")
cpu=$(sed -n 's/.* cpu \([0-9]*\) ms/\1/p' <<<"$out")
tap_check "out of descriptors, the next honest client is served once some are free ($out)" \
        grep -Eq "^quote after (1[5-9][0-9]{2}|2[0-9]{3}) ms" <<<"$out"
tap_check "... the daemon idles meanwhile (cpu ${cpu:-?} ms, at most 300)" test "${cpu:-9999}" -le 300
n=$(grep -c "accept() failed: Too many open files" "$tmp/daemon.log")
tap_check "... and logs the failed accept() a few times, not on every turn of the loop ($n)" \
        test "$n" -ge 1 -a "$n" -le 10

# SIGHUP while draining after SIGTERM, with a client in the backlog: ignored, and the daemon idles until
# the held connection's deadline instead of spinning on the listener.
out=$("$QGS_CLIENT" "$sock" stop-reload "$pid")
cpu=$(sed -n 's/.* cpu \([0-9]*\) ms/\1/p' <<<"$out")
tap_check "SIGHUP while stopping: the held connection ends at its deadline ($out)" \
        grep -Eq "^closed after (1[5-9][0-9]{2}|2[0-9]{3}) ms" <<<"$out"
tap_check "... and the daemon stays idle meanwhile (cpu ${cpu:-?} ms, at most 300)" test "${cpu:-9999}" -le 300
wait "$pid"
rc=$?
pid=
tap_check "... then exits 0" test "$rc" -eq 0
tap_check "... having logged the SIGHUP as ignored" grep -q "Stopping: ignoring SIGHUP" "$tmp/daemon.log"

# Socket activation: systemd-socket-activate binds, says so, and starts cvm-qgsd with LISTEN_FDS on the first
# connection, which waits in the backlog meanwhile.
if command -v systemd-socket-activate >/dev/null; then
        rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
        systemd-socket-activate -l "$tmp/activated.socket" "$QGSD" --soft-ca="$tmp/ca" \
                --listen=unix:"$tmp/not-this.socket" 2>"$tmp/fifo" &
        apid=$!
        exec 3<"$tmp/fifo"
        read -r -u 3 line # "Listening on ... as 3."
        tap_check "socket activation: a quote on the passed socket" \
                "$QGS_CLIENT" "$tmp/activated.socket" quote "$report" "$tmp/q4.bin"
        tap_check "socket activation: --listen is not bound" test ! -e "$tmp/not-this.socket"
        kill "$apid"
        wait "$apid"
        tap_check "socket activation: exits 0 on SIGTERM" test $? -eq 0
        exec 3<&-
else
        tap_skip "systemd-socket-activate is not installed"
fi

# Bash completion of the options and the backend names.
complete_words() {
        bash -c 'source /usr/share/bash-completion/bash_completion && source "$1" && shift &&
                COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} &&
                _cvm_qgsd 2>/dev/null; echo "${COMPREPLY[*]}"' _ "$(dirname "$0")/../../data/completion/cvm-qgsd" "$@"
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
        tap_check "completion: --back completes to --backend=" test "$(complete_words cvm-qgsd --back)" = "--backend="
        tap_check "completion: --backend= offers soft and dcap" \
                test "$(complete_words cvm-qgsd --backend=)" = "soft dcap"
else
        tap_skip "bash-completion is not installed"
fi

if [ "$tap_failed" -ne 0 ]; then
        tail -40 "$tmp/daemon.log" | tap_diag
fi
tap_done
