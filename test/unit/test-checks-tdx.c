/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Intel TDX readiness checks against fake host trees: a ready dual-socket Emerald Rapids host, then one
 * fact changed at a time; the committed trees under test/data/hosts; the QGS probe against a real UNIX
 * socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test-checks-util.h"

#define CPUINFO(flags)                                                                                      \
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\n"                      \
        "model name\t: INTEL(R) XEON(R) PLATINUM 8592+\nstepping\t: 2\nflags\t\t: fpu vmx " flags           \
        " tme movdir64b\n\n"
#define KVM_JSON(types)                                                                                     \
        "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_GUEST_MEMFD\": 1, \"KVM_CAP_VM_TYPES\": " types   \
        "}}"
#define MSR_JSON(keyids, mcheck, platform_info, tme, seamrr)                                                \
        "{\"0x87\": \"" keyids "\", \"0xa0\": \"" mcheck "\", \"0xce\": \"" platform_info "\", "            \
        "\"0x982\": \"" tme "\", \"0x1401\": \"" seamrr "\"}"
#define MSR_READY  MSR_JSON("0x400000003f", "0x0", "0x1300", "0x3", "0x3ffffc000c00")
#define KMSG_RANGE "[    0.41] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n"
#define KMSG_INIT                                                                                           \
        "[   21.50] virt/tdx: TDX module 1.5.06.00, build number 744, build date 0134d817\n"                \
        "[   25.11] virt/tdx: 4196352 KB allocated for PAMT\n"                                              \
        "[   25.12] virt/tdx: module initialized\n"
#define QGS_UNIX_OK                                                                                         \
        "{\"config\": {\"path\": \"/etc/qgs.conf\", \"port\": 0}, \"port\": 0, \"mode\": \"unix\", "        \
        "\"unix\": {\"path\": \"/var/run/tdx-qgs/qgs.socket\", \"type\": \"socket\", \"connect\": \"ok\"}}"
#define QGS_VSOCK(conn)                                                                                     \
        "{\"config\": {\"path\": \"/etc/qgs.conf\", \"port\": 4050}, \"port\": 4050, \"mode\": \"vsock\", " \
        "\"unix\": {\"path\": \"/var/run/tdx-qgs/qgs.socket\", \"type\": \"ENOENT\"}, "                     \
        "\"vsock\": {\"cid\": 1, \"port\": 4050, \"connect\": \"" conn "\"}}"

static const Entry emr[] = {
        { "/proc/sys/kernel/arch", "x86_64\n" },
        { "/proc/sys/kernel/osrelease", "6.16.3\n" },
        { "/proc/cmdline",
          "BOOT_IMAGE=/boot/vmlinuz-6.16.3 root=/dev/sda2 ro kvm_intel.tdx=1 nohibernate\n" },
        { "/proc/cpuinfo", CPUINFO("tdx_host_platform") },
        { "/sys/module/kvm_intel/parameters/tdx", "Y\n" },
        { "/sys/fs/cgroup/misc.capacity", "tdx 63\n" },
        { "/sys/fs/cgroup/misc.current", "tdx 2\n" },
        { "/dev/kvm", "" },
        { "/dev/sgx_enclave", "" },
        { "/dev/sgx_provision", "" },
        { "/dev/kmsg", KMSG_RANGE KMSG_INIT },
        { "/cvm-facts/kvm.json", KVM_JSON("33") },
        { "/cvm-facts/msr.json", MSR_READY },
        { "/cvm-facts/qgs.json", QGS_UNIX_OK },
};

/* The Emerald Rapids tree with overrides applied (RUN(), RUN_READY()). */
static Result run(const Entry *over, size_t n_over)
{
        return checks_run(tree_with(emr, ELEMENTSOF(emr), over, n_over), true, 1u << CVM_TEE_TDX);
}

/* A committed tree below $CVM_TEST_DATA/hosts. */
static Result run_committed(const char *name)
{
        const char *data = getenv("CVM_TEST_DATA");
        char *root;
        assert_non_null(data);
        assert_true(asprintf(&root, "%s/hosts/%s", data, name) > 0);
        return checks_run(root, false, 1u << CVM_TEE_TDX);
}

/* ---- the ready host ---- */

