/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <json-c/json.h>

#include "macro.h"
#include "vm-spec.h"

/*
 * Starts QEMU and supervises it in the foreground until the VM is over.
 *
 * QEMU is executed directly (fork + execve, never a shell) with PR_SET_PDEATHSIG SIGKILL, so a killed
 * supervisor never leaves an orphan VM behind (holding a TD key or an SNP ASID). Its stderr goes through
 * a pipe: every line is handed to the caller and the last LAUNCH_STDERR_TAIL_MAX bytes are kept for the
 * failure analysis. One poll loop waits on a signalfd (SIGINT, SIGTERM, SIGHUP), a pidfd for QEMU's exit,
 * the stderr pipe, an inotify watch on the runtime directory (to learn that the QMP socket listens), the
 * QMP connection and a timerfd for the shutdown deadlines.
 *
 * Stopping: the first SIGINT/SIGTERM/SIGHUP sends system_powerdown (the guest's ACPI power button) and
 * arms shutdown_timeout; when it passes, or at a second signal, QMP "quit"; when QEMU is still there
 * LAUNCH_QUIT_GRACE_USEC later, or at a third signal, SIGKILL.
 *
 * Reboot: with -action reboot=shutdown (qemu-argv.c) a guest reboot is a SHUTDOWN with reason
 * "guest-reset" after which QEMU exits. For ON_REBOOT_RESTART_PROCESS a new QEMU is started with the same
 * argv (libvirt's "fake reboot" for TDs), at most max_restarts times; ON_REBOOT_POWEROFF ends the VM.
 *
 * The library does not print: everything worth telling is passed to on_event().
 */

#define LAUNCH_STDERR_TAIL_MAX  (64U * 1024)
#define LAUNCH_QUIT_GRACE_USEC  (5ULL * 1000000)
#define LAUNCH_QMP_TIMEOUT_USEC (10ULL * 1000000)

typedef enum LaunchOutcome {
        LAUNCH_POWERED_OFF,    /* the guest powered off, or a requested stop ended QEMU cleanly */
        LAUNCH_QEMU_FAILED,    /* QEMU did not start, crashed, was killed, or ended without the guest */
        LAUNCH_GUEST_PANICKED, /* GUEST_PANICKED (e.g. a TDX fatal error) */
        LAUNCH_RESTART_LIMIT,  /* the guest rebooted once more than max_restarts allows */
        _LAUNCH_OUTCOME_MAX,
        _LAUNCH_OUTCOME_INVALID = -EINVAL,
} LaunchOutcome;

const char *launch_outcome_to_string(LaunchOutcome o);
LaunchOutcome launch_outcome_from_string(const char *s);

typedef enum LaunchEventType {
        LAUNCH_EVENT_STARTED,    /* QEMU runs: pid */
        LAUNCH_EVENT_READY,      /* the QMP handshake is done: pid */
        LAUNCH_EVENT_STDERR,     /* one line QEMU wrote to stderr: line */
        LAUNCH_EVENT_QMP,        /* an asynchronous QMP event: name, data */
        LAUNCH_EVENT_SIGNAL,     /* the supervisor got signo */
        LAUNCH_EVENT_POWERDOWN,  /* system_powerdown sent; the guest has timeout_usec */
        LAUNCH_EVENT_QUIT,       /* QEMU is asked to quit (QMP quit, or SIGTERM before QMP was up) */
        LAUNCH_EVENT_KILL,       /* QEMU did not quit in time: SIGKILL */
        LAUNCH_EVENT_EXITED,     /* QEMU ended: exit_code or exit_signal */
        LAUNCH_EVENT_RESTARTING, /* a guest reboot restarts QEMU: restarts (counting this one) */
        LAUNCH_EVENT_WARNING,    /* something went wrong that supervision survives: line, error */
        _LAUNCH_EVENT_TYPE_MAX,
} LaunchEventType;

typedef struct LaunchEvent {
        LaunchEventType type;
        pid_t pid;
        const char *line;
        const char *name;
        json_object *data;
        int signo;
        int exit_code, exit_signal; /* exit_signal > 0: terminated by that signal */
        unsigned restarts;
        uint64_t timeout_usec;
        bool timed_out; /* QUIT, KILL: because a deadline passed, not because of another signal */
        int error;
} LaunchEvent;

