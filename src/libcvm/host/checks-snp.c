/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * AMD SEV-SNP host readiness. The order follows virtee/snphost `snphost ok` (src/ok/mod.rs): CPU support
 * (CPUID Fn8000_001F, AMD APM vol. 3), BIOS configuration (SYSCFG and RMP MSRs), the kernel and KVM
 * (kvm_amd parameters, KVM_CAP_VM_TYPES), the AMD Secure Processor firmware (/dev/sev PLATFORM_STATUS and
 * SNP_PLATFORM_STATUS, include/uapi/linux/psp-sev.h) and the ASIDs left in the misc cgroup.
 *
 * A check whose premise failed earlier says so and names the earlier check instead of repeating its
 * failure; hints of downstream checks name the most upstream cause found (sev_blocker()).
 *
 * Device nodes: fake host trees (--root) cannot hold device nodes in git, so they carry empty regular
 * files; a device path of type "file" counts as present, exactly like "char".
 */
#include <inttypes.h>
#include <limits.h>

#include "checks.h"
#include "cpuid-util.h"
#include "kvm-abi.h"
#include "log.h"
#include "misc-cgroup.h"
#include "parse-util.h"

const FactFile snp_fact_files[] = {
        { "/proc/cpuinfo", FACT_TEXT },
        { "/proc/cmdline", FACT_TEXT },
        { "/proc/sys/kernel/osrelease", FACT_TEXT },
        { "/sys/module/kvm_amd", FACT_PRESENCE },
        { "/sys/module/kvm_amd/parameters/sev", FACT_TEXT },
        { "/sys/module/kvm_amd/parameters/sev_es", FACT_TEXT },
        { "/sys/module/kvm_amd/parameters/sev_snp", FACT_TEXT },
        { "/sys/module/ccp", FACT_PRESENCE },
        { "/dev/sev", FACT_PRESENCE },
        { "/sys/fs/cgroup/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/misc.current", FACT_TEXT },
        { "/sys/fs/cgroup/misc/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/misc/misc.current", FACT_TEXT },
        { "/sys/fs/cgroup/unified/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/unified/misc.current", FACT_TEXT },
        {},
};

/* CPUID Fn8000_001F (AMD APM vol. 3, "Encrypted Memory Capabilities"). */
#define CPUID_AMD_MEM_ENCRYPT   UINT32_C(0x8000001f)
#define CPUID_1F_EAX_SME        (UINT32_C(1) << 0)
#define CPUID_1F_EAX_SEV        (UINT32_C(1) << 1)
#define CPUID_1F_EAX_SEV_ES     (UINT32_C(1) << 3)
#define CPUID_1F_EAX_SEV_SNP    (UINT32_C(1) << 4)
#define CPUID_1F_EAX_VMPL       (UINT32_C(1) << 5)
#define CPUID_1F_EBX_CBIT(ebx)  (((ebx) >> 0) & 0x3f) /* EBX[5:0] C-bit position */
#define CPUID_1F_EBX_PHYS(ebx)  (((ebx) >> 6) & 0x3f) /* EBX[11:6] physical address bit reduction */
#define CPUID_1F_EBX_VMPLS(ebx) (((ebx) >> 12) & 0xf) /* EBX[15:12] number of VMPLs */

/* MSRs: AMD APM vol. 2 ("Secure Memory Encryption", "SEV-SNP"); Linux asm/msr-index.h names. */
#define MSR_AMD64_SYSCFG   UINT32_C(0xc0010010)
#define SYSCFG_MEM_ENCRYPT (UINT64_C(1) << 23) /* SMEE: MSR_AMD64_SYSCFG_MEM_ENCRYPT_BIT */
#define SYSCFG_SNP_EN      (UINT64_C(1) << 24) /* MSR_AMD64_SYSCFG_SNP_EN_BIT */
#define MSR_AMD64_RMP_BASE UINT32_C(0xc0010132)
#define MSR_AMD64_RMP_END  UINT32_C(0xc0010133)

/* The SNP host ABI (KVM_X86_SNP_VM, SNP_PLATFORM_STATUS, kvm_amd.sev_snp) was merged in Linux 6.11. */
#define SNP_KERNEL_MIN "6.11"
/* sev-dev.c SNP_MIN_API_MAJOR/MINOR: the kernel initialises SNP only on firmware >= 1.51. */
#define SNP_FW_MIN_MAJOR 1
#define SNP_FW_MIN_MINOR 51

#define HINT_MSR "Load the msr driver and run as root: sudo modprobe msr && sudo cvm check --tee=snp."
#define HINT_SEV_ROOT                                                                                       \
        "Run cvm check as root (sudo), or give the user who runs QEMU read-write access to /dev/sev "       \
        "(e.g. a udev rule KERNEL==\"sev\", GROUP=\"kvm\", MODE=\"0660\")."
#define HINT_BIOS_SNP                                                                                       \
        "In the BIOS setup enable SMEE (AMD CBS > CPU Common Options > SMEE), \"SEV-SNP Support\" and "     \
        "\"SNP Memory Coverage\" (which reserves the RMP table), then reboot."
#define HINT_FW_UPDATE                                                                                      \
        "Update the BIOS (AGESA) to one carrying newer SEV firmware, or install linux-firmware's "          \
        "amd/amd_sev_fam19h_model*.sbin so that ccp loads it at boot (SEV_DOWNLOAD_FIRMWARE)."

/* ---- small helpers ---- */

static bool root_is_slash(const HostFacts *f)
{
        return streq(facts_root(f), "/");
}

/* Where a probe's facts come from: the live interface, or ROOT/cvm-facts/NAME.json in a fake tree. */
static const char *probe_source(const HostFacts *f, const char *probe, const char *live,
                                char buf[static PATH_MAX])
{
        if (root_is_slash(f))
                return live;
        /* Root-relative, so the same tree gives the same words wherever it lies. */
        snprintf(buf, PATH_MAX, "cvm-facts/%s.json", probe);
        return buf;
}

/* Device nodes are "char"; fake trees hold regular files in their place (see the top of this file). */
static bool device_type_ok(const char *type)
{
        return streq(type, "char") || streq(type, "file");
}

/* The value of NAME=VALUE on /proc/cmdline; '-' and '_' are the same in module parameter names. */
static const char *cmdline_value(const HostFacts *f, const char *name, char *buf, size_t size)
{
        const char *t;
        if (facts_file_text(f, "/proc/cmdline", &t) < 0)
                return NULL;
        size_t nl = strlen(name);
        const char *found = NULL;
        for (const char *p = t; *p;) {
                p += strspn(p, " \t\n");
                size_t wl = strcspn(p, " \t\n");
                if (wl > nl && p[nl] == '=') {
                        bool same = true;
                        for (size_t i = 0; i < nl && same; i++)
                                same = p[i] == name[i] || (strchr("-_", p[i]) && strchr("-_", name[i]));
                        if (same) { /* the last one wins, as in the kernel's parser */
                                snprintf(buf, size, "%.*s", (int) (wl - nl - 1), p + nl + 1);
                                found = buf;
                        }
                }
                p += wl;
        }
        return found;
}

/* ---- CPU ---- */

/* 1 AMD, 0 another vendor (named in vendor), -errno unknown. CPUID leaf 0 first, /proc/cpuinfo second. */
static int cpu_vendor(const HostFacts *f, char vendor[static 13], const char **ret_source)
{
        uint32_t r[4];
        if (facts_cpuid(f, 0, 0, r) >= 0) {
                cpuid_vendor_string(r, vendor);
                *ret_source = "CPUID leaf 0";
                return streq(vendor, "AuthenticAMD");
        }
        char buf[64];
        if (cpuinfo_value(f, "vendor_id", buf, sizeof(buf))) {
                snprintf(vendor, 13, "%.12s", buf);
                *ret_source = "/proc/cpuinfo vendor_id";
                return streq(vendor, "AuthenticAMD");
        }
        return -ENODATA;
}

/* Brand string from CPUID 0x80000002..4, else /proc/cpuinfo "model name". */
static const char *cpu_brand(const HostFacts *f, char *buf, size_t size)
{
        char s[49] = "";
        size_t n = 0;
        for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
                uint32_t r[4];
                if (facts_cpuid(f, leaf, 0, r) < 0) {
                        n = 0;
                        break;
                }
                for (size_t i = 0; i < 4; i++)
                        for (size_t b = 0; b < 4; b++) {
                                char c = (char) (r[i] >> (8 * b));
                                s[n++] = c >= 0x20 && c < 0x7f ? c : 0;
                        }
        }
        s[n] = 0;
        const char *p = s;
        while (*p == ' ')
                p++;
        if (*p) {
                snprintf(buf, size, "%s", p);
                return buf;
        }
        return cpuinfo_value(f, "model name", buf, size);
}

