/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDX quote verification (reference/attestation.md b.3) on real quotes with the collateral and check
 * times of test-tcb-eval.c / test-collateral.c (MANIFEST windows): the verdicts, the QVL order of the
 * checks, every byte of a quote's signed region and of its QE report flipped in turn, the QE report data
 * binding, missing collateral reported as missing, the built-in Intel SGX Root CA, and the whole
 * verification under the generated test PKI (test/data/attest/pki/gen-pki.sh) for what real vectors lack:
 * a revoked PCK, a wrong-curve PCK, a broken PCK chain, an expired TCB Signing certificate, QE identities
 * that do not match the QE report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>

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
        const AttestCheck *c = attest_checks_find(&r->checks, id);
        if (!c)
                fail_msg("no check '%s'", id);
        if (c->error != error || c->ok != (error == 0))
                fail_msg("check '%s': %d (%s), expected %d", id, c->error, strna(c->detail), error);
}

static void assert_detail(const TdxVerifyResult *r, const char *id, const char *word)
{
        const AttestCheck *c = attest_checks_find(&r->checks, id);
        assert_non_null(c);
        if (!c->detail || !strstr(c->detail, word))
                fail_msg("check '%s': '%s' lacks '%s'", id, strna(c->detail), word);
}

/* How many verified PCK leaves a verifier holds. */
static size_t leaf_slots(const TdxVerifier *w)
{
        size_t n = 0;
        for (size_t i = 0; i < TDX_VERIFIER_LEAVES; i++)
                n += w->leaves[i] != NULL;
        return n;
}

/* Two results are the same report: checks (id, error, detail) and TCB status. */
static void assert_same(const TdxVerifyResult *a, const TdxVerifyResult *b)
{
        assert_int_equal(a->checks.n, b->checks.n);
        for (size_t i = 0; i < a->checks.n; i++) {
                assert_string_equal(a->checks.items[i].id, b->checks.items[i].id);
                assert_int_equal(a->checks.items[i].error, b->checks.items[i].error);
                assert_string_equal(strna(a->checks.items[i].detail), strna(b->checks.items[i].detail));
        }
        assert_int_equal(a->have_tcb_status, b->have_tcb_status);
        if (a->have_tcb_status)
                assert_int_equal(a->tcb_status, b->tcb_status);
        assert_int_equal(a->n_advisory_ids, b->n_advisory_ids);
}

/* tdx_quote_verify() and a warm verifier (whose caches hold q's PCK leaf and QE report) on quote m:
 * the same report, and the return value of both. */
