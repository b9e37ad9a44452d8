/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <openssl/pem.h>
#include <unistd.h>

#include "attest/collateral-write.h"
#include "attest/fetch-cache.h"
#include "attest/openssl-util.h"
#include "fileio.h"
#include "hexbase64.h"
#include "json-util.h"

static int chain_to_pem(X509Stack *sk, char **ret, size_t *ret_size)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        if (!b)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(sk); i++)
                if (PEM_write_bio_X509(b, sk_X509_value(sk, i)) != 1)
                        return openssl_error(-ENOMEM, "PEM_write_bio_X509");
        return openssl_bio_take(b, ret, ret_size);
}

static int crl_to_der(X509_CRL *crl, char **ret, size_t *ret_size)
{
        unsigned char *der = NULL;
        int n = i2d_X509_CRL(crl, &der);
        if (n <= 0)
                return openssl_error(-ENOMEM, "i2d_X509_CRL");
        char *s = malloc((size_t) n + 1);
        if (s) {
                memcpy(s, der, (size_t) n);
                s[n] = 0;
        }
        OPENSSL_free(der);
        if (!s)
                return -ENOMEM;
        *ret = s;
        *ret_size = (size_t) n;
        return 0;
}

/* The PCS body {"<key>":<signed text>,"signature":"<hex>"}: the text goes in unchanged, so the signature
 * still covers exactly it after a reload. */
static int signed_json_to_body(const SignedJson *s, const char *key, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *sig = NULL;
        if (hex_encode(s->signature, sizeof(s->signature), &sig) < 0)
                return -ENOMEM;
        int n = asprintf(ret, "{\"%s\":%.*s,\"signature\":\"%s\"}", key, (int) s->size, s->text, sig);
        if (n < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        *ret_size = (size_t) n;
        return 0;
}

int collateral_part_encode(const Collateral *c, CollateralPart p, char **ret, size_t *ret_size)
{
        if (p < 0 || p >= _COLLATERAL_PART_MAX || !c->present[p])
                return -ENODATA;
        switch (p) {
        case COLLATERAL_TCB_INFO:
                return signed_json_to_body(&c->tcb_info, "tcbInfo", ret, ret_size);
        case COLLATERAL_QE_IDENTITY:
                return signed_json_to_body(&c->qe_identity, "enclaveIdentity", ret, ret_size);
        case COLLATERAL_TCB_INFO_ISSUER_CHAIN:
                return chain_to_pem(c->tcb_info_chain, ret, ret_size);
        case COLLATERAL_QE_IDENTITY_ISSUER_CHAIN:
                return chain_to_pem(c->qe_identity_chain, ret, ret_size);
        case COLLATERAL_PCK_CRL_ISSUER_CHAIN:
                return chain_to_pem(c->pck_crl_chain, ret, ret_size);
        case COLLATERAL_PCK_CRL:
                return crl_to_der(c->pck_crl, ret, ret_size);
        default:
                return crl_to_der(c->root_ca_crl, ret, ret_size);
        }
}

int collateral_write_dir(const Collateral *c, const char *dir)
{
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;

        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                _cleanup_free_ char *path = NULL, *data = NULL;
                size_t size;

                if (asprintf(&path, "%s/%s", dir, collateral_dir_files[p]) < 0)
                        return -ENOMEM;
                if (p == COLLATERAL_PCK_CRL || p == COLLATERAL_ROOT_CA_CRL) {
                        /* collateral_load_dir() falls back to the PEM name; leave no old one behind. */
                        _cleanup_free_ char *pem = strdup(path);
                        if (!pem)
                                return -ENOMEM;
                        strcpy(pem + strlen(pem) - 3, "pem");
                        if (unlink(pem) < 0 && errno != ENOENT)
                                return -errno;
                }
                if (!c->present[p]) {
                        if (unlink(path) < 0 && errno != ENOENT)
                                return -errno;
                        continue;
                }
                r = collateral_part_encode(c, p, &data, &size);
                if (r < 0)
                        return r;
                r = write_file_atomic(path, data, size, 0644);
                if (r < 0)
                        return r;
        }
        return 0;
}

int collateral_to_bundle(const Collateral *c, char **ret, size_t *ret_size)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                _cleanup_free_ char *data = NULL, *hex = NULL;
                const char *key = collateral_part_to_string(p);
                json_object *v;
                size_t size;

                if (!c->present[p])
                        continue;
                if (p == COLLATERAL_TCB_INFO || p == COLLATERAL_QE_IDENTITY) {
                        const SignedJson *s = p == COLLATERAL_TCB_INFO ? &c->tcb_info : &c->qe_identity;
                        _cleanup_free_ char *sig = NULL, *sig_key = NULL;
                        if (asprintf(&sig_key, "%s_signature", key) < 0) {
                                sig_key = NULL; /* undefined after a failure */
                                return -ENOMEM;
                        }
                        if (hex_encode(s->signature, sizeof(s->signature), &sig) < 0 ||
                            json_add(o, key, json_object_new_string_len(s->text, (int) s->size)) < 0 ||
                            json_add(o, sig_key, json_object_new_string(sig)) < 0)
                                return -ENOMEM;
                        continue;
                }
                int r = collateral_part_encode(c, p, &data, &size);
                if (r < 0)
                        return r;
                if (p == COLLATERAL_PCK_CRL || p == COLLATERAL_ROOT_CA_CRL) {
                        if (hex_encode(data, size, &hex) < 0)
                                return -ENOMEM;
                        v = json_object_new_string(hex);
                } else
                        v = json_object_new_string_len(data, (int) size);
                if (json_add(o, key, v) < 0)
                        return -ENOMEM;
        }

        const char *s =
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(*ret = strdup(s)))
                return -ENOMEM;
        *ret_size = strlen(*ret);
        return 0;
}
