#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm verify' on the real evidence of test/data/attest with the collateral and check times the unit
# tests use (test-tcb-eval.c, test-collateral.c, test-snp-verify.c; the MANIFEST windows): verdicts, TCB
# statuses, policy (debug, --accept-tcb, --report-data), expired collateral, tampered copies, exit codes.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
COLL=$DATA/tdx
SNP=$DATA/snp
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify NAME EXPECTED-RC ARGS... -- JQ-EXPRESSION...: 'cvm verify --json ARGS' exits EXPECTED-RC and
# every expression holds on its output.
verify() {
        local name=$1 want=$2 rc=0 args=()
        shift 2
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                args+=("$1")
                shift
        done
        [ $# -gt 0 ] && shift
        "$CVM" verify --json "${args[@]}" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
        if [ "$rc" != "$want" ]; then
                tap_not_ok "$name: exits $want (got $rc)"
                tap_diag <"$tmp/err"
                tap_diag <"$tmp/out.json"
                return
        fi
        for e in "$@"; do
                if ! jq -e "$e" "$tmp/out.json" >/dev/null; then
                        tap_not_ok "$name: $e"
                        jq -c '.checks[] | select(.ok | not)' "$tmp/out.json" | tap_diag
                        return
                fi
        done
        tap_ok "$name"
}

# flip IN OUT OFFSET: a copy of IN with the lowest bit of the byte at OFFSET flipped.
flip() {
        local b
        cp "$1" "$2"
        b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
        # shellcheck disable=SC2059
        printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}

ALL_OK='[.checks[] | .ok] | all'
failed() { echo "[.checks[] | select(.ok | not) | .id] == $1"; }

# ---- TDX ----
Q=$COLL/dcap-qvl/tdx_quote
B=$COLL/dcap-qvl/tdx_quote_collateral.json
verify "dcap-qvl tdx_quote with its bundle, inside its window" 0 "$Q" --collateral="$B" --at=2025-07-01T00:00:00Z -- \
        '.tee == "tdx" and .version == 4 and .verdict == "accept" and .tcb_status == "UpToDate"' "$ALL_OK" \
        '[.checks[].id] | index("quote.signature") < index("qe-report.signature") and
         index("qe-report.signature") < index("qe-report.data") and index("qe-report.data") < index("pck.chain") and
         index("pck.chain") < index("collateral.tcb_info") and index("collateral.tcb_info") < index("tcb")' \
        '.claims.mrtd | test("^[0-9a-f]{96}$")' '.claims.report_data | test("^[0-9a-f]{128}$")' \
        '.claims | has("rtmr3") and has("mrconfigid") and has("mrowner") and has("mrownerconfig") and has("xfam")'

rd=$(jq -r .claims.report_data "$tmp/out.json")
verify "tdx_quote with the right --report-data" 0 "$Q" --collateral="$B" --at=2025-07-01T00:00:00Z \
        --report-data="$rd" -- '.verdict == "accept"'
verify "tdx_quote with another --report-data" 1 "$Q" --collateral="$B" --at=2025-07-01T00:00:00Z \
        --report-data=00ff -- '.verdict == "reject"' "$(failed '["policy.report_data"]')"

verify "tdx_quote after the PCK CRL's nextUpdate" 1 "$Q" --collateral="$B" --at=2025-07-19T10:00:36Z -- \
        '.verdict == "reject"' \
        '.checks[] | select(.id == "collateral.pck_crl") | .ok == false and (.detail | test("2025-07-19T10:00:35Z"))'
verify "tdx_quote without collateral" 1 "$Q" -- '.verdict == "reject" and .tcb_status == null' \
        '.checks[] | select(.id == "collateral") | .ok == false and (.detail | test("collateral missing"))'
verify "tdx_quote with another root CA" 1 "$Q" --collateral="$B" --at=2025-07-01T00:00:00Z \
        --root-ca="$COLL/qvl-sample/trustedRootCaCert.pem" -- '.verdict == "reject"' \
        '.checks[] | select(.id == "pck.chain") | .ok == false'

verify "go-tdx-guest quote_v5_sample with the 2026 bundle" 0 "$COLL/go-tdx-guest/quote_v5_sample.dat" \
        --collateral="$COLL/dcap-qvl/tdx_quote_outdated_collateral.json" --at=2026-03-01T00:00:00Z -- \
        '.version == 5 and .verdict == "accept" and .tcb_status == "UpToDate"' "$ALL_OK"

verify "dcap-qvl tdx_quote_outdated with its bundle: TcbLevelNotSupported, not widened" 1 \
        "$COLL/dcap-qvl/tdx_quote_outdated" --collateral="$COLL/dcap-qvl/tdx_quote_outdated_collateral.json" \
        --at=2026-03-01T00:00:00Z --accept-tcb=SWHardeningNeeded,OutOfDate -- \
        '.verdict == "reject" and .tcb_status == "TcbLevelNotSupported"' "$(failed '["policy.tcb_status"]')"

verify "SPR E4 with the 2023 collateral: TcbLevelNotSupported" 1 "$COLL/go-tdx-guest/tdx_prod_quote_SPR_E4.dat" \
        --collateral="$COLL/go-tdx-guest-2023" --at=2023-07-01T01:00:00Z -- \
        '.verdict == "reject" and .tcb_status == "TcbLevelNotSupported"' "$(failed '["policy.tcb_status"]')"

T4=$COLL/trustee/tdx_quote_4.dat
verify "trustee tdx_quote_4: DEBUG is set" 1 "$T4" --collateral="$COLL/go-tdx-guest-2023" \
        --at=2023-07-01T01:00:00Z -- '.verdict == "reject" and .tcb_status == "UpToDate"' \
        "$(failed '["policy.debug"]')" '.claims.attributes | test("1$")'
verify "trustee tdx_quote_4 with --allow-debug" 0 "$T4" --collateral="$COLL/go-tdx-guest-2023" \
        --at=2023-07-01T01:00:00Z --allow-debug -- '.verdict == "accept" and .tcb_status == "UpToDate"'
verify "trustee tdx_quote_4 in 2025 with 2023 collateral" 1 "$T4" --collateral="$COLL/go-tdx-guest-2023" \
        --at=2025-06-01T00:00:00Z --allow-debug -- '.verdict == "reject" and .tcb_status == null' \
        '.checks[] | select(.id == "collateral.root_ca_crl") | .ok == false and (.detail | test("2024-04-02T10:22:51Z"))'

# Tampered: one byte of the header, the body (MRTD) and the report data; one byte of the QE report.
for off in 10 200 600; do
        flip "$Q" "$tmp/q" "$off"
        verify "tdx_quote with byte $off flipped" 1 "$tmp/q" --collateral="$B" --at=2025-07-01T00:00:00Z -- \
                '.verdict == "reject"' '.checks[] | select(.id == "quote.signature") | .ok == false'
done
flip "$Q" "$tmp/q" $((636 + 128 + 20))
verify "tdx_quote with a QE report byte flipped" 1 "$tmp/q" --collateral="$B" --at=2025-07-01T00:00:00Z -- \
        '.verdict == "reject"' '.checks[] | select(.id == "qe-report.signature") | .ok == false'

# Text output: the verdict first, then the TCB status and each failed check.
rc=0
"$CVM" verify "$T4" --collateral="$COLL/go-tdx-guest-2023" --at=2023-07-01T01:00:00Z >"$tmp/out" 2>&1 || rc=$?
# shellcheck disable=SC2016 # expanded by the inner bash
tap_check "text output of a rejected quote" \
        bash -c '[ "$0" = 1 ] && head -1 "$1" | grep -qx "Verdict: reject" && sed -n 2p "$1" | grep -qx "TCB status: UpToDate" &&
                 grep -q "^Failed: policy.debug: TD attribute DEBUG is set" "$1"' "$rc" "$tmp/out"

# ---- SEV-SNP ----
verify "sev-gcp.bin with its VCEK" 0 "$SNP/teekit/sev-gcp.bin" --certs="$SNP/teekit/sev-gcp-vcek.pem" --at=2026-01-01T00:00:00Z -- \
        '.tee == "snp" and .version == 5 and .verdict == "accept"' "$ALL_OK" \
        '[.checks[].id] | index("chain.vek") and index("tcb.reported") and index("hwid") and index("signature")' \
        '.claims.measurement | test("^[0-9a-f]{96}$")' '.claims | has("policy") and has("host_data") and
         has("id_key_digest") and has("report_data") and has("chip_id") and has("reported_tcb")'
mkdir "$tmp/certs"
cp "$SNP/teekit/sev-gcp-vcek.pem" "$SNP/teekit/sev-gcp-cert-chain.pem" "$tmp/certs/"
verify "sev-gcp.bin with a certificate directory (VCEK, ASK, ARK)" 0 "$SNP/teekit/sev-gcp.bin" --certs="$tmp/certs" \
        --at=2026-01-01T00:00:00Z -- '.verdict == "accept"' "$ALL_OK"
verify "report_milan.hex (hex text) with its VCEK" 0 "$SNP/virtee-sev/report_milan.hex" --certs="$SNP/virtee-sev/vcek_milan.der" \
        --at=2024-01-01T00:00:00Z -- '.verdict == "accept"' "$ALL_OK"
verify "attestation.bin: policy DEBUG" 1 "$SNP/go-sev-guest/attestation.bin" --certs="$SNP/go-sev-guest/vcek.testcer" \
        --at=2023-01-01T00:00:00Z -- '.verdict == "reject"' "$(failed '["policy.debug"]')"
verify "attestation.bin with --allow-debug" 0 "$SNP/go-sev-guest/attestation.bin" --certs="$SNP/go-sev-guest/vcek.testcer" \
        --at=2023-01-01T00:00:00Z --allow-debug -- '.verdict == "accept"' "$ALL_OK"
verify "sev-gcp.bin with another report's VCEK" 1 "$SNP/teekit/sev-gcp.bin" --certs="$SNP/virtee-sev/vcek_milan.der" \
        --at=2026-01-01T00:00:00Z -- '.verdict == "reject"' '.checks[] | select(.id == "signature") | .ok == false'
verify "sev-gcp.bin without certificates" 1 "$SNP/teekit/sev-gcp.bin" -- '.verdict == "reject"'
for off in 0 $((0x50)) $((0x90)) $((0x29f)); do
        flip "$SNP/teekit/sev-gcp.bin" "$tmp/r" "$off"
        verify "sev-gcp.bin with byte $off flipped" 1 "$tmp/r" --certs="$SNP/teekit/sev-gcp-vcek.pem" \
                --at=2026-01-01T00:00:00Z -- '.verdict == "reject"' \
                '.checks[] | select(.id == "signature") | .ok == false'
done

# ---- errors: exit 2 ----
head -c 700 "$Q" >"$tmp/short"
for a in "$tmp/short" "$tmp/nonexistent" "$Q --at=yesterday" "$Q --accept-tcb=Fine" "$Q --accept-tcb=Revoked" "$Q --report-data=xyz" \
        "$Q --collateral=$tmp/nonexistent" "$Q --certs=$SNP/teekit/sev-gcp-vcek.pem" \
        "$SNP/teekit/sev-gcp.bin --collateral=$COLL/dcap-qvl/tdx_quote_collateral.json"; do
        rc=0
        # shellcheck disable=SC2086
        "$CVM" verify $a >/dev/null 2>"$tmp/err" || rc=$?
        tap_check "exit 2: verify ${a#"$DATA"/}" test "$rc" = 2
done

# ---- reference values: --policy=FILE (cvm-verify-policy(5)) ----
# A policy built with jq from the claims of an accepted run accepts; one changed value rejects with exactly
# its check; command-line options replace the file's settings; a malformed policy exits 2 naming the key.
TDX_ARGS=(--collateral="$B" --at=2025-07-01T00:00:00Z)
"$CVM" verify --json "$Q" "${TDX_ARGS[@]}" >"$tmp/claims.json"
jq '{tdx: (.claims | {mrtd: [.mrtd], rtmr0, rtmr1, rtmr2, rtmr3, mrconfigid, mrowner, mrownerconfig, attributes,
        xfam, report_data, accept_tcb: ["UpToDate"], allow_debug: false})}' "$tmp/claims.json" >"$tmp/tdx.json"
