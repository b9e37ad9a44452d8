/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays fuzz corpora without libFuzzer: every file given (or found in a directory given) is fed once to
 * LLVMFuzzerTestOneInput(). This is how `meson test` turns each corpus into a regression test; under
 * ASan/UBSan a crash or leak fails it. Prints TAP.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fuzz.h"

static int run_one(const char *path, unsigned *n)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(path, FUZZ_INPUT_MAX * 4, &data, &size);
        if (r < 0) {
                printf("not ok %u - %s: %s\n", ++*n, path, strerror(-r));
                return r;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        printf("ok %u - %s\n", ++*n, path);
        return 0;
}

static int compare(const void *a, const void *b)
{
        return strcmp((*(struct dirent *const *) a)->d_name, (*(struct dirent *const *) b)->d_name);
}

int main(int argc, char *argv[])
{
        unsigned n = 0;
        int ret = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        printf("not ok %u - %s: %m\n", ++n, argv[i]);
                        ret = 1;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (run_one(argv[i], &n) < 0)
                                ret = 1;
                        continue;
                }
                struct dirent **list;
                int k = scandir(argv[i], &list, NULL, NULL);
                if (k < 0) {
                        printf("not ok %u - %s: %m\n", ++n, argv[i]);
                        ret = 1;
                        continue;
                }
                qsort(list, (size_t) k, sizeof(*list), compare);
                for (int j = 0; j < k; j++) {
                        if (list[j]->d_name[0] != '.') {
                                _cleanup_free_ char *p = NULL;
                                if (asprintf(&p, "%s/%s", argv[i], list[j]->d_name) < 0)
                                        return 2;
                                if (run_one(p, &n) < 0)
                                        ret = 1;
                        }
                        free(list[j]);
                }
                free(list);
        }
        if (n == 0) {
                printf("not ok 1 - empty corpus\n");
                n = 1;
                ret = 1;
        }
        printf("1..%u\n", n);
        return ret;
}
