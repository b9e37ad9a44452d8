/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QEMU supervision. QMP behaviour: reference/test-environment.md 2.5 (events come before quit's return;
 * one client per monitor). Reboot handling: reference/launch.md 1.2 (a TD cannot be reset in place before
 * QEMU 11.0) and 2.4 (libvirt's fake reboot restarts the QEMU process).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "argv-util.h"
#include "launcher.h"
#include "time-util.h"
#include "log.h"
#include "qmp.h"
#include "string-table.h"

static const char *const launch_outcome_table[_LAUNCH_OUTCOME_MAX] = {
        [LAUNCH_POWERED_OFF] = "powered-off",
        [LAUNCH_QEMU_FAILED] = "qemu-failed",
        [LAUNCH_GUEST_PANICKED] = "guest-panicked",
        [LAUNCH_RESTART_LIMIT] = "restart-limit",
};
DEFINE_STRING_TABLE_LOOKUP(launch_outcome, LaunchOutcome);

/*
 * QEMU's words → the check that explains them. Texts: reference/launch.md 1.2 (tdx.c, kvm.c
 * kvm_get_vm_type(), pc_sysfw.c, tdvf.c) and reference/test-environment.md 2.7 and 3.3, as printed by
 * QEMU 7.2 and 11.1. Specific entries come before generic ones ("failed to initialize kvm" follows a
 * more precise line).
 */
const QemuFailureHint qemu_failure_hints[] = {
        { "vm-type TDX not supported by KVM", "tdx.vm-type, tdx.kvm-param", "check",
          "KVM on this host cannot create trust domains: kvm_intel needs tdx=Y and an initialised TDX "
          "module" },
        { "vm-type SEV-SNP not supported by KVM", "snp.kvm-vm-type, snp.kvm-sev-snp", "check",
          "KVM on this host cannot create SEV-SNP guests: kvm_amd needs sev_snp=Y and SNP set up by the "
          "firmware" },
        { "vm-type SEV-ES not supported by KVM", "snp.kvm-sev-es", "check",
          "KVM on this host cannot create SEV-ES guests" },
        { "vm-type SEV not supported by KVM", "snp.kvm-sev", "check",
          "KVM on this host cannot create SEV guests" },
        { "KVM_TDX_CAPABILITIES failed", "tdx.kvm-param, tdx.module", "check",
          "the kernel's KVM does not offer the TDX interface this QEMU uses" },
        { "KVM_TDX_INIT_VM failed", "tdx.module", "check",
          "the TDX module refused the TD: its version may not match what KVM expects" },
        { "Invalid TDVF signature", "tdx.firmware", "check",
          "the firmware is not a TDVF (an OVMF built for TDX)" },
        { "Cannot find TDX_METADATA_OFFSET_GUID", "tdx.firmware", "check",
          "the firmware is not a TDVF (an OVMF built for TDX)" },
        { "cbitpos check failed", "snp.cpuid-cbit", "check",
          "--snp-cbitpos must equal the host's C-bit position (CPUID 0x8000001F EBX[5:0])" },
        { "/dev/sev", "snp.dev-sev, snp.dev-sev-access", "check",
          "QEMU cannot use the SEV firmware device /dev/sev" },
        { "pflash with kvm requires KVM readonly memory support", "firmware.stateless", "validate",
          "confidential guests take their firmware with -bios, not as pflash" },
        { "Parameter 'qom-type' does not accept value 'tdx-guest'", "tdx.qemu", "check",
          "this QEMU has no tdx-guest object (TDX needs QEMU 10.1 or later)" },
        { "Parameter 'qom-type' does not accept value 'sev-snp-guest'", "snp.qemu", "check",
          "this QEMU has no sev-snp-guest object (SEV-SNP needs QEMU 9.1 or later)" },
        { "KVM required", "coco.accel", "validate", "confidential guests need --accel=kvm" },
        { "Could not access KVM kernel module", "kvm.device", "check",
          "/dev/kvm is missing or not accessible" },
        { "failed to initialize kvm", "kvm.device, kvm.api", "check", "KVM could not be initialised" },
};
const size_t qemu_failure_hints_count = ELEMENTSOF(qemu_failure_hints);

int qemu_failure_explain(const char *text, const QemuFailureHint **ret_hint, char **ret_line)
{
        if (!text)
                return -ENOENT;
        for (size_t i = 0; i < qemu_failure_hints_count; i++) {
                const char *m = strstr(text, qemu_failure_hints[i].match);
                if (!m)
                        continue;
                if (ret_line) {
                        const char *start = m, *end = m + strcspn(m, "\n");
                        while (start > text && start[-1] != '\n')
                                start--;
                        *ret_line = strndup(start, (size_t) (end - start));
                        if (!*ret_line)
                                return -ENOMEM;
                }
                if (ret_hint)
                        *ret_hint = qemu_failure_hints + i;
                return 0;
        }
        return -ENOENT;
}

LaunchOutcome launch_decide(const LaunchExit *e, OnReboot on_reboot, unsigned restarts,
                            unsigned max_restarts, bool *ret_restart)
{
        const char *reason = e->shutdown_reason;
        *ret_restart = false;

        if (e->panicked || (reason && streq(reason, "guest-panic")))
                return LAUNCH_GUEST_PANICKED;
        /* A QEMU that had to be killed, or died of a signal someone else sent, did not end the VM cleanly.
         */
        if (e->killed || e->exit_signal > 0)
                return LAUNCH_QEMU_FAILED;
        if (reason && streq(reason, "guest-reset") && !e->stop_requested && e->exit_code == 0) {
                if (on_reboot == ON_REBOOT_POWEROFF)
                        return LAUNCH_POWERED_OFF;
                if (on_reboot == ON_REBOOT_RESTART_PROCESS) {
                        if (restarts >= max_restarts)
                                return LAUNCH_RESTART_LIMIT;
                        *ret_restart = true;
                        return LAUNCH_POWERED_OFF;
                }
                /* With reset QEMU resets in place and does not exit over a reboot: fall through. */
        }
        if (e->exit_code != 0)
                return LAUNCH_QEMU_FAILED;
        if (!reason)
                /* QEMU ended with 0 but without telling why: fine only if that was asked for. */
                return e->stop_requested ? LAUNCH_POWERED_OFF : LAUNCH_QEMU_FAILED;
        /* guest-shutdown: the guest powered off; host-qmp-quit: `cvm stop --force` or our own quit. */
        if (streq(reason, "guest-shutdown") || streq(reason, "host-qmp-quit") || streq(reason, "host-ui"))
                return LAUNCH_POWERED_OFF;
        /* host-signal and the rest: QEMU was stopped from outside, unless we asked for it. */
        return e->stop_requested ? LAUNCH_POWERED_OFF : LAUNCH_QEMU_FAILED;
}

void launch_result_done(LaunchResult *r)
{
        if (!r)
                return;
        free(r->shutdown_reason);
        json_object_put(r->panic);
        free(r->stderr_tail);
        *r = (LaunchResult){};
}

/* glibc 2.36 has no wrappers for these two yet. */
static int pidfd_open_(pid_t pid)
{
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send_signal_(int pidfd, int sig)
{
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

typedef enum StopStage {
        STOP_NONE,
        STOP_POWERDOWN, /* system_powerdown sent, waiting up to shutdown_timeout */
        STOP_QUIT,      /* quit (or SIGTERM) sent, waiting up to LAUNCH_QUIT_GRACE_USEC */
        STOP_KILLED,
} StopStage;

typedef struct Supervisor {
        const LaunchConfig *c;
        LaunchResult *res;

        int sigfd, timerfd, inotify_fd;
        sigset_t old_mask;
        bool mask_set;

        /* The current QEMU. */
        pid_t pid;
        int pidfd;
        int stderr_fd;
        char line[4096];
        size_t line_len;
        char *tail;
        size_t tail_len;

        int connect_fd;       /* connected to qmp_socket, waiting for the greeting */
        bool connect_retry;   /* the socket exists but did not accept yet */
        uint64_t retry_until; /* give up retrying then */
        QmpClient *qmp;

        StopStage stop;
        bool panicked;
        char *shutdown_reason;
        json_object *panic;

        bool have_termios;
        struct termios termios;
} Supervisor;

static void emit(Supervisor *s, LaunchEvent e)
{
        if (s->c->on_event)
                s->c->on_event(&e, s->c->userdata);
}

static void warn(Supervisor *s, int error, const char *what)
{
        log_debug_errno(error, "%s: %m", what);
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_WARNING, .pid = s->pid, .line = what, .error = error });
}

static void timer_arm(Supervisor *s, uint64_t usec)
{
        struct itimerspec its = {
                .it_value = { .tv_sec = (time_t) (usec / 1000000),
                              .tv_nsec = (long) (usec % 1000000) * 1000 },
        };
        if (usec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm */
        if (timerfd_settime(s->timerfd, 0, &its, NULL) < 0)
                warn(s, -errno, "Cannot arm the shutdown timer");
}

static void timer_disarm(Supervisor *s)
{
        struct itimerspec its = {};
        (void) timerfd_settime(s->timerfd, 0, &its, NULL);
}

/* The stderr tail keeps the last LAUNCH_STDERR_TAIL_MAX bytes: QEMU's last words explain a failure. */
static void tail_append(Supervisor *s, const char *p, size_t n)
{
        if (n >= LAUNCH_STDERR_TAIL_MAX) {
                p += n - LAUNCH_STDERR_TAIL_MAX;
                n = LAUNCH_STDERR_TAIL_MAX;
        }
        if (s->tail_len + n > LAUNCH_STDERR_TAIL_MAX) {
                size_t drop = s->tail_len + n - LAUNCH_STDERR_TAIL_MAX;
                memmove(s->tail, s->tail + drop, s->tail_len - drop);
                s->tail_len -= drop;
        }
        memcpy(s->tail + s->tail_len, p, n);
        s->tail_len += n;
        s->tail[s->tail_len] = 0;
}

static void line_flush(Supervisor *s)
{
        if (s->line_len == 0)
                return;
        s->line[s->line_len] = 0;
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_STDERR, .pid = s->pid, .line = s->line });
        s->line_len = 0;
}

