/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/openssl-util.h"
#include "attest/x509-chain.h"

void x509_chain_result_done(X509ChainResult *r)
{
        if (!r)
                return;
        free(r->subject);
        free(r->detail);
        for (size_t i = 0; i < r->n_windows; i++)
                free(r->windows[i].name);
        free(r->windows);
        *r = (X509ChainResult){ .depth = -1 };
}

static char *x509_name_oneline(const X509_NAME *name)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        char *p, *s;
        long n;

        if (!b || X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0)
                return NULL;
        n = BIO_get_mem_data(b, &p);
        if (n < 0 || !(s = malloc((size_t) n + 1)))
                return NULL;
        memcpy(s, p, (size_t) n);
        s[n] = 0;
        return s;
}

char *x509_subject(X509 *cert)
{
        return x509_name_oneline(X509_get_subject_name(cert));
}

char *x509_common_name(X509 *cert)
{
        const X509_NAME *name = X509_get_subject_name(cert);
        int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        if (i < 0)
                return NULL;
        const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, s);
        if (n < 0)
                return NULL;
        char *r = strndup((const char *) utf8, (size_t) n);
        OPENSSL_free(utf8);
        return r;
}

int x509_require_p256(X509 *cert)
{
        EVP_PKEY *k = X509_get0_pubkey(cert);
        char group[64];
        size_t l;

        if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
            EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), &l) != 1 ||
            !streq(group, "prime256v1"))
                return openssl_error(-EKEYREJECTED, "certificate key");
        return 0;
}

/* The certificate of `known` whose DER encoding is exactly der[0, size), or NULL. */
static X509 *known_find(X509Stack *known, const unsigned char *der, size_t size)
{
        for (int i = 0; i < sk_X509_num(known); i++) {
                X509 *k = sk_X509_value(known, i);
                unsigned char *enc = NULL;
                int l = i2d_X509(k, &enc); /* the cached original encoding: a copy, no re-encoding */
                bool same = l > 0 && (size_t) l == size && memcmp(enc, der, size) == 0;
                OPENSSL_free(enc);
                if (same)
                        return k;
        }
        return NULL;
}

/* d2i_X509() on one DER certificate at *p, or a reference to the identical one of `known` (parsing a
 * certificate costs as much as verifying a signature in OpenSSL 3.0: the public key decoder). */
static X509 *d2i_known(X509Stack *known, const unsigned char **p, long size)
{
        if (known) {
                const unsigned char *q = *p;
                long l;
                int tag, class;
                int f = ASN1_get_object(&q, &l, &tag, &class, size);
                if (!(f & 0x80) && tag == V_ASN1_SEQUENCE && l <= size - (q - *p)) {
                        size_t total = (size_t) (q - *p) + (size_t) l;
                        X509 *k = known_find(known, *p, total);
                        if (k && X509_up_ref(k) == 1) {
                                *p += total;
                                return k;
                        }
                }
        }
        return d2i_X509(NULL, p, size);
}

/* Concatenated DER: d2i_X509() consumes one certificate at a time and tells how far it got. */
static int bundle_load_der(const uint8_t *data, size_t size, X509Stack *known, X509Stack *sk)
{
        const unsigned char *p = data, *end = data + size;

        while (p < end) {
                /* Zero padding after the last certificate is what quote buffers carry. */
                if (*p == 0) {
                        p++;
                        continue;
                }
                const unsigned char *start = p;
                _cleanup_(X509_freep) X509 *x = d2i_known(known, &p, end - p);
                if (!x || p <= start)
                        return openssl_error(-EBADMSG, "DER certificate");
                if (sk_X509_num(sk) >= (int) X509_BUNDLE_CERTS_MAX)
                        return -E2BIG;
                if (!sk_X509_push(sk, x))
                        return -ENOMEM;
                TAKE_PTR(x);
        }
        return 0;
}

/* PEM_read_bio_X509() in two steps, PEM block then DER (what it does inside), to look the DER up in
 * `known` first. */
static X509 *pem_read_known(BIO *b, X509Stack *known)
{
        unsigned char *der = NULL;
        long l = 0;
        if (PEM_bytes_read_bio(&der, &l, NULL, PEM_STRING_X509, b, NULL, NULL) != 1)
                return NULL;
        const unsigned char *p = der;
        X509 *x = d2i_known(known, &p, l);
        if (!x)
                ERR_raise(ERR_LIB_PEM, ERR_R_ASN1_LIB);
        OPENSSL_free(der);
        return x;
}

