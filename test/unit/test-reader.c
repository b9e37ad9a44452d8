/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "reader.h"

static void reader_integers_little_and_big_endian(void **state)
{
        static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b };
        Reader r = reader_init(b, sizeof(b));
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;

        assert_int_equal(reader_u8(&r, &u8), 0);
        assert_int_equal(u8, 0x01);
        assert_int_equal(reader_u16le(&r, &u16), 0);
        assert_int_equal(u16, 0x0302);
        assert_int_equal(reader_u64le(&r, &u64), 0);
        assert_true(u64 == UINT64_C(0x0b0a090807060504));
        assert_int_equal(reader_remaining(&r), 0);

        r = reader_init(b, sizeof(b));
        assert_int_equal(reader_u32be(&r, &u32), 0);
        assert_int_equal(u32, 0x01020304);
        assert_int_equal(reader_u16be(&r, &u16), 0);
        assert_int_equal(u16, 0x0506);
        assert_int_equal(reader_u32le(&r, &u32), 0);
        assert_int_equal(u32, 0x0a090807);
}

static void reader_short_input_leaves_cursor_and_output(void **state)
{
        static const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
        Reader r = reader_init(b, sizeof(b));
        uint32_t u32 = 0x12345678;
        uint64_t u64 = 42;

        assert_int_equal(reader_u32le(&r, &u32), -EBADMSG);
        assert_int_equal(u32, 0x12345678);
        assert_int_equal(r.off, 0);
        assert_int_equal(reader_skip(&r, 2), 0);
        assert_int_equal(reader_u64le(&r, &u64), -EBADMSG);
        assert_int_equal(u64, 42);
        assert_int_equal(r.off, 2);
        assert_int_equal(reader_skip(&r, SIZE_MAX), -EBADMSG);
        assert_int_equal(r.off, 2);
}

static void reader_sub_is_bounded(void **state)
{
        static const uint8_t b[] = { 1, 2, 3, 4, 5 };
        Reader r = reader_init(b, sizeof(b)), s;
        uint8_t v;

        assert_int_equal(reader_sub(&r, 6, &s), -EBADMSG);
        assert_int_equal(reader_sub(&r, 2, &s), 0);
        assert_int_equal(reader_u8(&s, &v), 0);
        assert_int_equal(reader_u8(&s, &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(reader_u8(&s, &v), -EBADMSG);
        assert_int_equal(reader_u8(&r, &v), 0);
        assert_int_equal(v, 3);
}

static void reader_seek_and_peek(void **state)
{
        static const uint8_t b[] = { 1, 2, 3, 4 };
        Reader r = reader_init(b, sizeof(b));
        const uint8_t *p;

        assert_int_equal(reader_seek(&r, 5), -EBADMSG);
        assert_int_equal(reader_seek(&r, 4), 0);
        assert_int_equal(reader_remaining(&r), 0);
        assert_int_equal(reader_peek_at(&r, 3, 1, &p), 0);
        assert_int_equal(*p, 4);
        assert_int_equal(reader_peek_at(&r, 3, 2, &p), -EBADMSG);
        assert_int_equal(reader_peek_at(&r, SIZE_MAX, 2, &p), -EBADMSG);

        Reader empty = reader_init(NULL, 100);
        assert_int_equal(reader_remaining(&empty), 0);
        uint8_t v;
        assert_int_equal(reader_u8(&empty, &v), -EBADMSG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(reader_integers_little_and_big_endian),
                cmocka_unit_test(reader_short_input_leaves_cursor_and_output),
                cmocka_unit_test(reader_sub_is_bounded),
                cmocka_unit_test(reader_seek_and_peek),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
