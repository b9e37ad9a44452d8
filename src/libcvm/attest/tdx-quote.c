/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDX quote v4 / v5 parser; layouts and sources in tdx-quote.h. The quote, reference/attestation.md §a:
 *
 *   v4: header[48] | body[584]                          | u32 sig_data_len | signature data
 *   v5: header[48] | u16 type | u32 size | body[size]   | u32 sig_data_len | signature data
 *   signature data: sig[64] | attestation key[64] | u16 cert type | u32 cert size | cert data
 *   cert type 6 (QE report certification data): QE report[384] | QE report sig[64] | u16 auth size |
 *       auth data | u16 cert type | u32 cert size | cert data (type 5: PEM chain)
 *
 * Inside the signature data the lengths must add up exactly; after it, the input may go on (padding).
 */
#include <endian.h>
#include <inttypes.h>

#include "parse-error.h"
#include "reader.h"
#include "tdx-quote.h"

typedef struct __attribute__((packed)) QuoteHeaderWire {
        uint16_t version;
        uint16_t att_key_type;
        uint32_t tee_type;
        uint8_t reserved[4];
        uint8_t qe_vendor_id[16];
        uint8_t user_data[20];
} QuoteHeaderWire;

static_assert(sizeof(QuoteHeaderWire) == TDX_QUOTE_HEADER_SIZE, "sgx_quote4_header_t is 48 bytes");
static_assert(offsetof(QuoteHeaderWire, tee_type) == 4, "tee_type @4");
static_assert(offsetof(QuoteHeaderWire, qe_vendor_id) == 12, "qe_vendor_id @12");
static_assert(offsetof(QuoteHeaderWire, user_data) == 28, "user_data @28");

/* sgx_report.h sgx_report_body_t: the QE report. */
typedef struct __attribute__((packed)) SgxReportBodyWire {
        uint8_t cpu_svn[16];
        uint32_t misc_select;
        uint8_t reserved1[12];
        uint8_t isv_ext_prod_id[16];
        uint8_t attributes[16];
        uint8_t mr_enclave[32];
        uint8_t reserved2[32];
        uint8_t mr_signer[32];
        uint8_t reserved3[32];
        uint8_t config_id[64];
        uint16_t isv_prod_id;
        uint16_t isv_svn;
        uint16_t config_svn;
        uint8_t reserved4[42];
        uint8_t isv_family_id[16];
        uint8_t report_data[64];
} SgxReportBodyWire;

static_assert(sizeof(SgxReportBodyWire) == TDX_QE_REPORT_SIZE, "sgx_report_body_t is 384 bytes");
static_assert(offsetof(SgxReportBodyWire, misc_select) == 16, "miscselect @16");
static_assert(offsetof(SgxReportBodyWire, attributes) == 48, "attributes @48");
static_assert(offsetof(SgxReportBodyWire, mr_enclave) == 64, "mr_enclave @64");
static_assert(offsetof(SgxReportBodyWire, mr_signer) == 128, "mr_signer @128");
static_assert(offsetof(SgxReportBodyWire, config_id) == 192, "config_id @192");
static_assert(offsetof(SgxReportBodyWire, isv_prod_id) == 256, "isv_prod_id @256");
static_assert(offsetof(SgxReportBodyWire, isv_svn) == 258, "isv_svn @258");
static_assert(offsetof(SgxReportBodyWire, isv_family_id) == 304, "isv_family_id @304");
static_assert(offsetof(SgxReportBodyWire, report_data) == 320, "report_data @320");

