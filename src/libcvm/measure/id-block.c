/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SNP ID block and ID auth (layouts and sources in id-block.h). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include "measure/id-block.h"
#include "measure/measure-util.h"

static inline void bn_freep(BIGNUM **p)
{
        BN_free(*p);
}
static inline void ecdsa_sig_freep(ECDSA_SIG **p)
{
        ECDSA_SIG_free(*p);
}
static inline void md_ctx_freep(EVP_MD_CTX **p)
{
        EVP_MD_CTX_free(*p);
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static int check_p384(EVP_PKEY *key)
{
        char curve[64];

        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
            !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), NULL) ||
            (!streq(curve, "secp384r1") && !streq(curve, "P-384")))
                return -EKEYREJECTED;
        return 0;
}

int snp_pubkey_marshal(EVP_PKEY *key, uint8_t ret[static SNP_PUBKEY_SIZE])
{
        _cleanup_(bn_freep) BIGNUM *x = NULL, *y = NULL;
        int r = check_p384(key);

        if (r < 0)
                return r;
        if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
            !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
                return -EIO;
        memset(ret, 0, SNP_PUBKEY_SIZE);
        put_le(ret, SNP_CURVE_P384, 4);
        if (BN_bn2lebinpad(x, ret + 4, SNP_ECDSA_COMPONENT) < 0 ||
            BN_bn2lebinpad(y, ret + 4 + SNP_ECDSA_COMPONENT, SNP_ECDSA_COMPONENT) < 0)
                return -EIO;
        return 0;
}

/* ECDSA P-384 / SHA-384 over data, as R and S little-endian in a 512-byte SNP signature. */
static int sign(EVP_PKEY *key, const uint8_t *data, size_t n, uint8_t ret[static SNP_SIGNATURE_SIZE])
{
        _cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_(ecdsa_sig_freep) ECDSA_SIG *sig = NULL;
        uint8_t der[256];
        size_t der_size = sizeof(der);

        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, key) != 1 ||
            EVP_DigestSign(ctx, der, &der_size, data, n) != 1)
                return -EIO;
        const uint8_t *q = der;
        sig = d2i_ECDSA_SIG(NULL, &q, (long) der_size);
        if (!sig)
                return -EIO;
        memset(ret, 0, SNP_SIGNATURE_SIZE);
        if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), ret, SNP_ECDSA_COMPONENT) < 0 ||
            BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), ret + SNP_ECDSA_COMPONENT, SNP_ECDSA_COMPONENT) < 0)
                return -EIO;
        return 0;
}

int snp_id_block_sign(const uint8_t ld[static 48], const SnpIdBlockParams *p, EVP_PKEY *id_key,
                      EVP_PKEY *author_key, SnpIdBlock *ret)
{
        SnpIdBlock b = {};
        int r;

        if ((r = check_p384(id_key)) < 0 || (author_key && (r = check_p384(author_key)) < 0))
                return r;

        memcpy(b.block, ld, 48);
        memcpy(b.block + 48, p->family_id, 16);
        memcpy(b.block + 64, p->image_id, 16);
        put_le(b.block + 80, 1, 4); /* VERSION */
        put_le(b.block + 84, p->guest_svn, 4);
        put_le(b.block + 88, p->policy, 8);

        put_le(b.auth, SNP_ALGO_ECDSA_P384_SHA384, 4);
        if ((r = sign(id_key, b.block, sizeof(b.block), b.auth + SNP_ID_AUTH_ID_BLOCK_SIG)) < 0 ||
            (r = snp_pubkey_marshal(id_key, b.auth + SNP_ID_AUTH_ID_KEY)) < 0 ||
            (r = sha384_buf(b.auth + SNP_ID_AUTH_ID_KEY, SNP_PUBKEY_SIZE, b.id_key_digest)) < 0)
                return r;
        if (author_key) {
                put_le(b.auth + 4, SNP_ALGO_ECDSA_P384_SHA384, 4);
                if ((r = sign(author_key, b.auth + SNP_ID_AUTH_ID_KEY, SNP_PUBKEY_SIZE,
                              b.auth + SNP_ID_AUTH_ID_KEY_SIG)) < 0 ||
                    (r = snp_pubkey_marshal(author_key, b.auth + SNP_ID_AUTH_AUTHOR_KEY)) < 0 ||
                    (r = sha384_buf(b.auth + SNP_ID_AUTH_AUTHOR_KEY, SNP_PUBKEY_SIZE, b.author_key_digest)) <
                            0)
                        return r;
        }
        *ret = b;
        return 0;
}