static void tdx_ready_emr(void **state)
{
        RUN_READY();
        size_t n = 0;
        for (const HostCheck *c = tdx_checks; c->id; c++, n++)
                assert_true(startswith(c->id, "tdx.") && c->tee == CVM_TEE_TDX);
        assert_int_equal(n, 17);
        /* No SMBIOS records in this tree: tdx.dimms cannot tell. */
        expect_all_pass_but(&res, tdx_checks, (const char *const[]){ "tdx.dimms", NULL });
        expect(&res, "tdx.dimms", CVM_CHECK_SKIP, "No SMBIOS Memory Device", NULL);
        expect(&res, "tdx.cpu", CVM_CHECK_PASS, "model 207 (Emerald Rapids)", NULL);
        expect(&res, "tdx.cpu", CVM_CHECK_PASS, "INTEL(R) XEON(R) PLATINUM 8592+", NULL);
        expect(&res, "tdx.msr-keyids", CVM_CHECK_PASS, "64 TDX private KeyIDs", NULL);
        expect(&res, "tdx.module", CVM_CHECK_PASS, "build number 744", NULL);
        expect(&res, "tdx.module", CVM_CHECK_PASS, "[64, 128)", NULL);
        expect(&res, "tdx.vm-type", CVM_CHECK_PASS, "TDX(5)", NULL);
        expect(&res, "tdx.keyids", CVM_CHECK_PASS, "61 of 63 TDX KeyIDs free", NULL);
        expect(&res, "tdx.qgs", CVM_CHECK_PASS, "/var/run/tdx-qgs/qgs.socket", NULL);
}

static void tdx_committed_trees(void **state)
{
        if (!getenv("CVM_TEST_DATA"))
                skip();
        {
                _cleanup_(result_done) Result res = run_committed("tdx-emr-2s-ready");
                expect_all_pass_but(&res, tdx_checks, (const char *const[]){ NULL });
                expect(&res, "tdx.dimms", CVM_CHECK_PASS, "16 of 32 memory slots populated, 1 TiB", NULL);
        }
        {
                _cleanup_(result_done) Result res = run_committed("tdx-bios-disabled");
                expect(&res, "tdx.msr-seamrr", CVM_CHECK_FAIL, "0x1401", "SEAM Loader");
                expect(&res, "tdx.msr-keyids", CVM_CHECK_FAIL, "0 TDX private KeyIDs",
                       "TME-MT/TDX key split");
                expect(&res, "tdx.platform", CVM_CHECK_FAIL, "lacks tdx_host_platform", "tdx.msr-seamrr");
                expect(&res, "tdx.module", CVM_CHECK_FAIL, "no TDX private KeyIDs available", "\"TDX\"");
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "asks for kvm_intel.tdx=1", "tdx.msr-seamrr");
                expect(&res, "tdx.vm-type", CVM_CHECK_FAIL, "KVM_CAP_VM_TYPES", "tdx.msr-seamrr");
                expect(&res, "tdx.keyids", CVM_CHECK_FAIL, "lists no TDX KeyIDs", "tdx.msr-seamrr");
                expect(&res, "tdx.qgs", CVM_CHECK_WARN, "ECONNRESET", "tdx-qgs");
                assert_int_equal(res.report->verdict[CVM_TEE_TDX], CVM_VERDICT_NOT_READY);
        }
        {
                _cleanup_(result_done) Result res = run_committed("tdx-kvm-param-off");
                expect(&res, "tdx.platform", CVM_CHECK_PASS, NULL, NULL);
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "lacks kvm_intel.tdx=1", "kvm_intel.tdx=1");
                expect(&res, "tdx.vm-type", CVM_CHECK_FAIL, "default(0), without KVM_X86_TDX_VM (5)",
                       "tdx.kvm-param");
                expect(&res, "tdx.module", CVM_CHECK_SKIP, "tdx.kvm-param", NULL);
                expect(&res, "tdx.keyids", CVM_CHECK_FAIL, NULL, "tdx.kvm-param");
        }
        {
                _cleanup_(result_done) Result res = run_committed("tdx-asymmetric-dimms");
                expect(&res, "tdx.dimms", CVM_CHECK_WARN,
                       "socket 0 has 8 DIMMs (512 GiB) in 8 channels, socket 1 has 6 DIMMs (384 GiB)",
                       "asymmetric");
                expect(&res, "tdx.module", CVM_CHECK_FAIL, "module initialization failed (-5)",
                       "DIMM population is asymmetric");
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "kvm_intel is not loaded", NULL);
                assert_int_equal(res.report->verdict[CVM_TEE_TDX], CVM_VERDICT_NOT_READY);
        }
}

