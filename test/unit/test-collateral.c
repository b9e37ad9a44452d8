/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel DCAP collateral on real data (vectors/MANIFEST.md 1.1-1.4): TCB info and QE identity signatures,
 * TCB Signing and PCK chains to the real Intel SGX Root CA inside and outside the MANIFEST windows, CRLs,
 * the PCK SGX extension of real PCK certificates, both collateral forms, and one corruption per rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "attest/tdx-quote.h"
#include "test-tcb-util.h"
#include "test-util.h"

static void test_rfc3339(void **state)
{
        time_t t;
        char buf[RFC3339_MAX];

        assert_int_equal(rfc3339_parse("2025-06-19T10:16:03Z", &t), 0);
        assert_int_equal(t, 1750328163);
        assert_string_equal(rfc3339_format(t, buf), "2025-06-19T10:16:03Z");
        assert_int_equal(rfc3339_parse("2025-06-19T10:16:03.123Z", &t), 0);
        assert_int_equal(t, 1750328163);
        assert_int_equal(rfc3339_parse("2025-06-19T10:16:03+01:00", &t), -EINVAL);
        assert_int_equal(rfc3339_parse("2025-02-30T00:00:00Z", &t), -EINVAL);
        assert_int_equal(rfc3339_parse("2025-06-19 10:16:03Z", &t), -EINVAL);
        assert_int_equal(rfc3339_parse("2025-06-19T10:16:03Zjunk", &t), -EINVAL);
        assert_int_equal(rfc3339_parse(NULL, &t), -EINVAL);
}