static int verify_both(TdxVerifier *w, const TdxQuote *m, const Collateral *c, X509Stack *root, time_t t,
                       TdxVerifyResult *ret)
{
        TdxVerifyResult warm;
        int r = tdx_quote_verify(m, c, root, t, ret);
        assert_int_equal(tdx_verifier_verify(w, m, &warm), r);
        assert_same(ret, &warm);
        tdx_verify_result_done(&warm);
        return r;
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
        for (size_t i = 0; i < r.checks.n; i++)
                if (!r.checks.items[i].ok)
                        fail_msg("%s: %s", r.checks.items[i].id, strna(r.checks.items[i].detail));
        assert_true(r.checks.n >= ELEMENTSOF(order) + 1);
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                assert_string_equal(r.checks.items[i].id, order[i]);
        assert_string_equal(r.checks.items[r.checks.n - 1].id, "tcb");
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

        /* A part whose issuer chain is missing is not verified either (nor reported as verifying). */
        sk_X509_pop_freep(&c.qe_identity_chain);
        c.qe_identity_chain = NULL;
        c.present[COLLATERAL_QE_IDENTITY_ISSUER_CHAIN] = false;
        sk_X509_pop_freep(&c.pck_crl_chain);
        c.pck_crl_chain = NULL;
        c.present[COLLATERAL_PCK_CRL_ISSUER_CHAIN] = false;
        assert_int_equal(tdx_quote_verify(&q, &c, root, at("2025-07-01T00:00:00Z"), &r), -ENODATA);
        assert_check(&r, "collateral.qe_identity_issuer_chain", -ENODATA);
        assert_check(&r, "collateral.qe_identity", -ENODATA);
        assert_check(&r, "collateral.pck_crl_issuer_chain", -ENODATA);
        assert_check(&r, "collateral.tcb_info", 0);
        assert_check(&r, "tcb", -ENODATA);
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

        /* A warm verifier, its caches filled by the real quote, must reject each copy just the same. */
        _cleanup_(tdx_verifier_done) TdxVerifier w = {};
        assert_int_equal(tdx_verifier_init(&w, &c, root, t), 0);
        assert_int_equal(tdx_verifier_verify(&w, &q, &r), 0);
        tdx_verify_result_done(&r);
        assert_int_equal(leaf_slots(&w), 1);

        assert_int_equal(q.signed_size, 48 + 584);
        for (size_t i = 0; i < q.signed_size; i++) {
                copy[i] ^= 0x01;
                assert_int_equal(verify_both(&w, &m, &c, root, t, &r), -EKEYREJECTED);
                assert_check(&r, "quote.signature", -EKEYREJECTED);
                assert_check(&r, "qe-report.signature", 0);
                tdx_verify_result_done(&r);
                copy[i] ^= 0x01;
        }
        for (size_t i = q.qe_report_offset; i < q.qe_report_offset + TDX_QE_REPORT_SIZE; i++) {
                copy[i] ^= 0x80;
                assert_int_equal(verify_both(&w, &m, &c, root, t, &r), -EKEYREJECTED);
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
                assert_int_equal(verify_both(&w, &m, &c, root, t, &r), -EKEYREJECTED);
                assert_check(&r, "qe-report.data", -EKEYREJECTED);
                assert_check(&r, "qe-report.signature", 0);
                tdx_verify_result_done(&r);
                auth[i] ^= 0x01;
        }
        /* A flipped quote signature, and the unmodified copy verifies. */
        m.signature[5] ^= 0x01;
        assert_int_equal(verify_both(&w, &m, &c, root, t, &r), -EKEYREJECTED);
        assert_check(&r, "quote.signature", -EKEYREJECTED);
        tdx_verify_result_done(&r);
        m.signature[5] ^= 0x01;
        /* The QE report signature, which the warm verifier has seen verify for this QE report. */
        m.qe_report_signature[7] ^= 0x01;
        assert_int_equal(verify_both(&w, &m, &c, root, t, &r), -EKEYREJECTED);
        assert_check(&r, "qe-report.signature", -EKEYREJECTED);
        tdx_verify_result_done(&r);
        m.qe_report_signature[7] ^= 0x01;
        assert_int_equal(verify_both(&w, &m, &c, root, t, &r), 0);
        tdx_verify_result_done(&r);
        assert_int_equal(leaf_slots(&w), 1);

        /* The raw-key helper refuses a point not on the curve. */
        uint8_t key[64];
        memcpy(key, q.attestation_key, 64);
        key[63] ^= 0x01;
        assert_int_equal(tdx_ecdsa_p256_verify_raw(key, q.signature, orig, q.signed_size), -EKEYREJECTED);
        assert_int_equal(tdx_ecdsa_p256_verify_raw(q.attestation_key, q.signature, orig, q.signed_size), 0);
}

/* ---- the test PKI ---------------------------------------------------------------------------------- */

static EVP_PKEY *pki_key(const char *name)
{
        _cleanup_free_ char *path = NULL;
        size_t n;
        assert_true(asprintf(&path, "pki/%s.key", name) > 0);
        _cleanup_free_ uint8_t *b = attest_load(path, &n);
        _cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(b, (int) n);
        assert_non_null(bio);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        assert_non_null(k);
        return k;
}

/* ECDSA with SHA-256 by a P-256 key, as r||s (what quotes and PCS bodies carry). */
static void pki_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t ret[static 64])
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        uint8_t der[80];
        size_t l = sizeof(der);
        assert_non_null(md);
        assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
        assert_int_equal(EVP_DigestSign(md, der, &l, data, size), 1);
        const uint8_t *p = der;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long) l);
        assert_non_null(sig);
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), ret, 32), 32);
        assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), ret + 32, 32), 32);
}

/* The PEM files attest/pki/NAME.pem, concatenated (NULL-terminated list). */
static char *pki_pem(const char *const *names, size_t *ret_size)
{
        char *all = NULL;
        size_t total = 0;
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *path = NULL;
                size_t n;
                assert_true(asprintf(&path, "pki/%s.pem", names[i]) > 0);
                _cleanup_free_ uint8_t *b = attest_load(path, &n);
                all = realloc(all, total + n + 1);
                assert_non_null(all);
                memcpy(all + total, b, n);
                total += n;
        }
        all[total] = 0;
        *ret_size = total;
        return all;
}

