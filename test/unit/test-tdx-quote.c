/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDX quote v4/v5 and TDREPORT parsing, and evidence kind detection, on the real quotes of
 * test/data/attest (values from the shared vectors' MANIFEST.md) and on one corruption per rule, each
 * with its errno and the words of its sentence. The recorded regions are checked against what a verifier
 * will do with them: the QE report data must be SHA-256(attestation key || QE auth data), and the
 * TDREPORT hashes must be SHA-384 of the TEE_TCB_INFO and TDINFO regions.
 */
#include <openssl/evp.h>

#include "attest/evidence.h"
#include "attest/tdx-quote.h"
#include "attest/tdx-report.h"
#include "test-attest-util.h"

typedef struct {
        const char *file;
        uint16_t version, body_type;
        size_t file_size, size, trailing;
        bool trailing_all_zero;
        uint8_t svn[3];
        uint64_t td_attributes;
        uint16_t qe_isv_svn;
        uint32_t cert_size, pck_size;
        unsigned n_pem;
        size_t nuls;
        uint16_t qe_auth_size;
} QuoteVector;

/* MANIFEST.md §1 "Parsed facts", plus the certification data sizes of the real bytes. */
static const QuoteVector vectors[] = {
        { "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
          4,
          2,
          4974,
          4935,
          39,
          false,
          { 0x03, 0x00, 0x04 },
          0x40000000,
          4,
          4165,
          3677,
          3,
          0,
          32 },
        { "tdx/go-tdx-guest/quote_v5_sample.dat",
          5,
          3,
          5006,
          5006,
          0,
          true,
          { 0x0b, 0x01, 0x04 },
          0x10000000,
          7,
          4166,
          3678,
          3,
          1,
          32 },
        { "tdx/go-tdx-guest/cos-113-tdx-quote.dat",
          4,
          2,
          8000,
          4935,
          3065,
          true,
          { 0x04, 0x01, 0x07 },
          0x10000000,
          6,
          4165,
          3677,
          3,
          0,
          32 },
        { "tdx/trustee/tdx_quote_4.dat",
          4,
          2,
          4936,
          4936,
          0,
          true,
          { 0x03, 0x00, 0x05 },
          0x10000001,
          4,
          4166,
          3678,
          3,
          1,
          32 },
        { "tdx/dcap-qvl/tdx_quote",
          4,
          2,
          5006,
          4936,
          70,
          true,
          { 0x06, 0x01, 0x03 },
          0x10000000,
          6,
          4166,
          3678,
          3,
          1,
          32 },
        { "tdx/dcap-qvl/tdx_quote_outdated",
          5,
          3,
          5006,
          5006,
          0,
          true,
          { 0x07, 0x01, 0x03 },
          0x10000000,
          7,
          4166,
          3678,
          3,
          1,
          32 },
        /* Synthetic (QVL test keys): DER in the type 5 data, empty QE auth data, absurd SVNs. */
        { "tdx/qvl-sample/quote.dat",
          4,
          2,
          3696,
          3696,
          0,
          true,
          { 0x52, 0xc1, 0xa3 },
          0,
          12677,
          2926,
          2470,
          0,
          0,
          0 },
};

static void sha(const char *md, const void *p, size_t n, uint8_t *out)
{
        unsigned len;
        assert_int_equal(EVP_Digest(p, n, out, &len, EVP_get_digestbyname(md), NULL), 1);
}

static void tdx_quote_real_vectors(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                const QuoteVector *v = vectors + i;
                size_t size;
                _cleanup_free_ uint8_t *b = attest_load(v->file, &size);
                _cleanup_free_ char *err = NULL;
                TdxQuote q;

                print_message("# %s\n", v->file);
                assert_int_equal(size, v->file_size);
                assert_int_equal(tdx_quote_parse(b, size, &q, &err), 0);
                assert_null(err);
                assert_int_equal(q.version, v->version);
                assert_int_equal(q.att_key_type, 2);
                assert_int_equal(q.tee_type, 0x81);
                assert_memory_equal(q.qe_vendor_id, TDX_QE_VENDOR_INTEL, 16);
                assert_memory_equal(q.reserved, "\0\0\0\0", 4);
                assert_int_equal(q.body_type, v->body_type);
                assert_int_equal(q.body_size, v->body_type == 2 ? 584 : 648);
                assert_int_equal(q.body_offset, v->version == 4 ? 48 : 54);
                assert_int_equal(q.size, v->size);
                assert_int_equal(q.trailing, v->trailing);
                assert_int_equal(q.trailing_all_zero, v->trailing_all_zero);
                assert_memory_equal(q.body.tee_tcb_svn, v->svn, 3);
                assert_int_equal(q.body.td_attributes, v->td_attributes);
                assert_int_equal(q.body.has_td15, v->body_type == 3);
                assert_int_equal(q.body.seam_attributes, 0);

                /* Signed: header (+ v5 type and size) + body (attestation.md §a.3). */
                assert_int_equal(q.signed_size, v->version == 4 ? 632 : 54 + 648);
                assert_int_equal(q.sig_data_offset, q.signed_size + 4);
                assert_int_equal(q.sig_data_offset + q.sig_data_size, q.size);
                assert_memory_equal(q.raw, b, q.size);

                assert_int_equal(q.cert.type, TDX_CERT_QE_REPORT);
                assert_int_equal(q.cert.size, v->cert_size);
                assert_int_equal(q.cert.offset, q.sig_data_offset + 134);
                assert_true(q.has_qe_report);
                assert_int_equal(q.qe_report_offset, q.cert.offset);
                assert_int_equal(q.qe_report.isv_svn, v->qe_isv_svn);
                assert_int_equal(q.qe_auth_size, v->qe_auth_size);
                assert_int_equal(q.qe_auth_offset, q.qe_report_offset + 384 + 64 + 2);
                assert_ptr_equal(q.qe_auth_data, q.raw + q.qe_auth_offset);
                assert_int_equal(q.qe_cert.type, TDX_CERT_PCK_CERT_CHAIN);
                assert_int_equal(q.qe_cert.size, v->pck_size);
                assert_int_equal(q.qe_cert.offset + q.qe_cert.size, q.size);
                assert_int_equal(q.qe_cert.n_pem_certificates, v->n_pem);
                assert_int_equal(q.qe_cert.trailing_nuls, v->nuls);

                /* The regions are the verifier's: QE report data = SHA-256(attestation key || auth data). */
                uint8_t md[32];
                _cleanup_free_ uint8_t *cat = malloc(64 + q.qe_auth_size + 1);
                assert_non_null(cat);
                memcpy(cat, q.attestation_key, 64);
                memcpy(cat + 64, q.qe_auth_data, q.qe_auth_size);
                sha("SHA256", cat, 64 + q.qe_auth_size, md);
                assert_memory_equal(q.qe_report.report_data, md, 32);
                assert_memory_equal(q.raw + q.qe_report_offset + 320, q.qe_report.report_data, 64);

                tdx_quote_done(&q);
        }
}

