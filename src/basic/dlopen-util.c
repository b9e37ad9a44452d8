/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>

#include "dlopen-util.h"
#include "log.h"

static pthread_mutex_t dlopen_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_error(char **reterr, const char *format, ...) _printf_(2, 3);
static void set_error(char **reterr, const char *format, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, format);
        if (vasprintf(&s, format, ap) < 0)
                s = NULL;
        va_end(ap);
        log_debug("%s", strna(s));
        if (reterr) {
                free(*reterr);
                *reterr = s;
        } else
                free(s);
}

/* Sets (or, with clear, resets) every pointer of the list. */
static int resolve(void *dl, va_list ap, bool clear, char **reterr)
{
        for (;;) {
                void **fn = va_arg(ap, void **);
                if (!fn)
                        return 0;
                const char *name = va_arg(ap, const char *);
                if (clear) {
                        *fn = NULL;
                        continue;
                }
                *fn = dlsym(dl, name);
                if (!*fn) {
                        set_error(reterr, "%s", dlerror() ?: name);
                        return -EOPNOTSUPP;
                }
        }
}

int dlopen_many_sym(void **dlp, const char *filename, char **reterr, ...)
{
        va_list ap;
        int r = 0;

        pthread_mutex_lock(&dlopen_lock);
        if (*dlp)
                goto done;

        void *dl = dlopen(filename, RTLD_NOW | RTLD_NODELETE);
        if (!dl) {
                set_error(reterr, "%s is not available: %s", filename, dlerror() ?: "unknown error");
                r = -EOPNOTSUPP;
                goto done;
        }
        va_start(ap, reterr);
        r = resolve(dl, ap, false, reterr);
        va_end(ap);
        if (r < 0) {
                va_start(ap, reterr);
                (void) resolve(dl, ap, true, NULL);
                va_end(ap);
                dlclose(dl);
                goto done;
        }
        *dlp = dl;
done:
        pthread_mutex_unlock(&dlopen_lock);
        return r;
}
