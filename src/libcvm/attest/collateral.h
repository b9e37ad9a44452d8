/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Intel DCAP collateral for TDX quote appraisal (reference/attestation.md b.1, b.3 steps 2-4): TCB info
 * (v3, id "TDX"), QE identity (enclaveIdentity v2, id "TD_QE"), their TCB Signing issuer chains, the PCK
 * CRL with its issuer chain and the Intel SGX Root CA CRL.
 *
 * Two input forms: the JSON bundle of Phala-Network/dcap-qvl ("QuoteCollateralV3": pck_crl_issuer_chain,
 * root_ca_crl (hex DER), pck_crl (hex DER), tcb_info_issuer_chain, tcb_info (the signed JSON text),
 * tcb_info_signature (hex r||s), qe_identity_issuer_chain, qe_identity, qe_identity_signature), or a
 * directory of PCS downloads (COLLATERAL_DIR_FILES). A part that is absent is recorded as missing; a
 * verification never passes over a missing part.
 */
#include <openssl/x509.h>
#include <time.h>

#include "attest/x509-chain.h"
#include "macro.h"

/* PCS TCB info bodies are 2-20 KB. */
#define COLLATERAL_JSON_MAX       (1024U * 1024)
#define COLLATERAL_JSON_DEPTH     16U
#define TCB_LEVELS_MAX            256U
#define TCB_ADVISORIES_MAX        256U
#define TDX_MODULE_IDENTITIES_MAX 64U
#define TCB_COMPONENTS            16U

/* TCB status strings of [QVL] Verifiers/TcbStatus.h, in Intel's order of precedence (worse is larger);
 * the last one is the verdict when no level matches, never a value inside collateral. */
typedef enum TcbStatus {
        TCB_STATUS_UP_TO_DATE,
        TCB_STATUS_SW_HARDENING_NEEDED,
        TCB_STATUS_CONFIGURATION_NEEDED,
        TCB_STATUS_CONFIGURATION_AND_SW_HARDENING_NEEDED,
        TCB_STATUS_OUT_OF_DATE,
        TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED,
        TCB_STATUS_REVOKED,
        TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED,
        _TCB_STATUS_MAX,
        _TCB_STATUS_INVALID = -EINVAL,
} TcbStatus;

const char *tcb_status_to_string(TcbStatus s);
TcbStatus tcb_status_from_string(const char *s);

typedef enum CollateralPart {
        COLLATERAL_TCB_INFO,
        COLLATERAL_TCB_INFO_ISSUER_CHAIN,
        COLLATERAL_QE_IDENTITY,
        COLLATERAL_QE_IDENTITY_ISSUER_CHAIN,
        COLLATERAL_PCK_CRL,
        COLLATERAL_PCK_CRL_ISSUER_CHAIN,
        COLLATERAL_ROOT_CA_CRL,
        _COLLATERAL_PART_MAX,
        _COLLATERAL_PART_INVALID = -EINVAL,
} CollateralPart;

/* The bundle key of each part ("tcb_info", ...). */
const char *collateral_part_to_string(CollateralPart p);
CollateralPart collateral_part_from_string(const char *s);

/* Directory form: tcb_info.json, tcb_info_issuer_chain.pem, qe_identity.json, qe_identity_issuer_chain.pem,
 * pck_crl.der (or pck_crl.pem), pck_crl_issuer_chain.pem, root_ca_crl.der (or root_ca_crl.pem). */
extern const char *const collateral_dir_files[_COLLATERAL_PART_MAX];

/* The exact signed bytes of a "tcbInfo"/"enclaveIdentity" value and its ECDSA P-256 signature r||s. */
typedef struct SignedJson {
        char *text; /* NUL-terminated copy */
        size_t size;
        uint8_t signature[64];
} SignedJson;

typedef struct Collateral {
        bool present[_COLLATERAL_PART_MAX];
        SignedJson tcb_info, qe_identity;
        X509Stack *tcb_info_chain, *qe_identity_chain, *pck_crl_chain;
        X509_CRL *pck_crl, *root_ca_crl;
} Collateral;

void collateral_done(Collateral *c);

/* The bundle form. Malformed parts give -EBADMSG naming the key in *reterr_detail; absent keys are
 * recorded as missing. */
int collateral_load_json(const char *text, size_t size, Collateral *ret, char **reterr_detail);
/* The directory form; an absent file is missing, an unreadable or malformed one an error. */
int collateral_load_dir(const char *dir, Collateral *ret, char **reterr_detail);
/* A directory, else a JSON bundle file. */
int collateral_load(const char *path, Collateral *ret, char **reterr_detail);

/*
 * A PCS response body {"<key>":{...},"signature":"<hex r||s>"}: finds the raw text of the value of key
 * with a bounded scanner over the original bytes (the signature covers those bytes, not a re-serialised
 * object; reference/attestation.md b.1) and decodes the signature. The whole body must be valid JSON.
 * -EBADMSG, -E2BIG. ret_value points into text.
 */
