/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SEV-SNP readiness checks against fake host trees: a ready Genoa host, then one fact changed at a time.
 * The sev probe's decoders are reached by including sev.c (wireguard-tools' fuzzers do the same), so
 * probe_sev() below is this file's copy and the library's sev.o is not linked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test-checks-util.h"

#include "sev.c"

#define SEV_JSON_READY                                                                                      \
        "{\"readable\": true, \"writable\": true,"                                                          \
        " \"platform_status\": {\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 1,"          \
        "  \"state_name\": \"INIT\", \"flags\": \"0x100\", \"es_initialized\": true, \"guest_count\": 0},"  \
        " \"snp_platform_status\": " SNP_STATUS_READY "}"
#define SNP_STATUS_READY                                                                                    \
        "{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 1, \"state_name\": \"INIT\","      \
        " \"init_flags\": \"0x3\", \"is_rmp_initialized\": true, \"alias_check_complete\": true,"           \
        " \"config_flags\": \"0x0\", \"mask_chip_id\": false, \"mask_chip_key\": false, \"vlek_en\": "      \
        "false,"                                                                                            \
        " \"guest_count\": 2, \"tcb_layout\": \"milan-genoa\","                                             \
        " \"current_tcb\": {\"raw\": \"0x4817000000000009\", \"bootloader\": 9, \"tee\": 0, \"snp\": 23,"   \
        "  \"microcode\": 72},"                                                                             \
        " \"reported_tcb\": {\"raw\": \"0x4817000000000009\", \"bootloader\": 9, \"tee\": 0, \"snp\": 23,"  \
        "  \"microcode\": 72}}"
#define SEV_JSON_WITH(platform, snp)                                                                        \
        "{\"readable\": true, \"writable\": true, \"platform_status\": " platform                           \
        ", \"snp_platform_status\": " snp "}"
/* CPUID facts of an EPYC 9654: leaf 0 "AuthenticAMD", leaf 1 family 19h model 11h, Fn8000_001F. */
#define CPUID_JSON(leaf1_ecx, eax_1f, edx_1f)                                                               \
        "{\"0x00000000.0\": [\"0x10\", \"0x68747541\", \"0x444d4163\", \"0x69746e65\"],"                    \
        " \"0x00000001.0\": [\"0xa10f11\", \"0x800800\", \"" leaf1_ecx "\", \"0x178bfbff\"],"               \
        " \"0x80000002.0\": [\"0x20444d41\", \"0x43595045\", \"0x35363920\", \"0x36392034\"],"              \
        " \"0x80000003.0\": [\"0x726f432d\", \"0x72502065\", \"0x7365636f\", \"0x726f73\"],"                \
        " \"0x80000004.0\": [\"0x0\", \"0x0\", \"0x0\", \"0x0\"],"                                          \
        " \"0x8000001f.0\": [\"" eax_1f "\", \"0x4073\", \"0x3ee\", \"" edx_1f "\"]}"
#define MSR_JSON(syscfg, base, end)                                                                         \
        "{\"0xc0010010\": \"" syscfg "\", \"0xc0010132\": \"" base "\", \"0xc0010133\": \"" end "\"}"

static const Entry genoa[] = {
        { "/proc/sys/kernel/arch", "x86_64\n" },
        { "/proc/sys/kernel/osrelease", "6.12.43+deb13-amd64\n" },
        { "/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.12.43+deb13-amd64 root=/dev/sda2 ro quiet\n" },
        { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                           "model name\t: AMD EPYC 9654 96-Core Processor\n"
                           "flags\t\t: fpu vme svm npt sev sev_es sev_snp debug_swap\n\n" },
        { "/sys/module/kvm_amd/parameters/sev", "Y\n" },
        { "/sys/module/kvm_amd/parameters/sev_es", "Y\n" },
        { "/sys/module/kvm_amd/parameters/sev_snp", "Y\n" },
        { "/sys/module/ccp/parameters/psp_probe_timeout", "5\n" },
        { "/sys/fs/cgroup/misc.capacity", "sev 907\nsev_es 99\n" },
        { "/sys/fs/cgroup/misc.current", "sev 0\nsev_es 2\n" },
        { "/dev/kvm", "" },
        { "/dev/sev", "" },
        { "/dev/kmsg", "[    5.2] ccp 0000:01:00.5: SEV-SNP API:1.55 build:39\n"
                       "[    5.3] kvm_amd: SEV enabled (ASIDs 100 - 1006)\n"
                       "[    5.3] kvm_amd: SEV-ES enabled (ASIDs 1 - 99)\n"
                       "[    5.3] kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)\n" },
        { "/cvm-facts/kvm.json", "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_GUEST_MEMFD\": 1, "
                                 "\"KVM_CAP_VM_TYPES\": 29}}" },
        { "/cvm-facts/cpuid.json", CPUID_JSON("0x7ef8320b", "0x101fd3f", "0x64") },
        { "/cvm-facts/msr.json", MSR_JSON("0x3f40000", "0x47e000000", "0x53e003fff") },
        { "/cvm-facts/sev.json", SEV_JSON_READY },
};

