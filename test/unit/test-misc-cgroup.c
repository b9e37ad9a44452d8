/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The misc cgroup parser (kernel/cgroup/misc.c prints "%s %llu\n" per resource) and the lookup of a
 * resource across the cgroup v2, v1 and hybrid layouts, on fake trees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "misc-cgroup.h"
#include "test-util.h"

static void misc_cgroup_parse_kernel_output(void **state)
{
        _cleanup_free_ MiscEntry *e = NULL;
        size_t n;

        assert_int_equal(misc_cgroup_parse("sev 907\nsev_es 99\ntdx 63\n", &e, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(e[0].name, "sev");
        assert_int_equal(e[0].value, 907);
        assert_string_equal(e[1].name, "sev_es");
        assert_int_equal(e[1].value, 99);
        assert_string_equal(e[2].name, "tdx");
        assert_int_equal(e[2].value, 63);
}

static void misc_cgroup_parse_edges(void **state)
{
        MiscEntry *e = (MiscEntry *) 0x1;
        size_t n = 77;

        /* No resource with a capacity: the kernel prints nothing. */
        assert_int_equal(misc_cgroup_parse("", &e, &n), 0);
        assert_null(e);
        assert_int_equal(n, 0);

        /* A missing final newline (hand-written trees) is tolerated; u64 max and 31-char names fit. */
        assert_int_equal(misc_cgroup_parse("abcdefghijklmnopqrstuvwxyz_0123 18446744073709551615", &e, &n),
                         0);
        assert_int_equal(n, 1);
        assert_string_equal(e[0].name, "abcdefghijklmnopqrstuvwxyz_0123");
        assert_true(e[0].value == UINT64_MAX);
        free(e);

        assert_int_equal(misc_cgroup_parse("tdx 0\n", &e, &n), 0);
        assert_int_equal(e[0].value, 0);
        free(e);
}

static void misc_cgroup_parse_rejects_garbage(void **state)
{
        static const char *const bad[] = {
                "tdx\n",                      /* no value */
                "tdx 63 \n",                  /* trailing blank */
                "tdx  63\n",                  /* two blanks */
                "tdx\t63\n",                  /* tab */
                " tdx 63\n",                  /* leading blank */
                "TDX 63\n",                   /* upper case */
                "td-x 63\n",                  /* '-' */
                " 63\n",                      /* empty name */
                "tdx -1\n",                   /* sign */
                "tdx +1\n",                   /* sign */
                "tdx 063\n",                  /* leading zero */
                "tdx 0x3f\n",                 /* hex */
                "tdx max\n",                  /* only misc.max prints "max" */
                "tdx 18446744073709551616\n", /* u64 overflow */
                "tdx 99999999999999999999999\n",
                "tdx 1\ntdx 2\n",                       /* listed twice */
                "\n",                                   /* empty line */
                "tdx 1\n\n",                            /* empty line at the end */
                "abcdefghijklmnopqrstuvwxyz_01234 1\n", /* 32-character name */
                "tdx 1\r\n",                            /* CR */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                MiscEntry *e = (MiscEntry *) 0x1;
                size_t n = 77;
                assert_int_equal(misc_cgroup_parse(bad[i], &e, &n), -EBADMSG);
                assert_ptr_equal(e, (MiscEntry *) 0x1);
                assert_int_equal(n, 77);
        }
}

static void misc_cgroup_parse_caps_entries(void **state)
{
        char text[65 * 16] = "", line[16];
        MiscEntry *e = (MiscEntry *) 0x1;
        size_t n = 0;

        for (unsigned i = 0; i < 65; i++) {
                snprintf(line, sizeof(line), "r%u %u\n", i, i);
                strcat(text, line);
        }
        assert_int_equal(misc_cgroup_parse(text, &e, &n), -E2BIG);
        assert_ptr_equal(e, (MiscEntry *) 0x1);

        /* 64 is fine. */
        *strstr(text, "r64 ") = 0;
        assert_int_equal(misc_cgroup_parse(text, &e, &n), 0);
        assert_int_equal(n, 64);
        assert_int_equal(e[63].value, 63);
        free(e);
}

static cvm_host_facts *facts_of(const char *const *pairs, char **ret_root)
{
        cvm_host_facts *f = NULL;
        *ret_root = make_tree(pairs);
        assert_int_equal(cvm_host_facts_collect(*ret_root, NULL, CVM_FACTS_NO_QEMU, &f), 0);
        return f;
}

static void misc_resource_v2(void **state)
{
        _cleanup_(rm_rf_freep) char *root = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/misc.capacity",
                        "tdx 63\n",
                        "/sys/fs/cgroup/misc.current",
                        "tdx 2\n",
                        NULL,
                },
                &root);
        uint64_t cap = 0, cur = 0;
        const char *src = NULL;

        assert_int_equal(facts_misc_resource(f, "tdx", &cap, &cur, &src), 0);
        assert_int_equal(cap, 63);
        assert_int_equal(cur, 2);
        assert_string_equal(src, "/sys/fs/cgroup/misc.capacity");
        assert_true(facts_misc_current_known(f, src));

        /* Not listed: -ENODATA, naming the file asked. */
        src = NULL;
        cap = 5;
        assert_int_equal(facts_misc_resource(f, "sev", &cap, &cur, &src), -ENODATA);
        assert_string_equal(src, "/sys/fs/cgroup/misc.capacity");
        assert_int_equal(cap, 5);
}

