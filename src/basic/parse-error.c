/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "log.h"
#include "parse-error.h"

int parse_error(char **reterr, int error, const char *format, ...)
{
        va_list ap;
        char *s = NULL;

        assert(error < 0);
        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);

        log_debug("%s", s ?: format);
        if (reterr) {
                free(*reterr);
                *reterr = s;
        } else
                free(s);
        return error;
}
