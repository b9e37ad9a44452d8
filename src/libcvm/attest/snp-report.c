/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SEV-SNP ATTESTATION_REPORT parser; layout, sources and the TCB layout decision in snp-report.h. Offsets
 * are those of reference/attestation.md §c (AMD SEV-SNP ABI, "ATTESTATION_REPORT Structure").
 *
 * Reserved fields are not checked: every new report version so far gave meaning to bytes that were
 * "must be zero" before, and strict parsers broke on each (go-sev-guest#142, virtee/sev PR #366).
 */
#include <endian.h>
#include <inttypes.h>

#include "parse-error.h"
#include "reader.h"
#include "snp-report.h"
#include "string-table.h"
#include "tdx-quote.h" /* CVM_QUOTE_MAX, the cap of every evidence input */

typedef struct __attribute__((packed)) SnpReportWire {
        uint32_t version;
        uint32_t guest_svn;
        uint64_t policy;
        uint8_t family_id[16];
        uint8_t image_id[16];
        uint32_t vmpl;
        uint32_t signature_algo;
        uint64_t current_tcb;
        uint64_t platform_info;
        uint32_t signer_info;
        uint32_t reserved0;
        uint8_t report_data[64];
        uint8_t measurement[48];
        uint8_t host_data[32];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48];
        uint8_t report_id[32];
        uint8_t report_id_ma[32];
        uint64_t reported_tcb;
        uint8_t cpuid_fam_id;
        uint8_t cpuid_mod_id;
        uint8_t cpuid_step;
        uint8_t reserved1[21];
        uint8_t chip_id[64];
        uint64_t committed_tcb;
        uint8_t current_build;
        uint8_t current_minor;
        uint8_t current_major;
        uint8_t reserved2;
        uint8_t committed_build;
        uint8_t committed_minor;
        uint8_t committed_major;
        uint8_t reserved3;
        uint64_t launch_tcb;
        uint64_t launch_mit_vector;
        uint64_t current_mit_vector;
        uint8_t reserved4[0x98];
        uint8_t signature_r[72];
        uint8_t signature_s[72];
        uint8_t signature_reserved[0x170];
} SnpReportWire;

static_assert(sizeof(SnpReportWire) == SNP_REPORT_SIZE, "ATTESTATION_REPORT is 0x4A0 bytes");
static_assert(offsetof(SnpReportWire, policy) == 0x008, "POLICY @0x008");
static_assert(offsetof(SnpReportWire, family_id) == 0x010, "FAMILY_ID @0x010");
static_assert(offsetof(SnpReportWire, image_id) == 0x020, "IMAGE_ID @0x020");
static_assert(offsetof(SnpReportWire, vmpl) == 0x030, "VMPL @0x030");
static_assert(offsetof(SnpReportWire, signature_algo) == 0x034, "SIGNATURE_ALGO @0x034");
static_assert(offsetof(SnpReportWire, current_tcb) == 0x038, "CURRENT_TCB @0x038");
static_assert(offsetof(SnpReportWire, platform_info) == 0x040, "PLATFORM_INFO @0x040");
static_assert(offsetof(SnpReportWire, signer_info) == 0x048, "signer info @0x048");
static_assert(offsetof(SnpReportWire, report_data) == 0x050, "REPORT_DATA @0x050");
static_assert(offsetof(SnpReportWire, measurement) == 0x090, "MEASUREMENT @0x090");
static_assert(offsetof(SnpReportWire, host_data) == 0x0C0, "HOST_DATA @0x0C0");
static_assert(offsetof(SnpReportWire, id_key_digest) == 0x0E0, "ID_KEY_DIGEST @0x0E0");
static_assert(offsetof(SnpReportWire, author_key_digest) == 0x110, "AUTHOR_KEY_DIGEST @0x110");
static_assert(offsetof(SnpReportWire, report_id) == 0x140, "REPORT_ID @0x140");
static_assert(offsetof(SnpReportWire, report_id_ma) == 0x160, "REPORT_ID_MA @0x160");
static_assert(offsetof(SnpReportWire, reported_tcb) == 0x180, "REPORTED_TCB @0x180");
static_assert(offsetof(SnpReportWire, cpuid_fam_id) == 0x188, "CPUID_FAM_ID @0x188");
static_assert(offsetof(SnpReportWire, chip_id) == 0x1A0, "CHIP_ID @0x1A0");
static_assert(offsetof(SnpReportWire, committed_tcb) == 0x1E0, "COMMITTED_TCB @0x1E0");
static_assert(offsetof(SnpReportWire, current_build) == 0x1E8, "CURRENT_BUILD @0x1E8");
static_assert(offsetof(SnpReportWire, committed_build) == 0x1EC, "COMMITTED_BUILD @0x1EC");
static_assert(offsetof(SnpReportWire, launch_tcb) == 0x1F0, "LAUNCH_TCB @0x1F0");
static_assert(offsetof(SnpReportWire, launch_mit_vector) == 0x1F8, "LAUNCH_MIT_VECTOR @0x1F8");
static_assert(offsetof(SnpReportWire, current_mit_vector) == 0x200, "CURRENT_MIT_VECTOR @0x200");
static_assert(offsetof(SnpReportWire, signature_r) == SNP_REPORT_SIGNED_SIZE, "SIGNATURE.R @0x2A0");
static_assert(offsetof(SnpReportWire, signature_s) == 0x2E8, "SIGNATURE.S @0x2E8");

