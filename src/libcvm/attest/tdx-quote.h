/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Intel TDX quotes, versions 4 and 5 (the DCAP ECDSA quote format).
 *
 * Sources: reference/attestation.md §a.1-§a.4, from intel/SGXDataCenterAttestationPrimitives
 * QuoteGeneration/quote_wrapper/common/inc/sgx_quote_4.h (sgx_quote4_header_t, sgx_report2_body_t,
 * sgx_ecdsa_sig_data_v4_t, sgx_qe_report_certification_data_t), sgx_quote_5.h (the v5 body descriptor),
 * sgx_quote_3.h (certification data types, sgx_ql_cert_key_type_t), common/inc/sgx_report.h
 * (sgx_report_body_t, the QE report) and intel/SGX-TDX-DCAP-QuoteVerificationLibrary
 * QuoteVerification/Quote.cpp (what the verifier insists on).
 *
 * The parser only reads and checks structure. It keeps a copy of the quote's bytes and records where each
 * signed or certified region lies, so a verifier hashes exactly those bytes: the quote signature covers
 * raw[0, signed_size), the QE report signature covers the 384 QE report bytes at qe_report_offset, and the
 * PCK certificate chain is the nested certification data. It verifies nothing.
 *
 * Lengths come from the length fields, never from the input size: bytes after the structure are counted
 * (trailing) and otherwise ignored, since real quotes arrive in zero-padded or even junk-tailed buffers.
 */

#include "macro.h"
#include "tdx-report.h"

/* Hard caps, checked before any length is trusted (-E2BIG). */
#define CVM_QUOTE_MAX     (1024U * 1024) /* the whole input */
#define TDX_CERT_DATA_MAX (64U * 1024)   /* one certification data blob (real ones: about 4 KiB) */

#define TDX_QUOTE_HEADER_SIZE  48U
#define TDX_BODY_TD10_SIZE     584U
#define TDX_BODY_TD15_SIZE     648U
#define TDX_BODY_SGX_SIZE      384U
#define TDX_QE_REPORT_SIZE     384U
#define TDX_ECDSA_SIG_SIZE     64U /* r || s, big-endian, P-256 */
#define TDX_ECDSA_KEY_SIZE     64U /* X || Y, big-endian, P-256 */
#define TDX_QUOTE_TEE_TDX      UINT32_C(0x00000081)
#define TDX_QUOTE_TEE_SGX      UINT32_C(0x00000000)
#define TDX_ATT_KEY_ECDSA_P256 2U
#define TDX_ATT_KEY_ECDSA_P384 3U

/* sgx_quote_5.h: the body type field of a v5 quote. */
typedef enum TdxBodyType {
        TDX_BODY_SGX_ENCLAVE = 1,
        TDX_BODY_TD10 = 2,
        TDX_BODY_TD15 = 3,
        _TDX_BODY_TYPE_MAX,
} TdxBodyType;

/* "sgx-enclave-report", "td-report-1.0", "td-report-1.5"; NULL for others. */
const char *tdx_body_type_to_string(unsigned type);

/* sgx_quote_3.h sgx_ql_cert_key_type_t. */
typedef enum TdxCertType {
        TDX_CERT_PPID_CLEARTEXT = 1,
        TDX_CERT_PPID_RSA2048_ENCRYPTED = 2,
        TDX_CERT_PPID_RSA3072_ENCRYPTED = 3,
        TDX_CERT_PCK_CLEARTEXT = 4,
        TDX_CERT_PCK_CERT_CHAIN = 5,
        TDX_CERT_QE_REPORT = 6, /* ECDSA_SIG_AUX_DATA: QE report certification data */
        _TDX_CERT_TYPE_MAX,
} TdxCertType;

/* "ppid-cleartext", ..., "pck-cert-chain", "qe-report"; NULL for others. */
const char *tdx_cert_type_to_string(unsigned type);

