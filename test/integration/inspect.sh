#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm inspect' on the real evidence of test/data/attest (README.md there): text and --json, key fields
# checked with jq against the values of the shared vectors' MANIFEST.md; trailing bytes reported; hex and
# base64 text and standard input; corrupt inputs exit 2 with an error naming the field and its offset.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# json_ok NAME FILE JQ-EXPRESSION...: 'cvm inspect --json FILE' exits 0 and every expression is true.
json_ok() {
        local name=$1 file=$2 rc
        shift 2
        rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" inspect --json "$DATA/$file")
        if [ "$rc" != 0 ]; then
                tap_not_ok "$name: --json exits 0 (got $rc)"
                tap_diag <"$tmp/err"
                return
        fi
        for e in "$@"; do
                # One TAP line per case: the expression with its line breaks folded.
                local desc
                desc=$(tr -s ' \n' '  ' <<<"$e")
                if [ "$(jq -r "$e" "$tmp/out.json")" = true ]; then
                        tap_ok "$name: $desc"
                else
                        tap_not_ok "$name: $desc"
                fi
        done
}

# text_ok NAME FILE PATTERN...: 'cvm inspect FILE' exits 0, its first line and every pattern match.
text_ok() {
        local name=$1 file=$2 first=$3 rc
        shift 3
        rc=$(run "$tmp/out.txt" "$tmp/err" "$CVM" inspect "$DATA/$file")
        if [ "$rc" != 0 ]; then
                tap_not_ok "$name: text exits 0 (got $rc)"
                tap_diag <"$tmp/err"
                return
        fi
        tap_check "$name: first line '$first'" grep -qF -- "$first" <(head -n 1 "$tmp/out.txt")
        for p in "$@"; do
                tap_check "$name: text has '$p'" grep -qE -- "$p" "$tmp/out.txt"
        done
}

# fails NAME FILE WORD...: 'cvm inspect FILE' exits 2 and its error has every word.
fails() {
        local name=$1 file=$2 rc
        shift 2
        rc=$(run "$tmp/out" "$tmp/err" "$CVM" inspect "$file")
        tap_check "$name: exits 2 (got $rc)" [ "$rc" = 2 ]
        for w in "$@"; do
                tap_check "$name: error names '$w'" grep -qF -- "$w" "$tmp/err"
        done
        tap_check "$name: prints nothing on stdout" [ ! -s "$tmp/out" ]
}

spr=tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat
json_ok "SPR E4 v4" "$spr" \
        '.kind == "tdx-quote" and .version == 4 and .size == 4935 and .input_size == 4974' \
        '.trailing_bytes == 39 and .trailing_all_zero == false' \
        '.header.att_key_type == 2 and .header.tee_type == "0x00000081" and .header.qe_vendor == "intel"' \
        '.body.type == 2 and .body.size == 584 and .body.offset == 48' \
        '.body.tee_tcb_svn == "03000400000000000000000000000000"' \
        '.body.td_attributes == "0x0000000040000000" and .body.td_attributes_flags == ["PKS"]' \
        '.body.xfam_flags | index("AMX_TILEDATA") != null' \
        '.body.mr_servicetd == null' \
        '.signed_region == {"offset": 0, "size": 632}' \
        '.signature_data.offset == 636 and .signature_data.size == 4299' \
        '.signature_data.certification_data | (.type == 6 and .type_name == "qe-report")' \
        '.signature_data.certification_data.qe_report.isv_svn == 4' \
        '.signature_data.certification_data.qe_auth_data.size == 32' \
        '.signature_data.certification_data.certification_data.pem_certificates == 3' \
        '.signature_data.certification_data.certification_data.pem
                | startswith("-----BEGIN CERTIFICATE-----")'
text_ok "SPR E4 v4" "$spr" "TDX quote, version 4, td-report-1.0 body: 4935 bytes" \
        '^Trailing bytes: 39 after the end of the structure' \
        '^  td_attributes +0x0000000040000000 \(PKS\)$' \
        '^    type +6 \(qe-report\)$' '^        -----BEGIN CERTIFICATE-----$'

json_ok "COS 113 v4" tdx/go-tdx-guest/cos-113-tdx-quote.dat \
        '.trailing_bytes == 3065 and .trailing_all_zero and .size == 4935' \
        '.body.tee_tcb_svn | startswith("040107")' \
        '.body.report_data == ("0" * 128)' \
        '.signature_data.certification_data.qe_report.isv_svn == 6'
