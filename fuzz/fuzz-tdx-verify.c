/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole TDX verification path (src/libcvm/attest/tdx-quote.c, tdx-verify.c, x509-chain.c, pck-ext.c,
 * tcb-eval.c) on arbitrary quote bytes: parse, then tdx_quote_verify() against the built-in Intel SGX Root
 * CA with one fixed real collateral bundle (dcap-qvl's, test/data/attest/tdx/dcap-qvl), loaded once, at a
 * time inside its window. Every check must carry an id and a detail, the result must agree with the
 * checks, and nothing but the one real quote that collateral belongs to can be accepted: an accepted
 * input has that quote's signed bytes and QE report (a forgery would need Intel's keys). A warm verifier
 * (tdx_verifier_init() once, its caches filled by every input before) must give the same report as the
 * cold tdx_quote_verify().
 */
#include "attest/intel-root.h"
#include "attest/tdx-verify.h"
#include "fileio.h"
#include "fuzz.h"

#define DATA_DIR CVM_FUZZ_TEST_DATA "/attest/tdx/dcap-qvl/"

static Collateral collateral;
static TdxVerifier warm;
static X509Stack *anchors;
static TdxQuote real;
static time_t check_time;

static void load_once(void)
{
        _cleanup_free_ char *json = NULL, *quote = NULL, *detail = NULL;
        size_t size;

        if (anchors)
                return;
        if (intel_sgx_root_load(&anchors) < 0 ||
            read_full_file(DATA_DIR "tdx_quote_collateral.json", COLLATERAL_JSON_MAX, &json, &size) < 0 ||
            collateral_load_json(json, size, &collateral, &detail) < 0 ||
            read_full_file(DATA_DIR "tdx_quote", CVM_QUOTE_MAX, &quote, &size) < 0 ||
            tdx_quote_parse((const uint8_t *) quote, size, &real, &detail) < 0 ||
            rfc3339_parse("2025-07-01T00:00:00Z", &check_time) < 0 ||
            tdx_verifier_init(&warm, &collateral, anchors, check_time) < 0) {
                fprintf(stderr, "fuzz-tdx-verify: cannot load %s: %s\n", DATA_DIR, strna(detail));
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *err = NULL;
        TdxQuote q;

        if (fuzz_too_big(size))
                return 0;
        load_once();
        if (tdx_quote_parse(data, size, &q, &err) < 0)
                return 0;

        TdxVerifyResult res, res_warm;
        int r = tdx_quote_verify(&q, &collateral, anchors, check_time, &res);
        int r_warm = tdx_verifier_verify(&warm, &q, &res_warm);
        assert(r <= 0);
        if (r != -ENOMEM && r_warm != -ENOMEM) {
                assert(r == r_warm && res.checks.n == res_warm.checks.n);
                for (size_t i = 0; i < res.checks.n; i++)
                        assert(streq(res.checks.items[i].id, res_warm.checks.items[i].id) &&
                               res.checks.items[i].error == res_warm.checks.items[i].error &&
                               streq(res.checks.items[i].detail, res_warm.checks.items[i].detail));
        }
        tdx_verify_result_done(&res_warm);
        if (r != -ENOMEM) {
                bool all_ok = true;
                assert(res.checks.n > 0);
                for (size_t i = 0; i < res.checks.n; i++) {
                        const AttestCheck *c = res.checks.items + i;
                        assert(c->id && c->detail);
                        assert(c->ok == (c->error == 0));
                        assert(c->error <= 0);
                        all_ok = all_ok && c->ok;
                }
                assert((r == 0) == all_ok);
                if (r < 0) {
                        /* The return value is the first failed check's. */
                        size_t i = 0;
                        while (res.checks.items[i].ok)
                                i++;
                        assert(res.checks.items[i].error == r);
                }
                if (r == 0) {
                        assert(res.have_tcb_status);
                        assert(q.signed_size == real.signed_size);
                        assert(memcmp(q.raw, real.raw, real.signed_size) == 0);
                        assert(memcmp(q.raw + q.qe_report_offset, real.raw + real.qe_report_offset,
                                      TDX_QE_REPORT_SIZE) == 0);
                }
        }
        tdx_verify_result_done(&res);
        tdx_quote_done(&q);
        return 0;
}