/* The signatures of every real PCS body in the vector set verify with the TCB Signing key. */
static void test_signed_bodies_verify(void **state)
{
        static const struct {
                const char *file, *key, *chain;
        } cases[] = {
                { COLL "go-tdx-guest/sample_tcbinfo_response_v5", "tcbInfo",
                  COLL "intel-common/intel-tcb-signing-2025.pem" },
                { COLL "teekit/tcbInfo-tdx-00806f050000.json", "tcbInfo",
                  COLL "intel-common/intel-tcb-signing-2025.pem" },
                { COLL "teekit/tcbInfo-tdx-50806f000000.json", "tcbInfo",
                  COLL "intel-common/intel-tcb-signing-2025.pem" },
                { COLL "trustee/enclaveIdentity.json", "enclaveIdentity",
                  COLL "intel-common/intel-tcb-signing-2025.pem" },
                { COLL "go-tdx-guest-2023/tcb_info.json", "tcbInfo",
                  COLL "go-tdx-guest-2023/tcb_info_issuer_chain.pem" },
                { COLL "go-tdx-guest-2023/qe_identity.json", "enclaveIdentity",
                  COLL "go-tdx-guest-2023/qe_identity_issuer_chain.pem" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(sk_X509_pop_freep) X509Stack *chain = load_certs(cases[i].chain);
                SignedJson s;
                load_signed(cases[i].file, cases[i].key, &s);
                assert_int_equal(s.text[0], '{');
                assert_int_equal(s.text[s.size - 1], '}');
                assert_int_equal(signed_json_verify(s.text, s.size, s.signature, sk_X509_value(chain, 0)),
                                 0);

                /* One flipped byte in the signed text, one in the signature. */
                s.text[s.size / 2] ^= 0x01;
                assert_int_equal(signed_json_verify(s.text, s.size, s.signature, sk_X509_value(chain, 0)),
                                 -EKEYREJECTED);
                s.text[s.size / 2] ^= 0x01;
                s.signature[5] ^= 0x80;
                assert_int_equal(signed_json_verify(s.text, s.size, s.signature, sk_X509_value(chain, 0)),
                                 -EKEYREJECTED);
                free(s.text);
        }
}

/* The scanner finds the raw value even when it is not first, and refuses duplicates and garbage. */
static void test_pcs_body_split(void **state)
{
        static const char sig[] = "\"0000000000000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000000000000000000000000000000000000000000000001\"";
        uint8_t s[64];
        const char *v;
        size_t l;
        char buf[512];

        snprintf(buf, sizeof(buf), "{ \"signature\" : %s , \"tcbInfo\" : {\"a\":\"}\\\"{\",\"b\":[1,{}]} }",
                 sig);
        assert_int_equal(pcs_body_split(buf, strlen(buf), "tcbInfo", &v, &l, s), 0);
        assert_int_equal(l, strlen("{\"a\":\"}\\\"{\",\"b\":[1,{}]}"));
        assert_memory_equal(v, "{\"a\":\"}\\\"{\",\"b\":[1,{}]}", l);
        assert_int_equal(s[63], 1);

        snprintf(buf, sizeof(buf), "{\"tcbInfo\":{},\"tcbInfo\":{\"x\":1},\"signature\":%s}", sig);
        assert_int_equal(pcs_body_split(buf, strlen(buf), "tcbInfo", &v, &l, s), -EBADMSG);
        snprintf(buf, sizeof(buf), "{\"tcbInfo\":[],\"signature\":%s}", sig);
        assert_int_equal(pcs_body_split(buf, strlen(buf), "tcbInfo", &v, &l, s), -EBADMSG);
        snprintf(buf, sizeof(buf), "{\"tcbInfo\":{},\"signature\":\"abcd\"}");
        assert_int_equal(pcs_body_split(buf, strlen(buf), "tcbInfo", &v, &l, s), -EBADMSG);
        snprintf(buf, sizeof(buf), "{\"tcbInfo\":{},\"signature\":%s", sig);
        assert_int_equal(pcs_body_split(buf, strlen(buf), "tcbInfo", &v, &l, s), -EBADMSG);
}

static void assert_all_present(const Collateral *c)
{
        for (size_t p = 0; p < _COLLATERAL_PART_MAX; p++)
                if (!c->present[p])
                        fail_msg("%s missing", collateral_part_to_string(p));
}

/* dcap-qvl tdx_quote_collateral.json: window 2025-06-19T10:32:27Z..2025-07-19T10:00:35Z. */
static void test_bundle_dcap_qvl(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        CollateralVerification v;

        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        assert_all_present(&c);
        {
                /* The same through collateral_load() on the file path. */
                _cleanup_(collateral_done) Collateral f = {};
                _cleanup_free_ char *path = NULL, *detail = NULL;
                assert_true(asprintf(&path, "%s/attest/" COLL "dcap-qvl/tdx_quote_collateral.json",
                                     getenv("CVM_TEST_DATA")) > 0);
                assert_int_equal(collateral_load(path, &f, &detail), 0);
                assert_all_present(&f);
                assert_int_equal(f.tcb_info.size, c.tcb_info.size);
                assert_memory_equal(f.tcb_info.signature, c.tcb_info.signature, 64);
        }

        assert_int_equal(collateral_verify(&c, root, at("2025-07-01T00:00:00Z"), &v), 0);
        assert_true(v.have_tcb_info && v.have_qe_identity);
        static const uint8_t fmspc[6] = { 0xb0, 0xc0, 0x6f, 0, 0, 0 };
        assert_memory_equal(v.tcb_info.fmspc, fmspc, 6);
        assert_int_equal(v.tcb_info.tcb_evaluation_data_number, 17);
        assert_string_equal(v.qe_identity.id, "TD_QE");
        assert_int_equal(v.qe_identity.isvprodid, 2);
        /* Once each: TCB Signing, root, root CRL, tcbInfo, enclaveIdentity, PCK Platform CA, PCK CRL. */
        assert_int_equal(v.n_windows, 7);
        bool saw_tcb = false;
        for (size_t i = 0; i < v.n_windows; i++)
                if (streq(v.windows[i].name, "tcbInfo")) {
                        saw_tcb = true;
                        assert_int_equal(v.windows[i].not_after, at("2025-07-19T10:16:03Z"));
                }
        assert_true(saw_tcb);
        collateral_verification_done(&v);

        /* Both edges of the window, and just outside. */
        assert_int_equal(collateral_verify(&c, root, at("2025-06-19T10:32:27Z"), &v), 0);
        collateral_verification_done(&v);
        assert_int_equal(collateral_verify(&c, root, at("2025-07-19T10:00:35Z"), &v), 0);
        collateral_verification_done(&v);
        assert_int_equal(collateral_verify(&c, root, at("2025-07-19T10:00:36Z"), &v), -EKEYEXPIRED);
        assert_int_equal(v.error[COLLATERAL_PCK_CRL], -EKEYEXPIRED);
        assert_non_null(strstr(v.detail[COLLATERAL_PCK_CRL], "2025-07-19T10:00:35Z"));
        assert_int_equal(v.error[COLLATERAL_TCB_INFO], 0);
        collateral_verification_done(&v);
        assert_int_equal(collateral_verify(&c, root, at("2025-06-19T10:32:26Z"), &v), -EKEYEXPIRED);
        assert_int_equal(v.error[COLLATERAL_QE_IDENTITY], -EKEYEXPIRED);
        assert_non_null(strstr(v.detail[COLLATERAL_QE_IDENTITY], "issueDate..nextUpdate"));
        collateral_verification_done(&v);

        /* A flipped byte in the tcbInfo text fails its signature and nothing else. */
        c.tcb_info.text[100] ^= 0x01;
        assert_int_equal(collateral_verify(&c, root, at("2025-07-01T00:00:00Z"), &v), -EKEYREJECTED);
        assert_int_equal(v.error[COLLATERAL_TCB_INFO], -EKEYREJECTED);
        assert_non_null(strstr(v.detail[COLLATERAL_TCB_INFO], "signature"));
        assert_int_equal(v.error[COLLATERAL_QE_IDENTITY], 0);
        assert_false(v.have_tcb_info);
        collateral_verification_done(&v);
}

static void test_bundle_outdated(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        CollateralVerification v;

        load_collateral(COLL "dcap-qvl/tdx_quote_outdated_collateral.json", &c);
        assert_int_equal(collateral_verify(&c, root, at("2026-03-01T00:00:00Z"), &v), 0);
        collateral_verification_done(&v);
        /* After the root CRL's nextUpdate (2026-04-03T11:21:57Z) even the chains fail. */
        assert_int_equal(collateral_verify(&c, root, at("2026-04-04T00:00:00Z"), &v), -EKEYEXPIRED);
        assert_int_equal(v.error[COLLATERAL_ROOT_CA_CRL], -EKEYEXPIRED);
        collateral_verification_done(&v);
}

/* The directory form with go-tdx-guest's 2023 collateral: window 2023-06-18T08:42:58Z..2023-07-08T07:24:59Z;
 * its TCB Signing certificate (the 2018 one) expired 2025-05-21T10:50:10Z. */
static void test_dir_go_tdx_guest_2023(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        CollateralVerification v;

        load_collateral_dir(COLL "go-tdx-guest-2023", &c);
        assert_all_present(&c);
        assert_int_equal(collateral_verify(&c, root, at("2023-07-01T01:00:00Z"), &v), 0);
        assert_int_equal(v.tcb_info.n_module_identities, 0);
        assert_true(v.tcb_info.has_tdx_module);
        collateral_verification_done(&v);

        /* In 2025 the 2023 root CRL has expired: the chains fail on it. */
        assert_int_equal(collateral_verify(&c, root, at("2025-06-01T00:00:00Z"), &v), -EKEYEXPIRED);
        assert_int_equal(v.error[COLLATERAL_ROOT_CA_CRL], -EKEYEXPIRED);
        assert_non_null(strstr(v.detail[COLLATERAL_TCB_INFO_ISSUER_CHAIN], "CRL has expired"));
        collateral_verification_done(&v);

        /* With the 2025 root CRL, the old TCB Signing certificate itself is what expired. */
        size_t n;
        _cleanup_free_ uint8_t *crl = attest_load(COLL "intel-common/IntelSGXRootCA_crl_2025-03-20.der", &n);
        X509_CRL_free(c.root_ca_crl);
        assert_int_equal(x509_crl_load(crl, n, &c.root_ca_crl), 0);
        assert_int_equal(collateral_verify(&c, root, at("2025-06-01T00:00:00Z"), &v), -EKEYEXPIRED);
        assert_int_equal(v.error[COLLATERAL_ROOT_CA_CRL], 0);
        assert_int_equal(v.error[COLLATERAL_TCB_INFO_ISSUER_CHAIN], -EKEYEXPIRED);
        assert_non_null(strstr(v.detail[COLLATERAL_TCB_INFO_ISSUER_CHAIN], "Intel SGX TCB Signing"));
        assert_non_null(strstr(v.detail[COLLATERAL_TCB_INFO_ISSUER_CHAIN], "2025-05-21T10:50:10Z"));
        collateral_verification_done(&v);
}

/* QVL's synthetic long-lived sample (MANIFEST 1.5) in the directory form: root-first chains, a test root,
 * the PCK Processor CA. Window 2021-08-06T13:55:15Z..2028-08-06T13:55:14Z. */
static void test_dir_qvl_sample(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *test_root =
                load_certs(COLL "qvl-sample/trustedRootCaCert.pem");
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        _cleanup_(sk_X509_pop_freep) X509Stack *pck = load_certs(COLL "qvl-sample/pckCert.pem");
        _cleanup_(sk_X509_pop_freep) X509Stack *chain =
                load_certs(COLL "qvl-sample/pck_crl_issuer_chain.pem");
        CollateralVerification v;
        X509ChainResult res;

        load_collateral_dir(COLL "qvl-sample", &c);
        assert_all_present(&c);
        /* Chains, CRLs and both signatures verify; but its synthetic component SVNs (65473, ...) do not
         * fit the u8 SVNs of a CPUSVN, so the TCB info is refused as malformed, naming the field. */
        assert_int_equal(collateral_verify(&c, test_root, at("2025-01-01T00:00:00Z"), &v), -EBADMSG);
        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++)
                assert_int_equal(v.error[p], p == COLLATERAL_TCB_INFO ? -EBADMSG : 0);
        assert_non_null(strstr(v.detail[COLLATERAL_TCB_INFO], "sgxtcbcomponents"));
        assert_true(v.have_qe_identity);
        assert_int_equal(v.qe_identity.isvprodid, 29854);
        assert_int_equal(v.qe_identity.miscselect, 0x13373B09);
        collateral_verification_done(&v);
        static const uint8_t fmspc[6] = { 0xed, 0x74, 0x2a, 0xf8, 0xad, 0xf5 };

        /* The same collateral against the real Intel root: every chain is refused. */
        assert_int_equal(collateral_verify(&c, root, at("2025-01-01T00:00:00Z"), &v), -EKEYREJECTED);
        assert_int_equal(v.error[COLLATERAL_TCB_INFO_ISSUER_CHAIN], -EKEYREJECTED);
        assert_int_equal(v.error[COLLATERAL_PCK_CRL_ISSUER_CHAIN], -EKEYREJECTED);
        collateral_verification_done(&v);

        /* The PCK leaf with its (root-first) chain, leaf given last. */
        assert_true(sk_X509_push(chain, sk_X509_value(pck, 0)) > 0);
        X509_up_ref(sk_X509_value(pck, 0));
        assert_ptr_equal(x509_bundle_leaf(chain), sk_X509_value(pck, 0));
        assert_int_equal(collateral_verify_pck_chain(&c, chain, test_root, at("2025-01-01T00:00:00Z"), &res),
                         0);
        x509_chain_result_done(&res);
        assert_int_equal(collateral_verify_pck_chain(&c, chain, test_root, at("2028-08-07T00:00:00Z"), &res),
                         -EKEYEXPIRED);
        assert_int_equal(res.depth, 0);
        x509_chain_result_done(&res);
        assert_int_equal(collateral_verify_pck_chain(&c, chain, root, at("2025-01-01T00:00:00Z"), &res),
                         -EKEYREJECTED);
        x509_chain_result_done(&res);

        PckExtension e;
        _cleanup_free_ char *detail = NULL;
        assert_int_equal(pck_ext_from_cert(sk_X509_value(pck, 0), &e, &detail), 0);
        assert_memory_equal(e.fmspc, fmspc, 6);
}

