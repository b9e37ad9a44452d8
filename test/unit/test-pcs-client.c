/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The offline parts of fetching collateral: percent-decoding of PCS issuer chain headers, PCS/PCCS and KDS
 * addresses, CRL bodies in the three encodings PCCS and PCS use, the CRL distribution point of the real
 * Intel SGX Root CA, the FMSPC and CA of real quotes, the directory and bundle writers (a round trip gives
 * back the same collateral), and the cache: its directory, its keys, and when an entry is used, refetched
 * or distrusted (with an unreachable service, so any attempt to fetch shows as -ECONNREFUSED).
 */
#include <ctype.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "attest/collateral-write.h"
#include "attest/fetch-cache.h"
#include "attest/http-fetch.h"
#include "attest/intel-root.h"
#include "attest/kds-client.h"
#include "attest/pcs-client.h"
#include "test-attest-util.h"
#include "test-tcb-util.h"

/* Nothing listens on port 1 of the loopback: a fetch fails at once with -ECONNREFUSED. */
#define NOWHERE "http://127.0.0.1:1"

static void test_url_unescape(void **state)
{
        _cleanup_free_ char *s = NULL;
        size_t n;

        const char *enc = "-----BEGIN%20CERTIFICATE-----%0AMII%2Bab%2F%3D%3D%0a";
        assert_int_equal(url_unescape(enc, strlen(enc), &s, &n), 0);
        assert_string_equal(s, "-----BEGIN CERTIFICATE-----\nMII+ab/==\n");
        assert_int_equal(n, strlen(s));
        s = mfree(s);
        /* '+' is a base64 character, not a space. */
        assert_int_equal(url_unescape("a+b", 3, &s, NULL), 0);
        assert_string_equal(s, "a+b");
        s = mfree(s);
        assert_int_equal(url_unescape("", 0, &s, &n), 0);
        assert_int_equal(n, 0);
        s = mfree(s);
        assert_int_equal(url_unescape("%00x", 4, &s, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(s[0], 0);
        s = mfree(s);
        assert_int_equal(url_unescape("abc%2", 5, &s, NULL), -EBADMSG);
        assert_int_equal(url_unescape("abc%", 4, &s, NULL), -EBADMSG);
        assert_int_equal(url_unescape("%zz", 3, &s, NULL), -EBADMSG);
        assert_null(s);
}

static void test_chain_header(void **state)
{
        size_t size;
        _cleanup_free_ char *pem = (char *) attest_load(COLL "go-tdx-guest/tcbInfoIssuerChain.pem", &size);
        _cleanup_free_ char *enc = malloc(3 * size + 1);
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
        size_t n = 0;

        /* Encoded as PCS does: everything but unreserved characters as %XX. */
        assert_non_null(enc);
        for (size_t i = 0; i < size; i++) {
                if (isalnum((unsigned char) pem[i]) || strchr("-_.~", pem[i]))
                        enc[n++] = pem[i];
                else
                        n += (size_t) sprintf(enc + n, "%%%02X", (unsigned char) pem[i]);
        }
        enc[n] = 0;
        assert_non_null(strstr(enc, "%2B") ?: strstr(enc, "%2F"));
        assert_int_equal(pcs_chain_from_header(enc, &sk), 0);
        assert_int_equal(sk_X509_num(sk), 2);
        _cleanup_free_ char *cn = x509_common_name(sk_X509_value(sk, 0));
        assert_string_equal(cn, "Intel SGX TCB Signing");

        /* Not PEM after decoding, broken escapes, truncated PEM. */
        X509Stack *bad = NULL;
        assert_int_equal(pcs_chain_from_header("hello", &bad), -EBADMSG);
        assert_int_equal(pcs_chain_from_header("-----BEGIN%20CERTIFICATE-----%0", &bad), -EBADMSG);
        enc[n * 3 / 4] = 0; /* inside the second certificate */
        assert_int_equal(pcs_chain_from_header(enc, &bad), -EBADMSG);
        assert_null(bad);
}

static void test_urls(void **state)
{
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
        PcsQuery q = { .fmspc = { 0xb0, 0xc0, 0x6f, 0, 0, 0 }, .ca = PCK_CA_PLATFORM };

        assert_int_equal(pcs_base_url("https://pccs.example:8081/sgx/certification/v4/", &a), 0);
        assert_string_equal(a, "https://pccs.example:8081");
        assert_int_equal(pcs_base_url("https://api.trustedservices.intel.com/tdx/certification/v4", &b), 0);
        assert_true(pcs_is_intel(b));
        assert_false(pcs_is_intel(a));
        assert_int_equal(pcs_base_url("ftp://x", &c), -EINVAL);
        assert_int_equal(pcs_base_url("pccs.example", &c), -EINVAL);

        assert_int_equal(pcs_part_url(a, COLLATERAL_TCB_INFO, &q, &c), 0);
        assert_string_equal(c, "https://pccs.example:8081/tdx/certification/v4/tcb?fmspc=B0C06F000000");
        c = mfree(c);
        assert_int_equal(pcs_part_url(a, COLLATERAL_QE_IDENTITY, &q, &c), 0);
        assert_string_equal(c, "https://pccs.example:8081/tdx/certification/v4/qe/identity");
        c = mfree(c);
        q.ca = PCK_CA_PROCESSOR;
        assert_int_equal(pcs_part_url(a, COLLATERAL_PCK_CRL, &q, &c), 0);
        assert_string_equal(
                c, "https://pccs.example:8081/sgx/certification/v4/pckcrl?ca=processor&encoding=der");
        c = mfree(c);
        assert_int_equal(pcs_part_url(a, COLLATERAL_ROOT_CA_CRL, &q, &c), 0);
        assert_string_equal(c, "https://pccs.example:8081/sgx/certification/v4/rootcacrl");
        assert_int_equal(pcs_part_url(a, COLLATERAL_PCK_CRL_ISSUER_CHAIN, &q, &d), -EINVAL);

        /* KDS: the path of snp_kds_vcek_url() under another base. */
        uint8_t chip[SNP_VERIFY_CHIP_ID_SIZE];
        for (size_t i = 0; i < sizeof(chip); i++)
                chip[i] = (uint8_t) i;
        assert_int_equal(kds_base_url("http://127.0.0.1:8080/kds/vcek/v1/", &d), 0);
        assert_string_equal(d, "http://127.0.0.1:8080/kds");
        assert_int_equal(kds_vcek_url(d, AMD_PRODUCT_TURIN, chip, 0xde00000000050403ULL, &e), 0);
        assert_string_equal(
                e, "http://127.0.0.1:8080/kds/vcek/v1/Turin/0001020304050607?fmcSPL=3&blSPL=4&teeSPL=5&"
                   "snpSPL=0&ucodeSPL=222");
        e = mfree(e);
        assert_int_equal(kds_cert_chain_url(d, AMD_PRODUCT_MILAN, &e), 0);
        assert_string_equal(e, "http://127.0.0.1:8080/kds/vcek/v1/Milan/cert_chain");
        memset(chip, 0, sizeof(chip));
        e = mfree(e);
        assert_int_equal(kds_vcek_url(d, AMD_PRODUCT_MILAN, chip, 0, &e), -EINVAL);
}

/* PCS serves DER, PEM (without encoding=der) and PCCS the hex text of the DER: all three, same CRL. */
static void test_crl_bodies(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *der = attest_load(COLL "go-tdx-guest/rootcrl.der", &size);
        _cleanup_free_ char *hex = NULL;
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        X509_CRL *crls[3] = {};
        char *pem;

        assert_int_equal(hex_encode(der, size, &hex), 0);
        assert_int_equal(pcs_crl_from_body((char *) der, size, &crls[0]), 0);
        hex = realloc(hex, strlen(hex) + 2);
        strcat(hex, "\n");
        assert_int_equal(pcs_crl_from_body(hex, strlen(hex), &crls[1]), 0);
        assert_int_equal(PEM_write_bio_X509_CRL(b, crls[0]), 1);
        long n = BIO_get_mem_data(b, &pem);
        assert_int_equal(pcs_crl_from_body(pem, (size_t) n, &crls[2]), 0);
        for (size_t i = 1; i < 3; i++)
                assert_int_equal(X509_CRL_cmp(crls[0], crls[i]), 0);
        for (size_t i = 0; i < 3; i++)
                X509_CRL_free(crls[i]);

        X509_CRL *bad = NULL;
        assert_int_equal(pcs_crl_from_body("abc", 3, &bad), -EBADMSG);
        assert_int_equal(pcs_crl_from_body(hex, 40, &bad), -EBADMSG); /* hex of a truncated DER */
        assert_int_equal(pcs_crl_from_body("<html></html>", 13, &bad), -EBADMSG);
        assert_null(bad);
}

/* Intel PCS has no rootcacrl endpoint: the root names where its CRL is. */
static void test_root_crl_distribution_point(void **state)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *root = NULL;
        _cleanup_free_ char *url = NULL;

        assert_int_equal(intel_sgx_root_load(&root), 0);
        assert_int_equal(x509_crl_distribution_point(sk_X509_value(root, 0), &url), 0);
        assert_string_equal(url, "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");

        size_t size;
        _cleanup_free_ uint8_t *vcek = attest_load("snp/teekit/sev-gcp-vcek.pem", &size);
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
        char *none = NULL;
        assert_int_equal(x509_bundle_load(vcek, size, &sk), 0);
        assert_int_equal(x509_crl_distribution_point(sk_X509_value(sk, 0), &none), -ENOENT);
}

static void query_of(const char *file, PcsQuery *q)
{
        size_t size;
        _cleanup_free_ uint8_t *raw = attest_load(file, &size);
        TdxQuote quote;
        assert_int_equal(tdx_quote_parse(raw, size, &quote, NULL), 0);
        assert_int_equal(pcs_query_from_quote(&quote, q, NULL), 0);
        tdx_quote_done(&quote);
}

static void test_query_from_quote(void **state)
{
        static const uint8_t b0c06f[6] = { 0xb0, 0xc0, 0x6f, 0, 0, 0 },
                             m50806f[6] = { 0x50, 0x80, 0x6f, 0, 0, 0 };
        PcsQuery q;

        /* FMSPCs as the matching TCB info files name them (test/data/attest/README.md). */
        query_of(COLL "dcap-qvl/tdx_quote", &q);
        assert_memory_equal(q.fmspc, b0c06f, 6);
        assert_int_equal(q.ca, PCK_CA_PLATFORM);
        query_of(COLL "trustee/tdx_quote_4.dat", &q);
        assert_memory_equal(q.fmspc, m50806f, 6);
        assert_int_equal(q.ca, PCK_CA_PLATFORM);
        assert_int_equal(pck_ca_from_string("processor"), PCK_CA_PROCESSOR);
}

static void load_bundle(const char *file, Collateral *c)
{
        size_t size;
        _cleanup_free_ char *text = (char *) attest_load(file, &size);
        assert_int_equal(collateral_load_json(text, size, c, NULL), 0);
}

static void assert_same_collateral(const Collateral *a, const Collateral *b)
{
        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                _cleanup_free_ char *x = NULL, *y = NULL;
                size_t nx, ny;
                assert_int_equal(a->present[p], b->present[p]);
                if (!a->present[p])
                        continue;
                assert_int_equal(collateral_part_encode(a, p, &x, &nx), 0);
                assert_int_equal(collateral_part_encode(b, p, &y, &ny), 0);
                assert_int_equal(nx, ny);
                assert_memory_equal(x, y, nx);
        }
        assert_int_equal(a->tcb_info.size, b->tcb_info.size);
        assert_memory_equal(a->tcb_info.text, b->tcb_info.text, a->tcb_info.size);
        assert_memory_equal(a->tcb_info.signature, b->tcb_info.signature, 64);
}

