#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A throwaway test PKI shaped like Intel's SGX/TDX PKI (reference/attestation.md b.1-b.3), for the cases
# real vectors lack. Run from anywhere; writes next to itself. Keys are random, so outputs differ per run,
# but names, dates, serials and what each file is meant to fail with do not (test-collateral.c,
# test-tdx-verify.c). The private keys of the signing certificates are written too (*.key, unencrypted
# PKCS#8): test-tdx-verify.c signs a quote's QE report with a PCK key and TCB info / QE identity with a TCB
# Signing key to run the whole verification under this PKI. They protect nothing.
#
# Every PCK certificate carries the SGX extension (1.2.840.113741.1.13.1) of the PCK certificate in
# ../tdx/dcap-qvl/tdx_quote, copied byte for byte, so that the FMSPC and TCB components match that
# quote's real TCB info.
#
#   root.pem                  "Test SGX Root CA", P-256, self-signed, 2020-01-01..2049-12-31
#   root.crl.der              root CRL (empty), 2024-01-01..2026-01-01
#   pck-ca.pem                "Test SGX PCK Platform CA", P-256, by root, 2020-01-01..2040-01-01
#   pck-crl.der               PCK CA CRL revoking serial 0x1002 (pck-revoked.pem), 2024-01-01..2026-01-01
#   pck.pem                   "Test SGX PCK Certificate" serial 0x1001, P-256, by pck-ca, 2022-01-01..2029-01-01
#   pck-revoked.pem           same subject, serial 0x1002, listed in pck-crl.der
#   pck-p384.pem              serial 0x1003 with a P-384 key (signature by pck-ca is fine): wrong curve
#   tcb-signing.pem           "Test SGX TCB Signing", serial 0x3001, P-256, by root, 2020-01-01..2040-01-01
#   tcb-signing-expired.pem   "Test SGX TCB Signing", P-256, by root, 2020-01-01..2021-01-01
#   orphan-ca.pem, pck-orphan.pem  a CA under an unrelated root and a PCK it issued: broken chain
#   pck.key, pck-revoked.key, pck-p384.key, pck-orphan.key, tcb-signing.key, tcb-signing-expired.key
set -eu
cd "$(dirname "$0")"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# The SGX extension of the real PCK leaf: the first certificate of the quote's PEM chain (the quote is
# binary; NULs become line breaks and the bytes before the first BEGIN line are cut).
LC_ALL=C tr '\000' '\n' <../tdx/dcap-qvl/tdx_quote |
        LC_ALL=C sed 's/^.*-----BEGIN CERTIFICATE-----/-----BEGIN CERTIFICATE-----/' |
        openssl x509 -out "$W/real-pck.pem"
SGX_EXT=$(openssl asn1parse -in "$W/real-pck.pem" | sed -n '/:1\.2\.840\.113741\.1\.13\.1$/{n;s/.*\[HEX DUMP\]://p;}')
[ -n "$SGX_EXT" ]

cat >"$W/ca.cnf" <<CNF
[ca]
default_ca = ca
[ca]
database = $W/index
new_certs_dir = $W
serial = $W/serial
crlnumber = $W/crlnumber
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[v3_ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_root]
basicConstraints = critical,CA:TRUE,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_pck]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.2.840.113741.1.13.1 = DER:$SGX_EXT
[crl_ext]
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$W/$1.key" 2>/dev/null; }
# keep NAME: the private key next to the certificate.
keep() { cp "$W/$1.key" "$1.key"; }
csr() { openssl req -new -key "$W/$1.key" -subj "/CN=$2/O=cvm test" -out "$W/$1.csr"; }
# sign NAME ISSUER SERIAL START END EXT [selfsign]
sign() {
        : >"$W/index"
        echo "$3" >"$W/serial"
        if [ "$2" = self ]; then
                openssl ca -batch -config "$W/ca.cnf" -selfsign -keyfile "$W/$1.key" -in "$W/$1.csr" \
                        -startdate "$4" -enddate "$5" -extensions "$6" -out "$W/$1.pem" -notext 2>/dev/null
        else
                openssl ca -batch -config "$W/ca.cnf" -cert "$2.pem" -keyfile "$W/$2.key" -in "$W/$1.csr" \
                        -startdate "$4" -enddate "$5" -extensions "$6" -out "$W/$1.pem" -notext 2>/dev/null
        fi
        openssl x509 -in "$W/$1.pem" -out "$1.pem"
}
# crl NAME ISSUER [REVOKED_CERT]
crl() {
        : >"$W/index"
        echo 01 >"$W/crlnumber"
        if [ $# -gt 2 ]; then
                openssl ca -config "$W/ca.cnf" -cert "$2.pem" -keyfile "$W/$2.key" -revoke "$3" \
                        -crl_reason keyCompromise 2>/dev/null
        fi
        openssl ca -config "$W/ca.cnf" -gencrl -cert "$2.pem" -keyfile "$W/$2.key" -crlexts crl_ext \
                -crl_lastupdate 20240101000000Z -crl_nextupdate 20260101000000Z -out "$W/$1.pem" 2>/dev/null
        openssl crl -in "$W/$1.pem" -outform DER -out "$1.der"
}

key root prime256v1
csr root "Test SGX Root CA"
sign root self 1000 20200101000000Z 20491231235959Z v3_root
crl root.crl root

key pck-ca prime256v1
csr pck-ca "Test SGX PCK Platform CA"
sign pck-ca root 2000 20200101000000Z 20400101000000Z v3_ca

key pck prime256v1
csr pck "Test SGX PCK Certificate"
sign pck pck-ca 1001 20220101000000Z 20290101000000Z v3_pck
key pck-revoked prime256v1
csr pck-revoked "Test SGX PCK Certificate"
sign pck-revoked pck-ca 1002 20220101000000Z 20290101000000Z v3_pck
key pck-p384 secp384r1
csr pck-p384 "Test SGX PCK Certificate"
sign pck-p384 pck-ca 1003 20220101000000Z 20290101000000Z v3_pck
crl pck-crl pck-ca pck-revoked.pem

key tcb-signing prime256v1
csr tcb-signing "Test SGX TCB Signing"
sign tcb-signing root 3001 20200101000000Z 20400101000000Z v3_leaf
key tcb-signing-expired prime256v1
csr tcb-signing-expired "Test SGX TCB Signing"
sign tcb-signing-expired root 3000 20200101000000Z 20210101000000Z v3_leaf

key other-root prime256v1
csr other-root "Other Root CA"
sign other-root self 4000 20200101000000Z 20491231235959Z v3_root
key orphan-ca prime256v1
csr orphan-ca "Test SGX PCK Platform CA Orphan"
sign orphan-ca other-root 4001 20200101000000Z 20400101000000Z v3_ca
key pck-orphan prime256v1
csr pck-orphan "Test SGX PCK Certificate"
sign pck-orphan orphan-ca 4002 20220101000000Z 20290101000000Z v3_pck
rm -f other-root.pem

for k in pck pck-revoked pck-p384 pck-orphan tcb-signing tcb-signing-expired; do
        keep "$k"
done
