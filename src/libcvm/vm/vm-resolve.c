/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpuid-util.h"
#include "firmware.h"
#include "string-util.h"
#include "vm-resolve.h"

static int resolve_auto(VmSpec *s, const HostFacts *f, char **reterr)
{
        static const struct {
                cvm_tee tee;
                VmCoco coco;
        } order[] = { { CVM_TEE_SNP, VM_COCO_SEV_SNP }, { CVM_TEE_TDX, VM_COCO_TDX } };

        if (!f) {
                *reterr = strdup("--coco=auto needs to know the host; give --coco=tdx or --coco=sev-snp");
                return *reterr ? -EINVAL : -ENOMEM;
        }
        _cleanup_(cvm_host_report_freep) cvm_host_report *rep = NULL;
        int r = cvm_host_check(f, (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP), &rep);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                if (rep->verdict[order[i].tee] == CVM_VERDICT_READY) {
                        s->coco = order[i].coco;
                        return 0;
                }
        *reterr = strdup("--coco=auto: this host is ready for neither SEV-SNP nor TDX (see 'cvm check')");
        return *reterr ? -EINVAL : -ENOMEM;
}

static int resolve_cbit(VmSpec *s, const HostFacts *f, char **reterr)
{
        uint32_t r[4];
        if (s->snp_cbitpos >= 0 && s->snp_reduced_phys_bits >= 0)
                return 0;
        /* AMD APM vol. 3, CPUID Fn8000_001F_EBX: [5:0] C-bit position, [11:6] physical address reduction. */
        if (!f || facts_cpuid(f, 0x8000001f, 0, r) < 0 || (r[CPUID_EBX] & 0x3f) == 0) {
                *reterr = strdup(
                        "Cannot tell this host's C-bit position (CPUID 0x8000001F); give --snp-cbitpos "
                        "and --snp-reduced-phys-bits");
                return *reterr ? -EINVAL : -ENOMEM;
        }
        if (s->snp_cbitpos < 0)
                s->snp_cbitpos = (int) (r[CPUID_EBX] & 0x3f);
        if (s->snp_reduced_phys_bits < 0)
                /* QEMU takes 1..63; a CPU reporting 0 loses no bit, and 1 is what QEMU's docs use. */
                s->snp_reduced_phys_bits = (int) ((r[CPUID_EBX] >> 6) & 0x3f) ?: 1;
        return 0;
}

int vm_spec_resolve(VmSpec *s, const HostFacts *f, char **reterr)
{
        int r;

        if (s->coco == VM_COCO_AUTO && (r = resolve_auto(s, f, reterr)) < 0)
                return r;
        if (s->coco == VM_COCO_SEV_SNP && (r = resolve_cbit(s, f, reterr)) < 0)
                return r;
        if (vm_spec_is_confidential(s) && !s->firmware && f) {
                _cleanup_free_ char *fw = NULL;
                r = firmware_select(f, s->coco == VM_COCO_TDX ? "intel-tdx" : "amd-sev-snp", &fw);
                if (r < 0 && r != -ENOENT)
                        return r;
                s->firmware = TAKE_PTR(fw); /* none found: rule firmware.uefi says so */
        }
        if (!s->name)
                return free_and_strdup(&s->name, "cvm");
        return 0;
}
