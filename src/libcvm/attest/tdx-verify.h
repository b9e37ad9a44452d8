/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * TDX quote verification in Intel QVL order (reference/attestation.md b.3; [QVL]
 * Verifiers/QuoteVerifier.cpp): Intel's QE vendor ID, the quote signature by the attestation key over the
 * signed region, the QE report signature by the PCK leaf key, the QE report data binding SHA-256(attestation
 * key || QE auth data) || 32 zero bytes, the PCK chain with the PCK and root CRLs, the PCK SGX extension,
 * the collateral (TCB info, QE identity, their chains and CRLs), then the TCB appraisal. Every step runs and
 * is recorded as a check, so a report names every failure; a missing part of the collateral is a failed
 * check, never a pass. Policy (which TCB statuses to accept, debug TDs, report data) is the caller's.
 */
#include <time.h>

#include "attest/check-list.h"
#include "attest/collateral.h"
#include "attest/pck-ext.h"
#include "attest/tcb-eval.h"
#include "attest/tdx-quote.h"
#include "attest/x509-chain.h"
#include "macro.h"

typedef struct TdxVerifyResult {
        AttestChecks checks;
        bool have_tcb_status; /* the TCB appraisal ran on verified collateral */
        TcbStatus tcb_status;
        char **advisory_ids; /* NULL-terminated, may be NULL */
        size_t n_advisory_ids;
} TdxVerifyResult;

void tdx_verify_result_done(TdxVerifyResult *r);

/* ECDSA P-256 / SHA-256 over data: signature r||s (64 bytes, big-endian), key X||Y (64 bytes,
 * big-endian, the uncompressed point without its 0x04 prefix). 0, -EKEYREJECTED, -ENOMEM. */
int tdx_ecdsa_p256_verify_raw(const uint8_t key[static 64], const uint8_t signature[static 64],
                              const void *data, size_t size);

/*
 * Verifies q at time `at` against anchors (the Intel SGX Root CA) with collateral c (may be NULL: every
 * collateral check then fails as missing). Returns 0 when every check passed (res->tcb_status holds the
 * verdict, which may be any status), else the first failed check's -errno: -EKEYREJECTED, -EKEYEXPIRED,
 * -EKEYREVOKED, -ENODATA (missing collateral or certification data), -EBADMSG. -ENOMEM. res is filled in
 * every case; tdx_verify_result_done() it.
 */
int tdx_quote_verify(const TdxQuote *q, const Collateral *c, X509Stack *anchors, time_t at,
                     TdxVerifyResult *res);

/*
 * The same split in two, for a verifier that sees many quotes of one platform (the warm path of an
 * attestation service; bench/verify.sh): tdx_verifier_init() verifies the collateral once at `at` (its
 * chains, CRLs, signatures and windows, and the TCB info / QE identity parsed); tdx_verifier_verify() then
 * checks one quote against it and gives exactly what tdx_quote_verify() gives. Per quote that leaves the
 * quote and QE report signatures and the PCK leaf: when the quote's chain is the leaf, the PCK CA whose CRL
 * the collateral verified and trust anchors only, the leaf is checked against that CA and CRL directly
 * (signature, validity, P-256, revocation) instead of re-verifying the whole chain and both CRLs; the caches
 * live and die with the verifier, bound to its collateral and `at`. Anything else, and any failure, goes
 * through the full chain verification, so that errors read the same. The certificates of a quote's PCK
 * chain that the verifier already holds (the collateral's, and the PCK leaves it verified before: one
 * platform, one PCK certificate) are not parsed again, a leaf it verified is not verified again, nor the
 * last QE report (which binds the QE's attestation key) such a leaf was seen to sign. c and anchors must
 * outlive v; tdx_verifier_verify() updates that cache, so one verifier per thread.
 * tdx_verifier_init() returns 0 or -ENOMEM (collateral problems are reported per quote, as checks).
 */
#define TDX_VERIFIER_LEAVES 8U

typedef struct TdxVerifier {
        const Collateral *collateral; /* NULL: every collateral check fails as missing */
        X509Stack *anchors;
        time_t at;
        CollateralVerification cv;
        X509 *pck_ca;     /* the verified issuer of the verified PCK CRL, or NULL */
        X509Stack *known; /* references: the anchors, the PCK CRL chain, then verified leaves */
        X509 *leaves[TDX_VERIFIER_LEAVES]; /* PCK leaves whose chain verified (references), or NULL */
        PckExtension leaf_ext[TDX_VERIFIER_LEAVES];
        uint8_t leaf_qe[TDX_VERIFIER_LEAVES][TDX_QE_REPORT_SIZE + TDX_ECDSA_SIG_SIZE];
        bool leaf_qe_valid[TDX_VERIFIER_LEAVES];
        size_t next_leaf;
} TdxVerifier;

int tdx_verifier_init(TdxVerifier *v, const Collateral *c, X509Stack *anchors, time_t at);
void tdx_verifier_done(TdxVerifier *v);
int tdx_verifier_verify(TdxVerifier *v, const TdxQuote *q, TdxVerifyResult *res);
