/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reset VMSA (layout and sources in vmsa.h). */
#include <strings.h>

#include "measure/vmsa.h"
#include "string-table.h"

static const char *const vmm_type_table[_VMM_TYPE_MAX] = {
        [VMM_TYPE_QEMU] = "qemu",
        [VMM_TYPE_EC2] = "ec2",
};
DEFINE_STRING_TABLE_LOOKUP(vmm_type, VmmType);

/* QEMU's AMD EPYC models (target/i386/cpu.c builtin_x86_defs), as sev-snp-measure vcpu_types.py lists. */
static const VcpuType vcpu_type_table[] = {
        { "EPYC", 23, 1, 2 },          { "EPYC-v1", 23, 1, 2 },       { "EPYC-v2", 23, 1, 2 },
        { "EPYC-IBPB", 23, 1, 2 },     { "EPYC-v3", 23, 1, 2 },       { "EPYC-v4", 23, 1, 2 },
        { "EPYC-Rome", 23, 49, 0 },    { "EPYC-Rome-v1", 23, 49, 0 }, { "EPYC-Rome-v2", 23, 49, 0 },
        { "EPYC-Rome-v3", 23, 49, 0 }, { "EPYC-Milan", 25, 1, 1 },    { "EPYC-Milan-v1", 25, 1, 1 },
        { "EPYC-Milan-v2", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 },   { "EPYC-Genoa-v1", 25, 17, 0 },
        { "EPYC-Turin", 26, 0, 0 },
};

const VcpuType *vcpu_type_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(vcpu_type_table); i++)
                if (strcasecmp(vcpu_type_table[i].name, name) == 0)
                        return vcpu_type_table + i;
        return NULL;
}

const VcpuType *vcpu_types(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(vcpu_type_table);
        return vcpu_type_table;
}

uint32_t vcpu_signature(unsigned family, unsigned model, unsigned stepping)
{
        unsigned family_low = family > 0xf ? 0xf : family;
        unsigned family_high = family > 0xf ? (family - 0xf) & 0xff : 0;

        return (uint32_t) (family_high << 20 | ((model >> 4) & 0xf) << 16 | family_low << 8 |
                           (model & 0xf) << 4 | (stepping & 0xf));
}

/* Offsets in struct sev_es_save_area (reference/measurement.md 2.4 lists the measured ones). */
enum {
        VMSA_ES = 0x00, /* ten segments of 16 bytes: selector u16, attrib u16, limit u32, base u64 */
        VMSA_CS = 0x10,
        VMSA_SS = 0x20,
        VMSA_DS = 0x30,
        VMSA_FS = 0x40,
        VMSA_GS = 0x50,
        VMSA_GDTR = 0x60,
        VMSA_LDTR = 0x70,
        VMSA_IDTR = 0x80,
        VMSA_TR = 0x90,
        VMSA_EFER = 0xd0,
        VMSA_CR4 = 0x148,
        VMSA_CR0 = 0x158,
        VMSA_DR7 = 0x160,
        VMSA_DR6 = 0x168,
        VMSA_RFLAGS = 0x170,
        VMSA_RIP = 0x178,
        VMSA_G_PAT = 0x268,
        VMSA_RDX = 0x310,
        VMSA_SEV_FEATURES = 0x3b0,
        VMSA_XCR0 = 0x3e8,
        VMSA_MXCSR = 0x408,
        VMSA_X87_FCW = 0x410,
};

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void segment(uint8_t *page, size_t off, uint16_t selector, uint16_t attrib, uint32_t limit,
                    uint64_t base)
{
        put_le(page + off, selector, 2);
        put_le(page + off + 2, attrib, 2);
        put_le(page + off + 4, limit, 4);
        put_le(page + off + 8, base, 8);
}

void vmsa_build(uint8_t page[static VMSA_SIZE], uint32_t eip, uint64_t sev_features, uint32_t vcpu_sig,
                VmmType vmm)
{
        /* QEMU: KVM's reset state. EC2's hypervisor uses non-accessed segment types, a busy 32-bit TSS
         * and a fixed rdx (sev-snp-measure PR#60: 0x600), and leaves the FPU control words 0. */
        bool ec2 = vmm == VMM_TYPE_EC2;
        uint16_t cs_flags = ec2 && eip == VMSA_BSP_EIP ? 0x9a : 0x9b;

        memset(page, 0, VMSA_SIZE);
        segment(page, VMSA_ES, 0, 0x93, 0xffff, 0);
        segment(page, VMSA_CS, 0xf000, cs_flags, 0xffff, eip & UINT32_C(0xffff0000));
        segment(page, VMSA_SS, 0, ec2 ? 0x92 : 0x93, 0xffff, 0);
        segment(page, VMSA_DS, 0, 0x93, 0xffff, 0);
        segment(page, VMSA_FS, 0, 0x93, 0xffff, 0);
        segment(page, VMSA_GS, 0, 0x93, 0xffff, 0);
        segment(page, VMSA_GDTR, 0, 0, 0xffff, 0);
        segment(page, VMSA_LDTR, 0, 0x82, 0xffff, 0);
        segment(page, VMSA_IDTR, 0, 0, 0xffff, 0);
        segment(page, VMSA_TR, 0, ec2 ? 0x83 : 0x8b, 0xffff, 0);
        put_le(page + VMSA_EFER, 0x1000, 8); /* EFER.SVME, set by KVM */
        put_le(page + VMSA_CR4, 0x40, 8);    /* CR4.MCE, set by KVM */
        put_le(page + VMSA_CR0, 0x10, 8);
        put_le(page + VMSA_DR7, 0x400, 8);
        put_le(page + VMSA_DR6, 0xffff0ff0, 8);
        put_le(page + VMSA_RFLAGS, 0x2, 8);
        put_le(page + VMSA_RIP, eip & 0xffff, 8);
        put_le(page + VMSA_G_PAT, UINT64_C(0x0007040600070406), 8); /* AMD APM vol. 2 A.3 */
        put_le(page + VMSA_RDX, ec2 ? 0x600 : vcpu_sig, 8);
        put_le(page + VMSA_SEV_FEATURES, sev_features, 8);
        put_le(page + VMSA_XCR0, 0x1, 8);
        put_le(page + VMSA_MXCSR, ec2 ? 0 : 0x1f80, 4);
        put_le(page + VMSA_X87_FCW, ec2 ? 0 : 0x37f, 2);
}
