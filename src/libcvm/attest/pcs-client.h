/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fetching the Intel DCAP collateral of a TDX quote from Intel PCS (API v4) or a PCCS
 * (reference/attestation.md b.1): TCB info (/tdx/certification/v4/tcb?fmspc=, header TCB-Info-Issuer-Chain,
 * which a PCCS may call SGX-TCB-Info-Issuer-Chain), QE identity (/tdx/certification/v4/qe/identity, header
 * SGX-Enclave-Identity-Issuer-Chain), the PCK CRL of the CA that issued the quote's PCK
 * (/sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der, header SGX-PCK-CRL-Issuer-Chain) and
 * the Intel SGX Root CA CRL. Intel PCS has no root CRL endpoint: the CRL comes from the built-in root's
 * CRL distribution point; a PCCS serves it at /sgx/certification/v4/rootcacrl, as the hex text of the DER
 * (Intel's PCCS, services/rootcacrlService.js), which is accepted as well as DER and PEM.
 *
 * Issuer chains arrive as URL-encoded PEM in headers. The result is the Collateral collateral_load_dir()
 * would read; a cache keyed by URL, FMSPC and CA keeps it until the earliest nextUpdate among TCB info, QE
 * identity and the two CRLs.
 */
#include "attest/collateral.h"
#include "attest/tdx-quote.h"

#define PCS_INTEL_URL "https://api.trustedservices.intel.com"

typedef enum PckCa {
        PCK_CA_PLATFORM,  /* "Intel SGX PCK Platform CA" */
        PCK_CA_PROCESSOR, /* "Intel SGX PCK Processor CA" */
        _PCK_CA_MAX,
        _PCK_CA_INVALID = -EINVAL,
} PckCa;

/* "platform", "processor": the ca= values of the pckcrl endpoint. */
const char *pck_ca_to_string(PckCa c);
PckCa pck_ca_from_string(const char *s);

/* What to ask PCS for: the quote platform's FMSPC and the CA that issued its PCK certificate. */
typedef struct PcsQuery {
        uint8_t fmspc[6];
        PckCa ca;
} PcsQuery;

/* From the PCK chain in a quote's certification data (its leaf's SGX extension and issuer). -EBADMSG,
 * -EOPNOTSUPP (no PCK chain in the quote) with *reterr naming what is wrong. */
int pcs_query_from_quote(const TdxQuote *q, PcsQuery *ret, char **reterr);

/* The service root from what a user gives: trailing '/' and "/sgx/certification/v4" or
 * "/tdx/certification/v4" removed. -EINVAL unless http:// or https://. */
int pcs_base_url(const char *url, char **ret);

/* The URL of one request: for COLLATERAL_TCB_INFO, COLLATERAL_QE_IDENTITY, COLLATERAL_PCK_CRL and (PCCS)
 * COLLATERAL_ROOT_CA_CRL; the issuer chains come with them. -EINVAL for other parts. */
int pcs_part_url(const char *base, CollateralPart p, const PcsQuery *q, char **ret);

/* The first URI of a certificate's CRL distribution points, or -ENOENT. */
int x509_crl_distribution_point(X509 *cert, char **ret);

/* Whether base is Intel PCS itself (no rootcacrl endpoint). */
bool pcs_is_intel(const char *base);

/* A CRL from a response body: DER, PEM, or the hex text of the DER (PCCS). -EBADMSG. */
int pcs_crl_from_body(const char *body, size_t size, X509_CRL **ret);

/* An issuer chain header: URL-encoded PEM, one or more certificates. -EBADMSG. */
int pcs_chain_from_header(const char *value, X509Stack **ret);

typedef struct PcsFetchResult {
        bool from_cache;
        /* Why a part is missing: the service answered 404 (the user's verdict: e.g. PCS does not know the
         * FMSPC). NULL for parts that are present. */
        char *missing[_COLLATERAL_PART_MAX];
} PcsFetchResult;

void pcs_fetch_result_done(PcsFetchResult *r);

/*
 * The collateral for q from the service at url (PCS or PCCS, any form pcs_base_url() takes). With
 * cache_dir (NULL: no cache), a cached entry for the same service, FMSPC and CA is used while `at` is
 * before the earliest nextUpdate of its parts; a stale, unreadable or incomplete entry is fetched again,
 * and a complete download replaces it. Parts the service answers 404 for are missing (res->missing says
 * so); any other failure (connection, HTTP status, missing header, malformed body) is an error naming the
 * URL and what failed in *reterr: -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -EKEYREJECTED, -E2BIG,
 * -EPROTO, -EBADMSG (malformed answer), -EREMOTEIO (unexpected HTTP status), -ENOMEM.
 */
int pcs_fetch_collateral(const char *url, const PcsQuery *q, const char *cache_dir, time_t at,
                         Collateral *ret, PcsFetchResult *res, char **reterr);

/* The earliest nextUpdate of TCB info, QE identity and both CRLs; -ENODATA when a part is missing,
 * -EBADMSG when one does not parse. */
int collateral_next_update(const Collateral *c, time_t *ret);
