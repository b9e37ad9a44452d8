/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDREPORT_STRUCT (1024 bytes) and the TD quote bodies; layouts and sources in tdx-report.h.
 *
 * TDREPORT, reference/attestation.md §a.5:
 *   REPORTMACSTRUCT[256] @0: REPORTTYPE {type, subtype, version, reserved} @0, reserved[12] @4,
 *     CPUSVN[16] @16, TEE_TCB_INFO_HASH[48] @32, TEE_INFO_HASH[48] @80, REPORTDATA[64] @128,
 *     reserved[32] @192, MAC[32] @224
 *   TEE_TCB_INFO[239] @256: VALID[8], TEE_TCB_SVN[16], MRSEAM[48], MRSIGNERSEAM[48], ATTRIBUTES[8],
 *     TEE_TCB_SVN2[16], reserved[95]
 *   reserved[17] @495
 *   TDINFO[512] @512: ATTRIBUTES[8], XFAM[8], MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0..3 (48
 *     each), SERVTD_HASH[48], reserved[64]
 */
#include <endian.h>

#include "parse-error.h"
#include "reader.h"
#include "tdx-report.h"

typedef struct __attribute__((packed)) ReportMacStructWire {
        uint8_t report_type;
        uint8_t report_subtype;
        uint8_t report_version;
        uint8_t reserved0;
        uint8_t reserved1[12];
        uint8_t cpu_svn[16];
        uint8_t tee_tcb_info_hash[48];
        uint8_t tee_info_hash[48];
        uint8_t report_data[64];
        uint8_t reserved2[32];
        uint8_t mac[32];
} ReportMacStructWire;

typedef struct __attribute__((packed)) TeeTcbInfoWire {
        uint64_t valid;
        uint8_t tee_tcb_svn[16];
        uint8_t mr_seam[48];
        uint8_t mr_signer_seam[48];
        uint64_t attributes;
        uint8_t tee_tcb_svn2[16];
        uint8_t reserved[95];
} TeeTcbInfoWire;

typedef struct __attribute__((packed)) TdInfoWire {
        uint64_t attributes;
        uint64_t xfam;
        uint8_t mr_td[48];
        uint8_t mr_config_id[48];
        uint8_t mr_owner[48];
        uint8_t mr_owner_config[48];
        uint8_t rtmr[4][48];
        uint8_t servtd_hash[48];
        uint8_t reserved[64];
} TdInfoWire;

typedef struct __attribute__((packed)) TdReportWire {
        ReportMacStructWire mac;
        TeeTcbInfoWire tee_tcb_info;
        uint8_t reserved[17];
        TdInfoWire td_info;
} TdReportWire;

static_assert(sizeof(ReportMacStructWire) == TDX_REPORT_MAC_SIZE, "REPORTMACSTRUCT is 256 bytes");
static_assert(offsetof(ReportMacStructWire, cpu_svn) == 16, "CPUSVN @16");
static_assert(offsetof(ReportMacStructWire, tee_tcb_info_hash) == 32, "TEE_TCB_INFO_HASH @32");
static_assert(offsetof(ReportMacStructWire, tee_info_hash) == 80, "TEE_INFO_HASH @80");
static_assert(offsetof(ReportMacStructWire, report_data) == 128, "REPORTDATA @128");
static_assert(offsetof(ReportMacStructWire, mac) == 224, "MAC @224");
static_assert(sizeof(TeeTcbInfoWire) == TDX_TEE_TCB_INFO_SIZE, "TEE_TCB_INFO is 239 bytes");
static_assert(offsetof(TeeTcbInfoWire, attributes) == 120, "TEE_TCB_INFO.ATTRIBUTES @120");
static_assert(sizeof(TdInfoWire) == TDX_TD_INFO_SIZE, "TDINFO is 512 bytes");
static_assert(offsetof(TdInfoWire, rtmr) == 208, "TDINFO.RTMR0 @208");
static_assert(offsetof(TdInfoWire, servtd_hash) == 400, "TDINFO.SERVTD_HASH @400");
static_assert(sizeof(TdReportWire) == TDX_REPORT_SIZE, "TDREPORT is 1024 bytes");
static_assert(offsetof(TdReportWire, tee_tcb_info) == TDX_TEE_TCB_INFO_OFFSET, "TEE_TCB_INFO @256");
static_assert(offsetof(TdReportWire, td_info) == TDX_TD_INFO_OFFSET, "TDINFO @512");

