/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDX quote verification (reference/attestation.md b.3) on real quotes with the collateral and check
 * times of test-tcb-eval.c / test-collateral.c (MANIFEST windows): the verdicts, the QVL order of the
 * checks, every byte of a quote's signed region and of its QE report flipped in turn, the QE report data
 * binding, missing collateral reported as missing, and the built-in Intel SGX Root CA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "attest/intel-root.h"
#include "attest/tdx-verify.h"
#include "test-tcb-util.h"

static void parse_quote(const char *name, TdxQuote *ret)
{
        size_t n;
        _cleanup_free_ uint8_t *b = attest_load(name, &n);
        _cleanup_free_ char *detail = NULL;
        if (tdx_quote_parse(b, n, ret, &detail) < 0)
                fail_msg("%s: %s", name, strna(detail));
}

static void assert_check(const TdxVerifyResult *r, const char *id, int error)
{
        const TdxCheck *c = tdx_verify_result_find(r, id);
        if (!c)
                fail_msg("no check '%s'", id);
        if (c->error != error || c->ok != (error == 0))
                fail_msg("check '%s': %d (%s), expected %d", id, c->error, strna(c->detail), error);
}

/* SHA-256 44:A0:19:6B:...:D3, the fingerprint Intel publishes for its SGX Root CA. */
static void test_intel_root(void **state)
{
        static const uint8_t fp[32] = { 0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49,
                                        0xE9, 0x5B, 0x80, 0x7A, 0x35, 0x0E, 0x74, 0x24, 0x96, 0x43, 0x99,
                                        0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3 };
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL, *file = intel_root();
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned l = 0;

        assert_int_equal(intel_sgx_root_load(&sk), 0);
        assert_int_equal(sk_X509_num(sk), 1);
        assert_int_equal(X509_digest(sk_X509_value(sk, 0), EVP_sha256(), md, &l), 1);
        assert_int_equal(l, 32);
        assert_memory_equal(md, fp, 32);
        assert_int_equal(X509_cmp(sk_X509_value(sk, 0), sk_X509_value(file, 0)), 0);
}

