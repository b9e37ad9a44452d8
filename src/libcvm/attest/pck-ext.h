/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Intel SGX extension of a PCK certificate, OID 1.2.840.113741.1.13.1: a SEQUENCE of {OID, value}
 * (reference/attestation.md b.2; Intel "SGX PCK Certificate and Certificate Revocation List Profile
 * Specification" 1.5; [QVL] AttestationParsers/src/ParserUtils.h, X509Constants.h).
 */
#include <openssl/x509.h>

#include "macro.h"

#define PCK_SGX_EXTENSION_OID "1.2.840.113741.1.13.1"
/* Real extensions are ~550 bytes. */
#define PCK_EXT_MAX        4096U
#define PCK_TCB_COMPONENTS 16U

typedef enum PckSgxType {
        PCK_SGX_TYPE_STANDARD = 0,
        PCK_SGX_TYPE_SCALABLE = 1,
        PCK_SGX_TYPE_SCALABLE_WITH_INTEGRITY = 2,
} PckSgxType;

typedef struct PckExtension {
        uint8_t ppid[16];                        /* .1 */
        uint8_t sgx_tcb_svn[PCK_TCB_COMPONENTS]; /* .2.1 .. .2.16 */
        uint16_t pcesvn;                         /* .2.17 */
        uint8_t cpusvn[16];                      /* .2.18 */
        uint8_t pce_id[2];                       /* .3 */
        uint8_t fmspc[6];                        /* .4 */
        int sgx_type;                            /* .5 (PckSgxType; other values kept as read) */
        bool has_platform_instance_id;
        uint8_t platform_instance_id[16]; /* .6, Platform-CA PCKs only */
        bool has_configuration;           /* .7 */
        bool has_dynamic_platform, has_cached_keys, has_smt_enabled;
        bool dynamic_platform, cached_keys, smt_enabled; /* .7.1 .. .7.3 */
} PckExtension;

/*
 * Parses the DER of the extension value (the outer SEQUENCE). Malformed, duplicate or missing mandatory
 * entries (PPID, TCB with all 18 parts, PCE-ID, FMSPC, SGX type) give -EBADMSG with a sentence naming
 * the sub-OID in *reterr_detail (optional, free() it); more than PCK_EXT_MAX bytes -E2BIG. Unknown
 * sub-OIDs are ignored (later profile versions add some). ret is written only on success.
 */
int pck_ext_parse(const uint8_t *der, size_t size, PckExtension *ret, char **reterr_detail);

/*
 * Finds the extension in a PCK certificate and parses it. A certificate issued by the "Intel SGX PCK
 * Platform CA" must also carry PlatformInstanceID and Configuration ([QVL] X509Constants.h). -ENOENT
 * without the extension, else as pck_ext_parse().
 */
int pck_ext_from_cert(X509 *cert, PckExtension *ret, char **reterr_detail);