typedef struct LaunchConfig {
        char **argv;             /* argv[0] is the path executed, no $PATH search */
        const char *runtime_dir; /* watched for the QMP sockets */
        const char *qmp_socket;  /* the supervisor's monitor (QemuLaunchPaths.qmp_socket) */
        /*
         * A socket QEMU creates after qmp_socket (QemuLaunchPaths.control_socket): chardevs are created in
         * command-line order, so once it exists qmp_socket listens. NULL: qmp_socket's own appearance is
         * the cue, and a connect refused between QEMU's bind() and listen() is retried.
         */
        const char *ready_socket;
        OnReboot on_reboot; /* RESTART_PROCESS, RESET or POWEROFF (DEFAULT is taken as RESET) */
        unsigned max_restarts;
        uint64_t shutdown_timeout_usec;
        /*
         * QEMU in a process group of its own, so that a Ctrl-C on cvm's terminal reaches cvm only. Off when
         * the guest console is QEMU's stdio on a terminal: a background process group could not use it.
         */
        bool own_process_group;
        /* Save the terminal settings of stdin and put them back after QEMU (which sets raw mode) ends. */
        bool restore_terminal;
        void (*on_event)(const LaunchEvent *e, void *userdata);
        void *userdata;
} LaunchConfig;

typedef struct LaunchResult {
        LaunchOutcome outcome;
        int spawn_error;     /* < 0: QEMU could not be executed at all */
        bool ready;          /* the last QEMU reached QMP */
        int exit_code;       /* of the last QEMU; -1 when it was terminated by a signal */
        int exit_signal;     /* > 0: the signal that terminated it */
        bool stop_requested; /* a signal asked the supervisor to stop the VM */
        bool killed;         /* QEMU had to be killed */
        unsigned restarts;
        char *shutdown_reason; /* of the last SHUTDOWN event, NULL when none came */
        json_object *panic;    /* the GUEST_PANICKED data, NULL when none came */
        char *stderr_tail;     /* the last bytes of the last QEMU's stderr, NUL-terminated */
} LaunchResult;

void launch_result_done(LaunchResult *r);

/*
 * Runs the VM to its end. 0 with *ret filled (see ret->outcome), or -errno when supervision itself failed
 * (QEMU is killed and reaped before that returns). SIGINT, SIGTERM and SIGHUP are blocked meanwhile.
 */
int launcher_run(const LaunchConfig *c, LaunchResult *ret);

/* How one QEMU process ended, as far as the decision below needs to know. */
typedef struct LaunchExit {
        bool panicked;               /* GUEST_PANICKED came, or SHUTDOWN with reason guest-panic */
        const char *shutdown_reason; /* the last SHUTDOWN's reason; NULL: none came */
        bool stop_requested;
        bool killed;   /* the supervisor sent SIGKILL */
        int exit_code; /* -1 when terminated by a signal */
        int exit_signal;
} LaunchExit;

/* The outcome of a QEMU exit; *ret_restart set when a new QEMU is to be started instead (pure). */
LaunchOutcome launch_decide(const LaunchExit *e, OnReboot on_reboot, unsigned restarts,
                            unsigned max_restarts, bool *ret_restart);

/* What a QEMU error message means, and which `cvm check` (or `cvm validate`) ids explain it. */
typedef struct QemuFailureHint {
        const char *match; /* a fixed piece of QEMU's message */
        const char *ids;   /* comma-separated ids */
        const char *verb;  /* "check" or "validate": where the ids come from */
        const char *hint;
} QemuFailureHint;

extern const QemuFailureHint qemu_failure_hints[];
extern const size_t qemu_failure_hints_count;

/*
 * The first table entry (the table is ordered from specific to generic) that QEMU's stderr text contains;
 * *ret_line (malloc'ed, may be NULL) is the whole line that holds it. -ENOENT when nothing matches.
 */
int qemu_failure_explain(const char *text, const QemuFailureHint **ret_hint, char **ret_line);