/* The Genoa tree with overrides applied (RUN(), RUN_READY()). */
static Result run(const Entry *over, size_t n_over)
{
        return checks_run(tree_with(genoa, ELEMENTSOF(genoa), over, n_over), true, 1u << CVM_TEE_SNP);
}

/* ---- the ready host ---- */

static void snp_ready_genoa(void **state)
{
        RUN_READY();
        size_t n = 0;
        for (const HostCheck *c = snp_checks; c->id; c++, n++)
                assert_true(startswith(c->id, "snp.") && c->tee == CVM_TEE_SNP);
        assert_int_equal(n, 28);
        /* Every check of this module passes (snp.qemu / snp.firmware belong to checks-platform.c). */
        expect_all_pass_but(&res, snp_checks, (const char *const[]){ NULL });
        expect(&res, "snp.cpu-vendor", CVM_CHECK_PASS, "AMD EPYC 9654", NULL);
        expect(&res, "snp.cpu-vendor", CVM_CHECK_PASS, "family 0x19 model 0x11", NULL);
        expect(&res, "snp.cpuid-cbit", CVM_CHECK_PASS, "cbitpos=51 reduced-phys-bits=1", NULL);
        expect(&res, "snp.cpuid-asids", CVM_CHECK_PASS, "SEV-ES/SEV-SNP ASIDs 1-99", NULL);
        expect(&res, "snp.kvm-sev-snp", CVM_CHECK_PASS, "kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)", NULL);
        expect(&res, "snp.kvm-vm-type", CVM_CHECK_PASS, "SEV-SNP(4)", NULL);
        expect(&res, "snp.firmware-version", CVM_CHECK_PASS, "1.55 build 39", NULL);
        expect(&res, "snp.tcb", CVM_CHECK_PASS, "snp 23, microcode 72", NULL);
        expect(&res, "snp.asids", CVM_CHECK_PASS, "97 of 99", NULL);
        /* The verdict also takes the common checks and checks-platform.c's snp.qemu / snp.firmware into
         * account, which this tree does not satisfy (no QEMU facts, no firmware); it is checked only when
         * every other finding passes. */
        bool others_pass = true;
        for (size_t i = 0; i < res.report->n_findings; i++)
                others_pass = others_pass && res.report->findings[i].status == CVM_CHECK_PASS;
        if (others_pass)
                assert_int_equal(res.report->verdict[CVM_TEE_SNP], CVM_VERDICT_READY);
}

/* The fake tree's /dev/sev is a regular file; a directory in its place is not a device. */
static void snp_dev_sev_presence(void **state)
{
        {
                RUN({ "/dev/sev", NULL }, { "/dev/sev/oops", "" });
                expect(&res, "snp.dev-sev", CVM_CHECK_FAIL, "not a character device", "modprobe");
        }
        {
                RUN({ "/dev/sev", NULL }, { "/sys/module/ccp/parameters/psp_probe_timeout", NULL },
                    { "/cvm-facts/sev.json", "{\"error\": \"ENOENT\"}" });
                expect(&res, "snp.dev-sev", CVM_CHECK_FAIL, "ccp driver is not loaded", "modprobe ccp");
                expect(&res, "snp.dev-sev-access", CVM_CHECK_SKIP, "see snp.dev-sev", NULL);
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "see snp.dev-sev", NULL);
                expect(&res, "snp.snp-init", CVM_CHECK_SKIP, "see snp.dev-sev", NULL);
                assert_int_equal(res.report->verdict[CVM_TEE_SNP], CVM_VERDICT_NOT_READY);
        }
        {
                RUN({ "/dev/sev", NULL }, { "/cvm-facts/sev.json", "{\"error\": \"ENOENT\"}" });
                expect(&res, "snp.dev-sev", CVM_CHECK_FAIL, "does not offer SEV", "BIOS");
        }
}

/* ---- CPU ---- */

static void snp_cpu_not_amd(void **state)
{
        RUN({ "/cvm-facts/cpuid.json",
              "{\"0x00000000.0\": [\"0x20\", \"0x756e6547\", \"0x6c65746e\", \"0x49656e69\"]}" },
            { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n\n" });
        expect(&res, "snp.cpu-vendor", CVM_CHECK_FAIL, "GenuineIntel", "AMD EPYC");
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_SKIP, "Not an AMD CPU", NULL);
        expect(&res, "snp.cpu-flags", CVM_CHECK_SKIP, "see snp.cpu-vendor", NULL);
        expect(&res, "snp.kvm-vm-type", CVM_CHECK_PASS, NULL, NULL);
        assert_int_equal(res.report->verdict[CVM_TEE_SNP], CVM_VERDICT_NOT_READY);
}

static void snp_cpuid_vendor_from_cpuinfo(void **state)
{
        /* No CPUID facts at all (say, a facts file from a machine without the probe): /proc/cpuinfo tells.
         */
        RUN({ "/cvm-facts/cpuid.json", NULL });
        expect(&res, "snp.cpu-vendor", CVM_CHECK_PASS, "/proc/cpuinfo vendor_id", NULL);
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_SKIP, "not collected", NULL);
        assert_true(check_required(snp_checks, "snp.cpuid-sev-snp"));
}

