#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm verify --json' swept over every signed vector of test/data/attest (README.md there; the rows below
# are those of the shared vectors' MANIFEST.md §1 and §2, with their windows and expected verdicts). For
# each row, with its collateral or certificates:
#   - at the first second of its window and at a check time inside it: the MANIFEST verdict and TCB
#     status, and exactly the listed checks failing (policy checks aside, which only the verdict shows);
#   - one second before the window and one second after it: a rejection whose named check fails with the
#     window's start or end date in its detail.
# Windows end where the earliest notAfter/nextUpdate ends; the first-second test shows that starts are
# inclusive. Vectors without a PCK CRL for their window (MANIFEST says which) fail that check, and only it:
# cvm reports missing collateral as missing.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
T=$DATA/tdx
S=$DATA/snp
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- collateral sets the vector files do not form by themselves ----
# 2025-<fmspc>: teekit's TCB info + trustee's QE identity, the 2025 TCB Signing re-issue, the 2025 root
# CRL; MANIFEST includes no PCK CRL for that window.
for fmspc in 50806f000000 00806f050000; do
        d=$tmp/2025-$fmspc
        mkdir "$d"
        cat "$T/intel-common/intel-tcb-signing-2025.pem" "$T/intel-common/Intel_SGX_Root_CA.pem" >"$d/tcb_info_issuer_chain.pem"
        cp "$d/tcb_info_issuer_chain.pem" "$d/qe_identity_issuer_chain.pem"
        cat "$T/intel-common/Intel_SGX_PCK_Platform_CA.pem" "$T/intel-common/Intel_SGX_Root_CA.pem" >"$d/pck_crl_issuer_chain.pem"
        ln -s "$T/teekit/tcbInfo-tdx-$fmspc.json" "$d/tcb_info.json"
        ln -s "$T/trustee/enclaveIdentity.json" "$d/qe_identity.json"
        ln -s "$T/intel-common/IntelSGXRootCA_crl_2025-03-20.der" "$d/root_ca_crl.der"
done
# v5-tcbinfo: go-tdx-guest's sample_tcbinfo_response_v5 with the QE identity, CRLs and chains of dcap-qvl's
# tdx_quote_outdated_collateral.json (MANIFEST window (a) of quote_v5_sample.dat).
d=$tmp/v5-tcbinfo
B=$T/dcap-qvl/tdx_quote_outdated_collateral.json
mkdir "$d"
ln -s "$T/go-tdx-guest/sample_tcbinfo_response_v5" "$d/tcb_info.json"
jq -j .tcb_info_issuer_chain "$B" >"$d/tcb_info_issuer_chain.pem"
jq -j .qe_identity_issuer_chain "$B" >"$d/qe_identity_issuer_chain.pem"
jq -j .pck_crl_issuer_chain "$B" >"$d/pck_crl_issuer_chain.pem"
jq -j '"{\"enclaveIdentity\":" + .qe_identity + ",\"signature\":\"" + .qe_identity_signature + "\"}"' "$B" >"$d/qe_identity.json"
jq -j .pck_crl "$B" | tr a-f A-F | basenc --base16 -d >"$d/pck_crl.der"
jq -j .root_ca_crl "$B" | tr a-f A-F | basenc --base16 -d >"$d/root_ca_crl.der"
# SNP: each VCEK with its ASK + ARK, as a certificate directory.
mkdir "$tmp/milan-virtee" "$tmp/milan-gcp"
cp "$S/virtee-sev/vcek_milan.der" "$S/virtee-sev/cert_chain_milan" "$tmp/milan-virtee/"
cp "$S/teekit/sev-gcp-vcek.pem" "$S/teekit/sev-gcp-cert-chain.pem" "$tmp/milan-gcp/"

# jqt EXPR FILE: the expression holds on FILE.
jqt() {
        jq -e "$1" "$2" >/dev/null
}

shift_time() {
        date -u -d "@$(($(date -u -d "$1" +%s) + $2))" +%Y-%m-%dT%H:%M:%SZ
}

# run ARGS...: 'cvm verify --json ARGS' into $tmp/out.json; its exit status in $rc.
run_verify() {
        rc=0
        "$CVM" verify --json "$@" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
}

diag() {
        tap_diag <"$tmp/err"
        jq -c '{verdict, tcb_status, failed: [.checks[] | select(.ok | not)]}' "$tmp/out.json" 2>&1 | tap_diag || true
}