const uint8_t TDX_QE_VENDOR_INTEL[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                          0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

static const char *const body_type_table[_TDX_BODY_TYPE_MAX] = {
        [TDX_BODY_SGX_ENCLAVE] = "sgx-enclave-report",
        [TDX_BODY_TD10] = "td-report-1.0",
        [TDX_BODY_TD15] = "td-report-1.5",
};

static const char *const cert_type_table[_TDX_CERT_TYPE_MAX] = {
        [TDX_CERT_PPID_CLEARTEXT] = "ppid-cleartext",
        [TDX_CERT_PPID_RSA2048_ENCRYPTED] = "ppid-rsa2048-encrypted",
        [TDX_CERT_PPID_RSA3072_ENCRYPTED] = "ppid-rsa3072-encrypted",
        [TDX_CERT_PCK_CLEARTEXT] = "pck-cleartext",
        [TDX_CERT_PCK_CERT_CHAIN] = "pck-cert-chain",
        [TDX_CERT_QE_REPORT] = "qe-report",
};

const char *tdx_body_type_to_string(unsigned type)
{
        return type < ELEMENTSOF(body_type_table) ? body_type_table[type] : NULL;
}

const char *tdx_cert_type_to_string(unsigned type)
{
        return type < ELEMENTSOF(cert_type_table) ? cert_type_table[type] : NULL;
}

void tdx_quote_done(TdxQuote *q)
{
        if (!q)
                return;
        free(q->raw);
        *q = (TdxQuote){};
}

/* Counts PEM certificates and the NUL bytes that pad the end of a PCK chain: data, not trusted text. */
static void pem_stats(const uint8_t *p, size_t n, TdxCertData *c)
{
        static const char begin[] = "-----BEGIN CERTIFICATE-----";
        const size_t l = sizeof(begin) - 1;

        c->n_pem_certificates = 0;
        for (size_t i = 0; n >= l && i <= n - l; i++)
                if (p[i] == '-' && memcmp(p + i, begin, l) == 0) {
                        c->n_pem_certificates++;
                        i += l - 1;
                }
        c->trailing_nuls = 0;
        while (c->trailing_nuls < n && p[n - 1 - c->trailing_nuls] == 0)
                c->trailing_nuls++;
}

/*
 * One certification data blob at the cursor of r, whose offset 0 is quote offset base. depth 0 is the
 * signature data's, depth 1 the one nested in QE report certification data.
 */
static int parse_cert_data(Reader *r, size_t base, unsigned depth, TdxCertData *ret, char **reterr)
{
        const char *where = depth == 0 ? "signature data" : "QE report certification data";
        size_t off = base + r->off;
        uint16_t type;
        uint32_t size;

        if (!reader_has(r, 6) || reader_u16le(r, &type) < 0 || reader_u32le(r, &size) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: %s: certification data header (u16 type, u32 size at offset "
                                   "0x%zx) is truncated: %zu bytes remain",
                                   where, off, reader_remaining(r));
        if (type == 0 || type >= _TDX_CERT_TYPE_MAX)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "TDX quote: %s: certification data type (u16 at offset 0x%zx) is %u, "
                                   "an unknown type (1-6 are defined)",
                                   where, off, type);
        if (depth > 0 && type == TDX_CERT_QE_REPORT)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: %s: nested certification data type (u16 at offset 0x%zx) is "
                                   "6 (QE report) again; it must be 1-5, normally 5 (PCK certificate chain)",
                                   where, off);
        if (size > TDX_CERT_DATA_MAX)
                return parse_error(reterr, -E2BIG,
                                   "TDX quote: %s: certification data size (u32 at offset 0x%zx) is %" PRIu32
                                   " bytes, over the cap of %u bytes",
                                   where, off + 2, size, TDX_CERT_DATA_MAX);
        if (size > reader_remaining(r))
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: %s: certification data size (u32 at offset 0x%zx) is %" PRIu32
                                   " bytes, but only %zu bytes follow",
                                   where, off + 2, size, reader_remaining(r));

        const uint8_t *p;
        TdxCertData c = { .type = type, .size = size, .offset = base + r->off };
        if (reader_bytes(r, size, &p) < 0)
                return -EBADMSG; /* cannot happen: checked above */
        if (type == TDX_CERT_PCK_CERT_CHAIN)
                pem_stats(p, size, &c);
        *ret = c;
        return 0;
}