verify "tdx_quote with a policy of its own claims" 0 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/tdx.json" -- \
        '.verdict == "accept"' "$ALL_OK" \
        '[.checks[].id | select(startswith("policy."))] == ["policy.tcb_status", "policy.debug", "policy.mrtd",
         "policy.rtmr0", "policy.rtmr1", "policy.rtmr2", "policy.rtmr3", "policy.mrconfigid", "policy.mrowner",
         "policy.mrownerconfig", "policy.attributes", "policy.xfam", "policy.report_data"]'
for key in mrtd rtmr0 rtmr3 mrconfigid mrownerconfig; do
        # The last hex digit of the value (or of the list's only value) changed.
        jq --arg k "$key" '.tdx[$k] |= (if type == "array" then map(.[:-1] + (if .[-1:] == "0" then "1" else "0" end))
                else .[:-1] + (if .[-1:] == "0" then "1" else "0" end) end)' "$tmp/tdx.json" >"$tmp/p.json"
        verify "tdx_quote with another $key in the policy" 1 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" -- \
                '.verdict == "reject"' "$(failed "[\"policy.$key\"]")" \
                ".checks[] | select(.id == \"policy.$key\") | .detail | test(\"expected\")"
done
jq '.tdx.attributes = {forbid: ["SEPT_VE_DISABLE"]}' "$tmp/tdx.json" >"$tmp/p.json"
verify "tdx_quote with SEPT_VE_DISABLE forbidden" 1 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.attributes"]')" \
        '.checks[] | select(.id == "policy.attributes") | .detail | test("SEPT_VE_DISABLE is set but forbidden")'
jq '.tdx.min_tee_tcb_svn = "07010300000000000000000000000000"' "$tmp/tdx.json" >"$tmp/p.json"
verify "tdx_quote below the policy's min_tee_tcb_svn" 1 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.min_tee_tcb_svn"]')"

# Precedence: --accept-tcb and --report-data replace the file's accept_tcb and report_data.
jq '.tdx.accept_tcb = ["SWHardeningNeeded"]' "$tmp/tdx.json" >"$tmp/p.json"
verify "tdx_quote with a policy not accepting UpToDate" 1 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.tcb_status"]')"
verify "tdx_quote: --accept-tcb replaces the policy's accept_tcb" 0 "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" \
        --accept-tcb=OutOfDate -- '.verdict == "accept"'
verify "tdx_quote: --report-data replaces the policy's report_data" 1 "$Q" "${TDX_ARGS[@]}" \
        --policy="$tmp/tdx.json" --report-data=00ff -- "$(failed '["policy.report_data"]')"

# Debug: allowed by name only, in the file or by --allow-debug.
T4_ARGS=(--collateral="$COLL/go-tdx-guest-2023" --at=2023-07-01T01:00:00Z)
echo '{"tdx": {"attributes": {"require": ["DEBUG"]}}}' >"$tmp/p.json"
verify "trustee tdx_quote_4: requiring DEBUG does not allow it" 1 "$T4" "${T4_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.debug"]')"
echo '{"tdx": {"allow_debug": true}}' >"$tmp/p.json"
verify "trustee tdx_quote_4 with allow_debug in the policy" 0 "$T4" "${T4_ARGS[@]}" --policy="$tmp/p.json" -- \
        '.verdict == "accept"' '.checks[] | select(.id == "policy.debug") | .detail | test("allowed by allow_debug")'