static void snp_cpuid_leaf_missing(void **state)
{
        RUN({ "/cvm-facts/cpuid.json",
              "{\"0x00000000.0\": [\"0x10\", \"0x68747541\", \"0x444d4163\", \"0x69746e65\"]}" });
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_FAIL, "0x8000001F is beyond", "EPYC 7003");
        /* One failure for the missing leaf; the other CPUID checks point at it. */
        expect(&res, "snp.cpuid-sme", CVM_CHECK_SKIP, "see snp.cpuid-sev-snp", NULL);
        expect(&res, "snp.cpuid-vmpl", CVM_CHECK_SKIP, "see snp.cpuid-sev-snp", NULL);
}

static void snp_cpuid_leaf_malformed(void **state)
{
        RUN({ "/cvm-facts/cpuid.json", "{\"0x8000001f.0\": [\"0x101fd3f\", \"0x4073\", \"0x3ee\"]}" });
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_SKIP, "cvm-facts/cpuid.json is malformed", NULL);
        assert_int_not_equal(res.report->verdict[CVM_TEE_SNP], CVM_VERDICT_READY);
}

static void snp_cpuid_no_snp(void **state)
{
        /* An EPYC 7002 (Rome): SME, SEV, SEV-ES but no SNP. Dependent checks point at the missing bit. */
        RUN({ "/cvm-facts/cpuid.json", CPUID_JSON("0x7ef8320b", "0xf", "0x64") });
        expect(&res, "snp.cpuid-sev-es", CVM_CHECK_PASS, "bit 3", NULL);
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_FAIL, "bit 4 (SEV-SNP) is clear", "EPYC 7003");
        expect(&res, "snp.cpuid-vmpl", CVM_CHECK_SKIP, "snp.cpuid-sev-snp", NULL);
        expect(&res, "snp.syscfg-snp", CVM_CHECK_SKIP, "snp.cpuid-sev-snp", NULL);
        expect(&res, "snp.rmp-table", CVM_CHECK_SKIP, "snp.cpuid-sev-snp", NULL);
        expect(&res, "snp.cpu-flags", CVM_CHECK_SKIP, "snp.cpuid-sev-snp", NULL);
        const cvm_finding *x = finding(&res, "snp.cpuid-sev-snp");
        assert_null(strstr(x->hint, "virtual machine")); /* bare metal: no word about hypervisors */
}

static void snp_cpuid_in_a_vm(void **state)
{
        /* A guest: the hypervisor bit (CPUID 1 ECX bit 31) is set and Fn8000_001F is all zero. */
        RUN({ "/cvm-facts/cpuid.json", CPUID_JSON("0xfefa320b", "0x0", "0x0") });
        expect(&res, "snp.cpuid-sev", CVM_CHECK_FAIL, "bit 1 (SEV) is clear", "bare metal");
        expect(&res, "snp.cpuid-sev-snp", CVM_CHECK_FAIL, NULL, "bare metal");
        expect(&res, "snp.cpuid-sev-es", CVM_CHECK_SKIP, "snp.cpuid-sev", NULL);
        expect(&res, "snp.cpuid-cbit", CVM_CHECK_SKIP, "no memory encryption", NULL);
        expect(&res, "snp.cpuid-asids", CVM_CHECK_SKIP, "no SEV", NULL);
}

static void snp_cpuid_no_es_asids(void **state)
{
        RUN({ "/cvm-facts/cpuid.json", CPUID_JSON("0x7ef8320b", "0x101fd3f", "0x1") });
        expect(&res, "snp.cpuid-asids", CVM_CHECK_FAIL, "EDX=1", "SEV-ES ASID Space Limit");
}

/* ---- BIOS: SYSCFG and RMP ---- */