/* Malformed bundles fail the load naming the key; absent keys are only missing. */
static void test_bundle_malformed(void **state)
{
        static const struct {
                const char *text, *key;
        } cases[] = {
                { "{\"pck_crl\":\"30zz\"}", "pck_crl" },
                { "{\"root_ca_crl\":42}", "root_ca_crl" },
                { "{\"tcb_info\":\"{}\",\"tcb_info_signature\":\"00\"}", "tcb_info" },
                { "{\"qe_identity\":\"{}\"}", "qe_identity" },
                { "{\"tcb_info_issuer_chain\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END "
                  "CERTIFICATE-----\"}",
                  "tcb_info_issuer_chain" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Collateral c;
                _cleanup_free_ char *detail = NULL;
                ASSERT_ERROR(collateral_load_json(cases[i].text, strlen(cases[i].text), &c, &detail),
                             -EBADMSG, detail, cases[i].key);
        }
        _cleanup_free_ char *detail = NULL;
        Collateral c;
        assert_int_equal(collateral_load_json("[]", 2, &c, &detail), -EBADMSG);
        assert_int_equal(collateral_load_json("{\"other\":1}", 11, &c, &detail), 0);
        for (size_t p = 0; p < _COLLATERAL_PART_MAX; p++)
                assert_false(c.present[p]);
        collateral_done(&c);
}

/* A missing part is recorded as missing and fails the verification. */
static void test_dir_missing(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *const[]){ "/x", "", NULL });
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        _cleanup_free_ char *detail = NULL, *src = NULL, *dst = NULL, *data = NULL;
        CollateralVerification v;
        size_t n;

        /* Only TCB info and its chain. */
        static const char *const files[] = { "tcb_info.json", "tcb_info_issuer_chain.pem" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                free(src);
                free(dst);
                free(data);
                assert_true(asprintf(&src, "%s/attest/" COLL "go-tdx-guest-2023/%s", getenv("CVM_TEST_DATA"),
                                     files[i]) > 0);
                assert_true(asprintf(&dst, "%s/%s", dir, files[i]) > 0);
                assert_int_equal(read_full_file(src, 1 << 20, &data, &n), 0);
                assert_int_equal(write_full_file(dst, data, n), 0);
        }
        assert_int_equal(collateral_load(dir, &c, &detail), 0);
        assert_true(c.present[COLLATERAL_TCB_INFO]);
        assert_false(c.present[COLLATERAL_PCK_CRL]);
        assert_int_equal(collateral_verify(&c, root, at("2023-07-01T01:00:00Z"), &v), -ENODATA);
        assert_int_equal(v.error[COLLATERAL_ROOT_CA_CRL], -ENODATA);
        assert_int_equal(v.error[COLLATERAL_QE_IDENTITY_ISSUER_CHAIN], -ENODATA);
        assert_int_equal(v.error[COLLATERAL_PCK_CRL], -ENODATA);
        assert_int_equal(v.error[COLLATERAL_TCB_INFO], 0);
        assert_true(v.have_tcb_info);
        collateral_verification_done(&v);

        /* A malformed part is an error of the load, naming the file. */
        free(dst);
        assert_true(asprintf(&dst, "%s/qe_identity.json", dir) > 0);
        assert_int_equal(write_full_file(dst, "{\"enclaveIdentity\":{}}", 22), 0);
        collateral_done(&c);
        free(detail);
        detail = NULL;
        assert_int_equal(collateral_load(dir, &c, &detail), -EBADMSG);
        assert_non_null(strstr(detail, "qe_identity.json"));
}