/* ---- CPU ---- */

static void tdx_cpu_amd(void **state)
{
        RUN({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
                               "model name\t: AMD EPYC 9654 96-Core Processor\nflags\t\t: fpu svm sev\n\n" },
            { "/cvm-facts/kvm.json", KVM_JSON("29") });
        expect(&res, "tdx.cpu", CVM_CHECK_FAIL, "Not an Intel CPU: vendor AuthenticAMD (/proc/cpuinfo)",
               "SEV-SNP");
        /* Said once; every other TDX check steps aside with that reason. */
        for (const HostCheck *c = tdx_checks; c->id; c++)
                if (!streq(c->id, "tdx.cpu") && !streq(c->id, "tdx.vm-type"))
                        expect(&res, c->id, CVM_CHECK_SKIP, "not an Intel CPU (vendor AuthenticAMD", NULL);
        /* KVM is asked what QEMU would ask; the answer points back at the CPU. */
        expect(&res, "tdx.vm-type", CVM_CHECK_FAIL, "SEV-SNP(4), without KVM_X86_TDX_VM (5)",
               "not an Intel CPU (see tdx.cpu)");
        assert_int_equal(res.report->verdict[CVM_TEE_TDX], CVM_VERDICT_NOT_READY);
}

static void tdx_cpu_models(void **state)
{
        {
                RUN({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                                       "model name\t: Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz\n"
                                       "model\t\t: 106\nflags\t\t: fpu vmx\n\n" });
                /* "model name" before "model" must not be taken for the model. */
                expect(&res, "tdx.cpu", CVM_CHECK_WARN, "family 6 model 106 'Intel(R) Xeon(R) Platinum 8380",
                       "Sapphire Rapids");
        }
        {
                RUN({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                                       "model\t\t: 143\nflags\t\t: tdx_host_platform\n\n" });
                expect(&res, "tdx.cpu", CVM_CHECK_PASS, "model 143 (Sapphire Rapids)", NULL);
        }
        {
                /* No /proc/cpuinfo: CPUID leaves 0 and 1 (0xC06F2: family 6, model 0xCF) tell. */
                RUN({ "/proc/cpuinfo", NULL },
                    { "/cvm-facts/cpuid.json",
                      "{\"0x00000000.0\": [\"0x20\", \"0x756e6547\", \"0x6c65746e\", "
                      "\"0x49656e69\"], \"0x00000001.0\": [\"0xc06f2\", \"0x0\", \"0x0\", "
                      "\"0x0\"]}" });
                expect(&res, "tdx.cpu", CVM_CHECK_PASS,
                       "model 207 (Emerald Rapids), a TDX-capable Xeon (CPUID", NULL);
                expect(&res, "tdx.platform", CVM_CHECK_SKIP, "/proc/cpuinfo", NULL);
        }
        {
                RUN({ "/proc/cpuinfo", NULL });
                expect(&res, "tdx.cpu", CVM_CHECK_SKIP, "CPU unknown", NULL);
                assert_true(check_required(tdx_checks, "tdx.cpu"));
        }
}

/* ---- kernel ---- */

static void tdx_kernel_versions(void **state)
{
        {
                RUN({ "/proc/sys/kernel/osrelease", "6.8.0-49-generic\n" },
                    { "/cvm-facts/kvm.json", KVM_JSON("1") });
                expect(&res, "tdx.kernel", CVM_CHECK_FAIL, "6.8.0-49-generic", "Linux >= 6.16");
                expect(&res, "tdx.vm-type", CVM_CHECK_FAIL, NULL, "tdx.kernel");
        }
        {
                /* A backport: older, yet KVM offers TDX VMs. */
                RUN({ "/proc/sys/kernel/osrelease", "6.8.0-1014-intel\n" });
                expect(&res, "tdx.kernel", CVM_CHECK_WARN, "backport", "6.16");
        }
        {
                RUN({ "/proc/sys/kernel/osrelease", NULL });
                expect(&res, "tdx.kernel", CVM_CHECK_SKIP, "/proc/sys/kernel/osrelease", NULL);
                assert_true(check_required(tdx_checks, "tdx.kernel"));
        }
}