static void snp_syscfg_smee_off(void **state)
{
        RUN({ "/cvm-facts/msr.json", MSR_JSON("0x740000", "0x0", "0x0") },
            { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm npt\n\n" },
            { "/sys/module/kvm_amd/parameters/sev_snp", "N\n" });
        expect(&res, "snp.syscfg-smee", CVM_CHECK_FAIL, "MSR 0xC0010010 (SYSCFG)=0x740000: bit 23", "SMEE");
        expect(&res, "snp.syscfg-snp", CVM_CHECK_FAIL, "bit 24 (SNPEn) is clear", "SNP Memory Coverage");
        expect(&res, "snp.rmp-table", CVM_CHECK_FAIL, "no RMP table", "SNP Memory Coverage");
        expect(&res, "snp.cpu-flags", CVM_CHECK_FAIL, "lack sev sev_es sev_snp", "SMEE");
        /* Downstream: the hint names the BIOS setting, not kvm_amd.sev_snp=1. */
        expect(&res, "snp.kvm-sev-snp", CVM_CHECK_FAIL, "sev_snp is N", "snp.syscfg-smee");
}

static void snp_syscfg_snp_old_kernel(void **state)
{
        RUN({ "/cvm-facts/msr.json", MSR_JSON("0xf40000", "0x47e000000", "0x53e003fff") },
            { "/proc/sys/kernel/osrelease", "6.8.0-51-generic\n" });
        expect(&res, "snp.syscfg-snp", CVM_CHECK_FAIL, "6.8.0-51-generic predates", "Linux >= 6.11");
        expect(&res, "snp.kernel", CVM_CHECK_FAIL, "6.8.0-51-generic", "6.11");
        assert_true(check_required(snp_checks, "snp.kernel"));
}

static void snp_rmp_missing(void **state)
{
        RUN({ "/cvm-facts/msr.json", MSR_JSON("0x3f40000", "0x0", "0x0") },
            { "/proc/cpuinfo",
              "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sev sev_es\n\n" });
        expect(&res, "snp.rmp-table", CVM_CHECK_FAIL, "0xC0010132/0xC0010133", "SNP Memory Coverage");
        expect(&res, "snp.cpu-flags", CVM_CHECK_FAIL, "lack sev_snp", "SNP Memory Coverage");
}

static void snp_msr_unreadable(void **state)
{
        {
                RUN({ "/cvm-facts/msr.json", "{\"error\": \"ENOENT\"}" });
                expect(&res, "snp.syscfg-smee", CVM_CHECK_SKIP, "modprobe msr", NULL);
                expect(&res, "snp.rmp-table", CVM_CHECK_SKIP, "RMP_BASE", NULL);
                /* The kernel's flags still tell SMEE and the RMP were fine. */
                expect(&res, "snp.cpu-flags", CVM_CHECK_PASS, NULL, NULL);
                assert_false(check_required(snp_checks, "snp.syscfg-smee"));
        }
        {
                RUN({ "/cvm-facts/msr.json", MSR_JSON("0xzz", "0x47e000000", "0x53e003fff") });
                expect(&res, "snp.syscfg-smee", CVM_CHECK_SKIP, "cvm-facts/msr.json is malformed", NULL);
        }
}

/* ---- kernel and KVM ---- */

static void snp_kvm_amd_missing(void **state)
{
        RUN({ "/sys/module/kvm_amd/parameters/sev", NULL },
            { "/sys/module/kvm_amd/parameters/sev_es", NULL },
            { "/sys/module/kvm_amd/parameters/sev_snp", NULL });
        expect(&res, "snp.kvm-amd", CVM_CHECK_FAIL, "/sys/module/kvm_amd", "modprobe kvm_amd");
        expect(&res, "snp.kvm-sev", CVM_CHECK_SKIP, "snp.kvm-amd", NULL);
        expect(&res, "snp.kvm-sev-snp", CVM_CHECK_SKIP, "kvm_amd is not loaded", NULL);
}

static void snp_kvm_sev_snp_off(void **state)
{
        {
                RUN({ "/sys/module/kvm_amd/parameters/sev_snp", "N\n" },
                    { "/proc/cmdline", "BOOT_IMAGE=/vmlinuz ro kvm-amd.sev_snp=0 quiet\n" });
                expect(&res, "snp.kvm-sev-snp", CVM_CHECK_FAIL,
                       "/sys/module/kvm_amd/parameters/sev_snp is N", "command line sets kvm_amd.sev_snp=0");
                assert_int_equal(res.report->verdict[CVM_TEE_SNP], CVM_VERDICT_NOT_READY);
        }
        {
                RUN({ "/sys/module/kvm_amd/parameters/sev_snp", "0\n" });
                expect(&res, "snp.kvm-sev-snp", CVM_CHECK_FAIL, "is N", "kvm_amd.sev_snp=1");
        }
}

static void snp_kvm_params_odd(void **state)
{
        {
                RUN({ "/sys/module/kvm_amd/parameters/sev_snp", NULL },
                    { "/proc/sys/kernel/osrelease", "6.10.14\n" });
                expect(&res, "snp.kvm-sev-snp", CVM_CHECK_FAIL, "does not exist", "6.11");
        }
        {
                RUN({ "/sys/module/kvm_amd/parameters/sev_snp", "maybe\n" });
                expect(&res, "snp.kvm-sev-snp", CVM_CHECK_SKIP,
                       "/sys/module/kvm_amd/parameters/sev_snp holds "
                       "\"maybe\"",
                       NULL);
                assert_true(check_required(snp_checks, "snp.kvm-sev-snp"));
        }
        {
                /* Plain SEV without ASIDs but SEV-ES on: not an obstacle for SNP. */
                RUN({ "/sys/module/kvm_amd/parameters/sev", "N\n" });
                expect(&res, "snp.kvm-sev", CVM_CHECK_WARN, "SEV-SNP are not affected", NULL);
        }
        {
                RUN({ "/sys/module/kvm_amd/parameters/sev_es", "N\n" });
                expect(&res, "snp.kvm-sev-es", CVM_CHECK_FAIL, "builds on SEV and SEV-ES",
                       "kvm_amd.sev_es=1");
        }
}

static void snp_kvm_vm_types(void **state)
{
        {
                RUN({ "/cvm-facts/kvm.json",
                      "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_VM_TYPES\": 13}}" });
                expect(&res, "snp.kvm-vm-type", CVM_CHECK_FAIL,
                       "KVM_CAP_VM_TYPES (235) on /dev/kvm reports "
                       "default(0), SEV(2), SEV-ES(3): no KVM_X86_SNP_VM (4)",
                       "dmesg");
        }
        {
                RUN({ "/cvm-facts/kvm.json",
                      "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_VM_TYPES\": 13}}" },
                    { "/sys/module/kvm_amd/parameters/sev_snp", "N\n" });
                expect(&res, "snp.kvm-vm-type", CVM_CHECK_FAIL, "KVM_CAP_VM_TYPES", "snp.kvm-sev-snp");
        }
        {
                RUN({ "/cvm-facts/kvm.json",
                      "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_VM_TYPES\": 0}}" });
                expect(&res, "snp.kvm-vm-type", CVM_CHECK_FAIL, "reports none", NULL);
        }
        {
                RUN({ "/cvm-facts/kvm.json", NULL });
                expect(&res, "snp.kvm-vm-type", CVM_CHECK_SKIP, "not collected", NULL);
                assert_true(check_required(snp_checks, "snp.kvm-vm-type"));
        }
}

/* ---- /dev/sev and the firmware ---- */

static void snp_sev_access(void **state)
{
        {
                RUN({ "/cvm-facts/sev.json", "{\"error\": \"EACCES\"}" });
                expect(&res, "snp.dev-sev-access", CVM_CHECK_WARN, "not readable", "udev rule");
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "EACCES", NULL);
                expect(&res, "snp.snp-init", CVM_CHECK_SKIP, "sudo", NULL);
                assert_true(check_required(snp_checks, "snp.firmware-version"));
        }
        {
                RUN({ "/cvm-facts/sev.json", "{\"readable\": true, \"writable\": false, \"write_error\": "
                                             "\"EACCES\", \"platform_status\": "
                                             "{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, "
                                             "\"state\": 1, \"es_initialized\": true},"
                                             " \"snp_platform_status\": " SNP_STATUS_READY "}" });
                expect(&res, "snp.dev-sev-access", CVM_CHECK_WARN,
                       "not writable by this user (open O_RDWR: EACCES)", "read-write");
                expect(&res, "snp.firmware-version", CVM_CHECK_PASS, NULL, NULL);
        }
}

