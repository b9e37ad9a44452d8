/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test-util.h"
#include "vm/vm-options.h"

static void set_ok(VmSpec *s, const char *k, const char *v)
{
        _cleanup_free_ char *e = NULL;
        int r = vm_spec_set(s, k, v, &e);
        if (r < 0)
                fail_msg("%s=%s: %s", k, v, e ?: strerror(-r));
}

static void set_fails(VmSpec *s, const char *k, const char *v, int want, const char *words)
{
        _cleanup_free_ char *e = NULL;
        assert_int_equal(vm_spec_set(s, k, v, &e), want);
        assert_non_null(e);
        if (!strstr(e, words))
                fail_msg("'%s' lacks '%s'", e, words);
}

static void vm_options_parse_values(void **state)
{
        _cleanup_(vm_spec_done) VmSpec s;
        vm_spec_init(&s);

        set_ok(&s, "memory", "4G");
        assert_true(s.memory == UINT64_C(4) << 30);
        set_ok(&s, "memory", "2048");
        assert_true(s.memory == UINT64_C(2048) << 20);
        set_ok(&s, "cpus", "8");
        assert_int_equal(s.cpus, 8);
        set_ok(&s, "coco", "sev-snp");
        assert_int_equal(s.coco, VM_COCO_SEV_SNP);
        set_ok(&s, "tdx-attributes", "debug,perfmon,-sept-ve-disable");
        assert_true(vm_spec_tdx_attributes(&s) == (TDX_ATTR_DEBUG | TDX_ATTR_PERFMON));
        set_ok(&s, "qgs", "vsock:2:4050");
        assert_int_equal(s.qgs, QGS_VSOCK);
        assert_int_equal(s.qgs_cid, 2);
        assert_int_equal(s.qgs_port, 4050);
        set_ok(&s, "tsc-frequency", "2400M");
        assert_true(s.tsc_frequency == UINT64_C(2400000000));
        set_ok(&s, "tsc-frequency", "2GHz");
        assert_true(s.tsc_frequency == UINT64_C(2000000000));
        set_ok(&s, "allow-debug", NULL);
        assert_true(s.allow_debug);
        set_ok(&s, "console", "file:/var/log/vm,1.log");
        assert_int_equal(s.console, CONSOLE_FILE);
        assert_string_equal(s.console_file, "/var/log/vm,1.log");
        set_ok(&s, "cmdline", "");
        assert_string_equal(s.cmdline, "");
}

