/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel PCS collateral JSON (src/libcvm/attest/collateral.c) on arbitrary bytes: the raw-value scanner of
 * a PCS body, the TCB info v3 and QE identity v2 parsers, and the dcap-qvl JSON bundle loader.
 */
#include "attest/collateral.h"
#include "fuzz.h"

static void check_tcb_info(const TcbInfo *t)
{
        assert(streq(t->id, "TDX") && t->version == 3);
        assert(t->n_levels > 0 && t->n_levels <= TCB_LEVELS_MAX);
        for (size_t i = 0; i < t->n_levels; i++) {
                assert(tcb_status_to_string(t->levels[i].status));
                assert(t->levels[i].status != TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
                assert(t->levels[i].n_advisory_ids <= TCB_ADVISORIES_MAX);
                /* Sorted highest first. */
                if (i > 0)
                        assert(memcmp(t->levels[i - 1].sgx_svn, t->levels[i].sgx_svn, TCB_COMPONENTS) >= 0);
        }
        for (size_t i = 0; i < t->n_module_identities; i++)
                for (size_t j = 1; j < t->module_identities[i].n_levels; j++)
                        assert(t->module_identities[i].levels[j - 1].isvsvn >=
                               t->module_identities[i].levels[j].isvsvn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *) data;
        char *detail = NULL;

        if (fuzz_too_big(size))
                return 0;

        static const char *const keys[] = { "tcbInfo", "enclaveIdentity" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                const char *v;
                size_t l;
                uint8_t sig[64];
                if (pcs_body_split(text, size, keys[k], &v, &l, sig) >= 0) {
                        /* The value lies inside the input and is an object's text. */
                        assert(v >= text && v + l <= text + size && l >= 2 && v[0] == '{' &&
                               v[l - 1] == '}');
                        TcbInfo t;
                        QeIdentity q;
                        if (tcb_info_parse(v, l, &t, &detail) >= 0) {
                                check_tcb_info(&t);
                                tcb_info_done(&t);
                        }
                        if (qe_identity_parse(v, l, &q, &detail) >= 0)
                                qe_identity_done(&q);
                }
        }

        TcbInfo t;
        if (tcb_info_parse(text, size, &t, &detail) >= 0) {
                check_tcb_info(&t);
                tcb_info_done(&t);
        }
        QeIdentity q;
        if (qe_identity_parse(text, size, &q, &detail) >= 0) {
                assert(streq(q.id, "TD_QE") && q.n_levels > 0);
                qe_identity_done(&q);
        }

        Collateral c;
        if (collateral_load_json(text, size, &c, &detail) >= 0) {
                assert(!c.present[COLLATERAL_TCB_INFO] || c.tcb_info.text);
                assert(!c.present[COLLATERAL_PCK_CRL] || c.pck_crl);
                collateral_done(&c);
        }
        free(detail);
        return 0;
}