/* Reads what the pipe holds. Returns 0 at EOF (the fd is closed then), 1 when more may come. */
static int stderr_read(Supervisor *s)
{
        char buf[4096];
        for (;;) {
                ssize_t n = read(s->stderr_fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 1;
                        warn(s, -errno, "Cannot read QEMU's stderr");
                        n = 0;
                }
                if (n == 0) {
                        line_flush(s);
                        (void) close(TAKE_FD(s->stderr_fd));
                        return 0;
                }
                tail_append(s, buf, (size_t) n);
                for (ssize_t i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                                line_flush(s);
                                continue;
                        }
                        s->line[s->line_len++] = buf[i];
                        if (s->line_len == sizeof(s->line) - 1) /* an endless line comes in pieces */
                                line_flush(s);
                }
        }
}

static void handle_qmp_event(Supervisor *s, const QmpMessage *m)
{
        if (streq(m->event, "SHUTDOWN")) {
                const char *reason = json_get_string(m->value, "reason");
                free(s->shutdown_reason);
                s->shutdown_reason = strdup(reason ?: "unknown");
                if (reason && streq(reason, "guest-panic"))
                        s->panicked = true;
        } else if (streq(m->event, "GUEST_PANICKED")) {
                s->panicked = true;
                json_object_put(s->panic);
                s->panic = json_object_get(m->value);
        }
        emit(s,
             (LaunchEvent){ .type = LAUNCH_EVENT_QMP, .pid = s->pid, .name = m->event, .data = m->value });
}

