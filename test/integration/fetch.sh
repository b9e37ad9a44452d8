#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm verify --pccs' / '--kds' and 'cvm collateral fetch' against pcs-server.py, a real HTTP server on
# loopback that serves the vector collateral and certificates of test/data/attest with the PCS headers
# (URL-encoded issuer chains) and the KDS paths: the same verdicts as with the files, the download cache
# (reused while fresh, refetched after nextUpdate, --no-cache), the errors of a broken service, and round
# trips through 'collateral fetch'.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/attest
SERVER=$(dirname "${BASH_SOURCE[0]}")/pcs-server.py
export NO_COLOR=1 LC_ALL=C
# The servers are on loopback: no proxy of the caller may stand in between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed (tools/install-deps)"

tmp=$(mktemp -d)
pids=()
cleanup() {
        for p in "${pids[@]}"; do
                kill "$p" 2>/dev/null || true
        done
        rm -rf "$tmp"
}
trap cleanup EXIT
export CVM_CACHE_DIR=$tmp/cache

# serve NAME ARGS...: starts pcs-server.py with ARGS, logging requests to $tmp/NAME.log; sets $port once the
# server prints it (it does so only after it listens).
serve() {
        local name=$1 line
        shift
        : >"$tmp/$name.log"
        exec {fd}< <(exec python3 "$SERVER" --log "$tmp/$name.log" "$@")
        pids+=($!)
        read -r -u "$fd" line
        port=${line#PORT }
}

requests() { wc -l <"$tmp/$1.log"; }

# cvm_run ARGS...: runs cvm into $tmp/out and $tmp/err; the exit status in $rc.
cvm_run() {
        rc=0
        "$CVM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
}

# expect NAME RC [JQ-EXPRESSION | /ERR-REGEX/]...: the last cvm_run exited RC and every jq expression holds
# on its stdout, every /regex/ matches its stderr.
expect() {
        local name=$1 want=$2 e
        shift 2
        if [ "$rc" != "$want" ]; then
                tap_not_ok "$name: exits $want (got $rc)"
                tap_diag <"$tmp/err"
                tap_diag <"$tmp/out"
                return
        fi
        for e in "$@"; do
                if [[ $e == /*/ ]]; then
                        e=${e#/}
                        e=${e%/}
                        if ! grep -Eq -- "$e" "$tmp/err"; then
                                tap_not_ok "$name: stderr matches $e"
                                tap_diag <"$tmp/err"
                                return
                        fi
                elif ! jq -e "$e" "$tmp/out" >/dev/null; then
                        tap_not_ok "$name: $e"
                        tap_diag <"$tmp/out"
                        return
                fi
        done
        tap_ok "$name"
}

# ---- TDX: dcap-qvl tdx_quote with its bundle (UpToDate inside 2025-06-19..2025-07-19) ----
Q=$DATA/tdx/dcap-qvl/tdx_quote
B=$DATA/tdx/dcap-qvl/tdx_quote_collateral.json
AT=--at=2025-07-01T00:00:00Z
serve tdx --tdx "$B"
URL=http://127.0.0.1:$port

cvm_run verify --json "$Q" --collateral="$B" "$AT"
cp "$tmp/out" "$tmp/files.json"
expect "files: dcap-qvl tdx_quote accepted" 0 '.verdict == "accept" and .tcb_status == "UpToDate"'

cvm_run verify --json "$Q" --pccs="$URL/pccs" "$AT"
expect "--pccs: the same verdict, TCB status and checks as --collateral" 0 \
        ". == $(cat "$tmp/files.json")"
n=$(requests tdx)
tap_check "--pccs: four requests (tcb, qe/identity, pckcrl, rootcacrl), $n made" [ "$n" -eq 4 ]
tap_check "--pccs: TCB info asked for the quote's FMSPC, the PCK CRL of its CA, as DER" \
        grep -qx "GET /pccs/tdx/certification/v4/tcb?fmspc=B0C06F000000" "$tmp/tdx.log"
tap_check "--pccs: PCK CRL of the platform CA, as DER" \
        grep -qx "GET /pccs/sgx/certification/v4/pckcrl?ca=platform&encoding=der" "$tmp/tdx.log"

cvm_run verify --json "$Q" --pccs="$URL/pccs/sgx/certification/v4/" "$AT"
expect "--pccs again (URL with the API path): accepted from the cache" 0 '.verdict == "accept"'
n=$(requests tdx)
tap_check "--pccs again: no request ($((n - 4)) made)" [ "$n" -eq 4 ]

cvm_run verify --json "$Q" --pccs="$URL/pccs" "$AT" --no-cache
expect "--no-cache: accepted" 0 '.verdict == "accept"'
tap_check "--no-cache: fetched again" [ "$(requests tdx)" -eq 8 ]

cvm_run verify --json "$Q" --pccs="$URL/pccs" --at=2025-07-19T10:00:36Z
expect "after the PCK CRL's nextUpdate: refetched, and expired" 1 '.verdict == "reject"' \
        '.checks[] | select(.id == "collateral.pck_crl") | .ok == false and (.detail | test("2025-07-19T10:00:35Z"))'
tap_check "after nextUpdate: the cache was not used" [ "$(requests tdx)" -eq 12 ]

# A corrupt cache entry is fetched again, not trusted.
for f in "$CVM_CACHE_DIR"/collateral/*.json; do
        head -c 100 "$f" >"$f.cut" && mv "$f.cut" "$f"
done
cvm_run verify --json "$Q" --pccs="$URL/pccs" "$AT"
expect "a corrupt cache entry: fetched again, accepted" 0 '.verdict == "accept"'
tap_check "a corrupt cache entry: fetched again" [ "$(requests tdx)" -eq 16 ]

cvm_run verify --json "$Q" --pccs="$URL/pccs-der" "$AT" --no-cache
expect "a PCCS serving the root CRL as DER: accepted" 0 '.verdict == "accept" and .tcb_status == "UpToDate"'
cvm_run verify --json "$Q" --pccs="$URL/pccs-pem" "$AT" --no-cache
expect "CRLs as PEM, the chain in SGX-TCB-Info-Issuer-Chain: accepted" 0 \
        '.verdict == "accept" and .tcb_status == "UpToDate"'


# A broken service: an error (exit 2) naming the URL and what is wrong; 404 for the FMSPC is a verdict.
cvm_run verify --json "$Q" --pccs="$URL/unknown-fmspc" "$AT"
expect "HTTP 404 for the FMSPC: rejected, saying so" 1 '.verdict == "reject" and .tcb_status == null' \
        '.checks[] | select(.id == "collateral.fetch") | .ok == false and
         (.detail | test("tcb\\?fmspc=B0C06F000000: HTTP 404: the service has no TCB info"))'
cvm_run verify --json "$Q" --pccs="$URL/no-header" "$AT"
expect "no issuer chain header: error" 2 "/no-header\\/tdx\\/certification\\/v4\\/tcb\\?fmspc=B0C06F000000: the response has no TCB-Info-Issuer-Chain header/"
cvm_run verify --json "$Q" --pccs="$URL/truncated" "$AT"
expect "truncated body: error" 2 "/truncated\\/.*: the body ended early/"
cvm_run verify --json "$Q" --pccs="$URL/garbage" "$AT"
expect "an HTML page for TCB info: error" 2 '/garbage\/.*: the body is not a PCS response \{"tcbInfo"/'
cvm_run verify --json "$Q" --pccs="$URL/error500" "$AT"
expect "HTTP 500: error" 2 "/error500\\/tdx\\/certification\\/v4\\/qe\\/identity: HTTP 500 instead of the QE identity/"
cvm_run verify --json "$Q" --pccs="$URL/huge" "$AT"
expect "a 5 MiB body: error" 2 "/huge\\/.*: the response body is larger than 4194304 bytes/"
cvm_run verify --json "$Q" --pccs=http://127.0.0.1:1 "$AT"
expect "nothing listening: error" 2 "/GET http:\\/\\/127.0.0.1:1\\/tdx\\/certification\\/v4\\/tcb.*connect/"
cvm_run verify --json "$Q" --pccs="$URL/pccs" --collateral="$B"
expect "--pccs with --collateral: usage error" 2 "/alternatives/"

# HTTPS is verified: a self-signed server is refused.
if command -v openssl >/dev/null; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 -days 1 \
                -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
        serve tls --tdx "$B" --tls "$tmp/cert.pem" "$tmp/key.pem"
        tls_port=$port
        cvm_run verify --json "$Q" --pccs="https://127.0.0.1:$tls_port" "$AT"
        expect "HTTPS with an untrusted certificate: refused" 2 "/GET https:\\/\\/127.0.0.1:$tls_port\\/.*(certificate|SSL)/"
else
        tap_skip "openssl CLI missing: HTTPS verification case"
fi

# collateral fetch: the directory form, byte for byte what a PCS download is, read back by verify.
cvm_run collateral fetch "$Q" --pccs="$URL/pccs" -o "$tmp/dir" "$AT"
expect "collateral fetch -o DIR" 0
tap_check "collateral fetch wrote the seven files" \
        test "$(ls "$tmp/dir" | tr '\n' ' ')" = "pck_crl.der pck_crl_issuer_chain.pem qe_identity.json qe_identity_issuer_chain.pem root_ca_crl.der tcb_info.json tcb_info_issuer_chain.pem "
cvm_run verify --json "$Q" --collateral="$tmp/dir" "$AT"
expect "verify --collateral=DIR from collateral fetch: the same result" 0 ". == $(cat "$tmp/files.json")"
cvm_run collateral fetch "$Q" --pccs="$URL/pccs" -o "$tmp/bundle.json" "$AT"
expect "collateral fetch -o FILE.json" 0
cvm_run verify --json "$Q" --collateral="$tmp/bundle.json" "$AT"
expect "verify --collateral=bundle from collateral fetch: the same result" 0 ". == $(cat "$tmp/files.json")"
cvm_run collateral fetch "$Q" --pccs="$URL/unknown-fmspc" -o "$tmp/partial" "$AT" --no-cache
expect "collateral fetch, FMSPC unknown: exit 1 naming it" 1 "/Not available: tcb_info: .*HTTP 404/"
cvm_run collateral fetch "$Q" --kds -o "$tmp/x"
expect "collateral fetch --kds for a TDX quote: usage error" 2 "/is a TDX quote/"

# The 2023 directory form served as PCS, fetched for another quote (trustee tdx_quote_4, FMSPC 50806f000000).
serve tdx2023 --tdx "$DATA/tdx/go-tdx-guest-2023"
T4=$DATA/tdx/trustee/tdx_quote_4.dat
cvm_run collateral fetch "$T4" --pccs="http://127.0.0.1:$port/pccs" -o "$tmp/dir2023" --at=2023-07-01T01:00:00Z
expect "collateral fetch from the 2023 directory form" 0
for f in pck_crl.der pck_crl_issuer_chain.pem qe_identity.json qe_identity_issuer_chain.pem root_ca_crl.der \
        tcb_info_issuer_chain.pem; do
        tap_check "collateral fetch: $f byte-identical to the served file" \
                cmp -s "$tmp/dir2023/$f" "$DATA/tdx/go-tdx-guest-2023/$f"
done
cvm_run verify --json "$T4" --collateral="$tmp/dir2023" --at=2023-07-01T01:00:00Z --allow-debug
expect "trustee tdx_quote_4 with the fetched 2023 collateral: UpToDate" 0 '.tcb_status == "UpToDate"'

# ---- SEV-SNP: the GCE report (Milan, TCB 4/0/27/222) and its VCEK ----
S=$DATA/snp/teekit
R=$S/sev-gcp.bin
SAT=--at=2026-01-01T00:00:00Z
chip=$("$CVM" inspect --json "$R" | jq -r .chip_id)
serve kds --vcek "$S/sev-gcp-vcek.pem" --cert-chain "$S/sev-gcp-cert-chain.pem" --product Milan \
        --chip-id "$chip" --tcb "blSPL=4&teeSPL=0&snpSPL=27&ucodeSPL=222"
KURL=http://127.0.0.1:$port

cvm_run verify --json "$R" --certs="$S/sev-gcp-vcek.pem" "$SAT"
cp "$tmp/out" "$tmp/snp-files.json"
expect "files: sev-gcp accepted" 0 '.verdict == "accept"'
cvm_run verify --json "$R" --kds="$KURL/kds" "$SAT"
expect "--kds: the same result as --certs" 0 ". == $(cat "$tmp/snp-files.json")"
tap_check "--kds: the VCEK for the report's CHIP_ID and REPORTED_TCB, then cert_chain" \
        test "$(cat "$tmp/kds.log")" = "GET /kds/vcek/v1/Milan/$chip?blSPL=4&teeSPL=0&snpSPL=27&ucodeSPL=222
GET /kds/vcek/v1/Milan/cert_chain"
cvm_run verify --json "$R" --kds="$KURL/kds/vcek/v1" "$SAT"
expect "--kds again: accepted" 0 '.verdict == "accept"'
tap_check "--kds again: from the cache, no request" [ "$(requests kds)" -eq 2 ]
cvm_run verify --json "$R" --kds="$KURL/kds" --at=2033-01-01T00:00:00Z
expect "--kds after the VCEK's notAfter: refetched, and expired" 1 '.verdict == "reject"'
# The ASK and ARK are valid until 2045: only the VCEK is fetched again.
tap_check "after the VCEK's notAfter: the VCEK fetched again, not the ASK and ARK" \
        test "$(requests kds) $(tail -n 1 "$tmp/kds.log")" = \
        "3 GET /kds/vcek/v1/Milan/$chip?blSPL=4&teeSPL=0&snpSPL=27&ucodeSPL=222"

cvm_run verify --json "$R" --kds="$KURL/kds-404" "$SAT"
expect "KDS 404: rejected, saying so" 1 '.verdict == "reject"' \
        '.checks[] | select(.id == "certificates") | .ok == false and (.detail | test("HTTP 404: KDS has no VCEK"))'
cvm_run verify --json "$R" --kds="$KURL/kds-429" "$SAT"
expect "KDS 429: error naming the rate limit" 2 "/HTTP 429 instead of the VCEK \\(KDS rate limit/"
cvm_run verify --json "$R" --kds="$KURL/kds-truncated" "$SAT"
expect "a cut VCEK: error" 2 "/kds-truncated\\/vcek.*: the body is not one certificate/"
cvm_run verify --json "$R" --kds="$KURL/kds" --certs="$S/sev-gcp-vcek.pem"
expect "--kds with --certs: usage error" 2 "/alternatives/"
cvm_run verify --json "$R" --pccs="$URL/pccs"
expect "--pccs for an SNP report: usage error" 2 "/apply to TDX/"

cvm_run collateral fetch "$R" --kds="$KURL/kds" -o "$tmp/snp" "$SAT"
expect "collateral fetch --kds" 0
tap_check "collateral fetch --kds: vcek.der is the VCEK in DER" \
        cmp -s "$tmp/snp/vcek.der" <(openssl x509 -in "$S/sev-gcp-vcek.pem" -outform DER)
cvm_run verify --json "$R" --certs="$tmp/snp" "$SAT"
expect "verify --certs=DIR from collateral fetch: the same result" 0 ". == $(cat "$tmp/snp-files.json")"

tap_done
