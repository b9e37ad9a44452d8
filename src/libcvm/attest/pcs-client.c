/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <openssl/x509v3.h>

#include "attest/collateral-write.h"
#include "attest/fetch-cache.h"
#include "attest/http-fetch.h"
#include "attest/intel-root.h"
#include "attest/pck-ext.h"
#include "attest/pcs-client.h"
#include "attest/x509-chain.h"
#include "hexbase64.h"
#include "log.h"
#include "string-table.h"

static const char *const pck_ca_table[_PCK_CA_MAX] = {
        [PCK_CA_PLATFORM] = "platform",
        [PCK_CA_PROCESSOR] = "processor",
};
DEFINE_STRING_TABLE_LOOKUP(pck_ca, PckCa);

/* The issuer CNs of PCK certificates ([QVL] X509Constants.h). */
static const char *const pck_ca_issuer_cn[_PCK_CA_MAX] = {
        [PCK_CA_PLATFORM] = "Intel SGX PCK Platform CA",
        [PCK_CA_PROCESSOR] = "Intel SGX PCK Processor CA",
};

DEFINE_TRIVIAL_CLEANUP_FUNC(CRL_DIST_POINTS *, CRL_DIST_POINTS_free)

static char *issuer_common_name(X509 *cert)
{
        const X509_NAME *name = X509_get_issuer_name(cert);
        int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        if (i < 0)
                return NULL;
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
        if (n < 0)
                return NULL;
        char *r = strndup((const char *) utf8, (size_t) n);
        OPENSSL_free(utf8);
        return r;
}

int pcs_query_from_quote(const TdxQuote *q, PcsQuery *ret, char **reterr)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *chain = NULL;
        _cleanup_free_ char *cn = NULL, *detail = NULL;
        PckExtension ext;
        int r;

        if (!q->has_qe_report || q->qe_cert.type != TDX_CERT_PCK_CERT_CHAIN) {
                detail_set(reterr, "the quote carries no PCK certificate chain (certification data type %u)",
                           q->has_qe_report ? q->qe_cert.type : q->cert.type);
                return -EOPNOTSUPP;
        }
        r = x509_bundle_load(q->qe_cert.data, q->qe_cert.size, &chain);
        if (r < 0) {
                detail_set(reterr, "the quote's PCK certificate chain does not parse");
                return r;
        }
        X509 *leaf = x509_bundle_leaf(chain);
        r = leaf ? pck_ext_from_cert(leaf, &ext, &detail) : -EBADMSG;
        if (r < 0) {
                detail_set(reterr, "the quote's PCK certificate has no usable SGX extension: %s",
                           strna(detail));
                return r == -ENOMEM ? r : -EBADMSG;
        }
        cn = issuer_common_name(leaf);
        for (PckCa c = 0; c < _PCK_CA_MAX; c++)
                if (cn && streq(cn, pck_ca_issuer_cn[c])) {
                        memcpy(ret->fmspc, ext.fmspc, sizeof(ret->fmspc));
                        ret->ca = c;
                        return 0;
                }
        detail_set(reterr,
                   "the quote's PCK certificate was issued by '%s', not an Intel SGX PCK Platform or "
                   "Processor CA",
                   strna(cn));
        return -EBADMSG;
}

int pcs_base_url(const char *url, char **ret)
{
        static const char *const suffixes[] = { "/sgx/certification/v4", "/tdx/certification/v4" };

        if (!url || !(startswith(url, "http://") || startswith(url, "https://")))
                return -EINVAL;
        char *b = strdup(url);
        if (!b)
                return -ENOMEM;
        size_t l = strlen(b);
        while (l > 0 && b[l - 1] == '/')
                b[--l] = 0;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t s = strlen(suffixes[i]);
                if (l > s && streq(b + l - s, suffixes[i])) {
                        b[l -= s] = 0;
                        break;
                }
        }
        while (l > 0 && b[l - 1] == '/')
                b[--l] = 0;
        *ret = b;
        return 0;
}

