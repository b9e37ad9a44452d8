/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers for unit tests: hermetic host trees in a temporary directory. */
#include <ftw.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

static inline int test_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(p);
}

static inline void rm_rf_freep(char **p)
{
        if (*p) {
                (void) nftw(*p, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
                free(*p);
        }
}

static inline int mkdir_parents(char *path)
{
        for (char *s = path + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                int r = mkdir(path, 0755);
                *s = '/';
                if (r < 0 && errno != EEXIST)
                        return -errno;
        }
        return 0;
}

/* Creates a temporary tree from pairs of absolute path and content, NULL-terminated. Aborts on error. */
static inline char *make_tree(const char *const *pairs)
{
        char tmpl[] = "/tmp/cvm-test-XXXXXX";
        if (!mkdtemp(tmpl))
                abort();
        for (size_t i = 0; pairs[i]; i += 2) {
                char *p;
                if (asprintf(&p, "%s%s", tmpl, pairs[i]) < 0 || mkdir_parents(p) < 0 ||
                    write_full_file(p, pairs[i + 1], strlen(pairs[i + 1])) < 0)
                        abort();
                free(p);
        }
        return strdup(tmpl);
}