static const char *const snp_product_table[_SNP_PRODUCT_MAX] = {
        [SNP_PRODUCT_UNKNOWN] = "unknown",
        [SNP_PRODUCT_MILAN] = "milan",
        [SNP_PRODUCT_GENOA] = "genoa",
        [SNP_PRODUCT_TURIN] = "turin",
};
DEFINE_STRING_TABLE_LOOKUP(snp_product, SnpProduct);

static const char *const snp_product_source_table[_SNP_PRODUCT_SOURCE_MAX] = {
        [SNP_PRODUCT_FROM_CPUID] = "cpuid",
        [SNP_PRODUCT_FROM_HINT] = "hint",
        [SNP_PRODUCT_FROM_VERSION] = "report-version",
        [SNP_PRODUCT_FROM_CHIP_ID] = "chip-id",
};

const char *snp_product_source_to_string(SnpProductSource s)
{
        return (unsigned) s < ELEMENTSOF(snp_product_source_table) ? snp_product_source_table[s] : NULL;
}

static const char *const snp_tcb_layout_table[_SNP_TCB_LAYOUT_MAX] = {
        [SNP_TCB_LAYOUT_MILAN_GENOA] = "milan-genoa",
        [SNP_TCB_LAYOUT_TURIN] = "turin",
};

const char *snp_tcb_layout_to_string(SnpTcbLayout l)
{
        return (unsigned) l < ELEMENTSOF(snp_tcb_layout_table) ? snp_tcb_layout_table[l] : NULL;
}

/* attestation.md §c POLICY; go-sev-guest abi.go policy*Bit; virtee/sev GuestPolicy. */
static const char *const policy_table[64] = {
        [16] = "SMT",
        [17] = "RESERVED_MBO",
        [18] = "MIGRATE_MA",
        [19] = "DEBUG",
        [20] = "SINGLE_SOCKET",
        [21] = "CXL_ALLOW",
        [22] = "MEM_AES_256_XTS",
        [23] = "RAPL_DIS",
        [24] = "CIPHERTEXT_HIDING",
        [25] = "PAGE_SWAP_DISABLE",
};

/* attestation.md §c PLATFORM_INFO. */
static const char *const platform_info_table[64] = {
        [0] = "SMT_EN",
        [1] = "TSME_EN",
        [2] = "ECC_EN",
        [3] = "RAPL_DIS",
        [4] = "CIPHERTEXT_HIDING_EN",
        [5] = "ALIAS_CHECK_COMPLETE",
        [7] = "TIO_EN",
};

static const char *const signing_key_table[8] = {
        [SNP_SIGNING_KEY_VCEK] = "vcek",
        [SNP_SIGNING_KEY_VLEK] = "vlek",
        [SNP_SIGNING_KEY_NONE] = "none",
};

const char *snp_policy_to_string(unsigned bit)
{
        return bit < ELEMENTSOF(policy_table) ? policy_table[bit] : NULL;
}