#define PKI_PEM(ret_size, ...) pki_pem((const char *const[]){ __VA_ARGS__, NULL }, ret_size)

static X509Stack *pki_certs(const char *const *names)
{
        size_t n;
        _cleanup_free_ char *pem = pki_pem(names, &n);
        X509Stack *sk = NULL;
        assert_int_equal(x509_bundle_load(pem, n, &sk), 0);
        return sk;
}

#define PKI_CERTS(...) pki_certs((const char *const[]){ __VA_ARGS__, NULL })

/*
 * The real quote dcap-qvl/tdx_quote moved under the test PKI: its PCK chain replaced by the certificates
 * `names` (leaf first), the QE report (report data recomputed) signed by the leaf's key (left as it was when
 * that key is not P-256), and header + body signed by a fresh attestation key. Everything else (TD
 * report, QE report fields, QE auth data) is the real quote's, so its real TCB info and QE identity
 * apply.
 */
static void pki_quote_chain(const char *const *names, TdxQuote *ret)
{
        const char *leaf = names[0];
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pck_key = pki_key(leaf), *att = EVP_EC_gen("P-256");
        size_t chain_size;
        _cleanup_free_ char *chain = pki_pem(names, &chain_size);
        _cleanup_free_ char *detail = NULL;

        parse_quote(COLL "dcap-qvl/tdx_quote", &q);
        assert_int_equal(q.qe_cert.type, TDX_CERT_PCK_CERT_CHAIN);
        size_t size = q.qe_cert.offset + chain_size;
        _cleanup_free_ uint8_t *b = attest_dup(q.raw, q.qe_cert.offset, size);
        memcpy(b + q.qe_cert.offset, chain, chain_size);
        put32(b + q.qe_cert.offset - 4, (uint32_t) chain_size);
        put32(b + q.sig_data_offset + 130, (uint32_t) (size - q.qe_report_offset));
        put32(b + q.sig_data_offset - 4, (uint32_t) (size - q.sig_data_offset));

        uint8_t point[65];
        size_t l = 0;
        assert_non_null(att);
        assert_int_equal(
                EVP_PKEY_get_octet_string_param(att, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &l), 1);
        assert_true(l == 65 && point[0] == 0x04);
        memcpy(b + q.sig_data_offset + 64, point + 1, 64);

        uint8_t *report_data = b + q.qe_report_offset + 320;
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        assert_non_null(md);
        assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
        assert_int_equal(EVP_DigestUpdate(md, point + 1, 64), 1);
        assert_int_equal(EVP_DigestUpdate(md, b + q.qe_auth_offset, q.qe_auth_size), 1);
        assert_int_equal(EVP_DigestFinal_ex(md, report_data, NULL), 1);
        memset(report_data + 32, 0, 32);
        if (EVP_PKEY_get_bits(pck_key) == 256)
                pki_sign(pck_key, b + q.qe_report_offset, TDX_QE_REPORT_SIZE,
                         b + q.qe_report_offset + TDX_QE_REPORT_SIZE);
        pki_sign(att, b, q.signed_size, b + q.sig_data_offset);

        if (tdx_quote_parse(b, size, ret, &detail) < 0)
                fail_msg("PKI quote for %s: %s", leaf, strna(detail));
}

/* The same with the chain `leaf`, `ca`, the test root. */
static void pki_quote(const char *leaf, const char *ca, TdxQuote *ret)
{
        pki_quote_chain((const char *const[]){ leaf, ca, "root", NULL }, ret);
}

/* The real dcap-qvl collateral's TCB info and QE identity text (or qe_identity_text), signed by the
 * `signer` TCB Signing key of the test PKI, with the test PKI's chains and CRLs. */