static void tdx_quote_v5_td15_fields(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("tdx/go-tdx-guest/quote_v5_sample.dat", &size);
        _cleanup_(tdx_quote_done) TdxQuote q = {};

        assert_int_equal(tdx_quote_parse(b, size, &q, NULL), 0);
        assert_memory_equal(q.body.tee_tcb_svn2, "\x0d\x01\x04\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
        static const uint8_t zero[48];
        assert_memory_equal(q.body.mr_servicetd, zero, 48);
        /* The v5 body descriptor at 48/50 is inside the signed bytes. */
        assert_int_equal(get32(b + 50), 648);
        assert_int_equal(q.body.xfam, 0x602e7);
        assert_int_equal(q.qe_report.isv_prod_id, 2);
}

/* SPR_E4 without its 39 trailing bytes: header 0, body 48, length 632, signature data 636 (sig, key),
 * cert type 764 / size 766, QE report 770, QE sig 1154, auth size 1218, auth 1220, nested type 1252 /
 * size 1254, PCK chain 1258..4935. */
static uint8_t *spr_e4(size_t *ret_size)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &size);
        assert_int_equal(size, 4974);
        *ret_size = 4935;
        return attest_dup(b, 4935, 4935);
}

static void expect(const uint8_t *b, size_t size, int error, const char *const *words)
{
        _cleanup_free_ char *err = NULL;
        TdxQuote q = { .version = 0xbeef, .size = 42 };

        int r = tdx_quote_parse(b, size, &q, &err);
        assert_error(r, error, err, words);
        /* Out-parameters are written only on success. */
        assert_int_equal(q.version, 0xbeef);
        assert_int_equal(q.size, 42);
        assert_null(q.raw);
        /* And the same without a detail pointer. */
        assert_int_equal(tdx_quote_parse(b, size, &q, NULL), error);
}