/* Quote bodies, sgx_quote_4.h / sgx_quote_5.h (attestation.md §a.2, §a.3). */
static_assert(sizeof(TdxReport2BodyWire) == 584, "TD Report 1.0 body is 584 bytes");
static_assert(offsetof(TdxReport2BodyWire, mr_seam) == 16, "MRSEAM @16");
static_assert(offsetof(TdxReport2BodyWire, mr_signer_seam) == 64, "MRSIGNERSEAM @64");
static_assert(offsetof(TdxReport2BodyWire, seam_attributes) == 112, "SEAMATTRIBUTES @112");
static_assert(offsetof(TdxReport2BodyWire, td_attributes) == 120, "TDATTRIBUTES @120");
static_assert(offsetof(TdxReport2BodyWire, xfam) == 128, "XFAM @128");
static_assert(offsetof(TdxReport2BodyWire, mr_td) == 136, "MRTD @136");
static_assert(offsetof(TdxReport2BodyWire, mr_config_id) == 184, "MRCONFIGID @184");
static_assert(offsetof(TdxReport2BodyWire, mr_owner) == 232, "MROWNER @232");
static_assert(offsetof(TdxReport2BodyWire, mr_owner_config) == 280, "MROWNERCONFIG @280");
static_assert(offsetof(TdxReport2BodyWire, rtmr) == 328, "RTMR0 @328");
static_assert(offsetof(TdxReport2BodyWire, report_data) == 520, "REPORTDATA @520");
static_assert(sizeof(TdxReport2BodyV15Wire) == 648, "TD Report 1.5 body is 648 bytes");
static_assert(offsetof(TdxReport2BodyV15Wire, tee_tcb_svn2) == 584, "TEE_TCB_SVN2 @584");
static_assert(offsetof(TdxReport2BodyV15Wire, mr_servicetd) == 600, "MR_SERVICETD @600");

/* linux arch/x86/include/asm/shared/tdx.h TDX_ATTR_* (the TDX Module ABI's ATTRIBUTES definition). */
static const char *const td_attribute_table[64] = {
        [0] = "DEBUG", [4] = "HGS_PLUS_PROF",    [5] = "PERF_PROF",   [6] = "PMT_PROF", [16] = "ICSSD",
        [27] = "LASS", [28] = "SEPT_VE_DISABLE", [29] = "MIGRATABLE", [30] = "PKS",     [31] = "KL",
        [62] = "TPA",  [63] = "PERFMON",
};

/* XFAM has the XCR0 / IA32_XSS layout: Intel SDM vol. 1 §13.1, linux arch/x86/include/asm/fpu/types.h. */
static const char *const xfam_table[64] = {
        [0] = "x87",
        [1] = "SSE",
        [2] = "AVX",
        [3] = "MPX_BNDREGS",
        [4] = "MPX_BNDCSR",
        [5] = "AVX512_OPMASK",
        [6] = "AVX512_ZMM_HI256",
        [7] = "AVX512_HI16_ZMM",
        [8] = "PT",
        [9] = "PKRU",
        [10] = "PASID",
        [11] = "CET_U",
        [12] = "CET_S",
        [13] = "HDC",
        [14] = "UINTR",
        [15] = "LBR",
        [16] = "HWP",
        [17] = "AMX_TILECFG",
        [18] = "AMX_TILEDATA",
        [19] = "APX",
};

const char *tdx_td_attribute_to_string(unsigned bit)
{
        return bit < ELEMENTSOF(td_attribute_table) ? td_attribute_table[bit] : NULL;
}

const char *tdx_xfam_to_string(unsigned bit)
{
        return bit < ELEMENTSOF(xfam_table) ? xfam_table[bit] : NULL;
}

void tdx_td_body_decode(const TdxReport2BodyWire *w, TdxTdBody *ret)
{
        TdxTdBody b = {
                .seam_attributes = le64toh(w->seam_attributes),
                .td_attributes = le64toh(w->td_attributes),
                .xfam = le64toh(w->xfam),
        };

        memcpy(b.tee_tcb_svn, w->tee_tcb_svn, sizeof(b.tee_tcb_svn));
        memcpy(b.mr_seam, w->mr_seam, sizeof(b.mr_seam));
        memcpy(b.mr_signer_seam, w->mr_signer_seam, sizeof(b.mr_signer_seam));
        memcpy(b.mr_td, w->mr_td, sizeof(b.mr_td));
        memcpy(b.mr_config_id, w->mr_config_id, sizeof(b.mr_config_id));
        memcpy(b.mr_owner, w->mr_owner, sizeof(b.mr_owner));
        memcpy(b.mr_owner_config, w->mr_owner_config, sizeof(b.mr_owner_config));
        memcpy(b.rtmr, w->rtmr, sizeof(b.rtmr));
        memcpy(b.report_data, w->report_data, sizeof(b.report_data));
        *ret = b;
}

