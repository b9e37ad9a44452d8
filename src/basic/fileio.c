/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"

int path_join_root(const char *root, const char *path, char **ret)
{
        char *p;

        if (!path || path[0] != '/')
                return -EINVAL;
        if (root_is_host(root))
                p = strdup(path);
        else {
                size_t l = strlen(root);
                while (l > 1 && root[l - 1] == '/')
                        l--;
                if (asprintf(&p, "%.*s%s", (int) l, root, path) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int open_at_root(const char *root, const char *path, int flags)
{
        if (!path || path[0] != '/')
                return -EINVAL;
        if (root_is_host(root))
                return RET_NERRNO(open(path, flags | O_CLOEXEC));

        _cleanup_close_ int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, dfd, path + 1, &how, sizeof(how));
        if (fd >= 0)
                return (int) fd;
        if (errno != ENOSYS && errno != EPERM)
                return -errno;

        /* Kernels before 5.6 (or seccomp filters) lack openat2: plain prefixing is the best we can do. */
        _cleanup_free_ char *p = NULL;
        int r = path_join_root(root, path, &p);
        if (r < 0)
                return r;
        return RET_NERRNO(open(p, flags | O_CLOEXEC));
}

int read_full_fd(int fd, size_t max, char **ret_data, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        for (;;) {
                if (alloc - size < 4096) {
                        size_t n = alloc ? alloc * 2 : 4096;
                        if (n > max + 4096)
                                n = max + 4096;
                        if (n <= alloc)
                                return -E2BIG;
                        char *b = realloc(buf, n + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        alloc = n;
                }
                ssize_t k = read(fd, buf + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max)
                        return -E2BIG;
        }

        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        *ret_data = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_at_root(const char *root, const char *path, size_t max, char **ret_data, size_t *ret_size)
{
        _cleanup_close_ int fd = open_at_root(root, path, O_RDONLY | O_NOCTTY);
        if (fd < 0)
                return fd;

        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        /* Never block on a FIFO or a device someone put where a file was expected. */
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return read_full_fd(fd, max, ret_data, ret_size);
}

int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size)
{
        if (streq(path, "-"))
                return read_full_fd(STDIN_FILENO, max, ret_data, ret_size);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return read_full_fd(fd, max, ret_data, ret_size);
}

static int write_all(int fd, const void *data, size_t size)
{
        const uint8_t *p = data;
        while (size > 0) {
                ssize_t k = write(fd, p, size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                size -= (size_t) k;
        }
        return 0;
}

int write_full_file(const char *path, const void *data, size_t size)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return -errno;
        return write_all(fd, data, size);
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
                return -ENOMEM;
        /* mkostemp() creates the file with mode 0600: a private key is never readable by others, not even
         * before the fchmod(). */
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, size);
        if (r == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0))
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int mkdir_p(const char *path, mode_t mode)
{
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++) {
                char c = *s;
                if (c != '/' && c != 0)
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = c;
                if (!c)
                        return 0;
        }
}

int stat_at_root(const char *root, const char *path, mode_t *ret_mode)
{
        _cleanup_close_ int fd = open_at_root(root, path, O_PATH | O_NOFOLLOW);
        if (fd < 0) {
                /* O_PATH|O_NOFOLLOW on a dangling symlink still opens the link; ELOOP means a link chain. */
                return fd;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode)) {
                /* Follow it once, inside the root, to report what it points to. */
                _cleanup_close_ int fd2 = open_at_root(root, path, O_PATH);
                if (fd2 < 0)
                        return fd2;
                if (fstat(fd2, &st) < 0)
                        return -errno;
        }
        *ret_mode = st.st_mode;
        return 0;
}