#define EXPECT(b, size, error, ...) expect((b), (size), (error), (const char *const[]){ __VA_ARGS__, NULL })

/* Parses (and frees) a quote that must be well-formed. */
static void parses(const uint8_t *b, size_t size)
{
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        assert_int_equal(tdx_quote_parse(b, size, &q, NULL), 0);
}

/* The public entry point on bad input: errno and words, nothing returned. */
static void public_expect(const void *b, size_t size, int error, const char *const *words)
{
        _cleanup_free_ char *err = NULL;
        cvm_evidence *e = NULL;
        int r = cvm_evidence_parse(b, size, &e, &err);
        assert_error(r, error, err, words);
        assert_null(e);
}

#define PUBLIC_EXPECT(b, size, error, ...)                                                                  \
        public_expect((b), (size), (error), (const char *const[]){ __VA_ARGS__, NULL })

static void tdx_quote_truncated_everywhere(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = spr_e4(&size);

        /* Every cut, at every byte: malformed, never a crash or a success. */
        for (size_t n = 0; n < size; n++)
                assert_int_equal(tdx_quote_parse(b, n, &(TdxQuote){}, NULL), -EBADMSG);

        /* At each structural boundary, the sentence names what is missing and where. */
        EXPECT(b, 0, -EBADMSG, "header", "48 bytes", "offset 0x0", "has 0 bytes");
        EXPECT(b, 47, -EBADMSG, "header", "truncated", "has 47 bytes");
        EXPECT(b, 48, -EBADMSG, "body", "td-report-1.0", "584 bytes at offset 0x30", "only 0 bytes remain");
        EXPECT(b, 631, -EBADMSG, "body", "only 583 bytes remain");
        EXPECT(b, 632, -EBADMSG, "signature data length", "u32 at offset 0x278", "missing");
        EXPECT(b, 635, -EBADMSG, "signature data length", "u32 at offset 0x278");
        EXPECT(b, 636, -EBADMSG, "signature data length", "offset 0x278", "4299 bytes",
               "only 0 bytes follow");
        EXPECT(b, 4934, -EBADMSG, "signature data length", "4299 bytes", "only 4298 bytes follow");
}

