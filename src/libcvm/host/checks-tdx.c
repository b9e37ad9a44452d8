/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel TDX host readiness, in the order of launch.md §6.1: the CPU, the kernel, what the BIOS set up
 * (MSRs, DIMM population), what the kernel made of it (tdx_host_platform, the virt/tdx boot messages), KVM
 * (kvm_intel.tdx, KVM_CAP_VM_TYPES, guest_memfd), TDX KeyIDs left for guests (misc cgroup), and the
 * attestation plumbing (SGX device nodes, a Quote Generation Service).
 *
 * Each check names what it saw and where. A check whose premise failed upstream says so in its hint and
 * names the upstream check (tdx_blocker()); on a non-Intel CPU tdx.cpu fails once and the other TDX
 * checks are skipped with that reason, except tdx.vm-type, which asks KVM exactly what QEMU asks.
 *
 * Device nodes: fake host trees (--root) cannot hold device nodes in git, so they carry empty regular
 * files; a device path of type "file" counts as present, exactly like "char".
 */
#include <inttypes.h>

#include "checks.h"
#include "cpuid-util.h"
#include "kvm-abi.h"
#include "misc-cgroup.h"
#include "parse-util.h"
#include "smbios.h"

/* Linux 6.16 merged KVM TDX host support (KVM_X86_TDX_VM, kvm_intel.tdx); launch.md §8. */
#define TDX_KERNEL_MIN "6.16"

/*
 * MSRs (launch.md §6.1 item 2: canonical/tdx tests/tests/host/test_host_tdx_hardware.py, system-report.sh;
 * bit names from the Linux TDX host patches, arch/x86/include/asm/msr-index.h and arch/x86/virt/vmx/tdx).
 */
#define MSR_IA32_MKTME_KEYID_PARTITIONING 0x87   /* 31:0 MKTME KeyIDs, 63:32 TDX private KeyIDs */
#define MSR_SGX_MCHECK_STATUS             0xa0   /* 0 when SGX and MCHECK are fine (canonical's test) */
#define MSR_PLATFORM_INFO                 0xce   /* bit 27: pre-production part (check-production.sh) */
#define MSR_IA32_TME_ACTIVATE             0x982  /* bit 1: TME enabled */
#define MSR_IA32_SEAMRR_PHYS_MASK         0x1401 /* bit 11: SEAMRR enabled (bit 10: locked) */
#define TME_ACTIVATE_ENABLED              (UINT64_C(1) << 1)
#define SEAMRR_PHYS_MASK_ENABLED          (UINT64_C(1) << 11)
#define PLATFORM_INFO_PRE_PRODUCTION      (UINT64_C(1) << 27)
/* canonical/tdx test_host_tdx_hardware.py asserts more than 16 TDX private KeyIDs. */
#define TDX_KEYIDS_CANONICAL_MIN 16

#define KVM_INTEL_TDX_PARAM "/sys/module/kvm_intel/parameters/tdx"
#define SGX_ENCLAVE         "/dev/sgx_enclave"
#define SGX_PROVISION       "/dev/sgx_provision"
#define QGS_SOCKET          "/var/run/tdx-qgs/qgs.socket"

#define HINT_BIOS_TDX                                                                                       \
        "In the BIOS enable \"TME\", \"TME-MT\" (Multi-Key TME), \"TDX\" and \"SEAM Loader\", set "         \
        "\"TME-MT/TDX key split\" to a non-zero value, leave \"TME-MT integrity\" off, enable \"SGX\", "    \
        "then "                                                                                             \
        "power-cycle (canonical/tdx README §4.3)."
#define HINT_MSR "Load the msr driver (modprobe msr) and run as root to read it."

const FactFile tdx_fact_files[] = {
        { "/proc/cpuinfo", FACT_TEXT },
        { "/proc/cmdline", FACT_TEXT },
        { "/proc/sys/kernel/osrelease", FACT_TEXT },
        { "/sys/module/kvm_intel", FACT_PRESENCE },
        { KVM_INTEL_TDX_PARAM, FACT_TEXT },
        { "/sys/fs/cgroup/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/misc.current", FACT_TEXT },
        { "/sys/fs/cgroup/misc/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/misc/misc.current", FACT_TEXT },
        { "/sys/fs/cgroup/unified/misc.capacity", FACT_TEXT },
        { "/sys/fs/cgroup/unified/misc.current", FACT_TEXT },
        /* Raw SMBIOS Memory Device records; readable by root only (drivers/firmware/dmi-sysfs.c). */
        { "/sys/firmware/dmi/entries/17-*/raw", FACT_BINARY },
        { SGX_ENCLAVE, FACT_PRESENCE },
        { SGX_PROVISION, FACT_PRESENCE },
        { "/dev/sgx_vepc", FACT_PRESENCE },
        {},
};

/* ---- CPU identity ---- */

/* CPU models with TDX, family 6 (canonical/tdx attestation/check-production.sh; launch.md §6.1). */
static const struct {
        unsigned model;
        const char *name;
} tdx_models[] = {
        { 143, "Sapphire Rapids" },
        { 207, "Emerald Rapids" },
        { 173, "Granite Rapids" },
        { 175, "Sierra Forest" },
};

typedef struct CpuId {
        char vendor[16];
        const char *source; /* where vendor, family and model were read */
        bool fms_known;
        unsigned family, model;
        char name[80];
} CpuId;

/* The value of "key : value" in the first processor stanza, matching the key exactly ("model" is not
 * "model name"), blanks trimmed. */