bool pcs_is_intel(const char *base)
{
        return streq(base, PCS_INTEL_URL);
}

int pcs_part_url(const char *base, CollateralPart p, const PcsQuery *q, char **ret)
{
        int k;

        switch (p) {
        case COLLATERAL_TCB_INFO: {
                char hex[13];
                for (size_t i = 0; i < 6; i++)
                        (void) snprintf(hex + 2 * i, 3, "%02X", q->fmspc[i]);
                k = asprintf(ret, "%s/tdx/certification/v4/tcb?fmspc=%s", base, hex);
                break;
        }
        case COLLATERAL_QE_IDENTITY:
                k = asprintf(ret, "%s/tdx/certification/v4/qe/identity", base);
                break;
        case COLLATERAL_PCK_CRL:
                if (q->ca < 0 || q->ca >= _PCK_CA_MAX)
                        return -EINVAL;
                k = asprintf(ret, "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base,
                             pck_ca_to_string(q->ca));
                break;
        case COLLATERAL_ROOT_CA_CRL:
                k = asprintf(ret, "%s/sgx/certification/v4/rootcacrl", base);
                break;
        default:
                return -EINVAL;
        }
        if (k < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int x509_crl_distribution_point(X509 *cert, char **ret)
{
        _cleanup_(CRL_DIST_POINTS_freep) CRL_DIST_POINTS *dps =
                X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);

        for (int i = 0; dps && i < sk_DIST_POINT_num(dps); i++) {
                DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
                if (!dp->distpoint || dp->distpoint->type != 0)
                        continue;
                GENERAL_NAMES *names = dp->distpoint->name.fullname;
                for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) {
                        GENERAL_NAME *g = sk_GENERAL_NAME_value(names, j);
                        if (g->type != GEN_URI)
                                continue;
                        const ASN1_IA5STRING *u = g->d.uniformResourceIdentifier;
                        char *s = strndup((const char *) ASN1_STRING_get0_data(u),
                                          (size_t) ASN1_STRING_length(u));
                        if (!s)
                                return -ENOMEM;
                        *ret = s;
                        return 0;
                }
        }
        return -ENOENT;
}

int pcs_crl_from_body(const char *body, size_t size, X509_CRL **ret)
{
        size_t l = size;
        bool hex = l > 0;

        while (l > 0 && isspace((unsigned char) body[l - 1]))
                l--;
        for (size_t i = 0; i < l && hex; i++)
                hex = isxdigit((unsigned char) body[i]);
        if (!hex || l % 2 != 0)
                return x509_crl_load(body, size, ret);

        _cleanup_free_ uint8_t *der = NULL;
        size_t n;
        if (hex_decode(body, l, &der, &n) < 0)
                return -EBADMSG;
        return x509_crl_load(der, n, ret);
}

int pcs_chain_from_header(const char *value, X509Stack **ret)
{
        _cleanup_free_ char *pem = NULL;
        size_t n;
        int r = url_unescape(value, strlen(value), &pem, &n);
        if (r < 0)
                return r;
        /* x509_bundle_load() would also take DER, and skips what is not a whole PEM block; a header must be
         * PEM, every block of it a certificate (a cut-off header is an error, not a shorter chain). */
        int blocks = 0;
        for (const char *p = pem; (p = strstr(p, "-----BEGIN CERTIFICATE-----")); p++)
                blocks++;
        if (blocks == 0)
                return -EBADMSG;
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
        r = x509_bundle_load(pem, n, &sk);
        if (r < 0)
                return r;
        if (sk_X509_num(sk) != blocks)
                return -EBADMSG;
        *ret = TAKE_PTR(sk);
        return 0;
}

void pcs_fetch_result_done(PcsFetchResult *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < _COLLATERAL_PART_MAX; i++)
                free(r->missing[i]);
        *r = (PcsFetchResult){};
}