static void tdx_quote_lengths_inside(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = spr_e4(&size);

        /* Signature data too short for signature + key: length 100. */
        put32(b + 632, 100);
        EXPECT(b, size, -EBADMSG, "signature data", "100 bytes at offset 0x27c", "too short", "128 bytes");
        /* Ends inside the certification data header. */
        put32(b + 632, 131);
        EXPECT(b, size, -EBADMSG, "certification data header", "offset 0x2fc", "truncated",
               "3 bytes remain");
        /* Longer than the certification data: bytes left over inside the signature data. */
        put32(b + 632, 4300);
        _cleanup_free_ uint8_t *c = attest_dup(b, size, size + 1);
        EXPECT(c, size + 1, -EBADMSG, "signature data", "1 bytes after its certification data",
               "offset 0x1347");
        /* Points past the end of the input. */
        put32(b + 632, 5000);
        EXPECT(b, size, -EBADMSG, "signature data length", "offset 0x278", "5000 bytes",
               "only 4299 bytes follow");
        /* Over the 1 MiB cap, whatever follows. */
        put32(b + 632, CVM_QUOTE_MAX + 1);
        EXPECT(b, size, -E2BIG, "signature data length", "offset 0x278", "over the cap");
        put32(b + 632, 4299);
        parses(b, size);

        /* Certification data size one past the signature data. */
        put32(b + 766, 4166);
        EXPECT(b, size, -EBADMSG, "signature data", "certification data size", "u32 at offset 0x2fe",
               "4166 bytes", "only 4165 bytes follow");
        /* Over the 64 KiB cap. */
        put32(b + 766, TDX_CERT_DATA_MAX + 1);
        EXPECT(b, size, -E2BIG, "certification data size", "offset 0x2fe", "65537 bytes", "over the cap");
        put32(b + 766, 4165);

        /* QE auth data size past the end of the QE report certification data. */
        put16(b + 1218, 4000);
        EXPECT(b, size, -EBADMSG, "QE authentication data size", "u16 at offset 0x4c2", "4000 bytes",
               "only 3715 bytes follow");
        put16(b + 1218, 32);

        /* Nested PCK chain size past the end, and over the cap. */
        put32(b + 1254, 3678);
        EXPECT(b, size, -EBADMSG, "QE report certification data", "certification data size",
               "u32 at offset 0x4e6", "3678 bytes", "only 3677 bytes follow");
        put32(b + 1254, 70000);
        EXPECT(b, size, -E2BIG, "QE report certification data", "offset 0x4e6", "over the cap");
        /* Shorter: bytes left over after the nested data. */
        put32(b + 1254, 3676);
        EXPECT(b, size, -EBADMSG, "QE report certification data",
               "1 bytes after its nested certification data");
        put32(b + 1254, 3677);

        /* QE report certification data too short for the QE report, or for its signature. */
        put32(b + 632, 128 + 6 + 100);
        put32(b + 766, 100);
        EXPECT(b, 636 + 234, -EBADMSG, "QE report certification data", "100 bytes at offset 0x302",
               "too short for the QE report");
        put32(b + 632, 128 + 6 + 400);
        put32(b + 766, 400);
        EXPECT(b, 636 + 534, -EBADMSG, "QE report signature", "offset 0x482", "truncated");
        put32(b + 632, 128 + 6 + 448);
        put32(b + 766, 448);
        EXPECT(b, 636 + 582, -EBADMSG, "QE authentication data size", "offset 0x4c2", "missing");
}

static void tdx_quote_versions_and_types(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = spr_e4(&size);

        put16(b, 3);
        EXPECT(b, size, -EOPNOTSUPP, "header.version", "offset 0x0", "is 3", "SGX quote");
        put16(b, 6);
        EXPECT(b, size, -EOPNOTSUPP, "header.version", "offset 0x0", "is 6", "4 and 5");
        put16(b, 4);
        put16(b + 2, 3);
        EXPECT(b, size, -EOPNOTSUPP, "header.att_key_type", "offset 0x2", "is 3", "ECDSA-256-with-P-256");
        put16(b + 2, 2);
        put32(b + 4, 0);
        EXPECT(b, size, -EOPNOTSUPP, "header.tee_type", "offset 0x4", "0x00000000 (SGX)", "not 0x00000081");
        put32(b + 4, 0x81);

        /* Unknown certification data type, outer and nested. */
        put16(b + 764, 7);
        EXPECT(b, size, -EOPNOTSUPP, "signature data", "certification data type", "offset 0x2fc", "is 7",
               "unknown");
        put16(b + 764, 0);
        EXPECT(b, size, -EOPNOTSUPP, "certification data type", "is 0");
        put16(b + 764, 6);
        put16(b + 1252, 9);
        EXPECT(b, size, -EOPNOTSUPP, "QE report certification data", "certification data type",
               "offset 0x4e4", "is 9");
        put16(b + 1252, 6);
        EXPECT(b, size, -EBADMSG, "nested certification data type", "offset 0x4e4", "6 (QE report) again");
        put16(b + 1252, 5);
        parses(b, size);
}

