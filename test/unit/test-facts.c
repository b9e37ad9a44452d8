/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "checks.h"
#include "kvm-abi.h"
#include "fileio.h"
#include "test-util.h"

static void facts_collect_reads_below_root(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree(
                (const char *[]){ "/proc/sys/kernel/arch", "x86_64\n", "/proc/sys/kernel/osrelease",
                                  "6.16.3\n", "/sys/module/kvm_intel/parameters/tdx", "Y\n", NULL });
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL;
        const char *t;

        assert_int_equal(cvm_host_facts_collect(root, NULL, CVM_FACTS_NO_QEMU, &f), 0);
        assert_int_equal(facts_file_text(f, "/proc/sys/kernel/arch", &t), 0);
        assert_string_equal(t, "x86_64\n");
        assert_int_equal(facts_file_text(f, "/proc/cpuinfo", &t), -ENOENT);
        assert_int_equal(facts_path_type(f, "/dev/kvm", &t), -ENOENT);
        /* Under a foreign root the host-only probes are not run: no fact of this machine leaks in. */
        assert_null(facts_member(f, "kvm"));
        assert_null(facts_member(f, "cpuid"));
        assert_string_equal(facts_root(f), root);
}

static void facts_probe_files_below_root(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/cvm-facts/kvm.json", "{\"api_version\": 12, \"extensions\": {\"KVM_CAP_VM_TYPES\": 49}}",
                "/cvm-facts/msr.json", "{ not json", NULL });
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL;
        int64_t v;
        json_object *o;

        assert_int_equal(cvm_host_facts_collect(root, NULL, 0, &f), 0);
        assert_int_equal(facts_kvm_extension(f, "KVM_CAP_VM_TYPES", &v), 0);
        assert_int_equal(v, 49);
        assert_int_equal(facts_probe_result(f, "msr", &o), -EBADMSG);
        assert_int_equal(facts_probe_result(f, "sev", &o), -ENODATA);
}

static void facts_format_parse_roundtrip(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/proc/cpuinfo", "vendor_id\t: GenuineIntel\nflags\t\t: fpu tdx_host_platform vmx\n\n",
                NULL });
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL, *g = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL;
        char buf[64];

        assert_int_equal(cvm_host_facts_collect(root, NULL, 0, &f), 0);
        assert_int_equal(cvm_host_facts_format(f, &a), 0);
        assert_int_equal(cvm_host_facts_parse(a, strlen(a), &g), 0);
        assert_int_equal(cvm_host_facts_format(g, &b), 0);
        assert_string_equal(a, b);
        assert_string_equal(cpuinfo_value(g, "vendor_id", buf, sizeof(buf)), "GenuineIntel");
        assert_int_equal(cpuinfo_has_flag(g, "tdx_host_platform"), 1);
        assert_int_equal(cpuinfo_has_flag(g, "tdx"), 0);
}

static void facts_parse_rejects_garbage(void **state)
{
        static const char *const bad[] = {
                "",
                "[]",
                "{}",
                "{\"cvm-facts\": 2, \"files\": {}, \"paths\": {}}",
                "{\"cvm-facts\": 1}",
                "{\"cvm-facts\": 1, \"files\": {}, \"paths\": {}} x",
                "{\"cvm-facts\": 1, \"files\": [], \"paths\": {}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cvm_host_facts *f = (cvm_host_facts *) 0x1;
                int r = cvm_host_facts_parse(bad[i], strlen(bad[i]), &f);
                assert_true(r == -EBADMSG || r == -EOPNOTSUPP);
                assert_ptr_equal(f, (cvm_host_facts *) 0x1);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(facts_collect_reads_below_root),
                cmocka_unit_test(facts_probe_files_below_root),
                cmocka_unit_test(facts_format_parse_roundtrip),
                cmocka_unit_test(facts_parse_rejects_garbage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