int collateral_next_update(const Collateral *c, time_t *ret)
{
        time_t t = 0;
        static const CollateralPart need[] = { COLLATERAL_TCB_INFO, COLLATERAL_QE_IDENTITY,
                                               COLLATERAL_PCK_CRL, COLLATERAL_ROOT_CA_CRL };

        for (size_t i = 0; i < ELEMENTSOF(need); i++)
                if (!c->present[need[i]])
                        return -ENODATA;

        TcbInfo ti = {};
        QeIdentity qe = {};
        int r = tcb_info_parse(c->tcb_info.text, c->tcb_info.size, &ti, NULL);
        if (r < 0)
                return r;
        t = ti.next_update;
        tcb_info_done(&ti);
        r = qe_identity_parse(c->qe_identity.text, c->qe_identity.size, &qe, NULL);
        if (r < 0)
                return r;
        t = MIN(t, qe.next_update);
        qe_identity_done(&qe);

        X509_CRL *crls[] = { c->pck_crl, c->root_ca_crl };
        for (size_t i = 0; i < ELEMENTSOF(crls); i++) {
                time_t n;
                const ASN1_TIME *a = X509_CRL_get0_nextUpdate(crls[i]);
                if (!a || asn1_time_to_time_t(a, &n) < 0)
                        return -EBADMSG;
                t = MIN(t, n);
        }
        *ret = t;
        return 0;
}

/* ---- fetching ------------------------------------------------------------------------------------ */

/*
 * GETs url. 0 with the response (status 200), 1 when the service answered 404 (*missing says so), or an
 * error with *reterr set. what names the document for the messages ("TCB info").
 */
static int get_200(const char *url, const char *what, HttpResponse *resp, char **missing, char **reterr)
{
        int r = http_get(url, 0, resp, reterr);
        if (r < 0)
                return r;
        if (resp->status == 404) {
                detail_set(missing, "GET %s: HTTP 404: the service has no %s for this platform", url, what);
                http_response_done(resp);
                return 1;
        }
        if (resp->status != 200) {
                detail_set(reterr, "GET %s: HTTP %ld instead of the %s", url, resp->status, what);
                http_response_done(resp);
                return -EREMOTEIO;
        }
        return 0;
}

/* The issuer chain from the first of the header names present. */
static int chain_header(const HttpResponse *resp, const char *url, const char *const *names, X509Stack **ret,
                        char **reterr)
{
        for (size_t i = 0; names[i]; i++) {
                const char *v = http_response_header(resp, names[i]);
                if (!v)
                        continue;
                int r = pcs_chain_from_header(v, ret);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        detail_set(reterr, "GET %s: the %s header is not URL-encoded PEM certificates", url,
                                   names[i]);
                        return -EBADMSG;
                }
                return 0;
        }
        detail_set(reterr, "GET %s: the response has no %s header", url, names[0]);
        return -EBADMSG;
}

static int signed_json_from_response(const HttpResponse *resp, const char *url, const char *key,
                                     SignedJson *ret, char **reterr)
{
        const char *v;
        size_t l;
        uint8_t sig[64];
        int r = pcs_body_split(resp->body, resp->size, key, &v, &l, sig);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                detail_set(reterr,
                           "GET %s: the body is not a PCS response {\"%s\":{...},\"signature\":\"...\"}",
                           url, key);
                return -EBADMSG;
        }
        if (!(ret->text = strndup(v, l)))
                return -ENOMEM;
        ret->size = l;
        memcpy(ret->signature, sig, sizeof(sig));
        return 0;
}