static void drain_events(Supervisor *s)
{
        QmpMessage m;
        while (s->qmp && qmp_client_next_event(s->qmp, &m) >= 0) {
                handle_qmp_event(s, &m);
                qmp_message_done(&m);
        }
}

/* Reads what QMP has; at EOF or a broken stream the client goes (QEMU is ending, or QMP is lost). */
static void qmp_read(Supervisor *s)
{
        int r = qmp_client_read_events(s->qmp);
        drain_events(s);
        if (r < 0) {
                if (r != -ECONNRESET)
                        warn(s, r, "QMP connection failed");
                s->qmp = qmp_client_free(s->qmp);
        }
}

static int qmp_command(Supervisor *s, const char *command)
{
        _cleanup_free_ char *class = NULL, *desc = NULL;
        if (!s->qmp)
                return -ENOTCONN;
        int r = qmp_execute(s->qmp, command, NULL, LAUNCH_QMP_TIMEOUT_USEC, NULL, &class, &desc);
        drain_events(s);
        if (r == -EREMOTEIO)
                log_debug("QMP %s: %s: %s", command, strna(class), strna(desc));
        if (r == -ECONNRESET)
                s->qmp = qmp_client_free(s->qmp);
        return r;
}

static int qemu_signal(Supervisor *s, int sig)
{
        if (s->pidfd < 0)
                return -ESRCH;
        if (pidfd_send_signal_(s->pidfd, sig) < 0)
                return -errno;
        return 0;
}