# row NAME FROM TO AT VERDICT TCB FAILED BEFORE_ID AFTER_ID -- ARGS...
#   FAILED: JSON array of the non-policy checks that fail inside the window, in report order.
#   TCB: the TCB status string, or null. BEFORE_ID/AFTER_ID: "-" to skip that side.
row() {
        local name=$1 from=$2 to=$3 at=$4 verdict=$5 tcb=$6 failed=$7 before=$8 after=$9 want_rc t
        shift 10
        [ "$verdict" = accept ] && want_rc=0 || want_rc=1
        [ "$tcb" = null ] || tcb="\"$tcb\""
        for t in "$from" "$at"; do
                run_verify "$@" --at="$t"
                if [ "$rc" = "$want_rc" ] &&
                        jq -e --argjson failed "$failed" --argjson tcb "$tcb" --arg v "$verdict" \
                                '.verdict == $v and .tcb_status == $tcb and
                                 [.checks[] | select((.ok | not) and (.id | startswith("policy.") | not)) | .id] == $failed and
                                 ($v == "accept" or (.checks | any(.ok | not)))' \
                                "$tmp/out.json" >/dev/null; then
                        tap_ok "$name at $t: $verdict, TCB status $tcb"
                else
                        tap_not_ok "$name at $t: $verdict, TCB status $tcb, failing $failed (exit $rc)"
                        diag
                fi
        done
        if [ "$before" != - ]; then
                side "$name" "$before" "$(shift_time "$from" -1)" "$from" "$@"
        fi
        if [ "$after" != - ]; then
                side "$name" "$after" "$(shift_time "$to" 1)" "$to" "$@"
        fi
}

# side NAME ID TIME DATE ARGS...: rejected at TIME, check ID failing with DATE in its detail.
side() {
        local name=$1 id=$2 t=$3 date=$4
        shift 4
        run_verify "$@" --at="$t"
        if [ "$rc" = 1 ] &&
                jq -e --arg id "$id" --arg date "$date" \
                        '.verdict == "reject" and
                         any(.checks[]; .id == $id and (.ok | not) and (.detail | contains($date)))' \
                        "$tmp/out.json" >/dev/null; then
                tap_ok "$name at $t: $id fails, naming $date"
        else
                tap_not_ok "$name at $t: $id fails, naming $date (exit $rc)"
                diag
        fi
}

# ---- TDX (MANIFEST §1) ----
NOCRL='["pck.chain","collateral.pck_crl"]'

SPR=$T/go-tdx-guest/tdx_prod_quote_SPR_E4.dat
row "go-tdx-guest SPR E4, 2023 collateral" 2023-06-18T08:42:58Z 2023-07-08T07:24:59Z 2023-07-01T01:00:00Z \
        reject TcbLevelNotSupported '[]' collateral.tcb_info collateral.qe_identity -- \
        "$SPR" --collateral="$T/go-tdx-guest-2023"
row "go-tdx-guest SPR E4, 2025 collateral (no PCK CRL)" 2025-10-28T06:45:09Z 2025-10-29T18:29:22Z \
        2025-10-29T00:00:00Z reject TcbLevelNotSupported "$NOCRL" collateral.qe_identity collateral.tcb_info -- \
        "$SPR" --collateral="$tmp/2025-50806f000000"

V5=$T/go-tdx-guest/quote_v5_sample.dat
row "go-tdx-guest quote_v5_sample, sample_tcbinfo_response_v5" 2026-02-18T10:42:15Z 2026-03-03T14:49:26Z \
        2026-02-25T00:00:00Z accept UpToDate '[]' collateral.qe_identity collateral.tcb_info -- \
        "$V5" --collateral="$tmp/v5-tcbinfo"
row "go-tdx-guest quote_v5_sample, dcap-qvl outdated bundle" 2026-02-18T10:58:51Z 2026-03-20T10:41:15Z \
        2026-03-01T00:00:00Z accept UpToDate '[]' collateral.tcb_info collateral.pck_crl -- \
        "$V5" --collateral="$B"

row "go-tdx-guest cos-113, 2025 collateral (no PCK CRL)" 2025-10-28T06:45:09Z 2025-10-29T18:04:58Z \
        2025-10-29T00:00:00Z reject UpToDate "$NOCRL" collateral.qe_identity collateral.tcb_info -- \
        "$T/go-tdx-guest/cos-113-tdx-quote.dat" --collateral="$tmp/2025-00806f050000"

T4=$T/trustee/tdx_quote_4.dat
row "trustee tdx_quote_4 (DEBUG TD), 2023 collateral" 2023-06-18T08:42:58Z 2023-07-08T07:24:59Z \
        2023-07-01T01:00:00Z reject UpToDate '[]' collateral.tcb_info collateral.qe_identity -- \
        "$T4" --collateral="$T/go-tdx-guest-2023"
run_verify "$T4" --collateral="$T/go-tdx-guest-2023" --at=2023-07-01T01:00:00Z
tap_check "trustee tdx_quote_4: rejected for DEBUG alone" \
        jqt '[.checks[] | select(.ok | not) | .id] == ["policy.debug"]' "$tmp/out.json"
row "trustee tdx_quote_4 with --allow-debug, 2023 collateral" 2023-06-18T08:42:58Z 2023-07-08T07:24:59Z \
        2023-07-01T01:00:00Z accept UpToDate '[]' - - -- \
        "$T4" --collateral="$T/go-tdx-guest-2023" --allow-debug