static void test_write_round_trip(void **state)
{
        _cleanup_(collateral_done) Collateral c = {}, d = {}, e = {};
        char tmp[] = "/tmp/test-pcs-client-XXXXXX";
        _cleanup_free_ char *dir = NULL, *text = NULL;
        size_t size;
        time_t next;

        load_bundle(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        assert_int_equal(collateral_next_update(&c, &next), 0);
        /* The earliest of TCB info, QE identity and the two CRLs: the PCK CRL's. */
        assert_int_equal(next, at("2025-07-19T10:00:35Z"));

        assert_non_null(mkdtemp(tmp));
        assert_true(asprintf(&dir, "%s/a/b", tmp) > 0);
        assert_int_equal(collateral_write_dir(&c, dir), 0);
        assert_int_equal(collateral_load_dir(dir, &d, NULL), 0);
        assert_same_collateral(&c, &d);

        assert_int_equal(collateral_to_bundle(&c, &text, &size), 0);
        assert_int_equal(collateral_load_json(text, size, &e, NULL), 0);
        assert_same_collateral(&c, &e);

        /* A part missing from the collateral removes its old file. */
        d.present[COLLATERAL_QE_IDENTITY] = false;
        assert_int_equal(collateral_write_dir(&d, dir), 0);
        collateral_done(&e);
        assert_int_equal(collateral_load_dir(dir, &e, NULL), 0);
        assert_false(e.present[COLLATERAL_QE_IDENTITY]);
        assert_true(e.present[COLLATERAL_TCB_INFO]);
        assert_int_equal(collateral_next_update(&e, &next), -ENODATA);

        _cleanup_free_ char *cmd = NULL;
        assert_true(asprintf(&cmd, "rm -rf '%s'", tmp) > 0);
        assert_int_equal(system(cmd), 0);
}

static void test_cache_dir(void **state)
{
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *p = NULL, *q = NULL;

        assert_int_equal(setenv("CVM_CACHE_DIR", "/var/cache/x", 1), 0);
        assert_int_equal(fetch_cache_dir("collateral", &a), 0);
        assert_string_equal(a, "/var/cache/x/collateral");
        assert_int_equal(setenv("CVM_CACHE_DIR", "relative", 1), 0);
        assert_int_equal(setenv("XDG_CACHE_HOME", "/home/u/.xdg", 1), 0);
        assert_int_equal(fetch_cache_dir("kds", &b), 0);
        assert_string_equal(b, "/home/u/.xdg/cvm/kds");
        assert_int_equal(unsetenv("CVM_CACHE_DIR"), 0);
        assert_int_equal(unsetenv("XDG_CACHE_HOME"), 0);
        assert_int_equal(setenv("HOME", "/home/u", 1), 0);
        assert_int_equal(fetch_cache_dir("kds", &c), 0);
        assert_string_equal(c, "/home/u/.cache/cvm/kds");
        assert_int_equal(unsetenv("HOME"), 0);
        char *none = NULL;
        assert_int_equal(fetch_cache_dir("kds", &none), -ENOENT);

        /* Keys: the same parts give the same name, any difference another. */
        const char *k1[] = { "tdx", "http://a", "B0C06F000000", "platform", NULL };
        const char *k2[] = { "tdx", "http://a", "B0C06F000000", "processor", NULL };
        const char *k3[] = { "tdx", "http://a", "B0C06F000000", "platform", NULL };
        assert_int_equal(fetch_cache_path("/c", k1, ".json", &p), 0);
        assert_int_equal(fetch_cache_path("/c", k2, ".json", &q), 0);
        assert_int_equal(strlen(p), strlen("/c/") + 64 + strlen(".json"));
        assert_string_not_equal(p, q);
        q = mfree(q);
        assert_int_equal(fetch_cache_path("/c", k3, ".json", &q), 0);
        assert_string_equal(p, q);
}

/*
 * The cache decides: a fresh complete entry is used without a request; at its nextUpdate, or when it is
 * corrupt or incomplete, cvm goes to the network (here: refused). The entry is found under the name of
 * (URL, FMSPC, CA), so the entry is planted by a fetch-free route: the bundle writer at that path.
 */
static void test_cache_decisions(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};
        char tmp[] = "/tmp/test-pcs-cache-XXXXXX";
        _cleanup_free_ char *text = NULL, *entry = NULL, *cmd = NULL;
        PcsQuery q;
        size_t size;
        char *detail = NULL;

        assert_non_null(mkdtemp(tmp));
        query_of(COLL "dcap-qvl/tdx_quote", &q);
        load_bundle(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        assert_int_equal(collateral_to_bundle(&c, &text, &size), 0);
        const char *parts[] = { "tdx-collateral", NOWHERE, "B0C06F000000", "platform", NULL };
        assert_int_equal(fetch_cache_path(tmp, parts, ".json", &entry), 0);
        assert_int_equal(fetch_cache_write(entry, text, size), 0);

        /* Fresh: no request. The URL may be written in any form pcs_base_url() takes. */
        Collateral got = {};
        PcsFetchResult res = {};
        assert_int_equal(pcs_fetch_collateral(NOWHERE "/sgx/certification/v4/", &q, tmp,
                                              at("2025-07-01T00:00:00Z"), &got, &res, NULL),
                         0);
        assert_true(res.from_cache);
        assert_same_collateral(&c, &got);
        collateral_done(&got);
        pcs_fetch_result_done(&res);

        /* At the PCK CRL's nextUpdate: stale, fetched again. */
        assert_int_equal(
                pcs_fetch_collateral(NOWHERE, &q, tmp, at("2025-07-19T10:00:35Z"), &got, &res, &detail),
                -ECONNREFUSED);
        assert_non_null(strstr(detail, "GET " NOWHERE "/tdx/certification/v4/tcb?fmspc=B0C06F000000"));
        detail = mfree(detail);
        /* No cache directory: always fetched. */
        assert_int_equal(
                pcs_fetch_collateral(NOWHERE, &q, NULL, at("2025-07-01T00:00:00Z"), &got, &res, NULL),
                -ECONNREFUSED);
        /* Another CA is another entry. */
        q.ca = PCK_CA_PROCESSOR;
        assert_int_equal(
                pcs_fetch_collateral(NOWHERE, &q, tmp, at("2025-07-01T00:00:00Z"), &got, &res, NULL),
                -ECONNREFUSED);
        q.ca = PCK_CA_PLATFORM;

        /* An entry that does not load (truncated) or lacks a part is not used. (Signatures are checked by
         * the verification that follows, on cached and fetched collateral alike.) */
        assert_int_equal(fetch_cache_write(entry, text, size / 2), 0);
        assert_int_equal(
                pcs_fetch_collateral(NOWHERE, &q, tmp, at("2025-07-01T00:00:00Z"), &got, &res, NULL),
                -ECONNREFUSED);
        c.present[COLLATERAL_ROOT_CA_CRL] = false;
        text = mfree(text);
        assert_int_equal(collateral_to_bundle(&c, &text, &size), 0);
        assert_int_equal(fetch_cache_write(entry, text, size), 0);
        assert_int_equal(
                pcs_fetch_collateral(NOWHERE, &q, tmp, at("2025-07-01T00:00:00Z"), &got, &res, NULL),
                -ECONNREFUSED);

        assert_true(asprintf(&cmd, "rm -rf '%s'", tmp) > 0);
        assert_int_equal(system(cmd), 0);
}

static void test_http_errors(void **state)
{
        HttpResponse r = {};
        char *detail = NULL;

        assert_int_equal(http_get("ftp://example.com/x", 0, &r, &detail), -EINVAL);
        assert_non_null(strstr(detail, "not an http:// or https:// URL"));
        detail = mfree(detail);
        assert_int_equal(http_get("file:///etc/passwd", 0, &r, &detail), -EINVAL);
        detail = mfree(detail);
        assert_int_equal(http_get(NOWHERE "/x", 0, &r, &detail), -ECONNREFUSED);
        assert_non_null(strstr(detail, "GET " NOWHERE "/x: "));
        detail = mfree(detail);
        assert_null(http_response_header(&r, "x"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_url_unescape),
                cmocka_unit_test(test_chain_header),
                cmocka_unit_test(test_urls),
                cmocka_unit_test(test_crl_bodies),
                cmocka_unit_test(test_root_crl_distribution_point),
                cmocka_unit_test(test_query_from_quote),
                cmocka_unit_test(test_write_round_trip),
                cmocka_unit_test(test_cache_dir),
                cmocka_unit_test(test_cache_decisions),
                cmocka_unit_test(test_http_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