static void stop_quit(Supervisor *s, bool timed_out)
{
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_QUIT,
                               .pid = s->pid,
                               .timeout_usec = LAUNCH_QUIT_GRACE_USEC,
                               .timed_out = timed_out });
        int r = qmp_command(s, "quit");
        /* quit's answer may be lost as QEMU closes the socket: then it is quitting all the same. */
        if (r < 0 && r != -ECONNRESET)
                (void) qemu_signal(s, SIGTERM);
        s->stop = STOP_QUIT;
        timer_arm(s, LAUNCH_QUIT_GRACE_USEC);
}

static void stop_kill(Supervisor *s, bool timed_out)
{
        s->res->killed = true;
        s->stop = STOP_KILLED;
        timer_disarm(s);
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_KILL, .pid = s->pid, .timed_out = timed_out });
        (void) qemu_signal(s, SIGKILL);
}

/* One step further towards the end, for a signal or the timer. */
static void stop_escalate(Supervisor *s, bool timed_out)
{
        s->res->stop_requested = true;
        switch (s->stop) {
        case STOP_NONE:
                if (s->qmp && qmp_command(s, "system_powerdown") >= 0) {
                        s->stop = STOP_POWERDOWN;
                        timer_arm(s, s->c->shutdown_timeout_usec);
                        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_POWERDOWN,
                                               .pid = s->pid,
                                               .timeout_usec = s->c->shutdown_timeout_usec });
                        return;
                }
                /* No QMP (yet): QEMU's own SIGTERM handling is a clean "host-signal" shutdown. */
                stop_quit(s, timed_out);
                return;
        case STOP_POWERDOWN:
                stop_quit(s, timed_out);
                return;
        case STOP_QUIT:
                stop_kill(s, timed_out);
                return;
        case STOP_KILLED:
                return;
        }
}

static void qmp_try_connect(Supervisor *s)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l = strlen(s->c->qmp_socket);

        s->connect_retry = false;
        if (s->connect_fd >= 0 || s->qmp)
                return;
        if (l >= sizeof(sa.sun_path)) {
                warn(s, -ENAMETOOLONG, "QMP socket path too long");
                return;
        }
        memcpy(sa.sun_path, s->c->qmp_socket, l);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                warn(s, -errno, "Cannot create a socket");
                return;
        }
        /* A listening unix socket accepts into its backlog at once; the greeting follows when QEMU runs. */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                if (errno == ECONNREFUSED || errno == ENOENT || errno == EAGAIN) {
                        /* Between QEMU's bind() and listen(): no event tells, so retry briefly. */
                        s->connect_retry = true;
                        if (!s->retry_until)
                                s->retry_until = now_usec() + LAUNCH_QMP_TIMEOUT_USEC;
                        if (now_usec() > s->retry_until) {
                                s->connect_retry = false;
                                warn(s, -errno, "QEMU's QMP socket does not accept connections");
                        }
                        return;
                }
                warn(s, -errno, "Cannot connect to QEMU's QMP socket");
                return;
        }
        s->connect_fd = TAKE_FD(fd);
}

static void qmp_greeting_ready(Supervisor *s)
{
        QmpClient *q = NULL;
        int fd = TAKE_FD(s->connect_fd);
        int r = qmp_client_new(fd, fd, &q);
        if (r < 0) {
                warn(s, r, "Cannot set up the QMP client");
                return;
        }
        r = qmp_client_handshake(q, LAUNCH_QMP_TIMEOUT_USEC);
        if (r < 0) {
                /* QEMU closing the connection right away is QEMU ending: its exit tells the rest. */
                if (r != -ECONNRESET)
                        warn(s, r, "QMP handshake with QEMU failed");
                qmp_client_free(q);
                return;
        }
        s->qmp = q;
        s->res->ready = true;
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_READY, .pid = s->pid });
        drain_events(s);
}