row "trustee tdx_quote_4 with --allow-debug, 2025 collateral (no PCK CRL)" 2025-10-28T06:45:09Z \
        2025-10-29T18:29:22Z 2025-10-29T00:00:00Z reject OutOfDate "$NOCRL" collateral.qe_identity \
        collateral.tcb_info -- "$T4" --collateral="$tmp/2025-50806f000000" --allow-debug

row "dcap-qvl tdx_quote, its bundle" 2025-06-19T10:32:27Z 2025-07-19T10:00:35Z 2025-07-01T00:00:00Z \
        accept UpToDate '[]' collateral.qe_identity collateral.pck_crl -- \
        "$T/dcap-qvl/tdx_quote" --collateral="$T/dcap-qvl/tdx_quote_collateral.json"
row "dcap-qvl tdx_quote_outdated, its bundle" 2026-02-18T10:58:51Z 2026-03-20T10:41:15Z 2026-03-01T00:00:00Z \
        reject TcbLevelNotSupported '[]' collateral.tcb_info collateral.pck_crl -- \
        "$T/dcap-qvl/tdx_quote_outdated" --collateral="$B"
row "dcap-qvl tdx_quote_outdated, sample_tcbinfo_response_v5" 2026-02-18T10:42:15Z 2026-03-03T14:49:26Z \
        2026-02-25T00:00:00Z reject TcbLevelNotSupported '[]' collateral.qe_identity collateral.tcb_info -- \
        "$T/dcap-qvl/tdx_quote_outdated" --collateral="$tmp/v5-tcbinfo"

# QVL's synthetic sample: every signature and the chain verify against its test root; its TCB info has
# SVNs above 255 (65473...), which cvm rejects as malformed (TCB components are u8), so no TCB status.
QVL=$T/qvl-sample
row "QVL sample quote, its test root" 2021-08-06T13:55:15Z 2028-08-06T13:55:14Z 2025-01-01T00:00:00Z \
        reject null '["collateral.tcb_info","tcb"]' collateral.root_ca_crl pck.chain -- \
        "$QVL/quote.dat" --collateral="$QVL" --root-ca="$QVL/trustedRootCaCert.pem"
run_verify "$QVL/quote.dat" --collateral="$QVL" --root-ca="$QVL/trustedRootCaCert.pem" --at=2025-01-01T00:00:00Z
tap_check "QVL sample quote: its TCB info is malformed, not badly signed" \
        jqt '.checks[] | select(.id == "collateral.tcb_info") | .detail | test("sgxtcbcomponents")' "$tmp/out.json"
run_verify "$QVL/quote.dat" --collateral="$QVL" --at=2025-01-01T00:00:00Z
tap_check "QVL sample quote against the Intel SGX Root CA: chain rejected" \
        jqt '.verdict == "reject" and any(.checks[]; .id == "pck.chain" and (.ok | not)) and
               any(.checks[]; .id == "quote.signature" and .ok)' "$tmp/out.json"

# ---- SEV-SNP (MANIFEST §2): only the certificates' validity bounds a report's window ----
row "go-sev-guest attestation.bin (policy DEBUG)" 2022-09-24T00:55:28Z 2029-09-24T00:55:28Z \
        2023-01-01T00:00:00Z reject null '[]' chain.vek chain.vek -- \
        "$S/go-sev-guest/attestation.bin" --certs="$S/go-sev-guest/vcek.testcer"
run_verify "$S/go-sev-guest/attestation.bin" --certs="$S/go-sev-guest/vcek.testcer" --at=2023-01-01T00:00:00Z
tap_check "go-sev-guest attestation.bin: rejected for DEBUG alone" \
        jqt '[.checks[] | select(.ok | not) | .id] == ["policy.debug"]' "$tmp/out.json"
row "go-sev-guest attestation.bin with --allow-debug" 2022-09-24T00:55:28Z 2029-09-24T00:55:28Z \
        2023-01-01T00:00:00Z accept null '[]' - - -- \
        "$S/go-sev-guest/attestation.bin" --certs="$S/go-sev-guest/vcek.testcer" --allow-debug
row "virtee report_milan.hex, VCEK + cert_chain_milan" 2023-04-03T19:23:43Z 2030-04-03T19:23:43Z \
        2024-01-01T00:00:00Z accept null '[]' chain.vek chain.vek -- \
        "$S/virtee-sev/report_milan.hex" --certs="$tmp/milan-virtee"
row "teekit sev-gcp.bin (v5), VCEK + cert chain" 2025-12-05T06:04:27Z 2032-12-05T06:04:27Z \
        2026-01-01T00:00:00Z accept null '[]' chain.vek chain.vek -- \
        "$S/teekit/sev-gcp.bin" --certs="$tmp/milan-gcp"

tap_done
