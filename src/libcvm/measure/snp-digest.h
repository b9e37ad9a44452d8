/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The SEV-SNP launch digest: the GCTX.LD the firmware folds over every SNP_LAUNCH_UPDATE (SNP ABI spec
 * 8.17.2, table 67 PAGE_INFO), LD := SHA-384(LD | CONTENTS | u16 0x70 | u8 PAGE_TYPE | u8 IS_IMI |
 * u8 VMPL3/2/1 perms | u8 0 | u64 GPA), in the order QEMU issues the updates (target/i386/sev.c; modelled
 * by virtee/sev-snp-measure guest.py snp_calc_launch_digest()):
 *
 *   1. the whole firmware image as NORMAL pages at 4 GiB - size;
 *   2. each ASEV metadata section in table order: SNP_SEC_MEM, SVSM_CAA and unknown types as ZERO,
 *      SNP_SECRETS as SECRETS, CPUID as CPUID (EC2: after all others), SNP_KERNEL_HASHES as NORMAL pages
 *      holding the SEV hashes table when a kernel is given, ZERO otherwise;
 *   3. one VMSA page per vCPU, the BSP first.
 *
 * Sources and reference values: reference/measurement.md 1c and 2.3.
 */

#include "macro.h"
#include "measure/vmsa.h"
#include "ovmf.h"

#define SNP_LD_SIZE 48U
/* The pages the firmware and its SEV metadata sections may cover together: 4 GiB. */
#define SNP_PAGES_MAX (1U << 20)

typedef enum SnpPageType {
        SNP_PAGE_NORMAL = 1,
        SNP_PAGE_VMSA = 2,
        SNP_PAGE_ZERO = 3,
        SNP_PAGE_UNMEASURED = 4,
        SNP_PAGE_SECRETS = 5,
        SNP_PAGE_CPUID = 6,
} SnpPageType;

/* The launch digest under construction; starts as 48 zero bytes. */
typedef struct SnpGctx {
        uint8_t ld[SNP_LD_SIZE];
        uint64_t pages;
} SnpGctx;

/* One PAGE_INFO folded in. contents: SHA-384 of the page for NORMAL and VMSA, else NULL (zeros). */
int snp_gctx_update(SnpGctx *g, SnpPageType type, uint64_t gpa, const uint8_t contents[SNP_LD_SIZE]);
/* n bytes (a multiple of 4 KiB) as NORMAL pages from gpa on. */
int snp_gctx_update_normal(SnpGctx *g, uint64_t gpa, const uint8_t *data, size_t n);

/*
 * The SEV hashes table QEMU puts into the kernel-hashes page (OvmfPkg/AmdSev BlobVerifierLibSevHashes;
 * target/i386/sev.c PaddedSevHashTable): header GUID 9438d606-4f22-4cc9-b479-a793d411fd21, u16 168, then
 * {GUID, u16 50, SHA-256} for the command line, the initrd and the kernel; 176 bytes with padding.
 */
#define SEV_HASH_TABLE_SIZE        168U
#define SEV_HASH_TABLE_PADDED_SIZE 176U

typedef struct SevHashes {
        uint8_t cmdline[32], initrd[32], kernel[32];
} SevHashes;

/*
 * The three SHA-256 digests: of the kernel file as given (QEMU does not patch the setup header under
 * SEV), of the initrd (empty when initrd is NULL) and of the command line with its NUL (QEMU hashes
 * strlen + 1 bytes, so no command line hashes a single NUL).
 */
int sev_hashes_compute(const void *kernel, size_t kernel_size, const void *initrd, size_t initrd_size,
                       const char *cmdline, SevHashes *ret);
void sev_hashes_table(const SevHashes *h, uint8_t ret[static SEV_HASH_TABLE_PADDED_SIZE]);

typedef struct SnpLaunchParams {
        unsigned vcpus;
        uint32_t vcpu_sig;       /* CPUID Fn0000_0001_EAX (ignored for EC2) */
        uint64_t guest_features; /* VMSA SEV_FEATURES; 0x1 = SNPActive */
        VmmType vmm;
        const SevHashes *hashes; /* NULL: no kernel (-kernel without kernel-hashes=on is not measured) */
} SnpLaunchParams;

typedef struct SnpLaunchDigest {
        uint8_t ld[SNP_LD_SIZE];
        uint8_t ovmf_hash[SNP_LD_SIZE]; /* the GCTX after step 1 (sev-snp-measure --mode snp:ovmf-hash) */
        uint64_t firmware_gpa;
        uint32_t ap_eip;
        uint64_t pages; /* PAGE_INFO updates folded in */
} SnpLaunchDigest;

/*
 * The launch digest of the image data/size whose metadata img was parsed from it. -EINVAL for bad
 * parameters; -EBADMSG/-ENOENT/-EOPNOTSUPP with *reterr (may be NULL) saying what the firmware lacks: valid
 * SEV metadata, an SEV-ES reset block, a kernel-hashes section or hashes table (QEMU's own refusals);
 * -E2BIG (with *reterr) for more than SNP_PAGES_MAX pages.
 */
int snp_launch_digest(const OvmfImage *img, const uint8_t *data, size_t size, const SnpLaunchParams *p,
                      SnpLaunchDigest *ret, char **reterr);