/* PCK chains of real quotes verify to the real root with the matching CRLs inside the window, and fail
 * as expired after the leaf's notAfter. */
static void test_pck_chain(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root();
        _cleanup_(sk_X509_pop_freep) X509Stack *chain = quote_pck_chain(COLL "dcap-qvl/tdx_quote");
        X509ChainResult res;

        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        assert_int_equal(collateral_verify_pck_chain(&c, chain, root, at("2025-07-01T00:00:00Z"), &res), 0);
        assert_int_equal(res.n_windows, 3 + 2);
        assert_non_null(strstr(res.windows[0].name, "Intel SGX PCK Certificate"));
        char buf[RFC3339_MAX];
        assert_true(startswith(rfc3339_format(res.windows[0].not_after, buf), "2032-02-06T"));
        assert_false(res.windows[2].is_crl);
        assert_true(res.windows[3].is_crl && res.windows[4].is_crl);
        x509_chain_result_done(&res);

        /* 2032-03: the PCK leaf (to 2032-02-06) has expired (and so have the CRLs). */
        assert_int_equal(collateral_verify_pck_chain(&c, chain, root, at("2032-03-01T00:00:00Z"), &res),
                         -EKEYEXPIRED);
        assert_non_null(res.detail);
        x509_chain_result_done(&res);

        /* Without the PCK CRL the chain is not accepted. */
        c.present[COLLATERAL_PCK_CRL] = false;
        assert_int_equal(collateral_verify_pck_chain(&c, chain, root, at("2025-07-01T00:00:00Z"), &res),
                         -ENODATA);
        x509_chain_result_done(&res);
        c.present[COLLATERAL_PCK_CRL] = true;

        /* A chain whose leaf is not a PCK certificate (the PCK CRL issuer chain: Platform CA + root). */
        ASSERT_ERROR(
                collateral_verify_pck_chain(&c, c.pck_crl_chain, root, at("2025-07-01T00:00:00Z"), &res),
                -EKEYREJECTED, res.detail, "Intel SGX PCK Platform CA", "not an SGX PCK Certificate");
        x509_chain_result_done(&res);

        /* Against another trust anchor (the PCK Platform CA's own root is not it) the chain is refused. */
        _cleanup_(sk_X509_pop_freep) X509Stack *other =
                load_certs(COLL "intel-common/intel-tcb-signing-2025.pem");
        assert_int_equal(collateral_verify_pck_chain(&c, chain, other, at("2025-07-01T00:00:00Z"), &res),
                         -EKEYREJECTED);
        x509_chain_result_done(&res);
}

