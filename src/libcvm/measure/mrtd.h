/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * MRTD: what the TDX module hashes while the VMM builds a TD from a TDVF image (Intel TDX module spec
 * 14.1.1 as quoted by google/gce-tcb-verifier tdx/measurement.go; td-shim doc/tdshim_spec.md "MRTD
 * Calculation"). SHA-384 over 128-byte records:
 *
 *   TDH.MEM.PAGE.ADD  "MEM.PAGE.ADD" | zeros | GPA (u64 at 16) | zeros         per 4 KiB page added
 *   TDH.MR.EXTEND     "MR.EXTEND" | zeros | GPA (u64 at 16) | zeros, then the 256 content bytes (two more
 *                     records)                                                  per 256-byte chunk
 *
 * QEMU issues one KVM_TDX_INIT_MEM_REGION per TDVF section in metadata order, every page of every section
 * added and only MR.EXTEND sections (the BFV) extended (target/i386/kvm/tdx.c tdx_finalize_vm). The order
 * of the calls inside a section is the VMM's contract, and two are in use.
 */

#include "macro.h"
#include "ovmf.h"

#define MRTD_SIZE 48U
/* The pages all TDVF sections may cover together: 4 GiB. */
#define MRTD_PAGES_MAX (1U << 20)

typedef enum MrtdOrder {
        /* ADD a page, then its 16 EXTENDs: upstream KVM >= 6.16 (tdx_gmem_post_populate), QEMU >= 10.1. */
        MRTD_ORDER_PER_PAGE,
        /* All ADDs of a section, then all its EXTENDs: KVM TDX v19 ("QEMU 8.2.50"), Canonical noble 8.2.2.
         */
        MRTD_ORDER_TWO_PASS,
        _MRTD_ORDER_MAX,
        _MRTD_ORDER_INVALID = -EINVAL,
} MrtdOrder;

const char *mrtd_order_to_string(MrtdOrder o);
MrtdOrder mrtd_order_from_string(const char *s);

typedef struct MrtdResult {
        uint8_t mrtd[MRTD_SIZE];
        uint64_t page_adds;  /* TDH.MEM.PAGE.ADD records */
        uint64_t mr_extends; /* TDH.MR.EXTEND chunks */
        uint64_t hashed_bytes;
} MrtdResult;

/*
 * The MRTD of the image data/size, whose metadata img was parsed from it (img->tdx.error must be 0).
 * Streams the records through one SHA-384 context, one page at a time. -EINVAL for an image with no valid
 * TDX metadata; -EOPNOTSUPP (with *reterr, may be NULL) for an MR.EXTEND section that is not wholly backed
 * by the file, whose remaining content the VMM decides; -E2BIG (with *reterr) for sections over more than
 * MRTD_PAGES_MAX pages; -EIO from OpenSSL.
 */
int mrtd_compute(const OvmfImage *img, const uint8_t *data, size_t size, MrtdOrder order, MrtdResult *ret,
                 char **reterr);