static void vm_options_mr_hex_and_base64(void **state)
{
        _cleanup_(vm_spec_done) VmSpec s;
        vm_spec_init(&s);
        char hex[97];
        for (int i = 0; i < 48; i++)
                snprintf(hex + 2 * i, 3, "%02x", i);
        set_ok(&s, "mrconfigid", hex);
        assert_true(s.has_mrconfigid);
        assert_int_equal(s.mrconfigid[47], 47);
        /* 48 zero bytes in base64 */
        set_ok(&s, "mrowner", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assert_true(s.has_mrowner);
        set_fails(&s, "mrownerconfig", "AAAA", -EINVAL, "3 bytes");
        set_fails(&s, "mrownerconfig", "zz!", -EINVAL, "neither hex nor base64");
        assert_false(s.has_mrownerconfig);
}

static void vm_options_disk_syntax(void **state)
{
        _cleanup_(vm_spec_done) VmSpec s;
        vm_spec_init(&s);

        set_ok(&s, "disk", "/var/lib/a,,b c.qcow2,format=qcow2,bus=nvme,readonly,boot");
        assert_int_equal(s.n_disks, 1);
        assert_string_equal(s.disks[0].path, "/var/lib/a,b c.qcow2");
        assert_string_equal(s.disks[0].format, "qcow2");
        assert_int_equal(s.disks[0].bus, DISK_BUS_NVME);
        assert_true(s.disks[0].readonly && s.disks[0].boot);
        set_fails(&s, "disk", "/x,bus=ide", -EINVAL, "not a disk bus");
        set_fails(&s, "disk", "/x,cache=none", -EINVAL, "unknown disk option 'cache=none'");
        set_fails(&s, "disk", ",format=raw", -EINVAL, "names no disk image");
        assert_int_equal(s.n_disks, 1);
}

static void vm_options_reject_bad_values(void **state)
{
        _cleanup_(vm_spec_done) VmSpec s;
        vm_spec_init(&s);

        set_fails(&s, "memory", "lots", -EINVAL, "not a size");
        set_fails(&s, "memory", "1M", -EINVAL, "too small");
        set_fails(&s, "cpus", "0", -EINVAL, "between 1 and 4096");
        set_fails(&s, "coco", "sgx", -EINVAL, "no, tdx, sev-snp, auto");
        set_fails(&s, "name", "../etc", -EINVAL, "not a valid name");
        set_fails(&s, "cpu", "host,+evil", -EINVAL, "not a valid name");
        set_fails(&s, "network", "tap:a,b", -EINVAL, "interface name");
        set_fails(&s, "qgs", "vsock:2", -EINVAL, "vsock:CID:PORT");
        set_fails(&s, "qgs", "unix:relative", -EINVAL, "absolute");
        set_fails(&s, "tdx-attributes", "debug,turbo", -EINVAL, "unknown TD attribute 'turbo'");
        set_fails(&s, "vsock-cid", "2", -EINVAL, "guest vsock CID");
        set_fails(&s, "tsc-frequency", "fast", -EINVAL, "not a frequency");
        set_fails(&s, "memroy", "4G", -ENOENT, "did you mean 'memory'?");
        set_fails(&s, "firmware", NULL, -EINVAL, "needs a value");
}

static void vm_options_ini_file(void **state)
{
        _cleanup_(rm_rf_freep) char *d = make_tree((const char *[]){
                "/good.conf",
                "# a TD\n[VM]\nname=web\ncoco=tdx\nmemory=4G\ndisk=/a.img\ndisk=/b.img,bus=sata\n",
                "/typo.conf", "[VM]\nname=web\n\ncpus=2\nmemroy=4G\n", "/section.conf",
                "[Machine]\nname=x\n", "/badvalue.conf", "[VM]\ncpus=many\n", "/syntax.conf",
                "[VM]\nthis is not ini\n", NULL });
        _cleanup_free_ char *p = NULL;

        _cleanup_(vm_spec_done) VmSpec s;
        vm_spec_init(&s);
        assert_int_equal(asprintf(&p, "%s/good.conf", d) > 0, 1);
        char *e = NULL;
        assert_int_equal(vm_spec_load_file(&s, p, &e), 0);
        assert_string_equal(s.name, "web");
        assert_int_equal(s.coco, VM_COCO_TDX);
        assert_int_equal(s.n_disks, 2);
        assert_int_equal(s.disks[1].bus, DISK_BUS_SATA);

        static const struct {
                const char *file, *want;
        } bad[] = {
                { "typo.conf", "typo.conf:5: unknown key 'memroy'; did you mean 'memory'?" },
                { "section.conf", "section.conf:2: unknown section [Machine]" },
                { "badvalue.conf", "badvalue.conf:2: cpus: 'many' is not a vCPU count" },
                { "syntax.conf", "syntax.conf:2:" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(vm_spec_done) VmSpec t;
                _cleanup_free_ char *f = NULL, *err = NULL;
                vm_spec_init(&t);
                assert_int_equal(asprintf(&f, "%s/%s", d, bad[i].file) > 0, 1);
                assert_int_equal(vm_spec_load_file(&t, f, &err), -EINVAL);
                if (!strstr(err, bad[i].want))
                        fail_msg("'%s' lacks '%s'", err, bad[i].want);
        }

        _cleanup_(vm_spec_done) VmSpec t;
        vm_spec_init(&t);
        assert_int_equal(vm_spec_load_file(&t, "/nonexistent/x.conf", &e), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vm_options_parse_values), cmocka_unit_test(vm_options_mr_hex_and_base64),
                cmocka_unit_test(vm_options_disk_syntax),  cmocka_unit_test(vm_options_reject_bad_values),
                cmocka_unit_test(vm_options_ini_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