/* ---- MSRs ---- */

static void tdx_msrs(void **state)
{
        {
                RUN({ "/cvm-facts/msr.json", MSR_JSON("0x7f", "0x0", "0x1300", "0x1", "0x0") });
                expect(&res, "tdx.msr-tme", CVM_CHECK_FAIL, "MSR 0x982 (IA32_TME_ACTIVATE) = 0x1",
                       "\"TME\"");
                expect(&res, "tdx.msr-seamrr", CVM_CHECK_FAIL, "MSR 0x1401", "\"SEAM Loader\"");
                expect(&res, "tdx.msr-keyids", CVM_CHECK_FAIL,
                       "0 TDX private KeyIDs (bits 63:32), 127 MKTME", "\"TME-MT/TDX key split\"");
        }
        {
                /* 16 TDX KeyIDs: canonical's test wants more; the log range agrees ([112, 128)). */
                RUN({ "/cvm-facts/msr.json", MSR_JSON("0x100000006f", "0x0", "0x1300", "0x3", "0xc00") },
                    { "/dev/kmsg", "virt/tdx: BIOS enabled: private KeyID range [112, 128)\n" KMSG_INIT },
                    { "/sys/fs/cgroup/misc.capacity", "tdx 15\n" });
                expect(&res, "tdx.msr-keyids", CVM_CHECK_WARN, "only 16 TDX private KeyIDs", "more than 16");
                expect(&res, "tdx.keyids", CVM_CHECK_PASS, "13 of 15", NULL);
        }
        {
                /* Register and log disagree. */
                RUN({ "/cvm-facts/msr.json", MSR_JSON("0x200000005f", "0x0", "0x1300", "0x3", "0xc00") });
                expect(&res, "tdx.msr-keyids", CVM_CHECK_WARN, "[96, 128)", "reboot");
        }
        {
                RUN({ "/cvm-facts/msr.json", MSR_JSON("0x400000003f", "0x2", "0x8001300", "0x3", "0xc00") });
                expect(&res, "tdx.msr-mcheck", CVM_CHECK_WARN, "MSR 0xa0 (SGX and MCHECK status) = 0x2",
                       "MCHECK");
                expect(&res, "tdx.msr-production", CVM_CHECK_WARN, "bit 27 set, a pre-production CPU",
                       "attestation");
        }
        {
                RUN({ "/cvm-facts/msr.json", NULL });
                expect(&res, "tdx.msr-tme", CVM_CHECK_SKIP, "modprobe msr", NULL);
                expect(&res, "tdx.msr-keyids", CVM_CHECK_SKIP, "MSR 0x87", NULL);
        }
        {
                RUN({ "/cvm-facts/msr.json", "{\"error\": \"EACCES\"}" });
                expect(&res, "tdx.msr-seamrr", CVM_CHECK_SKIP, "EACCES", NULL);
        }
        {
                /* A register the CPU lacks reads as EIO. */
                RUN({ "/cvm-facts/msr.json", "{\"0x1401\": {\"error\": \"EIO\"}, \"0x87\": \"0x0\"}" });
                expect(&res, "tdx.msr-seamrr", CVM_CHECK_FAIL, "does not exist on this CPU", "BIOS");
                expect(&res, "tdx.msr-tme", CVM_CHECK_SKIP, "not collected", NULL);
        }
}

/* ---- DIMMs ---- */

static void tdx_dimms(void **state)
{
        {
                RUN({ "/sys/firmware/dmi/entries/17-0/raw", "\x11\x02garbage" });
                expect(&res, "tdx.dimms", CVM_CHECK_SKIP,
                       "/sys/firmware/dmi/entries/17-0/raw is not a valid SMBIOS Memory Device", NULL);
        }
        if (getenv("CVM_TEST_DATA")) {
                _cleanup_(result_done) Result res = run_committed("tdx-asymmetric-dimms");
                expect(&res, "tdx.dimms", CVM_CHECK_WARN, "14 of 32 slots, 896 GiB", "every CPU socket");
        }
}

/* ---- kernel view: tdx_host_platform, nohibernate, boot log ---- */