echo '{"tdx": {"allow_debug": false}}' >"$tmp/p.json"
verify "trustee tdx_quote_4: --allow-debug over allow_debug false" 0 "$T4" "${T4_ARGS[@]}" --policy="$tmp/p.json" \
        --allow-debug -- '.verdict == "accept"'

# Text output names the failed policy check.
jq '.tdx.mrtd = ["'"$(printf '%096d' 0)"'"]' "$tmp/tdx.json" >"$tmp/p.json"
rc=0
"$CVM" verify "$Q" "${TDX_ARGS[@]}" --policy="$tmp/p.json" >"$tmp/out" 2>&1 || rc=$?
# shellcheck disable=SC2016 # expanded by the inner bash
tap_check "text output of a policy rejection" \
        bash -c '[ "$0" = 1 ] && head -1 "$1" | grep -qx "Verdict: reject" &&
                 grep -q "^Failed: policy.mrtd: MRTD is 91eb2b44d141d4ec[0-9a-f]*, expected 0000" "$1"' "$rc" "$tmp/out"

# SEV-SNP: the GCE report with its VCEK.
SNP_ARGS=(--certs="$SNP/teekit/sev-gcp-vcek.pem" --at=2026-01-01T00:00:00Z)
"$CVM" verify --json "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" >"$tmp/claims.json"
jq '{snp: (.claims | {measurement: [.measurement], host_data, id_key_digest, report_data, policy, vmpl: 0,
        min_tcb: {bootloader: 4, tee: 0, snp: 27, microcode: 222}, min_firmware: "1.55", allow_debug: false})}' \
        "$tmp/claims.json" >"$tmp/snp.json"