static int bundle_load_pem(const uint8_t *data, size_t size, X509Stack *known, X509Stack *sk)
{
        /* PEM_read_bio() works on lines; a NUL inside a line would hide the rest of it, so NULs become
         * newlines (they only ever appear as terminators or padding around the blocks). */
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return -ENOMEM;
        for (size_t i = 0; i < size; i++)
                text[i] = data[i] ? (char) data[i] : '\n';
        text[size] = 0;

        _cleanup_(BIO_freep) BIO *b = BIO_new_mem_buf(text, (int) size);
        if (!b)
                return -ENOMEM;
        for (;;) {
                _cleanup_(X509_freep) X509 *x = pem_read_known(b, known);
                if (!x) {
                        unsigned long e = ERR_peek_last_error();
                        if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                                /* End of the bundle: only non-PEM text was left. */
                                ERR_clear_error();
                                return 0;
                        }
                        return openssl_error(-EBADMSG, "PEM certificate");
                }
                if (sk_X509_num(sk) >= (int) X509_BUNDLE_CERTS_MAX)
                        return -E2BIG;
                if (!sk_X509_push(sk, x))
                        return -ENOMEM;
                TAKE_PTR(x);
        }
}

static bool looks_pem(const uint8_t *data, size_t size)
{
        return memmem(data, size, "-----BEGIN", 10) != NULL;
}

int x509_bundle_load_known(const void *data, size_t size, X509Stack *known, X509Stack **ret)
{
        if (!data || size == 0)
                return -EBADMSG;
        if (size > X509_BUNDLE_MAX)
                return -E2BIG;

        _cleanup_(sk_X509_pop_freep) X509Stack *sk = sk_X509_new_null();
        if (!sk)
                return -ENOMEM;
        int r = looks_pem(data, size) ? bundle_load_pem(data, size, known, sk)
                                      : bundle_load_der(data, size, known, sk);
        if (r < 0)
                return r;
        if (sk_X509_num(sk) == 0)
                return -EBADMSG;
        *ret = TAKE_PTR(sk);
        return 0;
}

int x509_bundle_load(const void *data, size_t size, X509Stack **ret)
{
        return x509_bundle_load_known(data, size, NULL, ret);
}

int x509_crl_load(const void *data, size_t size, X509_CRL **ret)
{
        if (!data || size == 0)
                return -EBADMSG;
        if (size > X509_CRL_MAX)
                return -E2BIG;

        _cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
        if (looks_pem(data, size)) {
                _cleanup_(BIO_freep) BIO *b = BIO_new_mem_buf(data, (int) size);
                if (!b)
                        return -ENOMEM;
                crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
        } else {
                const unsigned char *p = data;
                crl = d2i_X509_CRL(NULL, &p, (long) size);
                /* Trailing bytes after the CRL mean this is not the file we think it is. */
                if (crl && (size_t) (p - (const unsigned char *) data) != size)
                        return -EBADMSG;
        }
        if (!crl)
                return openssl_error(-EBADMSG, "CRL");
        *ret = TAKE_PTR(crl);
        return 0;
}

static int windows_add(X509ChainResult *res, char *name, bool is_crl, const ASN1_TIME *from,
                       const ASN1_TIME *to)
{
        _cleanup_free_ char *n = name;
        time_t a = 0, b = 0;

        if (!n)
                return -ENOMEM;
        (void) asn1_time_to_time_t(from, &a);
        if (to)
                (void) asn1_time_to_time_t(to, &b);
        X509Window *w = reallocarray(res->windows, res->n_windows + 1, sizeof(X509Window));
        if (!w)
                return -ENOMEM;
        res->windows = w;
        w[res->n_windows++] =
                (X509Window){ .name = TAKE_PTR(n), .is_crl = is_crl, .not_before = a, .not_after = b };
        return 0;
}

static int result_set(X509ChainResult *res, int error, int depth, X509 *cert, const char *fmt, ...)
        _printf_(5, 6);

static int result_set(X509ChainResult *res, int error, int depth, X509 *cert, const char *fmt, ...)
{
        if (!res)
                return error;
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        free(res->detail);
        free(res->subject);
        res->detail = s;
        res->subject = cert ? x509_subject(cert) : NULL;
        res->error = error;
        res->depth = depth;
        return error;
}

