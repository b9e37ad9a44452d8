/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The SNP ID block and ID authentication structure a guest owner signs and the host passes to
 * SNP_LAUNCH_FINISH (QEMU sev-snp-guest id-block= and id-auth=, both base64). SNP ABI spec,
 * SNP_LAUNCH_FINISH:
 *
 *   ID block (96 bytes):
 *     LD[48] | FAMILY_ID[16] | IMAGE_ID[16] | u32 VERSION (1) | u32 GUEST_SVN | u64 POLICY
 *   ID auth (4096 bytes):
 *     u32 ID_KEY_ALGO | u32 AUTH_KEY_ALGO | 56 reserved | ID_BLOCK_SIG[512] @0x40 | ID_KEY[1028] @0x240
 *     | 60 reserved | ID_KEY_SIG[512] @0x680 | AUTHOR_KEY[1028] @0x880 | 892 reserved
 *   signature (512 bytes): R[72] | S[72], little-endian, zero-padded | 368 reserved
 *   public key (1028 bytes): u32 CURVE (2 = P-384) | QX[72] | QY[72], little-endian | 880 reserved
 *
 * Algorithm 1 is ECDSA P-384 with SHA-384. The firmware checks ID_BLOCK_SIG over the 96 ID block bytes with
 * ID_KEY, and, with an author key, ID_KEY_SIG over the 1028 ID_KEY bytes with AUTHOR_KEY; the report then
 * carries SHA-384(ID_KEY) and SHA-384(AUTHOR_KEY). Layout cross-checked with virtee/sev-snp-measure
 * id_block.py.
 */

#include <openssl/evp.h>

#include "macro.h"

#define SNP_ID_BLOCK_SIZE   96U
#define SNP_ID_AUTH_SIZE    4096U
#define SNP_PUBKEY_SIZE     1028U
#define SNP_SIGNATURE_SIZE  512U
#define SNP_ECDSA_COMPONENT 72U

#define SNP_ID_AUTH_ID_BLOCK_SIG 0x40U
#define SNP_ID_AUTH_ID_KEY       0x240U
#define SNP_ID_AUTH_ID_KEY_SIG   0x680U
#define SNP_ID_AUTH_AUTHOR_KEY   0x880U

#define SNP_ALGO_ECDSA_P384_SHA384 1U
#define SNP_CURVE_P384             2U

/* QEMU's default sev-snp-guest policy: SMT allowed (bit 16), the must-be-one bit 17. */
#define SNP_POLICY_DEFAULT UINT64_C(0x30000)
#define SNP_POLICY_DEBUG   (UINT64_C(1) << 19)

typedef struct SnpIdBlockParams {
        uint8_t family_id[16];
        uint8_t image_id[16];
        uint32_t guest_svn;
        uint64_t policy;
} SnpIdBlockParams;

typedef struct SnpIdBlock {
        uint8_t block[SNP_ID_BLOCK_SIZE];
        uint8_t auth[SNP_ID_AUTH_SIZE];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48]; /* zero without an author key */
} SnpIdBlock;

/*
 * Builds the ID block for launch digest ld and signs it with id_key (and the ID key with author_key, may be
 * NULL). Keys must be ECDSA P-384: -EKEYREJECTED otherwise. -EIO from OpenSSL.
 */
int snp_id_block_sign(const uint8_t ld[static 48], const SnpIdBlockParams *p, EVP_PKEY *id_key,
                      EVP_PKEY *author_key, SnpIdBlock *ret);

/* The 1028-byte SNP form of an ECDSA P-384 public key. */
int snp_pubkey_marshal(EVP_PKEY *key, uint8_t ret[static SNP_PUBKEY_SIZE]);