/* Family and model from CPUID leaf 1 (AMD APM vol. 3, CPUID Fn0000_0001_EAX). */
static int cpu_family_model(const HostFacts *f, unsigned *ret_family, unsigned *ret_model)
{
        uint32_t r[4];
        int k = facts_cpuid(f, 1, 0, r);
        if (k < 0)
                return k;
        uint32_t a = r[CPUID_EAX];
        unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
        if (family == 0xf) {
                family += (a >> 20) & 0xff;
                model |= ((a >> 16) & 0xf) << 4;
        }
        *ret_family = family;
        *ret_model = model;
        return 0;
}

/*
 * CPUID Fn8000_001F for a check. 1 with the registers; 0 when the finding was set (skip or fail); -errno.
 */
static int mem_encrypt_leaf_full(const HostFacts *f, cvm_finding *out, uint32_t r[static 4], bool owner)
{
        char vendor[13], buf[64], src[PATH_MAX];
        const char *vsrc;
        int k = cpu_vendor(f, vendor, &vsrc);
        if (k == 0)
                return finding_skip(out, "Not an AMD CPU (%s is %s, see snp.cpu-vendor)", vsrc, vendor);

        k = facts_cpuid(f, CPUID_AMD_MEM_ENCRYPT, 0, r);
        if (k == -ENOENT && !owner)
                return finding_skip(out, "CPUID leaf 0x8000001F is missing (see snp.cpuid-sev-snp)");
        if (k == -ENOENT)
                return finding_fail(
                        out,
                        "SEV-SNP needs an AMD EPYC 7003 (Milan) or later; this CPU has no memory "
                        "encryption leaf.",
                        "CPUID leaf 0x8000001F is beyond the CPU's highest extended leaf (%s)",
                        probe_source(f, "cpuid", "CPUID 0x80000000 EAX", src));
        if (k == -EBADMSG)
                return finding_skip(out, "CPUID leaf 0x8000001F in %s is malformed (want 4 hex strings)",
                                    probe_source(f, "cpuid", "the cpuid facts", src));
        if (k < 0)
                return finding_skip(out, "CPUID leaf 0x8000001F: %s (%s)", probe_failure_str(k, buf),
                                    probe_source(f, "cpuid", "cpuid probe", src));
        return 1;
}

/* The check that owns the leaf (snp.cpuid-sev-snp) fails when it is missing; the others point at it. */
static int mem_encrypt_leaf(const HostFacts *f, cvm_finding *out, uint32_t r[static 4])
{
        return mem_encrypt_leaf_full(f, out, r, false);
}

#define SKIP_NO_SNP "The CPU has no SEV-SNP (CPUID 0x8000001F EAX bit 4, see snp.cpuid-sev-snp)"

/* The leaf for the checks that build on SEV-SNP: as mem_encrypt_leaf(), and a skip when SNP is missing. */
static int snp_leaf(const HostFacts *f, cvm_finding *out, uint32_t r[static 4])
{
        int k = mem_encrypt_leaf(f, out, r);
        if (k <= 0)
                return k;
        if (!(r[CPUID_EAX] & CPUID_1F_EAX_SEV_SNP))
                return finding_skip(out, SKIP_NO_SNP);
        return 1;
}

/* An MSR of CPU 0. 1 with the value; 0 when the finding was set; -errno. */
static int msr_value(const HostFacts *f, cvm_finding *out, uint32_t msr, const char *name, uint64_t *ret)
{
        char buf[64], src[PATH_MAX];
        int k = facts_msr(f, msr, ret);
        if (k == -EBADMSG)
                return finding_skip(out,
                                    "MSR %#" PRIx32 " (%s) in %s is malformed (want a \"0x...\" string)",
                                    msr, name, probe_source(f, "msr", "the msr facts", src));
        if (k < 0)
                return finding_skip(out, "MSR %#" PRIx32 " (%s) unreadable via /dev/cpu/0/msr: %s; %s", msr,
                                    name, probe_failure_str(k, buf), HINT_MSR);
        return 1;
}

static int check_cpu_vendor(const HostFacts *f, cvm_finding *out)
{
        char vendor[13], brand[64] = "", fm[48] = "";
        const char *src;
        unsigned family, model;
        int k = cpu_vendor(f, vendor, &src);
        if (k < 0)
                return finding_skip(
                        out, "CPU vendor unknown: neither CPUID leaf 0 nor /proc/cpuinfo was collected");
        if (!cpu_brand(f, brand, sizeof(brand)))
                brand[0] = 0;
        if (cpu_family_model(f, &family, &model) >= 0)
                snprintf(fm, sizeof(fm), ", family %#x model %#x", family, model);
        if (k == 0)
                return finding_fail(out, "SEV-SNP exists only on AMD EPYC processors (7003 Milan or later).",
                                    "CPU vendor is %s (%s)%s%s, not AuthenticAMD", vendor, src,
                                    brand[0] ? ": " : "", brand);
        return finding_pass(out, "AMD CPU: %s (%s)%s%s%s", vendor, src, brand[0] ? ", " : "", brand, fm);
}

/* CPUID Fn0000_0001 ECX bit 31: set by hypervisors for their guests (AMD APM vol. 3). */
static bool host_is_guest(const HostFacts *f)
{
        uint32_t r[4];
        return facts_cpuid(f, 1, 0, r) >= 0 && (r[CPUID_ECX] & (UINT32_C(1) << 31));
}

#define GUEST_NOTE                                                                                          \
        " CPUID 1 ECX bit 31 says this host is itself a virtual machine: SNP hosts must be bare metal."

/*
 * A CPUID Fn8000_001F EAX feature bit. requires/requires_id name the feature it builds on: when that is
 * missing too the check skips, pointing at the check that already failed, rather than failing again.
 */
static int check_cpuid_bit(const HostFacts *f, cvm_finding *out, unsigned bit, const char *feature,
                           uint32_t requires, const char *requires_id, const char *hint)
{
        uint32_t r[4];
        char h[512];
        int k = mem_encrypt_leaf_full(f, out, r, bit == 4);
        if (k <= 0)
                return k;
        if (requires && !(r[CPUID_EAX] & requires))
                return finding_skip(out,
                                    "CPUID 0x8000001F EAX=%#" PRIx32 ": %s needs what %s reports missing",
                                    r[CPUID_EAX], feature, requires_id);
        if (!(r[CPUID_EAX] & (UINT32_C(1) << bit))) {
                snprintf(h, sizeof(h), "%s%s", hint, host_is_guest(f) ? GUEST_NOTE : "");
                return finding_fail(out, h, "CPUID 0x8000001F EAX=%#" PRIx32 ": bit %u (%s) is clear",
                                    r[CPUID_EAX], bit, feature);
        }
        return finding_pass(out, "CPUID 0x8000001F EAX=%#" PRIx32 ": bit %u (%s) is set", r[CPUID_EAX], bit,
                            feature);
}

static int check_cpuid_sme(const HostFacts *f, cvm_finding *out)
{
        return check_cpuid_bit(f, out, 0, "SME", 0, NULL,
                               "Memory encryption needs an AMD EPYC processor (7001 or later).");
}

static int check_cpuid_sev(const HostFacts *f, cvm_finding *out)
{
        return check_cpuid_bit(f, out, 1, "SEV", 0, NULL,
                               "SEV needs an AMD EPYC processor (7001 or later).");
}

static int check_cpuid_sev_es(const HostFacts *f, cvm_finding *out)
{
        return check_cpuid_bit(f, out, 3, "SEV-ES", CPUID_1F_EAX_SEV, "snp.cpuid-sev",
                               "SEV-ES needs an AMD EPYC 7002 (Rome) or later.");
}

static int check_cpuid_sev_snp(const HostFacts *f, cvm_finding *out)
{
        /* Not made to depend on SEV: the bit the verdict hangs on is always reported on its own. */
        return check_cpuid_bit(f, out, 4, "SEV-SNP", 0, NULL,
                               "SEV-SNP needs an AMD EPYC 7003 (Milan), 9004 (Genoa) or later.");
}