static const char *cpuinfo_field(const HostFacts *f, const char *key, char *buf, size_t size)
{
        const char *t;
        if (facts_file_text(f, "/proc/cpuinfo", &t) < 0)
                return NULL;
        for (const char *line = t; *line && *line != '\n';) {
                const char *eol = strchrnul(line, '\n'), *colon = memchr(line, ':', (size_t) (eol - line));
                if (colon) {
                        const char *ke = colon;
                        while (ke > line && (ke[-1] == ' ' || ke[-1] == '\t'))
                                ke--;
                        if ((size_t) (ke - line) == strlen(key) && strneq(line, key, strlen(key))) {
                                const char *v = colon + 1;
                                while (v < eol && (*v == ' ' || *v == '\t'))
                                        v++;
                                const char *ve = eol;
                                while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
                                        ve--;
                                snprintf(buf, size, "%.*s", (int) (ve - v), v);
                                return buf;
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
        return NULL;
}

/* 0 with what is known; -ENODATA when neither /proc/cpuinfo nor CPUID facts name the vendor. */
static int cpu_identify(const HostFacts *f, CpuId *ret)
{
        CpuId c = {};
        char buf[128];
        uint32_t r[4];

        if (cpuinfo_field(f, "vendor_id", buf, sizeof(buf))) {
                snprintf(c.vendor, sizeof(c.vendor), "%.12s", buf);
                c.source = "/proc/cpuinfo";
                unsigned fam, mod;
                if (cpuinfo_field(f, "cpu family", buf, sizeof(buf)) && safe_atou(buf, 10, &fam) >= 0 &&
                    cpuinfo_field(f, "model", buf, sizeof(buf)) && safe_atou(buf, 10, &mod) >= 0) {
                        c.fms_known = true;
                        c.family = fam;
                        c.model = mod;
                }
                if (cpuinfo_field(f, "model name", buf, sizeof(buf)))
                        snprintf(c.name, sizeof(c.name), "%.79s", buf);
        } else if (facts_cpuid(f, 0, 0, r) >= 0) {
                cpuid_vendor_string(r, c.vendor);
                c.source = "CPUID leaves 0 and 1";
                if (facts_cpuid(f, 1, 0, r) >= 0) {
                        /* Intel SDM vol. 2A CPUID leaf 1 EAX: the display family and model. */
                        uint32_t eax = r[CPUID_EAX], fam = (eax >> 8) & 0xf, mod = (eax >> 4) & 0xf;
                        if (fam == 0xf)
                                fam += (eax >> 20) & 0xff;
                        if (fam == 6 || fam >= 0xf)
                                mod |= ((eax >> 16) & 0xf) << 4;
                        c.fms_known = true;
                        c.family = fam;
                        c.model = mod;
                }
        } else
                return -ENODATA;

        *ret = c;
        return 0;
}

static bool cpu_is_intel(const CpuId *c)
{
        return streq(c->vendor, "GenuineIntel");
}

/* On a CPU known not to be Intel's, fills a skip finding and returns true. */
static bool tdx_skip_not_intel(const HostFacts *f, cvm_finding *out, int *ret)
{
        CpuId c;
        if (cpu_identify(f, &c) < 0 || cpu_is_intel(&c))
                return false;
        *ret = finding_skip(out, "Not applicable: not an Intel CPU (vendor %s in %s; see tdx.cpu)", c.vendor,
                            c.source);
        return true;
}

#define SKIP_IF_NOT_INTEL(f, out)                                                                           \
        do {                                                                                                \
                int _r_;                                                                                    \
                if (tdx_skip_not_intel((f), (out), &_r_))                                                   \
                        return _r_;                                                                         \
        } while (0)

/* ---- shared readings ---- */

static int kvm_vm_types(const HostFacts *f, int64_t *ret)
{
        return facts_kvm_extension(f, "KVM_CAP_VM_TYPES", ret);
}

static bool kvm_offers_tdx(const HostFacts *f)
{
        int64_t t;
        return kvm_vm_types(f, &t) >= 0 && t > 0 && ((uint64_t) t & (UINT64_C(1) << KVM_VM_TYPE_TDX));
}

/* Whether the kernel command line holds word (a whole whitespace-separated token): 1/0, or -errno. */
static int cmdline_has(const HostFacts *f, const char *word)
{
        const char *t;
        int r = facts_file_text(f, "/proc/cmdline", &t);
        if (r < 0)
                return r;
        size_t l = strlen(word);
        for (const char *p = t; (p = strstr(p, word)); p += l)
                if ((p == t || p[-1] == ' ' || p[-1] == '\t') && (p[l] == 0 || p[l] == ' ' || p[l] == '\n'))
                        return 1;
        return 0;
}

/* kvm_intel.tdx=1 (or an equivalent spelling: the kernel treats '-' and '_' alike in parameter names). */
static bool cmdline_requests_tdx(const HostFacts *f)
{
        static const char *const spellings[] = {
                "kvm_intel.tdx=1", "kvm-intel.tdx=1", "kvm_intel.tdx=Y",  "kvm-intel.tdx=Y",
                "kvm_intel.tdx=y", "kvm-intel.tdx=y", "kvm_intel.tdx=on", "kvm-intel.tdx=on",
        };
        for (size_t i = 0; i < ELEMENTSOF(spellings); i++)
                if (cmdline_has(f, spellings[i]) > 0)
                        return true;
        return false;
}

/*
 * The kernel's TDX boot messages (launch.md §6.1 item 3): arch/x86/virt/vmx/tdx/tdx.c logs with prefix
 * "virt/tdx: ", arch/x86/kvm/vmx/tdx.c tdx_bringup() with "kvm_intel: ". Failures, most upstream first.
 */
static const struct {
        const char *needle;
        const char *hint;
} tdx_log_failures[] = {
        { "initialization failed: Hibernation support is enabled",
          "Add nohibernate to the kernel command line: the kernel keeps TDX off while hibernation "
          "is possible (Documentation/arch/x86/tdx.rst)." },
        { "initialization failed: too few private KeyIDs available",
          "Raise \"TME-MT/TDX key split\" in the BIOS: TDX needs at least 2 private KeyIDs, one of "
          "them for the TDX module itself." },
        { "tdx: no TDX private KeyIDs available", HINT_BIOS_TDX },
        { "TDX not supported by the host platform", HINT_BIOS_TDX },
        { "virt/tdx: module not loaded",
          "The BIOS did not load a TDX module: enable \"SEAM Loader\" and \"TDX\" in the BIOS, or "
          "update to a BIOS that carries the TDX module." },
        { "virt/tdx: module initialization failed",
          "The TDX module refused to initialise. Update the BIOS (it carries the TDX module; old "
          "1.0/1.5 modules fail with current kernels, canonical/tdx #331, #348) and check the DIMM "
          "population (tdx.dimms)." },
        { "kvm_intel: Failed to initialize TDX module.",
          "The TDX module refused to initialise. Update the BIOS (it carries the TDX module; "
          "canonical/tdx #331) and check the DIMM population (tdx.dimms)." },
        { "Disable TDX: MAX_VCPU_PER_TD",
          "The TDX module allows fewer vCPUs per TD than this host has logical CPUs, so KVM "
          "disabled TDX: update the BIOS to a newer TDX module." },
        { "tdx requires kvm.enable_virt_at_load=1",
          "Remove kvm.enable_virt_at_load=0 from the kernel command line." },
        { "EPT is required for TDX", "Remove kvm_intel.ept=0 from the kernel command line." },
        { "APICv is required for TDX", "Remove kvm_intel.enable_apicv=0 from the kernel command line." },
        { "TDP MMU and MMIO caching and EPT A/D bit is required for TDX",
          "Remove kvm.tdp_mmu=0, kvm.enable_mmio_caching=0 and kvm_intel.eptad=0 from the kernel "
          "command line." },
};

typedef struct TdxLog {
        int error;        /* < 0: the log was not readable */
        const char *bios; /* "virt/tdx: BIOS enabled: private KeyID range [S, E)" */
        bool range_known;
        unsigned keyid_start, keyid_end;
        const char *initialized, *version;
        const char *failure, *failure_hint;
        bool any; /* any TDX line at all */
} TdxLog;

/* "[S, E)" after "private KeyID range" (the documentation's example has a colon; the code has none). */
static bool parse_keyid_range(const char *line, unsigned *ret_s, unsigned *ret_e)
{
        const char *p = strstr(line, "private KeyID range");
        unsigned s, e;
        int n = 0;
        if (!p || !(p = strchr(p, '[')) || sscanf(p, "[%u, %u)%n", &s, &e, &n) != 2 || n == 0 || e <= s)
                return false;
        *ret_s = s;
        *ret_e = e;
        return true;
}

static void tdx_log_read(const HostFacts *f, TdxLog *ret)
{
        json_object *k;
        TdxLog l = {};

        l.error = facts_probe_result(f, "kmsg", &k);
        if (l.error >= 0) {
                l.bios = kmsg_find(f, "BIOS enabled: private KeyID range");
                if (l.bios)
                        l.range_known = parse_keyid_range(l.bios, &l.keyid_start, &l.keyid_end);
                l.initialized = kmsg_find(f, "virt/tdx: module initialized");
                l.version = kmsg_find(f, ", build number ");
                if (l.version && !strstr(l.version, "TDX module "))
                        l.version = NULL;
                if (!l.version)
                        l.version = kmsg_find(f, "TDX module: attributes");
                for (size_t i = 0; i < ELEMENTSOF(tdx_log_failures) && !l.failure; i++)
                        if ((l.failure = kmsg_find(f, tdx_log_failures[i].needle)))
                                l.failure_hint = tdx_log_failures[i].hint;
                l.any = l.bios || l.initialized || l.version || l.failure || kmsg_find(f, "virt/tdx:");
        }
        *ret = l;
}

static int keyid_partitioning(const HostFacts *f, uint32_t *ret_mktme, uint32_t *ret_tdx)
{
        uint64_t v;
        int r = facts_msr(f, MSR_IA32_MKTME_KEYID_PARTITIONING, &v);
        if (r < 0)
                return r;
        *ret_mktme = (uint32_t) v;
        *ret_tdx = (uint32_t) (v >> 32);
        return 0;
}

/*
 * Stages of the TDX bring-up chain. tdx_blocker(f, stage) names the most upstream failure before stage,
 * for the hints of checks that merely see its consequences.
 */
typedef enum TdxStage {
        STAGE_CPU,
        STAGE_KERNEL,
        STAGE_BIOS,
        STAGE_PLATFORM,
        STAGE_MODULE,
        STAGE_KVM_PARAM,
        STAGE_KVM,
} TdxStage;

static bool platform_flag_missing(const HostFacts *f)
{
        return cpuinfo_has_flag(f, "tdx_host_platform") == 0 && !kvm_offers_tdx(f);
}

static bool kvm_param_off(const HostFacts *f)
{
        return facts_file_bool(f, KVM_INTEL_TDX_PARAM) == 0;
}

static const char *tdx_blocker(const HostFacts *f, TdxStage before)
{
        static _Thread_local char buf[512];
        CpuId c;
        uint64_t v;
        uint32_t mktme, tdx;
        TdxLog l;

        if (before > STAGE_CPU && cpu_identify(f, &c) >= 0 && !cpu_is_intel(&c))
                return "This is not an Intel CPU (see tdx.cpu).";
        if (before > STAGE_KERNEL && kernel_version_at_least(f, TDX_KERNEL_MIN, NULL) == 0 &&
            !kvm_offers_tdx(f))
                return "The kernel predates KVM TDX host support (see tdx.kernel): install Linux >= 6.16.";
        if (before > STAGE_BIOS) {
                if (facts_msr(f, MSR_IA32_SEAMRR_PHYS_MASK, &v) >= 0 && !(v & SEAMRR_PHYS_MASK_ENABLED))
                        return "The BIOS left SEAMRR off (see tdx.msr-seamrr). " HINT_BIOS_TDX;
                if (keyid_partitioning(f, &mktme, &tdx) >= 0 && tdx == 0)
                        return "The BIOS assigned no TDX private KeyIDs (see "
                               "tdx.msr-keyids). " HINT_BIOS_TDX;
        }
        if (before > STAGE_PLATFORM) {
                tdx_log_read(f, &l);
                if (l.failure && strstr(l.failure, "virt/tdx: initialization failed")) {
                        snprintf(buf, sizeof(buf), "The kernel logged '%s' (see tdx.module). %s", l.failure,
                                 l.failure_hint);
                        return buf;
                }
                if (platform_flag_missing(f))
                        return "The kernel found no BIOS-enabled TDX: /proc/cpuinfo lacks "
                               "tdx_host_platform (see tdx.platform). " HINT_BIOS_TDX;
        }
        if (before > STAGE_MODULE) {
                tdx_log_read(f, &l);
                if (l.failure) {
                        snprintf(buf, sizeof(buf), "The kernel logged '%s' (see tdx.module). %s", l.failure,
                                 l.failure_hint);
                        return buf;
                }
        }
        if (before > STAGE_KVM_PARAM && kvm_param_off(f)) {
                if (cmdline_requests_tdx(f))
                        return "kvm_intel turned TDX off at load although the command line asks for "
                               "it (see tdx.kvm-param and tdx.module).";
                return "kvm_intel.tdx is off (see tdx.kvm-param): add kvm_intel.tdx=1 to the kernel "
                       "command line and reboot.";
        }
        return NULL;
}

/* ---- checks ---- */

static int check_cpu(const HostFacts *f, cvm_finding *out)
{
        CpuId c;
        int r = cpu_identify(f, &c);
        if (r < 0)
                return finding_skip(out,
                                    "CPU unknown: neither /proc/cpuinfo nor CPUID facts were collected");
        if (!cpu_is_intel(&c))
                return finding_fail(
                        out,
                        "TDX exists only on Intel Xeon processors (4th generation, Sapphire Rapids, "
                        "and later); on AMD EPYC run SEV-SNP guests (cvm check --tee=snp).",
                        "Not an Intel CPU: vendor %s (%s)", c.vendor, c.source);
        if (!c.fms_known)
                return finding_skip(out, "Intel CPU, but family and model unknown (%s)", c.source);

        const char *name = isempty(c.name) ? "" : c.name;
        for (size_t i = 0; i < ELEMENTSOF(tdx_models); i++)
                if (c.family == 6 && c.model == tdx_models[i].model)
                        return finding_pass(
                                out, "Intel family 6 model %u (%s)%s%s%s, a TDX-capable Xeon (%s)", c.model,
                                tdx_models[i].name, *name ? ", '" : "", name, *name ? "'" : "", c.source);
        return finding_warn(
                out,
                "TDX needs a 4th generation Xeon Scalable or later; cvm knows family 6 models 143 "
                "(Sapphire Rapids), 207 (Emerald Rapids), 173 (Granite Rapids), 175 (Sierra Forest). "
                "A newer model may work: the checks below tell.",
                "Intel family %u model %u%s%s%s (%s) is not a CPU model cvm knows to support TDX", c.family,
                c.model, *name ? " '" : "", name, *name ? "'" : "", c.source);
}

static int check_kernel(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        const char *rel;
        char buf[64];
        int r = kernel_version_at_least(f, TDX_KERNEL_MIN, &rel);
        if (r < 0)
                return finding_skip(out, "Kernel release unknown: /proc/sys/kernel/osrelease: %s",
                                    probe_failure_str(r, buf));
        int len = (int) strcspn(rel, "\n");
        if (r > 0)
                return finding_pass(out, "Kernel %.*s (/proc/sys/kernel/osrelease) is >= %s", len, rel,
                                    TDX_KERNEL_MIN);
        if (kvm_offers_tdx(f))
                return finding_warn(
                        out,
                        "Distribution kernels with backported TDX support differ from upstream; "
                        "prefer Linux >= 6.16 or the distribution's supported TDX kernel.",
                        "Kernel %.*s (/proc/sys/kernel/osrelease) is older than %s, yet KVM offers "
                        "TDX VMs: a distribution backport",
                        len, rel, TDX_KERNEL_MIN);
        return finding_fail(
                out,
                "Install Linux >= 6.16 built with CONFIG_INTEL_TDX_HOST and CONFIG_KVM_INTEL_TDX, or "
                "a distribution kernel with TDX host support (canonical/tdx, CentOS virt SIG).",
                "Kernel %.*s (/proc/sys/kernel/osrelease) predates KVM TDX host support (Linux %s)", len,
                rel, TDX_KERNEL_MIN);
}

/* Reads an MSR for a check; on failure fills a skip (or, for EIO, a fail) finding and returns false. */
static bool msr_read(const HostFacts *f, cvm_finding *out, uint32_t msr, const char *name, uint64_t *ret,
                     int *ret_r)
{
        char buf[64];
        int r = facts_msr(f, msr, ret);
        if (r >= 0)
                return true;
        if (r == -EIO)
                *ret_r = finding_fail(out, "This CPU or BIOS lacks TDX support. " HINT_BIOS_TDX,
                                      "MSR 0x%x (%s) does not exist on this CPU (reading it gives EIO)", msr,
                                      name);
        else
                *ret_r = finding_skip(out, "MSR 0x%x (%s) not read: %s. " HINT_MSR, msr, name,
                                      probe_failure_str(r, buf));
        return false;
}

static int check_msr_tme(const HostFacts *f, cvm_finding *out)
{
        uint64_t v;
        int r;
        SKIP_IF_NOT_INTEL(f, out);
        if (!msr_read(f, out, MSR_IA32_TME_ACTIVATE, "IA32_TME_ACTIVATE", &v, &r))
                return r;
        if (!(v & TME_ACTIVATE_ENABLED))
                return finding_fail(out, HINT_BIOS_TDX,
                                    "MSR 0x982 (IA32_TME_ACTIVATE) = 0x%" PRIx64
                                    ": bit 1 clear, Total Memory Encryption is off",
                                    v);
        return finding_pass(out, "MSR 0x982 (IA32_TME_ACTIVATE) = 0x%" PRIx64 ": TME enabled (bit 1)", v);
}

static int check_msr_seamrr(const HostFacts *f, cvm_finding *out)
{
        uint64_t v;
        int r;
        SKIP_IF_NOT_INTEL(f, out);
        if (!msr_read(f, out, MSR_IA32_SEAMRR_PHYS_MASK, "IA32_SEAMRR_PHYS_MASK", &v, &r))
                return r;
        if (!(v & SEAMRR_PHYS_MASK_ENABLED))
                return finding_fail(
                        out, HINT_BIOS_TDX,
                        "MSR 0x1401 (IA32_SEAMRR_PHYS_MASK) = 0x%" PRIx64
                        ": bit 11 clear, the BIOS did not enable the SEAM range that holds the TDX "
                        "module",
                        v);
        return finding_pass(
                out, "MSR 0x1401 (IA32_SEAMRR_PHYS_MASK) = 0x%" PRIx64 ": SEAMRR enabled (bit 11)", v);
}

static int check_msr_keyids(const HostFacts *f, cvm_finding *out)
{
        uint64_t v;
        int r;
        SKIP_IF_NOT_INTEL(f, out);
        if (!msr_read(f, out, MSR_IA32_MKTME_KEYID_PARTITIONING, "IA32_MKTME_KEYID_PARTITIONING", &v, &r))
                return r;
        uint32_t mktme = (uint32_t) v, tdx = (uint32_t) (v >> 32);
        if (tdx == 0)
                return finding_fail(out, HINT_BIOS_TDX,
                                    "MSR 0x87 (IA32_MKTME_KEYID_PARTITIONING) = 0x%" PRIx64
                                    ": 0 TDX private KeyIDs (bits 63:32), %" PRIu32 " MKTME KeyIDs",
                                    v, mktme);

        /* arch/x86/virt/vmx/tdx/tdx.c: TDX KeyIDs start after the last MKTME KeyID and the kernel logs
         * "BIOS enabled: private KeyID range [mktme + 1, mktme + 1 + tdx)". */
        TdxLog l;
        tdx_log_read(f, &l);
        if (l.range_known && (l.keyid_start != mktme + 1 || l.keyid_end - l.keyid_start != tdx))
                return finding_warn(
                        out,
                        "The register and the log disagree: the BIOS may have changed the key split "
                        "since boot; reboot, then check again.",
                        "MSR 0x87 = 0x%" PRIx64 " says TDX KeyIDs [%" PRIu32 ", %" PRIu32
                        "), but the kernel log says '%s'",
                        v, mktme + 1, mktme + 1 + tdx, l.bios);
        if (tdx <= TDX_KEYIDS_CANONICAL_MIN)
                return finding_warn(
                        out,
                        "Raise \"TME-MT/TDX key split\" in the BIOS: each TD needs its own KeyID "
                        "and the TDX module keeps one (canonical/tdx's host test wants more than "
                        "16).",
                        "MSR 0x87 (IA32_MKTME_KEYID_PARTITIONING) = 0x%" PRIx64 ": only %" PRIu32
                        " TDX private KeyIDs (bits 63:32), %" PRIu32 " for TDs",
                        v, tdx, tdx - 1);
        return finding_pass(out,
                            "MSR 0x87 (IA32_MKTME_KEYID_PARTITIONING) = 0x%" PRIx64 ": %" PRIu32
                            " TDX private KeyIDs (bits 63:32), %" PRIu32 " MKTME KeyIDs",
                            v, tdx, mktme);
}

static int check_msr_mcheck(const HostFacts *f, cvm_finding *out)
{
        uint64_t v;
        int r;
        SKIP_IF_NOT_INTEL(f, out);
        if (!msr_read(f, out, MSR_SGX_MCHECK_STATUS, "SGX and MCHECK status", &v, &r))
                return r;
        if (v != 0)
                return finding_warn(
                        out,
                        "MCHECK validates the CPU and memory configuration at boot; check the DIMM "
                        "population (tdx.dimms) and the BIOS SGX/TDX settings, and update the BIOS.",
                        "MSR 0xa0 (SGX and MCHECK status) = 0x%" PRIx64
                        ", not 0 as canonical/tdx's host test expects",
                        v);
        return finding_pass(out, "MSR 0xa0 (SGX and MCHECK status) = 0");
}

static int check_msr_production(const HostFacts *f, cvm_finding *out)
{
        uint64_t v;
        int r;
        SKIP_IF_NOT_INTEL(f, out);
        if (!msr_read(f, out, MSR_PLATFORM_INFO, "MSR_PLATFORM_INFO", &v, &r))
                return r;
        if (v & PLATFORM_INFO_PRE_PRODUCTION)
                return finding_warn(
                        out,
                        "TDs run, but Intel's attestation services (PCS/PCCS) only certify "
                        "production parts: quotes from this CPU will not verify. Use a production "
                        "CPU for attestation.",
                        "MSR 0xce (MSR_PLATFORM_INFO) = 0x%" PRIx64 ": bit 27 set, a pre-production CPU", v);
        return finding_pass(
                out, "MSR 0xce (MSR_PLATFORM_INFO) = 0x%" PRIx64 ": bit 27 clear, a production CPU", v);
}

static int check_dimms(const HostFacts *f, cvm_finding *out)
{
        _cleanup_free_ MemoryDevice *devs = NULL;
        const char *bad = NULL;
        size_t n;
        char buf[64], total[32];

        SKIP_IF_NOT_INTEL(f, out);

        int r = facts_memory_devices(f, &devs, &n, &bad);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return finding_skip(out, "No SMBIOS Memory Device (Type 17) records in "
                                         "/sys/firmware/dmi/entries/17-*/raw: DIMM population unknown");
        if (r == -EBADMSG)
                return finding_skip(out,
                                    "%s is not a valid SMBIOS Memory Device (Type 17) record: DIMM "
                                    "population unknown",
                                    bad);
        if (r < 0)
                return finding_skip(out, "%s: %s; the raw SMBIOS entries are readable by root only",
                                    strna(bad), probe_failure_str(r, buf));

        DimmLayout *l = malloc(sizeof(DimmLayout));
        if (!l)
                return -ENOMEM;
        dimm_layout_analyze(devs, n, l);
        format_kib(l->total_kib, total);

        switch (l->symmetry) {
        case DIMM_SYMMETRIC:
                r = finding_pass(
                        out,
                        "%zu of %zu memory slots populated, %s: %s (SMBIOS Type 17; sockets and channels "
                        "from '%s', e.g. '%s' / '%s')",
                        l->n_populated, l->n_slots, total, l->reason, l->scheme, devs[0].locator,
                        devs[0].bank_locator);
                break;
        case DIMM_ASYMMETRIC:
                r = finding_warn(out,
                                 "Populate every CPU socket identically and every used channel alike (same "
                                 "DIMM count and size); TDX refuses to initialise on asymmetric population.",
                                 "Asymmetric DIMM population (SMBIOS Type 17, %zu of %zu slots, %s): %s",
                                 l->n_populated, l->n_slots, total, l->reason);
                break;
        default:
                r = finding_skip(out,
                                 "DIMM symmetry cannot be told from SMBIOS Type 17 (%zu of %zu slots "
                                 "populated, %s): %s",
                                 l->n_populated, l->n_slots, total, l->reason);
                break;
        }
        free(l);
        return r;
}

static int check_platform(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        int r = cpuinfo_has_flag(f, "tdx_host_platform");
        if (r < 0) {
                char buf[64];
                return finding_skip(out, "/proc/cpuinfo flags unknown: %s", probe_failure_str(r, buf));
        }
        if (r > 0)
                return finding_pass(out,
                                    "/proc/cpuinfo has tdx_host_platform: the kernel found TDX enabled by "
                                    "the BIOS");
        if (kvm_offers_tdx(f))
                return finding_warn(
                        out, "Nothing to do if TDs start; the flag exists in upstream kernels only.",
                        "/proc/cpuinfo lacks tdx_host_platform, yet KVM offers TDX VMs (a kernel "
                        "that does not report the flag)");

        TdxLog l;
        tdx_log_read(f, &l);
        const char *hint = tdx_blocker(f, STAGE_PLATFORM);
        if (!hint && l.failure && strstr(l.failure, "virt/tdx: initialization failed"))
                hint = l.failure_hint;
        if (l.failure && strstr(l.failure, "virt/tdx: initialization failed"))
                return finding_fail(out, hint,
                                    "/proc/cpuinfo lacks tdx_host_platform: the kernel logged '%s'",
                                    l.failure);
        return finding_fail(
                out,
                hint
                        ?: HINT_BIOS_TDX " The kernel also needs CONFIG_INTEL_TDX_HOST and "
                                         "nohibernate on its command line.",
                "/proc/cpuinfo lacks tdx_host_platform: the kernel did not find TDX enabled by the "
                "BIOS%s",
                l.bios ? " although it logged its KeyID range" : "");
}

static int check_nohibernate(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        int r = cmdline_has(f, "nohibernate");
        if (r == 0)
                r = cmdline_has(f, "hibernate=no");
        if (r < 0) {
                char buf[64];
                return finding_skip(out, "/proc/cmdline: %s", probe_failure_str(r, buf));
        }
        if (r > 0)
                return finding_pass(out, "/proc/cmdline disables hibernation, which TDX requires");
        /* tdx_init() sets tdx_host_platform only when hibernation_available() is false. */
        if (cpuinfo_has_flag(f, "tdx_host_platform") > 0)
                return finding_pass(out, "/proc/cmdline lacks nohibernate, but hibernation is unavailable "
                                         "anyway (the kernel set tdx_host_platform)");
        return finding_warn(out,
                            "Add nohibernate to the kernel command line (GRUB_CMDLINE_LINUX in "
                            "/etc/default/grub, then update-grub and reboot), as canonical/tdx "
                            "setup-tdx-host.sh does.",
                            "/proc/cmdline lacks nohibernate: the kernel keeps TDX off while hibernation is "
                            "possible (Documentation/arch/x86/tdx.rst)");
}

/* Whether SMBIOS shows an asymmetric DIMM population, with the reason in buf. */
static bool dimms_asymmetric(const HostFacts *f, char *buf, size_t size)
{
        _cleanup_free_ MemoryDevice *devs = NULL;
        size_t n;
        if (facts_memory_devices(f, &devs, &n, NULL) < 0)
                return false;
        _cleanup_free_ DimmLayout *l = malloc(sizeof(DimmLayout));
        if (!l)
                return false;
        dimm_layout_analyze(devs, n, l);
        if (l->symmetry != DIMM_ASYMMETRIC)
                return false;
        snprintf(buf, size, "%s", l->reason);
        return true;
}

static int check_module(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        TdxLog l;
        char buf[64], ver[160] = "";
        tdx_log_read(f, &l);
        if (l.error < 0)
                return finding_skip(out,
                                    "Kernel log not read (/dev/kmsg: %s): run as root, or set "
                                    "kernel.dmesg_restrict=0, to see the TDX module's boot messages",
                                    probe_failure_str(l.error, buf));
        if (l.version)
                snprintf(ver, sizeof(ver), "; '%s'", l.version);

        if (l.failure) {
                /* An asymmetric DIMM population is the likeliest reason for a module that will not come up.
                 */
                _cleanup_free_ char *hint = NULL;
                char why[512];
                if ((strstr(l.failure, "initialization failed (") ||
                     strstr(l.failure, "Failed to initialize")) &&
                    dimms_asymmetric(f, why, sizeof(why)) &&
                    asprintf(&hint,
                             "The DIMM population is asymmetric (see tdx.dimms: %s): populate every "
                             "socket and channel alike. %s",
                             why, l.failure_hint) < 0)
                        return -ENOMEM;
                return finding_fail(out, hint ?: l.failure_hint, "The kernel log says '%s'%s", l.failure,
                                    ver);
        }
        if (l.initialized)
                return finding_pass(out, "The kernel log says '%s'%s%s%s%s", l.initialized, ver,
                                    l.bios ? "; '" : "", strempty(l.bios), l.bios ? "'" : "");
        if (l.bios) {
                if (kvm_param_off(f))
                        return finding_skip(
                                out,
                                "The kernel log says '%s', but nothing initialised the TDX module: "
                                "KVM does so at load only with kvm_intel.tdx=1 (see tdx.kvm-param)",
                                l.bios);
                return finding_warn(
                        out,
                        "Look for 'virt/tdx' lines in dmesg: boot messages may have been overwritten "
                        "since; reload kvm_intel with tdx=1 to see them again.",
                        "The kernel log says '%s' but not 'virt/tdx: module initialized'", l.bios);
        }
        if (!l.any) {
                if (platform_flag_missing(f))
                        return finding_skip(out,
                                            "No 'virt/tdx' lines in the kernel log: the kernel found no "
                                            "TDX KeyIDs at boot (see tdx.platform)");
                return finding_skip(out,
                                    "No 'virt/tdx' lines in the kernel log (boot messages may have been "
                                    "overwritten since)");
        }
        return finding_skip(out, "The kernel log has TDX lines but none cvm interprets");
}

static int check_kvm_param(const HostFacts *f, cvm_finding *out)
{
        char buf[64];
        SKIP_IF_NOT_INTEL(f, out);

        int r = facts_file_bool(f, KVM_INTEL_TDX_PARAM);
        if (r > 0)
                return finding_pass(out, KVM_INTEL_TDX_PARAM " is Y: KVM brought TDX up");
        if (r == 0) {
                if (cmdline_requests_tdx(f)) {
                        const char *why = tdx_blocker(f, STAGE_KVM_PARAM);
                        return finding_fail(
                                out,
                                why
                                        ?: "KVM disables TDX when the TDX module does not come up; look "
                                           "for 'kvm_intel' and 'virt/tdx' lines in dmesg.",
                                KVM_INTEL_TDX_PARAM " is N although /proc/cmdline asks for "
                                                    "kvm_intel.tdx=1: kvm_intel turned TDX off at load");
                }
                return finding_fail(
                        out,
                        "TDX is opt-in: add kvm_intel.tdx=1 to the kernel command line (or 'options "
                        "kvm_intel tdx=1' in /etc/modprobe.d/), then reboot or reload kvm_intel.",
                        KVM_INTEL_TDX_PARAM " is N and /proc/cmdline lacks kvm_intel.tdx=1");
        }
        if (r == -EINVAL) {
                const char *t = "";
                (void) facts_file_text(f, KVM_INTEL_TDX_PARAM, &t);
                return finding_skip(out, KVM_INTEL_TDX_PARAM " holds '%.*s', not Y or N",
                                    (int) strcspn(t, "\n"), t);
        }
        if (r != -ENOENT)
                return finding_skip(out, KVM_INTEL_TDX_PARAM ": %s", probe_failure_str(r, buf));

        const char *type;
        int k = facts_path_type(f, "/sys/module/kvm_intel", &type);
        if (k == -ENOENT) {
                /* Linux 6.16 vt_init(): a TDX bring-up failure other than "module not loaded" fails the
                 * whole kvm_intel load. */
                TdxLog l;
                tdx_log_read(f, &l);
                if (l.failure)
                        return finding_fail(out, l.failure_hint,
                                            "kvm_intel is not loaded (no /sys/module/kvm_intel): the kernel "
                                            "logged '%s'",
                                            l.failure);
                return finding_fail(out,
                                    "Enable VT-x in the BIOS and load the module: modprobe kvm_intel tdx=1.",
                                    "kvm_intel is not loaded (no /sys/module/kvm_intel)");
        }
        if (k < 0)
                return finding_skip(out,
                                    KVM_INTEL_TDX_PARAM " not found, and whether kvm_intel is loaded is "
                                                        "unknown (/sys/module/kvm_intel: %s)",
                                    probe_failure_str(k, buf));
        return finding_fail(out,
                            "Install Linux >= 6.16 built with CONFIG_KVM_INTEL_TDX (or a distribution TDX "
                            "kernel).",
                            "kvm_intel is loaded but has no 'tdx' parameter (no " KVM_INTEL_TDX_PARAM
                            "): this kernel's KVM lacks TDX support");
}

/*
 * Not skipped on other CPUs: this is the very test QEMU makes before it refuses a tdx-guest, so on any
 * machine without TDX it reports the error a launch would hit (its hint then names tdx.cpu).
 */
static int check_vm_type(const HostFacts *f, cvm_finding *out)
{
        int64_t types;
        char buf[64];
        int r = kvm_vm_types(f, &types);
        if (r < 0)
                return finding_skip(out, "KVM_CAP_VM_TYPES (235) on /dev/kvm: %s",
                                    probe_failure_str(r, buf));

        _cleanup_free_ char *s = NULL;
        if (kvm_vm_types_format(types > 0 ? (uint64_t) types : 0, &s) < 0)
                return -ENOMEM;
        if (types > 0 && ((uint64_t) types & (UINT64_C(1) << KVM_VM_TYPE_TDX)))
                return finding_pass(out,
                                    "KVM_CAP_VM_TYPES (235) on /dev/kvm reports %s: KVM_X86_TDX_VM (5) is "
                                    "offered",
                                    s);
        return finding_fail(
                out,
                tdx_blocker(f, STAGE_KVM)
                        ?: "KVM offers KVM_X86_TDX_VM only on Linux >= 6.16 with kvm_intel.tdx=1 and "
                           "an initialised TDX module.",
                "KVM_CAP_VM_TYPES (235) on /dev/kvm reports %s, without KVM_X86_TDX_VM (5): QEMU "
                "will refuse a tdx-guest ('vm-type TDX not supported by KVM')",
                s);
}

static int check_guest_memfd(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        int64_t v;
        char buf[64];
        int r = facts_kvm_extension(f, "KVM_CAP_GUEST_MEMFD", &v);
        if (r < 0)
                return finding_skip(out, "KVM_CAP_GUEST_MEMFD (234) on /dev/kvm: %s",
                                    probe_failure_str(r, buf));
        if (v <= 0)
                return finding_fail(out,
                                    "TD private memory lives in guest_memfd: install Linux >= 6.16 with "
                                    "CONFIG_KVM_INTEL_TDX.",
                                    "KVM_CAP_GUEST_MEMFD (234) on /dev/kvm returned %" PRId64, v);
        return finding_pass(out, "KVM_CAP_GUEST_MEMFD (234) on /dev/kvm returned %" PRId64, v);
}

static int check_keyids(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        uint64_t cap, cur;
        const char *src = NULL;
        char buf[64];
        int r = facts_misc_resource(f, "tdx", &cap, &cur, &src);
        if (r == -ENOENT)
                return finding_skip(out,
                                    "No misc cgroup: neither /sys/fs/cgroup/misc.capacity (v2) nor "
                                    "/sys/fs/cgroup/misc/misc.capacity (v1) was found, so free TDX KeyIDs "
                                    "are unknown (the kernel needs CONFIG_CGROUP_MISC)");
        if (r == -EBADMSG)
                return finding_skip(out,
                                    "%s is malformed (want lines \"NAME VALUE\"): free TDX KeyIDs unknown",
                                    strna(src));
        if (r < 0 && r != -ENODATA)
                return finding_skip(out, "%s: %s", strna(src), probe_failure_str(r, buf));
        if (r == -ENODATA || cap == 0)
                return finding_fail(
                        out,
                        tdx_blocker(f, STAGE_KVM)
                                ?: "KVM registers the 'tdx' misc resource once the TDX module is "
                                   "up with kvm_intel.tdx=1.",
                        "%s lists no TDX KeyIDs ('tdx'): KVM has not enabled TDX", strna(src));

        /* KVM sets the capacity to tdx_get_nr_guest_keyids(): the BIOS range minus the global KeyID. */
        TdxLog l;
        tdx_log_read(f, &l);
        if (l.range_known && l.keyid_end - l.keyid_start - 1 != cap)
                return finding_warn(
                        out, "Reboot so that the BIOS, the kernel and KVM agree, then check again.",
                        "%s says tdx %" PRIu64 ", but the kernel log's '%s' leaves %u KeyIDs for TDs", src,
                        cap, l.bios, l.keyid_end - l.keyid_start - 1);
        uint32_t mktme, tdx;
        if (keyid_partitioning(f, &mktme, &tdx) >= 0 && tdx > 0 && tdx - 1 != cap)
                return finding_warn(out,
                                    "Reboot so that the BIOS, the kernel and KVM agree, then check again.",
                                    "%s says tdx %" PRIu64 ", but MSR 0x87 gives %" PRIu32
                                    " TDX KeyIDs, %" PRIu32 " for TDs",
                                    src, cap, tdx, tdx - 1);

        bool known = facts_misc_current_known(f, src);
        if (known && cur >= cap)
                return finding_fail(
                        out,
                        "Stop a TD to free a KeyID; their number is fixed by the BIOS's \"TME-MT/TDX "
                        "key split\" (raise it, fewer MKTME KeyIDs, for more TDs).",
                        "%s: all %" PRIu64 " TDX KeyIDs are in use (misc.current tdx %" PRIu64 ")", src, cap,
                        cur);
        if (!known)
                return finding_pass(out,
                                    "%s: %" PRIu64 " TDX KeyIDs for TDs (usage unknown: no misc.current)",
                                    src, cap);
        return finding_pass(out, "%s: %" PRIu64 " of %" PRIu64 " TDX KeyIDs free (%" PRIu64 " in use)", src,
                            cap - cur, cap, cur);
}

static bool device_present(const char *type)
{
        /* Fake trees carry device nodes as empty regular files. */
        return streq(type, "char") || streq(type, "file");
}

static int check_sgx_devices(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        const char *te, *tp;
        int re = facts_path_type(f, SGX_ENCLAVE, &te), rp = facts_path_type(f, SGX_PROVISION, &tp);
        if (re == -ENODATA && rp == -ENODATA)
                return finding_skip(out, SGX_ENCLAVE " and " SGX_PROVISION " were not collected");
        bool e = re >= 0 && device_present(te), p = rp >= 0 && device_present(tp);
        if (e && p)
                return finding_pass(out,
                                    SGX_ENCLAVE " and " SGX_PROVISION " are present (QGS needs them for "
                                                "TD quotes)");

        char be[64], bp[64];
        return finding_warn(
                out,
                "TDs run without SGX, but quotes need it: enable \"SGX\" in the BIOS (on a new machine "
                "also \"SGX Factory Reset\" and \"SGX Auto MP Registration\") and use a kernel with "
                "CONFIG_X86_SGX.",
                "SGX device nodes missing, so no TD quotes: " SGX_ENCLAVE " %s, " SGX_PROVISION " %s",
                re >= 0 ? (e ? "present" : te) : probe_failure_str(re, be),
                rp >= 0 ? (p ? "present" : tp) : probe_failure_str(rp, bp));
}

static int check_qgs(const HostFacts *f, cvm_finding *out)
{
        SKIP_IF_NOT_INTEL(f, out);

        json_object *q;
        char buf[64];
        int r = facts_probe_result(f, "qgs", &q);
        if (r < 0)
                return finding_skip(out, "QGS probe: %s", probe_failure_str(r, buf));

        json_object *ux = json_get(q, "unix", json_type_object),
                    *vs = json_get(q, "vsock", json_type_object),
                    *port_o = json_get(q, "port", json_type_int);
        const char *mode = json_get_string(q, "mode"), *uconn = json_get_string(ux, "connect"),
                   *utype = json_get_string(ux, "type"), *vconn = json_get_string(vs, "connect");
        int64_t port = port_o ? json_object_get_int64(port_o) : -1;
        if (!mode || !utype)
                return finding_skip(out, "QGS facts lack \"mode\" or \"unix\".\"type\"");

        const char *cfg = json_get(json_get(q, "config", json_type_object), "port", json_type_int)
                                  ? "/etc/qgs.conf"
                                  : "QGS's default, no port in /etc/qgs.conf";
        if (uconn && streq(uconn, "ok"))
                return finding_pass(out, "A QGS accepts connections on " QGS_SOCKET "%s",
                                    streq(mode, "unix") ? "" : " (although /etc/qgs.conf selects vsock)");
        if (vconn && streq(vconn, "ok"))
                return finding_pass(out, "A QGS accepts connections on vsock port %" PRId64 " (%s)", port,
                                    cfg);

        const char *hint = "Install and start Intel's QGS (Ubuntu: tdx-qgs with sgx-dcap-pccs and "
                           "libsgx-dcap-default-qpl; systemctl enable --now qgsd) and point QEMU's "
                           "quote-generation-socket at it. TDs run without it but get no quotes; cvm will "
                           "ship its own (cvm-qgsd).";
        if (streq(mode, "vsock") && vconn && (streq(vconn, "ENODEV") || streq(vconn, "EAFNOSUPPORT")))
                return finding_skip(out,
                                    "QGS on vsock port %" PRId64
                                    " (%s) not testable from the host (%s: load "
                                    "vsock_loopback); " QGS_SOCKET ": %s",
                                    port, cfg, vconn, uconn ?: utype);
        return finding_warn(out, hint,
                            "No QGS answers: " QGS_SOCKET " %s%s%s; vsock port %" PRId64 " (%s) %s", utype,
                            uconn ? ", connect " : "", strempty(uconn), port, cfg, vconn ?: "not tried");
}

const HostCheck tdx_checks[] = {
        { "tdx.cpu", CVM_TEE_TDX, CHECK_REQUIRED, check_cpu },
        { "tdx.kernel", CVM_TEE_TDX, CHECK_REQUIRED, check_kernel },
        { "tdx.msr-tme", CVM_TEE_TDX, 0, check_msr_tme },
        { "tdx.msr-seamrr", CVM_TEE_TDX, 0, check_msr_seamrr },
        { "tdx.msr-keyids", CVM_TEE_TDX, 0, check_msr_keyids },
        { "tdx.msr-mcheck", CVM_TEE_TDX, 0, check_msr_mcheck },
        { "tdx.msr-production", CVM_TEE_TDX, 0, check_msr_production },
        { "tdx.dimms", CVM_TEE_TDX, 0, check_dimms },
        { "tdx.platform", CVM_TEE_TDX, CHECK_REQUIRED, check_platform },
        { "tdx.nohibernate", CVM_TEE_TDX, 0, check_nohibernate },
        { "tdx.module", CVM_TEE_TDX, 0, check_module },
        { "tdx.kvm-param", CVM_TEE_TDX, CHECK_REQUIRED, check_kvm_param },
        { "tdx.vm-type", CVM_TEE_TDX, CHECK_REQUIRED, check_vm_type },
        { "tdx.guest-memfd", CVM_TEE_TDX, 0, check_guest_memfd },
        { "tdx.keyids", CVM_TEE_TDX, 0, check_keyids },
        { "tdx.sgx-devices", CVM_TEE_TDX, 0, check_sgx_devices },
        { "tdx.qgs", CVM_TEE_TDX, 0, check_qgs },
        {},
};
