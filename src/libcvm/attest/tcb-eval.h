/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * TCB appraisal of a TDX quote (reference/attestation.md b.3 step 5, Intel QVL
 * Verifiers/QuoteVerifier.cpp, Checks/TcbLevelCheck.cpp, Checks/TdxModuleCheck.cpp,
 * Verifiers/EnclaveReportVerifier.cpp): from already-verified collateral (TCB info, QE identity), the PCK
 * SGX extension and the quote's fields, the platform TCB level, the TDX module level, the QE level and
 * the converged status with Intel's precedence. "No matching level" is a verdict
 * (TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED), not an error.
 */
#include "attest/collateral.h"
#include "attest/pck-ext.h"
#include "macro.h"

/* The quote fields the appraisal reads; the caller takes them from its parsed quote. */
typedef struct TcbEvalQuote {
        uint8_t tee_tcb_svn[16];    /* TD report TEE_TCB_SVN */
        uint8_t mr_signer_seam[48]; /* MRSIGNERSEAM */
        uint8_t seam_attributes[8]; /* SEAMATTRIBUTES, raw bytes */
        /* The QE report (SGX report body of the TD-QE in the certification data). */
        uint32_t qe_miscselect;
        uint8_t qe_attributes[16];
        uint8_t qe_mr_signer[32];
        uint16_t qe_isv_prod_id;
        uint16_t qe_isv_svn;
} TcbEvalQuote;

typedef struct TcbEvalResult {
        TcbStatus status;          /* converged verdict */
        TcbStatus platform_status; /* the matching TCB level's (or TCB_LEVEL_NOT_SUPPORTED) */
        TcbStatus module_status;   /* the TDX module identity level's; UpToDate when tee_tcb_svn[1] == 0 */
        TcbStatus qe_status;       /* the QE identity level's */
        /* Index into TcbInfo.levels / the module identity's levels / QeIdentity.levels, or -1. */
        int platform_level, module_level, qe_level;
        const char *module_identity; /* "TDX_01", or NULL when tdxModule was used */
        time_t tcb_date;             /* tcbDate of the platform level (policy "TCB date" checks) */
        char **advisory_ids;         /* union of the three levels' advisories, NULL-terminated */
        size_t n_advisory_ids;
        char *detail; /* a sentence for users: why this status (or why -EKEYREJECTED) */
} TcbEvalResult;

void tcb_eval_result_done(TcbEvalResult *r);

/*
 * Appraises. Returns 0 with ret->status set (TcbLevelNotSupported included), or -EKEYREJECTED when the
 * inputs do not belong together: TCB info not for TDX, FMSPC or PCE-ID differing from the PCK's, no
 * TDX module identity for tee_tcb_svn[1], MRSIGNERSEAM or SEAMATTRIBUTES not matching the module
 * identity, QE report not matching the QE identity (mrsigner, isvprodid, masked miscselect/attributes);
 * ret->detail names the field. -ENOMEM.
 */
int tcb_evaluate(const TcbInfo *tcb_info, const QeIdentity *qe_identity, const PckExtension *pck,
                 const TcbEvalQuote *quote, TcbEvalResult *ret);

/* Status after a module or QE level of status `other` is applied to `status` (attestation.md b.3
 * "Converge"). */
TcbStatus tcb_status_converge(TcbStatus status, TcbStatus other);