static int check_cpuid_vmpl(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        int k = mem_encrypt_leaf(f, out, r);
        if (k <= 0)
                return k;
        if (!(r[CPUID_EAX] & CPUID_1F_EAX_SEV_SNP))
                return finding_skip(out,
                                    "CPUID 0x8000001F EAX=%#" PRIx32 ": VMPLs are part of SEV-SNP, which "
                                    "snp.cpuid-sev-snp reports missing",
                                    r[CPUID_EAX]);
        unsigned n = CPUID_1F_EBX_VMPLS(r[CPUID_EBX]);
        if (!(r[CPUID_EAX] & CPUID_1F_EAX_VMPL))
                return finding_fail(out, "VM Permission Levels come with SEV-SNP (EPYC 7003 or later).",
                                    "CPUID 0x8000001F EAX=%#" PRIx32 ": bit 5 (VMPL) is clear",
                                    r[CPUID_EAX]);
        /* snphost expects 4: VMPL0..3 (SEV-SNP firmware ABI). */
        if (n != 4)
                return finding_warn(
                        out, "SVSMs such as COCONUT need VMPL0-3; expect 4 on EPYC processors.",
                        "CPUID 0x8000001F: VMPL supported, but EBX[15:12] reports %u VMPLs, not 4", n);
        return finding_pass(out, "CPUID 0x8000001F: VMPL supported (EAX bit 5), %u VMPLs (EBX[15:12])", n);
}

static int check_cpuid_cbit(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        int k = mem_encrypt_leaf(f, out, r);
        if (k <= 0)
                return k;
        if (!(r[CPUID_EAX] & (CPUID_1F_EAX_SME | CPUID_1F_EAX_SEV)))
                return finding_skip(out,
                                    "CPUID 0x8000001F EAX=%#" PRIx32 ": no memory encryption, so no C-bit "
                                    "(see snp.cpuid-sme, snp.cpuid-sev)",
                                    r[CPUID_EAX]);
        unsigned cbit = CPUID_1F_EBX_CBIT(r[CPUID_EBX]), phys = CPUID_1F_EBX_PHYS(r[CPUID_EBX]);
        if (cbit == 0)
                return finding_fail(
                        out, "A CPU with SEV reports its C-bit; check that the host is bare metal.",
                        "CPUID 0x8000001F EBX=%#" PRIx32 ": C-bit position (EBX[5:0]) is 0", r[CPUID_EBX]);
        return finding_pass(
                out,
                "CPUID 0x8000001F EBX=%#" PRIx32 ": C-bit position %u (EBX[5:0]), physical address "
                "reduction %u (EBX[11:6]); QEMU's sev-snp-guest needs cbitpos=%u reduced-phys-bits=%u",
                r[CPUID_EBX], cbit, phys, cbit, phys ?: 1);
}

static int check_cpuid_asids(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        int k = mem_encrypt_leaf(f, out, r);
        if (k <= 0)
                return k;
        /*
         * ECX: number of encrypted guests supported simultaneously (highest ASID); EDX: minimum ASID of an
         * SEV guest without SEV-ES. ASIDs 1..EDX-1 serve SEV-ES and SEV-SNP guests (arch/x86/kvm/svm/sev.c
         * sev_hardware_setup(): "Has the system been allocated ASIDs for SEV-ES?" tests min_sev_asid == 1).
         */
        if (!(r[CPUID_EAX] & CPUID_1F_EAX_SEV))
                return finding_skip(out,
                                    "CPUID 0x8000001F EAX=%#" PRIx32 ": no SEV, so no guest ASIDs (see "
                                    "snp.cpuid-sev)",
                                    r[CPUID_EAX]);
        uint32_t max = r[CPUID_ECX], min_sev = r[CPUID_EDX];
        if (max == 0)
                return finding_fail(out, HINT_BIOS_SNP,
                                    "CPUID 0x8000001F ECX=0: the CPU offers no encrypted-guest ASIDs");
        if (min_sev <= 1)
                return finding_fail(
                        out,
                        "Raise the BIOS setting \"SEV-ES ASID Space Limit\" (AMD CBS > CPU Common "
                        "Options; e.g. to 100): ASIDs below it are reserved for SEV-ES and SEV-SNP.",
                        "CPUID 0x8000001F EDX=%" PRIu32 ": no ASIDs are set aside for SEV-ES/SEV-SNP "
                        "guests (ECX=%" PRIu32 " ASIDs in total)",
                        min_sev, max);
        return finding_pass(out,
                            "CPUID 0x8000001F: %" PRIu32
                            " encrypted-guest ASIDs (ECX); SEV-ES/SEV-SNP ASIDs "
                            "1-%" PRIu32 ", SEV-only ASIDs %" PRIu32 "-%" PRIu32 " (EDX=%" PRIu32 ")",
                            max, min_sev - 1, min_sev, max, min_sev);
}

static int check_syscfg_smee(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        uint64_t v;
        int k = mem_encrypt_leaf(f, out, r);
        if (k <= 0)
                return k;
        if (!(r[CPUID_EAX] & CPUID_1F_EAX_SME))
                return finding_skip(out,
                                    "The CPU has no SME (CPUID 0x8000001F EAX bit 0, see snp.cpuid-sme)");
        k = msr_value(f, out, MSR_AMD64_SYSCFG, "SYSCFG", &v);
        if (k <= 0)
                return k;
        if (!(v & SYSCFG_MEM_ENCRYPT))
                return finding_fail(
                        out,
                        "Enable SMEE in the BIOS setup (AMD CBS > CPU Common Options > SMEE) and reboot.",
                        "MSR 0xC0010010 (SYSCFG)=%#" PRIx64 ": bit 23 (SMEE, memory encryption) is "
                        "clear, so the kernel disables SME, SEV, SEV-ES and SEV-SNP",
                        v);
        return finding_pass(out, "MSR 0xC0010010 (SYSCFG)=%#" PRIx64 ": bit 23 (SMEE) is set", v);
}

static int check_syscfg_snp(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        uint64_t v;
        int k = snp_leaf(f, out, r);
        if (k <= 0)
                return k;
        k = msr_value(f, out, MSR_AMD64_SYSCFG, "SYSCFG", &v);
        if (k <= 0)
                return k;
        if (!(v & SYSCFG_SNP_EN)) {
                /* Linux >= 6.11 sets SNPEn itself (arch/x86/virt/svm/sev.c) given a BIOS-reserved RMP. */
                const char *rel = NULL;
                int old = kernel_version_at_least(f, SNP_KERNEL_MIN, &rel);
                char rb[64];
                return finding_fail(out,
                                    old == 0 ? "Install Linux >= 6.11: older kernels never set SYSCFG.SNPEn."
                                             : HINT_BIOS_SNP,
                                    "MSR 0xC0010010 (SYSCFG)=%#" PRIx64 ": bit 24 (SNPEn) is clear%s%s%s", v,
                                    old == 0 ? "; kernel " : "",
                                    old == 0 ? first_line(rel, rb, sizeof(rb)) : "",
                                    old == 0 ? " predates SNP host support" : "");
        }
        return finding_pass(out, "MSR 0xC0010010 (SYSCFG)=%#" PRIx64 ": bit 24 (SNPEn) is set", v);
}

static int check_rmp_table(const HostFacts *f, cvm_finding *out)
{
        uint32_t r[4];
        uint64_t base, end;
        int k = snp_leaf(f, out, r);
        if (k <= 0)
                return k;
        k = msr_value(f, out, MSR_AMD64_RMP_BASE, "RMP_BASE", &base);
        if (k <= 0)
                return k;
        k = msr_value(f, out, MSR_AMD64_RMP_END, "RMP_END", &end);
        if (k <= 0)
                return k;
        if (base == 0 || end == 0 || end <= base)
                return finding_fail(
                        out,
                        "Enable \"SNP Memory Coverage\" (and \"SEV-SNP Support\") in the BIOS setup so "
                        "that it reserves the RMP table, then reboot.",
                        "MSRs 0xC0010132/0xC0010133 (RMP_BASE/RMP_END) = %#" PRIx64 "/%#" PRIx64
                        ": the BIOS reserved no RMP table",
                        base, end);
        return finding_pass(
                out, "MSRs 0xC0010132/0xC0010133: RMP table at %#" PRIx64 "-%#" PRIx64 " (%" PRIu64 " MiB)",
                base, end, (end - base + 1) >> 20);
}

