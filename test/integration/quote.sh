#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The soft quoting CA through the CLI: its quote of the DCAP test TDREPORT (written by the soft-quote test
# helper, not the daemon) passes 'cvm verify --root-ca=DIR/root.pem --collateral=DIR/collateral' and
# carries the TDREPORT's measurements; Intel's root rejects it. 'cvm quote' against fake configfs-tsm
# trees whose inblob and outblob are FIFOs served by a shell function playing the provider (generation
# advanced as the kernel does, or twice for a concurrent writer), the not-a-guest error on this machine,
# and --report-data validation. Then 'cvm quote' without configfs-tsm on a fake /dev/tdx_guest (the
# LD_PRELOAD module test/helpers/fake-tdx-guest.so: the DCAP test TDREPORT with the requested report data,
# and the legacy GetQuote ioctl answered as upstream QEMU or a relaying VMM does) against a real cvm-qgsd with the
# soft backend: --qgs=unix:SOCKET, the ioctl, /etc/tdx-attest.conf's vsock port, and broken VMMs and QGSs.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
SOFT_QUOTE=${CVM_BUILD_DIR:?CVM_BUILD_DIR must name the build directory}/test/soft-quote
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
TDREPORT=$DATA/tdx/dcap-misc/tdreport_for_test.dat
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
qgsd_pid=
trap '[ -z "$qgsd_pid" ] || kill "$qgsd_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- the soft CA and cvm verify -------------------------------------------------------------------------
"$SOFT_QUOTE" "$tmp/ca" "$TDREPORT" "$tmp/quote.dat"

rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" verify --json --root-ca="$tmp/ca/root.pem" \
        --collateral="$tmp/ca/collateral" "$tmp/quote.dat")
if [ "$rc" = 0 ] && jq -e '.verdict == "accept" and .tcb_status == "UpToDate"' "$tmp/out.json" >/dev/null; then
        tap_ok "soft quote: cvm verify with the soft root and collateral accepts it, UpToDate"
else
        tap_not_ok "soft quote: cvm verify with the soft root and collateral accepts it (exit $rc)"
        tap_diag <"$tmp/err"
        jq -c '.checks[]? | select(.ok | not)' "$tmp/out.json" | tap_diag
fi

rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" verify --json --collateral="$tmp/ca/collateral" "$tmp/quote.dat")
tap_check "soft quote: the built-in Intel root rejects it at pck.chain (exit 1)" \
        test "$rc" = 1 -a "$(jq -r '.verdict' "$tmp/out.json")" = reject \
        -a "$(jq -r '[.checks[] | select(.id == "pck.chain") | .ok][0]' "$tmp/out.json")" = false

"$CVM" inspect --json "$tmp/quote.dat" >"$tmp/q.json"
"$CVM" inspect --json "$TDREPORT" >"$tmp/r.json"
same=1
for f in mr_td rtmr0 rtmr1 rtmr2 rtmr3 td_attributes xfam report_data tee_tcb_svn mr_seam; do
        if [ "$(jq -c ".body.$f" "$tmp/q.json")" != "$(jq -c ".body.$f" "$tmp/r.json")" ] ||
                [ "$(jq -c ".body.$f" "$tmp/q.json")" = null ]; then
                echo "$f differs" | tap_diag
                same=0
        fi
done
tap_check "soft quote: MRTD, RTMRs, attributes, XFAM and report data are the TDREPORT's" test $same = 1

cp "$TDREPORT" "$tmp/sgx.dat"
printf '\x00' | dd of="$tmp/sgx.dat" bs=1 seek=0 conv=notrunc status=none
rc=0
"$SOFT_QUOTE" "$tmp/ca" "$tmp/sgx.dat" "$tmp/x.dat" 2>"$tmp/err" || rc=$?
tap_check "soft CA: a report of type 0 is refused naming REPORTTYPE" \
        test "$rc" = 1 -a -n "$(grep 'REPORTTYPE.TYPE (offset 0) is 0x00, not 0x81' "$tmp/err")"

# ---- cvm quote -----------------------------------------------------------------------------------------
# fake_tsm DIR PROVIDER: DIR/sys/kernel/config/tsm/report/cvm with FIFOs for inblob and outblob.
fake_tsm() {
        local e=$1/sys/kernel/config/tsm/report/cvm
        mkdir -p "$e"
        mkfifo "$e/inblob" "$e/outblob"
        echo 7 >"$e/generation"
        echo "$2" >"$e/provider"
}

