/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "attest/openssl-util.h"
#include "attest/tcb-eval.h"

void tcb_eval_result_done(TcbEvalResult *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_advisory_ids; i++)
                free(r->advisory_ids[i]);
        free(r->advisory_ids);
        free(r->detail);
        *r = (TcbEvalResult){};
}

TcbStatus tcb_status_converge(TcbStatus status, TcbStatus other)
{
        /* Not supported anywhere wins; then Revoked; an OutOfDate module or QE makes an otherwise current
         * platform OutOfDate, keeping "ConfigurationNeeded" ([QVL] QuoteVerifier.cpp
         * convergeTcbStatusWithTdxModuleStatus / convergeTcbStatusWithQeTcbStatus). */
        if (status == TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED || other == TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED)
                return TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED;
        if (status == TCB_STATUS_REVOKED || other == TCB_STATUS_REVOKED)
                return TCB_STATUS_REVOKED;
        if (other == TCB_STATUS_OUT_OF_DATE || other == TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED)
                switch (status) {
                case TCB_STATUS_UP_TO_DATE:
                case TCB_STATUS_SW_HARDENING_NEEDED:
                        return TCB_STATUS_OUT_OF_DATE;
                case TCB_STATUS_CONFIGURATION_NEEDED:
                case TCB_STATUS_CONFIGURATION_AND_SW_HARDENING_NEEDED:
                        return TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED;
                default:
                        return status;
                }
        return status;
}

static int advisories_add(TcbEvalResult *r, char *const *ids, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                for (size_t j = 0; j < r->n_advisory_ids && !dup; j++)
                        dup = streq(r->advisory_ids[j], ids[i]);
                if (dup)
                        continue;
                char **l = reallocarray(r->advisory_ids, r->n_advisory_ids + 2, sizeof(char *));
                if (!l)
                        return -ENOMEM;
                r->advisory_ids = l;
                if (!(l[r->n_advisory_ids] = strdup(ids[i])))
                        return -ENOMEM;
                l[++r->n_advisory_ids] = NULL;
        }
        return 0;
}

static bool masked_equal(const uint8_t *value, const uint8_t *expected, const uint8_t *mask, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if ((value[i] & mask[i]) != expected[i])
                        return false;
        return true;
}

/* The TDX module identity to judge the module by (attestation.md b.3, [QVL] TdxModuleCheck.cpp). */
static const TdxModuleIdentity *module_identity_find(const TcbInfo *t, uint8_t major)
{
        char id[16];
        /* QVL formats "TDX_%02X"; go-tdx-guest compares lower-case hex case-sensitively. Intel publishes
         * upper case; compare without case so that both agree. */
        snprintf(id, sizeof(id), "TDX_%02X", major);
        for (size_t i = 0; i < t->n_module_identities; i++)
                if (strcasecmp(t->module_identities[i].id, id) == 0)
                        return &t->module_identities[i];
        return NULL;
}

static bool components_ge(const uint8_t *have, const uint8_t *need, size_t from)
{
        for (size_t i = from; i < TCB_COMPONENTS; i++)
                if (have[i] < need[i])
                        return false;
        return true;
}