static void inotify_read(Supervisor *s)
{
        const char *want = s->c->ready_socket ?: s->c->qmp_socket;
        const char *base = strrchr(want, '/') ? strrchr(want, '/') + 1 : want;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool hit = false;

        for (;;) {
                ssize_t n = read(s->inotify_fd, buf, sizeof(buf));
                if (n <= 0) {
                        if (n < 0 && errno == EINTR)
                                continue;
                        break;
                }
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *) p;
                        if (e->len > 0 && streq(e->name, base))
                                hit = true;
                        p += sizeof(struct inotify_event) + e->len;
                }
        }
        if (hit)
                qmp_try_connect(s);
}

/* Closes every descriptor from 3 on except keep (> 2). */
static void close_all_but(int keep)
{
        if (keep > 3 && syscall(SYS_close_range, 3U, (unsigned) keep - 1, 0U) < 0)
                for (int fd = 3; fd < keep; fd++)
                        (void) close(fd);
        if (syscall(SYS_close_range, (unsigned) keep + 1, ~0U, 0U) < 0)
                for (int fd = keep + 1; fd < 65536; fd++)
                        (void) close(fd);
}

/* Runs in the child between fork() and execve(): async-signal-safe calls only. */
_noreturn_ static void child_exec(const LaunchConfig *c, int stderr_fd, int errpipe, pid_t parent)
{
        int err;

        /* Die with the supervisor: a QEMU nobody watches would keep its TD key or ASID. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                goto fail;
        /* The supervisor may have died before prctl(): then no signal would ever come. */
        if (getppid() != parent) {
                errno = ESRCH;
                goto fail;
        }
        if (c->own_process_group && setpgid(0, 0) < 0)
                goto fail;
        if (dup2(stderr_fd, STDERR_FILENO) < 0)
                goto fail;

        /* Default dispositions and an empty mask: ignored or blocked signals would be inherited by QEMU. */
        struct sigaction sa = { .sa_handler = SIG_DFL };
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &sa, NULL);
        sigset_t none;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                goto fail;

        /* Only stdin, stdout (the console may be this terminal) and stderr go to QEMU; errpipe closes at
         * exec. */
        close_all_but(errpipe);

        execve(c->argv[0], c->argv, environ);
fail:
        err = errno;
        (void) !write(errpipe, &err, sizeof(err));
        _exit(127);
}

