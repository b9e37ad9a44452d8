/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "qgsd-listen.h"

#define SD_LISTEN_FDS_START 3

int qgsd_listen_fds(int **ret_fds)
{
        const char *e_pid = getenv("LISTEN_PID"), *e_fds = getenv("LISTEN_FDS");
        unsigned pid, n;
        int r = 0;

        *ret_fds = NULL;
        if (!e_pid || !e_fds)
                return 0;
        if (safe_atou(e_pid, 10, &pid) < 0 || (pid_t) pid != getpid())
                goto out; /* meant for another process */
        if (safe_atou(e_fds, 10, &n) < 0 || n > 64) {
                r = log_error_errno(SYNTHETIC_ERRNO(EINVAL), "LISTEN_FDS='%s' is not a small number", e_fds);
                goto out;
        }
        int *fds = new0(int, n);
        if (!fds) {
                r = log_oom();
                goto out;
        }
        for (unsigned i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + (int) i, listening = 0, type = 0;
                socklen_t l = sizeof(int);
                if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) < 0 || !listening ||
                    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM) {
                        free(fds);
                        r = log_error_errno(
                                SYNTHETIC_ERRNO(ENOTSOCK),
                                "Socket-activation descriptor %d is not a listening stream socket", fd);
                        goto out;
                }
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                fds[i] = fd;
        }
        *ret_fds = fds;
        r = (int) n;
out:
        (void) unsetenv("LISTEN_PID");
        (void) unsetenv("LISTEN_FDS");
        (void) unsetenv("LISTEN_FDNAMES");
        return r;
}

/* Creates the directories above a socket path (mode 0755, as /run/tdx-qgs). */
static int mkdir_parent(const char *path)
{
        _cleanup_free_ char *d = strdup(path);
        if (!d)
                return -ENOMEM;
        char *s = strrchr(d, '/');
        if (!s || s == d)
                return 0;
        *s = 0;
        return mkdir_p(d, 0755);
}

static int bind_unix(const char *path, int *ret_fd)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l = strlen(path);
        socklen_t sl;

        if (l >= sizeof(sa.sun_path))
                return log_error_errno(SYNTHETIC_ERRNO(ENAMETOOLONG), "Socket path '%s' is too long", path);
        memcpy(sa.sun_path, path, l);
        sl = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + (path[0] == '@' ? 0 : 1));
        if (path[0] == '@')
                sa.sun_path[0] = 0; /* abstract namespace */

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create a unix socket: %m");
        if (path[0] == '/') {
                int r = mkdir_parent(path);
                if (r < 0)
                        return log_error_errno(r, "Failed to create the directory of '%s': %m", path);
                /* A stale socket of an earlier run; a regular file is not ours to delete. */
                struct stat st;
                if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
                        (void) unlink(path);
        }
        mode_t old = umask(0117);
        int r = bind(fd, (struct sockaddr *) &sa, sl);
        umask(old);
        if (r < 0)
                return log_error_errno(errno, "Failed to bind unix socket '%s': %m", path);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Failed to listen on '%s': %m", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int bind_vsock(unsigned port, int *ret_fd)
{
        struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port };
        _cleanup_close_ int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(
                        errno, "Failed to create an AF_VSOCK socket (is the vsock module loaded?): %m");
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_error_errno(errno, "Failed to bind AF_VSOCK port %u: %m", port);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Failed to listen on AF_VSOCK port %u: %m", port);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int qgsd_listen_bind(const char *spec, int *ret_fd)
{
        const char *v;
        unsigned port;

        if ((v = startswith(spec, "unix:")))
                return bind_unix(v, ret_fd);
        if ((v = startswith(spec, "vsock:")) && safe_atou(v, 10, &port) >= 0)
                return bind_vsock(port, ret_fd);
        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Cannot listen on '%s'", spec);
}