/* QE report certification data (type 6), the whole of r; r's offset 0 is quote offset base. */
static int parse_qe_cert_data(Reader *r, size_t base, TdxQuote *q, char **reterr)
{
        SgxReportBodyWire w;
        size_t off = base;
        int k;

        if (reader_copy(r, &w, sizeof(w)) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: QE report certification data (%zu bytes at offset 0x%zx) is "
                                   "too short for the QE report (384 bytes)",
                                   r->size, base);
        q->qe_report_offset = off;
        if (reader_copy(r, q->qe_report_signature, sizeof(q->qe_report_signature)) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: QE report certification data: QE report signature (64 bytes "
                                   "at offset 0x%zx) is truncated: %zu bytes remain",
                                   base + r->off, reader_remaining(r));

        off = base + r->off;
        if (reader_u16le(r, &q->qe_auth_size) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: QE report certification data: QE authentication data size "
                                   "(u16 at offset 0x%zx) is missing",
                                   off);
        if (q->qe_auth_size > reader_remaining(r))
                return parse_error(
                        reterr, -EBADMSG,
                        "TDX quote: QE report certification data: QE authentication data size (u16 "
                        "at offset 0x%zx) is %u bytes, but only %zu bytes follow",
                        off, q->qe_auth_size, reader_remaining(r));
        q->qe_auth_offset = base + r->off;
        if (reader_skip(r, q->qe_auth_size) < 0)
                return -EBADMSG; /* cannot happen: checked above */

        k = parse_cert_data(r, base, 1, &q->qe_cert, reterr);
        if (k < 0)
                return k;
        if (reader_remaining(r) > 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "TDX quote: QE report certification data (%zu bytes at offset 0x%zx) has "
                        "%zu bytes after its nested certification data, which ends at offset 0x%zx",
                        r->size, base, reader_remaining(r), base + r->off);

        TdxQeReport *e = &q->qe_report;
        memcpy(e->cpu_svn, w.cpu_svn, sizeof(e->cpu_svn));
        e->misc_select = le32toh(w.misc_select);
        memcpy(e->isv_ext_prod_id, w.isv_ext_prod_id, sizeof(e->isv_ext_prod_id));
        memcpy(e->attributes, w.attributes, sizeof(e->attributes));
        memcpy(e->mr_enclave, w.mr_enclave, sizeof(e->mr_enclave));
        memcpy(e->mr_signer, w.mr_signer, sizeof(e->mr_signer));
        memcpy(e->config_id, w.config_id, sizeof(e->config_id));
        e->isv_prod_id = le16toh(w.isv_prod_id);
        e->isv_svn = le16toh(w.isv_svn);
        e->config_svn = le16toh(w.config_svn);
        memcpy(e->isv_family_id, w.isv_family_id, sizeof(e->isv_family_id));
        memcpy(e->report_data, w.report_data, sizeof(e->report_data));
        q->has_qe_report = true;
        return 0;
}

static int parse_header(Reader *r, TdxQuote *q, char **reterr)
{
        QuoteHeaderWire h;

        if (reader_copy(r, &h, sizeof(h)) < 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "TDX quote: header (48 bytes at offset 0x0) is truncated: the input has %zu "
                        "bytes",
                        r->size);
        q->version = le16toh(h.version);
        q->att_key_type = le16toh(h.att_key_type);
        q->tee_type = le32toh(h.tee_type);
        memcpy(q->reserved, h.reserved, sizeof(q->reserved));
        memcpy(q->qe_vendor_id, h.qe_vendor_id, sizeof(q->qe_vendor_id));
        memcpy(q->user_data, h.user_data, sizeof(q->user_data));

        if (q->version == 3)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "TDX quote: header.version (u16 at offset 0x0) is 3, an SGX quote; only "
                                   "TDX quotes of version 4 and 5 are known");
        if (q->version != 4 && q->version != 5)
                return parse_error(
                        reterr, -EOPNOTSUPP,
                        "TDX quote: header.version (u16 at offset 0x0) is %u; only versions 4 and "
                        "5 are known",
                        q->version);
        /* QVL QuoteConstants.h ALLOWED_ATTESTATION_KEY_TYPES holds ECDSA-256-with-P-256 only. */
        if (q->att_key_type != TDX_ATT_KEY_ECDSA_P256)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "TDX quote: header.att_key_type (u16 at offset 0x2) is %u; only 2 "
                                   "(ECDSA-256-with-P-256) is used by quotes",
                                   q->att_key_type);
        if (q->tee_type != TDX_QUOTE_TEE_TDX)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "TDX quote: header.tee_type (u32 at offset 0x4) is 0x%08" PRIx32
                                   "%s, not 0x00000081 (TDX)",
                                   q->tee_type, q->tee_type == TDX_QUOTE_TEE_SGX ? " (SGX)" : "");
        return 0;
}

static int parse_body(Reader *r, TdxQuote *q, char **reterr)
{
        if (q->version == 4) {
                /* sgx_quote_4.h: the body is always a TD Report 1.0. */
                q->body_type = TDX_BODY_TD10;
                q->body_size = TDX_BODY_TD10_SIZE;
        } else {
                /* sgx_quote_5.h sgx_quote5_t: u16 type @48, u32 size @50, body @54. */
                if (!reader_has(r, 6) || reader_u16le(r, &q->body_type) < 0 ||
                    reader_u32le(r, &q->body_size) < 0)
                        return parse_error(
                                reterr, -EBADMSG,
                                "TDX quote: v5 body descriptor (u16 type, u32 size at offset 0x30) "
                                "is truncated: the input has %zu bytes",
                                r->size);
                if (q->body_type == TDX_BODY_SGX_ENCLAVE)
                        return parse_error(reterr, -EOPNOTSUPP,
                                           "TDX quote: body type (u16 at offset 0x30) is 1, an SGX enclave "
                                           "report, not a TD report");
                if (q->body_type != TDX_BODY_TD10 && q->body_type != TDX_BODY_TD15)
                        return parse_error(
                                reterr, -EOPNOTSUPP,
                                "TDX quote: body type (u16 at offset 0x30) is %u; known are 2 (TD "
                                "Report 1.0) and 3 (TD Report 1.5)",
                                q->body_type);
                uint32_t want = q->body_type == TDX_BODY_TD10 ? TDX_BODY_TD10_SIZE : TDX_BODY_TD15_SIZE;
                /* QVL Quote.cpp rejects a size that does not match the type. */
                if (q->body_size != want)
                        return parse_error(reterr, -EBADMSG,
                                           "TDX quote: body size (u32 at offset 0x32) is %" PRIu32
                                           " bytes, but a %s body (type %u) is %" PRIu32 " bytes",
                                           q->body_size, tdx_body_type_to_string(q->body_type), q->body_type,
                                           want);
        }

        q->body_offset = r->off;
        if (!reader_has(r, q->body_size))
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: body (%s, %" PRIu32
                                   " bytes at offset 0x%zx) is truncated: only "
                                   "%zu bytes remain",
                                   tdx_body_type_to_string(q->body_type), q->body_size, q->body_offset,
                                   reader_remaining(r));
        if (q->body_type == TDX_BODY_TD10) {
                TdxReport2BodyWire w;
                if (reader_copy(r, &w, sizeof(w)) < 0)
                        return -EBADMSG;
                tdx_td_body_decode(&w, &q->body);
        } else {
                TdxReport2BodyV15Wire w;
                if (reader_copy(r, &w, sizeof(w)) < 0)
                        return -EBADMSG;
                tdx_td_body_decode_v15(&w, &q->body);
        }
        return 0;
}

