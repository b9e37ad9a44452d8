#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The soft quoting CA through the CLI: its quote of the DCAP test TDREPORT (written by the soft-quote test
# helper, not the daemon) passes 'cvm verify --root-ca=DIR/root.pem --collateral=DIR/collateral' and
# carries the TDREPORT's measurements; Intel's root rejects it. 'cvm quote' against fake configfs-tsm
# trees whose inblob and outblob are FIFOs served by a shell function playing the provider (generation
# advanced as the kernel does, or twice for a concurrent writer), the not-a-guest error on this machine,
# and --report-data validation.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
SOFT_QUOTE=${CVM_BUILD_DIR:?CVM_BUILD_DIR must name the build directory}/test/soft-quote
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
TDREPORT=$DATA/tdx/dcap-misc/tdreport_for_test.dat
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

tap_done