static void tdx_platform_flag(void **state)
{
        {
                RUN({ "/proc/cpuinfo", CPUINFO("") }, { "/cvm-facts/kvm.json", KVM_JSON("1") },
                    { "/dev/kmsg",
                      "[    0.41] virt/tdx: initialization failed: Hibernation support is enabled\n" },
                    { "/proc/cmdline", "ro kvm_intel.tdx=1\n" });
                expect(&res, "tdx.platform", CVM_CHECK_FAIL, "Hibernation support is enabled",
                       "nohibernate");
                expect(&res, "tdx.nohibernate", CVM_CHECK_WARN, "lacks nohibernate", "GRUB_CMDLINE_LINUX");
                expect(&res, "tdx.module", CVM_CHECK_FAIL, "Hibernation", "nohibernate");
        }
        {
                /* No flag, but KVM offers TDX VMs: a kernel that does not show it. */
                RUN({ "/proc/cpuinfo", CPUINFO("") });
                expect(&res, "tdx.platform", CVM_CHECK_WARN, "yet KVM offers TDX VMs", NULL);
        }
        {
                RUN({ "/proc/cpuinfo", CPUINFO("") }, { "/cvm-facts/kvm.json", KVM_JSON("1") },
                    { "/dev/kmsg", KMSG_RANGE });
                expect(&res, "tdx.platform", CVM_CHECK_FAIL, "although it logged its KeyID range",
                       "\"TDX\"");
        }
}

static void tdx_nohibernate(void **state)
{
        {
                RUN({ "/proc/cmdline", "ro hibernate=no kvm_intel.tdx=1\n" });
                expect(&res, "tdx.nohibernate", CVM_CHECK_PASS, "disables hibernation", NULL);
        }
        {
                /* The kernel set the flag, so hibernation is off by other means (e.g. no
                 * CONFIG_HIBERNATION). */
                RUN({ "/proc/cmdline", "ro kvm_intel.tdx=1 nohibernated\n" });
                expect(&res, "tdx.nohibernate", CVM_CHECK_PASS, "unavailable anyway", NULL);
        }
}

static void tdx_module_log(void **state)
{
        static const struct {
                const char *line, *hint;
        } failures[] = {
                { "virt/tdx: module not loaded", "SEAM Loader" },
                { "virt/tdx: initialization failed: too few private KeyIDs available.",
                  "TME-MT/TDX key split" },
                { "kvm_intel: Failed to initialize TDX module.", "Update the BIOS" },
                { "kvm_intel: Disable TDX: MAX_VCPU_PER_TD (128) smaller than number of logical CPUs (256).",
                  "TDX module" },
                { "kvm_intel: tdx: tdx requires kvm.enable_virt_at_load=1", "enable_virt_at_load" },
                { "kvm_intel: TDX not supported by the host platform", "\"TDX\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(failures); i++) {
                char kmsg[256];
                snprintf(kmsg, sizeof(kmsg), KMSG_RANGE "[   22.80] %s\n", failures[i].line);
                RUN({ "/dev/kmsg", kmsg });
                expect(&res, "tdx.module", CVM_CHECK_FAIL, failures[i].line, failures[i].hint);
        }
        {
                /* The old version line format. */
                RUN({ "/dev/kmsg",
                      KMSG_RANGE "tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, "
                                 "minor_version 5, build_date 20230323, build_num 481\n"
                                 "virt/tdx: module initialized\n" });
                expect(&res, "tdx.module", CVM_CHECK_PASS, "major_version 1, minor_version 5", NULL);
        }
        {
                /* Only the BIOS line: with kvm_intel.tdx=Y the init line is missing (overwritten?). */
                RUN({ "/dev/kmsg", KMSG_RANGE });
                expect(&res, "tdx.module", CVM_CHECK_WARN, "not 'virt/tdx: module initialized'", "dmesg");
        }
        {
                RUN({ "/dev/kmsg", "[    1.00] kvm: something else\n" });
                expect(&res, "tdx.module", CVM_CHECK_SKIP, "No 'virt/tdx' lines", NULL);
        }
        {
                RUN({ "/dev/kmsg", NULL });
                expect(&res, "tdx.module", CVM_CHECK_SKIP, "Kernel log not read (/dev/kmsg: ENOENT", NULL);
                expect(&res, "tdx.keyids", CVM_CHECK_PASS, NULL, NULL);
        }
}

/* ---- KVM ---- */

static void tdx_kvm_param(void **state)
{
        {
                RUN({ "/sys/module/kvm_intel/parameters/tdx", "N\n" },
                    { "/proc/cmdline", "ro nohibernate\n" });
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "is N and /proc/cmdline lacks kvm_intel.tdx=1",
                       "kvm_intel.tdx=1");
        }
        {
                /* Asked for with the other spelling, still N: the module did not come up. */
                RUN({ "/sys/module/kvm_intel/parameters/tdx", "N\n" },
                    { "/proc/cmdline", "ro kvm-intel.tdx=1\n" },
                    { "/dev/kmsg", KMSG_RANGE "[   20.1] virt/tdx: module not loaded\n" });
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "although /proc/cmdline asks",
                       "module not loaded");
        }
        {
                RUN({ "/sys/module/kvm_intel/parameters/tdx", "maybe\n" });
                expect(&res, "tdx.kvm-param", CVM_CHECK_SKIP,
                       "/sys/module/kvm_intel/parameters/tdx holds 'maybe'", NULL);
                assert_true(check_required(tdx_checks, "tdx.kvm-param"));
        }
        {
                /* kvm_intel loaded, no tdx parameter: a kernel without KVM TDX. */
                RUN({ "/sys/module/kvm_intel/parameters/tdx", NULL },
                    { "/sys/module/kvm_intel/parameters/ept", "Y\n" });
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "has no 'tdx' parameter",
                       "CONFIG_KVM_INTEL_TDX");
        }
        {
                RUN({ "/sys/module/kvm_intel/parameters/tdx", NULL });
                expect(&res, "tdx.kvm-param", CVM_CHECK_FAIL, "kvm_intel is not loaded",
                       "modprobe kvm_intel");
        }
}