static int fetch_signed(const char *base, const PcsQuery *q, CollateralPart part, Collateral *c,
                        PcsFetchResult *res, char **reterr)
{
        static const char *const tcb_headers[] = { "TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain",
                                                   NULL };
        static const char *const qe_headers[] = { "SGX-Enclave-Identity-Issuer-Chain", NULL };
        bool tcb = part == COLLATERAL_TCB_INFO;
        CollateralPart chain_part =
                tcb ? COLLATERAL_TCB_INFO_ISSUER_CHAIN : COLLATERAL_QE_IDENTITY_ISSUER_CHAIN;
        _cleanup_(http_response_done) HttpResponse resp = {};
        _cleanup_free_ char *url = NULL;

        int r = pcs_part_url(base, part, q, &url);
        if (r < 0)
                return r;
        r = get_200(url, tcb ? "TCB info" : "QE identity", &resp, &res->missing[part], reterr);
        if (r != 0) {
                if (r > 0 && !(res->missing[chain_part] = strdup(res->missing[part])))
                        return -ENOMEM;
                return r < 0 ? r : 0;
        }
        /* The body first: an error page without the header is better reported as what it is. */
        r = signed_json_from_response(&resp, url, tcb ? "tcbInfo" : "enclaveIdentity",
                                      tcb ? &c->tcb_info : &c->qe_identity, reterr);
        if (r < 0)
                return r;
        r = chain_header(&resp, url, tcb ? tcb_headers : qe_headers,
                         tcb ? &c->tcb_info_chain : &c->qe_identity_chain, reterr);
        if (r < 0)
                return r;
        c->present[part] = c->present[chain_part] = true;
        return 0;
}

static int fetch_pck_crl(const char *base, const PcsQuery *q, Collateral *c, PcsFetchResult *res,
                         char **reterr)
{
        static const char *const headers[] = { "SGX-PCK-CRL-Issuer-Chain", NULL };
        _cleanup_(http_response_done) HttpResponse resp = {};
        _cleanup_free_ char *url = NULL;

        int r = pcs_part_url(base, COLLATERAL_PCK_CRL, q, &url);
        if (r < 0)
                return r;
        r = get_200(url, "PCK CRL", &resp, &res->missing[COLLATERAL_PCK_CRL], reterr);
        if (r != 0) {
                if (r > 0 && !(res->missing[COLLATERAL_PCK_CRL_ISSUER_CHAIN] =
                                       strdup(res->missing[COLLATERAL_PCK_CRL])))
                        return -ENOMEM;
                return r < 0 ? r : 0;
        }
        r = chain_header(&resp, url, headers, &c->pck_crl_chain, reterr);
        if (r < 0)
                return r;
        r = pcs_crl_from_body(resp.body, resp.size, &c->pck_crl);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                detail_set(reterr, "GET %s: the body is not a CRL (DER, PEM or hex)", url);
                return -EBADMSG;
        }
        c->present[COLLATERAL_PCK_CRL] = c->present[COLLATERAL_PCK_CRL_ISSUER_CHAIN] = true;
        return 0;
}

/* The root CRL's address: the CRL distribution point of the built-in Intel SGX Root CA, never one named by
 * a certificate the service sent, so an untrusted PCCS cannot make cvm fetch an address of its choosing. */
static int root_crl_url(char **ret)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *builtin = NULL;
        int r = intel_sgx_root_load(&builtin);
        if (r < 0)
                return r;
        return x509_crl_distribution_point(sk_X509_value(builtin, 0), ret);
}

static int fetch_root_crl(const char *base, const PcsQuery *q, Collateral *c, PcsFetchResult *res,
                          char **reterr)
{
        _cleanup_(http_response_done) HttpResponse resp = {};
        _cleanup_free_ char *url = NULL;
        char **missing = &res->missing[COLLATERAL_ROOT_CA_CRL];
        int r = 1;

        if (!pcs_is_intel(base)) {
                r = pcs_part_url(base, COLLATERAL_ROOT_CA_CRL, q, &url);
                if (r < 0)
                        return r;
                r = get_200(url, "root CA CRL", &resp, missing, reterr);
                if (r < 0)
                        return r;
        }
        if (r > 0) {
                /* Intel PCS, or a PCCS without the endpoint: the CRL distribution point of the root. */
                url = mfree(url);
                r = root_crl_url(&url);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        detail_set(missing, "the root CA certificate names no CRL distribution point");
                        return 0;
                }
                *missing = mfree(*missing);
                r = get_200(url, "root CA CRL", &resp, missing, reterr);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        r = pcs_crl_from_body(resp.body, resp.size, &c->root_ca_crl);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                detail_set(reterr, "GET %s: the body is not a CRL (DER, PEM or hex)", url);
                return -EBADMSG;
        }
        c->present[COLLATERAL_ROOT_CA_CRL] = true;
        return 0;
}