text_ok "COS 113 v4" tdx/go-tdx-guest/cos-113-tdx-quote.dat "TDX quote, version 4" \
        '^Trailing bytes: 3065 after the end of the structure .*all zero\)$'

json_ok "v5 sample" tdx/go-tdx-guest/quote_v5_sample.dat \
        '.version == 5 and .trailing_bytes == 0 and .size == 5006' \
        '.body | (.type == 3 and .type_name == "td-report-1.5" and .offset == 54 and .size == 648)' \
        '.body.tee_tcb_svn | startswith("0b0104")' \
        '.body.tee_tcb_svn2 | startswith("0d0104")' \
        '.signed_region.size == 702' \
        '.signature_data.certification_data.qe_report.isv_svn == 7' \
        '.signature_data.certification_data.certification_data.trailing_nul_bytes == 1'
text_ok "v5 sample" tdx/go-tdx-guest/quote_v5_sample.dat \
        "TDX quote, version 5, td-report-1.5 body: 5006 bytes" \
        '^  tee_tcb_svn2 +0d010400000000000000000000000000$'

json_ok "trustee DEBUG TD" tdx/trustee/tdx_quote_4.dat \
        '.version == 4 and .trailing_bytes == 0' \
        '.body.td_attributes_flags == ["DEBUG", "SEPT_VE_DISABLE"]' \
        '.body.tee_tcb_svn | startswith("030005")'
json_ok "dcap-qvl v4" tdx/dcap-qvl/tdx_quote \
        '.trailing_bytes == 70 and .trailing_all_zero and .body.tee_tcb_svn[0:6] == "060103"'
json_ok "dcap-qvl v5" tdx/dcap-qvl/tdx_quote_outdated \
        '.version == 5 and .body.type == 3 and .body.tee_tcb_svn[0:6] == "070103"'
json_ok "QVL sample (DER chain)" tdx/qvl-sample/quote.dat \
        '.signature_data.certification_data.certification_data.pem_certificates == 0' \
        '.signature_data.certification_data.certification_data.data | startswith("3082")' \
        '.signature_data.certification_data.qe_auth_data.size == 0'

json_ok "TDREPORT" tdx/dcap-misc/tdreport_for_test.dat \
        '.kind == "tdreport" and .version == 0 and .size == 1024' \
        '.report_mac.report_type == 129 and .tee_tcb_info.valid == "0x00000000000001ff"' \
        '.body.td_attributes_flags == ["SEPT_VE_DISABLE", "PKS"]' \
        '.body.tee_tcb_svn | startswith("040005")'
text_ok "TDREPORT" tdx/dcap-misc/tdreport_for_test.dat "TDX TDREPORT, REPORTTYPE version 0: 1024 bytes" \
        '^  mac +9239cdad'

json_ok "SNP v2 go-sev-guest" snp/go-sev-guest/attestation.bin \
        '.kind == "snp-report" and .version == 2 and .size == 1184' \
        '.policy == "0x00000000000b0000" and .policy_flags == ["SMT", "RESERVED_MBO", "DEBUG"]' \
        '.reported_tcb | (.bootloader == 2 and .tee == 0 and .snp == 5 and .microcode == 68)' \
        '.reported_tcb.fmc == null and .current_version == "1.49.3"' \
        '.platform_info_flags == ["SMT_EN"] and .signing_key_name == "vcek"' \
        '.product == null and .product_source == "report-version" and .tcb_layout == "milan-genoa"' \
        '.cpuid_fam_id == null and .launch_mit_vector == null' \
        '.chip_id | startswith("3ac3fe21")' \
        '.signed_region == {"offset": 0, "size": 672} and (.signature.r | length) == 144'
text_ok "SNP v2 go-sev-guest" snp/go-sev-guest/attestation.bin "SEV-SNP attestation report, version 2" \
        '^policy +0x00000000000b0000 \(SMT, RESERVED_MBO, DEBUG\)$' '^  microcode +68$'

json_ok "SNP v2 virtee (hex text)" snp/virtee-sev/report_milan.hex \
        '.version == 2 and .policy == "0x0000000000030000"' \
        '.reported_tcb | (.bootloader == 3 and .snp == 8 and .microcode == 115)' \
        '.current_version == "1.52.4"'