static void tdx_vm_types(void **state)
{
        {
                /* The check a real non-TDX machine fails. */
                RUN({ "/cvm-facts/kvm.json", KVM_JSON("1") });
                expect(&res, "tdx.vm-type", CVM_CHECK_FAIL,
                       "KVM_CAP_VM_TYPES (235) on /dev/kvm reports default(0), without KVM_X86_TDX_VM (5)",
                       "kvm_intel.tdx=1");
                assert_int_equal(res.report->verdict[CVM_TEE_TDX], CVM_VERDICT_NOT_READY);
        }
        {
                RUN({ "/cvm-facts/kvm.json", KVM_JSON("29") });
                expect(&res, "tdx.vm-type", CVM_CHECK_FAIL, "default(0), SEV(2), SEV-ES(3), SEV-SNP(4)",
                       NULL);
        }
        {
                RUN({ "/cvm-facts/kvm.json", NULL });
                expect(&res, "tdx.vm-type", CVM_CHECK_SKIP, "not collected", NULL);
                expect(&res, "tdx.guest-memfd", CVM_CHECK_SKIP, "not collected", NULL);
                assert_true(check_required(tdx_checks, "tdx.vm-type"));
                assert_false(check_required(tdx_checks, "tdx.guest-memfd"));
        }
        {
                RUN({ "/cvm-facts/kvm.json", "{\"api_version\": 12, \"extensions\": "
                                             "{\"KVM_CAP_GUEST_MEMFD\": 0, \"KVM_CAP_VM_TYPES\": 33}}" });
                expect(&res, "tdx.guest-memfd", CVM_CHECK_FAIL,
                       "KVM_CAP_GUEST_MEMFD (234) on /dev/kvm returned 0", "guest_memfd");
        }
}

/* ---- KeyIDs in the misc cgroup ---- */