static void misc_resource_v2_precedes_v1(void **state)
{
        _cleanup_(rm_rf_freep) char *root = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/misc.capacity",
                        "tdx 31\n",
                        "/sys/fs/cgroup/misc/misc.capacity",
                        "tdx 63\n",
                        "/sys/fs/cgroup/misc/misc.current",
                        "tdx 5\n",
                        NULL,
                },
                &root);
        uint64_t cap, cur;
        const char *src;

        assert_int_equal(facts_misc_resource(f, "tdx", &cap, &cur, &src), 0);
        assert_int_equal(cap, 31);
        /* The v2 root has no misc.current here (older kernels): nothing charged, and usage unknown. */
        assert_int_equal(cur, 0);
        assert_string_equal(src, "/sys/fs/cgroup/misc.capacity");
        assert_false(facts_misc_current_known(f, src));
}

static void misc_resource_v1_and_hybrid(void **state)
{
        _cleanup_(rm_rf_freep) char *r1 = NULL, *r2 = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *v1 = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/misc/misc.capacity",
                        "sev 509\nsev_es 0\n",
                        "/sys/fs/cgroup/misc/misc.current",
                        "sev 1\nsev_es 0\n",
                        NULL,
                },
                &r1);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *hy = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/unified/misc.capacity",
                        "tdx 15\n",
                        "/sys/fs/cgroup/unified/misc.current",
                        "tdx 15\n",
                        NULL,
                },
                &r2);
        uint64_t cap, cur;
        const char *src;

        assert_int_equal(facts_misc_resource(v1, "sev", &cap, &cur, &src), 0);
        assert_int_equal(cap, 509);
        assert_int_equal(cur, 1);
        assert_string_equal(src, "/sys/fs/cgroup/misc/misc.capacity");
        assert_int_equal(facts_misc_resource(v1, "sev_es", &cap, &cur, &src), 0);
        assert_int_equal(cap, 0);

        assert_int_equal(facts_misc_resource(hy, "tdx", &cap, &cur, &src), 0);
        assert_int_equal(cap, 15);
        assert_int_equal(cur, 15);
        assert_string_equal(src, "/sys/fs/cgroup/unified/misc.capacity");
}

static void misc_resource_missing_and_malformed(void **state)
{
        _cleanup_(rm_rf_freep) char *r1 = NULL, *r2 = NULL, *r3 = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *none = facts_of((const char *[]){ NULL }, &r1);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *badcap =
                facts_of((const char *[]){ "/sys/fs/cgroup/misc.capacity", "tdx sixty-three\n", NULL }, &r2);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *badcur = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/misc.capacity",
                        "tdx 63\n",
                        "/sys/fs/cgroup/misc.current",
                        "tdx 2 in use\n",
                        NULL,
                },
                &r3);
        uint64_t cap = 7, cur = 7;
        const char *src = NULL;

        assert_int_equal(facts_misc_resource(none, "tdx", &cap, &cur, &src), -ENOENT);
        assert_null(src);
        assert_int_equal(cap, 7);

        assert_int_equal(facts_misc_resource(badcap, "tdx", &cap, &cur, &src), -EBADMSG);
        assert_string_equal(src, "/sys/fs/cgroup/misc.capacity");
        assert_int_equal(facts_misc_resource(badcur, "tdx", &cap, &cur, &src), -EBADMSG);
        assert_string_equal(src, "/sys/fs/cgroup/misc.current");
        assert_int_equal(cap, 7);
        assert_int_equal(cur, 7);
}

static void host_capacity_reads_all_three(void **state)
{
        _cleanup_(rm_rf_freep) char *r1 = NULL, *r2 = NULL, *r3 = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = facts_of(
                (const char *[]){
                        "/sys/fs/cgroup/misc.capacity",
                        "sev 907\nsev_es 99\n",
                        "/sys/fs/cgroup/misc.current",
                        "sev 0\nsev_es 2\n",
                        NULL,
                },
                &r1);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *none = facts_of((const char *[]){ NULL }, &r2);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *bad =
                facts_of((const char *[]){ "/sys/fs/cgroup/misc.capacity", "tdx 1\ntdx 1\n", NULL }, &r3);
        cvm_capacity c[3];

        assert_int_equal(cvm_host_capacity(f, c), 0);
        assert_string_equal(c[0].resource, "tdx");
        assert_false(c[0].present);
        assert_string_equal(c[0].source, "/sys/fs/cgroup/misc.capacity");
        assert_string_equal(c[1].resource, "sev");
        assert_true(c[1].present);
        assert_int_equal(c[1].total, 907);
        assert_int_equal(c[1].used, 0);
        assert_true(c[1].used_known);
        assert_string_equal(c[2].resource, "sev_es");
        assert_int_equal(c[2].total, 99);
        assert_int_equal(c[2].used, 2);

        cvm_capacity untouched[3];
        memset(untouched, 0xa5, sizeof(untouched));
        memcpy(c, untouched, sizeof(c));
        assert_int_equal(cvm_host_capacity(none, c), -ENOENT);
        assert_memory_equal(c, untouched, sizeof(c));
        assert_int_equal(cvm_host_capacity(bad, c), -EBADMSG);
        assert_memory_equal(c, untouched, sizeof(c));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(misc_cgroup_parse_kernel_output),
                cmocka_unit_test(misc_cgroup_parse_edges),
                cmocka_unit_test(misc_cgroup_parse_rejects_garbage),
                cmocka_unit_test(misc_cgroup_parse_caps_entries),
                cmocka_unit_test(misc_resource_v2),
                cmocka_unit_test(misc_resource_v2_precedes_v1),
                cmocka_unit_test(misc_resource_v1_and_hybrid),
                cmocka_unit_test(misc_resource_missing_and_malformed),
                cmocka_unit_test(host_capacity_reads_all_three),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
