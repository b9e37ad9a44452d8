/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reference-value policies (src/libcvm/attest/policy.c) on arbitrary bytes: the strict JSON parse and, when
 * it succeeds, the evaluation on a fixed TDX quote body and a fixed SEV-SNP report (both TCB layouts), so
 * every value the parser can produce also goes through the comparisons and their messages.
 */
#include "attest/policy.h"
#include "fuzz.h"

static void check_result(const AttestChecks *res)
{
        assert(attest_checks_find(res, "policy.debug"));
        for (size_t i = 0; i < res->n; i++)
                assert(startswith(res->items[i].id, "policy.") && res->items[i].detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *err = NULL;
        VerifyPolicy p;

        if (fuzz_too_big(size))
                return 0;
        int r = verify_policy_parse((const char *) data, size, &p, &err);
        if (r < 0) {
                assert(r == -EBADMSG || r == -E2BIG || r == -ENOMEM);
                assert(r == -ENOMEM || err);
                return 0;
        }
        assert(p.has_tdx || p.has_snp);

        /* A TD with DEBUG and SEPT_VE_DISABLE, XFAM of the dcap-qvl sample, patterned measurements. */
        _cleanup_free_ TdxQuote *q = new0(TdxQuote, 1);
        _cleanup_free_ SnpReport *s = new0(SnpReport, 1);
        if (!q || !s) {
                verify_policy_done(&p);
                return 0;
        }
        q->body.td_attributes = TDX_TD_ATTR_DEBUG | TDX_TD_ATTR_SEPT_VE_DISABLE;
        q->body.xfam = 0x602e7;
        q->body.tee_tcb_svn[0] = 6;
        q->body.tee_tcb_svn[1] = 1;
        memset(q->body.mr_td, 0x91, sizeof(q->body.mr_td));
        memset(q->body.rtmr[1], 0x5a, sizeof(q->body.rtmr[1]));
        memset(q->body.report_data, 0xff, 32);

        TcbStatus st = TCB_STATUS_OUT_OF_DATE;
        AttestChecks res = {};
        r = verify_policy_evaluate_tdx(&p, q, &st, &res);
        assert(r == 0 || r == -ENOMEM || (r == -EMEDIUMTYPE && !p.has_tdx));
        if (r == 0)
                check_result(&res);
        attest_checks_done(&res);

        s->policy = SNP_POLICY_MBO | SNP_POLICY_SMT;
        s->vmpl = 1;
        s->guest_svn = 3;
        s->current_major = 1;
        s->current_minor = 55;
        s->committed_major = 1;
        s->committed_minor = 54;
        memset(s->measurement, 0xb7, sizeof(s->measurement));
        for (SnpTcbLayout l = 0; l < _SNP_TCB_LAYOUT_MAX; l++) {
                s->tcb_layout = l;
                snp_tcb_decode(UINT64_C(0xde1b000000000004), l, &s->current_tcb);
                snp_tcb_decode(UINT64_C(0xde1b000000000003), l, &s->committed_tcb);
                snp_tcb_decode(UINT64_C(0xde1b000000000004), l, &s->reported_tcb);
                snp_tcb_decode(UINT64_C(0x7308000000000003), l, &s->launch_tcb);
                r = verify_policy_evaluate_snp(&p, s, &res);
                assert(r == 0 || r == -ENOMEM || (r == -EMEDIUMTYPE && !p.has_snp));
                if (r == 0)
                        check_result(&res);
                attest_checks_done(&res);
        }
        verify_policy_done(&p);
        return 0;
}
