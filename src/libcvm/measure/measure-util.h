/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Small helpers shared by the event-log, PE and RTMR code of measure/: SHA-384 over one buffer, and
 * ASCII/UTF-8 to UTF-16LE as UEFI strings are measured. Parsers report errors with parse_error().
 */
#include <openssl/evp.h>

#include "log.h"
#include "macro.h"
#include "parse-error.h"

static inline int sha384_buf(const void *p, size_t n, uint8_t ret[static 48])
{
        unsigned len = 0;
        if (EVP_Digest(p, n, ret, &len, EVP_sha384(), NULL) != 1 || len != 48)
                return -EIO;
        return 0;
}

/*
 * UTF-8 text as UCS-2/UTF-16LE, with (with_nul) or without the terminating NUL character: what edk2's
 * UnicodeSPrintAsciiFormat() and StrSize() produce for command lines and variable names. Code points
 * above U+FFFF become surrogate pairs. -EINVAL for invalid UTF-8, -ENOMEM.
 */
static inline int utf8_to_utf16le(const char *s, bool with_nul, uint8_t **ret, size_t *ret_size)
{
        size_t l = strlen(s), n = 0;
        _cleanup_free_ uint8_t *out = malloc(4 * l + 2);

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < l;) {
                const uint8_t *c = (const uint8_t *) s + i;
                uint32_t cp;
                size_t k;

                if (c[0] < 0x80)
                        cp = c[0], k = 1;
                else if ((c[0] & 0xe0) == 0xc0)
                        cp = c[0] & 0x1f, k = 2;
                else if ((c[0] & 0xf0) == 0xe0)
                        cp = c[0] & 0x0f, k = 3;
                else if ((c[0] & 0xf8) == 0xf0)
                        cp = c[0] & 0x07, k = 4;
                else
                        return -EINVAL;
                if (k > l - i)
                        return -EINVAL;
                for (size_t j = 1; j < k; j++) {
                        if ((c[j] & 0xc0) != 0x80)
                                return -EINVAL;
                        cp = cp << 6 | (c[j] & 0x3f);
                }
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return -EINVAL;
                if (cp > 0xffff) {
                        uint32_t v = cp - 0x10000;
                        uint16_t hi = (uint16_t) (0xd800 | (v >> 10)),
                                 lo = (uint16_t) (0xdc00 | (v & 0x3ff));
                        out[n++] = (uint8_t) hi, out[n++] = (uint8_t) (hi >> 8);
                        out[n++] = (uint8_t) lo, out[n++] = (uint8_t) (lo >> 8);
                } else
                        out[n++] = (uint8_t) cp, out[n++] = (uint8_t) (cp >> 8);
                i += k;
        }
        if (with_nul)
                out[n++] = 0, out[n++] = 0;
        *ret = TAKE_PTR(out);
        *ret_size = n;
        return 0;
}

/*
 * UTF-16LE bytes (n_bytes, odd sizes refused) as UTF-8, stopping at the first NUL character. Unpaired
 * surrogates become U+FFFD. For display only. -EINVAL for an odd size, -ENOMEM.
 */
static inline int utf16le_to_utf8(const uint8_t *p, size_t n_bytes, char **ret)
{
        if (n_bytes % 2 != 0)
                return -EINVAL;
        _cleanup_free_ char *out = malloc(n_bytes / 2 * 3 + 1);
        size_t o = 0;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i + 1 < n_bytes; i += 2) {
                uint32_t c = (uint32_t) p[i] | (uint32_t) p[i + 1] << 8;
                if (c == 0)
                        break;
                if (c >= 0xd800 && c <= 0xdbff && i + 3 < n_bytes) {
                        uint32_t d = (uint32_t) p[i + 2] | (uint32_t) p[i + 3] << 8;
                        if (d >= 0xdc00 && d <= 0xdfff) {
                                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                                i += 2;
                        }
                }
                if (c >= 0xd800 && c <= 0xdfff)
                        c = 0xfffd;
                if (c < 0x80)
                        out[o++] = (char) c;
                else if (c < 0x800) {
                        out[o++] = (char) (0xc0 | c >> 6);
                        out[o++] = (char) (0x80 | (c & 0x3f));
                } else if (c < 0x10000) {
                        out[o++] = (char) (0xe0 | c >> 12);
                        out[o++] = (char) (0x80 | ((c >> 6) & 0x3f));
                        out[o++] = (char) (0x80 | (c & 0x3f));
                } else {
                        out[o++] = (char) (0xf0 | c >> 18);
                        out[o++] = (char) (0x80 | ((c >> 12) & 0x3f));
                        out[o++] = (char) (0x80 | ((c >> 6) & 0x3f));
                        out[o++] = (char) (0x80 | (c & 0x3f));
                }
        }
        out[o] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}
