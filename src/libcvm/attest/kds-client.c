/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "attest/fetch-cache.h"
#include "attest/http-fetch.h"
#include "attest/kds-client.h"
#include "attest/x509-chain.h"
#include "log.h"

int kds_base_url(const char *url, char **ret)
{
        if (!url || !(startswith(url, "http://") || startswith(url, "https://")))
                return -EINVAL;
        char *b = strdup(url);
        if (!b)
                return -ENOMEM;
        size_t l = strlen(b);
        while (l > 0 && b[l - 1] == '/')
                b[--l] = 0;
        if (l > 8 && streq(b + l - 8, "/vcek/v1"))
                b[l -= 8] = 0;
        while (l > 0 && b[l - 1] == '/')
                b[--l] = 0;
        *ret = b;
        return 0;
}

int kds_vcek_url(const char *base, AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
                 uint64_t reported_tcb, char **ret)
{
        _cleanup_free_ char *amd = NULL;
        int r = snp_kds_vcek_url(product, chip_id, reported_tcb, &amd);
        if (r < 0)
                return r;
        const char *path = startswith(amd, KDS_AMD_URL);
        if (!path)
                return -EINVAL;
        if (asprintf(ret, "%s%s", base, path) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int kds_cert_chain_url(const char *base, AmdProduct product, char **ret)
{
        if (product < 0 || product >= _AMD_PRODUCT_MAX)
                return -EINVAL;
        if (asprintf(ret, "%s/vcek/v1/%s/cert_chain", base, amd_product_to_string(product)) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

void kds_certs_done(KdsCerts *k)
{
        if (!k)
                return;
        X509_free(k->vcek);
        X509_free(k->ask);
        X509_free(k->ark);
        *k = (KdsCerts){};
}

static bool self_signed(X509 *x)
{
        return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

/*
 * Parses a VCEK answer (one certificate with an EC key) or a cert_chain answer (an RSA ASK and a
 * self-signed RSA ARK) and returns the earliest notAfter. -EBADMSG with *what saying what is wrong.
 */
static int parse_answer(bool chain, const char *data, size_t size, KdsCerts *k, time_t *ret_not_after,
                        const char **what)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
        time_t t = 0;

        int r = x509_bundle_load(data, size, &sk);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || sk_X509_num(sk) != (chain ? 2 : 1)) {
                *what = chain ? "the body is not two PEM certificates (ASK, ARK)"
                              : "the body is not one certificate";
                return -EBADMSG;
        }
        for (int i = 0; i < sk_X509_num(sk); i++) {
                X509 *x = sk_X509_value(sk, i);
                time_t n;
                bool ec = EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_EC;
                if (ec != !chain) {
                        *what = chain ? "the cert_chain holds an EC certificate, not the RSA ASK and ARK"
                                      : "the certificate has no EC key: not a VCEK";
                        return -EBADMSG;
                }
                if (asn1_time_to_time_t(X509_get0_notAfter(x), &n) < 0) {
                        *what = "a certificate has an unreadable notAfter";
                        return -EBADMSG;
                }
                t = i == 0 ? n : MIN(t, n);
        }
        if (!chain)
                k->vcek = sk_X509_shift(sk);
        else {
                X509 *a = sk_X509_value(sk, 0), *b = sk_X509_value(sk, 1);
                if (self_signed(a) == self_signed(b)) {
                        *what = "the cert_chain does not hold one self-signed ARK and one ASK";
                        return -EBADMSG;
                }
                k->ark = self_signed(a) ? a : b;
                k->ask = self_signed(a) ? b : a;
                sk_X509_zero(sk);
        }
        *ret_not_after = t;
        return 0;
}

static int fetch_one(bool chain, const char *url, const char *cache_dir, time_t at, KdsCerts *k,
                     char **reterr)
{
        _cleanup_(http_response_done) HttpResponse resp = {};
        _cleanup_free_ char *path = NULL, *data = NULL;
        const char *what = NULL;
        size_t size;
        time_t not_after;
        int r;

        if (cache_dir) {
                const char *parts[] = { "kds", url, NULL };
                r = fetch_cache_path(cache_dir, parts, chain ? ".pem" : ".der", &path);
                if (r < 0)
                        return r;
                r = fetch_cache_read(path, &data, &size);
                if (r == 0) {
                        r = parse_answer(chain, data, size, k, &not_after, &what);
                        if (r == -ENOMEM)
                                return r;
                        if (r == 0 && at < not_after) {
                                *(chain ? &k->chain_from_cache : &k->vcek_from_cache) = true;
                                return 0;
                        }
                        if (r == 0 && chain) {
                                /* Expired: drop what the entry gave. */
                                X509_free(TAKE_PTR(k->ask));
                                X509_free(TAKE_PTR(k->ark));
                        } else if (r == 0)
                                X509_free(TAKE_PTR(k->vcek));
                        log_debug("KDS cache %s: %s, fetching again", path, r < 0 ? what : "expired");
                        data = mfree(data);
                }
        }

        r = http_get(url, 0, &resp, reterr);
        if (r < 0)
                return r;
        if (resp.status == 404) {
                detail_set(reterr, "GET %s: HTTP 404: KDS has no %s", url,
                           chain ? "certificate chain for this product" : "VCEK for this chip and TCB");
                return -ENOENT;
        }
        if (resp.status != 200) {
                detail_set(reterr, "GET %s: HTTP %ld instead of the %s%s", url, resp.status,
                           chain ? "certificate chain" : "VCEK",
                           resp.status == 429 ? " (KDS rate limit: try again later; the cache avoids this)"
                                              : "");
                return -EREMOTEIO;
        }
        r = parse_answer(chain, resp.body, resp.size, k, &not_after, &what);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                detail_set(reterr, "GET %s: %s", url, what);
                return r;
        }
        if (path) {
                r = fetch_cache_write(path, resp.body, resp.size);
                if (r < 0)
                        log_debug_errno(r, "Cannot write the KDS cache %s: %m", path);
        }
        return 0;
}

int kds_fetch(const char *url, AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
              uint64_t reported_tcb, const char *cache_dir, time_t at, KdsCerts *ret, char **reterr)
{
        _cleanup_free_ char *base = NULL, *vcek_url = NULL, *chain_url = NULL;
        _cleanup_(kds_certs_done) KdsCerts k = {};
        int r;

        r = kds_base_url(url, &base);
        if (r < 0) {
                detail_set(reterr, "'%s' is not an http:// or https:// URL", strna(url));
                return r;
        }
        r = kds_vcek_url(base, product, chip_id, reported_tcb, &vcek_url);
        if (r == -EINVAL) {
                detail_set(reterr, "the report's CHIP_ID is zero (masked): KDS cannot look its VCEK up");
                return -ENOENT;
        }
        if (r < 0)
                return r;
        r = kds_cert_chain_url(base, product, &chain_url);
        if (r < 0)
                return r;
        r = fetch_one(false, vcek_url, cache_dir, at, &k, reterr);
        if (r < 0)
                return r;
        r = fetch_one(true, chain_url, cache_dir, at, &k, reterr);
        if (r < 0)
                return r;
        *ret = k;
        k = (KdsCerts){};
        return 0;
}