# provide ENTRY ANSWER STEP ROUNDS: plays the provider for ROUNDS requests: inblob into ENTRY/got,
# generation advanced by STEP (1: the kernel; 2: another writer too), ANSWER on outblob.
provide() {
        local e=$1 g i
        for ((i = 0; i < $4; i++)); do
                cat "$e/inblob" >"$e/got"
                g=$(cat "$e/generation")
                echo $((g + $3)) >"$e/.generation"
                mv "$e/.generation" "$e/generation"
                cat "$2" >"$e/outblob"
        done
}

fake_tsm "$tmp/g1" tdx_guest
E=$tmp/g1/sys/kernel/config/tsm/report/cvm
provide "$E" "$tmp/quote.dat" 1 1 &
pid=$!
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --root="$tmp/g1" --report-data=00112233 -o "$tmp/got.dat")
wait "$pid"
want=$(printf '00112233%0120d' 0)
tap_check "cvm quote: configfs-tsm outblob written to -o FILE, exit 0" \
        test "$rc" = 0 -a -n "$(cmp "$tmp/got.dat" "$tmp/quote.dat" && echo same)"
tap_check "cvm quote: inblob got the report data zero-padded to 64 bytes" \
        test "$(od -An -tx1 -v "$E/got" | tr -d ' \n')" = "$want"

provide "$E" "$tmp/quote.dat" 1 1 &
pid=$!
rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" quote --root="$tmp/g1" --nonce --json)
wait "$pid"
nonce=$(od -An -tx1 -v "$E/got" | tr -d ' \n')
tap_check "cvm quote --nonce --json: kind, source, provider, generation, nonce as report data, evidence" \
        jq -e --arg n "$nonce" --arg q "$(base64 -w0 "$tmp/quote.dat")" \
        '.kind == "tdx-quote" and .source == "configfs-tsm" and .provider == "tdx_guest" and .nonce and
         .generation == 9 and .report_data == $n and .evidence == $q and .aux == null' "$tmp/out.json"

provide "$E" "$tmp/quote.dat" 1 1 &
pid=$!
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --root="$tmp/g1" --nonce -o "$tmp/got.dat")
wait "$pid"
tap_check "cvm quote --nonce -o FILE: prints the nonce written to inblob on standard output" \
        test "$rc" = 0 -a "$(cat "$tmp/out")" = "nonce: $(od -An -tx1 -v "$E/got" | tr -d ' \n')"

provide "$E" "$tmp/quote.dat" 2 3 &
pid=$!
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --root="$tmp/g1" -o "$tmp/got.dat")
wait "$pid"
tap_check "cvm quote: a concurrent writer every time is refused after 3 tries, exit 2" \
        test "$rc" = 2 -a -n "$(grep 'generation went from .* (expected .*): another process' "$tmp/err")"

mkdir -p "$tmp/plain/etc"
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --root="$tmp/plain" -o "$tmp/got.dat")
tap_check "cvm quote: a tree without guest interfaces is not a guest, exit 2" \
        test "$rc" = 2 -a "$(cat "$tmp/err")" = "cvm: not a TDX or SEV-SNP guest: no /sys/kernel/config/tsm/report, no /dev/tdx_guest, no /dev/sev-guest"

if [ -e /sys/kernel/config/tsm/report ] || [ -e /dev/tdx_guest ] || [ -e /dev/sev-guest ]; then
        tap_skip "cvm quote on this machine: it has a guest interface"
else
        rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote -o "$tmp/got.dat")
        tap_check "cvm quote on this machine (not a guest): exit 2 saying so" \
                test "$rc" = 2 -a -n "$(grep 'not a TDX or SEV-SNP guest' "$tmp/err")"
fi

for bad in 0 xyz "$(printf '%0130d' 0)"; do
        rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --report-data="$bad" -o "$tmp/got.dat")
        tap_check "cvm quote --report-data=${bad:0:12}: refused, exit 2" \
                test "$rc" = 2 -a -n "$(grep -F -- "--report-data= takes up to 64 bytes as hex" "$tmp/err")"
done
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --report-data=00 --nonce -o "$tmp/got.dat")
tap_check "cvm quote --report-data with --nonce: refused, exit 2" test "$rc" = 2
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --vmpl=4 -o "$tmp/got.dat")
tap_check "cvm quote --vmpl=4: refused, exit 2" test "$rc" = 2
for bad in tcp:1 vsock:0 unix: vsock:x:1; do
        rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --qgs="$bad" -o "$tmp/got.dat")
        tap_check "cvm quote --qgs=$bad: refused, exit 2" \
                test "$rc" = 2 -a -n "$(grep -F -- "--qgs= takes unix:PATH, vsock:PORT or vsock:CID:PORT, not '$bad'" "$tmp/err")"
