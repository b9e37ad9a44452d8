/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * X.509 certificate chains and CRLs for Intel DCAP (reference/attestation.md b.1-b.3): the PCK chain
 * carried in the quote's certification data, the TCB Signing chain of TCB info and QE identity, the PCK
 * CRL issuer chain. Verification is OpenSSL's X509_verify_cert() at a caller-given time (`--at`), with
 * CRLs, plus the checks OpenSSL does not make: every key on the chain must be EC P-256 (Intel signs with
 * ECDSA P-256 / SHA-256 only, [QVL] PckCertVerifier.cpp / TCBSigningChain.cpp).
 */
#include <openssl/x509.h>
#include <time.h>

#include "attest/openssl-util.h"
#include "macro.h"

/* A PEM bundle in a quote is ~3.7 KB; collateral chains are smaller. Anything above this is not one. */
#define X509_BUNDLE_MAX       (256U * 1024)
#define X509_BUNDLE_CERTS_MAX 16U
#define X509_CRL_MAX          (1024U * 1024)

/* Validity window of one certificate or CRL, for the final report ("valid between ... and ..."). */
typedef struct X509Window {
        char *name; /* subject (certificate) or issuer (CRL), one-line RFC 2253 */
        bool is_crl;
        time_t not_before; /* notBefore / thisUpdate */
        time_t not_after;  /* notAfter / nextUpdate (0 when a CRL has none) */
} X509Window;

typedef struct X509ChainResult {
        /* The first problem found: which certificate (depth 0 = leaf) and a sentence for users. */
        int error;
        int depth;
        char *subject;
        char *detail;
        /* Every certificate of the built chain (leaf first), then every CRL used. */
        X509Window *windows;
        size_t n_windows;
} X509ChainResult;

void x509_chain_result_done(X509ChainResult *r);

typedef enum X509ChainFlags {
        /* Check every certificate on the chain against a CRL from its issuer (CRL_CHECK | CRL_CHECK_ALL);
         * a missing CRL fails. */
        X509_CHAIN_CRL_CHECK = 1 << 0,
        /* Every certificate key must be EC P-256 (Intel SGX/TDX PKI). */
        X509_CHAIN_REQUIRE_P256 = 1 << 1,
} X509ChainFlags;

/*
 * Loads certificates from PEM (any number of blocks; text, NUL bytes and padding between and after them
 * are ignored, as the quote's certification data carries them) or from concatenated DER (the QVL sample
 * quote carries DER). At least one certificate, at most X509_BUNDLE_CERTS_MAX. -EBADMSG, -E2BIG, -ENOMEM.
 */
int x509_bundle_load(const void *data, size_t size, X509Stack **ret);
/* The same, taking a reference to the certificate of `known` (may be NULL) whose DER encoding is identical
 * instead of parsing it again: same result, without the cost of decoding its public key. */
int x509_bundle_load_known(const void *data, size_t size, X509Stack *known, X509Stack **ret);
/* One CRL, DER or PEM. -EBADMSG, -E2BIG, -ENOMEM. */
int x509_crl_load(const void *data, size_t size, X509_CRL **ret);

/*
 * Builds and verifies leaf -> untrusted... -> one of anchors at time `at`, using crls when flags has
 * X509_CHAIN_CRL_CHECK. Returns 0, or -EKEYEXPIRED (a certificate or CRL outside its validity at `at`),
 * -EKEYREVOKED (a certificate listed in its issuer's CRL), -EKEYREJECTED (bad signature, wrong curve,
 * broken chain, untrusted root, missing CRL), -ENOMEM. result (optional) names the certificate and the
 * reason and collects the validity windows; x509_chain_result_done() it in every case.
 */
int x509_chain_verify(X509 *leaf, X509Stack *untrusted, X509Stack *anchors, X509CrlStack *crls, time_t at,
                      unsigned flags, X509ChainResult *result);

/* Verifies a CRL's signature with issuer's key and its thisUpdate/nextUpdate at `at`. Same errors. */
int x509_crl_check(X509_CRL *crl, X509 *issuer, time_t at, char **reterr_detail);

/* The one-line subject; free() it. NULL on OOM. */
char *x509_subject(X509 *cert);
/* The value of the subject's CN or NULL; free() it. */
char *x509_common_name(X509 *cert);
/* 0 when the certificate's key is EC P-256, -EKEYREJECTED otherwise. */
int x509_require_p256(X509 *cert);

/* ECDSA with SHA-256 over data, the signature as raw r||s (32 bytes each, big-endian) as Intel's quotes and
 * PCS documents carry it. 0, -EKEYREJECTED, -ENOMEM. */
int ecdsa_p256_sha256_verify(EVP_PKEY *pkey, const uint8_t signature[static 64], const void *data,
                             size_t size);

/* The end-entity certificate of a bundle in any order (PCS chains are leaf-first, QVL's sample chains
 * root-first): the first certificate that issued none of the others. NULL for an empty bundle. */
X509 *x509_bundle_leaf(X509Stack *bundle);
/* The certificate of the bundle whose subject is `name` (a CRL's issuer), or NULL. */
X509 *x509_bundle_find_subject(X509Stack *bundle, const X509_NAME *name);

/* x509_chain_verify() with the bundle's leaf as leaf and all other certificates as untrusted helpers. */
int x509_bundle_verify(X509Stack *bundle, X509Stack *anchors, X509CrlStack *crls, time_t at, unsigned flags,
                       X509ChainResult *result);