text_ok "SNP v2 virtee (hex text)" snp/virtee-sev/report_milan.hex "(decoded from hex text)"

json_ok "SNP v5 GCE" snp/teekit/sev-gcp.bin \
        '.version == 5 and .product == "milan" and .product_source == "cpuid"' \
        '.cpuid_fam_id == 25 and .cpuid_mod_id == 1 and .cpuid_step == 1' \
        '.platform_info_flags == ["SMT_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE"]' \
        '.launch_mit_vector == "0x000000000000000b" and .current_mit_vector == "0x000000000000000b"' \
        '.reported_tcb | (.bootloader == 4 and .snp == 27 and .microcode == 222)' \
        '.current_version == "1.55.35"'

# A product hint decides the TCB layout of a v2 report.
rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" inspect --json --snp-product=turin \
        "$DATA/snp/go-sev-guest/attestation.bin")
tap_check "--snp-product=turin: exits 0" [ "$rc" = 0 ]
turin_ok() {
        jq -e '.tcb_layout == "turin" and .product_source == "hint" and .reported_tcb.fmc == 2' \
                "$tmp/out.json" >/dev/null
}
tap_check "--snp-product=turin: Turin layout from the hint" turin_ok

# Standard input, and base64 text.
rc=$("$CVM" inspect --json - <"$DATA/$spr" >"$tmp/stdin.json" 2>"$tmp/err" && echo 0 || echo $?)
tap_check "stdin: exits 0" [ "$rc" = 0 ]
tap_check "stdin: same JSON as the file" cmp -s "$tmp/stdin.json" <("$CVM" inspect --json "$DATA/$spr")
base64 "$DATA/tdx/dcap-misc/tdreport_for_test.dat" >"$tmp/report.b64"
rc=$(run "$tmp/out.txt" "$tmp/err" "$CVM" inspect "$tmp/report.b64")
tap_check "base64 text: exits 0" [ "$rc" = 0 ]
tap_check "base64 text: decoded" \
        grep -qF "TDX TDREPORT, REPORTTYPE version 0: 1024 bytes (decoded from base64 text)" "$tmp/out.txt"

# Corrupt inputs: exit 2, an error naming the structure, the field and its offset, nothing on stdout.
head -c 1000 "$DATA/$spr" >"$tmp/cut.dat"
fails "quote cut at 1000 bytes" "$tmp/cut.dat" "TDX quote" "signature data length" "offset 0x278" \
        "4299 bytes" "only 364 bytes follow"
cp "$DATA/$spr" "$tmp/cert7.dat"
printf '\x07' | dd of="$tmp/cert7.dat" bs=1 seek=764 conv=notrunc status=none
fails "certification data type 7" "$tmp/cert7.dat" "certification data type" "offset 0x2fc" "is 7"
cp "$DATA/$spr" "$tmp/huge.dat"
printf '\xff\xff\x01\x00' | dd of="$tmp/huge.dat" bs=1 seek=766 conv=notrunc status=none
fails "certification data over the cap" "$tmp/huge.dat" "certification data size" "offset 0x2fe" \
        "over the cap"
cp "$DATA/snp/go-sev-guest/attestation.bin" "$tmp/v9.bin"
printf '\x09' | dd of="$tmp/v9.bin" bs=1 seek=0 conv=notrunc status=none
fails "SNP report version 9" "$tmp/v9.bin" "SNP report" "VERSION" "offset 0x0" "is 9"
head -c 1023 "$DATA/tdx/dcap-misc/tdreport_for_test.dat" >"$tmp/short-report.dat"
fails "TDREPORT of 1023 bytes" "$tmp/short-report.dat" "TDREPORT" "exactly 1024 bytes" "got 1023 bytes"
: >"$tmp/empty"
fails "empty file" "$tmp/empty" "empty"
fails "missing file" "$tmp/does-not-exist" "Failed to read"
printf 'abc' >"$tmp/odd.hex"
fails "odd hex text" "$tmp/odd.hex" "hex" "odd number of digits"

rc=$(run "$tmp/out" "$tmp/err" "$CVM" inspect --snp-product=rome "$DATA/$spr")
tap_check "--snp-product=rome: usage error, exit 2" [ "$rc" = 2 ]
rc=$(run "$tmp/out" "$tmp/err" "$CVM" inspect)
tap_check "no FILE: usage error, exit 2" [ "$rc" = 2 ]

tap_done