/* The OpenSSL verdict as -errno: validity, revocation, everything else is a rejected chain. */
static int verify_error_to_errno(int e)
{
        switch (e) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
                return -EKEYEXPIRED;
        case X509_V_ERR_CERT_REVOKED:
                return -EKEYREVOKED;
        case X509_V_ERR_OUT_OF_MEM:
                return -ENOMEM;
        default:
                return -EKEYREJECTED;
        }
}

int x509_chain_verify(X509 *leaf, X509Stack *untrusted, X509Stack *anchors, X509CrlStack *crls, time_t at,
                      unsigned flags, X509ChainResult *result)
{
        char t1[RFC3339_MAX], t2[RFC3339_MAX], t3[RFC3339_MAX];
        int r;

        if (result)
                *result = (X509ChainResult){ .depth = -1 };
        if (!leaf || !anchors || sk_X509_num(anchors) == 0)
                return result_set(result, -EKEYREJECTED, -1, NULL, "no certificate or no trust anchor");

        _cleanup_(X509_STORE_freep) X509_STORE *store = X509_STORE_new();
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        if (!store || !ctx)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(anchors); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(anchors, i)) != 1)
                        return openssl_error(-ENOMEM, "trust anchor");
        if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
                return openssl_error(-ENOMEM, "X509_STORE_CTX_init");

        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
        /* Sets X509_V_FLAG_USE_CHECK_TIME: the verdict is about `at`, not about the machine's clock. */
        X509_VERIFY_PARAM_set_time(param, at);
        if (flags & X509_CHAIN_CRL_CHECK) {
                X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
                X509_STORE_CTX_set0_crls(ctx, crls);
        }

        int ok = X509_verify_cert(ctx);

        /* The windows of what was built (on failure: as far as OpenSSL got), then of every CRL. */
        if (result) {
                X509Stack *chain = X509_STORE_CTX_get0_chain(ctx);
                for (int i = 0; i < sk_X509_num(chain); i++) {
                        X509 *c = sk_X509_value(chain, i);
                        r = windows_add(result, x509_subject(c), false, X509_get0_notBefore(c),
                                        X509_get0_notAfter(c));
                        if (r < 0)
                                return r;
                }
                if (flags & X509_CHAIN_CRL_CHECK)
                        for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
                                X509_CRL *c = sk_X509_CRL_value(crls, i);
                                r = windows_add(result, x509_name_oneline(X509_CRL_get_issuer(c)), true,
                                                X509_CRL_get0_lastUpdate(c), X509_CRL_get0_nextUpdate(c));
                                if (r < 0)
                                        return r;
                        }
        }

        if (ok != 1) {
                int e = X509_STORE_CTX_get_error(ctx);
                int depth = X509_STORE_CTX_get_error_depth(ctx);
                X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
                _cleanup_free_ char *subject = cur ? x509_subject(cur) : NULL;
                (void) openssl_error(0, "X509_verify_cert");
                r = verify_error_to_errno(e);

                if (cur && (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)) {
                        time_t nb = 0, na = 0;
                        (void) asn1_time_to_time_t(X509_get0_notBefore(cur), &nb);
                        (void) asn1_time_to_time_t(X509_get0_notAfter(cur), &na);
                        return result_set(result, r, depth, cur,
                                          "certificate '%s' (depth %d) is valid %s..%s, not at %s",
                                          strna(subject), depth, rfc3339_format(nb, t1),
                                          rfc3339_format(na, t2), rfc3339_format(at, t3));
                }
                return result_set(result, r, depth, cur, "certificate '%s' (depth %d): %s", strna(subject),
                                  depth, X509_verify_cert_error_string(e));
        }

        if (flags & X509_CHAIN_REQUIRE_P256) {
                X509Stack *chain = X509_STORE_CTX_get0_chain(ctx);
                for (int i = 0; i < sk_X509_num(chain); i++) {
                        X509 *c = sk_X509_value(chain, i);
                        if (x509_require_p256(c) < 0) {
                                _cleanup_free_ char *subject = x509_subject(c);
                                return result_set(result, -EKEYREJECTED, i, c,
                                                  "certificate '%s' (depth %d): key is not EC P-256",
                                                  strna(subject), i);
                        }
                }
        }
        return 0;
}

