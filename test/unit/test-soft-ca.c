/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The soft quoting CA (qgs/soft-ca.h): a CA made by soft_ca_init() quotes the DCAP test TDREPORT, and the
 * quote passes the full DCAP verification (attest/tdx-verify.h) against the soft root with the soft
 * collateral, UpToDate, while the built-in Intel root rejects its PCK chain; the quote body carries the
 * TDREPORT's measurements; bad TDREPORTs are refused naming the field; stale collateral is re-signed at
 * load; quotes from many threads at once all verify.
 */
#include <pthread.h>
#include <sys/stat.h>

#include "attest/intel-root.h"
#include "attest/tdx-verify.h"
#include "qgs/soft-ca.h"
#include "qgs/soft-collateral.h"
#include "test-tcb-util.h"
#include "test-util.h"

#define TDREPORT "tdx/dcap-misc/tdreport_for_test.dat"

static char *ca_dir;

static int setup(void **state)
{
        char tmpl[] = "/tmp/cvm-soft-ca-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        assert_int_equal(asprintf(&ca_dir, "%s/ca", tmpl), (int) strlen(tmpl) + 3);
        assert_int_equal(soft_ca_init(ca_dir), 0);
        return 0;
}

static int teardown(void **state)
{
        /* The temporary directory around ca_dir goes, with the CA in it. */
        char *top = strndup(ca_dir, strlen(ca_dir) - 3);
        rm_rf_freep(&top);
        free(ca_dir);
        return 0;
}

static char *ca_path(const char *name)
{
        char *p;
        assert_true(asprintf(&p, "%s/%s", ca_dir, name) > 0);
        return p;
}

static uint8_t *tdreport(void)
{
        size_t n;
        uint8_t *b = attest_load(TDREPORT, &n);
        assert_int_equal(n, TDX_REPORT_SIZE);
        return b;
}

static void quote_of(SoftCa *ca, const uint8_t *report, TdxQuote *ret)
{
        _cleanup_free_ uint8_t *q = NULL;
        _cleanup_free_ char *detail = NULL;
        size_t n;
        assert_int_equal(soft_ca_quote(ca, report, NULL, &q, &n), 0);
        if (tdx_quote_parse(q, n, ret, &detail) < 0)
                fail_msg("%s", strna(detail));
        assert_int_equal(ret->size, n);
        assert_int_equal(ret->trailing, 0);
}

static X509Stack *soft_root(void)
{
        _cleanup_free_ char *p = ca_path("root.pem");
        _cleanup_free_ char *data = NULL;
        size_t n;
        X509Stack *sk = NULL;
        assert_int_equal(read_full_file(p, 65536, &data, &n), 0);
        assert_int_equal(x509_bundle_load(data, n, &sk), 0);
        assert_int_equal(sk_X509_num(sk), 1);
        return sk;
}

static void soft_collateral(Collateral *ret)
{
        _cleanup_free_ char *p = ca_path("collateral"), *detail = NULL;
        if (collateral_load_dir(p, ret, &detail) < 0)
                fail_msg("%s", strna(detail));
        for (size_t i = 0; i < _COLLATERAL_PART_MAX; i++)
                assert_true(ret->present[i]);
}

static void assert_all_checks_pass(const TdxVerifyResult *r)
{
        for (size_t i = 0; i < r->checks.n; i++)
                if (!r->checks.items[i].ok)
                        fail_msg("%s: %s", r->checks.items[i].id, strna(r->checks.items[i].detail));
}

static void test_layout(void **state)
{
        struct stat st;
        static const char *const keys[] = { "root.key", "pck-ca.key", "pck.key", "tcb-signing.key",
                                            "attestation.key" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_free_ char *p = ca_path(keys[i]);
                assert_int_equal(stat(p, &st), 0);
                if ((st.st_mode & 0777) != 0600)
                        fail_msg("%s has mode %o", keys[i], st.st_mode & 0777);
        }
        _cleanup_(sk_X509_pop_freep) X509Stack *root = soft_root();
        _cleanup_free_ char *cn = x509_common_name(sk_X509_value(root, 0));
        assert_string_equal(cn, "cvm INSECURE soft quoting root");

        /* A second init never overwrites a CA. */
        assert_int_equal(soft_ca_init(ca_dir), -EEXIST);
}

