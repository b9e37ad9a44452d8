/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The network side of `cvm verify --pccs=URL / --kds[=URL]` and `cvm collateral fetch`: the cache directory
 * (unless --no-cache), the fetch, and messages for users. Errors are logged here and returned as -errno
 * (exit 2); what a service does not have (HTTP 404) is handed back as sentences, since it is a verdict about
 * the platform, not a failure of cvm.
 */
#include "attest/kds-client.h"
#include "attest/pcs-client.h"
#include "attest/snp-report.h"

/*
 * The collateral of q from PCS/PCCS at url. *ret_missing (a NULL-terminated list; free with strv_free())
 * gets one sentence per part the service answered 404 for.
 */
int cli_fetch_collateral(const TdxQuote *q, const char *url, bool use_cache, time_t at, Collateral *ret,
                         char ***ret_missing);

/*
 * The VCEK, ASK and ARK of an SEV-SNP report from KDS at url. -ENOENT with *ret_why when KDS cannot have
 * them (HTTP 404, VLEK-signed report, masked CHIP_ID, unknown product); other errors are logged.
 */
int cli_fetch_kds(const SnpReport *s, AmdProduct product, const char *url, bool use_cache, time_t at,
                  KdsCerts *ret, char **ret_why);

/* The KdsCerts as one stack (VCEK, ASK, ARK; references taken). */
int kds_certs_to_stack(const KdsCerts *k, X509Stack **ret);