/*
 * The kernel's own conclusion (arch/x86/kernel/cpu/amd.c): early_detect_mem_encrypt() clears the sev,
 * sev_es and sev_snp flags when SYSCFG.SMEE is off, and bsp_determine_snp() clears sev_snp when no RMP table
 * was reserved. The sme flag is left out: it is also cleared whenever SME itself is not active (no
 * mem_encrypt=on), which is the normal state of an SNP host. Useful when the MSRs cannot be read.
 */
static int check_cpu_flags(const HostFacts *f, cvm_finding *out)
{
        static const char *const flags[] = { "sev", "sev_es", "sev_snp" };
        char vendor[13], missing[64] = "", buf[64];
        const char *src;
        size_t l = 0, n_missing = 0;
        uint32_t r[4];

        if (cpu_vendor(f, vendor, &src) == 0)
                return finding_skip(out, "Not an AMD CPU (%s is %s, see snp.cpu-vendor)", src, vendor);
        if (facts_cpuid(f, CPUID_AMD_MEM_ENCRYPT, 0, r) >= 0 && !(r[CPUID_EAX] & CPUID_1F_EAX_SEV_SNP))
                return finding_skip(out, SKIP_NO_SNP);
        for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
                int k = cpuinfo_has_flag(f, flags[i]);
                if (k < 0)
                        return finding_skip(out, "/proc/cpuinfo has no flags line: %s",
                                            probe_failure_str(k, buf));
                if (k == 0) {
                        l += (size_t) snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? " " : "",
                                               flags[i]);
                        n_missing++;
                }
        }
        if (n_missing == 0)
                return finding_pass(
                        out, "/proc/cpuinfo flags include sev sev_es sev_snp: the kernel kept them on");
        if (n_missing == ELEMENTSOF(flags))
                return finding_fail(
                        out,
                        "Enable SMEE in the BIOS setup (AMD CBS > CPU Common Options > SMEE) and reboot.",
                        "/proc/cpuinfo flags lack %s: the kernel found memory encryption disabled "
                        "(SYSCFG.SMEE clear) and turned SEV off",
                        missing);
        return finding_fail(
                out, HINT_BIOS_SNP,
                "/proc/cpuinfo flags lack %s: the kernel turned it off (for sev_snp: no RMP table "
                "reserved by the BIOS)",
                missing);
}

/* ---- firmware (PSP) facts ---- */

typedef struct SevCmd {
        json_object *o; /* the command's object on success */
        int error;      /* < 0: the command failed */
        int64_t fw_error;
} SevCmd;

/* SEV firmware status codes (include/uapi/linux/psp-sev.h sev_ret_code). */
static const char *sev_fw_error_name(int64_t e)
{
        static const char *const names[] = {
                [0x00] = "SUCCESS",
                [0x01] = "INVALID_PLATFORM_STATE",
                [0x02] = "INVALID_GUEST_STATE",
                [0x03] = "INVALID_CONFIG",
                [0x04] = "INVALID_LEN",
                [0x05] = "ALREADY_OWNED",
                [0x06] = "INVALID_CERTIFICATE",
                [0x07] = "POLICY_FAILURE",
                [0x08] = "INACTIVE",
                [0x09] = "INVALID_ADDRESS",
                [0x0a] = "BAD_SIGNATURE",
                [0x0b] = "BAD_MEASUREMENT",
                [0x0c] = "ASID_OWNED",
                [0x0d] = "INVALID_ASID",
                [0x0e] = "WBINVD_REQUIRED",
                [0x0f] = "DFFLUSH_REQUIRED",
                [0x10] = "INVALID_GUEST",
                [0x11] = "INVALID_COMMAND",
                [0x12] = "ACTIVE",
                [0x13] = "HWSEV_RET_PLATFORM",
                [0x14] = "HWSEV_RET_UNSAFE",
                [0x15] = "UNSUPPORTED",
                [0x16] = "INVALID_PARAM",
                [0x17] = "RESOURCE_LIMIT",
                [0x18] = "SECURE_DATA_INVALID",
                [0x19] = "INVALID_PAGE_SIZE",
                [0x1a] = "INVALID_PAGE_STATE",
                [0x1b] = "INVALID_MDATA_ENTRY",
                [0x1c] = "INVALID_PAGE_OWNER",
                [0x1d] = "AEAD_OFLOW",
                [0x1f] = "EXIT_RING_BUFFER",
                [0x20] = "RMP_INIT_REQUIRED",
                [0x21] = "BAD_SVN",
                [0x22] = "BAD_VERSION",
                [0x23] = "SHUTDOWN_REQUIRED",
                [0x24] = "UPDATE_FAILED",
                [0x25] = "RESTORE_REQUIRED",
                [0x26] = "RMP_INITIALIZATION_FAILED",
                [0x27] = "INVALID_KEY",
        };
        if (e == -1)
                return "NO_FW_CALL";
        if (e >= 0 && (uint64_t) e < ELEMENTSOF(names) && names[e])
                return names[e];
        return "unknown";
}

/*
 * One command's result from the "sev" probe. 1 with *ret filled (ret->error < 0 when the command failed);
 * 0 when the probe as a whole is unusable and the finding was set (a skip naming the reason); -errno.
 */
static int sev_command(const HostFacts *f, cvm_finding *out, const char *key, const char *label, SevCmd *ret)
{
        json_object *sev;
        char buf[64], src[PATH_MAX];
        int k = facts_probe_result(f, "sev", &sev);
        if (k == -ENOENT || k == -ENODEV || k == -ENXIO)
                return finding_skip(out, "%s: /dev/sev cannot be opened (%s), see snp.dev-sev", label,
                                    probe_failure_str(k, buf));
        if (k == -EACCES || k == -EPERM)
                return finding_skip(out, "%s: /dev/sev cannot be opened (%s); %s", label,
                                    probe_failure_str(k, buf), HINT_SEV_ROOT);
        if (k == -EBADMSG)
                return finding_skip(out, "%s: %s is malformed", label,
                                    probe_source(f, "sev", "the sev facts", src));
        if (k < 0)
                return finding_skip(out, "%s on /dev/sev: %s (%s)", label, probe_failure_str(k, buf),
                                    probe_source(f, "sev", "sev probe", src));

        json_object *o = json_get(sev, key, json_type_object);
        if (!o)
                return finding_skip(out, "%s: %s has no \"%s\" object", label,
                                    probe_source(f, "sev", "the sev facts", src), key);
        *ret = (SevCmd){};
        int e = json_error_get(o);
        if (e < 0) {
                json_object *fw = json_get(o, "fw_error", json_type_int);
                ret->error = e;
                ret->fw_error = fw ? json_object_get_int64(fw) : 0;
        } else
                ret->o = o;
        return 1;
}

/* Integer and boolean members of a command object; a missing one makes the check skip, naming it. */
static int sev_int(const HostFacts *f, cvm_finding *out, const SevCmd *c, const char *key, int64_t *ret)
{
        char src[PATH_MAX];
        json_object *v = json_get(c->o, key, json_type_int);
        if (!v)
                return finding_skip(out, "%s lacks the integer \"%s\"",
                                    probe_source(f, "sev", "the sev facts", src), key);
        *ret = json_object_get_int64(v);
        return 1;
}

static int sev_bool(const HostFacts *f, cvm_finding *out, const SevCmd *c, const char *key, bool *ret)
{
        char src[PATH_MAX];
        json_object *v = json_get(c->o, key, json_type_boolean);
        if (!v)
                return finding_skip(out, "%s lacks the boolean \"%s\"",
                                    probe_source(f, "sev", "the sev facts", src), key);
        *ret = json_object_get_boolean(v);
        return 1;
}

static const char *sev_cmd_error_str(const SevCmd *c, char buf[static 128])
{
        char name[16];
        int l = snprintf(buf, 128, "%s (%s), ", errno_to_name(c->error, name), strerror(-c->error));
        if (l < 0 || l >= 128)
                return buf;
        if (c->fw_error == 0)
                snprintf(buf + l, 128 - (size_t) l, "no firmware status (the kernel refused the command)");
        else if (c->fw_error == -1)
                snprintf(buf + l, 128 - (size_t) l, "firmware not called (SEV_RET_NO_FW_CALL)");
        else
                snprintf(buf + l, 128 - (size_t) l, "firmware status %#" PRIx64 " %s",
                         (uint64_t) c->fw_error, sev_fw_error_name(c->fw_error));
        return buf;
}

