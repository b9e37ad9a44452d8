/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The collateral of the soft quoting CA, in the directory form `cvm verify --collateral=DIR` reads
 * (attest/collateral.h collateral_dir_files): TCB info v3 (id "TDX") and QE identity v2 (id "TD_QE")
 * signed by the soft TCB Signing key, the PCK CRL (by the soft PCK CA) and the root CA CRL (by the soft
 * root), and their issuer chains. Every part is valid from its issueDate / thisUpdate `now` for
 * SOFT_COLLATERAL_LIFETIME.
 *
 * What the TCB info says: one platform TCB level, UpToDate, at the soft PCK's SGX components and PCESVN
 * with every TDX component at 0, so any TEE_TCB_SVN reaches it; "tdxModule" with Intel's MRSIGNERSEAM
 * (zero) for TDX 1.0 modules (TEE_TCB_SVN[1] = 0) and module identities TDX_01 .. TDX_0F, each UpToDate
 * from ISVSVN 0, for later ones. The soft CA vouches for whatever TDX module produced the TDREPORT.
 */
#include <time.h>

#include "qgs/soft-pki.h"

#define SOFT_COLLATERAL_LIFETIME (30 * 24 * 3600)
/* soft_ca_load() re-signs collateral with less than this left before its first nextUpdate. */
#define SOFT_COLLATERAL_REFRESH (15 * 24 * 3600)

/* Writes every part into dir (which must exist): 0 / -errno. */
int soft_collateral_write(const SoftPki *p, const char *dir, time_t now);

/* The earliest nextUpdate of the collateral in dir: 0, -ENOENT / -EBADMSG when a part is missing or
 * malformed. */
int soft_collateral_next_update(const char *dir, time_t *ret);
