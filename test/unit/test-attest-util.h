/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Evidence test data from $CVM_TEST_DATA/attest (test/data/attest/README.md), and byte editing helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "hexbase64.h"
#include "macro.h"

/* The bytes of $CVM_TEST_DATA/attest/NAME (hex text decoded when NAME ends in .hex); free() them. */
static inline uint8_t *attest_load(const char *name, size_t *ret_size)
{
        const char *dir = getenv("CVM_TEST_DATA");
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size;

        assert_non_null(dir);
        assert_true(asprintf(&path, "%s/attest/%s", dir, name) > 0);
        assert_int_equal(read_full_file(path, 1024 * 1024, &data, &size), 0);
        size_t l = strlen(name);
        if (l > 4 && streq(name + l - 4, ".hex")) {
                uint8_t *b;
                while (size > 0 && strchr(" \r\n", data[size - 1]))
                        size--;
                assert_int_equal(hex_decode(data, size, &b, ret_size), 0);
                return b;
        }
        *ret_size = size;
        return (uint8_t *) TAKE_PTR(data);
}

/* A copy of n bytes of p (n may exceed what is worth copying: the rest is zero); free() it. */
static inline uint8_t *attest_dup(const uint8_t *p, size_t copy, size_t n)
{
        uint8_t *b = calloc(1, n ?: 1);
        assert_non_null(b);
        memcpy(b, p, MIN(copy, n));
        return b;
}

static inline void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static inline uint32_t get32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline char *attest_hex(const void *p, size_t n)
{
        char *s;
        assert_int_equal(hex_encode(p, n, &s), 0);
        return s;
}

/* Asserts r == error and that every word of detail is in it. */
static inline void assert_error(int r, int error, const char *detail, const char *const *words)
{
        assert_int_equal(r, error);
        assert_non_null(detail);
        for (size_t i = 0; words[i]; i++)
                if (!strstr(detail, words[i]))
                        fail_msg("'%s' lacks '%s'", detail, words[i]);
}

/* r is evaluated first: it is the call that sets detail. */
#define ASSERT_ERROR(r, error, detail, ...)                                                                 \
        do {                                                                                                \
                int _r_ = (r);                                                                              \
                assert_error(_r_, (error), (detail), (const char *const[]){ __VA_ARGS__, NULL });           \
        } while (0)