static void pki_collateral(const char *signer, const char *qe_identity_text, Collateral *ret)
{
        _cleanup_(collateral_done) Collateral real = {};
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = pki_key(signer);
        size_t n;

        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &real);
        *ret = (Collateral){};
        ret->tcb_info.text = strdup(real.tcb_info.text);
        ret->tcb_info.size = real.tcb_info.size;
        ret->qe_identity.text = strdup(qe_identity_text ?: real.qe_identity.text);
        ret->qe_identity.size = strlen(ret->qe_identity.text);
        assert_non_null(ret->tcb_info.text);
        pki_sign(key, ret->tcb_info.text, ret->tcb_info.size, ret->tcb_info.signature);
        pki_sign(key, ret->qe_identity.text, ret->qe_identity.size, ret->qe_identity.signature);
        ret->tcb_info_chain = PKI_CERTS(signer, "root");
        ret->qe_identity_chain = PKI_CERTS(signer, "root");
        ret->pck_crl_chain = PKI_CERTS("pck-ca", "root");
        _cleanup_free_ uint8_t *crl = attest_load("pki/pck-crl.der", &n);
        assert_int_equal(x509_crl_load(crl, n, &ret->pck_crl), 0);
        _cleanup_free_ uint8_t *root_crl = attest_load("pki/root.crl.der", &n);
        assert_int_equal(x509_crl_load(root_crl, n, &ret->root_ca_crl), 0);
        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++)
                ret->present[p] = true;
}

/* Inside the test CRLs' window (2024..2026) and the real TCB info's (2025-06-19..2025-07-19). */
#define PKI_AT "2025-07-01T00:00:00Z"

static void test_pki_good(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        pki_quote("pck", "pck-ca", &q);
        pki_collateral("tcb-signing", NULL, &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), 0);
        assert_true(r.have_tcb_status);
        assert_int_equal(r.tcb_status, TCB_STATUS_UP_TO_DATE);
        tdx_verify_result_done(&r);

        /* The same quote against the real Intel root: the test PKI is not trusted by default. */
        _cleanup_(sk_X509_pop_freep) X509Stack *intel = intel_root();
        assert_int_equal(tdx_quote_verify(&q, &c, intel, at(PKI_AT), &r), -EKEYREJECTED);
        assert_check(&r, "pck.chain", -EKEYREJECTED);
        assert_check(&r, "quote.signature", 0);
        assert_check(&r, "qe-report.signature", 0);
        tdx_verify_result_done(&r);
}

static void test_pki_revoked(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        pki_quote("pck-revoked", "pck-ca", &q);
        pki_collateral("tcb-signing", NULL, &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), -EKEYREVOKED);
        assert_check(&r, "quote.signature", 0);
        assert_check(&r, "qe-report.signature", 0);
        assert_check(&r, "pck.chain", -EKEYREVOKED);
        assert_detail(&r, "pck.chain", "revoked");
        assert_check(&r, "collateral.pck_crl", 0);
        tdx_verify_result_done(&r);
}

static void test_pki_wrong_curve(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        pki_quote("pck-p384", "pck-ca", &q);
        pki_collateral("tcb-signing", NULL, &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), -EKEYREJECTED);
        assert_check(&r, "quote.signature", 0);
        assert_check(&r, "qe-report.signature", -EKEYREJECTED);
        assert_detail(&r, "qe-report.signature", "not EC P-256");
        assert_check(&r, "pck.chain", -EKEYREJECTED);
        assert_detail(&r, "pck.chain", "P-256");
        tdx_verify_result_done(&r);

        /* A TCB Signing key of the wrong curve cannot sign collateral either. */
        _cleanup_(sk_X509_pop_freep) X509Stack *p384 = PKI_CERTS("pck-p384");
        assert_int_equal(signed_json_verify(c.tcb_info.text, c.tcb_info.size, c.tcb_info.signature,
                                            sk_X509_value(p384, 0)),
                         -EKEYREJECTED);
}

static void test_pki_broken_chain(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {}, q2 = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        /* A PCK whose CA chains to another root. */
        pki_quote("pck-orphan", "orphan-ca", &q);
        pki_collateral("tcb-signing", NULL, &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), -EKEYREJECTED);
        assert_check(&r, "qe-report.signature", 0);
        assert_check(&r, "pck.chain", -EKEYREJECTED);
        assert_check(&r, "collateral.tcb_info", 0);
        tdx_verify_result_done(&r);

        /* The right PCK with the wrong intermediate: the chain cannot be built. */
        pki_quote("pck", "orphan-ca", &q2);
        assert_int_equal(tdx_quote_verify(&q2, &c, root, at(PKI_AT), &r), -EKEYREJECTED);
        assert_check(&r, "pck.chain", -EKEYREJECTED);
        assert_detail(&r, "pck.chain", "Test SGX PCK Certificate");
        tdx_verify_result_done(&r);
}

