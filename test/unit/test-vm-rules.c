/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every validation rule fires on a definition that breaks it and stays quiet on one that does not; the QEMU
 * argv of representative definitions equals the golden files in test/data/qemu/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "argv-util.h"
#include "test-util.h"
#include "vm/qemu-argv.h"
#include "vm/vm-options.h"
#include "vm/vm-rules.h"

static char *tree; /* a fake host: TDX-capable KVM, SNP CPUID, misc cgroup full for TDX */
static cvm_host_facts *facts;

static int setup(void **state)
{
        tree = make_tree((const char *[]){
                "/proc/sys/kernel/arch", "x86_64\n", "/cvm-facts/cpuid.json",
                "{\"0x8000001f.0\": [\"0x1b\", \"0x4073\", \"0x1fd\", \"0x64\"]}",
                "/sys/fs/cgroup/misc.capacity", "tdx 2\nsev 0\nsev_es 10\n", "/sys/fs/cgroup/misc.current",
                "tdx 2\nsev 0\nsev_es 1\n", "/cvm-facts/qemu.json",
                "{\"path\": \"/usr/bin/qemu-system-x86_64\", \"version\": \"10.1.0\", "
                "\"types\": [\"tdx-guest\"], \"properties\": {\"tdx-guest\": "
                "[{\"name\": \"sept-ve-disable\", \"type\": \"bool\"}, "
                "{\"name\": \"quote-generation-socket\", \"type\": \"SocketAddress\"}]}}",
                "/blob96",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
                "/blob31", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "/blob16",
                "AAAAAAAAAAAAAAAAAAAAAQ==\n", "/kernel", "MZ", NULL });
        /* A TDVF image: zeros, then the real last 4 KiB of an OVMF build (test/data/firmware/README.md). */
        _cleanup_free_ char *suffix = NULL, *src = NULL, *dst = NULL, *img = calloc(1, 4U << 20);
        size_t n;
        if (!img || asprintf(&src, "%s/firmware/ovmf_OvmfX64_suffix.bin", getenv("CVM_TEST_DATA")) < 0 ||
            read_full_file(src, 4096, &suffix, &n) < 0 || n != 4096 ||
            asprintf(&dst, "%s/tdvf.fd", tree) < 0)
                return -1;
        memcpy(img + (4U << 20) - 4096, suffix, 4096);
        if (write_full_file(dst, img, 4U << 20) < 0)
                return -1;
        return cvm_host_facts_collect(tree, NULL, 0, &facts) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
        facts = cvm_host_facts_free(facts);
        rm_rf_freep(&tree);
        return 0;
}

/* Builds a spec from "key=value" strings (NULL-terminated), resolving paths below the fake tree. */
static void spec_from(VmSpec *s, const char *const *kv)
{
        vm_spec_init(s);
        for (size_t i = 0; kv[i]; i++) {
                _cleanup_free_ char *k = strndup(kv[i], strcspn(kv[i], "=")), *e = NULL, *v = NULL;
                const char *val = strchr(kv[i], '=') ? strchr(kv[i], '=') + 1 : NULL;
                if (val && val[0] == '@') /* "@/blob96": a file in the tree */
                        assert_true(asprintf(&v, "%s%s", tree, val + 1) > 0);
                int r = vm_spec_set(s, k, v ?: val, &e);
                if (r < 0)
                        fail_msg("%s: %s", kv[i], e ?: strerror(-r));
        }
}

static const VmFinding *find(const VmValidation *v, const char *id)
{
        for (size_t i = 0; i < v->n_findings; i++)
                if (streq(v->findings[i].id, id))
                        return v->findings + i;
        return NULL;
}

