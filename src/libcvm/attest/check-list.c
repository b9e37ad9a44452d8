/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "attest/check-list.h"

void attest_checks_done(AttestChecks *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].detail);
        free(l->items);
        *l = (AttestChecks){};
}

const AttestCheck *attest_checks_find(const AttestChecks *l, const char *id)
{
        for (size_t i = l && id ? l->n : 0; i > 0; i--)
                if (streq(l->items[i - 1].id, id))
                        return l->items + i - 1;
        return NULL;
}

bool attest_checks_ok(const AttestChecks *l)
{
        for (size_t i = 0; i < l->n; i++)
                if (!l->items[i].ok)
                        return false;
        return true;
}

int attest_checks_addv(AttestChecks *l, const char *id, int error, const char *fmt, va_list ap)
{
        char *s;
        if (vasprintf(&s, fmt, ap) < 0) /* s is undefined then */
                return -ENOMEM;
        _cleanup_free_ char *detail = s;

        AttestCheck *c = reallocarray(l->items, l->n + 1, sizeof(AttestCheck));
        if (!c)
                return -ENOMEM;
        l->items = c;
        l->items[l->n++] =
                (AttestCheck){ .id = id, .ok = error == 0, .error = error, .detail = TAKE_PTR(detail) };
        return error;
}

int attest_checks_add(AttestChecks *l, const char *id, int error, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = attest_checks_addv(l, id, error, fmt, ap);
        va_end(ap);
        return r;
}