static void test_pki_tcb_signing_expired(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral c = {};
        TdxVerifyResult r;

        pki_quote("pck", "pck-ca", &q);
        pki_collateral("tcb-signing-expired", NULL, &c);
        assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), -EKEYEXPIRED);
        assert_check(&r, "pck.chain", 0);
        assert_check(&r, "collateral.tcb_info_issuer_chain", -EKEYEXPIRED);
        assert_detail(&r, "collateral.tcb_info_issuer_chain", "2021-01-01T00:00:00Z");
        /* TCB info signed by it is not reported as verifying. */
        assert_check(&r, "collateral.tcb_info", -EKEYEXPIRED);
        assert_detail(&r, "collateral.tcb_info", "issuer chain");
        assert_check(&r, "collateral.qe_identity_issuer_chain", -EKEYEXPIRED);
        assert_check(&r, "tcb", -ENODATA);
        assert_false(r.have_tcb_status);
        tdx_verify_result_done(&r);
}

/* One warm verifier under the test PKI for a sequence of quotes: each gives what tdx_quote_verify()
 * gives; only verified leaves are remembered. */
static void test_pki_warm(void **state)
{
        static const struct {
                const char *leaf, *ca;
                int error;
        } quotes[] = {
                { "pck", "pck-ca", 0 },
                { "pck-revoked", "pck-ca", -EKEYREVOKED },
                { "pck-orphan", "orphan-ca", -EKEYREJECTED },
                { "pck-p384", "pck-ca", -EKEYREJECTED },
                { "pck", "orphan-ca", -EKEYREJECTED }, /* a known leaf, but no chain to the root */
                { "pck", "pck-ca", 0 },
        };
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(tdx_verifier_done) TdxVerifier w = {};
        time_t t = at(PKI_AT);

        pki_collateral("tcb-signing", NULL, &c);
        assert_int_equal(tdx_verifier_init(&w, &c, root, t), 0);
        assert_non_null(w.pck_ca);
        for (size_t i = 0; i < ELEMENTSOF(quotes); i++) {
                _cleanup_(tdx_quote_done) TdxQuote q = {};
                TdxVerifyResult r;
                pki_quote(quotes[i].leaf, quotes[i].ca, &q);
                assert_int_equal(verify_both(&w, &q, &c, root, t, &r), quotes[i].error);
                tdx_verify_result_done(&r);
                assert_int_equal(leaf_slots(&w), 1);
        }

        /* Another platform's quote through a verifier prepared for this one. */
        _cleanup_(sk_X509_pop_freep) X509Stack *intel = intel_root();
        _cleanup_(collateral_done) Collateral real = {};
        _cleanup_(tdx_quote_done) TdxQuote v5 = {}, dcap = {};
        _cleanup_(tdx_verifier_done) TdxVerifier w2 = {};
        TdxVerifyResult r;
        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &real);
        parse_quote(COLL "go-tdx-guest/quote_v5_sample.dat", &v5);
        parse_quote(COLL "dcap-qvl/tdx_quote", &dcap);
        assert_int_equal(tdx_verifier_init(&w2, &real, intel, t), 0);
        assert_int_equal(verify_both(&w2, &dcap, &real, intel, t, &r), 0);
        tdx_verify_result_done(&r);
        assert_int_not_equal(verify_both(&w2, &v5, &real, intel, t, &r), 0);
        tdx_verify_result_done(&r);
        assert_int_equal(leaf_slots(&w2), 1);
}

/*
 * The caches of a verifier belong to its collateral and time: prepared again at another time or with other
 * collateral, a verifier that held a leaf gives what the full verification gives there. A chain with a
 * certificate besides the leaf, the PCK CA and the root goes the full way too.
 */
