/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The initial VMSA (VM save area) of an SEV-SNP vCPU as the host builds it, which the launch digest
 * measures one page per vCPU. Layout: AMD APM vol. 2 table B-4 (Linux arch/x86/include/asm/svm.h struct
 * sev_es_save_area); values: what KVM and the VMM set at reset, as virtee/sev-snp-measure vmsa.py
 * build_save_area() models them (reference/measurement.md 1c; offsets checked in 2.4).
 */

#include "macro.h"

#define VMSA_SIZE    4096U
#define VMSA_BSP_EIP UINT32_C(0xfffffff0)
/* SNP ABI: VMSA pages are measured at this GPA ((u64)-1, page-aligned, bits above 51 cleared). */
#define VMSA_GPA UINT64_C(0xfffffffff000)

typedef enum VmmType {
        VMM_TYPE_QEMU, /* QEMU/KVM: rdx = the vCPU signature, mxcsr/fcw set (KVM_SEV_INIT2, Linux >= 6.10) */
        VMM_TYPE_EC2,  /* AWS EC2: rdx = 0x600, other segment attributes, CPUID pages measured last */
        _VMM_TYPE_MAX,
        _VMM_TYPE_INVALID = -EINVAL,
} VmmType;

const char *vmm_type_to_string(VmmType t);
VmmType vmm_type_from_string(const char *s);

/* A vCPU model QEMU knows (builtin_x86_defs) and its CPUID Fn0000_0001_EAX family/model/stepping. */
typedef struct VcpuType {
        const char *name;
        unsigned family, model, stepping;
} VcpuType;

/* NULL when unknown. */
const VcpuType *vcpu_type_find(const char *name);
/* The table, for help texts: *ret_n entries. */
const VcpuType *vcpu_types(size_t *ret_n);

/* AMD CPUID specification #25481, Fn0000_0001_EAX: extended family/model folded as the CPU reports them. */
uint32_t vcpu_signature(unsigned family, unsigned model, unsigned stepping);

/* The VMSA of a vCPU starting at eip (VMSA_BSP_EIP, or the SEV-ES AP reset EIP from the firmware). */
void vmsa_build(uint8_t page[static VMSA_SIZE], uint32_t eip, uint64_t sev_features, uint32_t vcpu_sig,
                VmmType vmm);
