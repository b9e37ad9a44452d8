/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The INSECURE software quoting CA ("soft" backend): a persistent test PKI that turns a TDREPORT into a
 * real TDX v4 quote, the way Intel's QE/QGS would, but signed by keys on disk. Its root names itself as
 * an INSECURE software test root; quotes it signs verify only against DIR/root.pem with DIR/collateral/,
 * never against Intel's root. The TDREPORT's MAC cannot be checked in software: its key never leaves the
 * CPU, and only Intel's quoting enclave on the same package can check it (SGX EVERIFYREPORT2). So the soft
 * CA vouches for whatever TDREPORT it is given, forged ones included: a test tool, not a QE.
 */
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "qgs/soft-signer.h"

typedef struct SoftCa SoftCa;

/* Creates DIR (root.pem, keys mode 0600, collateral/). 0 / -errno; -EEXIST if DIR already holds a CA. */
int soft_ca_init(const char *dir);
/*
 * Loads the CA in DIR. Collateral with less than 15 days left before its nextUpdate (or missing or
 * malformed) is re-signed for another 30 days, so a daemon reloaded (SIGHUP) or restarted now and then
 * keeps `cvm verify --collateral=DIR/collateral` working; when DIR is read-only that is tolerated while
 * the old collateral is still valid. 0 / -errno.
 */
int soft_ca_load(const char *dir, SoftCa **ret);
/*
 * A v4 quote of the TDREPORT: REPORTTYPE.TYPE must be 0x81 (TDX) and TEE_TCB_INFO_HASH / TEE_INFO_HASH
 * must be the SHA-384 of TEE_TCB_INFO / TDINFO, else -EBADMSG. Its signature uses the nonce when one is
 * given (consumed, whatever the outcome), else makes one. Thread-safe. 0 / -errno.
 */
int soft_ca_quote(SoftCa *ca, const uint8_t tdreport[1024], SoftNonce *nonce, uint8_t **ret,
                  size_t *ret_size);
/* The part of a quote signature that can be made before the TDREPORT comes (qgs/soft-signer.h). */
int soft_ca_nonce(SoftCa *ca, SoftNonce **ret);
SoftCa *soft_ca_free(SoftCa *ca);

/* The TDREPORT checks of soft_ca_quote(); *reterr (optional, free() it) names the field and offset. */
int soft_ca_check_tdreport(const uint8_t tdreport[1024], char **reterr);

DEFINE_TRIVIAL_CLEANUP_FUNC(SoftCa *, soft_ca_free);