static void test_pki_warm_bound(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(collateral_done) Collateral c = {}, no_crl = {};
        _cleanup_(tdx_quote_done) TdxQuote q = {}, extra = {};
        _cleanup_(tdx_verifier_done) TdxVerifier w = {};
        TdxVerifyResult r;

        pki_collateral("tcb-signing", NULL, &c);
        pki_collateral("tcb-signing", NULL, &no_crl);
        X509_CRL_free(TAKE_PTR(no_crl.pck_crl));
        no_crl.present[COLLATERAL_PCK_CRL] = false;
        pki_quote("pck", "pck-ca", &q);
        pki_quote_chain((const char *const[]){ "pck", "pck-ca", "orphan-ca", "root", NULL }, &extra);

        static const struct {
                const char *at;
                bool crl;
                int error;
                const char *check;
        } cases[] = {
                { PKI_AT, true, 0, "pck.chain" },
                { "2026-06-01T00:00:00Z", true, -EKEYEXPIRED, "pck.chain" }, /* after the CRLs' nextUpdate */
                { "2021-06-01T00:00:00Z", true, -EKEYEXPIRED,
                  "pck.chain" }, /* before the leaf's notBefore */
                { PKI_AT, false, -ENODATA, "pck.chain" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Collateral *cc = cases[i].crl ? &c : &no_crl;
                /* Warm at PKI_AT with the full collateral, then prepared again for this case. */
                assert_int_equal(tdx_verifier_init(&w, &c, root, at(PKI_AT)), 0);
                assert_int_equal(tdx_verifier_verify(&w, &q, &r), 0);
                tdx_verify_result_done(&r);
                assert_int_equal(leaf_slots(&w), 1);
                tdx_verifier_done(&w);

                assert_int_equal(tdx_verifier_init(&w, cc, root, at(cases[i].at)), 0);
                assert_int_equal(leaf_slots(&w), 0);
                assert_int_equal(verify_both(&w, &q, cc, root, at(cases[i].at), &r), cases[i].error);
                assert_check(&r, cases[i].check, cases[i].error);
                tdx_verify_result_done(&r);
                /* The second time, from the caches (when the first filled them): the same report. */
                assert_int_equal(verify_both(&w, &q, cc, root, at(cases[i].at), &r), cases[i].error);
                tdx_verify_result_done(&r);
                assert_int_equal(leaf_slots(&w), cases[i].error == 0);
                tdx_verifier_done(&w);
        }

        /* A cached leaf in a chain that carries another CA: verified the full way, with the same result. */
        assert_int_equal(tdx_verifier_init(&w, &c, root, at(PKI_AT)), 0);
        assert_int_equal(verify_both(&w, &q, &c, root, at(PKI_AT), &r), 0);
        tdx_verify_result_done(&r);
        assert_int_equal(verify_both(&w, &extra, &c, root, at(PKI_AT), &r), 0);
        tdx_verify_result_done(&r);
}

/* text with the first occurrence of `from` replaced by `to` (same length); free() it. */
static char *replace(const char *text, const char *from, const char *to)
{
        char *s = strdup(text), *p;
        assert_non_null(s);
        assert_int_equal(strlen(from), strlen(to));
        p = strstr(s, from);
        assert_non_null(p);
        memcpy(p, to, strlen(to));
        return s;
}

static void test_pki_qe_identity_mismatch(void **state)
{
        static const struct {
                const char *from, *to, *word;
        } cases[] = {
                { "\"mrsigner\":\"DC9E", "\"mrsigner\":\"DC9F", "MRSIGNER" },
                { "\"isvprodid\":2,", "\"isvprodid\":3,", "ISVPRODID 2" },
                { "\"attributes\":\"11", "\"attributes\":\"10", "ATTRIBUTES" },
                { "\"miscselect\":\"00000000\"", "\"miscselect\":\"00000001\"", "MISCSELECT" },
        };
        _cleanup_(sk_X509_pop_freep) X509Stack *root = PKI_CERTS("root");
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        _cleanup_(collateral_done) Collateral real = {};

        pki_quote("pck", "pck-ca", &q);
        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &real);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = replace(real.qe_identity.text, cases[i].from, cases[i].to);
                _cleanup_(collateral_done) Collateral c = {};
                TdxVerifyResult r;

                pki_collateral("tcb-signing", text, &c);
                assert_int_equal(tdx_quote_verify(&q, &c, root, at(PKI_AT), &r), -EKEYREJECTED);
                /* The signature passes: the mismatch is what fails. */
                assert_check(&r, "collateral.qe_identity", 0);
                assert_check(&r, "tcb", -EKEYREJECTED);
                assert_detail(&r, "tcb", cases[i].word);
                assert_false(r.have_tcb_status);
                tdx_verify_result_done(&r);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_intel_root),
                cmocka_unit_test(test_real),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_flip),
                cmocka_unit_test(test_pki_good),
                cmocka_unit_test(test_pki_revoked),
                cmocka_unit_test(test_pki_wrong_curve),
                cmocka_unit_test(test_pki_broken_chain),
                cmocka_unit_test(test_pki_tcb_signing_expired),
                cmocka_unit_test(test_pki_qe_identity_mismatch),
                cmocka_unit_test(test_pki_warm),
                cmocka_unit_test(test_pki_warm_bound),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
