/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fetching the certificates of an SEV-SNP report from AMD's Key Distribution Service (reference/
 * attestation.md §c "KDS"): the VCEK for the report's CHIP_ID and REPORTED_TCB
 * ({base}/vcek/v1/{product}/{hwid}?...SPL=..., DER) and the ASK + ARK ({base}/vcek/v1/{product}/cert_chain,
 * PEM). The base is https://kdsintf.amd.com unless a mirror or proxy is given. VLEKs cannot be fetched by
 * chip: a VLEK-signed report or a masked CHIP_ID needs its certificates from elsewhere.
 *
 * A cache keyed by URL keeps each answer until its certificates' notAfter (VCEKs live seven years), which
 * spares KDS its rate limits (HTTP 429); an entry that does not parse is fetched again.
 */
#include "attest/openssl-util.h"
#include "attest/snp-verify.h"

#define KDS_AMD_URL "https://kdsintf.amd.com"

/* The service root from what a user gives: trailing '/' and "/vcek/v1" removed. -EINVAL unless http(s). */
int kds_base_url(const char *url, char **ret);

/* snp_kds_vcek_url() and the cert_chain address, under base instead of AMD's KDS. */
int kds_vcek_url(const char *base, AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
                 uint64_t reported_tcb, char **ret);
int kds_cert_chain_url(const char *base, AmdProduct product, char **ret);

typedef struct KdsCerts {
        X509 *vcek, *ask, *ark;
        bool vcek_from_cache, chain_from_cache;
} KdsCerts;

void kds_certs_done(KdsCerts *k);

/*
 * Fetches (or takes from cache_dir, NULL for none) the VCEK and the ASK + ARK. -ENOENT when KDS answers 404
 * (it knows no VCEK for this chip and TCB) or the chip cannot be looked up (zero CHIP_ID); other failures
 * as pcs_fetch_collateral(): *reterr names the URL and what failed.
 */
int kds_fetch(const char *url, AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
              uint64_t reported_tcb, const char *cache_dir, time_t at, KdsCerts *ret, char **reterr);
