/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* The value of one hex digit, either case: 0-15, or -EINVAL. */
int unhex_char(char c);
/* Lowercase hex, NUL-terminated. */
int hex_encode(const void *p, size_t n, char **ret);
/* Accepts upper and lower case, no separators; odd length or a non-hex digit gives -EINVAL. */
int hex_decode(const char *s, size_t l, uint8_t **ret, size_t *ret_size);
/* RFC 4648 base64 with padding. */
int base64_encode(const void *p, size_t n, char **ret);
/* Padding optional; whitespace tolerated (PEM bodies, wrapped lines). */
int base64_decode(const char *s, size_t l, uint8_t **ret, size_t *ret_size);