/* SPR_E4 made into a v5 quote: header, u16 type, u32 size, body, then the same signature data. */
static uint8_t *as_v5(const uint8_t *v4, size_t size, uint16_t type, uint32_t body_size, size_t *ret_size)
{
        uint8_t *b = calloc(1, size + 6 + 64);
        assert_non_null(b);
        memcpy(b, v4, 48);
        put16(b, 5);
        put16(b + 48, type);
        put32(b + 50, body_size);
        memcpy(b + 54, v4 + 48, 584); /* a TD 1.5 body gets 64 zero bytes more */
        size_t body = type == 3 ? 648 : 584;
        memcpy(b + 54 + body, v4 + 632, size - 632);
        *ret_size = 54 + body + size - 632;
        return b;
}

static void tdx_quote_v5_body_types(void **state)
{
        size_t size, n;
        _cleanup_free_ uint8_t *b = spr_e4(&size);

        _cleanup_free_ uint8_t *t2 = as_v5(b, size, 2, 584, &n);
        _cleanup_(tdx_quote_done) TdxQuote q = {};
        assert_int_equal(tdx_quote_parse(t2, n, &q, NULL), 0);
        assert_int_equal(q.version, 5);
        assert_int_equal(q.body_type, 2);
        assert_false(q.body.has_td15);
        assert_int_equal(q.signed_size, 54 + 584);
        assert_int_equal(q.size, n);
        assert_int_equal(q.body.td_attributes, 0x40000000);

        _cleanup_free_ uint8_t *t3 = as_v5(b, size, 3, 648, &n);
        _cleanup_(tdx_quote_done) TdxQuote q3 = {};
        assert_int_equal(tdx_quote_parse(t3, n, &q3, NULL), 0);
        assert_true(q3.body.has_td15);
        assert_int_equal(q3.signed_size, 54 + 648);

        /* The body descriptor itself cut short. */
        EXPECT(t3, 50, -EBADMSG, "v5 body descriptor", "offset 0x30", "truncated");
        EXPECT(t3, 54 + 100, -EBADMSG, "body", "td-report-1.5", "648 bytes at offset 0x36",
               "only 100 bytes");

        /* Size that does not match the type, SGX bodies, unknown types. */
        put32(t3 + 50, 584);
        EXPECT(t3, n, -EBADMSG, "body size", "u32 at offset 0x32", "584 bytes", "td-report-1.5",
               "648 bytes");
        put32(t3 + 50, 0xffffffff);
        EXPECT(t3, n, -EBADMSG, "body size", "4294967295 bytes");
        put16(t3 + 48, 1);
        EXPECT(t3, n, -EOPNOTSUPP, "body type", "u16 at offset 0x30", "is 1", "SGX enclave report");
        put16(t3 + 48, 4);
        EXPECT(t3, n, -EOPNOTSUPP, "body type", "offset 0x30", "is 4", "TD Report 1.0", "TD Report 1.5");
        put16(t3 + 48, 0);
        EXPECT(t3, n, -EOPNOTSUPP, "body type", "is 0");
}

static void tdx_quote_top_level_cert_types(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = spr_e4(&size);

        /* Signature data with the PCK chain at the top level (type 5) instead of QE report data. */
        size_t n = 764 + 6 + 3677;
        _cleanup_free_ uint8_t *c = attest_dup(b, 764, n);
        put32(c + 632, 128 + 6 + 3677);
        put16(c + 764, 5);
        put32(c + 766, 3677);
        memcpy(c + 770, b + 1258, 3677);

        _cleanup_(tdx_quote_done) TdxQuote q = {};
        assert_int_equal(tdx_quote_parse(c, n, &q, NULL), 0);
        assert_int_equal(q.cert.type, TDX_CERT_PCK_CERT_CHAIN);
        assert_int_equal(q.cert.n_pem_certificates, 3);
        assert_false(q.has_qe_report);
        assert_null(q.qe_auth_data);
        assert_int_equal(q.size, n);

        /* Types 1-4 are opaque data; an empty blob is fine. */
        for (uint16_t t = 1; t <= 4; t++) {
                put16(c + 764, t);
                _cleanup_(tdx_quote_done) TdxQuote p = {};
                assert_int_equal(tdx_quote_parse(c, n, &p, NULL), 0);
                assert_int_equal(p.cert.type, t);
                assert_int_equal(p.cert.n_pem_certificates, 0);
        }
        static const char *const names[] = { NULL, "ppid-cleartext", "ppid-rsa2048-encrypted",
                                             "ppid-rsa3072-encrypted", "pck-cleartext" };
        for (uint16_t t = 1; t <= 4; t++)
                assert_string_equal(tdx_cert_type_to_string(t), names[t]);
        {
        }
}