static void test_real(void **state)
{
        static const char *const order[] = { "quote.qe-vendor",     "quote.signature",    "pck.certificates",
                                             "qe-report.signature", "qe-report.data",     "pck.chain",
                                             "pck.extension",       "collateral.tcb_info" };
        _cleanup_(sk_X509_pop_freep) X509Stack *root = NULL;
        _cleanup_(tdx_quote_done) TdxQuote q = {}, v5 = {}, spr = {};
        _cleanup_(collateral_done) Collateral c = {}, o = {}, old = {};
        TdxVerifyResult r;

        assert_int_equal(intel_sgx_root_load(&root), 0);
        parse_quote(COLL "dcap-qvl/tdx_quote", &q);
        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at("2025-07-01T00:00:00Z"), &r), 0);
        assert_true(r.have_tcb_status);
        assert_int_equal(r.tcb_status, TCB_STATUS_UP_TO_DATE);
        for (size_t i = 0; i < r.n_checks; i++)
                if (!r.checks[i].ok)
                        fail_msg("%s: %s", r.checks[i].id, strna(r.checks[i].detail));
        assert_true(r.n_checks >= ELEMENTSOF(order) + 1);
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                assert_string_equal(r.checks[i].id, order[i]);
        assert_string_equal(r.checks[r.n_checks - 1].id, "tcb");
        tdx_verify_result_done(&r);

        /* Just after the PCK CRL's nextUpdate: expired, and the collateral check names it. */
        assert_int_equal(tdx_quote_verify(&q, &c, root, at("2025-07-19T10:00:36Z"), &r), -EKEYEXPIRED);
        assert_check(&r, "collateral.pck_crl", -EKEYEXPIRED);
        assert_check(&r, "quote.signature", 0);
        tdx_verify_result_done(&r);

        /* v5 with the 2026 bundle; SPR E4 with the 2023 directory: no TCB level is a verdict. */
        parse_quote(COLL "go-tdx-guest/quote_v5_sample.dat", &v5);
        load_collateral(COLL "dcap-qvl/tdx_quote_outdated_collateral.json", &o);
        assert_int_equal(tdx_quote_verify(&v5, &o, root, at("2026-03-01T00:00:00Z"), &r), 0);
        assert_int_equal(r.tcb_status, TCB_STATUS_UP_TO_DATE);
        tdx_verify_result_done(&r);
        parse_quote(COLL "go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &spr);
        load_collateral_dir(COLL "go-tdx-guest-2023", &old);
        assert_int_equal(tdx_quote_verify(&spr, &old, root, at("2023-07-01T01:00:00Z"), &r), 0);
        assert_true(r.have_tcb_status);
        assert_int_equal(r.tcb_status, TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        tdx_verify_result_done(&r);

        /* The wrong quote for the collateral (v5 sample with the 2025 bundle, another FMSPC). */
        assert_int_not_equal(tdx_quote_verify(&v5, &c, root, at("2025-07-01T00:00:00Z"), &r), 0);
        assert_false(r.have_tcb_status);
        tdx_verify_result_done(&r);
}

/* Missing collateral is a failed check, never a pass. */
static void test_missing(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        parse_quote(COLL "dcap-qvl/tdx_quote", &q);
        assert_int_equal(tdx_quote_verify(&q, NULL, root, at("2025-07-01T00:00:00Z"), &r), -ENODATA);
        assert_check(&r, "quote.signature", 0);
        assert_check(&r, "qe-report.data", 0);
        assert_check(&r, "pck.chain", -ENODATA);
        assert_check(&r, "collateral", -ENODATA);
        assert_check(&r, "tcb", -ENODATA);
        assert_false(r.have_tcb_status);
        tdx_verify_result_done(&r);

        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        X509_CRL_free(c.pck_crl);
        c.pck_crl = NULL;
        c.present[COLLATERAL_PCK_CRL] = false;
        assert_int_equal(tdx_quote_verify(&q, &c, root, at("2025-07-01T00:00:00Z"), &r), -ENODATA);
        assert_check(&r, "pck.chain", -ENODATA);
        assert_check(&r, "collateral.pck_crl", -ENODATA);
        assert_check(&r, "collateral.tcb_info", 0);
        tdx_verify_result_done(&r);
}

/* Each byte of the signed region, of the QE report and of the QE auth data, flipped in turn. */
static void test_flip(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        time_t t = at("2025-07-01T00:00:00Z");
        TdxVerifyResult r;

        parse_quote(COLL "dcap-qvl/tdx_quote", &q);
        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        uint8_t *orig = q.raw;
        _cleanup_free_ uint8_t *copy = attest_dup(orig, q.size, q.size);
        TdxQuote m = q;
        m.raw = copy;

        assert_int_equal(q.signed_size, 48 + 584);
        for (size_t i = 0; i < q.signed_size; i++) {
                copy[i] ^= 0x01;
                assert_int_equal(tdx_quote_verify(&m, &c, root, t, &r), -EKEYREJECTED);
                assert_check(&r, "quote.signature", -EKEYREJECTED);
                assert_check(&r, "qe-report.signature", 0);
                tdx_verify_result_done(&r);
                copy[i] ^= 0x01;
        }
        for (size_t i = q.qe_report_offset; i < q.qe_report_offset + TDX_QE_REPORT_SIZE; i++) {
                copy[i] ^= 0x80;
                assert_int_equal(tdx_quote_verify(&m, &c, root, t, &r), -EKEYREJECTED);
                assert_check(&r, "quote.signature", 0);
                assert_check(&r, "qe-report.signature", -EKEYREJECTED);
                tdx_verify_result_done(&r);
                copy[i] ^= 0x80;
        }
        /* The QE auth data and the attestation key are bound by the QE report data only. */
        assert_true(q.qe_auth_size > 0);
        _cleanup_free_ uint8_t *auth = attest_dup(q.qe_auth_data, q.qe_auth_size, q.qe_auth_size);
        m.qe_auth_data = auth;
        for (size_t i = 0; i < q.qe_auth_size; i++) {
                auth[i] ^= 0x01;
                assert_int_equal(tdx_quote_verify(&m, &c, root, t, &r), -EKEYREJECTED);
                assert_check(&r, "qe-report.data", -EKEYREJECTED);
                assert_check(&r, "qe-report.signature", 0);
                tdx_verify_result_done(&r);
                auth[i] ^= 0x01;
        }
        /* A flipped quote signature, and the unmodified copy verifies. */
        m.signature[5] ^= 0x01;
        assert_int_equal(tdx_quote_verify(&m, &c, root, t, &r), -EKEYREJECTED);
        assert_check(&r, "quote.signature", -EKEYREJECTED);
        tdx_verify_result_done(&r);
        m.signature[5] ^= 0x01;
        assert_int_equal(tdx_quote_verify(&m, &c, root, t, &r), 0);
        tdx_verify_result_done(&r);

        /* The raw-key helper refuses a point not on the curve. */
        uint8_t key[64];
        memcpy(key, q.attestation_key, 64);
        key[63] ^= 0x01;
        assert_int_equal(tdx_ecdsa_p256_verify_raw(key, q.signature, orig, q.signed_size), -EKEYREJECTED);
        assert_int_equal(tdx_ecdsa_p256_verify_raw(q.attestation_key, q.signature, orig, q.signed_size), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_intel_root),
                cmocka_unit_test(test_real),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_flip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
