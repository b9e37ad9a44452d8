/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reference values: what a verifier expects of a TDX quote's or an SEV-SNP report's measured fields, read
 * from a JSON policy file (cvm-verify-policy(5)) and appraised after the signature, chain and TCB checks.
 * Fields follow reference/attestation.md §a.2 (TD quote body) and §c (ATTESTATION_REPORT); the SNP TCB
 * rules follow go-sev-guest validate/validate.go validateTcb/validateVersion.
 *
 * Secure defaults hold with or without a file: a debug guest (TD attribute DEBUG, SNP policy bit 19) is
 * rejected unless the policy says "allow_debug": true, and only the UpToDate TCB status is accepted unless
 * "accept_tcb" lists more. The SNP TCB values must be consistent (REPORTED_TCB not above CURRENT_TCB or
 * COMMITTED_TCB, COMMITTED_TCB equal to CURRENT_TCB unless provisional firmware is allowed).
 *
 * Evaluation appends checks (check-list.h) {id "policy.<key>", ok, error -EPERM when not ok, detail naming
 * what was expected and what was seen}. A value the policy does not constrain produces no check, except the
 * secure defaults ("policy.debug", "policy.tcb_status", "policy.tcb_consistency") which are always checked.
 */
#include "attest/check-list.h"
#include "attest/collateral.h"
#include "attest/snp-report.h"
#include "attest/tdx-quote.h"
#include "macro.h"

#define VERIFY_POLICY_MAX       (1024U * 1024) /* the policy file */
#define VERIFY_POLICY_MAX_DEPTH 8U

/* Allowed values of one byte-string field; n == 0: not constrained. */
typedef struct PolicyValues {
        uint8_t *values; /* n * size bytes */
        size_t n;
        size_t size; /* the field's length, in bytes */
} PolicyValues;

/* A 64-bit flag word: (seen & mask) must equal value; mask == 0: not constrained. */
typedef struct PolicyBits {
        uint64_t value;
        uint64_t mask;
} PolicyBits;

/* An optional number. */
typedef struct PolicyU32 {
        bool set;
        uint32_t value;
} PolicyU32;

/* The expected report data, when set. */
typedef struct PolicyReportData {
        bool set;
        uint8_t data[64];
} PolicyReportData;

typedef struct TdxPolicy {
        PolicyValues mrseam, mrtd, rtmr[4], mrconfigid, mrowner, mrownerconfig;
        PolicyBits attributes, xfam;
        bool has_min_tee_tcb_svn;
        uint8_t min_tee_tcb_svn[16]; /* compared byte by byte */
        bool accept_tcb[_TCB_STATUS_MAX];
        bool allow_debug;
        PolicyReportData report_data;
} TdxPolicy;

/* The TCB_VERSION values an SNP report carries, as bits of SnpPolicy.min_tcb_applies_to. */
typedef enum SnpTcbKind {
        SNP_TCB_REPORTED,
        SNP_TCB_LAUNCH,
        SNP_TCB_CURRENT,
        SNP_TCB_COMMITTED,
        _SNP_TCB_KIND_MAX,
        _SNP_TCB_KIND_INVALID = -EINVAL,
} SnpTcbKind;

/* "reported", "launch", "current", "committed" and back. */
const char *snp_tcb_kind_to_string(SnpTcbKind k);
SnpTcbKind snp_tcb_kind_from_string(const char *s);

/* SnpTcb components in policy order; the index into SnpPolicy.min_tcb. */
typedef enum SnpTcbComponent {
        SNP_TCB_BOOTLOADER,
        SNP_TCB_TEE,
        SNP_TCB_SNP,
        SNP_TCB_MICROCODE,
        SNP_TCB_FMC,
        _SNP_TCB_COMPONENT_MAX,
} SnpTcbComponent;

typedef struct SnpPolicy {
        PolicyValues measurement, host_data, id_key_digest, author_key_digest, family_id, image_id;
        PolicyBits policy;
        bool allow_debug;
        bool has_min_tcb;
        uint8_t min_tcb[_SNP_TCB_COMPONENT_MAX];
        unsigned min_tcb_applies_to; /* 1 << SnpTcbKind; default reported and launch */
        bool allow_provisional_firmware;
        bool has_min_firmware;
        uint8_t min_firmware[3]; /* major, minor, build */
        PolicyU32 vmpl;
        PolicyU32 min_guest_svn;
        PolicyReportData report_data;
} SnpPolicy;

typedef struct VerifyPolicy {
        bool has_tdx, has_snp; /* which TEEs the policy is for */
        TdxPolicy tdx;
        SnpPolicy snp;
} VerifyPolicy;

/* The secure default policy, for both TEEs: only UpToDate, no debug guests, nothing else constrained. */
void verify_policy_init(VerifyPolicy *p);
void verify_policy_done(VerifyPolicy *p);

/*
 * Parses a policy (cvm-verify-policy(5)) on top of the defaults. Returns 0, -EBADMSG for invalid JSON or
 * a value that does not fit (an unknown key, a wrong type, a hex string of the wrong length, ...), -E2BIG
 * above VERIFY_POLICY_MAX, -ENOMEM. *reterr (may be NULL) gets a sentence naming the key ("tdx.mrtd[1]")
 * and what was expected; an unknown key names the closest known one. ret is written only on success.
 */
int verify_policy_parse(const char *text, size_t size, VerifyPolicy *ret, char **reterr);
/* The same on a file; -errno of reading it (with *reterr unset). */
int verify_policy_load(const char *path, VerifyPolicy *ret, char **reterr);

/* Turns a report data argument (1 to 64 bytes in hex, zero-padded to 64) into bytes; -EINVAL. */
int policy_report_data_parse(const char *hex, uint8_t ret[static 64]);

/*
 * Appraises a TDX quote's body. tcb_status is the appraised TCB status, or NULL when none could be
 * appraised (no "policy.tcb_status" check then). Returns 0 (whatever the checks say), -EMEDIUMTYPE when
 * the policy has no "tdx" section, -ENOMEM. res is appended to; attest_checks_done() it.
 */
int verify_policy_evaluate_tdx(const VerifyPolicy *p, const TdxQuote *q, const TcbStatus *tcb_status,
                               AttestChecks *res);
/* Appraises an SNP report; -EMEDIUMTYPE when the policy has no "snp" section. */
int verify_policy_evaluate_snp(const VerifyPolicy *p, const SnpReport *s, AttestChecks *res);