verify "sev-gcp.bin with a policy of its own claims" 0 "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" --policy="$tmp/snp.json" -- \
        '.verdict == "accept"' "$ALL_OK" \
        '[.checks[].id | select(startswith("policy."))] == ["policy.debug", "policy.tcb_consistency",
         "policy.measurement", "policy.host_data", "policy.id_key_digest", "policy.policy", "policy.min_tcb",
         "policy.min_firmware", "policy.vmpl", "policy.report_data"]'
jq '.snp.measurement[0] |= .[:-1] + "0"' "$tmp/snp.json" >"$tmp/p.json"
verify "sev-gcp.bin with another measurement" 1 "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.measurement"]')"
jq '.snp.min_tcb.snp = 28' "$tmp/snp.json" >"$tmp/p.json"
verify "sev-gcp.bin below the policy's minimum SNP SPL" 1 "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" --policy="$tmp/p.json" \
        -- "$(failed '["policy.min_tcb"]')" \
        '.checks[] | select(.id == "policy.min_tcb") | .detail |
         test("REPORTED_TCB snp 27 is below the minimum 28; LAUNCH_TCB snp 27 is below the minimum 28")'
jq '.snp.policy = {forbid: ["SMT"]}' "$tmp/snp.json" >"$tmp/p.json"
verify "sev-gcp.bin with SMT forbidden" 1 "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.policy"]')"
jq '.snp.vmpl = 1' "$tmp/snp.json" >"$tmp/p.json"
verify "sev-gcp.bin with another VMPL" 1 "$SNP/teekit/sev-gcp.bin" "${SNP_ARGS[@]}" --policy="$tmp/p.json" -- \
        "$(failed '["policy.vmpl"]')"
