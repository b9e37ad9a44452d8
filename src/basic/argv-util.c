/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "argv-util.h"

static void argv_take(Argv *a, char *s)
{
        if (a->error < 0 || !s) {
                if (!s && a->error >= 0)
                        a->error = -ENOMEM;
                free(s);
                return;
        }
        char **v = reallocarray(a->v, a->n + 2, sizeof(char *));
        if (!v) {
                a->error = -ENOMEM;
                free(s);
                return;
        }
        a->v = v;
        a->v[a->n++] = s;
        a->v[a->n] = NULL;
}

void argv_add(Argv *a, const char *s)
{
        argv_take(a, s ? strdup(s) : NULL);
}

void argv_addf(Argv *a, const char *format, ...)
{
        va_list ap;
        char *s;
        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        argv_take(a, s);
}

void argv_add_many(Argv *a, ...)
{
        va_list ap;
        const char *s;
        va_start(ap, a);
        while ((s = va_arg(ap, const char *)))
                argv_add(a, s);
        va_end(ap);
}

int argv_finish(Argv *a, char ***ret)
{
        if (a->error < 0) {
                int r = a->error;
                argv_done(a);
                return r;
        }
        if (!a->v && !(a->v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(a->v);
        a->n = 0;
        return 0;
}

void argv_done(Argv *a)
{
        a->v = strv_free(a->v);
        a->n = 0;
}

char **strv_free(char **l)
{
        if (l) {
                for (char **p = l; *p; p++)
                        free(*p);
                free(l);
        }
        return NULL;
}

size_t strv_length(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char *qemu_escape(const char *s)
{
        size_t n = 0;
        for (const char *p = s; *p; p++)
                n += *p == ',' ? 2 : 1;
        char *r = malloc(n + 1), *o = r;
        if (!r)
                return NULL;
        for (const char *p = s; *p; p++) {
                *o++ = *p;
                if (*p == ',')
                        *o++ = ',';
        }
        *o = 0;
        return r;
}

char *shell_quote(const char *s)
{
        static const char safe[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%";
        if (*s && strspn(s, safe) == strlen(s))
                return strdup(s);
        size_t n = 2;
        for (const char *p = s; *p; p++)
                n += *p == '\'' ? 4 : 1;
        char *r = malloc(n + 1), *o = r;
        if (!r)
                return NULL;
        *o++ = '\'';
        for (const char *p = s; *p; p++)
                if (*p == '\'') {
                        memcpy(o, "'\\''", 4);
                        o += 4;
                } else
                        *o++ = *p;
        *o++ = '\'';
        *o = 0;
        return r;
}

int argv_to_shell_line(char *const *argv, char **ret)
{
        size_t len = 0, cap = 256;
        char *line = malloc(cap);
        if (!line)
                return -ENOMEM;
        line[0] = 0;
        for (size_t i = 0; argv[i]; i++) {
                _cleanup_free_ char *q = shell_quote(argv[i]);
                if (!q) {
                        free(line);
                        return -ENOMEM;
                }
                size_t ql = strlen(q);
                if (len + ql + 2 > cap) {
                        cap = (len + ql + 2) * 2;
                        char *l = realloc(line, cap);
                        if (!l) {
                                free(line);
                                return -ENOMEM;
                        }
                        line = l;
                }
                if (i > 0)
                        line[len++] = ' ';
                memcpy(line + len, q, ql + 1);
                len += ql;
        }
        *ret = line;
        return 0;
}