/*
 * A command that succeeded, for a check that needs its result: 1 with ret->o; 0 when the finding was set
 * (a failed command is a skip pointing at see_id, the check that reports the failure); -errno.
 */
static int sev_command_ok(const HostFacts *f, cvm_finding *out, const char *key, const char *label,
                          const char *see_id, SevCmd *ret)
{
        char eb[128];
        int k = sev_command(f, out, key, label, ret);
        if (k <= 0)
                return k;
        if (ret->error < 0)
                return finding_skip(out, "%s failed (%s), see %s", label, sev_cmd_error_str(ret, eb),
                                    see_id);
        return 1;
}

/* PLATFORM_STATUS for a check other than snp.firmware-version, which reports its failure. */
static int platform_status(const HostFacts *f, cvm_finding *out, SevCmd *c)
{
        return sev_command_ok(f, out, "platform_status", "PLATFORM_STATUS", "snp.firmware-version", c);
}

/* Firmware API version from PLATFORM_STATUS: 1 with it; 0 when unknown (nothing set). */
static int sev_fw_version(const HostFacts *f, unsigned *ret_major, unsigned *ret_minor)
{
        json_object *sev;
        if (facts_probe_result(f, "sev", &sev) < 0)
                return 0;
        json_object *o = json_get(sev, "platform_status", json_type_object);
        json_object *ma = json_get(o, "api_major", json_type_int),
                    *mi = json_get(o, "api_minor", json_type_int);
        if (!ma || !mi)
                return 0;
        *ret_major = (unsigned) json_object_get_int(ma);
        *ret_minor = (unsigned) json_object_get_int(mi);
        return 1;
}

static bool sev_fw_too_old(const HostFacts *f)
{
        unsigned ma, mi;
        return sev_fw_version(f, &ma, &mi) > 0 &&
               (ma < SNP_FW_MIN_MAJOR || (ma == SNP_FW_MIN_MAJOR && mi < SNP_FW_MIN_MINOR));
}

typedef enum SevLevel {
        LEVEL_SEV,
        LEVEL_SEV_ES,
        LEVEL_SEV_SNP,
} SevLevel;

/*
 * The most upstream known reason why the kernel cannot offer the given level of SEV, as a sentence for a
 * hint; NULL when no collected fact explains it. Downstream checks name it instead of a generic remedy.
 */
static const char *sev_blocker(const HostFacts *f, SevLevel level)
{
        uint32_t r[4];
        uint64_t v, base, end;
        char vendor[13];
        const char *src;
        uint32_t need = level == LEVEL_SEV_SNP  ? CPUID_1F_EAX_SEV_SNP
                        : level == LEVEL_SEV_ES ? CPUID_1F_EAX_SEV_ES
                                                : CPUID_1F_EAX_SEV;

        if (cpu_vendor(f, vendor, &src) == 0)
                return "This is not an AMD CPU (see snp.cpu-vendor).";
        int k = facts_cpuid(f, CPUID_AMD_MEM_ENCRYPT, 0, r);
        if (k == -ENOENT || (k >= 0 && !(r[CPUID_EAX] & need)))
                return "The CPU does not offer the feature (see snp.cpuid-*).";
        if (facts_msr(f, MSR_AMD64_SYSCFG, &v) >= 0 && !(v & SYSCFG_MEM_ENCRYPT))
                return "SMEE is disabled in the BIOS (see snp.syscfg-smee): enable AMD CBS > CPU Common "
                       "Options > "
                       "SMEE and reboot.";
        if (level == LEVEL_SEV_ES && k >= 0 && r[CPUID_EDX] <= 1)
                return "The BIOS sets no ASIDs aside for SEV-ES (see snp.cpuid-asids): raise \"SEV-ES ASID "
                       "Space "
                       "Limit\".";
        if (level != LEVEL_SEV_SNP)
                return NULL;
        if (facts_msr(f, MSR_AMD64_RMP_BASE, &base) >= 0 && facts_msr(f, MSR_AMD64_RMP_END, &end) >= 0 &&
            (base == 0 || end <= base))
                return "The BIOS reserved no RMP table (see snp.rmp-table): enable \"SEV-SNP Support\" and "
                       "\"SNP "
                       "Memory Coverage\" and reboot.";
        if (kernel_version_at_least(f, SNP_KERNEL_MIN, NULL) == 0)
                return "The kernel predates SEV-SNP host support (see snp.kernel): install Linux >= 6.11.";
        if (sev_fw_too_old(f))
                return "The SEV firmware is older than 1.51, so the kernel does not initialise SNP (see "
                       "snp.firmware-version). " HINT_FW_UPDATE;
        return NULL;
}

static const char *snp_blocker(const HostFacts *f)
{
        return sev_blocker(f, LEVEL_SEV_SNP);
}

/* ---- kernel and KVM ---- */

static int check_kernel(const HostFacts *f, cvm_finding *out)
{
        const char *rel;
        char buf[64], rb[64];
        int k = kernel_version_at_least(f, SNP_KERNEL_MIN, &rel);
        if (k < 0)
                return finding_skip(out, "Kernel release unknown: /proc/sys/kernel/osrelease: %s",
                                    probe_failure_str(k, buf));
        if (k == 0)
                return finding_fail(
                        out,
                        "Install Linux >= 6.11 (e.g. Debian 13's 6.12, Ubuntu 24.04 HWE, Fedora 41), "
                        "built with CONFIG_KVM_AMD_SEV.",
                        "Kernel %s (/proc/sys/kernel/osrelease) predates SEV-SNP host support (Linux "
                        "6.11: KVM_X86_SNP_VM, kvm_amd.sev_snp, SNP_PLATFORM_STATUS)",
                        first_line(rel, rb, sizeof(rb)));
        return finding_pass(out, "Kernel %s (/proc/sys/kernel/osrelease) is >= 6.11",
                            first_line(rel, rb, sizeof(rb)));
}

static int check_kvm_amd(const HostFacts *f, cvm_finding *out)
{
        const char *type;
        char buf[64];
        int k = facts_path_type(f, "/sys/module/kvm_amd", &type);
        if (k == -ENOENT)
                return finding_fail(
                        out,
                        "Enable SVM (AMD-V) in the BIOS and load the module: sudo modprobe kvm_amd "
                        "(dmesg tells why it refuses to load).",
                        "kvm_amd is not loaded (/sys/module/kvm_amd does not exist)");
        if (k < 0)
                return finding_skip(out, "/sys/module/kvm_amd: %s", probe_failure_str(k, buf));
        return finding_pass(out, "kvm_amd is loaded (/sys/module/kvm_amd)");
}

typedef struct KvmParam {
        const char *param;   /* "sev_snp" */
        const char *feature; /* "SEV-SNP" */
        const char *kmsg;    /* the kvm_amd line reporting it, "kvm_amd: SEV-SNP " */
        SevLevel level;
} KvmParam;

static const KvmParam kvm_params[] = {
        [LEVEL_SEV] = { "sev", "SEV", "kvm_amd: SEV ", LEVEL_SEV },
        [LEVEL_SEV_ES] = { "sev_es", "SEV-ES", "kvm_amd: SEV-ES ", LEVEL_SEV_ES },
        [LEVEL_SEV_SNP] = { "sev_snp", "SEV-SNP", "kvm_amd: SEV-SNP ", LEVEL_SEV_SNP },
};

/*
 * kvm_amd's parameters are both the request (kvm_amd.sev_snp=1) and, being written back by
 * sev_hardware_setup() (arch/x86/kvm/svm/sev.c), the result: "N" after a "1" means KVM turned it off.
 */
