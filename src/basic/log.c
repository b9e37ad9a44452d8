/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "log.h"

static LogCallback log_callback;
static void *log_userdata;
static int log_max_level = LOG_INFO;
static const char *log_prefix;

void log_set_callback(LogCallback cb, void *userdata)
{
        log_callback = cb;
        log_userdata = userdata;
}

void log_set_max_level(int level)
{
        log_max_level = level;
}

int log_get_max_level(void)
{
        return log_max_level;
}

void log_set_prefix(const char *prefix)
{
        log_prefix = prefix;
}

int log_internal(int level, int error, const char *format, ...)
{
        int saved = errno;
        error = abs(error);

        if (level <= log_max_level) {
                char buf[2048];
                va_list ap;

                /* So that %m names the error being logged, not whatever errno happens to hold. */
                errno = error;
                va_start(ap, format);
                (void) vsnprintf(buf, sizeof(buf), format, ap);
                va_end(ap);

                if (log_callback)
                        log_callback(level, buf, log_userdata);
                else
                        fprintf(stderr, "%s%s%s\n", log_prefix ?: "", log_prefix ? ": " : "", buf);
        }

        errno = saved;
        return -error;
}

const char *errno_to_name(int error, char buf[static 16])
{
        const char *n = strerrorname_np(abs(error));
        if (n)
                return n;
        snprintf(buf, 16, "E%d", abs(error));
        return buf;
}

int errno_from_name(const char *name)
{
        if (!name)
                return 0;
        for (int i = 1; i < 4096; i++) {
                const char *n = strerrorname_np(i);
                if (n && streq(n, name))
                        return i;
        }
        if (name[0] == 'E') {
                char *end;
                long v = strtol(name + 1, &end, 10);
                if (*end == 0 && v > 0 && v < 4096)
                        return (int) v;
        }
        return 0;
}