int tcb_evaluate(const TcbInfo *t, const QeIdentity *q, const PckExtension *pck, const TcbEvalQuote *quote,
                 TcbEvalResult *ret)
{
        TcbEvalResult r = { .platform_level = -1, .module_level = -1, .qe_level = -1 };
        char h1[13], h2[13];

        *ret = r;
        if (!t || !q || !pck || !quote)
                return -EINVAL;
#define REJECT(...)                                                                                         \
        do {                                                                                                \
                detail_set(&r.detail, __VA_ARGS__);                                                         \
                goto reject;                                                                                \
        } while (0)

        /* 4.1.2.4.x of QuoteVerifier.cpp: the collateral must be for this platform. */
        if (!streq(t->id, "TDX"))
                REJECT("TCB info id is \"%s\", a TDX quote needs \"TDX\"", t->id);
        if (memcmp(t->fmspc, pck->fmspc, sizeof(t->fmspc)) != 0) {
                for (size_t i = 0; i < 6; i++) {
                        sprintf(h1 + 2 * i, "%02x", t->fmspc[i]);
                        sprintf(h2 + 2 * i, "%02x", pck->fmspc[i]);
                }
                REJECT("TCB info is for FMSPC %s, the PCK certificate has FMSPC %s", h1, h2);
        }
        if (memcmp(t->pce_id, pck->pce_id, sizeof(t->pce_id)) != 0)
                REJECT("TCB info is for PCE-ID %02x%02x, the PCK certificate has PCE-ID %02x%02x",
                       t->pce_id[0], t->pce_id[1], pck->pce_id[0], pck->pce_id[1]);

        /* The module identity: TDX_<major> when tee_tcb_svn[1] > 0, else the plain tdxModule. */
        const TdxModuleIdentity *m = NULL;
        uint8_t major = quote->tee_tcb_svn[1];
        if (major > 0) {
                m = module_identity_find(t, major);
                if (!m)
                        REJECT("TCB info has no TDX module identity TDX_%02X (TEE_TCB_SVN[1] = %u)", major,
                               major);
                r.module_identity = m->id;
        } else if (t->has_tdx_module)
                m = &t->tdx_module;
        else
                REJECT("TCB info has neither tdxModule nor a module identity for TEE_TCB_SVN[1] = 0");
        if (memcmp(quote->mr_signer_seam, m->mrsigner, sizeof(m->mrsigner)) != 0)
                REJECT("MRSIGNERSEAM differs from the mrsigner of TDX module %s",
                       m->id[0] ? m->id : "tdxModule");
        /* SEAMATTRIBUTES must be zero for TDX 1.x and equal the identity's (masked) attributes. */
        static const uint8_t zero[8] = {};
        if (memcmp(quote->seam_attributes, zero, 8) != 0 ||
            !masked_equal(quote->seam_attributes, m->attributes, m->attributes_mask, 8))
                REJECT("SEAMATTRIBUTES do not match TDX module %s", m->id[0] ? m->id : "tdxModule");

        /* Platform level: the first level (highest first) whose SGX components and PCESVN the PCK reaches
         * and whose TDX components TEE_TCB_SVN reaches, from index 2 on when a module identity judges the
         * module SVNs ([QVL] TcbLevelCheck.cpp; attestation.md b.3 "index-2 rule"). */
        size_t from = major > 0 ? 2 : 0;
        bool sgx_matched = false;
        for (size_t i = 0; i < t->n_levels; i++) {
                const TcbLevel *l = &t->levels[i];
                if (!components_ge(pck->sgx_tcb_svn, l->sgx_svn, 0) || pck->pcesvn < l->pcesvn)
                        continue;
                sgx_matched = true;
                if (!components_ge(quote->tee_tcb_svn, l->tdx_svn, from))
                        continue;
                r.platform_level = (int) i;
                break;
        }
        if (r.platform_level < 0) {
                r.platform_status = TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED;
                detail_set(&r.detail, sgx_matched
                                              ? "TEE_TCB_SVN is below every TCB level that the PCK's SGX "
                                                "components and PCESVN reach"
                                              : "the PCK's SGX components and PCESVN are below every "
                                                "TCB level");
        } else {
                const TcbLevel *l = &t->levels[r.platform_level];
                r.platform_status = l->status;
                r.tcb_date = l->tcb_date;
                if (advisories_add(&r, l->advisory_ids, l->n_advisory_ids) < 0)
                        goto oom;
        }

        /* Module level: the first module level whose isvsvn TEE_TCB_SVN[0] reaches. */
        r.module_status = TCB_STATUS_UP_TO_DATE;
        if (major > 0) {
                r.module_status = TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED;
                for (size_t i = 0; i < m->n_levels; i++)
                        if (quote->tee_tcb_svn[0] >= m->levels[i].isvsvn) {
                                r.module_level = (int) i;
                                r.module_status = m->levels[i].status;
                                if (advisories_add(&r, m->levels[i].advisory_ids,
                                                   m->levels[i].n_advisory_ids) < 0)
                                        goto oom;
                                break;
                        }
                if (r.module_level < 0 && !r.detail)
                        detail_set(&r.detail, "TDX module SVN %u is below every level of %s",
                                   quote->tee_tcb_svn[0], m->id);
        }

        /* QE identity ([QVL] EnclaveReportVerifier.cpp): a mismatch is a rejection, not a status. */
        if (!streq(q->id, "TD_QE"))
                REJECT("QE identity id is \"%s\", a TDX quote needs \"TD_QE\"", q->id);
        if ((quote->qe_miscselect & q->miscselect_mask) != q->miscselect)
                REJECT("QE report MISCSELECT 0x%08x does not match the QE identity (0x%08x under mask "
                       "0x%08x)",
                       quote->qe_miscselect, q->miscselect, q->miscselect_mask);
        if (!masked_equal(quote->qe_attributes, q->attributes, q->attributes_mask, 16))
                REJECT("QE report ATTRIBUTES do not match the QE identity under its mask");
        if (memcmp(quote->qe_mr_signer, q->mrsigner, 32) != 0)
                REJECT("QE report MRSIGNER differs from the QE identity's mrsigner");
        if (quote->qe_isv_prod_id != q->isvprodid)
                REJECT("QE report ISVPRODID %u differs from the QE identity's isvprodid %u",
                       quote->qe_isv_prod_id, q->isvprodid);
        r.qe_status = TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED;
        for (size_t i = 0; i < q->n_levels; i++)
                if (quote->qe_isv_svn >= q->levels[i].isvsvn) {
                        r.qe_level = (int) i;
                        r.qe_status = q->levels[i].status;
                        if (advisories_add(&r, q->levels[i].advisory_ids, q->levels[i].n_advisory_ids) < 0)
                                goto oom;
                        break;
                }
        if (r.qe_level < 0 && !r.detail)
                detail_set(&r.detail, "QE ISVSVN %u is below every level of the QE identity",
                           quote->qe_isv_svn);

        r.status = tcb_status_converge(tcb_status_converge(r.platform_status, r.module_status), r.qe_status);
        if (!r.detail)
                detail_set(&r.detail, "platform %s, TDX module %s, QE %s",
                           tcb_status_to_string(r.platform_status), tcb_status_to_string(r.module_status),
                           tcb_status_to_string(r.qe_status));
        *ret = r;
        return 0;

oom:
        tcb_eval_result_done(&r);
        return -ENOMEM;
reject:
        /* Keep the sentence for the caller; nothing else of a rejected appraisal is meaningful. */
        ret->detail = TAKE_PTR(r.detail);
        r.detail = NULL;
        tcb_eval_result_done(&r);
        ret->platform_level = ret->module_level = ret->qe_level = -1;
        ret->status = ret->platform_status = ret->module_status = ret->qe_status = _TCB_STATUS_INVALID;
        return -EKEYREJECTED;
#undef REJECT
}