static void test_quote_verifies(void **state)
{
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ uint8_t *report = tdreport();
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = soft_root(), *intel = NULL;
        TdxReport tdr;
        TdxVerifyResult r;

        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);
        quote_of(ca, report, &q);
        soft_collateral(&c);

        assert_int_equal(q.version, 4);
        assert_int_equal(q.att_key_type, TDX_ATT_KEY_ECDSA_P256);
        assert_int_equal(q.tee_type, TDX_QUOTE_TEE_TDX);
        assert_memory_equal(q.qe_vendor_id, TDX_QE_VENDOR_INTEL, 16);
        assert_int_equal(q.cert.type, TDX_CERT_QE_REPORT);
        assert_true(q.has_qe_report);
        assert_int_equal(q.qe_cert.type, TDX_CERT_PCK_CERT_CHAIN);
        assert_int_equal(q.qe_cert.n_pem_certificates, 3);

        /* The body is the TDREPORT's. */
        assert_int_equal(tdx_report_parse(report, TDX_REPORT_SIZE, &tdr, NULL), 0);
        assert_memory_equal(q.body.mr_td, tdr.body.mr_td, 48);
        assert_memory_equal(q.body.rtmr, tdr.body.rtmr, sizeof(tdr.body.rtmr));
        assert_memory_equal(q.body.report_data, tdr.body.report_data, 64);
        assert_memory_equal(q.body.tee_tcb_svn, tdr.body.tee_tcb_svn, 16);
        assert_memory_equal(q.body.mr_seam, tdr.body.mr_seam, 48);
        assert_memory_equal(q.body.mr_config_id, tdr.body.mr_config_id, 48);
        assert_memory_equal(q.body.mr_owner, tdr.body.mr_owner, 48);
        assert_memory_equal(q.body.mr_owner_config, tdr.body.mr_owner_config, 48);
        assert_int_equal(q.body.td_attributes, tdr.body.td_attributes);
        assert_int_equal(q.body.xfam, tdr.body.xfam);
        assert_int_equal(q.body.td_attributes, UINT64_C(0x50000000));
        assert_int_equal(q.body.xfam, UINT64_C(0x602e7));

        /* The whole DCAP verification against the soft root and collateral, now. */
        assert_int_equal(tdx_quote_verify(&q, &c, root, time(NULL), &r), 0);
        assert_all_checks_pass(&r);
        assert_true(r.have_tcb_status);
        assert_int_equal(r.tcb_status, TCB_STATUS_UP_TO_DATE);
        assert_non_null(attest_checks_find(&r.checks, "tcb"));
        tdx_verify_result_done(&r);

        /* After the collateral's 30 days it has expired. */
        assert_int_equal(tdx_quote_verify(&q, &c, root, time(NULL) + SOFT_COLLATERAL_LIFETIME + 3600, &r),
                         -EKEYEXPIRED);
        tdx_verify_result_done(&r);

        /* Intel's root does not know the soft chain. */
        assert_int_equal(intel_sgx_root_load(&intel), 0);
        assert_int_equal(tdx_quote_verify(&q, &c, intel, time(NULL), &r), -EKEYREJECTED);
        const AttestCheck *k = attest_checks_find(&r.checks, "pck.chain");
        assert_non_null(k);
        assert_false(k->ok);
        assert_int_equal(k->error, -EKEYREJECTED);
        assert_true(attest_checks_find(&r.checks, "quote.signature")->ok);
        tdx_verify_result_done(&r);
}

/* The TDREPORT edited and its TEE_TCB_INFO_HASH recomputed, as a TDX module would have produced it. */
static void set_tee_tcb_svn(uint8_t *report, uint8_t svn0, uint8_t major)
{
        report[256 + 8] = svn0;
        report[256 + 9] = major;
        assert_non_null(EVP_Digest(report + 256, 239, report + 32, NULL, EVP_sha384(), NULL));
}

static void test_module_identity(void **state)
{
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ uint8_t *report = tdreport();
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = soft_root();

        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);
        soft_collateral(&c);
        /* TDX 1.5 modules (major 1) and later are judged by module identity TDX_<major>. */
        for (uint8_t major = 1; major <= 15; major += 7) {
                _cleanup_(tdx_quote_done) TdxQuote q = {};
                TdxVerifyResult r;
                set_tee_tcb_svn(report, 3, major);
                quote_of(ca, report, &q);
                assert_int_equal(q.body.tee_tcb_svn[1], major);
                assert_int_equal(tdx_quote_verify(&q, &c, root, time(NULL), &r), 0);
                assert_int_equal(r.tcb_status, TCB_STATUS_UP_TO_DATE);
                tdx_verify_result_done(&r);
        }
}