void tdx_td_body_decode_v15(const TdxReport2BodyV15Wire *w, TdxTdBody *ret)
{
        TdxTdBody b;

        tdx_td_body_decode(&w->v10, &b);
        b.has_td15 = true;
        memcpy(b.tee_tcb_svn2, w->tee_tcb_svn2, sizeof(b.tee_tcb_svn2));
        memcpy(b.mr_servicetd, w->mr_servicetd, sizeof(b.mr_servicetd));
        *ret = b;
}

int tdx_report_parse(const void *buf, size_t size, TdxReport *ret, char **reterr)
{
        Reader r = reader_init(buf, size);
        TdReportWire w;

        /* A TDREPORT has one size: TDG.MR.REPORT writes exactly 1024 bytes, and the kernel ABI
         * (struct tdx_report_req) passes exactly that. Anything else was cut or padded on the way. */
        if (size != TDX_REPORT_SIZE)
                return parse_error(reterr, -EBADMSG,
                                   "TDREPORT: must be exactly %u bytes (REPORTMACSTRUCT 256 + TEE_TCB_INFO "
                                   "239 + reserved 17 + TDINFO 512), got %zu bytes",
                                   TDX_REPORT_SIZE, size);
        if (reader_copy(&r, &w, sizeof(w)) < 0)
                return -EBADMSG; /* cannot happen: the size was checked */
        if (w.mac.report_type != TDX_REPORT_TYPE_TDX)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "TDREPORT: REPORTMACSTRUCT.REPORTTYPE.TYPE (u8 at offset 0x0) is 0x%02x, "
                                   "not 0x81 (TDX)%s",
                                   w.mac.report_type,
                                   w.mac.report_type == 0 ? "; 0x00 is an SGX report" : "");

        /* Large: built in place, copied out only on success. */
        _cleanup_free_ TdxReport *t = new0(TdxReport, 1);
        if (!t)
                return -ENOMEM;
        memcpy(t->raw, buf, TDX_REPORT_SIZE);
        t->report_type = w.mac.report_type;
        t->report_subtype = w.mac.report_subtype;
        t->report_version = w.mac.report_version;
        memcpy(t->cpu_svn, w.mac.cpu_svn, sizeof(t->cpu_svn));
        memcpy(t->tee_tcb_info_hash, w.mac.tee_tcb_info_hash, sizeof(t->tee_tcb_info_hash));
        memcpy(t->tee_info_hash, w.mac.tee_info_hash, sizeof(t->tee_info_hash));
        memcpy(t->mac, w.mac.mac, sizeof(t->mac));
        t->tee_tcb_info_valid = le64toh(w.tee_tcb_info.valid);

        TdxTdBody *b = &t->body;
        memcpy(b->tee_tcb_svn, w.tee_tcb_info.tee_tcb_svn, sizeof(b->tee_tcb_svn));
        memcpy(b->mr_seam, w.tee_tcb_info.mr_seam, sizeof(b->mr_seam));
        memcpy(b->mr_signer_seam, w.tee_tcb_info.mr_signer_seam, sizeof(b->mr_signer_seam));
        b->seam_attributes = le64toh(w.tee_tcb_info.attributes);
        b->td_attributes = le64toh(w.td_info.attributes);
        b->xfam = le64toh(w.td_info.xfam);
        memcpy(b->mr_td, w.td_info.mr_td, sizeof(b->mr_td));
        memcpy(b->mr_config_id, w.td_info.mr_config_id, sizeof(b->mr_config_id));
        memcpy(b->mr_owner, w.td_info.mr_owner, sizeof(b->mr_owner));
        memcpy(b->mr_owner_config, w.td_info.mr_owner_config, sizeof(b->mr_owner_config));
        memcpy(b->rtmr, w.td_info.rtmr, sizeof(b->rtmr));
        memcpy(b->report_data, w.mac.report_data, sizeof(b->report_data));
        /* TEE_TCB_SVN2 and SERVTD_HASH were reserved (zero) in TDX 1.0: REPORTTYPE.VERSION 0. */
        b->has_td15 = t->report_version >= 1;
        memcpy(b->tee_tcb_svn2, w.tee_tcb_info.tee_tcb_svn2, sizeof(b->tee_tcb_svn2));
        memcpy(b->mr_servicetd, w.td_info.servtd_hash, sizeof(b->mr_servicetd));

        *ret = *t;
        return 0;
}
