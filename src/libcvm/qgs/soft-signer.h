/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ECDSA P-256 signing in two halves. An ECDSA signature is r = (kG).x and s = k^-1 (h + r d) mod n for a
 * fresh secret k: everything costly (the scalar multiplication kG and the inversion) is independent of the
 * message. soft_signer_nonce() does that half ahead of time, soft_signer_sign() the rest when the message
 * is there, in well under a microsecond. A nonce is as secret as the key: it is used for one signature
 * only (a second signature with the same k would reveal d) and wiped when freed.
 */
#include <openssl/evp.h>
#include <stdint.h>

#include "macro.h"

typedef struct SoftSigner SoftSigner;
typedef struct SoftNonce SoftNonce;

/* A signer for an EC P-256 private key (the caller may free key afterwards). 0 / -errno. Thread-safe. */
int soft_signer_new(EVP_PKEY *key, SoftSigner **ret);
SoftSigner *soft_signer_free(SoftSigner *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(SoftSigner *, soft_signer_free);

/* The message-independent half of one signature. 0 / -errno. */
int soft_signer_nonce(SoftSigner *s, SoftNonce **ret);
SoftNonce *soft_nonce_free(SoftNonce *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(SoftNonce *, soft_nonce_free);

/* r || s (32 bytes each, big-endian) of the digest, with the nonce (consumed, whatever the outcome) or, when
 * it is NULL, in one go. 0 / -errno. */
int soft_signer_sign(SoftSigner *s, const uint8_t digest[static 32], SoftNonce *nonce,
                     uint8_t ret[static 64]);