static int cache_entry_path(const char *cache_dir, const char *base, const PcsQuery *q, char **ret)
{
        char fmspc[13];
        for (size_t i = 0; i < 6; i++)
                (void) snprintf(fmspc + 2 * i, 3, "%02X", q->fmspc[i]);
        const char *parts[] = { "tdx-collateral", base, fmspc, pck_ca_to_string(q->ca), NULL };
        return fetch_cache_path(cache_dir, parts, ".json", ret);
}

/* 0 with a complete entry that is fresh at `at`, 1 when there is none worth using (why: debug log). */
static int cache_load(const char *path, time_t at, Collateral *ret)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_(collateral_done) Collateral c = {};
        size_t size;
        time_t next;
        char buf[RFC3339_MAX];

        int r = fetch_cache_read(path, &data, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug("Collateral cache %s: %s", path, r == -ENOENT ? "no entry" : "unreadable");
                return 1;
        }
        r = collateral_load_json(data, size, &c, NULL);
        if (r == 0)
                r = collateral_next_update(&c, &next);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug("Collateral cache %s: corrupt or incomplete, fetching again", path);
                return 1;
        }
        if (at >= next) {
                log_debug("Collateral cache %s: stale (a part's nextUpdate is %s), fetching again", path,
                          rfc3339_format(next, buf));
                return 1;
        }
        *ret = c;
        c = (Collateral){};
        return 0;
}

static void cache_store(const char *path, const Collateral *c)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        time_t next;

        /* Only complete, parseable downloads are kept. */
        if (collateral_next_update(c, &next) < 0 || collateral_to_bundle(c, &text, &size) < 0)
                return;
        int r = fetch_cache_write(path, text, size);
        if (r < 0)
                log_debug_errno(r, "Cannot write the collateral cache %s: %m", path);
}

int pcs_fetch_collateral(const char *url, const PcsQuery *q, const char *cache_dir, time_t at,
                         Collateral *ret, PcsFetchResult *res, char **reterr)
{
        _cleanup_free_ char *base = NULL, *cache = NULL;
        _cleanup_(collateral_done) Collateral c = {};
        int r;

        *res = (PcsFetchResult){};
        r = pcs_base_url(url, &base);
        if (r < 0) {
                detail_set(reterr, "'%s' is not an http:// or https:// URL", strna(url));
                return r;
        }
        if (cache_dir) {
                r = cache_entry_path(cache_dir, base, q, &cache);
                if (r < 0)
                        return r;
                r = cache_load(cache, at, &c);
                if (r < 0)
                        return r;
                if (r == 0) {
                        res->from_cache = true;
                        *ret = c;
                        c = (Collateral){};
                        return 0;
                }
        }

        r = fetch_signed(base, q, COLLATERAL_TCB_INFO, &c, res, reterr);
        if (r >= 0)
                r = fetch_signed(base, q, COLLATERAL_QE_IDENTITY, &c, res, reterr);
        if (r >= 0)
                r = fetch_pck_crl(base, q, &c, res, reterr);
        if (r >= 0)
                r = fetch_root_crl(base, q, &c, res, reterr);
        if (r < 0) {
                pcs_fetch_result_done(res);
                return r;
        }
        if (cache)
                cache_store(cache, &c);
        *ret = c;
        c = (Collateral){};
        return 0;
}