/* PCK extension values of real PCK certificates against MANIFEST 1 (FMSPC, SGX type). */
static void test_pck_ext_real(void **state)
{
        static const struct {
                const char *quote;
                uint8_t fmspc[6];
                int sgx_type;
        } cases[] = {
                { COLL "go-tdx-guest/tdx_prod_quote_SPR_E4.dat", { 0x50, 0x80, 0x6f, 0, 0, 0 }, 1 },
                { COLL "go-tdx-guest/quote_v5_sample.dat", { 0x90, 0xc0, 0x6f, 0, 0, 0 }, 1 },
                { COLL "go-tdx-guest/cos-113-tdx-quote.dat", { 0x00, 0x80, 0x6f, 0x05, 0, 0 }, 1 },
                { COLL "trustee/tdx_quote_4.dat", { 0x50, 0x80, 0x6f, 0, 0, 0 }, 1 },
                { COLL "dcap-qvl/tdx_quote", { 0xb0, 0xc0, 0x6f, 0, 0, 0 }, 1 },
                { COLL "dcap-qvl/tdx_quote_outdated", { 0x90, 0xc0, 0x6f, 0, 0, 0 }, 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PckExtension e;
                quote_pck_ext(cases[i].quote, &e);
                assert_memory_equal(e.fmspc, cases[i].fmspc, 6);
                assert_int_equal(e.sgx_type, cases[i].sgx_type);
                static const uint8_t pce_id[2] = { 0, 0 };
                assert_memory_equal(e.pce_id, pce_id, 2);
                /* The 16 SGX component SVNs equal the CPUSVN bytes (attestation.md b.2). */
                assert_memory_equal(e.sgx_tcb_svn, e.cpusvn, 16);
                assert_true(e.pcesvn > 0);
                /* All of these are Platform-CA PCKs. */
                assert_true(e.has_platform_instance_id && e.has_configuration);
        }

        /* SPR E4: PCK SGX components [3,3,2,2,2,1,0,2,...] (MANIFEST 1.1). */
        PckExtension e;
        quote_pck_ext(COLL "go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &e);
        static const uint8_t spr[8] = { 3, 3, 2, 2, 2, 1, 0, 2 };
        assert_memory_equal(e.sgx_tcb_svn, spr, 8);
}

/* Corruptions of a real extension, each naming the sub-OID. */
static void test_pck_ext_malformed(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *chain = quote_pck_chain(COLL "dcap-qvl/tdx_quote");
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = OBJ_txt2obj(PCK_SGX_EXTENSION_OID, 1);
        X509 *leaf = sk_X509_value(chain, 0);
        const ASN1_OCTET_STRING *v =
                X509_EXTENSION_get_data(X509_get_ext(leaf, X509_get_ext_by_OBJ(leaf, oid, -1)));
        size_t n = (size_t) ASN1_STRING_length(v);
        _cleanup_free_ uint8_t *der = attest_dup(ASN1_STRING_get0_data(v), n, n);
        PckExtension e;
        char *detail = NULL;

        assert_int_equal(pck_ext_parse(der, n, &e, NULL), 0);
        for (size_t cut = 0; cut < n; cut += 7)
                assert_int_equal(pck_ext_parse(der, cut, &e, NULL), -EBADMSG);
        assert_int_equal(pck_ext_parse(der, PCK_EXT_MAX + 1, &e, NULL), -E2BIG);

        /* The FMSPC entry's OID ...13.1.4 renamed to ...13.1.9: unknown, so FMSPC is missing. */
        static const uint8_t fmspc_oid[] = { 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86,
                                             0xf8, 0x4d, 0x01, 0x0d, 0x01, 0x04 };
        uint8_t *p = memmem(der, n, fmspc_oid, sizeof(fmspc_oid));
        assert_non_null(p);
        p[sizeof(fmspc_oid) - 1] = 0x09;
        assert_int_equal(pck_ext_parse(der, n, &e, &detail), -EBADMSG);
        assert_non_null(strstr(detail, "1.2.840.113741.1.13.1.4 (FMSPC): missing"));
        p[sizeof(fmspc_oid) - 1] = 0x04;

        /* Its value one byte short of 6: shorten the OCTET STRING by making it 5 and the rest garbage is
         * not possible in place, so turn the FMSPC OID into the PCE-ID OID: a duplicate. */
        p[sizeof(fmspc_oid) - 1] = 0x03;
        assert_int_equal(pck_ext_parse(der, n, &e, &detail), -EBADMSG);
        assert_non_null(strstr(detail, "1.2.840.113741.1.13.1.3"));
        p[sizeof(fmspc_oid) - 1] = 0x04;

        /* PCESVN (.2.17) made a .2.19: missing. */
        static const uint8_t pcesvn_oid[] = { 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf8,
                                              0x4d, 0x01, 0x0d, 0x01, 0x02, 0x11 };
        p = memmem(der, n, pcesvn_oid, sizeof(pcesvn_oid));
        assert_non_null(p);
        p[sizeof(pcesvn_oid) - 1] = 0x13;
        assert_int_equal(pck_ext_parse(der, n, &e, &detail), -EBADMSG);
        assert_non_null(strstr(detail, "1.2.840.113741.1.13.1.2.17: missing"));
        free(detail);

        /* A certificate without the extension. */
        _cleanup_(sk_X509_pop_freep) X509Stack *ca =
                load_certs(COLL "intel-common/Intel_SGX_PCK_Platform_CA.pem");
        detail = NULL;
        assert_int_equal(pck_ext_from_cert(sk_X509_value(ca, 0), &e, &detail), -ENOENT);
        free(detail);
}

/* Bundles: PEM with NULs and junk, DER, caps. */
static void test_bundle_load(void **state)
{
        size_t n;
        _cleanup_free_ uint8_t *pem = attest_load(COLL "go-tdx-guest-2023/pck_crl_issuer_chain.pem", &n);
        _cleanup_free_ uint8_t *padded = calloc(1, n + 64);
        X509Stack *sk = NULL;

        memcpy(padded + 10, pem, n);
        memcpy(padded, "garbage\n\0\0", 10);
        assert_int_equal(x509_bundle_load(padded, n + 64, &sk), 0);
        assert_int_equal(sk_X509_num(sk), 2);

        unsigned char *der = NULL;
        int l = i2d_X509(sk_X509_value(sk, 0), &der);
        assert_true(l > 0);
        sk_X509_pop_free(sk, X509_free);
        sk = NULL;
        _cleanup_free_ uint8_t *two = calloc(1, 2 * (size_t) l + 3);
        memcpy(two, der, (size_t) l);
        memcpy(two + l, der, (size_t) l);
        OPENSSL_free(der);
        assert_int_equal(x509_bundle_load(two, 2 * (size_t) l + 3, &sk), 0);
        assert_int_equal(sk_X509_num(sk), 2);
        sk_X509_pop_free(sk, X509_free);
        sk = NULL;
        assert_int_equal(x509_bundle_load(two, (size_t) l - 1, &sk), -EBADMSG);
        assert_int_equal(x509_bundle_load("junk only", 9, &sk), -EBADMSG);
        assert_int_equal(x509_bundle_load(two, X509_BUNDLE_MAX + 1, &sk), -E2BIG);
        assert_null(sk);
}

/* x509_bundle_load_known(): the same certificates, those of `known` by reference; PEM and DER. */
static void test_bundle_load_known(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = intel_root(), *plain = NULL, *shared = NULL,
                                               *qvl_root =
                                                       load_certs(COLL "qvl-sample/trustedRootCaCert.pem"),
                                               *der_plain = NULL, *der_shared = NULL;
        _cleanup_(tdx_quote_done) TdxQuote q = {}, d = {};
        size_t n;
        _cleanup_free_ char *detail = NULL;

        _cleanup_free_ uint8_t *b = attest_load(COLL "dcap-qvl/tdx_quote", &n);
        assert_int_equal(tdx_quote_parse(b, n, &q, &detail), 0);
        assert_int_equal(x509_bundle_load(q.qe_cert.data, q.qe_cert.size, &plain), 0);
        assert_int_equal(x509_bundle_load_known(q.qe_cert.data, q.qe_cert.size, root, &shared), 0);
        assert_int_equal(sk_X509_num(shared), 3);
        for (int i = 0; i < 3; i++)
                assert_int_equal(X509_cmp(sk_X509_value(plain, i), sk_X509_value(shared, i)), 0);
        /* The root is the anchor's object; the others were parsed. */
        assert_ptr_equal(sk_X509_value(shared, 2), sk_X509_value(root, 0));
        assert_ptr_not_equal(sk_X509_value(shared, 0), sk_X509_value(root, 0));

        /* QVL's sample quote carries DER. */
        _cleanup_free_ uint8_t *db = attest_load(COLL "qvl-sample/quote.dat", &n);
        assert_int_equal(tdx_quote_parse(db, n, &d, &detail), 0);
        assert_int_equal(x509_bundle_load(d.qe_cert.data, d.qe_cert.size, &der_plain), 0);
        assert_int_equal(x509_bundle_load_known(d.qe_cert.data, d.qe_cert.size, qvl_root, &der_shared), 0);
        assert_int_equal(sk_X509_num(der_shared), sk_X509_num(der_plain));
        bool found = false;
        for (int i = 0; i < sk_X509_num(der_shared); i++) {
                assert_int_equal(X509_cmp(sk_X509_value(der_plain, i), sk_X509_value(der_shared, i)), 0);
                found = found || sk_X509_value(der_shared, i) == sk_X509_value(qvl_root, 0);
        }
        assert_true(found);

        /* Garbage is still garbage. */
        X509Stack *sk = NULL;
        assert_int_equal(x509_bundle_load_known("junk only", 9, root, &sk), -EBADMSG);
        assert_null(sk);
}

/* The generated test PKI (test/data/attest/pki/gen-pki.sh): what real vectors lack. */
static X509CrlStack *pki_crls(void)
{
        X509CrlStack *crls = sk_X509_CRL_new_null();
        static const char *const names[] = { "pki/root.crl.der", "pki/pck-crl.der" };
        assert_non_null(crls);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                size_t n;
                _cleanup_free_ uint8_t *b = attest_load(names[i], &n);
                X509_CRL *crl = NULL;
                assert_int_equal(x509_crl_load(b, n, &crl), 0);
                assert_true(sk_X509_CRL_push(crls, crl) > 0);
        }
        return crls;
}

static int pki_verify(const char *leaf, const char *ca, time_t t, X509ChainResult *res)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = load_certs("pki/root.pem");
        _cleanup_(sk_X509_pop_freep) X509Stack *l = load_certs(leaf);
        _cleanup_(sk_X509_pop_freep) X509Stack *untrusted = ca ? load_certs(ca) : sk_X509_new_null();
        _cleanup_(sk_X509_CRL_pop_freep) X509CrlStack *crls = pki_crls();
        return x509_chain_verify(sk_X509_value(l, 0), untrusted, root, crls, t,
                                 X509_CHAIN_CRL_CHECK | X509_CHAIN_REQUIRE_P256, res);
}

