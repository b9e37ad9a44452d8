/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/ioctl.h>

/* include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h, as merged (Linux 6.16). */
#define KVMIO                     0xAE
#define KVM_GET_API_VERSION_IOCTL _IO(KVMIO, 0x00)
#define KVM_CHECK_EXTENSION_IOCTL _IO(KVMIO, 0x03)
#define KVM_API_VERSION_EXPECTED  12

#define KVM_CAP_USER_MEMORY2_NR           231
#define KVM_CAP_MEMORY_ATTRIBUTES_NR      233
#define KVM_CAP_GUEST_MEMFD_NR            234
#define KVM_CAP_VM_TYPES_NR               235
#define KVM_CAP_X86_APIC_BUS_CYCLES_NS_NR 237

/* KVM_CAP_VM_TYPES returns a bitmap of 1 << type. */
enum {
        KVM_VM_TYPE_DEFAULT = 0,
        KVM_VM_TYPE_SW_PROTECTED = 1,
        KVM_VM_TYPE_SEV = 2,
        KVM_VM_TYPE_SEV_ES = 3,
        KVM_VM_TYPE_SNP = 4,
        KVM_VM_TYPE_TDX = 5,
        _KVM_VM_TYPE_MAX,
};

const char *kvm_vm_type_to_string(int t);
/* Names of the types in a KVM_CAP_VM_TYPES bitmap, "default, SEV, TDX" style; "none" for 0. */
int kvm_vm_types_format(uint64_t bitmap, char **ret);
/* KVM_CAP_VM_TYPES from the facts: 0 with the bitmap, -ENODATA when not collected, -errno when failed. */
struct cvm_host_facts;
int facts_kvm_extension(const struct cvm_host_facts *f, const char *name, int64_t *ret);