static void tdx_quote_over_cap(void **state)
{
        _cleanup_free_ uint8_t *b = calloc(1, CVM_QUOTE_MAX + 1);
        assert_non_null(b);
        put16(b, 4);
        put16(b + 2, 2);
        EXPECT(b, CVM_QUOTE_MAX + 1, -E2BIG, "input", "1048577 bytes", "over the cap");
}

static void tdx_flag_names(void **state)
{
        assert_string_equal(tdx_td_attribute_to_string(0), "DEBUG");
        assert_string_equal(tdx_td_attribute_to_string(28), "SEPT_VE_DISABLE");
        assert_string_equal(tdx_td_attribute_to_string(29), "MIGRATABLE");
        assert_string_equal(tdx_td_attribute_to_string(30), "PKS");
        assert_string_equal(tdx_td_attribute_to_string(31), "KL");
        assert_string_equal(tdx_td_attribute_to_string(63), "PERFMON");
        assert_null(tdx_td_attribute_to_string(1));
        assert_null(tdx_td_attribute_to_string(64));
        assert_string_equal(tdx_xfam_to_string(0), "x87");
        assert_string_equal(tdx_xfam_to_string(2), "AVX");
        assert_string_equal(tdx_xfam_to_string(18), "AMX_TILEDATA");
        assert_null(tdx_xfam_to_string(40));
}

static void tdreport_real(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("tdx/dcap-misc/tdreport_for_test.dat", &size);
        _cleanup_free_ TdxReport *t = new0(TdxReport, 1);
        _cleanup_free_ char *err = NULL;
        uint8_t md[48];

        assert_non_null(t);
        assert_int_equal(tdx_report_parse(b, size, t, &err), 0);
        assert_null(err);
        assert_int_equal(t->report_type, 0x81);
        assert_int_equal(t->report_subtype, 0);
        assert_int_equal(t->report_version, 0);
        assert_false(t->body.has_td15);
        assert_memory_equal(t->cpu_svn, "\x05\x05\x0f\x11\x03\xff\x00\x04", 8);
        assert_int_equal(t->tee_tcb_info_valid, 0x1ff);
        assert_memory_equal(t->body.tee_tcb_svn, "\x04\x00\x05\x00", 4);
        assert_int_equal(t->body.td_attributes, 0x50000000); /* SEPT_VE_DISABLE | PKS */
        assert_int_equal(t->body.xfam, 0x602e7);
        assert_int_equal(t->body.seam_attributes, 0);
        assert_memory_equal(t->body.mr_seam, "\x48\xfa\x69\x94\x9d\xb0\x80\x02", 8);
        assert_memory_equal(t->body.mr_td, "\xbb\x12\x49\xbd\xe9\x60\xef\x9b", 8);
        assert_memory_equal(t->body.report_data, b + 128, 64);
        assert_memory_equal(t->raw, b, 1024);

        /* The MAC-covered hashes are over exactly the regions the parser decodes (attestation.md §a.5). */
        sha("SHA384", t->raw + TDX_TEE_TCB_INFO_OFFSET, TDX_TEE_TCB_INFO_SIZE, md);
        assert_memory_equal(md, t->tee_tcb_info_hash, 48);
        sha("SHA384", t->raw + TDX_TD_INFO_OFFSET, TDX_TD_INFO_SIZE, md);
        assert_memory_equal(md, t->tee_info_hash, 48);
}

