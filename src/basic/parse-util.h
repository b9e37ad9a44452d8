/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Strict number parsing: the whole string must be consumed; base 0 accepts 0x.., leading '+' or '-'
 * is refused for unsigned values. */
int safe_atou64(const char *s, int base, uint64_t *ret);
int safe_atou(const char *s, int base, unsigned *ret);
int safe_atoi(const char *s, int *ret);

/* "Y", "y", "1", "yes", "true", "on" -> 1; "N", "n", "0", "no", "false", "off" -> 0; else -EINVAL.
 * Trailing newlines (sysfs) are ignored. */
int parse_boolean(const char *s);

/* "1.2.3" style versions: compares numeric components; returns <0, 0, >0. */
int version_compare(const char *a, const char *b);

/* Strips trailing whitespace in place and returns s. */
char *strstrip_trailing(char *s);

/* Sizes: "512", "512M", "4G", "1.5G" is not accepted; K/M/G/T are binary (1024). */
int parse_size(const char *s, uint64_t *ret);
