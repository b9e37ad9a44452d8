/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "facts.h"
#include "kvm-abi.h"

/* The spellings QEMU uses in "vm-type %s not supported by KVM". */
static const char *const kvm_vm_type_table[_KVM_VM_TYPE_MAX] = {
        [KVM_VM_TYPE_DEFAULT] = "default", [KVM_VM_TYPE_SW_PROTECTED] = "SW_PROTECTED",
        [KVM_VM_TYPE_SEV] = "SEV",         [KVM_VM_TYPE_SEV_ES] = "SEV-ES",
        [KVM_VM_TYPE_SNP] = "SEV-SNP",     [KVM_VM_TYPE_TDX] = "TDX",
};
const char *kvm_vm_type_to_string(int t)
{
        return t >= 0 && (size_t) t < ELEMENTSOF(kvm_vm_type_table) ? kvm_vm_type_table[t] : NULL;
}

int kvm_vm_types_format(uint64_t bitmap, char **ret)
{
        /* Room for all 64 bits: ", " + the longest name ("SW_PROTECTED") + "(63)" is 18 bytes each. */
        char buf[64 * 24] = "";
        size_t l = 0;
        for (int t = 0; t < 64; t++) {
                if (!(bitmap & (UINT64_C(1) << t)))
                        continue;
                const char *n = kvm_vm_type_to_string(t);
                char unk[16];
                if (!n) {
                        snprintf(unk, sizeof(unk), "type-%d", t);
                        n = unk;
                }
                int k = snprintf(buf + l, sizeof(buf) - l, "%s%s(%d)", l ? ", " : "", n, t);
                if (k < 0 || (size_t) k >= sizeof(buf) - l)
                        return -ENOBUFS; /* cannot happen, see above */
                l += (size_t) k;
        }
        char *s = strdup(l ? buf : "none");
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int facts_kvm_extension(const HostFacts *f, const char *name, int64_t *ret)
{
        json_object *kvm;
        int r = facts_probe_result(f, "kvm", &kvm);
        if (r < 0)
                return r;
        json_object *v = json_get(json_get(kvm, "extensions", json_type_object), name, json_type_int);
        if (!v) {
                r = json_error_get(
                        json_get(json_get(kvm, "extensions", json_type_object), name, json_type_object));
                return r < 0 ? r : -ENODATA;
        }
        *ret = json_object_get_int64(v);
        return 0;
}
