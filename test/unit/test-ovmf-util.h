/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * OVMF images for tests: the real last 4 KiB of edk2 builds in $CVM_TEST_DATA/firmware
 * (test/data/firmware/README.md), padded in front with zeros to the size of the image they come from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "macro.h"

#define MiB (1024U * 1024)

/* The 4 KiB suffix $CVM_TEST_DATA/firmware/NAME; free() it. */
static inline uint8_t *ovmf_suffix(const char *name)
{
        const char *dir = getenv("CVM_TEST_DATA");
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size;

        assert_non_null(dir);
        assert_true(asprintf(&path, "%s/firmware/%s", dir, name) > 0);
        assert_int_equal(read_full_file(path, 8192, &data, &size), 0);
        assert_int_equal(size, 4096);
        return (uint8_t *) TAKE_PTR(data);
}

/* Zeros, then the 4 KiB suffix at the end: an image of size bytes; free() it. */
static inline uint8_t *ovmf_padded(const char *name, size_t size)
{
        _cleanup_free_ uint8_t *s = ovmf_suffix(name);
        uint8_t *img = calloc(1, size);
        assert_non_null(img);
        memcpy(img + size - 4096, s, 4096);
        return img;
}