const char *snp_platform_info_to_string(unsigned bit)
{
        return bit < ELEMENTSOF(platform_info_table) ? platform_info_table[bit] : NULL;
}

const char *snp_signing_key_to_string(unsigned key)
{
        return key < ELEMENTSOF(signing_key_table) ? signing_key_table[key] : NULL;
}

void snp_tcb_decode(uint64_t raw, SnpTcbLayout layout, SnpTcb *ret)
{
        uint8_t b[8];

        for (size_t i = 0; i < 8; i++)
                b[i] = (uint8_t) (raw >> (8 * i));
        /* virtee/sev src/firmware/host/types/snp.rs from_legacy_bytes / from_turin_bytes. */
        if (layout == SNP_TCB_LAYOUT_TURIN)
                *ret = (SnpTcb){ .raw = raw,
                                 .fmc = b[0],
                                 .bootloader = b[1],
                                 .tee = b[2],
                                 .snp = b[3],
                                 .microcode = b[7] };
        else
                *ret = (SnpTcb){
                        .raw = raw, .bootloader = b[0], .tee = b[1], .snp = b[6], .microcode = b[7]
                };
}

/* CPUID family and model -> product and layout (snp-report.h, step 1). */
static void product_from_cpuid(uint8_t family, uint8_t model, SnpProduct *ret_product,
                               SnpTcbLayout *ret_layout)
{
        SnpProduct p = SNP_PRODUCT_UNKNOWN;

        if (family == 0x19 && model <= 0x0f)
                p = SNP_PRODUCT_MILAN;
        else if (family == 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)))
                p = SNP_PRODUCT_GENOA;
        else if (family == 0x1a && model <= 0x1f)
                p = SNP_PRODUCT_TURIN;
        *ret_product = p;
        *ret_layout = family >= 0x1a ? SNP_TCB_LAYOUT_TURIN : SNP_TCB_LAYOUT_MILAN_GENOA;
}

static void decide_product(SnpReport *s, SnpProduct hint)
{
        if (s->has_cpuid && s->cpuid_fam_id != 0) {
                product_from_cpuid(s->cpuid_fam_id, s->cpuid_mod_id, &s->product, &s->tcb_layout);
                s->product_source = SNP_PRODUCT_FROM_CPUID;
                return;
        }
        if (hint > SNP_PRODUCT_UNKNOWN && hint < _SNP_PRODUCT_MAX) {
                s->product = hint;
                s->product_source = SNP_PRODUCT_FROM_HINT;
                s->tcb_layout =
                        hint == SNP_PRODUCT_TURIN ? SNP_TCB_LAYOUT_TURIN : SNP_TCB_LAYOUT_MILAN_GENOA;
                return;
        }
        if (!s->has_cpuid) {
                s->product = SNP_PRODUCT_UNKNOWN;
                s->product_source = SNP_PRODUCT_FROM_VERSION;
                s->tcb_layout = SNP_TCB_LAYOUT_MILAN_GENOA;
                return;
        }

        bool head = false, tail = false;
        for (size_t i = 0; i < sizeof(s->chip_id); i++)
                if (s->chip_id[i] != 0)
                        *(i < 8 ? &head : &tail) = true;
        s->product_source = SNP_PRODUCT_FROM_CHIP_ID;
        if (head && !tail) {
                s->product = SNP_PRODUCT_TURIN;
                s->tcb_layout = SNP_TCB_LAYOUT_TURIN;
        } else {
                s->product = SNP_PRODUCT_UNKNOWN;
                s->tcb_layout = SNP_TCB_LAYOUT_MILAN_GENOA;
        }
}

