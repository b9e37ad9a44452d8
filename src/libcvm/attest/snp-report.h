/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * AMD SEV-SNP ATTESTATION_REPORT, versions 2 to 5 (0x4A0 bytes).
 *
 * Sources: reference/attestation.md §c, from the AMD SEV-SNP Firmware ABI specification ("Table 23.
 * ATTESTATION_REPORT Structure" in revision 1.55; later revisions add the CPUID and mitigation vector
 * fields), google/go-sev-guest abi/abi.go (ReportToProto, policy and platform-info bits, product
 * family/model constants) and virtee/sev src/firmware/guest/types/snp.rs (the structure and TCB_VERSION
 * layouts, src/firmware/host/types/snp.rs from_legacy_bytes / from_turin_bytes).
 *
 * The signature covers raw[0, SNP_REPORT_SIGNED_SIZE) with ECDSA P-384 / SHA-384 by the VCEK or VLEK; R
 * and S are 72-byte little-endian integers. The parser keeps the exact bytes and checks nothing of it.
 *
 * TCB_VERSION has two layouts: Milan and Genoa (byte 0 BL_SPL, 1 TEE_SPL, 6 SNP_SPL, 7 UCODE_SPL) and
 * Turin and later (byte 0 FMC_SPL, 1 BL, 2 TEE, 3 SNP, 7 UCODE). Which one applies is decided, in order:
 *   1. reports v3 and later carry CPUID family/model/stepping: family 0x19 is Zen 3/4 (Milan: models
 *      0x00-0x0f, Genoa/Bergamo/Siena: 0x10-0x1f and 0xa0-0xaf), family 0x1a and later Zen 5 and later
 *      (Turin: models 0x00-0x1f), which use the Turin layout (go-sev-guest abi.go zen3zen4Family,
 *      milanModel, genoaModel, zen5Family, turinModel);
 *   2. otherwise a product hint from the caller (the user knows the host);
 *   3. otherwise, a version 2 report gets the Milan/Genoa layout: it carries no CPUID, and Turin firmware
 *      emits version 3 or later (snpguest requires v3 to check Turin's FMC_SPL). The product stays
 *      unknown (Milan or Genoa);
 *   4. a v3+ report with zero CPUID fields (not seen in practice) falls back to virtee/sev's heuristic: a
 *      CHIP_ID whose last 56 bytes are zero and first 8 are not is a Turin one. virtee/sev#307 shows the
 *      heuristic misfires (a Milan v4 report taken for Turin), hence last.
 */

#include "macro.h"

#define SNP_REPORT_SIZE                0x4A0U
#define SNP_REPORT_SIGNED_SIZE         0x2A0U
#define SNP_SIG_COMPONENT_SIZE         72U /* R and S, little-endian */
#define SNP_REPORT_VERSION_MIN         2U
#define SNP_REPORT_VERSION_MAX         5U
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1U

/* POLICY bits (attestation.md §c; AMD ABI "Guest Policy"). Bits 0-15 are the ABI minor and major. */
#define SNP_POLICY_SMT   (UINT64_C(1) << 16)
#define SNP_POLICY_MBO   (UINT64_C(1) << 17) /* reserved, must be one */
#define SNP_POLICY_DEBUG (UINT64_C(1) << 19)

/* SIGNER_INFO (offset 0x48) bits 4:2. */
#define SNP_SIGNING_KEY_VCEK 0U
#define SNP_SIGNING_KEY_VLEK 1U
#define SNP_SIGNING_KEY_NONE 7U

typedef enum SnpProduct {
        SNP_PRODUCT_UNKNOWN,
        SNP_PRODUCT_MILAN,
        SNP_PRODUCT_GENOA,
        SNP_PRODUCT_TURIN,
        _SNP_PRODUCT_MAX,
        _SNP_PRODUCT_INVALID = -EINVAL,
} SnpProduct;

/* "unknown", "milan", "genoa", "turin" and back (lower case; -EINVAL for other names). */
const char *snp_product_to_string(SnpProduct p);
SnpProduct snp_product_from_string(const char *s);

/* How product and TCB layout were decided (the list in the comment above). */
typedef enum SnpProductSource {
        SNP_PRODUCT_FROM_CPUID,
        SNP_PRODUCT_FROM_HINT,
        SNP_PRODUCT_FROM_VERSION,
        SNP_PRODUCT_FROM_CHIP_ID,
        _SNP_PRODUCT_SOURCE_MAX,
} SnpProductSource;

/* "cpuid", "hint", "report-version", "chip-id". */
const char *snp_product_source_to_string(SnpProductSource s);

typedef enum SnpTcbLayout {
        SNP_TCB_LAYOUT_MILAN_GENOA,
        SNP_TCB_LAYOUT_TURIN,
        _SNP_TCB_LAYOUT_MAX,
} SnpTcbLayout;

/* "milan-genoa", "turin". */
const char *snp_tcb_layout_to_string(SnpTcbLayout l);

/* A TCB_VERSION, decoded in the report's layout; fmc is 0 in the Milan/Genoa layout. */
typedef struct SnpTcb {
        uint64_t raw;
        uint8_t fmc;
        uint8_t bootloader;
        uint8_t tee;
        uint8_t snp;
        uint8_t microcode;
} SnpTcb;

void snp_tcb_decode(uint64_t raw, SnpTcbLayout layout, SnpTcb *ret);

typedef struct SnpReport {
        uint8_t raw[SNP_REPORT_SIZE];
        size_t trailing; /* input bytes after the report, not part of it */
        bool trailing_all_zero;

        uint32_t version;
        uint32_t guest_svn;
        uint64_t policy;
        uint8_t family_id[16];
        uint8_t image_id[16];
        uint32_t vmpl;
        uint32_t signature_algo;
        SnpTcb current_tcb;
        uint64_t platform_info;
        uint32_t signer_info; /* the whole word at 0x48; the three fields below are decoded from it */
        bool author_key_en;
        bool mask_chip_key;
        uint8_t signing_key;
        uint8_t report_data[64];
        uint8_t measurement[48];
        uint8_t host_data[32];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48];
        uint8_t report_id[32];
        uint8_t report_id_ma[32];
        SnpTcb reported_tcb;
        bool has_cpuid; /* version >= 3 */
        uint8_t cpuid_fam_id;
        uint8_t cpuid_mod_id;
        uint8_t cpuid_step;
        uint8_t chip_id[64];
        SnpTcb committed_tcb;
        uint8_t current_build, current_minor, current_major;
        uint8_t committed_build, committed_minor, committed_major;
        SnpTcb launch_tcb;
        bool has_mit_vectors; /* version >= 5 */
        uint64_t launch_mit_vector;
        uint64_t current_mit_vector;
        uint8_t signature_r[SNP_SIG_COMPONENT_SIZE];
        uint8_t signature_s[SNP_SIG_COMPONENT_SIZE];

        SnpProduct product;
        SnpProductSource product_source;
        SnpTcbLayout tcb_layout;
} SnpReport;

/*
 * Parses an attestation report (bytes after the first SNP_REPORT_SIZE are counted as trailing). hint
 * (SNP_PRODUCT_UNKNOWN for none) picks the TCB layout when the report does not tell. Returns 0, -EBADMSG
 * when the input is shorter than a report, -EOPNOTSUPP for a version other than 2-5, -E2BIG above
 * CVM_QUOTE_MAX. *reterr (may be NULL) gets a sentence naming the field and its offset. ret is written
 * only on success.
 */
int snp_report_parse(const void *buf, size_t size, SnpProduct hint, SnpReport *ret, char **reterr);

/* Names of POLICY bits 16-63 ("SMT", "MIGRATE_MA", "DEBUG", ...) and PLATFORM_INFO bits ("SMT_EN",
 * "TSME_EN", ...); NULL for bits without a name. */
const char *snp_policy_to_string(unsigned bit);
const char *snp_platform_info_to_string(unsigned bit);
/* "vcek", "vlek", "none"; NULL for reserved values. */
const char *snp_signing_key_to_string(unsigned key);
