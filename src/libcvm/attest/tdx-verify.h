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

#include "attest/collateral.h"
#include "attest/tcb-eval.h"
#include "attest/tdx-quote.h"
#include "attest/x509-chain.h"
#include "macro.h"

typedef struct TdxCheck {
        const char *id; /* static: "quote.signature", "qe-report.signature", ... */
        bool ok;
        int error; /* 0 or the -errno of this check */
        char *detail;
} TdxCheck;

typedef struct TdxVerifyResult {
        TdxCheck *checks;
        size_t n_checks;
        bool have_tcb_status; /* the TCB appraisal ran on verified collateral */
        TcbStatus tcb_status;
        char **advisory_ids; /* NULL-terminated, may be NULL */
        size_t n_advisory_ids;
} TdxVerifyResult;

void tdx_verify_result_done(TdxVerifyResult *r);
/* The last check with this id, or NULL. */
const TdxCheck *tdx_verify_result_find(const TdxVerifyResult *r, const char *id);

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