int snp_report_parse(const void *buf, size_t size, SnpProduct hint, SnpReport *ret, char **reterr)
{
        Reader r = reader_init(buf, size);
        uint32_t version;
        SnpReportWire w;

        if (size > CVM_QUOTE_MAX)
                return parse_error(reterr, -E2BIG,
                                   "SNP report: the input has %zu bytes, over the cap of %u bytes", size,
                                   CVM_QUOTE_MAX);
        if (reader_u32le(&r, &version) < 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "SNP report: VERSION (u32 at offset 0x0) is truncated: the input has %zu bytes",
                        size);
        if (version < SNP_REPORT_VERSION_MIN || version > SNP_REPORT_VERSION_MAX)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "SNP report: VERSION (u32 at offset 0x0) is %" PRIu32
                                   "; versions %u-%u are known",
                                   version, SNP_REPORT_VERSION_MIN, SNP_REPORT_VERSION_MAX);
        r = reader_init(buf, size);
        if (reader_copy(&r, &w, sizeof(w)) < 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "SNP report: truncated: the input has %zu bytes, an ATTESTATION_REPORT is "
                        "%u (0x%X) bytes%s",
                        size, SNP_REPORT_SIZE, SNP_REPORT_SIZE,
                        size < SNP_REPORT_SIGNED_SIZE ? ", and the signed part alone 0x2A0"
                                                      : "; the SIGNATURE at 0x2A0 is cut");

        _cleanup_free_ SnpReport *s = new0(SnpReport, 1);
        if (!s)
                return -ENOMEM;
        memcpy(s->raw, buf, SNP_REPORT_SIZE);
        s->trailing = size - SNP_REPORT_SIZE;
        s->trailing_all_zero = true;
        for (size_t i = SNP_REPORT_SIZE; i < size; i++)
                if (((const uint8_t *) buf)[i] != 0) {
                        s->trailing_all_zero = false;
                        break;
                }

        s->version = le32toh(w.version);
        s->guest_svn = le32toh(w.guest_svn);
        s->policy = le64toh(w.policy);
        memcpy(s->family_id, w.family_id, sizeof(s->family_id));
        memcpy(s->image_id, w.image_id, sizeof(s->image_id));
        s->vmpl = le32toh(w.vmpl);
        s->signature_algo = le32toh(w.signature_algo);
        s->platform_info = le64toh(w.platform_info);
        s->signer_info = le32toh(w.signer_info);
        /* go-sev-guest ParseSignerInfo: bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY. */
        s->author_key_en = s->signer_info & 1;
        s->mask_chip_key = (s->signer_info >> 1) & 1;
        s->signing_key = (s->signer_info >> 2) & 7;
        memcpy(s->report_data, w.report_data, sizeof(s->report_data));
        memcpy(s->measurement, w.measurement, sizeof(s->measurement));
        memcpy(s->host_data, w.host_data, sizeof(s->host_data));
        memcpy(s->id_key_digest, w.id_key_digest, sizeof(s->id_key_digest));
        memcpy(s->author_key_digest, w.author_key_digest, sizeof(s->author_key_digest));
        memcpy(s->report_id, w.report_id, sizeof(s->report_id));
        memcpy(s->report_id_ma, w.report_id_ma, sizeof(s->report_id_ma));
        /* CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP exist from version 3 (reserved, zero, in version 2). */
        s->has_cpuid = s->version >= 3;
        if (s->has_cpuid) {
                s->cpuid_fam_id = w.cpuid_fam_id;
                s->cpuid_mod_id = w.cpuid_mod_id;
                s->cpuid_step = w.cpuid_step;
        }
        memcpy(s->chip_id, w.chip_id, sizeof(s->chip_id));
        s->current_build = w.current_build;
        s->current_minor = w.current_minor;
        s->current_major = w.current_major;
        s->committed_build = w.committed_build;
        s->committed_minor = w.committed_minor;
        s->committed_major = w.committed_major;
        /* LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR exist from version 5. */
        s->has_mit_vectors = s->version >= 5;
        if (s->has_mit_vectors) {
                s->launch_mit_vector = le64toh(w.launch_mit_vector);
                s->current_mit_vector = le64toh(w.current_mit_vector);
        }
        memcpy(s->signature_r, w.signature_r, sizeof(s->signature_r));
        memcpy(s->signature_s, w.signature_s, sizeof(s->signature_s));

        decide_product(s, hint);
        snp_tcb_decode(le64toh(w.current_tcb), s->tcb_layout, &s->current_tcb);
        snp_tcb_decode(le64toh(w.reported_tcb), s->tcb_layout, &s->reported_tcb);
        snp_tcb_decode(le64toh(w.committed_tcb), s->tcb_layout, &s->committed_tcb);
        snp_tcb_decode(le64toh(w.launch_tcb), s->tcb_layout, &s->launch_tcb);

        *ret = *s;
        return 0;
}
