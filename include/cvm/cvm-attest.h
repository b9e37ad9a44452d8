/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/**
 * @file cvm-attest.h
 * Attestation evidence: parse what a confidential VM hands out as proof of what runs in it, and show it.
 *
 * Known kinds: Intel TDX quotes (versions 4 and 5, TD Report 1.0 and 1.5 bodies, ECDSA-P256 signature
 * data with QE report certification data), the 1024-byte TDX TDREPORT, and AMD SEV-SNP attestation
 * reports (versions 2 to 5; Milan, Genoa and Turin TCB layouts).
 *
 * Parsing checks structure only: no signature, certificate or TCB is verified here. Lengths come from
 * the length fields, never from the input size; bytes after a complete structure are reported as
 * trailing bytes, not as an error.
 */

#include "cvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The largest input cvm_evidence_parse() accepts (a real TDX quote is about 5 KiB). */
#define CVM_EVIDENCE_MAX (1024U * 1024U)

typedef struct cvm_evidence cvm_evidence;

typedef enum cvm_evidence_kind {
        CVM_EVIDENCE_TDX_QUOTE,  /**< "tdx-quote" */
        CVM_EVIDENCE_TDREPORT,   /**< "tdreport" */
        CVM_EVIDENCE_SNP_REPORT, /**< "snp-report" */
        _CVM_EVIDENCE_KIND_MAX,
} cvm_evidence_kind;

/** "tdx-quote", "tdreport", "snp-report"; NULL for out-of-range values. */
const char *cvm_evidence_kind_to_string(cvm_evidence_kind kind);

/**
 * Detects the kind of buf and parses it. A buffer of exactly 1024 bytes starting with REPORTTYPE 0x81 0x00
 * is a TDREPORT; a little-endian u16 version with a non-zero u16 after it (the attestation key type) is a
 * TDX quote; a small little-endian u32 version is an SNP report.
 * @param reterr_detail if not NULL, on failure receives one sentence naming the structure, the field
 *                      and its offset (free() it); left untouched on success
 * @return 0; -EBADMSG malformed or truncated input or an unknown format; -E2BIG input or a length over a
 *         cap (CVM_EVIDENCE_MAX, 64 KiB per certification data); -EOPNOTSUPP a version, TEE type, body
 *         type or certification data type this library does not know; -ENOMEM
 */
int cvm_evidence_parse(const void *buf, size_t size, cvm_evidence **ret, char **reterr_detail);

cvm_evidence_kind cvm_evidence_get_kind(const cvm_evidence *e);
/** The structure's own version: quote version, TDREPORT REPORTTYPE.VERSION, SNP report VERSION. */
unsigned cvm_evidence_get_version(const cvm_evidence *e);
/** Input bytes after the structure (padding a transport added); 0 for most inputs. */
size_t cvm_evidence_get_trailing(const cvm_evidence *e);

/**
 * Every field as one JSON object, pretty-printed and newline-terminated (free() the result). It starts
 * {"kind": "tdx-quote"|"tdreport"|"snp-report", "version": N, "size": N (the structure), "input_size": N,
 * "trailing_bytes": N, "trailing_all_zero": bool, ...}. TDX quotes then have "header", "body",
 * "signed_region" {offset, size} and "signature_data" (with nested "certification_data", "qe_report"...);
 * TDREPORTs "report_mac", "tee_tcb_info", "body" (the same members as a quote's body); SNP reports the
 * report's fields under their ABI names in lower case, TCB versions as objects, "signed_region" and
 * "signature" {r, s}. Byte strings are lowercase hex in wire order; numbers up to 32 bits are JSON
 * numbers; 64-bit words and flag words are "0x%016x" strings, with the names of their set bits in a
 * "<field>_flags" array ("bit N" for bits without a name). Fields a version lacks are null.
 * @return 0 or -ENOMEM
 */
int cvm_evidence_to_json(const cvm_evidence *e, char **ret);

cvm_evidence *cvm_evidence_free(cvm_evidence *e);

#ifdef __cplusplus
}
#endif