static void snp_firmware_old(void **state)
{
        RUN({ "/cvm-facts/sev.json",
              SEV_JSON_WITH("{\"api_major\": 1, \"api_minor\": 49, \"build\": 6, \"state\": 1, "
                            "\"es_initialized\": true}",
                            "{\"error\": \"EINVAL\", \"fw_error\": 0}") });
        expect(&res, "snp.firmware-version", CVM_CHECK_FAIL, "API 1.49 build 6",
               "/lib/firmware/amd/amd_sev_fam19h_model1xh.sbin");
        expect(&res, "snp.snp-init", CVM_CHECK_FAIL, "EINVAL", "older than 1.51");
        expect(&res, "snp.snp-init", CVM_CHECK_FAIL, "the kernel has not initialised SEV-SNP", NULL);
        expect(&res, "snp.rmp-init", CVM_CHECK_SKIP, "see snp.snp-init", NULL);
        expect(&res, "snp.tcb", CVM_CHECK_SKIP, "see snp.snp-init", NULL);
        expect(&res, "snp.sev-init", CVM_CHECK_PASS, "INIT", NULL);
}

static void snp_platform_status_failed(void **state)
{
        RUN({ "/cvm-facts/sev.json", SEV_JSON_WITH("{\"error\": \"EIO\", \"fw_error\": 38}",
                                                   "{\"error\": \"EIO\", \"fw_error\": 38}") },
            { "/dev/kmsg", "ccp 0000:01:00.5: SEV-SNP: SNP_INIT_EX failed rc -5, error 0x26\n" });
        expect(&res, "snp.firmware-version", CVM_CHECK_FAIL,
               "PLATFORM_STATUS (SEV_ISSUE_CMD) on /dev/sev failed", "dmesg");
        expect(&res, "snp.sev-init", CVM_CHECK_SKIP, "see snp.firmware-version", NULL);
        expect(&res, "snp.snp-init", CVM_CHECK_FAIL, "0x26 RMP_INITIALIZATION_FAILED", NULL);
        expect(&res, "snp.snp-init", CVM_CHECK_FAIL,
               "kernel log: ccp 0000:01:00.5: SEV-SNP: SNP_INIT_EX failed", NULL);
}

