/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>

#include "hexbase64.h"

int unhex_char(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int hex_encode(const void *p, size_t n, char **ret)
{
        static const char digits[] = "0123456789abcdef";
        const uint8_t *b = p;
        char *s = malloc(n * 2 + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                s[2 * i] = digits[b[i] >> 4];
                s[2 * i + 1] = digits[b[i] & 15];
        }
        s[n * 2] = 0;
        *ret = s;
        return 0;
}

int hex_decode(const char *s, size_t l, uint8_t **ret, size_t *ret_size)
{
        if (l == SIZE_MAX)
                l = strlen(s);
        if (l % 2 != 0)
                return -EINVAL;
        _cleanup_free_ uint8_t *b = malloc(l / 2 + 1);
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < l / 2; i++) {
                int hi = unhex_char(s[2 * i]), lo = unhex_char(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                b[i] = (uint8_t) (hi << 4 | lo);
        }
        *ret = TAKE_PTR(b);
        if (ret_size)
                *ret_size = l / 2;
        return 0;
}

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *p, size_t n, char **ret)
{
        const uint8_t *b = p;
        char *s = malloc((n + 2) / 3 * 4 + 1), *o = s;
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) b[i] << 16 | (i + 1 < n ? (uint32_t) b[i + 1] << 8 : 0) |
                             (i + 2 < n ? b[i + 2] : 0);
                *o++ = b64_alphabet[v >> 18 & 63];
                *o++ = b64_alphabet[v >> 12 & 63];
                *o++ = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? b64_alphabet[v & 63] : '=';
        }
        *o = 0;
        *ret = s;
        return 0;
}

static int unbase64_char(char c)
{
        const char *p = c ? strchr(b64_alphabet, c) : NULL;
        return p ? (int) (p - b64_alphabet) : -EINVAL;
}

int base64_decode(const char *s, size_t l, uint8_t **ret, size_t *ret_size)
{
        if (l == SIZE_MAX)
                l = strlen(s);
        _cleanup_free_ uint8_t *b = malloc(l / 4 * 3 + 3);
        if (!b)
                return -ENOMEM;
        size_t n = 0, pad = 0;
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (isspace((unsigned char) c))
                        continue;
                if (c == '=') {
                        pad++;
                        continue;
                }
                if (pad > 0) /* data after padding */
                        return -EINVAL;
                int v = unbase64_char(c);
                if (v < 0)
                        return -EINVAL;
                acc = acc << 6 | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        b[n++] = (uint8_t) (acc >> bits);
                }
        }
        /* Leftover bits must be padding zeros, and at most two '=' may appear. */
        if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
                return -EINVAL;
        *ret = TAKE_PTR(b);
        if (ret_size)
                *ret_size = n;
        return 0;
}
