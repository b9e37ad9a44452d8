/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * SEV-SNP verification building blocks (reference/attestation.md §c): the AMD certificate chain
 * ARK -> ASK/ASVK -> VCEK/VLEK, the VCEK/VLEK TCB and hwID extensions against the report's REPORTED_TCB
 * and CHIP_ID, and the report's ECDSA P-384 signature. Everything takes raw inputs (report bytes, the
 * REPORTED_TCB u64, the CHIP_ID bytes, X509 certificates), so a caller can combine it with any report
 * parser and any way of fetching certificates (cert table, KDS, files).
 *
 * Each step appends one or more checks to an AttestChecks (check-list.h) and returns 0 or the
 * first failure's -errno: -EKEYREJECTED (bad signature, broken chain, wrong key, TCB or hwID mismatch),
 * -EKEYEXPIRED (a certificate outside its validity window at the given time), -EBADMSG (malformed
 * certificate extensions or report), -EINVAL (bad arguments), -ENOMEM.
 */
#include <openssl/x509.h>
#include <time.h>

#include "amd-roots.h"
#include "attest/check-list.h"
#include "macro.h"

/* SEV-SNP ABI spec (AMD 56860) Table 23 "ATTESTATION_REPORT Structure"; reference/attestation.md §c. */
#define SNP_VERIFY_REPORT_SIZE   0x4A0U /* the whole report, signature included */
#define SNP_VERIFY_SIGNED_SIZE   0x2A0U /* bytes 0x000..0x29F are signed */
#define SNP_VERIFY_SIG_OFFSET    0x2A0U /* R[72] little-endian, then S[72] at 0x2E8 */
#define SNP_VERIFY_SIG_COMPONENT 72U
#define SNP_VERIFY_CHIP_ID_SIZE  64U
#define SNP_VERIFY_HWID_TURIN    8U /* Turin VCEKs carry, and Turin reports fill, only 8 bytes */

typedef enum SnpVekType {
        SNP_VEK_VCEK, /* Versioned Chip Endorsement Key, issued by the ASK */
        SNP_VEK_VLEK, /* Versioned Loaded Endorsement Key, issued by the ASVK; no hwID */
        _SNP_VEK_TYPE_MAX,
        _SNP_VEK_TYPE_INVALID = -EINVAL,
} SnpVekType;

const char *snp_vek_type_to_string(SnpVekType t);
SnpVekType snp_vek_type_from_string(const char *s);

/* Which VCEK/VLEK extensions were present (AMD OIDs under 1.3.6.1.4.1.3704.1, attestation.md §c). */
typedef enum SnpVekExtFlag {
        SNP_VEK_EXT_STRUCT_VERSION = 1 << 0, /* .1 */
        SNP_VEK_EXT_PRODUCT_NAME = 1 << 1,   /* .2 */
        SNP_VEK_EXT_BL_SPL = 1 << 2,         /* .3.1 */
        SNP_VEK_EXT_TEE_SPL = 1 << 3,        /* .3.2 */
        SNP_VEK_EXT_SNP_SPL = 1 << 4,        /* .3.3 */
        SNP_VEK_EXT_UCODE_SPL = 1 << 5,      /* .3.8 */
        SNP_VEK_EXT_FMC_SPL = 1 << 6,        /* .3.9, Turin */
        SNP_VEK_EXT_HWID = 1 << 7,           /* .4, VCEK only */
        SNP_VEK_EXT_CSP_ID = 1 << 8,         /* .5, VLEK only */
} SnpVekExtFlag;

typedef struct SnpVekExt {
        unsigned present; /* SnpVekExtFlag bits */
        uint8_t struct_version;
        char product_name[32]; /* "Milan-B0", "Genoa", "Turin" */
        uint8_t bl_spl, tee_spl, snp_spl, ucode_spl, fmc_spl;
        uint8_t hwid[SNP_VERIFY_CHIP_ID_SIZE];
        size_t hwid_size; /* 64, or 8 on Turin */
        char csp_id[128];
} SnpVekExt;