static void test_bad_tdreport(void **state)
{
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ uint8_t *report = tdreport();
        uint8_t *q = NULL;
        size_t n = 0;

        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);

        /* An SGX report (type 0) is not a TD report. */
        report[0] = 0x00;
        _cleanup_free_ char *d1 = NULL;
        ASSERT_ERROR(soft_ca_check_tdreport(report, &d1), -EBADMSG, d1, "REPORTTYPE", "offset 0", "0x00",
                     "0x81");
        assert_int_equal(soft_ca_quote(ca, report, NULL, &q, &n), -EBADMSG);
        assert_null(q);
        report[0] = 0x81;

        /* A TDINFO byte (MRTD) changed behind the TEE_INFO_HASH's back. */
        report[512 + 16] ^= 1;
        _cleanup_free_ char *d2 = NULL;
        ASSERT_ERROR(soft_ca_check_tdreport(report, &d2), -EBADMSG, d2, "TEE_INFO_HASH", "offset 80",
                     "TDINFO");
        assert_int_equal(soft_ca_quote(ca, report, NULL, &q, &n), -EBADMSG);
        /* A nonce made ahead is consumed by a refused quote too (ASan's leak check sees it otherwise). */
        SoftNonce *nonce = NULL;
        assert_int_equal(soft_ca_nonce(ca, &nonce), 0);
        assert_int_equal(soft_ca_quote(ca, report, nonce, &q, &n), -EBADMSG);
        report[512 + 16] ^= 1;

        /* A TEE_TCB_INFO byte (MRSEAM). */
        report[256 + 24] ^= 1;
        _cleanup_free_ char *d3 = NULL;
        ASSERT_ERROR(soft_ca_check_tdreport(report, &d3), -EBADMSG, d3, "TEE_TCB_INFO_HASH", "offset 32");
        report[256 + 24] ^= 1;

        assert_int_equal(soft_ca_check_tdreport(report, NULL), 0);
}

static void test_refresh(void **state)
{
        _cleanup_(soft_pki_done) SoftPki p = {};
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ char *coll = ca_path("collateral");
        time_t now = time(NULL), next;

        /* Collateral issued 20 days ago has 10 days left: a load re-signs it for 30 days from now. */
        assert_int_equal(soft_pki_load(ca_dir, &p), 0);
        assert_int_equal(soft_collateral_write(&p, coll, now - 20 * 24 * 3600), 0);
        assert_int_equal(soft_collateral_next_update(coll, &next), 0);
        assert_true(next <= now + 10 * 24 * 3600);
        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);
        assert_int_equal(soft_collateral_next_update(coll, &next), 0);
        assert_true(next >= now + SOFT_COLLATERAL_LIFETIME);

        /* A missing part is written again too. */
        _cleanup_free_ char *crl = ca_path("collateral/pck_crl.der");
        assert_int_equal(unlink(crl), 0);
        ca = soft_ca_free(ca);
        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);
        assert_int_equal(access(crl, R_OK), 0);

        /* A CA without its attestation key does not load. */
        _cleanup_free_ char *key = ca_path("attestation.key"), *moved = ca_path("attestation.key.away");
        assert_int_equal(rename(key, moved), 0);
        ca = soft_ca_free(ca);
        assert_int_equal(soft_ca_load(ca_dir, &ca), -ENOENT);
        assert_int_equal(rename(moved, key), 0);
}

#define THREADS           4
#define QUOTES_PER_THREAD 25

typedef struct Job {
        SoftCa *ca;
        const uint8_t *report;
        int failures;
} Job;

static void *quote_thread(void *userdata)
{
        Job *j = userdata;
        for (int i = 0; i < QUOTES_PER_THREAD; i++) {
                _cleanup_free_ uint8_t *q = NULL;
                size_t n;
                TdxQuote t = {};
                SoftNonce *nonce = NULL;
                /* Half of them with a nonce made ahead, as cvm-qgsd's soft backend does when idle. */
                if (i % 2 == 0 && soft_ca_nonce(j->ca, &nonce) < 0)
                        j->failures++;
                if (soft_ca_quote(j->ca, j->report, nonce, &q, &n) < 0 ||
                    tdx_quote_parse(q, n, &t, NULL) < 0 ||
                    tdx_ecdsa_p256_verify_raw(t.attestation_key, t.signature, t.raw, t.signed_size) < 0)
                        j->failures++;
                tdx_quote_done(&t);
        }
        return NULL;
}

static void test_threads(void **state)
{
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ uint8_t *report = tdreport();
        pthread_t t[THREADS];
        Job jobs[THREADS];

        assert_int_equal(soft_ca_load(ca_dir, &ca), 0);
        for (size_t i = 0; i < THREADS; i++) {
                jobs[i] = (Job){ .ca = ca, .report = report };
                assert_int_equal(pthread_create(&t[i], NULL, quote_thread, &jobs[i]), 0);
        }
        for (size_t i = 0; i < THREADS; i++) {
                assert_int_equal(pthread_join(t[i], NULL), 0);
                assert_int_equal(jobs[i].failures, 0);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layout),          cmocka_unit_test(test_quote_verifies),
                cmocka_unit_test(test_module_identity), cmocka_unit_test(test_bad_tdreport),
                cmocka_unit_test(test_refresh),         cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
