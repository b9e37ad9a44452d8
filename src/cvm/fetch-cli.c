/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "argv-util.h"
#include "attest/fetch-cache.h"
#include "fetch-cli.h"
#include "log.h"

/* The cache directory of one kind, or NULL (no cache: --no-cache, or no $HOME to put it under). */
static char *cache_dir(const char *kind, bool use_cache)
{
        char *d = NULL;
        if (!use_cache)
                return NULL;
        int r = fetch_cache_dir(kind, &d);
        if (r < 0)
                log_debug_errno(r, "No cache directory ($CVM_CACHE_DIR, $XDG_CACHE_HOME, $HOME unset): %m");
        return d;
}

int cli_fetch_collateral(const TdxQuote *q, const char *url, bool use_cache, time_t at, Collateral *ret,
                         char ***ret_missing)
{
        _cleanup_free_ char *detail = NULL, *dir = cache_dir("collateral", use_cache);
        _cleanup_(pcs_fetch_result_done) PcsFetchResult res = {};
        Argv missing = {};
        PcsQuery query;
        int r;

        r = pcs_query_from_quote(q, &query, &detail);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Cannot ask for the quote's collateral: %s.", strna(detail));

        r = pcs_fetch_collateral(url, &query, dir, at, ret, &res, &detail);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to fetch the collateral: %s.", detail ?: strerror(-r));
        log_debug("Collateral for FMSPC %02X%02X%02X%02X%02X%02X (%s CA) %s.", query.fmspc[0],
                  query.fmspc[1], query.fmspc[2], query.fmspc[3], query.fmspc[4], query.fmspc[5],
                  pck_ca_to_string(query.ca), res.from_cache ? "from the cache" : "fetched");

        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++)
                /* An issuer chain comes with its document; one sentence for both. */
                if (res.missing[p] && p != COLLATERAL_TCB_INFO_ISSUER_CHAIN &&
                    p != COLLATERAL_QE_IDENTITY_ISSUER_CHAIN && p != COLLATERAL_PCK_CRL_ISSUER_CHAIN)
                        argv_addf(&missing, "%s: %s", collateral_part_to_string(p), res.missing[p]);
        r = argv_finish(&missing, ret_missing);
        if (r < 0) {
                collateral_done(ret);
                return log_oom();
        }
        return 0;
}

int cli_fetch_kds(const SnpReport *s, AmdProduct product, const char *url, bool use_cache, time_t at,
                  KdsCerts *ret, char **ret_why)
{
        _cleanup_free_ char *detail = NULL, *dir = cache_dir("kds", use_cache);
        const char *why = NULL;

        if (s->signing_key == SNP_SIGNING_KEY_VLEK)
                why = "the report is signed by a VLEK, which KDS does not serve by chip: pass it with "
                      "--certs";
        else if (s->mask_chip_key)
                why = "the report's CHIP_ID is masked (MASK_CHIP_KEY): KDS cannot look its VCEK up";
        else if (product < 0)
                why = "the report does not name its product: pass --snp-product for KDS";
        if (why) {
                *ret_why = strdup(why);
                return *ret_why ? -ENOENT : log_oom();
        }

        int r = kds_fetch(url, product, s->chip_id, s->reported_tcb.raw, dir, at, ret, &detail);
        if (r == -ENOMEM)
                return log_oom();
        if (r == -ENOENT) {
                *ret_why = TAKE_PTR(detail);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to fetch the VCEK: %s.", detail ?: strerror(-r));
        log_debug("VCEK %s, ASK and ARK %s.", ret->vcek_from_cache ? "from the cache" : "fetched",
                  ret->chain_from_cache ? "from the cache" : "fetched");
        return 0;
}

int kds_certs_to_stack(const KdsCerts *k, X509Stack **ret)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = sk_X509_new_null();
        X509 *all[] = { k->vcek, k->ask, k->ark };

        if (!sk)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                if (!all[i])
                        continue;
                if (X509_up_ref(all[i]) != 1)
                        return -ENOMEM;
                if (sk_X509_push(sk, all[i]) <= 0) {
                        X509_free(all[i]);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(sk);
        return 0;
}