static int spawn(Supervisor *s)
{
        int pipefd[2], errpipe[2];
        pid_t parent = getpid();

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(errpipe, O_CLOEXEC) < 0) {
                int r = -errno;
                (void) close(pipefd[0]);
                (void) close(pipefd[1]);
                return r;
        }

        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void) close(pipefd[0]);
                (void) close(pipefd[1]);
                (void) close(errpipe[0]);
                (void) close(errpipe[1]);
                return r;
        }
        if (pid == 0) {
                (void) close(pipefd[0]);
                (void) close(errpipe[0]);
                child_exec(s->c, pipefd[1], errpipe[1], parent);
        }
        (void) close(pipefd[1]);
        (void) close(errpipe[1]);
        s->stderr_fd = pipefd[0];
        s->pid = pid;
        s->pidfd = pidfd_open_(pid);
        int pidfd_error = s->pidfd < 0 ? -errno : 0;

        /* The error pipe closes at a successful execve() and carries errno otherwise. */
        int child_errno = 0;
        ssize_t n;
        do
                n = read(errpipe[0], &child_errno, sizeof(child_errno));
        while (n < 0 && errno == EINTR);
        (void) close(errpipe[0]);

        if (n == sizeof(child_errno) || pidfd_error < 0) {
                if (pidfd_error < 0)
                        (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                s->pid = 0;
                if (s->pidfd >= 0)
                        (void) close(TAKE_FD(s->pidfd));
                (void) close(TAKE_FD(s->stderr_fd));
                return pidfd_error < 0 ? pidfd_error : -(child_errno > 0 ? child_errno : EIO);
        }
        if (fcntl(s->stderr_fd, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* Reaps QEMU (its pidfd said it ended) and records how. */
static int reap(Supervisor *s)
{
        siginfo_t si = {};
        if (waitid(P_PID, (id_t) s->pid, &si, WEXITED) < 0)
                return -errno;
        if (si.si_code == CLD_EXITED) {
                s->res->exit_code = si.si_status;
                s->res->exit_signal = 0;
        } else {
                s->res->exit_code = -1;
                s->res->exit_signal = si.si_status;
        }
        (void) close(TAKE_FD(s->pidfd));
        emit(s, (LaunchEvent){ .type = LAUNCH_EVENT_EXITED,
                               .pid = s->pid,
                               .exit_code = s->res->exit_code,
                               .exit_signal = s->res->exit_signal });
        s->pid = 0;
        return 0;
}

/* What QEMU left in its pipes: it is gone, so reading ends at EOF (or EAGAIN if a child kept stderr). */
static void drain_after_exit(Supervisor *s)
{
        if (s->qmp) {
                for (unsigned i = 0; s->qmp && i < 1024; i++)
                        qmp_read(s);
        }
        if (s->connect_fd >= 0)
                (void) close(TAKE_FD(s->connect_fd));
        if (s->stderr_fd >= 0)
                (void) stderr_read(s);
        line_flush(s);
}

static void process_reset(Supervisor *s)
{
        char buf[4096];
        /* Creation events of the previous QEMU's sockets would send the next connect to a missing socket. */
        while (read(s->inotify_fd, buf, sizeof(buf)) > 0)
                ;
        s->qmp = qmp_client_free(s->qmp);
        if (s->connect_fd >= 0)
                (void) close(TAKE_FD(s->connect_fd));
        if (s->stderr_fd >= 0)
                (void) close(TAKE_FD(s->stderr_fd));
        s->connect_retry = false;
        s->retry_until = 0;
        s->line_len = 0;
        s->tail_len = 0;
        s->tail[0] = 0;
        s->panicked = false;
        s->shutdown_reason = mfree(s->shutdown_reason);
        json_object_put(TAKE_PTR(s->panic));
        s->stop = STOP_NONE;
        s->res->ready = false;
        timer_disarm(s);
}

static void signal_read(Supervisor *s)
{
        struct signalfd_siginfo si;
        for (;;) {
                ssize_t n = read(s->sigfd, &si, sizeof(si));
                if (n != sizeof(si))
                        return;
                emit(s, (LaunchEvent){
                                .type = LAUNCH_EVENT_SIGNAL, .pid = s->pid, .signo = (int) si.ssi_signo });
                stop_escalate(s, false);
        }
}

static void timer_read(Supervisor *s)
{
        uint64_t ticks;
        if (read(s->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
                return;
        if (s->stop == STOP_POWERDOWN || s->stop == STOP_QUIT)
                stop_escalate(s, true);
}

/* Supervises the current QEMU until it has ended and is reaped. */
static int supervise(Supervisor *s)
{
        enum {
                POLL_SIG,
                POLL_TIMER,
                POLL_PID,
                POLL_STDERR,
                POLL_INOTIFY,
                POLL_CONNECT,
                POLL_QMP,
                _POLL_MAX
        };
        int r;

        while (s->pid > 0) {
                struct pollfd p[_POLL_MAX] = {
                        [POLL_SIG] = { .fd = s->sigfd, .events = POLLIN },
                        [POLL_TIMER] = { .fd = s->timerfd, .events = POLLIN },
                        [POLL_PID] = { .fd = s->pidfd, .events = POLLIN },
                        [POLL_STDERR] = { .fd = s->stderr_fd, .events = POLLIN },
                        [POLL_INOTIFY] = { .fd = s->qmp || s->connect_fd >= 0 ? -1 : s->inotify_fd,
                                           .events = POLLIN },
                        [POLL_CONNECT] = { .fd = s->connect_fd, .events = POLLIN },
                        [POLL_QMP] = { .fd = s->qmp ? qmp_client_fd(s->qmp) : -1, .events = POLLIN },
                };
                int k = poll(p, _POLL_MAX, s->connect_retry ? 5 : -1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0 && s->connect_retry) {
                        qmp_try_connect(s);
                        continue;
                }
                if (p[POLL_SIG].revents)
                        signal_read(s);
                if (p[POLL_TIMER].revents)
                        timer_read(s);
                if (p[POLL_STDERR].revents && s->stderr_fd >= 0)
                        (void) stderr_read(s);
                if (p[POLL_INOTIFY].revents)
                        inotify_read(s);
                if (p[POLL_CONNECT].revents && s->connect_fd >= 0)
                        qmp_greeting_ready(s);
                if (p[POLL_QMP].revents && s->qmp)
                        qmp_read(s);
                if (p[POLL_PID].revents) {
                        drain_after_exit(s);
                        r = reap(s);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static void supervisor_done(Supervisor *s)
{
        if (s->pid > 0) {
                /* Supervision failed with QEMU still running: it must not outlive its supervisor. */
                if (s->pidfd >= 0)
                        (void) pidfd_send_signal_(s->pidfd, SIGKILL);
                else
                        (void) kill(s->pid, SIGKILL);
                (void) waitpid(s->pid, NULL, 0);
        }
        qmp_client_free(s->qmp);
        if (s->connect_fd >= 0)
                (void) close(s->connect_fd);
        if (s->stderr_fd >= 0)
                (void) close(s->stderr_fd);
        if (s->pidfd >= 0)
                (void) close(s->pidfd);
        if (s->sigfd >= 0)
                (void) close(s->sigfd);
        if (s->timerfd >= 0)
                (void) close(s->timerfd);
        if (s->inotify_fd >= 0)
                (void) close(s->inotify_fd);
        if (s->mask_set)
                (void) sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        free(s->tail);
        free(s->shutdown_reason);
        json_object_put(s->panic);
}

static void remove_socket(const char *path)
{
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_debug_errno(errno, "Cannot remove %s: %m", path);
}

int launcher_run(const LaunchConfig *c, LaunchResult *ret)
{
        _cleanup_(supervisor_done) Supervisor s = {
                .c = c,
                .sigfd = -EBADF,
                .timerfd = -EBADF,
                .inotify_fd = -EBADF,
                .pidfd = -EBADF,
                .stderr_fd = -EBADF,
                .connect_fd = -EBADF,
        };
        LaunchResult res = { .exit_code = -1 };
        sigset_t mask;
        int r;

        if (!c || strv_length(c->argv) == 0 || !c->argv[0] || c->argv[0][0] != '/' || !c->qmp_socket ||
            !c->runtime_dir)
                return -EINVAL;
        s.res = &res;
        s.tail = malloc(LAUNCH_STDERR_TAIL_MAX + 1);
        if (!s.tail)
                return -ENOMEM;
        s.tail[0] = 0;

        /* The child's descriptor shuffling assumes 0, 1 and 2 are taken: a closed one would be reused. */
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
                        int n = open("/dev/null", O_RDWR); /* lands on fd, the lowest free number */
                        if (n < 0)
                                return -errno;
                        if (n != fd) {
                                (void) close(n);
                                return -EBADF;
                        }
                }

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, &s.old_mask) < 0)
                return -errno;
        s.mask_set = true;
        s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        s.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        s.inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (s.sigfd < 0 || s.timerfd < 0 || s.inotify_fd < 0)
                return -errno;
        /* Before QEMU starts, so that the socket's creation cannot be missed. */
        if (inotify_add_watch(s.inotify_fd, c->runtime_dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0)
                return -errno;

        if (c->restore_terminal && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &s.termios) >= 0)
                s.have_termios = true;

        for (;;) {
                remove_socket(c->qmp_socket);
                remove_socket(c->ready_socket);
                r = spawn(&s);
                if (r < 0) {
                        res.spawn_error = r;
                        res.outcome = LAUNCH_QEMU_FAILED;
                        break;
                }
                emit(&s,
                     (LaunchEvent){ .type = LAUNCH_EVENT_STARTED, .pid = s.pid, .restarts = res.restarts });

                r = supervise(&s);
                if (r < 0)
                        return r;
                if (s.have_termios)
                        (void) tcsetattr(STDIN_FILENO, TCSANOW, &s.termios);

                bool restart;
                LaunchExit e = {
                        .panicked = s.panicked,
                        .shutdown_reason = s.shutdown_reason,
                        .stop_requested = res.stop_requested,
                        .killed = res.killed,
                        .exit_code = res.exit_code,
                        .exit_signal = res.exit_signal,
                };
                res.outcome = launch_decide(&e, c->on_reboot, res.restarts, c->max_restarts, &restart);
                if (!restart)
                        break;
                res.restarts++;
                emit(&s, (LaunchEvent){ .type = LAUNCH_EVENT_RESTARTING, .restarts = res.restarts });
                process_reset(&s);
        }

        res.shutdown_reason = TAKE_PTR(s.shutdown_reason);
        res.panic = TAKE_PTR(s.panic);
        res.stderr_tail = strndup(s.tail, s.tail_len);
        if (!res.stderr_tail) {
                launch_result_done(&res);
                return -ENOMEM;
        }
        *ret = res;
        return 0;
}