echo '{"snp": {"allow_debug": true}}' >"$tmp/p.json"
verify "attestation.bin with allow_debug in the policy" 0 "$SNP/go-sev-guest/attestation.bin" --certs="$SNP/go-sev-guest/vcek.testcer" \
        --at=2023-01-01T00:00:00Z --policy="$tmp/p.json" -- '.verdict == "accept"' "$ALL_OK"

# Errors: exit 2, naming the key (or the section) at fault.
# policy_error NAME POLICY-TEXT EVIDENCE MESSAGE
policy_error() {
        local rc=0
        printf '%s' "$2" >"$tmp/bad.json"
        "$CVM" verify "$3" --policy="$tmp/bad.json" >/dev/null 2>"$tmp/err" || rc=$?
        if [ "$rc" = 2 ] && grep -qF -- "$4" "$tmp/err"; then
                tap_ok "exit 2: $1"
        else
                tap_not_ok "exit 2: $1 (got $rc)"
                tap_diag <"$tmp/err"
        fi
}
policy_error "a misspelt key" '{"tdx": {"mrdt": []}}' "$Q" "unknown key 'tdx.mrdt'; did you mean 'tdx.mrtd'?"
policy_error "a short MRTD" '{"tdx": {"mrtd": ["00"]}}' "$Q" \
        "'tdx.mrtd[0]': expected 48 bytes in hex (96 digits), got 2 digits"
policy_error "an unknown TCB status" '{"tdx": {"accept_tcb": ["UpToDat"]}}' "$Q" \
        "'tdx.accept_tcb[0]': unknown TCB status 'UpToDat'; did you mean 'UpToDate'?"
policy_error "VMPL out of range" '{"snp": {"vmpl": 7}}' "$SNP/teekit/sev-gcp.bin" "'snp.vmpl': expected an integer 0-3, got 7"
policy_error "not JSON" '{"tdx": ' "$Q" "not valid JSON"
policy_error "an SNP policy for a TDX quote" '{"snp": {}}' "$Q" "has no \"tdx\" section"
policy_error "a TDX policy for an SNP report" '{"tdx": {}}' "$SNP/teekit/sev-gcp.bin" "has no \"snp\" section"
rc=0
"$CVM" verify "$Q" --policy="$tmp/nonexistent.json" >/dev/null 2>"$tmp/err" || rc=$?
tap_check "exit 2: a missing policy file" test "$rc" = 2

tap_done
