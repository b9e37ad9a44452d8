/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "reader.h"

int reader_bytes(Reader *r, size_t n, const uint8_t **ret)
{
        if (!reader_has(r, n))
                return -EBADMSG;
        if (ret)
                *ret = r->p + r->off;
        r->off += n;
        return 0;
}

int reader_copy(Reader *r, void *dest, size_t n)
{
        const uint8_t *p;
        int k = reader_bytes(r, n, &p);
        if (k < 0)
                return k;
        if (n > 0)
                memcpy(dest, p, n);
        return 0;
}

int reader_skip(Reader *r, size_t n)
{
        return reader_bytes(r, n, NULL);
}

int reader_seek(Reader *r, size_t off)
{
        if (off > r->size)
                return -EBADMSG;
        r->off = off;
        return 0;
}

int reader_sub(Reader *r, size_t n, Reader *ret)
{
        const uint8_t *p;
        int k = reader_bytes(r, n, &p);
        if (k < 0)
                return k;
        *ret = reader_init(p, n);
        return 0;
}

int reader_peek_at(const Reader *r, size_t off, size_t n, const uint8_t **ret)
{
        if (off > r->size || n > r->size - off)
                return -EBADMSG;
        *ret = r->p + off;
        return 0;
}

static int reader_uint(Reader *r, size_t n, bool big_endian, uint64_t *ret)
{
        const uint8_t *p;
        uint64_t v = 0;
        int k = reader_bytes(r, n, &p);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t) p[big_endian ? i : n - 1 - i] << (8 * (n - 1 - i));
        *ret = v;
        return 0;
}

int reader_u8(Reader *r, uint8_t *ret)
{
        uint64_t v;
        int k = reader_uint(r, 1, false, &v);
        if (k >= 0)
                *ret = (uint8_t) v;
        return k;
}

#define DEFINE_READER_UINT(name, type, n, be)                                                               \
        int name(Reader *r, type *ret)                                                                      \
        {                                                                                                   \
                uint64_t v;                                                                                 \
                int k = reader_uint(r, n, be, &v);                                                          \
                if (k >= 0)                                                                                 \
                        *ret = (type) v;                                                                    \
                return k;                                                                                   \
        }

DEFINE_READER_UINT(reader_u16le, uint16_t, 2, false)
DEFINE_READER_UINT(reader_u32le, uint32_t, 4, false)
DEFINE_READER_UINT(reader_u64le, uint64_t, 8, false)
DEFINE_READER_UINT(reader_u16be, uint16_t, 2, true)
DEFINE_READER_UINT(reader_u32be, uint32_t, 4, true)
