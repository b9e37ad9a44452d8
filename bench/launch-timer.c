/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * launch-timer: one sample for bench/launch.sh, in microseconds on stdout.
 *
 *   launch-timer cvm NOTIFY_SOCKET CVM_ARGV...  start `cvm run ...` with $NOTIFY_SOCKET pointing at a
 *                                               socket of ours; time until READY=1 (sent once QMP is up);
 *                                               then SIGTERM (the argv should carry --shutdown-timeout=0)
 *   launch-timer qemu QMP_SOCKET QEMU_ARGV...    start QEMU itself; time until its QMP socket appeared
 *                                               (inotify) and the QMP handshake is done; then quit
 *
 * Both start with fork + execve and read the same clock, so the difference is what cvm adds: host facts,
 * validation, the runtime directory, state.json, supervision setup.
 */
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "time-util.h"
#include "vm/qmp.h"

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        strcpy(sa->sun_path, path);
        return 0;
}

static pid_t spawn(char **argv)
{
        pid_t pid = fork();
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        return pid;
}

static int time_cvm(const char *notify, char **argv)
{
        struct sockaddr_un sa;
        char buf[4096];

        if (fill_addr(notify, &sa) < 0)
                return 2;
        (void) unlink(notify);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("notify socket");
                return 2;
        }
        setenv("NOTIFY_SOCKET", notify, 1);

        uint64_t t0 = now_usec();
        pid_t pid = spawn(argv);
        if (pid < 0)
                return 2;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 60000) <= 0) {
                        fprintf(stderr, "launch-timer: no READY=1 within 60 s\n");
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        return 1;
                }
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        continue;
                buf[n] = 0;
                if (strstr(buf, "READY=1"))
                        break;
        }
        uint64_t t1 = now_usec();
        (void) kill(pid, SIGTERM);
        int status;
        (void) waitpid(pid, &status, 0);
        (void) close(fd);
        (void) unlink(notify);
        printf("%llu\n", (unsigned long long) (t1 - t0));
        return 0;
}

static int time_qemu(const char *qmp, char **argv)
{
        struct sockaddr_un sa;
        char dir[4096];
        const char *slash = strrchr(qmp, '/');

        if (!slash || fill_addr(qmp, &sa) < 0 || (size_t) (slash - qmp) >= sizeof(dir))
                return 2;
        memcpy(dir, qmp, (size_t) (slash - qmp));
        dir[slash - qmp] = 0;
        (void) unlink(qmp);
        int in = inotify_init1(IN_CLOEXEC);
        if (in < 0 || inotify_add_watch(in, dir, IN_CREATE) < 0) {
                perror("inotify");
                return 2;
        }

        uint64_t t0 = now_usec();
        pid_t pid = spawn(argv);
        if (pid < 0)
                return 2;

        /* The best a caller of QEMU can do: learn of the socket from inotify, connect, handshake. */
        QmpClient *q = NULL;
        int fd = -1;
        bool created = false;
        while (fd < 0) {
                if (!created) {
                        char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                        struct pollfd p = { .fd = in, .events = POLLIN };
                        if (poll(&p, 1, 60000) <= 0)
                                break;
                        ssize_t n = read(in, ev, sizeof(ev));
                        for (char *e = ev; n > 0 && e < ev + n;) {
                                const struct inotify_event *ie = (const struct inotify_event *) e;
                                if (ie->len > 0 && streq(ie->name, slash + 1))
                                        created = true;
                                e += sizeof(*ie) + ie->len;
                        }
                        continue;
                }
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0)
                        break;
                int e = errno;
                (void) close(fd);
                fd = -1;
                if (e != ECONNREFUSED)
                        break;
                /* bind() done, listen() not yet: a matter of microseconds. */
                struct timespec ts = { .tv_nsec = 100000 };
                (void) nanosleep(&ts, NULL);
        }
        if (fd < 0 || qmp_client_new(fd, fd, &q) < 0 || qmp_client_handshake(q, 60ULL * 1000000) < 0) {
                fprintf(stderr, "launch-timer: QMP of QEMU not reached\n");
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return 1;
        }
        uint64_t t1 = now_usec();
        (void) qmp_execute(q, "quit", NULL, 5ULL * 1000000, NULL, NULL, NULL);
        qmp_client_free(q);
        int status;
        (void) waitpid(pid, &status, 0);
        (void) close(in);
        printf("%llu\n", (unsigned long long) (t1 - t0));
        return 0;
}

int main(int argc, char *argv[])
{
        if (argc < 4 || (!streq(argv[1], "cvm") && !streq(argv[1], "qemu"))) {
                fprintf(stderr, "usage: launch-timer cvm NOTIFY_SOCKET CVM_ARGV...\n"
                                "       launch-timer qemu QMP_SOCKET QEMU_ARGV...\n");
                return 2;
        }
        return streq(argv[1], "cvm") ? time_cvm(argv[2], argv + 3) : time_qemu(argv[2], argv + 3);
}
