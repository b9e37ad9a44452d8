/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * The one way untrusted bytes are read. Every accessor checks bounds first (overflow-proof, as tss2-mu's
 * unmarshallers do), returns -EBADMSG when the input is too short and leaves the cursor and the output
 * untouched on failure. Little- and big-endian integers are assembled byte by byte, so the input needs no
 * alignment and no packed struct is ever cast onto it.
 */
typedef struct Reader {
        const uint8_t *p;
        size_t size;
        size_t off;
} Reader;

static inline Reader reader_init(const void *p, size_t size)
{
        return (Reader){ .p = p, .size = p ? size : 0, .off = 0 };
}

static inline size_t reader_remaining(const Reader *r)
{
        return r->off > r->size ? 0 : r->size - r->off;
}

static inline bool reader_has(const Reader *r, size_t n)
{
        return r->off <= r->size && n <= r->size - r->off;
}

int reader_bytes(Reader *r, size_t n, const uint8_t **ret);
int reader_copy(Reader *r, void *dest, size_t n);
int reader_skip(Reader *r, size_t n);
int reader_seek(Reader *r, size_t off);
int reader_sub(Reader *r, size_t n, Reader *ret);
int reader_u8(Reader *r, uint8_t *ret);
int reader_u16le(Reader *r, uint16_t *ret);
int reader_u32le(Reader *r, uint32_t *ret);
int reader_u64le(Reader *r, uint64_t *ret);
int reader_u16be(Reader *r, uint16_t *ret);
int reader_u32be(Reader *r, uint32_t *ret);

/* Reads at an absolute offset without moving the cursor. */
int reader_peek_at(const Reader *r, size_t off, size_t n, const uint8_t **ret);