static int check_kvm_param(const HostFacts *f, cvm_finding *out, const KvmParam *p)
{
        char path[128], buf[64], cmd[32], hint[512], tb[32];
        const char *type, *t = "";
        snprintf(path, sizeof(path), "/sys/module/kvm_amd/parameters/%s", p->param);

        if (facts_path_type(f, "/sys/module/kvm_amd", &type) == -ENOENT)
                return finding_skip(out, "kvm_amd is not loaded, so %s does not exist (see snp.kvm-amd)",
                                    path);

        int k = facts_file_bool(f, path);
        if (k == -ENOENT)
                return finding_fail(
                        out,
                        p->level == LEVEL_SEV_SNP
                                ? "Install Linux >= 6.11 built with CONFIG_KVM_AMD_SEV=y."
                                : "Use a kernel built with CONFIG_KVM_AMD_SEV=y (all distribution "
                                  "kernels are).",
                        "kvm_amd is loaded but %s does not exist: the kernel was built without "
                        "CONFIG_KVM_AMD_SEV%s",
                        path, p->level == LEVEL_SEV_SNP ? " or predates Linux 6.11" : "");
        if (k == -EINVAL) {
                facts_file_text(f, path, &t);
                return finding_skip(out, "%s holds \"%s\", not Y/N/1/0", path,
                                    first_line(t, tb, sizeof(tb)));
        }
        if (k < 0)
                return finding_skip(out, "%s: %s", path, probe_failure_str(k, buf));

        const char *line = kmsg_find(f, p->kmsg);
        if (k > 0)
                return finding_pass(out, "%s is Y: KVM offers %s guests%s%s%s", path, p->feature,
                                    line ? " (kernel log: \"" : "", line ?: "", line ? "\")" : "");

        char name[48];
        snprintf(name, sizeof(name), "kvm_amd.%s", p->param);
        const char *c = cmdline_value(f, name, cmd, sizeof(cmd));
        const char *blocker = sev_blocker(f, p->level);
        if (c && parse_boolean(c) == 0)
                snprintf(hint, sizeof(hint),
                         "The kernel command line sets %s=%s: remove it (or set %s=1) and "
                         "reboot.",
                         name, c, name);
        else if (blocker)
                snprintf(hint, sizeof(hint), "KVM turned %s off at load time. %s", p->param, blocker);
        else
                snprintf(hint, sizeof(hint),
                         "Add %s=1 to the kernel command line (or \"options kvm_amd %s=1\" in "
                         "/etc/modprobe.d/kvm.conf) and reload kvm_amd. If it is already requested, KVM "
                         "turned it "
                         "off while loading: see the kernel log (dmesg | grep -iE 'sev|snp|ccp').",
                         name, p->param);

        /* Newer kernels may leave plain SEV without ASIDs while SEV-ES/SNP work: no obstacle here. */
        if (p->level == LEVEL_SEV && facts_file_bool(f, "/sys/module/kvm_amd/parameters/sev_es") > 0)
                return finding_warn(out, hint,
                                    "%s is N but sev_es is Y: plain SEV guests are off, SEV-ES and "
                                    "SEV-SNP are not affected%s%s%s",
                                    path, line ? " (kernel log: \"" : "", line ?: "", line ? "\")" : "");
        return finding_fail(out, hint, "%s is N: KVM offers no %s guests%s%s%s%s", path, p->feature,
                            p->level == LEVEL_SEV_SNP ? "" : " (SEV-SNP builds on SEV and SEV-ES)",
                            line ? " (kernel log: \"" : "", line ?: "", line ? "\")" : "");
}

static int check_kvm_sev(const HostFacts *f, cvm_finding *out)
{
        return check_kvm_param(f, out, &kvm_params[LEVEL_SEV]);
}

static int check_kvm_sev_es(const HostFacts *f, cvm_finding *out)
{
        return check_kvm_param(f, out, &kvm_params[LEVEL_SEV_ES]);
}

static int check_kvm_sev_snp(const HostFacts *f, cvm_finding *out)
{
        return check_kvm_param(f, out, &kvm_params[LEVEL_SEV_SNP]);
}

static int check_kvm_vm_type(const HostFacts *f, cvm_finding *out)
{
        int64_t types;
        char buf[64], src[PATH_MAX];
        int k = facts_kvm_extension(f, "KVM_CAP_VM_TYPES", &types);
        if (k < 0)
                return finding_skip(out, "KVM_CAP_VM_TYPES (235) on /dev/kvm: %s (%s)",
                                    probe_failure_str(k, buf), probe_source(f, "kvm", "kvm probe", src));

        _cleanup_free_ char *list = NULL;
        if (kvm_vm_types_format((uint64_t) types, &list) < 0)
                return -ENOMEM;
        if (types > 0 && ((uint64_t) types & (UINT64_C(1) << KVM_VM_TYPE_SNP)))
                return finding_pass(out,
                                    "KVM_CAP_VM_TYPES (235) on /dev/kvm reports %s, including "
                                    "KVM_X86_SNP_VM (4)",
                                    list);

        const char *blocker = snp_blocker(f);
        const char *hint =
                blocker
                        ?: (facts_file_bool(f, "/sys/module/kvm_amd/parameters/sev_snp") == 0
                                    ? "KVM offers SNP VMs only with kvm_amd.sev_snp=Y (see snp.kvm-sev-snp)."
                                    : "KVM offers KVM_X86_SNP_VM only when kvm_amd initialised SEV-SNP; "
                                      "see the kernel log (dmesg | grep -iE 'sev|snp').");
        return finding_fail(
                out, hint,
                "KVM_CAP_VM_TYPES (235) on /dev/kvm reports %s: no KVM_X86_SNP_VM (4), so QEMU's "
                "sev-snp-guest fails with \"vm-type SEV-SNP not supported by KVM\"",
                list);
}

/* ---- /dev/sev and the firmware ---- */

static int check_dev_sev(const HostFacts *f, cvm_finding *out)
{
        const char *type;
        char buf[64];
        int k = facts_path_type(f, "/dev/sev", &type);
        if (k == -ENOENT) {
                const char *ccp;
                bool no_ccp = facts_path_type(f, "/sys/module/ccp", &ccp) == -ENOENT;
                const char *hint = no_ccp ? "Load the AMD Secure Processor driver: sudo modprobe ccp."
                                          : sev_blocker(f, LEVEL_SEV);
                return finding_fail(
                        out,
                        hint
                                ?: "The ccp driver found no SEV-capable Secure Processor: enable SEV in "
                                   "the BIOS (SMEE, SEV-SNP Support) and update it.",
                        "/dev/sev does not exist%s",
                        no_ccp ? " and the ccp driver is not loaded (/sys/module/ccp)"
                               : ": the firmware does not offer SEV to the kernel");
        }
        if (k < 0)
                return finding_skip(out, "/dev/sev: %s", probe_failure_str(k, buf));
        if (!device_type_ok(type))
                return finding_fail(
                        out, "Remove what is there and reload ccp (sudo modprobe -r ccp; modprobe ccp).",
                        "/dev/sev is a %s, not a character device", type);
        return finding_pass(out, "/dev/sev is present");
}

static int check_dev_sev_access(const HostFacts *f, cvm_finding *out)
{
        json_object *sev;
        char buf[64], src[PATH_MAX];
        int k = facts_probe_result(f, "sev", &sev);
        if (k == -ENOENT)
                return finding_skip(out, "/dev/sev does not exist (see snp.dev-sev)");
        if (k == -EACCES || k == -EPERM)
                return finding_warn(
                        out, HINT_SEV_ROOT,
                        "/dev/sev is not readable by this user (%s): its firmware state cannot be "
                        "queried, and QEMU running as this user cannot use it",
                        probe_failure_str(k, buf));
        if (k < 0)
                return finding_skip(out, "/dev/sev access: %s (%s)", probe_failure_str(k, buf),
                                    probe_source(f, "sev", "sev probe", src));
        json_object *w = json_get(sev, "writable", json_type_boolean);
        if (!w)
                return finding_skip(out, "%s lacks the boolean \"writable\"",
                                    probe_source(f, "sev", "sev facts", src));
        if (!json_object_get_boolean(w))
                return finding_warn(
                        out, HINT_SEV_ROOT,
                        "/dev/sev is readable but not writable by this user (open O_RDWR: %s); QEMU "
                        "opens it read-write",
                        json_get_string(sev, "write_error") ?: "refused");
        return finding_pass(out, "/dev/sev is readable and writable");
}