static void expect(const char *id, RuleSeverity sev, bool host_is_target, const char *words,
                   const char *const *bad, const char *const *good)
{
        for (int pass = 0; pass < 2; pass++) {
                _cleanup_(vm_spec_done) VmSpec s;
                _cleanup_(vm_validation_done) VmValidation v = {};
                spec_from(&s, pass == 0 ? bad : good);
                RuleContext c = { .spec = &s, .facts = facts, .host_is_target = host_is_target };
                assert_int_equal(vm_validate(&c, &v), 0);
                const VmFinding *f = find(&v, id);
                if (pass == 0) {
                        if (!f)
                                fail_msg("rule %s did not fire", id);
                        assert_int_equal(f->severity, sev);
                        if (!strstr(f->message, words))
                                fail_msg("%s: '%s' lacks '%s'", id, f->message, words);
                        assert_non_null(f->source);
                } else if (f)
                        fail_msg("rule %s fired on a good definition: %s", id, f->message);
        }
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define TDXB   "coco=tdx", "firmware=@/kernel"
#define SNPB   "coco=sev-snp", "firmware=@/kernel", "kernel=@/kernel"

static void vm_rules_each_rule(void **state)
{
        expect("coco.accel", RULE_ERROR, true, "--accel=tcg", L(TDXB, "accel=tcg"), L(TDXB));
        expect("files.exist", RULE_ERROR, true, "--kernel=/nonexistent", L("kernel=/nonexistent"),
               L("kernel=@/kernel"));
        expect("boot.kernel", RULE_ERROR, true, "--initrd without --kernel", L("initrd=@/kernel"),
               L("kernel=@/kernel", "initrd=@/kernel"));
        expect("firmware.uefi", RULE_ERROR, true, "UEFI firmware", L("coco=tdx"), L(TDXB));
        expect("firmware.metadata", RULE_ERROR, true, "no usable TDX metadata", L(TDXB),
               L("coco=tdx", "firmware=@/tdvf.fd"));
        expect("firmware.stateless", RULE_ERROR, true, "pflash", L(TDXB, "firmware-vars=@/kernel"),
               L("firmware-vars=@/kernel"));
        expect("firmware.secure-boot", RULE_ERROR, true, "cannot be enrolled", L(TDXB, "secure-boot=yes"),
               L(TDXB));
        expect("tpm.untrusted", RULE_WARNING, true, "trust boundary", L(TDXB, "tpm=/run/swtpm.sock"),
               L(TDXB));
        expect("machine.q35", RULE_ERROR, true, "--machine=pc", L(TDXB, "machine=pc"),
               L(TDXB, "machine=pc-q35-9.2"));
        expect("disk.boot-count", RULE_ERROR, true, "2 disks", L("disk=@/kernel,boot", "disk=@/kernel,boot"),
               L("disk=@/kernel,boot", "disk=@/kernel"));
        expect("disk.scsi-boot", RULE_ERROR, true, "SCSI", L(TDXB, "disk=@/kernel,bus=scsi"),
               L(TDXB, "disk=@/kernel,bus=virtio,boot", "disk=@/kernel,bus=scsi"));
        expect("lifecycle.suspend", RULE_ERROR, true, "hibernation", L(TDXB, "suspend=yes"),
               L("suspend=yes"));
        expect("lifecycle.migration", RULE_ERROR, true, "live migration", L(SNPB, "migratable=yes"),
               L(SNPB));
        expect("graphics.unusable", RULE_WARNING, true, "--graphics=vnc", L(TDXB, "graphics=vnc"),
               L(TDXB, "graphics=none"));
        expect("memory.hugepages", RULE_WARNING, true, "guest_memfd", L(TDXB, "hugepages=yes"),
               L("hugepages=yes"));
        expect("tdx.irqchip-split", RULE_ERROR, true, "kernel_irqchip to be split", L(TDXB, "irqchip=on"),
               L(TDXB, "irqchip=split"));
        expect("snp.irqchip-in-kernel", RULE_ERROR, true, "in-kernel irqchip", L(SNPB, "irqchip=split"),
               L(SNPB, "irqchip=on"));
        expect("cc.no-smm", RULE_ERROR, true, "SMM", L(SNPB, "smm=yes"), L(SNPB, "smm=no"));
        expect("tdx.no-pic", RULE_ERROR, true, "PIC", L(TDXB, "pic=yes"), L(TDXB));
        expect("tdx.cpu-host", RULE_ERROR, true, "Named cpu model", L(TDXB, "cpu=Skylake-Server"),
               L(TDXB, "cpu=host"));
        expect("tdx.pmu-perfmon", RULE_ERROR, true, "PERFMON", L(TDXB, "pmu=yes"),
               L(TDXB, "pmu=yes", "tdx-attributes=perfmon"));
        expect("tdx.tsc-frequency", RULE_ERROR, true, "25 MHz", L(TDXB, "tsc-frequency=2410M"),
               L(TDXB, "tsc-frequency=2400M"));
        expect("tdx.tsc-frequency", RULE_ERROR, true, "[100 MHz, 10 GHz]", L(TDXB, "tsc-frequency=75M"),
               L(TDXB, "tsc-frequency=100M"));
        expect("tdx.only", RULE_ERROR, true, "--mrowner",
               L(SNPB, "mrowner=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), L(SNPB));
        expect("snp.only", RULE_ERROR, true, "--snp-policy", L(TDXB, "snp-policy=0x30000"),
               L(SNPB, "snp-policy=0x30000"));
        expect("tdx.debug", RULE_ERROR, true, "DEBUG attribute", L(TDXB, "tdx-attributes=debug"),
               L(TDXB, "tdx-attributes=debug", "allow-debug"));
        expect("snp.debug", RULE_ERROR, true, "bit 19", L(SNPB, "snp-policy=0xb0000"),
               L(SNPB, "snp-policy=0xb0000", "allow-debug=yes"));
        expect("cc.debug-not-confidential", RULE_WARNING, true, "NOT confidential",
               L(TDXB, "tdx-attributes=debug", "allow-debug"), L(TDXB, "allow-debug"));
        expect("snp.policy-reserved", RULE_ERROR, true, "bit 17", L(SNPB, "snp-policy=0x10000"),
               L(SNPB, "snp-policy=0x30000"));
        expect("snp.reduced-phys-bits", RULE_ERROR, true, "outside 1..63",
               L(SNPB, "snp-reduced-phys-bits=0"), L(SNPB, "snp-reduced-phys-bits=1"));
        expect("snp.cbitpos", RULE_ERROR, true, "C-bit position 51", L(SNPB, "snp-cbitpos=47"),
               L(SNPB, "snp-cbitpos=51"));
        expect("snp.id-block", RULE_ERROR, true, "requires 96", L(SNPB, "snp-id-block=@/blob31"),
               L(SNPB, "snp-id-block=@/blob96"));
        expect("snp.host-data", RULE_ERROR, true, "requires 32", L(SNPB, "snp-host-data=@/blob96"), L(SNPB));
        expect("snp.guest-visible-workarounds", RULE_ERROR, true, "at most 16",
               L(SNPB, "snp-guest-visible-workarounds=@/blob31"),
               L(SNPB, "snp-guest-visible-workarounds=@/blob16"));
        expect("snp.id-auth", RULE_ERROR, true, "is not base64", L(SNPB, "snp-id-auth=@/kernel"),
               L(SNPB, "snp-id-auth=@/blob96"));
        expect("snp.direct-boot", RULE_WARNING, true, "not part of the SEV-SNP launch",
               L("coco=sev-snp", "firmware=@/kernel"), L(SNPB));
        /* Host-dependent rules: errors when this host is the target, warnings for --dry-run. */
        expect("host.key-slots", RULE_ERROR, true, "2 of 2 in use", L(TDXB), L(SNPB));
        expect("host.key-slots", RULE_WARNING, false, "No free TDX KeyID", L(TDXB), L(SNPB));
        expect("host.qemu", RULE_ERROR, true, "no 'sev-snp-guest' object type", L(SNPB), L(TDXB));
        expect("host.qemu", RULE_ERROR, true, "no 'mrowner' property",
               L(TDXB, "mrowner=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), L(TDXB));
        expect("host.kvm", RULE_ERROR, true, "/dev/kvm", L("accel=kvm"), L("accel=tcg"));
        expect("host.tee-ready", RULE_ERROR, true, "cannot run TDX guests", L(TDXB), L("coco=no"));
}

static void vm_rules_cover_the_table(void **state)
{
        /* The list above names each rule of the table at least once; a new rule needs a test here. */
        static const char *const tested[] = {
                "coco.accel",
                "firmware.metadata",
                "boot.kernel",
                "files.exist",
                "firmware.uefi",
                "firmware.stateless",
                "firmware.secure-boot",
                "tpm.untrusted",
                "machine.q35",
                "disk.boot-count",
                "disk.scsi-boot",
                "lifecycle.suspend",
                "lifecycle.migration",
                "graphics.unusable",
                "memory.hugepages",
                "tdx.irqchip-split",
                "snp.irqchip-in-kernel",
                "cc.no-smm",
                "tdx.no-pic",
                "tdx.cpu-host",
                "tdx.pmu-perfmon",
                "tdx.tsc-frequency",
                "tdx.only",
                "snp.only",
                "tdx.debug",
                "snp.debug",
                "cc.debug-not-confidential",
                "snp.policy-reserved",
                "snp.reduced-phys-bits",
                "snp.cbitpos",
                "snp.id-block",
                "snp.host-data",
                "snp.guest-visible-workarounds",
                "snp.id-auth",
                "snp.direct-boot",
                "host.key-slots",
                "host.qemu",
                "host.kvm",
                "host.tee-ready",
                "host.x86_64",
        };
        for (size_t i = 0; i < vm_rules_count; i++) {
                size_t j;
                for (j = 0; j < ELEMENTSOF(tested); j++)
                        if (streq(tested[j], vm_rules[i].id))
                                break;
                if (j == ELEMENTSOF(tested))
                        fail_msg("rule %s has no test", vm_rules[i].id);
        }
}

static void vm_rules_host_arch(void **state)
{
        _cleanup_(rm_rf_freep) char *arm =
                make_tree((const char *[]){ "/proc/sys/kernel/arch", "aarch64\n", NULL });
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL;
        _cleanup_(vm_spec_done) VmSpec s;
        _cleanup_(vm_validation_done) VmValidation v = {};
        assert_int_equal(cvm_host_facts_collect(arm, NULL, 0, &f), 0);
        spec_from(&s, L("accel=kvm"));
        RuleContext c = { .spec = &s, .facts = f, .host_is_target = true };
        assert_int_equal(vm_validate(&c, &v), 0);
        assert_non_null(find(&v, "host.x86_64"));
        assert_int_equal(find(&v, "host.x86_64")->severity, RULE_ERROR);
}

/* Golden argv: test/data/qemu/NAME.args holds the shell line; CVM_TEST_REGENERATE=1 rewrites it. */
static void golden(const char *name, const char *const *kv)
{
        _cleanup_(vm_spec_done) VmSpec s;
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_free_ char *line = NULL, *path = NULL, *want = NULL;

        vm_spec_init(&s);
        for (size_t i = 0; kv[i]; i++) {
                _cleanup_free_ char *k = strndup(kv[i], strcspn(kv[i], "=")), *e = NULL;
                const char *val = strchr(kv[i], '=') ? strchr(kv[i], '=') + 1 : NULL;
                _cleanup_free_ char *file = NULL;
                /* "@NAME": a file in test/data; only its content reaches the argv, never its path. */
                if (val && val[0] == '@') {
                        assert_true(asprintf(&file, "%s/%s", getenv("CVM_TEST_DATA"), val + 1) > 0);
                        val = file;
                }
                if (vm_spec_set(&s, k, val, &e) < 0)
                        fail_msg("%s: %s", kv[i], e);
        }
        QemuLaunchPaths p = { .qemu = "/usr/bin/qemu-system-x86_64",
                              .qmp_socket = "/run/cvm/test/qmp.sock",
                              .control_socket = "/run/cvm/test/control.sock" };
        assert_int_equal(qemu_argv_build(&s, &p, &argv), 0);
        assert_int_equal(argv_to_shell_line(argv, &line), 0);

        assert_true(asprintf(&path, "%s/qemu/%s.args", getenv("CVM_TEST_DATA"), name) > 0);
        if (getenv("CVM_TEST_REGENERATE")) {
                _cleanup_free_ char *l2 = NULL;
                assert_true(asprintf(&l2, "%s\n", line) > 0);
                assert_int_equal(write_full_file(path, l2, strlen(l2)), 0);
                return;
        }
        assert_int_equal(read_full_file(path, 65536, &want, NULL), 0);
        want[strcspn(want, "\n")] = 0;
        assert_string_equal(line, want);
}

static void qemu_argv_golden(void **state)
{
        golden("plain",
               L("name=plain", "accel=tcg", "memory=512M", "cpus=1", "kernel=/boot/vmlinuz",
                 "initrd=/boot/initrd.img", "cmdline=console=ttyS0 panic=-1", "console=file:/tmp/a,b.log",
                 "disk=/var/lib/cvm/data,,1.img,format=qcow2,bus=sata", "network=user"));
        golden("tdx-unix",
               L("name=td1", "coco=tdx", "memory=4G", "cpus=4", "firmware=/usr/share/ovmf/OVMF.inteltdx.fd",
                 "mrconfigid="
                 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c"
                 "2d2e2f",
                 "mrowner=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                 "tdx-attributes=perfmon", "disk=/var/lib/td1.qcow2,format=qcow2,boot", "vsock-cid=42",
                 "console=pty"));
        golden("tdx-vsock", L("name=td2", "coco=tdx", "firmware=/usr/share/ovmf/OVMF.fd", "qgs=vsock:2:4050",
                              "tdx-attributes=pks,-sept-ve-disable", "kernel=/boot/vmlinuz", "cmdline="));
        golden("snp", L("name=snp1", "coco=sev-snp", "memory=2G", "firmware=/usr/share/ovmf/OVMF.amdsev.fd",
                        "snp-cbitpos=51", "snp-reduced-phys-bits=1", "kernel=/boot/vmlinuz",
                        "initrd=/boot/initrd.img", "cmdline=root=/dev/vda console=ttyS0",
                        "snp-vcek-disabled=yes", "network=tap:tap0", "snp-id-block=@qemu/snp-id-block.b64",
                        "snp-id-auth=@qemu/snp-id-auth.b64", "snp-host-data=@qemu/snp-host-data.b64",
                        "snp-guest-visible-workarounds=@qemu/snp-gosvw.b64", "snp-author-key=yes",
                        "snp-policy=0x30000"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vm_rules_each_rule),
                cmocka_unit_test(vm_rules_cover_the_table),
                cmocka_unit_test(vm_rules_host_arch),
                cmocka_unit_test(qemu_argv_golden),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