/* Intel's QE vendor ID, 939a7233-f79c-4ca9-940a-0db3957f0607 (QVL QuoteConstants.h INTEL_QE_VENDOR_ID). */
extern const uint8_t TDX_QE_VENDOR_INTEL[16];

/* One certification data blob (type, size, data). */
typedef struct TdxCertData {
        uint16_t type;
        uint32_t size;
        size_t offset;       /* of the data, in the quote */
        const uint8_t *data; /* into TdxQuote.raw */
        /* TDX_CERT_PCK_CERT_CHAIN: how many "-----BEGIN CERTIFICATE-----" it holds (0: not PEM, e.g. DER
         * in QVL's sample quote), and how many NUL bytes pad its end (real quotes have 0 or 1). */
        unsigned n_pem_certificates;
        size_t trailing_nuls;
} TdxCertData;

/* The QE report, an SGX REPORT body (sgx_report.h sgx_report_body_t, 384 bytes), decoded. */
typedef struct TdxQeReport {
        uint8_t cpu_svn[16];
        uint32_t misc_select;
        uint8_t isv_ext_prod_id[16];
        uint8_t attributes[16]; /* flags u64 LE, then xfrm u64 LE */
        uint8_t mr_enclave[32];
        uint8_t mr_signer[32];
        uint8_t config_id[64];
        uint16_t isv_prod_id;
        uint16_t isv_svn;
        uint16_t config_svn;
        uint8_t isv_family_id[16];
        uint8_t report_data[64]; /* SHA-256(attestation key || QE auth data) || 32 zero bytes */
} TdxQeReport;

typedef struct TdxQuote {
        uint8_t *raw;    /* copy of the quote structure, [0, size) */
        size_t size;     /* its length, by its length fields */
        size_t trailing; /* input bytes after it, not part of the quote */
        bool trailing_all_zero;

        /* Header (48 bytes) */
        uint16_t version; /* 4 or 5 */
        uint16_t att_key_type;
        uint32_t tee_type;
        uint8_t reserved[4]; /* QVL: qeSvn, pceSvn; zero in every real TDX quote */
        uint8_t qe_vendor_id[16];
        uint8_t user_data[20];

        /* Body: v4 implies type 2 at offset 48; v5 names type and size at 48 and 50, body at 54. */
        uint16_t body_type;
        uint32_t body_size;
        size_t body_offset;
        TdxTdBody body;

        /* The bytes the attestation key signed: raw[0, signed_size) = header (+ v5 type and size) + body. */
        size_t signed_size;

        /* Signature data (sgx_ecdsa_sig_data_v4_t) */
        uint32_t sig_data_size;
        size_t sig_data_offset;
        uint8_t signature[TDX_ECDSA_SIG_SIZE];
        uint8_t attestation_key[TDX_ECDSA_KEY_SIZE];
        TdxCertData cert; /* the outer certification data: type 6 in every real quote */

        /* When cert.type == TDX_CERT_QE_REPORT: the QE report certification data. */
        bool has_qe_report;
        size_t qe_report_offset; /* TDX_QE_REPORT_SIZE bytes signed by the PCK leaf key */
        TdxQeReport qe_report;
        uint8_t qe_report_signature[TDX_ECDSA_SIG_SIZE];
        uint16_t qe_auth_size;
        size_t qe_auth_offset;
        const uint8_t *qe_auth_data; /* into raw */
        TdxCertData qe_cert;         /* nested: type 5, the PCK chain, in every real quote */
} TdxQuote;

void tdx_quote_done(TdxQuote *q);

/*
 * Parses a TDX quote v4 or v5. Returns 0, -EBADMSG for malformed or truncated input, -E2BIG for an input
 * or a length over the caps, -EOPNOTSUPP for a version, TEE type, attestation key type, body type or
 * certification data type it does not know, -ENOMEM. *reterr (may be NULL) gets a sentence naming the
 * structure, the field and its offset. ret is written only on success; free it with tdx_quote_done().
 */
int tdx_quote_parse(const void *buf, size_t size, TdxQuote *ret, char **reterr);