static void snp_snp_status_on_old_kernel(void **state)
{
        RUN({ "/proc/sys/kernel/osrelease", "6.8.0-51-generic\n" },
            { "/cvm-facts/sev.json",
              SEV_JSON_WITH("{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": "
                            "1, \"es_initialized\": true}",
                            "{\"error\": \"EINVAL\", \"fw_error\": 0}") });
        expect(&res, "snp.snp-init", CVM_CHECK_FAIL, "does not know the command (kernel 6.8.0-51-generic)",
               "snp.kernel");
}

static void snp_sev_states(void **state)
{
        {
                RUN({ "/cvm-facts/sev.json",
                      SEV_JSON_WITH("{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 0, "
                                    "\"es_initialized\": false}",
                                    SNP_STATUS_READY) });
                expect(&res, "snp.sev-init", CVM_CHECK_WARN, "UNINIT", "psp_init_on_probe");
                expect(&res, "snp.sev-es-init", CVM_CHECK_SKIP, "snp.sev-init", NULL);
        }
        {
                RUN({ "/cvm-facts/sev.json",
                      SEV_JSON_WITH("{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 2, "
                                    "\"guest_count\": 3, \"es_initialized\": false}",
                                    SNP_STATUS_READY) });
                expect(&res, "snp.sev-init", CVM_CHECK_PASS, "WORKING", NULL);
                expect(&res, "snp.sev-es-init", CVM_CHECK_WARN, "CONFIG_ES", NULL);
        }
}

static void snp_snp_states(void **state)
{
        {
                RUN({ "/cvm-facts/sev.json",
                      SEV_JSON_WITH(
                              "{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 1, "
                              "\"es_initialized\": true}",
                              "{\"state\": 0, \"is_rmp_initialized\": false, \"alias_check_complete\": "
                              "false}") });
                expect(&res, "snp.snp-init", CVM_CHECK_FAIL, "state UNINIT", "sev_snp=1");
                expect(&res, "snp.rmp-init", CVM_CHECK_FAIL, "IS_RMP_INIT", "BIOS");
                expect(&res, "snp.alias-check", CVM_CHECK_WARN, "CVE-2024-21944", "1.55.38");
                expect(&res, "snp.tcb", CVM_CHECK_SKIP, "reported_tcb", NULL);
        }
        {
                /* virtee/snphost#108: RMP initialised, alias check pending; byte 3 holds more than one bit.
                 */
                RUN({ "/cvm-facts/sev.json",
                      SEV_JSON_WITH(
                              "{\"api_major\": 1, \"api_minor\": 55, \"build\": 39, \"state\": 1, "
                              "\"es_initialized\": true}",
                              "{\"state\": 1, \"is_rmp_initialized\": true, \"alias_check_complete\": false,"
                              " \"current_tcb\": {\"raw\": \"0x4817000000000009\"},"
                              " \"reported_tcb\": {\"raw\": \"0x4515000000000008\"}}") });
                expect(&res, "snp.snp-init", CVM_CHECK_PASS, NULL, NULL);
                expect(&res, "snp.rmp-init", CVM_CHECK_PASS, NULL, NULL);
                expect(&res, "snp.alias-check", CVM_CHECK_WARN, "ALIAS_CHECK_COMPLETE", "AMD-SB-3015");
                expect(&res, "snp.tcb", CVM_CHECK_WARN,
                       "current TCB 0x4817000000000009 differs from the reported "
                       "TCB 0x4515000000000008",
                       "snphost commit");
        }
}

static void snp_sev_facts_malformed(void **state)
{
        {
                RUN({ "/cvm-facts/sev.json", "{ not json" });
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "cvm-facts/sev.json is malformed",
                       NULL);
                expect(&res, "snp.snp-init", CVM_CHECK_SKIP, "cvm-facts/sev.json is malformed", NULL);
        }
        {
                RUN({ "/cvm-facts/sev.json",
                      SEV_JSON_WITH("{\"api_minor\": 55, \"state\": 1}", SNP_STATUS_READY) });
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "lacks the integer \"api_major\"",
                       NULL);
                expect(&res, "snp.sev-es-init", CVM_CHECK_SKIP, "\"es_initialized\"", NULL);
                expect(&res, "snp.snp-init", CVM_CHECK_PASS, NULL, NULL);
        }
        {
                RUN({ "/cvm-facts/sev.json", "{\"readable\": true, \"writable\": true}" });
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "no \"platform_status\" object", NULL);
        }
        {
                RUN({ "/cvm-facts/sev.json", NULL });
                expect(&res, "snp.firmware-version", CVM_CHECK_SKIP, "not collected", NULL);
                expect(&res, "snp.dev-sev-access", CVM_CHECK_SKIP, "not collected", NULL);
        }
}

/* ---- ASIDs in the misc cgroup ---- */

