/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks every TEE needs: an x86_64 host with a usable KVM that reports its VM types. */
#include <inttypes.h>

#include "checks.h"
#include "kvm-abi.h"

const FactFile common_fact_files[] = {
        { "/proc/sys/kernel/arch", FACT_TEXT }, { "/proc/sys/kernel/osrelease", FACT_TEXT },
        { "/proc/cmdline", FACT_TEXT },         { "/proc/cpuinfo", FACT_TEXT },
        { "/dev/kvm", FACT_PRESENCE },          {},
};

static int check_arch(const HostFacts *f, cvm_finding *out)
{
        const char *arch;
        int r = facts_file_text(f, "/proc/sys/kernel/arch", &arch);
        if (r < 0) {
                char buf[64];
                return finding_skip(out, "Architecture unknown: /proc/sys/kernel/arch: %s",
                                    probe_failure_str(r, buf));
        }
        if (strneq(arch, "x86_64", 6) && (arch[6] == 0 || arch[6] == '\n'))
                return finding_pass(out, "Host architecture is x86_64");
        return finding_fail(
                out, "TDX and SEV-SNP exist only on x86_64 hosts; use an Intel Xeon or AMD EPYC machine.",
                "Host architecture is %.*s (/proc/sys/kernel/arch), not x86_64", (int) strcspn(arch, "\n"),
                arch);
}

static int check_kvm_device(const HostFacts *f, cvm_finding *out)
{
        const char *type;
        int r = facts_path_type(f, "/dev/kvm", &type);
        if (r == -ENOENT)
                return finding_fail(
                        out,
                        "Enable virtualization (VT-x / AMD-V) in the BIOS and load kvm_intel or kvm_amd "
                        "(modprobe kvm_intel / modprobe kvm_amd).",
                        "/dev/kvm does not exist");
        if (r < 0) {
                char buf[64];
                return finding_skip(out, "/dev/kvm: %s", probe_failure_str(r, buf));
        }
        /* A host tree (cvm-facts(5)) may hold an empty regular file in place of the device node. */
        if (!streq(type, "char") && !(streq(type, "file") && !streq(facts_root(f), "/")))
                return finding_fail(out, "Remove whatever was put there and reload the kvm modules.",
                                    "/dev/kvm is a %s, not a character device", type);
        return finding_pass(out, "/dev/kvm is present");
}

static int check_kvm_api(const HostFacts *f, cvm_finding *out)
{
        json_object *kvm;
        char buf[64];
        int r = facts_probe_result(f, "kvm", &kvm);
        if (r == -EACCES || r == -EPERM)
                return finding_fail(
                        out, "Run as root, or add the user to the group owning /dev/kvm (usually kvm).",
                        "/dev/kvm cannot be opened: %s", probe_failure_str(r, buf));
        if (r == -ENOENT)
                return finding_fail(out, "Load kvm_intel or kvm_amd.", "/dev/kvm cannot be opened: %s",
                                    probe_failure_str(r, buf));
        if (r < 0)
                return finding_skip(out, "KVM_GET_API_VERSION on /dev/kvm: %s", probe_failure_str(r, buf));

        json_object *v = json_get(kvm, "api_version", json_type_int);
        if (!v)
                return finding_skip(out, "KVM facts lack \"api_version\"");
        int api = json_object_get_int(v);
        if (api != KVM_API_VERSION_EXPECTED)
                return finding_fail(out, "This kernel's KVM is not the stable KVM ABI; upgrade the kernel.",
                                    "KVM_GET_API_VERSION on /dev/kvm returned %d, expected %d", api,
                                    KVM_API_VERSION_EXPECTED);
        return finding_pass(out, "KVM_GET_API_VERSION on /dev/kvm returned %d", api);
}

static int check_kvm_vm_types(const HostFacts *f, cvm_finding *out)
{
        int64_t types;
        char buf[64];
        int r = facts_kvm_extension(f, "KVM_CAP_VM_TYPES", &types);
        if (r < 0)
                return finding_skip(out, "KVM_CAP_VM_TYPES (235) on /dev/kvm: %s",
                                    probe_failure_str(r, buf));
        if (types <= 0)
                return finding_fail(
                        out,
                        "Confidential VM types need Linux >= 6.11 (SEV-SNP) or >= 6.16 (TDX) with "
                        "kvm_amd / kvm_intel loaded.",
                        "KVM_CAP_VM_TYPES (235) on /dev/kvm returned %" PRId64
                        ": this KVM reports no VM types",
                        types);
        _cleanup_free_ char *s = NULL;
        if (kvm_vm_types_format((uint64_t) types, &s) < 0)
                return -ENOMEM;
        return finding_pass(out, "KVM_CAP_VM_TYPES (235) on /dev/kvm reports: %s", s);
}

const HostCheck common_checks[] = {
        { "arch", CVM_TEE_NONE, CHECK_REQUIRED, check_arch },
        { "kvm.device", CVM_TEE_NONE, CHECK_REQUIRED, check_kvm_device },
        { "kvm.api", CVM_TEE_NONE, CHECK_REQUIRED, check_kvm_api },
        { "kvm.vm-types", CVM_TEE_NONE, 0, check_kvm_vm_types },
        {},
};