static void tdx_keyids(void **state)
{
        {
                RUN({ "/sys/fs/cgroup/misc.current", "tdx 63\n" });
                expect(&res, "tdx.keyids", CVM_CHECK_FAIL, "all 63 TDX KeyIDs are in use", "Stop a TD");
        }
        {
                RUN({ "/sys/fs/cgroup/misc.current", NULL });
                expect(&res, "tdx.keyids", CVM_CHECK_PASS, "63 TDX KeyIDs for TDs (usage unknown", NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", "sev 509\n" },
                    { "/sys/fs/cgroup/misc.current", "sev 0\n" });
                expect(&res, "tdx.keyids", CVM_CHECK_FAIL,
                       "/sys/fs/cgroup/misc.capacity lists no TDX KeyIDs", "kvm_intel.tdx=1");
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", NULL }, { "/sys/fs/cgroup/misc.current", NULL });
                expect(&res, "tdx.keyids", CVM_CHECK_SKIP, "No misc cgroup", NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.capacity", "tdx: 63\n" });
                expect(&res, "tdx.keyids", CVM_CHECK_SKIP, "/sys/fs/cgroup/misc.capacity is malformed",
                       NULL);
        }
        {
                RUN({ "/sys/fs/cgroup/misc.current", "tdx two\n" });
                expect(&res, "tdx.keyids", CVM_CHECK_SKIP, "/sys/fs/cgroup/misc.current is malformed", NULL);
        }
        {
                /* Capacity and the kernel log's KeyID range [64, 128) (63 for TDs) disagree. */
                RUN({ "/sys/fs/cgroup/misc.capacity", "tdx 31\n" });
                expect(&res, "tdx.keyids", CVM_CHECK_WARN, "leaves 63 KeyIDs for TDs", "Reboot");
        }
        {
                /* No log: the MSR cross-check remains. */
                RUN({ "/sys/fs/cgroup/misc.capacity", "tdx 31\n" }, { "/dev/kmsg", NULL });
                expect(&res, "tdx.keyids", CVM_CHECK_WARN, "MSR 0x87 gives 64 TDX KeyIDs, 63 for TDs",
                       "Reboot");
        }
        {
                RUN({ "/sys/fs/cgroup/misc/misc.capacity", "tdx 63\n" },
                    { "/sys/fs/cgroup/misc/misc.current", "tdx 0\n" },
                    { "/sys/fs/cgroup/misc.capacity", NULL }, { "/sys/fs/cgroup/misc.current", NULL });
                expect(&res, "tdx.keyids", CVM_CHECK_PASS, "/sys/fs/cgroup/misc/misc.capacity: 63 of 63",
                       NULL);
        }
}

/* ---- attestation ---- */

static void tdx_attestation(void **state)
{
        {
                RUN({ "/dev/sgx_provision", NULL });
                expect(&res, "tdx.sgx-devices", CVM_CHECK_WARN,
                       "/dev/sgx_enclave present, /dev/sgx_provision ENOENT", "\"SGX\"");
        }
        {
                RUN({ "/dev/sgx_enclave", NULL }, { "/dev/sgx_enclave/x", "" });
                expect(&res, "tdx.sgx-devices", CVM_CHECK_WARN, "/dev/sgx_enclave dir", NULL);
        }
        {
                RUN({ "/cvm-facts/qgs.json", QGS_VSOCK("ok") });
                expect(&res, "tdx.qgs", CVM_CHECK_PASS, "vsock port 4050 (/etc/qgs.conf)", NULL);
        }
        {
                RUN({ "/cvm-facts/qgs.json", QGS_VSOCK("ECONNRESET") });
                expect(&res, "tdx.qgs", CVM_CHECK_WARN,
                       "No QGS answers: /var/run/tdx-qgs/qgs.socket ENOENT; vsock port 4050 (/etc/qgs.conf) "
                       "ECONNRESET",
                       "tdx-qgs");
        }
        {
                RUN({ "/cvm-facts/qgs.json", QGS_VSOCK("ENODEV") });
                expect(&res, "tdx.qgs", CVM_CHECK_SKIP, "vsock_loopback", NULL);
        }
        {
                RUN({ "/cvm-facts/qgs.json", "{\"config\": {\"path\": \"/etc/qgs.conf\", \"port\": 0}, "
                                             "\"port\": 0, \"mode\": \"unix\", "
                                             "\"unix\": {\"path\": \"/var/run/tdx-qgs/qgs.socket\", "
                                             "\"type\": \"socket\", \"connect\": "
                                             "\"ECONNREFUSED\"}}" });
                expect(&res, "tdx.qgs", CVM_CHECK_WARN, "socket, connect ECONNREFUSED", "qgsd");
        }
        {
                RUN({ "/cvm-facts/qgs.json", NULL });
                expect(&res, "tdx.qgs", CVM_CHECK_SKIP, "not collected", NULL);
        }
        {
                RUN({ "/cvm-facts/qgs.json", "{\"unix\": 5}" });
                expect(&res, "tdx.qgs", CVM_CHECK_SKIP, "lack \"mode\"", NULL);
        }
}

/* ---- the QGS probe, against a real UNIX socket below a temporary root ---- */

static json_object *qgs_probe(const char *root)
{
        json_object *o = NULL;
        assert_int_equal(probe_qgs(root, NULL, 0, &o), 0);
        return o;
}

static void qgs_probe_unix_socket(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/etc/qgs.conf", "# QGS configuration\nport = 0   # UNIX socket\nnumber_threads = 4\n",
                "/var/run/tdx-qgs/.keep", "", NULL });
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/var/run/tdx-qgs/qgs.socket", root) > 0);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        assert_true(fd >= 0 && strlen(path) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, path, strlen(path) + 1);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 4), 0);

        _cleanup_(json_object_putp) json_object *o = qgs_probe(root);
        assert_string_equal(json_get_string(o, "mode"), "unix");
        assert_int_equal(json_object_get_int(json_get(o, "port", json_type_int)), 0);
        assert_int_equal(json_object_get_int(
                                 json_get(json_get(o, "config", json_type_object), "port", json_type_int)),
                         0);
        json_object *ux = json_get(o, "unix", json_type_object);
        assert_string_equal(json_get_string(ux, "type"), "socket");
        assert_string_equal(json_get_string(ux, "connect"), "ok");
        assert_null(json_get(o, "vsock", json_type_object)); /* port 0: nothing to try on vsock */

        /* Nobody listening any more: refused, reported, not waited for. */
        (void) close(fd);
        fd = -EBADF;
        json_object_put(o);
        o = qgs_probe(root);
        assert_string_equal(json_get_string(json_get(o, "unix", json_type_object), "connect"),
                            "ECONNREFUSED");
}

