/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/*
 * Every host file cvm reads goes through a root directory, so tests and `--root=DIR` present fake /proc,
 * /sys, /dev and /usr/share trees. root == NULL or "/" means the real system.
 */
static inline bool root_is_host(const char *root)
{
        return isempty(root) || streq(root, "/");
}

/* Joins root and an absolute path: ("/tmp/r", "/proc/cpuinfo") -> "/tmp/r/proc/cpuinfo". */
int path_join_root(const char *root, const char *path, char **ret);

/*
 * Opens PATH below ROOT. Outside the host root, absolute symlinks inside the tree resolve inside the tree
 * (openat2 RESOLVE_IN_ROOT), as they would on the machine the tree was taken from.
 */
int open_at_root(const char *root, const char *path, int flags);

/*
 * Reads a whole file (also sysfs/procfs files whose size stat() cannot tell). The result is NUL-terminated;
 * more than max bytes gives -E2BIG.
 */
int read_full_fd(int fd, size_t max, char **ret_data, size_t *ret_size);
int read_full_file_at_root(const char *root, const char *path, size_t max, char **ret_data,
                           size_t *ret_size);
int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size);

/* Writes a whole buffer to a file, created with mode 0644 unless it exists. */
int write_full_file(const char *path, const void *data, size_t size);
/* Writes a whole file through "PATH.tmp.XXXXXX", fsync() and rename(): readers see the old file or the new
 * one, never a part. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);
/* mkdir -p: creates PATH and its missing parents with MODE. */
int mkdir_p(const char *path, mode_t mode);

/* File type of PATH below ROOT without following the last symlink's target type: 0 or -errno. */
int stat_at_root(const char *root, const char *path, mode_t *ret_mode);