static void tdreport_bad(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("tdx/dcap-misc/tdreport_for_test.dat", &size);
        _cleanup_free_ char *err = NULL;
        TdxReport *t = new0(TdxReport, 1);
        assert_non_null(t);
        t->report_version = 77;

        static const size_t sizes[] = { 0, 1, 256, 1023, 1025, 2048 };
        _cleanup_free_ uint8_t *big = attest_dup(b, size, 2048);
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                char want[32];
                snprintf(want, sizeof(want), "got %zu bytes", sizes[i]);
                ASSERT_ERROR(tdx_report_parse(big, sizes[i], t, &err), -EBADMSG, err, "TDREPORT",
                             "exactly 1024 bytes", want);
        }
        b[0] = 0;
        ASSERT_ERROR(tdx_report_parse(b, size, t, &err), -EOPNOTSUPP, err, "REPORTTYPE.TYPE", "offset 0x0",
                     "0x00", "SGX");
        b[0] = 0x80;
        ASSERT_ERROR(tdx_report_parse(b, size, t, &err), -EOPNOTSUPP, err, "0x80", "not 0x81");
        assert_int_equal(t->report_version, 77);
        free(t);

        /* The detector sends a TDREPORT of the wrong size to the TDREPORT parser, which names the size. */
        b[0] = 0x81;
        cvm_evidence *e = NULL;
        ASSERT_ERROR(evidence_parse(b, 1000, SNP_PRODUCT_UNKNOWN, &e, &err), -EBADMSG, err, "TDREPORT",
                     "got 1000 bytes");
        assert_null(e);
}