/*
 * Parses the AMD extensions of a VCEK/VLEK. Every value is decoded bounded and must fill its extension
 * exactly; unknown AMD OIDs (spl4..7) are ignored, duplicates rejected. 0, -EBADMSG (with *reterr set to
 * a sentence naming the extension, when reterr is given) or -ENOMEM. *ret is written only on success.
 */
int snp_vek_ext_parse(X509 *vek, SnpVekExt *ret, char **reterr);
/* The same on a DER certificate (what the fuzzer feeds); -EBADMSG if it is not one. */
int snp_vek_ext_parse_der(const uint8_t *der, size_t size, SnpVekExt *ret, char **reterr);

/*
 * Verifies ARK -> ASK/ASVK -> VEK at time `at`. ark/ask may be NULL for the built-in certificates of
 * `product` (the ASVK for a VLEK); a given ARK must be the built-in one, byte for byte, since the ARK is
 * the trust anchor. Signatures must be RSASSA-PSS with SHA-384, MGF1-SHA-384 and salt 48 (as go-sev-guest
 * requires); the VEK key must be EC P-384. Serial number 0 on the VEK is accepted (every public VCEK has
 * it). Checks "chain.ark", "chain.ask", "chain.vek".
 */
int snp_chain_verify(AmdProduct product, SnpVekType type, X509 *ark, X509 *ask, X509 *vek, time_t at,
                     AttestChecks *res);

/*
 * Compares REPORTED_TCB (report offset 0x180), decoded with the product's TCB_VERSION layout, with the
 * VEK's SPL extensions; the detail names each component that differs. Check "tcb.reported".
 */
int snp_tcb_check(AmdProduct product, uint64_t reported_tcb, const SnpVekExt *ext, AttestChecks *res);

/*
 * Compares CHIP_ID (report offset 0x1A0, 64 bytes) with the VCEK hwID: all 64 bytes, or the first 8 on
 * Turin. chip_id == NULL (MASK_CHIP_ID, or a VLEK) records the check as skipped. Check "hwid".
 */
int snp_hwid_check(AmdProduct product, const uint8_t *chip_id, const SnpVekExt *ext, AttestChecks *res);

/*
 * Verifies the ECDSA P-384 SHA-384 signature (report 0x2A0, R and S 72-byte little-endian) over report
 * bytes 0x000..0x29F with the VEK's public key. size must be at least SNP_VERIFY_REPORT_SIZE. Check
 * "signature".
 */
int snp_report_signature_verify(const uint8_t *report, size_t size, X509 *vek, AttestChecks *res);

/*
 * The AMD KDS address of the VCEK for this CHIP_ID and REPORTED_TCB (attestation.md §c "KDS"; AMD 57230):
 * https://kdsintf.amd.com/vcek/v1/{Milan|Genoa|Turin}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..,
 * where hwid is CHIP_ID in lowercase hex (only its first 8 bytes on Turin, whose query starts with
 * fmcSPL). Values are plain decimal, as go-sev-guest's KDS URLs are. VLEKs cannot be fetched this way.
 * An all-zero CHIP_ID (MASK_CHIP_ID) gives -EINVAL: KDS would answer 404.
 */
int snp_kds_vcek_url(AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
                     uint64_t reported_tcb, char **ret);

typedef struct SnpVerifyInput {
        const uint8_t *report; /* at least SNP_VERIFY_REPORT_SIZE bytes */
        size_t report_size;
        AmdProduct product;
        SnpVekType vek_type;
        uint64_t reported_tcb;
        const uint8_t *chip_id; /* SNP_VERIFY_CHIP_ID_SIZE bytes, or NULL when masked */
        X509 *vek;
        X509 *ask; /* NULL: built-in ASK/ASVK */
        X509 *ark; /* NULL: built-in ARK */
        time_t at;
} SnpVerifyInput;

/*
 * All of the above in order: chain, VEK extensions ("vek.extensions", "vek.product"), TCB, hwID (VCEK
 * only), signature. Every step runs, so the result lists every failure; returns the first error.
 */
int snp_verify(const SnpVerifyInput *in, AttestChecks *res);
