/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "string-util.h"

size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        _cleanup_free_ size_t *row = calloc(lb + 1, sizeof(size_t));
        if (!row)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = MIN(row[j] + 1, row[j - 1] + 1);
                        row[j] = MIN(best, diag + (a[i - 1] != b[j - 1]));
                        diag = up;
                }
        }
        return row[lb];
}

int free_and_strdup(char **p, const char *s)
{
        char *t = NULL;
        if (s && !(t = strdup(s)))
                return -ENOMEM;
        free(*p);
        *p = t;
        return 0;
}

int split_comma_item(const char **p, char **ret)
{
        const char *s = *p;
        if (!s) {
                *ret = NULL;
                return 0;
        }
        char *out = malloc(strlen(s) + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (;;) {
                if (*s == ',' && s[1] == ',') {
                        *o++ = ',';
                        s += 2;
                } else if (*s == ',' || *s == 0)
                        break;
                else
                        *o++ = *s++;
        }
        *o = 0;
        *p = *s == ',' ? s + 1 : NULL;
        *ret = out;
        return 1;
}