static int check_firmware_version(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        char eb[128];
        int64_t ma = 0, mi = 0, build = 0;
        int k = sev_command(f, out, "platform_status", "PLATFORM_STATUS", &c);
        if (k <= 0)
                return k;
        if (c.error < 0)
                return finding_fail(
                        out,
                        "The Secure Processor does not answer; check the kernel log (dmesg | grep -i "
                        "ccp) and update the BIOS.",
                        "PLATFORM_STATUS (SEV_ISSUE_CMD) on /dev/sev failed: %s", sev_cmd_error_str(&c, eb));
        if ((k = sev_int(f, out, &c, "api_major", &ma)) <= 0 ||
            (k = sev_int(f, out, &c, "api_minor", &mi)) <= 0 ||
            (k = sev_int(f, out, &c, "build", &build)) <= 0)
                return k;
        if (ma < SNP_FW_MIN_MAJOR || (ma == SNP_FW_MIN_MAJOR && mi < SNP_FW_MIN_MINOR)) {
                char hint[512];
                unsigned family, model;
                if (cpu_family_model(f, &family, &model) >= 0)
                        /* sev-dev.c sev_get_firmware(): "amd/amd_sev_fam%.2xh_model%.1xxh.sbin" */
                        snprintf(hint, sizeof(hint),
                                 "Update the BIOS (AGESA) to one carrying SEV firmware >= 1.51, or install "
                                 "/lib/firmware/amd/amd_sev_fam%02xh_model%xxh.sbin (linux-firmware) so "
                                 "that ccp "
                                 "loads it at boot.",
                                 family, model >> 4);
                else
                        snprintf(hint, sizeof(hint), "%s", HINT_FW_UPDATE);
                return finding_fail(out, hint,
                                    "SEV firmware API %" PRId64 ".%" PRId64 " build %" PRId64
                                    " (PLATFORM_STATUS on "
                                    "/dev/sev) is older than 1.51, the minimum for SEV-SNP",
                                    ma, mi, build);
        }
        return finding_pass(out,
                            "SEV firmware API %" PRId64 ".%" PRId64 " build %" PRId64 " (PLATFORM_STATUS on "
                            "/dev/sev) is >= 1.51",
                            ma, mi, build);
}

static const char *sev_state_str(int64_t s)
{
        return s == 0 ? "UNINIT" : s == 1 ? "INIT" : s == 2 ? "WORKING" : "unknown";
}

static int check_sev_init(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        int64_t state = 0, guests = 0;
        int k = platform_status(f, out, &c);
        if (k <= 0)
                return k;
        if ((k = sev_int(f, out, &c, "state", &state)) <= 0)
                return k;
        json_object *g = json_get(c.o, "guest_count", json_type_int);
        if (g)
                guests = json_object_get_int64(g);
        /* SEV API spec PLATFORM_STATUS: 0 UNINIT, 1 INIT, 2 WORKING (INIT with guests). */
        if (state == 1 || state == 2)
                return finding_pass(out, "SEV firmware state %s (PLATFORM_STATUS), %" PRId64 " guests",
                                    sev_state_str(state), guests);
        if (state == 0)
                return finding_warn(
                        out,
                        "The kernel initialises the SEV firmware when ccp probes (older kernels, "
                        "ccp.psp_init_on_probe=1) or when kvm_amd loads with sev=1 (newer ones), "
                        "otherwise at the first SEV guest; look for \"SEV: ... failed\" in dmesg.",
                        "SEV firmware state UNINIT (PLATFORM_STATUS on /dev/sev): legacy SEV is not "
                        "initialised");
        return finding_fail(out, HINT_FW_UPDATE,
                            "SEV firmware state %" PRId64 " (PLATFORM_STATUS) is not one the "
                            "SEV API defines (0-2)",
                            state);
}

static int check_sev_es_init(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        int64_t state = 0;
        bool es = false;
        int k = platform_status(f, out, &c);
        if (k <= 0)
                return k;
        if ((k = sev_int(f, out, &c, "state", &state)) <= 0 ||
            (k = sev_bool(f, out, &c, "es_initialized", &es)) <= 0)
                return k;
        if (state == 0)
                return finding_skip(out,
                                    "SEV is not initialised, so its CONFIG_ES flag means nothing yet (see "
                                    "snp.sev-init)");
        if (!es)
                return finding_warn(
                        out,
                        "The kernel enables SEV-ES in the firmware's INIT when it could set up the "
                        "trusted memory region; see dmesg for \"SEV-ES\" / \"TMR\" errors.",
                        "PLATFORM_STATUS flags bit 8 (CONFIG_ES) is clear: SEV-ES is not initialised");
        return finding_pass(out, "PLATFORM_STATUS flags bit 8 (CONFIG_ES) is set: SEV-ES is initialised");
}

/* SNP_PLATFORM_STATUS for a check: 1 with the object; 0 when the finding was set; -errno. */
static int snp_status(const HostFacts *f, cvm_finding *out, SevCmd *c)
{
        return sev_command_ok(f, out, "snp_platform_status", "SNP_PLATFORM_STATUS", "snp.snp-init", c);
}

static int check_snp_init(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        char eb[128], rb[64];
        int64_t state = 0, ma = 0, mi = 0, build = 0;
        int k = sev_command(f, out, "snp_platform_status", "SNP_PLATFORM_STATUS", &c);
        if (k <= 0)
                return k;
        const char *blocker = snp_blocker(f);
        if (c.error < 0) {
                const char *rel = NULL;
                /* sev-dev.c refuses the command with EINVAL until SNP is initialised; kernels < 6.11 lack
                 * it. */
                bool old = kernel_version_at_least(f, SNP_KERNEL_MIN, &rel) == 0;
                const char *why = old                  ? "this kernel does not know the command"
                                  : c.error == -EINVAL ? "the kernel has not initialised SEV-SNP"
                                                       : "the firmware refused it";
                const char *line = kmsg_find2(f, "SEV-SNP: ", "failed");
                return finding_fail(
                        out,
                        blocker
                                ?: "The kernel initialises SNP when kvm_amd loads with sev_snp=1 on "
                                   "an SNP-enabled BIOS; look for \"SEV-SNP: ... failed\" in dmesg.",
                        "SNP_PLATFORM_STATUS (SEV_ISSUE_CMD) on /dev/sev failed: %s: %s%s%s%s%s%s",
                        sev_cmd_error_str(&c, eb), why, old ? " (kernel " : "",
                        old ? first_line(rel, rb, sizeof(rb)) : "", old ? ")" : "",
                        line ? "; kernel log: " : "", line ?: "");
        }
        if ((k = sev_int(f, out, &c, "state", &state)) <= 0)
                return k;
        json_object *v;
        if ((v = json_get(c.o, "api_major", json_type_int)))
                ma = json_object_get_int64(v);
        if ((v = json_get(c.o, "api_minor", json_type_int)))
                mi = json_object_get_int64(v);
        if ((v = json_get(c.o, "build", json_type_int)))
                build = json_object_get_int64(v);
        /* SEV-SNP firmware ABI, SNP_PLATFORM_STATUS STATE: 0 UNINIT, 1 INIT (what snphost tests). */
        if (state != 1)
                return finding_fail(out,
                                    blocker
                                            ?: "Load kvm_amd with sev_snp=1 on a kernel >= 6.11 so that it "
                                               "initialises SNP; see dmesg for \"SEV-SNP\" errors.",
                                    "SEV-SNP firmware state %s (%" PRId64
                                    ", SNP_PLATFORM_STATUS on /dev/sev): "
                                    "SNP is not initialised",
                                    state == 0 ? "UNINIT" : "unknown", state);
        return finding_pass(out,
                            "SEV-SNP firmware initialised (SNP_PLATFORM_STATUS state INIT), SNP API %" PRId64
                            ".%" PRId64 " build %" PRId64,
                            ma, mi, build);
}

static int check_rmp_init(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        bool rmp = false;
        int k = snp_status(f, out, &c);
        if (k <= 0 || (k = sev_bool(f, out, &c, "is_rmp_initialized", &rmp)) <= 0)
                return k;
        if (!rmp)
                return finding_fail(
                        out, snp_blocker(f) ?: HINT_BIOS_SNP,
                        "SNP_PLATFORM_STATUS byte 3 bit 0 (IS_RMP_INIT) is clear: the RMP table is "
                        "not initialised");
        return finding_pass(out,
                            "SNP_PLATFORM_STATUS byte 3 bit 0 (IS_RMP_INIT) is set: the RMP is initialised");
}