static void snp_asids(void **state)
{
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", NULL }, { "/sys/fs/cgroup/misc.current", NULL });
                expect(&res, "snp.asids", CVM_CHECK_SKIP, "No misc cgroup", NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", "sev 907\n" },
                    { "/sys/fs/cgroup/misc.current", "sev 0\n" });
                expect(&res, "snp.asids", CVM_CHECK_FAIL, "KVM did not register", "snp.kvm-sev-es");
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", "sev 907\nsev_es 0\n" });
                expect(&res, "snp.asids", CVM_CHECK_FAIL, "capacity is 0", "SEV-ES ASID Space Limit");
        }
        {
                RUN({ "/sys/fs/cgroup/misc.current", "sev 0\nsev_es 99\n" });
                expect(&res, "snp.asids", CVM_CHECK_WARN, "all 99", NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", "sev_es lots\n" });
                expect(&res, "snp.asids", CVM_CHECK_SKIP, "/sys/fs/cgroup/misc.capacity is malformed", NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", NULL }, { "/sys/fs/cgroup/misc.current", NULL },
                    { "/sys/fs/cgroup/misc/misc.capacity", "sev 410\nsev_es 99\n" },
                    { "/sys/fs/cgroup/misc/misc.current", "sev_es 1\n" });
                expect(&res, "snp.asids", CVM_CHECK_PASS, "/sys/fs/cgroup/misc/misc.capacity: 98 of 99",
                       NULL);
        }
}

/* ---- the sev probe's decoders and its ioctl path ---- */

static void sev_decode_platform_status(void **state)
{
        /* struct sev_user_data_status: api 1.55, state INIT, flags 0x100 (CONFIG_ES), build 39, 7 guests. */
        static const uint8_t b[SEV_STATUS_SIZE] = { 1, 55, 1, 0x00, 0x01, 0x00, 0x00, 39, 7, 0, 0, 0 };
        _cleanup_(json_object_putp) json_object *o = NULL;
        assert_int_equal(sev_status_decode(b, sizeof(b), &o), 0);
        assert_int_equal(json_object_get_int(json_get(o, "api_minor", json_type_int)), 55);
        assert_int_equal(json_object_get_int(json_get(o, "build", json_type_int)), 39);
        assert_string_equal(json_get_string(o, "state_name"), "INIT");
        assert_string_equal(json_get_string(o, "flags"), "0x100");
        assert_true(json_object_get_boolean(json_get(o, "es_initialized", json_type_boolean)));
        assert_int_equal(json_object_get_int(json_get(o, "guest_count", json_type_int)), 7);

        json_object *untouched = (json_object *) 0x1;
        assert_int_equal(sev_status_decode(b, sizeof(b) - 1, &untouched), -EBADMSG);
        assert_ptr_equal(untouched, (json_object *) 0x1);
}

static void sev_decode_snp_status(void **state)
{
        /* struct sev_user_data_snp_status, byte 3 = 0x02: alias check done, RMP bit clear. */
        uint8_t b[SNP_STATUS_SIZE] = { 1, 57, 1, 0x02, 44, 0, 0, 0, 0x05, 0, 0, 0, 3, 0, 0, 0 };
        for (size_t i = 0; i < 8; i++) {
                b[16 + i] = (uint8_t) (UINT64_C(0x4817000000000009) >> (8 * i));
                b[24 + i] = (uint8_t) (UINT64_C(0x1806050403020100) >> (8 * i));
        }
        _cleanup_(json_object_putp) json_object *o = NULL, *t = NULL, *u = NULL;
        assert_int_equal(snp_status_decode(b, sizeof(b), 0x19, &o), 0);
        assert_false(json_object_get_boolean(json_get(o, "is_rmp_initialized", json_type_boolean)));
        assert_true(json_object_get_boolean(json_get(o, "alias_check_complete", json_type_boolean)));
        assert_string_equal(json_get_string(o, "init_flags"), "0x2");
        assert_true(json_object_get_boolean(json_get(o, "mask_chip_id", json_type_boolean)));
        assert_false(json_object_get_boolean(json_get(o, "mask_chip_key", json_type_boolean)));
        assert_true(json_object_get_boolean(json_get(o, "vlek_en", json_type_boolean)));
        assert_int_equal(json_object_get_int(json_get(o, "build", json_type_int)), 44);
        assert_int_equal(json_object_get_int(json_get(o, "guest_count", json_type_int)), 3);
        json_object *cur = json_get(o, "current_tcb", json_type_object);
        assert_string_equal(json_get_string(cur, "raw"), "0x4817000000000009");
        assert_int_equal(json_object_get_int(json_get(cur, "bootloader", json_type_int)), 9);
        assert_int_equal(json_object_get_int(json_get(cur, "snp", json_type_int)), 23);
        assert_int_equal(json_object_get_int(json_get(cur, "microcode", json_type_int)), 72);
        assert_null(json_get(cur, "fmc", json_type_int));

        /* Family 1Ah (Turin) puts FMC, BL, TEE, SNP in bytes 0-3. */
        assert_int_equal(snp_status_decode(b, sizeof(b), 0x1a, &t), 0);
        json_object *rep = json_get(t, "reported_tcb", json_type_object);
        assert_string_equal(json_get_string(t, "tcb_layout"), "turin");
        assert_int_equal(json_object_get_int(json_get(rep, "fmc", json_type_int)), 0);
        assert_int_equal(json_object_get_int(json_get(rep, "bootloader", json_type_int)), 1);
        assert_int_equal(json_object_get_int(json_get(rep, "tee", json_type_int)), 2);
        assert_int_equal(json_object_get_int(json_get(rep, "snp", json_type_int)), 3);
        assert_int_equal(json_object_get_int(json_get(rep, "microcode", json_type_int)), 0x18);

        /* An unknown generation: only the raw value, no guessing. */
        assert_int_equal(snp_status_decode(b, sizeof(b), 0x17, &u), 0);
        assert_string_equal(json_get_string(u, "tcb_layout"), "unknown");
        assert_null(json_get(json_get(u, "current_tcb", json_type_object), "snp", json_type_int));

        json_object *untouched = (json_object *) 0x1;
        assert_int_equal(snp_status_decode(b, 31, 0x19, &untouched), -EBADMSG);
        assert_ptr_equal(untouched, (json_object *) 0x1);
}