int x509_crl_check(X509_CRL *crl, X509 *issuer, time_t at, char **reterr_detail)
{
        char t1[RFC3339_MAX], t2[RFC3339_MAX], t3[RFC3339_MAX];
        _cleanup_free_ char *name = NULL;
        time_t from = 0, to = 0;

        if (!crl || !issuer)
                return -EINVAL;
        name = x509_name_oneline(X509_CRL_get_issuer(crl));
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
                detail_set(reterr_detail, "CRL of '%s' is not issued by the given CA", strna(name));
                return -EKEYREJECTED;
        }
        EVP_PKEY *k = X509_get0_pubkey(issuer);
        if (!k || X509_CRL_verify(crl, k) != 1) {
                (void) openssl_error(0, "X509_CRL_verify");
                detail_set(reterr_detail, "CRL of '%s': bad signature", strna(name));
                return -EKEYREJECTED;
        }
        if (asn1_time_to_time_t(X509_CRL_get0_lastUpdate(crl), &from) < 0 ||
            asn1_time_to_time_t(X509_CRL_get0_nextUpdate(crl), &to) < 0 || at < from || at > to) {
                detail_set(reterr_detail, "CRL of '%s' is valid %s..%s, not at %s", strna(name),
                           rfc3339_format(from, t1), rfc3339_format(to, t2), rfc3339_format(at, t3));
                return -EKEYEXPIRED;
        }
        return 0;
}

X509 *x509_bundle_leaf(X509Stack *bundle)
{
        for (int i = 0; i < sk_X509_num(bundle); i++) {
                X509 *c = sk_X509_value(bundle, i);
                bool issuer = false;
                for (int j = 0; j < sk_X509_num(bundle) && !issuer; j++)
                        issuer = j != i && X509_check_issued(c, sk_X509_value(bundle, j)) == X509_V_OK;
                if (!issuer)
                        return c;
        }
        /* Every certificate issued another (a loop): no end-entity; verification will say so. */
        return sk_X509_value(bundle, 0);
}

X509 *x509_bundle_find_subject(X509Stack *bundle, const X509_NAME *name)
{
        for (int i = 0; i < sk_X509_num(bundle); i++)
                if (X509_NAME_cmp(X509_get_subject_name(sk_X509_value(bundle, i)), name) == 0)
                        return sk_X509_value(bundle, i);
        return NULL;
}

int x509_bundle_verify(X509Stack *bundle, X509Stack *anchors, X509CrlStack *crls, time_t at, unsigned flags,
                       X509ChainResult *result)
{
        X509 *leaf = x509_bundle_leaf(bundle);
        _cleanup_(sk_X509_pop_freep) X509Stack *untrusted = sk_X509_new_null();

        if (!untrusted)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(bundle); i++) {
                X509 *c = sk_X509_value(bundle, i);
                if (c == leaf)
                        continue;
                if (!sk_X509_push(untrusted, c))
                        return -ENOMEM;
                X509_up_ref(c);
        }
        return x509_chain_verify(leaf, untrusted, anchors, crls, at, flags, result);
}

/* ECDSA over data with SHA-256; signature r||s 64 bytes raw, converted to DER for OpenSSL. */
int ecdsa_p256_sha256_verify(EVP_PKEY *pkey, const uint8_t signature[static 64], const void *data,
                             size_t size)
{
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = ECDSA_SIG_new();
        _cleanup_(BN_freep) BIGNUM *r = BN_bin2bn(signature, 32, NULL);
        _cleanup_(BN_freep) BIGNUM *s = BN_bin2bn(signature + 32, 32, NULL);
        if (!sig || !r || !s)
                return -ENOMEM;
        if (ECDSA_SIG_set0(sig, r, s) != 1)
                return openssl_error(-ENOMEM, "ECDSA_SIG_set0");
        TAKE_PTR(r);
        TAKE_PTR(s);

        unsigned char *der = NULL;
        int der_len = i2d_ECDSA_SIG(sig, &der);
        if (der_len <= 0)
                return openssl_error(-ENOMEM, "i2d_ECDSA_SIG");

        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
                 EVP_DigestVerify(md, der, (size_t) der_len, data, size) == 1;
        OPENSSL_free(der);
        if (!md)
                return -ENOMEM;
        return ok ? 0 : openssl_error(-EKEYREJECTED, "ECDSA signature");
}