static int check_alias_check(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        bool done = false;
        int k = snp_status(f, out, &c);
        if (k <= 0 || (k = sev_bool(f, out, &c, "alias_check_complete", &done)) <= 0)
                return k;
        /*
         * CVE-2024-21944 (AMD-SB-3015, "BadRAM"): firmware from Milan 1.55.22 / Genoa 1.55.38 checks the
         * memory map for aliases at boot and reports it in byte 3 bit 1 (virtee/sev PlatformInit); older
         * firmware leaves the bit clear because it never checks.
         */
        if (!done)
                return finding_warn(
                        out,
                        "Update the BIOS to SEV firmware with the alias check (Milan >= 1.55.22, Genoa "
                        ">= 1.55.38; AMD-SB-3015); attestation verifiers may reject reports without it.",
                        "SNP_PLATFORM_STATUS byte 3 bit 1 (ALIAS_CHECK_COMPLETE) is clear: no "
                        "memory-alias check since boot (CVE-2024-21944)");
        return finding_pass(out,
                            "SNP_PLATFORM_STATUS byte 3 bit 1 (ALIAS_CHECK_COMPLETE) is set: no aliased "
                            "memory (CVE-2024-21944)");
}

/* "0x... (bootloader 9, tee 0, snp 23, microcode 72)" from a TCB object of the sev facts. */
static const char *tcb_str(json_object *tcb, char *buf, size_t size)
{
        size_t l = (size_t) snprintf(buf, size, "%s", json_get_string(tcb, "raw") ?: "?");
        bool first = true;
        json_object_object_foreach (tcb, key, val) {
                if (streq(key, "raw") || !json_object_is_type(val, json_type_int) || l >= size)
                        continue;
                l += (size_t) snprintf(buf + l, size - l, "%s%s %d", first ? " (" : ", ", key,
                                       json_object_get_int(val));
                first = false;
        }
        if (!first && l < size)
                snprintf(buf + l, size - l, ")");
        return buf;
}

static int check_tcb(const HostFacts *f, cvm_finding *out)
{
        SevCmd c;
        char src[PATH_MAX], a[160], b[160];
        int k = snp_status(f, out, &c);
        if (k <= 0)
                return k;
        json_object *cur = json_get(c.o, "current_tcb", json_type_object),
                    *rep = json_get(c.o, "reported_tcb", json_type_object);
        uint64_t cv, rv;
        if (json_hex_get(json_get(cur, "raw", json_type_string), &cv) < 0 ||
            json_hex_get(json_get(rep, "raw", json_type_string), &rv) < 0)
                return finding_skip(out, "%s lacks current_tcb/reported_tcb \"raw\" hex strings",
                                    probe_source(f, "sev", "the sev facts", src));
        if (cv != rv)
                return finding_warn(
                        out,
                        "Commit the installed firmware so reports carry its TCB: sudo snphost commit "
                        "(SNP_COMMIT), or set the reported TCB with snphost config set.",
                        "SNP_PLATFORM_STATUS: current TCB %s differs from the reported TCB %s; "
                        "attestation reports and VCEKs use the reported one",
                        tcb_str(cur, a, sizeof(a)), tcb_str(rep, b, sizeof(b)));
        return finding_pass(out, "SNP_PLATFORM_STATUS: current TCB equals the reported TCB, %s",
                            tcb_str(cur, a, sizeof(a)));
}

static int check_asids(const HostFacts *f, cvm_finding *out)
{
        uint64_t cap, cur;
        const char *src = NULL;
        int k = facts_misc_resource(f, "sev_es", &cap, &cur, &src);
        if (k == -ENOENT)
                return finding_skip(
                        out, "No misc cgroup: neither /sys/fs/cgroup/misc.capacity (v2) nor "
                             "/sys/fs/cgroup/misc/misc.capacity (v1) was found, so free ASIDs are unknown");
        if (k == -ENODATA) {
                const char *blocker = sev_blocker(f, LEVEL_SEV_ES);
                return finding_fail(out,
                                    blocker
                                            ?: "KVM registers sev_es only when kvm_amd enables SEV-ES (see "
                                               "snp.kvm-sev-es and snp.cpuid-asids).",
                                    "%s has no sev_es line: KVM did not register SEV-ES/SEV-SNP ASIDs",
                                    src ?: "misc.capacity");
        }
        if (k == -EBADMSG)
                return finding_skip(out, "%s is malformed (want lines \"NAME VALUE\")",
                                    src ?: "misc.capacity");
        if (k < 0) {
                char buf[64];
                return finding_skip(out, "%s: %s", src ?: "misc.capacity", probe_failure_str(k, buf));
        }
        if (cap == 0)
                return finding_fail(
                        out,
                        "Raise the BIOS setting \"SEV-ES ASID Space Limit\" (AMD CBS > CPU Common "
                        "Options) so that ASIDs are reserved for SEV-ES/SEV-SNP.",
                        "%s: sev_es capacity is 0: no ASIDs for SEV-ES/SEV-SNP guests", src);
        bool known = facts_misc_current_known(f, src);
        if (known && cur >= cap)
                return finding_warn(out,
                                    "Stop an SEV-ES/SEV-SNP guest to free an ASID; the count is fixed by "
                                    "\"SEV-ES ASID Space Limit\" in the BIOS.",
                                    "%s: all %" PRIu64 " SEV-ES/SEV-SNP ASIDs (sev_es) are in use", src,
                                    cap);
        if (!known)
                return finding_pass(out,
                                    "%s: %" PRIu64 " SEV-ES/SEV-SNP ASIDs (sev_es); usage unknown (no "
                                    "misc.current)",
                                    src, cap);
        return finding_pass(out, "%s: %" PRIu64 " of %" PRIu64 " SEV-ES/SEV-SNP ASIDs (sev_es) free", src,
                            cap - cur, cap);
}

const HostCheck snp_checks[] = {
        { "snp.cpu-vendor", CVM_TEE_SNP, CHECK_REQUIRED, check_cpu_vendor },
        { "snp.cpuid-sme", CVM_TEE_SNP, 0, check_cpuid_sme },
        { "snp.syscfg-smee", CVM_TEE_SNP, 0, check_syscfg_smee },
        { "snp.cpuid-sev", CVM_TEE_SNP, 0, check_cpuid_sev },
        { "snp.cpuid-sev-es", CVM_TEE_SNP, 0, check_cpuid_sev_es },
        { "snp.cpuid-sev-snp", CVM_TEE_SNP, CHECK_REQUIRED, check_cpuid_sev_snp },
        { "snp.cpuid-vmpl", CVM_TEE_SNP, 0, check_cpuid_vmpl },
        { "snp.syscfg-snp", CVM_TEE_SNP, 0, check_syscfg_snp },
        { "snp.rmp-table", CVM_TEE_SNP, 0, check_rmp_table },
        { "snp.cpuid-cbit", CVM_TEE_SNP, 0, check_cpuid_cbit },
        { "snp.cpuid-asids", CVM_TEE_SNP, 0, check_cpuid_asids },
        { "snp.cpu-flags", CVM_TEE_SNP, 0, check_cpu_flags },
        { "snp.kernel", CVM_TEE_SNP, CHECK_REQUIRED, check_kernel },
        { "snp.kvm-amd", CVM_TEE_SNP, CHECK_REQUIRED, check_kvm_amd },
        { "snp.kvm-sev", CVM_TEE_SNP, 0, check_kvm_sev },
        { "snp.kvm-sev-es", CVM_TEE_SNP, 0, check_kvm_sev_es },
        { "snp.kvm-sev-snp", CVM_TEE_SNP, CHECK_REQUIRED, check_kvm_sev_snp },
        { "snp.kvm-vm-type", CVM_TEE_SNP, CHECK_REQUIRED, check_kvm_vm_type },
        { "snp.dev-sev", CVM_TEE_SNP, CHECK_REQUIRED, check_dev_sev },
        { "snp.dev-sev-access", CVM_TEE_SNP, 0, check_dev_sev_access },
        { "snp.firmware-version", CVM_TEE_SNP, CHECK_REQUIRED, check_firmware_version },
        { "snp.sev-init", CVM_TEE_SNP, 0, check_sev_init },
        { "snp.sev-es-init", CVM_TEE_SNP, 0, check_sev_es_init },
        { "snp.snp-init", CVM_TEE_SNP, CHECK_REQUIRED, check_snp_init },
        { "snp.rmp-init", CVM_TEE_SNP, 0, check_rmp_init },
        { "snp.alias-check", CVM_TEE_SNP, 0, check_alias_check },
        { "snp.tcb", CVM_TEE_SNP, 0, check_tcb },
        { "snp.asids", CVM_TEE_SNP, 0, check_asids },
        {},
};