static void qgs_probe_config(void **state)
{
        _cleanup_(rm_rf_freep) char *r1 =
                make_tree((const char *[]){ "/etc/qgs.conf", "port=4051\n", NULL });
        _cleanup_(rm_rf_freep) char *r2 =
                make_tree((const char *[]){ "/etc/qgs.conf", "port = four\n", NULL });
        _cleanup_(rm_rf_freep) char *r3 = make_tree((const char *[]){ "/etc/other", "x", NULL });

        _cleanup_(json_object_putp) json_object *o1 = qgs_probe(r1), *o2 = qgs_probe(r2),
                                                *o3 = qgs_probe(r3);
        assert_string_equal(json_get_string(o1, "mode"), "vsock");
        assert_int_equal(json_object_get_int(json_get(o1, "port", json_type_int)), 4051);
        json_object *vs = json_get(o1, "vsock", json_type_object);
        assert_int_equal(json_object_get_int(json_get(vs, "cid", json_type_int)), 1);
        assert_int_equal(json_object_get_int(json_get(vs, "port", json_type_int)), 4051);
        assert_non_null(json_get_string(vs, "connect")); /* whatever this machine answers */
        assert_string_equal(json_get_string(json_get(o1, "unix", json_type_object), "type"), "ENOENT");

        assert_string_equal(json_get_string(json_get(o2, "config", json_type_object), "error"), "EBADMSG");
        assert_int_equal(json_object_get_int(json_get(o2, "port", json_type_int)), 4050);
        assert_string_equal(json_get_string(json_get(o3, "config", json_type_object), "error"), "ENOENT");
        assert_int_equal(json_object_get_int(json_get(o3, "port", json_type_int)), 4050);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tdx_ready_emr),
                cmocka_unit_test(tdx_committed_trees),
                cmocka_unit_test(tdx_cpu_amd),
                cmocka_unit_test(tdx_cpu_models),
                cmocka_unit_test(tdx_kernel_versions),
                cmocka_unit_test(tdx_msrs),
                cmocka_unit_test(tdx_dimms),
                cmocka_unit_test(tdx_platform_flag),
                cmocka_unit_test(tdx_nohibernate),
                cmocka_unit_test(tdx_module_log),
                cmocka_unit_test(tdx_kvm_param),
                cmocka_unit_test(tdx_vm_types),
                cmocka_unit_test(tdx_keyids),
                cmocka_unit_test(tdx_attestation),
                cmocka_unit_test(qgs_probe_unix_socket),
                cmocka_unit_test(qgs_probe_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