static void sev_probe_not_a_device(void **state)
{
        /* A regular file answers SEV_ISSUE_CMD with ENOTTY: each command records its own failure. */
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){ "/dev/sev", "", NULL });
        _cleanup_(json_object_putp) json_object *o = NULL;
        assert_int_equal(probe_sev(root, NULL, 0, &o), 0);
        assert_true(json_object_get_boolean(json_get(o, "readable", json_type_boolean)));
        json_object *ps = json_get(o, "platform_status", json_type_object);
        json_object *ss = json_get(o, "snp_platform_status", json_type_object);
        assert_int_equal(json_error_get(ps), -ENOTTY);
        assert_int_equal(json_object_get_int(json_get(ps, "fw_error", json_type_int)), 0);
        assert_int_equal(json_error_get(ss), -ENOTTY);

        _cleanup_(rm_rf_freep) char *empty = make_tree((const char *[]){ "/proc/cmdline", "x\n", NULL });
        json_object *none = (json_object *) 0x1;
        assert_int_equal(probe_sev(empty, NULL, 0, &none), -ENOENT);
        assert_ptr_equal(none, (json_object *) 0x1);
}

/* Runs as the caller, or (as root, who opens anything read-write) in a child that became nobody. */
static int probe_read_only_as_user(const char *root)
{
        json_object *o = NULL;
        int r = probe_sev(root, NULL, 0, &o);
        if (r < 0)
                return 10;
        bool ok = json_object_get_boolean(json_get(o, "readable", json_type_boolean)) &&
                  !json_object_get_boolean(json_get(o, "writable", json_type_boolean)) &&
                  streq(strna(json_get_string(o, "write_error")), "EACCES") &&
                  json_get(o, "platform_status", json_type_object);
        json_object_put(o);
        return ok ? 0 : 11;
}

static void sev_probe_read_only(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){ "/dev/sev", "", NULL });
        _cleanup_free_ char *p = NULL, *d = NULL;
        assert_true(asprintf(&p, "%s/dev/sev", root) > 0 && asprintf(&d, "%s/dev", root) > 0);
        assert_int_equal(chmod(p, 0444), 0);

        if (geteuid() != 0) {
                assert_int_equal(probe_read_only_as_user(root), 0);
                return;
        }
        assert_int_equal(chmod(root, 0755), 0);
        assert_int_equal(chmod(d, 0755), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(12);
                _exit(probe_read_only_as_user(root));
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(snp_ready_genoa),
                cmocka_unit_test(snp_dev_sev_presence),
                cmocka_unit_test(snp_cpu_not_amd),
                cmocka_unit_test(snp_cpuid_vendor_from_cpuinfo),
                cmocka_unit_test(snp_cpuid_leaf_missing),
                cmocka_unit_test(snp_cpuid_leaf_malformed),
                cmocka_unit_test(snp_cpuid_no_snp),
                cmocka_unit_test(snp_cpuid_in_a_vm),
                cmocka_unit_test(snp_cpuid_no_es_asids),
                cmocka_unit_test(snp_syscfg_smee_off),
                cmocka_unit_test(snp_syscfg_snp_old_kernel),
                cmocka_unit_test(snp_rmp_missing),
                cmocka_unit_test(snp_msr_unreadable),
                cmocka_unit_test(snp_kvm_amd_missing),
                cmocka_unit_test(snp_kvm_sev_snp_off),
                cmocka_unit_test(snp_kvm_params_odd),
                cmocka_unit_test(snp_kvm_vm_types),
                cmocka_unit_test(snp_sev_access),
                cmocka_unit_test(snp_firmware_old),
                cmocka_unit_test(snp_platform_status_failed),
                cmocka_unit_test(snp_snp_status_on_old_kernel),
                cmocka_unit_test(snp_sev_states),
                cmocka_unit_test(snp_snp_states),
                cmocka_unit_test(snp_sev_facts_malformed),
                cmocka_unit_test(snp_asids),
                cmocka_unit_test(sev_decode_platform_status),
                cmocka_unit_test(sev_decode_snp_status),
                cmocka_unit_test(sev_probe_not_a_device),
                cmocka_unit_test(sev_probe_read_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
