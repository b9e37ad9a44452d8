/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _pure_         __attribute__((pure))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _sentinel_     __attribute__((sentinel))
#define _noreturn_     __attribute__((noreturn))
#define _warn_unused_  __attribute__((warn_unused_result))

/* Refuses pointers at compile time: sizeof(ptr)/sizeof(*ptr) is the classic silent bug. */
#define ELEMENTSOF(x)                                                                                       \
        (__builtin_choose_expr(!__builtin_types_compatible_p(typeof(x), typeof(&*(x))),                     \
                               sizeof(x) / sizeof((x)[0]), (void) 0))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define streq(a, b)     (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)
#define isempty(s)      (!(s) || !(s)[0])
#define strna(s)        ((s) ?: "n/a")
#define yes_no(b)       ((b) ? "yes" : "no")

static inline const char *startswith(const char *s, const char *prefix)
{
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline void freep(void *p)
{
        free(*(void **) p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                (void) fclose(*f);
}

#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hands ownership over and leaves NULL (resp. -EBADF) behind, so the cleanup handler does nothing. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                typeof(p) _p_ = (p);                                                                        \
                (p) = NULL;                                                                                 \
                _p_;                                                                                        \
        })
#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _fd_ = (fd);                                                                            \
                (fd) = -EBADF;                                                                              \
                _fd_;                                                                                       \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                             \
        static inline void func##p(type *p)                                                                 \
        {                                                                                                   \
                if (*p)                                                                                     \
                        (void) func(*p);                                                                    \
        }

/* For libc calls that return -1 and set errno. */
#define RET_NERRNO(expr)                                                                                    \
        ({                                                                                                  \
                long _r_ = (expr);                                                                          \
                _r_ < 0 ? -errno : (int) _r_;                                                               \
        })

/* errno after a failed libc call, never 0: a call that "failed" without setting errno is an EIO. */
static inline int negative_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

/* Zeroes secrets before they are freed; the compiler may not elide explicit_bzero(). */
static inline void erase_and_free(void *p, size_t n)
{
        if (p)
                explicit_bzero(p, n);
        free(p);
}

#define STRV_FOREACH(s, l) for (typeof(*(l)) *s = (l); s && *s; s++)

#define _public_ __attribute__((visibility("default")))

#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))

static inline void *mfree(void *p)
{
        free(p);
        return NULL;
}

static inline const char *strempty(const char *s)
{
        return s ?: "";
}
