/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/**
 * @file cvm.h
 * libcvm: run confidential virtual machines (Intel TDX, AMD SEV-SNP) and prove what runs inside them.
 *
 * Conventions of the whole API:
 * - Fallible functions return an int: >= 0 on success, a negative errno value on failure. The values are
 *   fixed: -EBADMSG malformed input, -E2BIG input over a size cap, -EOPNOTSUPP unknown version or TEE,
 *   -ENODEV no TDX/SNP on the host, -EKEYREJECTED bad signature or chain, -EKEYEXPIRED certificate
 *   validity, -ENOMEM out of memory, -ENOENT/-EACCES/... from the file system as they come.
 * - Out-parameters named ret_* are written only on success.
 * - Destructors accept NULL and return NULL: p = cvm_x_free(p);
 * - The library never prints. It logs at debug level through the callback set here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The confidential-computing technologies cvm knows. */
typedef enum cvm_tee {
        CVM_TEE_NONE = 0, /**< checks shared by every TEE ("common") */
        CVM_TEE_TDX = 1,  /**< Intel Trust Domain Extensions */
        CVM_TEE_SNP = 2,  /**< AMD SEV Secure Nested Paging */
        _CVM_TEE_MAX,
} cvm_tee;

/** Returns "common", "tdx" or "snp"; NULL for out-of-range values. */
const char *cvm_tee_to_string(cvm_tee tee);
/** Inverse of cvm_tee_to_string(); -EINVAL for unknown names. */
cvm_tee cvm_tee_from_string(const char *s);

/** The library version, "MAJOR.MINOR.PATCH". */
const char *cvm_version(void);

/**
 * Routes the library's debug messages to cb (NULL restores the default: nothing is printed).
 * @param cb called with a syslog level and a complete message, without trailing newline
 */
void cvm_set_log_callback(void (*cb)(int level, const char *message, void *userdata), void *userdata);

#ifdef __cplusplus
}
#endif
