/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "hexbase64.h"
#include "parse-util.h"

static void base64_roundtrip_and_rejects(void **state)
{
        static const struct {
                const char *plain, *b64;
        } v[] = {
                { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foobar", "Zm9vYmFy" }
        };

        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                char *e = NULL;
                uint8_t *d = NULL;
                size_t n;
                assert_int_equal(base64_encode(v[i].plain, strlen(v[i].plain), &e), 0);
                assert_string_equal(e, v[i].b64);
                assert_int_equal(base64_decode(e, SIZE_MAX, &d, &n), 0);
                assert_int_equal(n, strlen(v[i].plain));
                assert_memory_equal(d, v[i].plain, n);
                free(e);
                free(d);
        }

        uint8_t *d = (uint8_t *) 0x1;
        size_t n;
        assert_int_equal(base64_decode("Zm9v\nYmFy", SIZE_MAX, &d, &n), 0);
        assert_int_equal(n, 6);
        free(d);
        d = (uint8_t *) 0x1;
        assert_int_equal(base64_decode("Zm9=v", SIZE_MAX, &d, &n), -EINVAL);
        assert_int_equal(base64_decode("Zm!v", SIZE_MAX, &d, &n), -EINVAL);
        assert_int_equal(base64_decode("Zh==", SIZE_MAX, &d, &n), -EINVAL); /* non-zero padding bits */
        assert_ptr_equal(d, (uint8_t *) 0x1);
}

static void hex_roundtrip_and_rejects(void **state)
{
        uint8_t *d;
        size_t n;
        char *e;

        assert_int_equal(hex_decode("00aBfF", SIZE_MAX, &d, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(hex_encode(d, n, &e), 0);
        assert_string_equal(e, "00abff");
        free(d);
        free(e);
        assert_int_equal(hex_decode("abc", SIZE_MAX, &d, &n), -EINVAL);
        assert_int_equal(hex_decode("zz", SIZE_MAX, &d, &n), -EINVAL);
}

static void parse_numbers_booleans_sizes_versions(void **state)
{
        uint64_t u;
        unsigned x;

        assert_int_equal(safe_atou64("0x10", 0, &u), 0);
        assert_true(u == 16);
        assert_int_equal(safe_atou64("-1", 0, &u), -EINVAL);
        assert_int_equal(safe_atou64("12a", 10, &u), -EINVAL);
        assert_int_equal(safe_atou64("", 10, &u), -EINVAL);
        assert_int_equal(safe_atou("4294967296", 10, &x), -ERANGE);

        assert_int_equal(parse_boolean("Y\n"), 1);
        assert_int_equal(parse_boolean("1"), 1);
        assert_int_equal(parse_boolean("N"), 0);
        assert_int_equal(parse_boolean("maybe"), -EINVAL);

        assert_int_equal(parse_size("4G", &u), 0);
        assert_true(u == UINT64_C(4) << 30);
        assert_int_equal(parse_size("512MiB", &u), 0);
        assert_true(u == UINT64_C(512) << 20);
        assert_int_equal(parse_size("12", &u), 0);
        assert_true(u == 12);
        assert_int_equal(parse_size("1.5G", &u), -EINVAL);
        assert_int_equal(parse_size("99999999999T", &u), -ERANGE);

        assert_true(version_compare("6.16.0", "6.16") == 0);
        assert_true(version_compare("6.9.12", "6.16") < 0);
        assert_true(version_compare("6.18.44-fc-v769", "6.16") > 0);
        assert_true(version_compare("10.1.0", "9.1") > 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(base64_roundtrip_and_rejects),
                cmocka_unit_test(hex_roundtrip_and_rejects),
                cmocka_unit_test(parse_numbers_booleans_sizes_versions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