static void evidence_detection(void **state)
{
        static const struct {
                const char *file;
                cvm_evidence_kind kind;
                unsigned version;
                size_t trailing;
        } files[] = {
                { "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", CVM_EVIDENCE_TDX_QUOTE, 4, 39 },
                { "tdx/go-tdx-guest/cos-113-tdx-quote.dat", CVM_EVIDENCE_TDX_QUOTE, 4, 3065 },
                { "tdx/dcap-qvl/tdx_quote_outdated", CVM_EVIDENCE_TDX_QUOTE, 5, 0 },
                { "tdx/dcap-misc/tdreport_for_test.dat", CVM_EVIDENCE_TDREPORT, 0, 0 },
                { "snp/go-sev-guest/attestation.bin", CVM_EVIDENCE_SNP_REPORT, 2, 0 },
                { "snp/virtee-sev/report_milan.hex", CVM_EVIDENCE_SNP_REPORT, 2, 0 },
                { "snp/teekit/sev-gcp.bin", CVM_EVIDENCE_SNP_REPORT, 5, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                size_t size;
                _cleanup_free_ uint8_t *b = attest_load(files[i].file, &size);
                _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
                _cleanup_free_ char *json = NULL, *want = NULL;

                assert_int_equal(cvm_evidence_parse(b, size, &e, NULL), 0);
                assert_int_equal(cvm_evidence_get_kind(e), files[i].kind);
                assert_int_equal(cvm_evidence_get_version(e), files[i].version);
                assert_int_equal(cvm_evidence_get_trailing(e), files[i].trailing);
                assert_int_equal(cvm_evidence_to_json(e, &json), 0);
                assert_true(asprintf(&want, "\"kind\": \"%s\"", cvm_evidence_kind_to_string(files[i].kind)) >
                            0);
                assert_non_null(strstr(json, want));
        }

        cvm_evidence *e = NULL;
        PUBLIC_EXPECT("", 0, -EBADMSG, "empty");
        PUBLIC_EXPECT("\x04\x00\x02", 3, -EBADMSG, "3 bytes", "too few");
        PUBLIC_EXPECT("\xff\xff\xff\xff\xff", 5, -EBADMSG, "not a TDX quote, TDREPORT or SNP report",
                      "ff ff ff ff");
        /* A quote with a version nobody knows goes to the quote parser, which says so. */
        PUBLIC_EXPECT("\x07\x00\x02\x00\x81\x00\x00\x00", 8, -EBADMSG, "TDX quote", "header", "truncated");
        _cleanup_free_ uint8_t *q = calloc(1, 64);
        assert_non_null(q);
        put16(q, 7);
        put16(q + 2, 2);
        PUBLIC_EXPECT(q, 64, -EOPNOTSUPP, "TDX quote", "header.version", "7");
        /* Without a detail pointer, the errno alone. */
        assert_int_equal(cvm_evidence_parse(q, 64, &e, NULL), -EOPNOTSUPP);
        assert_null(e);
        _cleanup_free_ uint8_t *big = calloc(1, CVM_EVIDENCE_MAX + 1);
        assert_non_null(big);
        PUBLIC_EXPECT(big, CVM_EVIDENCE_MAX + 1, -E2BIG, "over the cap");
}

static void evidence_json_quote(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &size);
        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;

        b[48 + 120] |= 0x03; /* DEBUG and the unnamed bit 1 */
        assert_int_equal(evidence_parse(b, size, SNP_PRODUCT_UNKNOWN, &e, NULL), 0);
        assert_int_equal(evidence_to_json(e, &o), 0);
        assert_string_equal(json_get_string(o, "kind"), "tdx-quote");
        assert_int_equal(json_object_get_int(json_get(o, "trailing_bytes", json_type_int)), 39);
        json_object *body = json_get(o, "body", json_type_object);
        assert_string_equal(json_get_string(body, "td_attributes"), "0x0000000040000003");
        json_object *flags = json_get(body, "td_attributes_flags", json_type_array);
        assert_int_equal(json_object_array_length(flags), 3);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, 0)), "DEBUG");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, 1)), "bit 1");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, 2)), "PKS");
        assert_string_equal(json_get_string(body, "tee_tcb_svn"), "03000400000000000000000000000000");
        assert_true(json_object_object_get_ex(body, "mr_servicetd", NULL));
        assert_null(json_get(body, "mr_servicetd", json_type_string)); /* null: a TD 1.0 body */
        json_object *sig = json_get(o, "signature_data", json_type_object);
        json_object *cert = json_get(sig, "certification_data", json_type_object);
        assert_string_equal(json_get_string(cert, "type_name"), "qe-report");
        json_object *qe = json_get(cert, "qe_report", json_type_object);
        assert_int_equal(json_object_get_int(json_get(qe, "isv_svn", json_type_int)), 4);
        json_object *pck = json_get(cert, "certification_data", json_type_object);
        assert_int_equal(json_object_get_int(json_get(pck, "pem_certificates", json_type_int)), 3);
        assert_true(strncmp(json_get_string(pck, "pem"), "-----BEGIN CERTIFICATE-----\n", 28) == 0);

        /* QVL's sample carries DER: shown as hex data, not as text. */
        _cleanup_free_ uint8_t *d = attest_load("tdx/qvl-sample/quote.dat", &size);
        _cleanup_(cvm_evidence_freep) cvm_evidence *f = NULL;
        _cleanup_(json_object_putp) json_object *p = NULL;
        assert_int_equal(evidence_parse(d, size, SNP_PRODUCT_UNKNOWN, &f, NULL), 0);
        assert_int_equal(evidence_to_json(f, &p), 0);
        pck = json_get(json_get(json_get(p, "signature_data", json_type_object), "certification_data",
                                json_type_object),
                       "certification_data", json_type_object);
        assert_null(json_get(pck, "pem", json_type_string));
        assert_true(strncmp(json_get_string(pck, "data"), "3082", 4) == 0); /* DER SEQUENCE */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tdx_quote_real_vectors),
                cmocka_unit_test(tdx_quote_v5_td15_fields),
                cmocka_unit_test(tdx_quote_truncated_everywhere),
                cmocka_unit_test(tdx_quote_lengths_inside),
                cmocka_unit_test(tdx_quote_versions_and_types),
                cmocka_unit_test(tdx_quote_v5_body_types),
                cmocka_unit_test(tdx_quote_top_level_cert_types),
                cmocka_unit_test(tdx_quote_over_cap),
                cmocka_unit_test(tdx_flag_names),
                cmocka_unit_test(tdreport_real),
                cmocka_unit_test(tdreport_bad),
                cmocka_unit_test(evidence_detection),
                cmocka_unit_test(evidence_json_quote),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