done
rc=$(run "$tmp/out" "$tmp/err" "$CVM" quote --root="$tmp/plain" --qgs=vsock:4050 -o "$tmp/got.dat")
tap_check "cvm quote --qgs without /dev/tdx_guest: exit 2, not a TDX guest" \
        test "$rc" = 2 -a -n "$(grep -F 'no /dev/tdx_guest to get a TDREPORT from for the QGS at vsock:4050' "$tmp/err")"

# ---- cvm quote on /dev/tdx_guest without configfs-tsm -------------------------------------------------
SHIM=$CVM_BUILD_DIR/test/fake-tdx-guest.so
QGSD=${QGSD:?QGSD must name cvm-qgsd}
QGS_CLIENT=${QGS_CLIENT:?QGS_CLIENT must name the qgs-client test helper}
TD=$tmp/td
mkdir -p "$TD/dev" "$TD/etc"
: >"$TD/dev/tdx_guest"
export CVM_FAKE_TDREPORT=$TDREPORT
unset CVM_FAKE_QGS CVM_FAKE_GETQUOTE

# AddressSanitizer wants its runtime first in the library list; a preloaded module comes before it.
shim_env=(LD_PRELOAD="$SHIM")
if ! env "${shim_env[@]}" "$CVM" --version >/dev/null 2>"$tmp/err"; then
        shim_env+=(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
        env "${shim_env[@]}" "$CVM" --version >/dev/null 2>>"$tmp/err" || shim_env=()
fi
if [ ${#shim_env[@]} = 0 ]; then
        tap_skip "cvm quote on a fake /dev/tdx_guest: cvm does not run with $SHIM preloaded ($(head -1 "$tmp/err"))"
        tap_done
fi
# json_is FILE FILTER [JQ ARGS...]: FILE is a JSON document for which FILTER holds (jq -e alone passes an
# empty file).
json_is() {
        local f=$1
        shift
        [ -s "$f" ] && jq -e "$@" "$f" >/dev/null
}
# td ARGS...: cvm quote --root=$TD with the fake device, exit status printed (out/err in $tmp/out, $tmp/err).
td_env=()
td() {
        run "$tmp/out" "$tmp/err" env "${shim_env[@]}" ${td_env[@]+"${td_env[@]}"} "$CVM" quote --root="$TD" "$@"
}

# cvm-qgsd with the soft backend on a temporary unix socket, waited for through its READY=1.
"$QGSD" --init-soft-ca="$tmp/qca" 2>"$tmp/err"
SOCK=$tmp/qgs.socket
mkfifo "$tmp/notify.fifo"
"$QGS_CLIENT" "$tmp/notify" notify-wait >"$tmp/notify.fifo" &
exec 3<"$tmp/notify.fifo"
read -r -u 3 line # "bound"
NOTIFY_SOCKET=$tmp/notify "$QGSD" --backend=soft --soft-ca="$tmp/qca" --listen=unix:"$SOCK" \
        2>"$tmp/qgsd.log" &
qgsd_pid=$!
read -r -u 3 line || line=
exec 3<&-
if [ "$line" != READY ]; then
        tap_not_ok "cvm-qgsd --backend=soft starts on $SOCK"
        tap_diag <"$tmp/qgsd.log"
        tap_done
fi

HEX=$(printf 'c0ffee%.0s' {1..21})00 # 64 bytes
export HEX
"$CVM" inspect --json "$TDREPORT" >"$tmp/r.json"
# verified_quote FILE: cvm verify accepts FILE with the soft root, and its report data is $HEX and its
# MRTD and RTMR0 the TDREPORT's.
verified_quote() {
        local rc
        rc=$(run "$tmp/v.json" "$tmp/v.err" "$CVM" verify --json --root-ca="$tmp/qca/root.pem" \
                --collateral="$tmp/qca/collateral" "$1")
        "$CVM" inspect --json "$1" >"$tmp/i.json" 2>"$tmp/i.err" || true
        if [ "$rc" = 0 ] && json_is "$tmp/v.json" '.verdict == "accept"' &&
                json_is "$tmp/i.json" --arg h "$HEX" --slurpfile r "$tmp/r.json" '.kind == "tdx-quote" and
                   .body.report_data == $h and .body.mr_td == $r[0].body.mr_td and
                   .body.rtmr0 == $r[0].body.rtmr0'; then
                return 0
        fi
        echo "verify exit $rc" | tap_diag
        cat "$tmp/v.err" "$tmp/i.err" | tap_diag
        jq -c '.checks[]? | select(.ok | not)' "$tmp/v.json" 2>/dev/null | tap_diag
        return 1
}

rc=$(td --qgs=unix:"$SOCK" --report-data="$HEX" -o "$tmp/q1.dat")
tap_check "--qgs=unix:SOCKET: exit 0, no warning" test "$rc" = 0 -a ! -s "$tmp/err"
tap_check "--qgs=unix:SOCKET: a v4 quote cvm verify accepts with the soft root, report data $HEX" \
        verified_quote "$tmp/q1.dat"
rc=$(td --qgs=unix:"$SOCK" --report-data="$HEX" --json)
tap_check "--qgs=unix:SOCKET --json: kind tdx-quote, source /dev/tdx_guest+unix:SOCKET, no_quote null" \
        json_is "$tmp/out" --arg s "/dev/tdx_guest+unix:$SOCK" '.kind == "tdx-quote" and .source == $s and
                .provider == "tdx_guest" and .no_quote == null and .report_data == $ENV.HEX'

# --qgs names the QGS: configfs-tsm, which would answer too, is left alone.
mkdir -p "$tmp/tdtsm/dev" "$tmp/tdtsm/sys/kernel/config/tsm/report/cvm"
: >"$tmp/tdtsm/dev/tdx_guest"
(cd "$tmp/tdtsm/sys/kernel/config/tsm/report/cvm" && echo tdx_guest >provider && echo 1 >generation &&
        : >inblob && cp "$tmp/quote.dat" outblob)
rc=$(run "$tmp/out" "$tmp/err" env "${shim_env[@]}" "$CVM" quote --root="$tmp/tdtsm" --qgs=unix:"$SOCK" --json)
qgs_not_tsm() {
        json_is "$tmp/out" --arg s "/dev/tdx_guest+unix:$SOCK" '.source == $s and .kind == "tdx-quote"' &&
                [ ! -s "$tmp/tdtsm/sys/kernel/config/tsm/report/cvm/inblob" ]
}
tap_check "--qgs with configfs-tsm present: the QGS's quote, configfs-tsm untouched" qgs_not_tsm

export CVM_FAKE_QGS=$SOCK
rc=$(td --report-data="$HEX" -o "$tmp/q2.dat")
tap_check "the legacy GetQuote ioctl through upstream QEMU's wrapping (no --qgs, no tdx-attest.conf): exit 0, no warning" \
        test "$rc" = 0 -a ! -s "$tmp/err"
tap_check "the legacy GetQuote ioctl: a quote cvm verify accepts, report data $HEX" verified_quote "$tmp/q2.dat"
rc=$(td --report-data="$HEX" --json)
tap_check "the legacy GetQuote ioctl --json: source /dev/tdx_guest+GetQuote ioctl" \
        json_is "$tmp/out" '.kind == "tdx-quote" and .source == "/dev/tdx_guest+GetQuote ioctl"' 
td_env=(CVM_FAKE_GETQUOTE=relay)
rc=$(td --report-data="$HEX" -o "$tmp/q2r.dat")
td_env=()
tap_check "the legacy GetQuote ioctl through a VMM that relays the TDREPORT (the QGS's raw mode): exit 0" \
        test "$rc" = 0 -a ! -s "$tmp/err"
tap_check "... a quote cvm verify accepts, report data $HEX" verified_quote "$tmp/q2r.dat"
printf '# the host QGS\nport = 0\n' >"$TD/etc/tdx-attest.conf"
rc=$(td --report-data="$HEX" --json)
tap_check "tdx-attest.conf with port=0: the GetQuote ioctl, as with no port" \
        json_is "$tmp/out" '.kind == "tdx-quote" and .source == "/dev/tdx_guest+GetQuote ioctl"' 

# /etc/tdx-attest.conf names a vsock port: Intel's library goes only there, and so does cvm. There is no
# vsock host here, so the TDREPORT comes out with the reason.
printf '# port=1\n  port = 4051  \n' >"$TD/etc/tdx-attest.conf"
rc=$(td --report-data="$HEX" -o "$tmp/r3.dat")
tap_check "tdx-attest.conf port=4051 without a vsock host: exit 0 with the TDREPORT" \
        test "$rc" = 0 -a "$(stat -c %s "$tmp/r3.dat")" = 1024 -a \
        "$("$CVM" inspect --json "$tmp/r3.dat" | jq -r '.kind + " " + .body.report_data')" = "tdreport $HEX"
tap_check "... saying why: /etc/tdx-attest.conf names port 4051: cannot connect to the QGS at vsock:2:4051" \
        grep -q "/dev/tdx_guest gave a TDREPORT, not a quote: no configfs-tsm, and /etc/tdx-attest.conf names port 4051: cannot connect to the QGS at vsock:2:4051" "$tmp/err"
tap_check "... and how to get a quote: --qgs or port= in /etc/tdx-attest.conf" \
        grep -qF -- '--qgs=vsock:PORT (cvm-qgsd and Intel'"'"'s QGS listen on vsock port 4050) or "port=4050" in /etc/tdx-attest.conf' "$tmp/err"
rc=$(td --json)
tap_check "... --json: kind tdx-report, source /dev/tdx_guest, no_quote names vsock:2:4051" \
        json_is "$tmp/out" '.kind == "tdx-report" and .source == "/dev/tdx_guest" and
                (.no_quote | test("vsock:2:4051"))' 
rm "$TD/etc/tdx-attest.conf"

rc=$(td --qgs=vsock:4051 -o "$tmp/x.dat")
tap_check "--qgs=vsock:4051 without a vsock host: exit 2 naming vsock:2:4051, no evidence written" \
        test "$rc" = 2 -a ! -e "$tmp/x.dat" -a \
        -n "$(grep -F 'No quote from --qgs=vsock:4051: cannot connect to the QGS at vsock:2:4051' "$tmp/err")"

# Broken VMMs and QGSs: a clear reason, never a crash. Without --qgs the TDREPORT still comes out.
# fallback DESCRIPTION TEXT [VAR=VALUE...]: with VAR=VALUE in cvm's environment, exit 0, a TDREPORT, and
# TEXT in the reason on standard error.
fallback() {
        local desc=$1 text=$2 ok=1
        td_env=("${@:3}")
        rc=$(td --report-data="$HEX" -o "$tmp/f.dat")
        td_env=()
        [ "$rc" = 0 ] && [ "$(stat -c %s "$tmp/f.dat")" = 1024 ] || ok=0
        grep -qF -- "/dev/tdx_guest gave a TDREPORT, not a quote: no configfs-tsm, no port in /etc/tdx-attest.conf, and $text" "$tmp/err" || ok=0
        if [ $ok = 1 ]; then
                tap_ok "$desc"
        else
                tap_not_ok "$desc (exit $rc)"
                tap_diag <"$tmp/err"
        fi
}
fallback "GetQuote with no QGS behind the VMM: status QGS unavailable" \
        "GetQuote status 0x8000000000000001 (QGS unavailable)" CVM_FAKE_QGS="$tmp/absent.socket"
fallback "GetQuote with half the quote: not a quote, naming out_len and the offset" \
        "GetQuote reply (out_len " CVM_FAKE_GETQUOTE=truncate
fallback "GetQuote out_len 70000: larger than the buffer" \
        "GetQuote out_len 70000 exceeds the 16384-byte buffer" CVM_FAKE_GETQUOTE=out-len=70000
fallback "an upstream kernel (no GetQuote ioctl)" \
        "the kernel has no GetQuote ioctl on /dev/tdx_guest (TDX_CMD_GET_QUOTE: Inappropriate ioctl for device)" \
        CVM_FAKE_GETQUOTE=enotty

# cvm-qgsd refuses a report that is not a TDREPORT (REPORTTYPE 0) with an error reply.
fallback "the QGS answers an error reply: upstream QEMU reports status ERROR" \
        "GetQuote status 0x8000000000000000 (error)" CVM_FAKE_TDREPORT="$tmp/sgx.dat"
fallback "the QGS answers an error reply through a relaying VMM: the framed reply, named" \
        "the QGS behind the GetQuote ioctl answered GET_QUOTE_RESP with error" \
        CVM_FAKE_TDREPORT="$tmp/sgx.dat" CVM_FAKE_GETQUOTE=relay
td_env=(CVM_FAKE_TDREPORT="$tmp/sgx.dat")
rc=$(td --qgs=unix:"$SOCK" -o "$tmp/x.dat")
td_env=()
tap_check "--qgs=unix:SOCKET answering an error reply: exit 2, naming the address and the error" \
        test "$rc" = 2 -a ! -e "$tmp/x.dat" -a \
        -n "$(grep -F "No quote from --qgs=unix:$SOCK: QGS at unix:$SOCK answered GET_QUOTE_RESP with error UNEXPECTED (0x12001)" "$tmp/err")"
rc=$(td --qgs=unix:"$tmp/absent.socket" -o "$tmp/x.dat")
tap_check "--qgs=unix:ABSENT: exit 2, cannot connect" \
        test "$rc" = 2 -a -n "$(grep -F "cannot connect to the QGS at unix:$tmp/absent.socket: No such file or directory" "$tmp/err")"

kill "$qgsd_pid"
wait "$qgsd_pid" 2>/dev/null || true
qgsd_pid=
tap_done
