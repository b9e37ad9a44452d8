/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Levenshtein distance, for "did you mean" suggestions; SIZE_MAX on allocation failure. */
size_t edit_distance(const char *a, const char *b);

/* Replaces *p with a copy of s (NULL allowed). */
int free_and_strdup(char **p, const char *s);

/*
 * Splits the next comma-separated item off *p, QEMU-style: ",," stands for a literal comma. Returns the
 * unescaped item (malloc'ed) or NULL at the end; -ENOMEM as *ret_error.
 */
int split_comma_item(const char **p, char **ret);