int pcs_body_split(const char *text, size_t size, const char *key, const char **ret_value,
                   size_t *ret_value_size, uint8_t ret_signature[static 64]);

/* ECDSA P-256 / SHA-256 over text with signature r||s by signer's key. -EKEYREJECTED when it does not
 * verify or the key is not P-256. */
int signed_json_verify(const char *text, size_t size, const uint8_t signature[static 64], X509 *signer);

/* One TCB level of a TDX TCB info ("tcbLevels" entry). */
typedef struct TcbLevel {
        uint8_t sgx_svn[TCB_COMPONENTS];
        uint16_t pcesvn;
        uint8_t tdx_svn[TCB_COMPONENTS];
        time_t tcb_date;
        TcbStatus status;
        char **advisory_ids; /* NULL-terminated, may be NULL */
        size_t n_advisory_ids;
} TcbLevel;

/* A level of a TDX module identity or of the QE identity: isvsvn -> status. */
typedef struct IsvLevel {
        uint16_t isvsvn;
        time_t tcb_date;
        TcbStatus status;
        char **advisory_ids;
        size_t n_advisory_ids;
} IsvLevel;

typedef struct TdxModuleIdentity {
        char id[16]; /* "TDX_01"; empty for the plain "tdxModule" */
        uint8_t mrsigner[48];
        uint8_t attributes[8];
        uint8_t attributes_mask[8];
        IsvLevel *levels; /* sorted by isvsvn, highest first */
        size_t n_levels;
} TdxModuleIdentity;

typedef struct TcbInfo {
        char id[8];
        unsigned version;
        time_t issue_date, next_update;
        uint8_t fmspc[6];
        uint8_t pce_id[2];
        unsigned tcb_type;
        unsigned tcb_evaluation_data_number;
        bool has_tdx_module;
        TdxModuleIdentity tdx_module;
        TdxModuleIdentity *module_identities;
        size_t n_module_identities;
        TcbLevel *levels; /* in QVL order: highest first ([QVL] TcbLevelCheck.cpp std::greater) */
        size_t n_levels;
} TcbInfo;

typedef struct QeIdentity {
        char id[8];
        unsigned version;
        time_t issue_date, next_update;
        unsigned tcb_evaluation_data_number;
        uint32_t miscselect, miscselect_mask;
        uint8_t attributes[16], attributes_mask[16];
        uint8_t mrsigner[32];
        uint16_t isvprodid;
        IsvLevel *levels; /* sorted by isvsvn, highest first */
        size_t n_levels;
} QeIdentity;

/*
 * Parse the text of a "tcbInfo" (TDX, version 3) / "enclaveIdentity" (TD_QE, version 2) value. Anything
 * else, a missing or mistyped field, a bad hex length, an unknown status gives -EBADMSG with the field
 * named in *reterr_detail; more levels or advisories than the caps -E2BIG.
 */
int tcb_info_parse(const char *text, size_t size, TcbInfo *ret, char **reterr_detail);
void tcb_info_done(TcbInfo *t);
int qe_identity_parse(const char *text, size_t size, QeIdentity *ret, char **reterr_detail);
void qe_identity_done(QeIdentity *q);

/* What collateral_verify() found, part by part, for the final report. */
typedef struct CollateralVerification {
        int error[_COLLATERAL_PART_MAX]; /* 0, -ENODATA (missing) or the part's -errno */
        char *detail[_COLLATERAL_PART_MAX];
        X509Window *windows; /* certificates, CRLs, and TCB info / QE identity issueDate..nextUpdate */
        size_t n_windows;
        TcbInfo tcb_info;
        QeIdentity qe_identity;
        bool have_tcb_info, have_qe_identity;
} CollateralVerification;

void collateral_verification_done(CollateralVerification *v);

/*
 * Verifies every part at time `at` against the trust anchors (the Intel SGX Root CA): the TCB Signing
 * chains with the root CRL and the signatures of TCB info and QE identity, their issueDate..nextUpdate,
 * the root CRL (signed by the anchor), the PCK CRL issuer chain and the PCK CRL (signed by its first
 * certificate); then parses TCB info and QE identity into ret. Returns 0 when everything is present and
 * valid, else the first part's error: -ENODATA missing, -EKEYEXPIRED, -EKEYREVOKED, -EKEYREJECTED,
 * -EBADMSG. ret is filled in every case (collateral_verification_done() it).
 */
int collateral_verify(const Collateral *c, X509Stack *anchors, time_t at, CollateralVerification *ret);

/*
 * Verifies a quote's PCK chain (any order; leaf first in the certification data) to anchors at `at`
 * with the collateral's root CA CRL and PCK CRL (both required). The leaf's CN must name an "SGX PCK
 * Certificate". Errors as x509_chain_verify(); -ENODATA when a CRL is missing.
 */
int collateral_verify_pck_chain(const Collateral *c, X509Stack *pck_chain, X509Stack *anchors, time_t at,
                                X509ChainResult *result);
