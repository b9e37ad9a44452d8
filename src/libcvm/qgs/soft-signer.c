/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OpenSSL offers the two halves of an ECDSA signature (ECDSA_sign_setup(), ECDSA_do_sign_ex()) only
 * through the EC_KEY API, deprecated since 3.0 yet still what its EVP signing runs on; this file is the one
 * place that uses it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ec.h>
#include <openssl/ecdsa.h>

#include "attest/openssl-util.h"
#include "qgs/soft-signer.h"

struct SoftSigner {
        EC_KEY *key;
};

struct SoftNonce {
        BIGNUM *kinv, *r;
};

int soft_signer_new(EVP_PKEY *key, SoftSigner **ret)
{
        SoftSigner *s = new0(SoftSigner, 1);
        if (!s)
                return -ENOMEM;
        s->key = EVP_PKEY_get1_EC_KEY(key);
        if (!s->key || EC_GROUP_get_curve_name(EC_KEY_get0_group(s->key)) != NID_X9_62_prime256v1) {
                soft_signer_free(s);
                return openssl_error(-EINVAL, "EC P-256 key");
        }
        *ret = s;
        return 0;
}

SoftSigner *soft_signer_free(SoftSigner *s)
{
        if (!s)
                return NULL;
        EC_KEY_free(s->key);
        free(s);
        return NULL;
}

int soft_signer_nonce(SoftSigner *s, SoftNonce **ret)
{
        SoftNonce *n = new0(SoftNonce, 1);
        if (!n)
                return -ENOMEM;
        if (ECDSA_sign_setup(s->key, NULL, &n->kinv, &n->r) != 1) {
                soft_nonce_free(n);
                return openssl_error(-ENOMEM, "ECDSA sign setup");
        }
        *ret = n;
        return 0;
}

SoftNonce *soft_nonce_free(SoftNonce *n)
{
        if (!n)
                return NULL;
        BN_clear_free(n->kinv);
        BN_clear_free(n->r);
        free(n);
        return NULL;
}

int soft_signer_sign(SoftSigner *s, const uint8_t digest[static 32], SoftNonce *nonce,
                     uint8_t ret[static 64])
{
        ECDSA_SIG *sig =
                ECDSA_do_sign_ex(digest, 32, nonce ? nonce->kinv : NULL, nonce ? nonce->r : NULL, s->key);
        /* With a nonce whose s came out zero (probability 2^-256), OpenSSL asks for a new one. */
        if (!sig && nonce)
                sig = ECDSA_do_sign_ex(digest, 32, NULL, NULL, s->key);
        soft_nonce_free(nonce);
        int r = 0;
        if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig), ret, 32) != 32 ||
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), ret + 32, 32) != 32)
                r = openssl_error(-ENOMEM, "ECDSA sign");
        ECDSA_SIG_free(sig);
        return r;
}