static void test_pki(void **state)
{
        time_t t = at("2025-01-01T00:00:00Z");
        X509ChainResult res;

        assert_int_equal(pki_verify("pki/pck.pem", "pki/pck-ca.pem", t, &res), 0);
        assert_int_equal(res.n_windows, 3 + 2);
        x509_chain_result_done(&res);

        /* Revoked PCK (serial 0x1002 in the PCK CRL). */
        ASSERT_ERROR(pki_verify("pki/pck-revoked.pem", "pki/pck-ca.pem", t, &res), -EKEYREVOKED, res.detail,
                     "Test SGX PCK Certificate", "revoked");
        assert_int_equal(res.depth, 0);
        x509_chain_result_done(&res);

        /* Wrong curve: a P-384 PCK key where P-256 is required. */
        ASSERT_ERROR(pki_verify("pki/pck-p384.pem", "pki/pck-ca.pem", t, &res), -EKEYREJECTED, res.detail,
                     "Test SGX PCK Certificate", "not EC P-256");
        x509_chain_result_done(&res);
        _cleanup_(sk_X509_pop_freep) X509Stack *p384 = load_certs("pki/pck-p384.pem");
        uint8_t sig[64] = { 1 };
        assert_int_equal(signed_json_verify("{}", 2, sig, sk_X509_value(p384, 0)), -EKEYREJECTED);

        /* Broken chain: a PCK whose CA chains to another root; and a PCK without its CA. */
        ASSERT_ERROR(pki_verify("pki/pck-orphan.pem", "pki/orphan-ca.pem", t, &res), -EKEYREJECTED,
                     res.detail, "depth");
        x509_chain_result_done(&res);
        ASSERT_ERROR(pki_verify("pki/pck.pem", NULL, t, &res), -EKEYREJECTED, res.detail,
                     "Test SGX PCK Certificate");
        x509_chain_result_done(&res);

        /* Expired TCB Signing certificate (2020-01-01..2021-01-01), checked in 2025. */
        ASSERT_ERROR(pki_verify("pki/tcb-signing-expired.pem", NULL, t, &res), -EKEYEXPIRED, res.detail,
                     "Test SGX TCB Signing", "2021-01-01T00:00:00Z", "not at 2025-01-01T00:00:00Z");
        x509_chain_result_done(&res);
        assert_int_equal(pki_verify("pki/tcb-signing-expired.pem", NULL, at("2020-06-01T00:00:00Z"), &res),
                         -EKEYEXPIRED); /* the CRLs are not valid yet in 2020 */
        x509_chain_result_done(&res);

        /* CRLs outside their window (2024..2026): the good PCK fails as expired. */
        assert_int_equal(pki_verify("pki/pck.pem", "pki/pck-ca.pem", at("2026-06-01T00:00:00Z"), &res),
                         -EKEYEXPIRED);
        x509_chain_result_done(&res);

        /* x509_crl_check(): signature by the issuer, window, wrong issuer. */
        _cleanup_(sk_X509_CRL_pop_freep) X509CrlStack *crls = pki_crls();
        _cleanup_(sk_X509_pop_freep) X509Stack *ca = load_certs("pki/pck-ca.pem");
        _cleanup_(sk_X509_pop_freep) X509Stack *root = load_certs("pki/root.pem");
        _cleanup_free_ char *detail = NULL;
        assert_int_equal(x509_crl_check(sk_X509_CRL_value(crls, 1), sk_X509_value(ca, 0), t, &detail), 0);
        assert_int_equal(x509_crl_check(sk_X509_CRL_value(crls, 1), sk_X509_value(root, 0), t, &detail),
                         -EKEYREJECTED);
        ASSERT_ERROR(x509_crl_check(sk_X509_CRL_value(crls, 0), sk_X509_value(root, 0),
                                    at("2027-01-01T00:00:00Z"), &detail),
                     -EKEYEXPIRED, detail, "2026-01-01T00:00:00Z");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc3339),
                cmocka_unit_test(test_signed_bodies_verify),
                cmocka_unit_test(test_pcs_body_split),
                cmocka_unit_test(test_bundle_dcap_qvl),
                cmocka_unit_test(test_bundle_outdated),
                cmocka_unit_test(test_dir_go_tdx_guest_2023),
                cmocka_unit_test(test_dir_qvl_sample),
                cmocka_unit_test(test_dir_missing),
                cmocka_unit_test(test_bundle_malformed),
                cmocka_unit_test(test_pck_chain),
                cmocka_unit_test(test_pck_ext_real),
                cmocka_unit_test(test_pck_ext_malformed),
                cmocka_unit_test(test_bundle_load),
                cmocka_unit_test(test_bundle_load_known),
                cmocka_unit_test(test_pki),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
