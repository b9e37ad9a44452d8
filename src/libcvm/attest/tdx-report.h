/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Intel TDX TD report: the decoded TD body that a TDX quote carries (TD Report 1.0 / 1.5 quote bodies)
 * and the 1024-byte TDREPORT_STRUCT that TDG.MR.REPORT returns inside a TD (/dev/tdx_guest
 * TDX_CMD_GET_REPORT0, the input of the quoting enclave).
 *
 * Sources: reference/attestation.md §a.2, §a.3 (quote bodies: intel/SGXDataCenterAttestationPrimitives
 * QuoteGeneration/quote_wrapper/common/inc/sgx_quote_4.h sgx_report2_body_t, sgx_quote_5.h
 * sgx_report2_body_v1_5_t) and §a.5 (TDREPORT: confidential-containers/td-shim
 * tdx-tdcall/src/tdreport.rs, the TDX Module ABI's REPORTMACSTRUCT / TEE_TCB_INFO / TDINFO_STRUCT).
 * TD attribute bit names: torvalds/linux arch/x86/include/asm/shared/tdx.h (TDX_ATTR_*); XFAM bit names:
 * the XCR0 / IA32_XSS state components of the Intel SDM vol. 1 §13.1 (linux enum xfeature).
 */

#include "macro.h"

#define TDX_REPORT_SIZE         1024U
#define TDX_REPORT_TYPE_TDX     0x81U /* REPORTTYPE.TYPE: 0x00 SGX, 0x81 TDX */
#define TDX_REPORT_MAC_SIZE     256U
#define TDX_TEE_TCB_INFO_OFFSET 256U
#define TDX_TEE_TCB_INFO_SIZE   239U
#define TDX_TD_INFO_OFFSET      512U
#define TDX_TD_INFO_SIZE        512U

#define TDX_MEASUREMENT_SIZE 48U /* SHA-384 */
#define TDX_REPORT_DATA_SIZE 64U
#define TDX_RTMR_COUNT       4U

/* TD attributes (TDATTRIBUTES) bits with a security meaning. */
#define TDX_TD_ATTR_DEBUG           (UINT64_C(1) << 0)
#define TDX_TD_ATTR_SEPT_VE_DISABLE (UINT64_C(1) << 28)
#define TDX_TD_ATTR_PKS             (UINT64_C(1) << 30)
#define TDX_TD_ATTR_PERFMON         (UINT64_C(1) << 63)

/*
 * What a TD quote body and a TDREPORT have in common, decoded (integers in host order). A quote with a
 * TD Report 1.0 body leaves has_td15 false; TD Report 1.5 bodies and TDREPORTs of REPORTTYPE.VERSION >= 1
 * set it, and then tee_tcb_svn2 and mr_servicetd are meaningful (zero otherwise).
 */
typedef struct TdxTdBody {
        uint8_t tee_tcb_svn[16]; /* [0] TDX module SVN, [1] module major version, [2] late microcode SVN */
        uint8_t mr_seam[TDX_MEASUREMENT_SIZE];
        uint8_t mr_signer_seam[TDX_MEASUREMENT_SIZE]; /* zero for Intel's module */
        uint64_t seam_attributes;
        uint64_t td_attributes;
        uint64_t xfam;
        uint8_t mr_td[TDX_MEASUREMENT_SIZE];
        uint8_t mr_config_id[TDX_MEASUREMENT_SIZE];
        uint8_t mr_owner[TDX_MEASUREMENT_SIZE];
        uint8_t mr_owner_config[TDX_MEASUREMENT_SIZE];
        uint8_t rtmr[TDX_RTMR_COUNT][TDX_MEASUREMENT_SIZE];
        uint8_t report_data[TDX_REPORT_DATA_SIZE];
        bool has_td15;
        uint8_t tee_tcb_svn2[16];
        uint8_t mr_servicetd[TDX_MEASUREMENT_SIZE]; /* SERVTD_HASH in the TDREPORT */
} TdxTdBody;

/* The 1024-byte TDREPORT_STRUCT, decoded. raw keeps the exact bytes (the MAC covers them). */
typedef struct TdxReport {
        uint8_t raw[TDX_REPORT_SIZE];

        /* REPORTMACSTRUCT (offset 0, 256 bytes) */
        uint8_t report_type; /* TDX_REPORT_TYPE_TDX */
        uint8_t report_subtype;
        uint8_t report_version; /* 0: TDX 1.0, 1: TDX 1.5 (SERVTD_HASH populated) */
        uint8_t cpu_svn[16];
        uint8_t tee_tcb_info_hash[TDX_MEASUREMENT_SIZE]; /* SHA-384 of TEE_TCB_INFO */
        uint8_t tee_info_hash[TDX_MEASUREMENT_SIZE];     /* SHA-384 of TDINFO */
        uint8_t mac[32];

        /* TEE_TCB_INFO (offset 256, 239 bytes): the bitmap of its valid fields; the rest is in body. */
        uint64_t tee_tcb_info_valid;

        /* TEE_TCB_INFO and TDINFO fields, and REPORTDATA, in the quote body's shape. */
        TdxTdBody body;
} TdxReport;

/*
 * Parses a TDREPORT. The input must be exactly TDX_REPORT_SIZE bytes (a TDREPORT is never padded).
 * Returns 0; -EBADMSG for another size, -EOPNOTSUPP when REPORTTYPE.TYPE is not TDX. *reterr (may be
 * NULL) gets a sentence naming the field and offset. ret is written only on success.
 */
int tdx_report_parse(const void *buf, size_t size, TdxReport *ret, char **reterr);

/* Names of TD attribute and XFAM bits ("DEBUG", "SEPT_VE_DISABLE", ...; "x87", "SSE", "AVX", ...), NULL
 * for bits without a name. */
const char *tdx_td_attribute_to_string(unsigned bit);
const char *tdx_xfam_to_string(unsigned bit);

/*
 * The TD report body of a quote (sgx_report2_body_t, 584 bytes), as it is on the wire. Exposed for the
 * quote parser, which shares the decoding.
 */
typedef struct __attribute__((packed)) TdxReport2BodyWire {
        uint8_t tee_tcb_svn[16];
        uint8_t mr_seam[48];
        uint8_t mr_signer_seam[48];
        uint64_t seam_attributes; /* little-endian */
        uint64_t td_attributes;   /* little-endian */
        uint64_t xfam;            /* little-endian */
        uint8_t mr_td[48];
        uint8_t mr_config_id[48];
        uint8_t mr_owner[48];
        uint8_t mr_owner_config[48];
        uint8_t rtmr[4][48];
        uint8_t report_data[64];
} TdxReport2BodyWire;

/* TD Report 1.5 (sgx_report2_body_v1_5_t, 648 bytes): the 1.0 body plus two fields. */
typedef struct __attribute__((packed)) TdxReport2BodyV15Wire {
        TdxReport2BodyWire v10;
        uint8_t tee_tcb_svn2[16];
        uint8_t mr_servicetd[48];
} TdxReport2BodyV15Wire;

void tdx_td_body_decode(const TdxReport2BodyWire *w, TdxTdBody *ret);
void tdx_td_body_decode_v15(const TdxReport2BodyV15Wire *w, TdxTdBody *ret);