static int parse_signature_data(Reader *r, TdxQuote *q, char **reterr)
{
        size_t len_off = r->off;
        Reader s;
        int k;

        if (reader_u32le(r, &q->sig_data_size) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: signature data length (u32 at offset 0x%zx) is missing: the "
                                   "input ends at offset 0x%zx",
                                   len_off, r->size);
        if (q->sig_data_size > CVM_QUOTE_MAX)
                return parse_error(reterr, -E2BIG,
                                   "TDX quote: signature data length (u32 at offset 0x%zx) is %" PRIu32
                                   " bytes, over the cap of %u bytes",
                                   len_off, q->sig_data_size, CVM_QUOTE_MAX);
        if (reader_sub(r, q->sig_data_size, &s) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: signature data length (u32 at offset 0x%zx) is %" PRIu32
                                   " bytes, but only %zu bytes follow",
                                   len_off, q->sig_data_size, reader_remaining(r));
        q->sig_data_offset = len_off + 4;

        if (reader_copy(&s, q->signature, sizeof(q->signature)) < 0 ||
            reader_copy(&s, q->attestation_key, sizeof(q->attestation_key)) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: signature data (%" PRIu32
                                   " bytes at offset 0x%zx) is too short "
                                   "for the ECDSA signature and the attestation key (128 bytes)",
                                   q->sig_data_size, q->sig_data_offset);

        k = parse_cert_data(&s, q->sig_data_offset, 0, &q->cert, reterr);
        if (k < 0)
                return k;
        if (reader_remaining(&s) > 0)
                return parse_error(reterr, -EBADMSG,
                                   "TDX quote: signature data (%" PRIu32 " bytes at offset 0x%zx) has %zu "
                                   "bytes after its certification data, which ends at offset 0x%zx",
                                   q->sig_data_size, q->sig_data_offset, reader_remaining(&s),
                                   q->sig_data_offset + s.off);

        if (q->cert.type == TDX_CERT_QE_REPORT) {
                Reader c = reader_init(s.p + (q->cert.offset - q->sig_data_offset), q->cert.size);
                k = parse_qe_cert_data(&c, q->cert.offset, q, reterr);
                if (k < 0)
                        return k;
        }
        return 0;
}

int tdx_quote_parse(const void *buf, size_t size, TdxQuote *ret, char **reterr)
{
        Reader r = reader_init(buf, size);
        TdxQuote q = {};
        int k;

        if (size > CVM_QUOTE_MAX)
                return parse_error(reterr, -E2BIG,
                                   "TDX quote: the input has %zu bytes, over the cap of %u bytes", size,
                                   CVM_QUOTE_MAX);

        k = parse_header(&r, &q, reterr);
        if (k < 0)
                return k;
        k = parse_body(&r, &q, reterr);
        if (k < 0)
                return k;
        q.signed_size = r.off;
        k = parse_signature_data(&r, &q, reterr);
        if (k < 0)
                return k;

        q.size = r.off;
        q.trailing = size - q.size;
        q.trailing_all_zero = true;
        for (size_t i = q.size; i < size; i++)
                if (((const uint8_t *) buf)[i] != 0) {
                        q.trailing_all_zero = false;
                        break;
                }

        /* Own the bytes; the data pointers were offsets into the caller's buffer until now. */
        q.raw = malloc(q.size);
        if (!q.raw)
                return -ENOMEM;
        memcpy(q.raw, buf, q.size);
        q.cert.data = q.raw + q.cert.offset;
        if (q.has_qe_report) {
                q.qe_auth_data = q.raw + q.qe_auth_offset;
                q.qe_cert.data = q.raw + q.qe_cert.offset;
        }

        *ret = q;
        return 0;
}
