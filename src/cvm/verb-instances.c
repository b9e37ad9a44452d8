/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm list, cvm status NAME, cvm stop NAME: the running VMs, found through their runtime directories
 * (vm/instance.h) and reached over QEMU's second QMP monitor, control.sock (the supervisor holds the
 * first; QMP serves one client per monitor).
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#include "argv-util.h"
#include "json-util.h"
#include "log.h"
#include "parse-util.h"
#include "verbs.h"
#include "vm/instance.h"
#include "vm/libvirt-backend.h"
#include "vm/qmp.h"
#include "vm/runtime-dir.h"

#define CONTROL_TIMEOUT_USEC (5ULL * 1000000)
#define STOP_TIMEOUT_SEC     60U

static int control_connect(const char *path, uint64_t timeout_usec, QmpClient **ret)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l = strlen(path);
        QmpClient *q = NULL;

        if (l >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, l);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A connection waits in the backlog while another client has the monitor; the handshake is bounded.
         */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                (void) close(fd);
                return r;
        }
        int r = qmp_client_new(fd, fd, &q);
        if (r < 0)
                return r;
        r = qmp_client_handshake(q, timeout_usec);
        if (r < 0) {
                qmp_client_free(q);
                return r;
        }
        *ret = q;
        return 0;
}

/* query-status over the control socket: "running", "paused", "prelaunch", "shutdown", ... */
static int query_status(const char *control, char **ret)
{
        _cleanup_(qmp_client_freep) QmpClient *q = NULL;
        _cleanup_(json_object_putp) json_object *v = NULL;
        if (!control)
                return -ENOENT;
        int r = control_connect(control, CONTROL_TIMEOUT_USEC, &q);
        if (r < 0)
                return r;
        r = qmp_execute(q, "query-status", NULL, CONTROL_TIMEOUT_USEC, &v, NULL, NULL);
        if (r < 0)
                return r;
        const char *s = json_get_string(v, "status");
        if (!s)
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static bool is_libvirt(const InstanceState *s)
{
        return s->backend && streq(s->backend, "libvirt");
}

typedef struct Entry {
        char *name;
        InstanceLiveness liveness;
        InstanceState state;
        char *status; /* QEMU's run state; NULL when not asked or not reachable */
} Entry;

static void entry_done(Entry *e)
{
        free(e->name);
        instance_state_done(&e->state);
        free(e->status);
}

static int entry_load(const char *base, const char *name, Entry *ret)
{
        Entry e = {};
        int r = instance_inspect(base, name, &e.liveness, &e.state);
        if (r < 0)
                return r;
        e.name = strdup(name);
        if (!e.name) {
                entry_done(&e);
                return -ENOMEM;
        }
        if (e.liveness == INSTANCE_RUNNING && is_libvirt(&e.state)) {
                /* libvirt's own name for the domain's state: running, paused, shutdown, ... */
                r = libvirt_domain_state(e.state.connect, name, &e.status, NULL);
                if (r < 0) {
                        log_debug_errno(r, "libvirt state of '%s' failed: %m", name);
                        /* Its cvm run still holds the directory: say why libvirt has no state to give. */
                        e.status = strdup(r == -ENOENT         ? "no-domain"
                                          : r == -ECONNREFUSED ? "no-libvirtd"
                                                               : "unknown");
                }
        } else if (e.liveness == INSTANCE_RUNNING) {
                r = query_status(e.state.control_socket, &e.status);
                if (r < 0)
                        log_debug_errno(r, "query-status of '%s' failed: %m", name);
        }
        *ret = e;
        return 0;
}

static json_object *entry_to_json(const Entry *e, bool full)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        const InstanceState *s = &e->state;

        if (!o || json_add(o, "name", json_object_new_string(e->name)) < 0 ||
            json_add(o, "state", json_object_new_string(instance_liveness_to_string(e->liveness))) < 0 ||
            json_object_object_add(o, "status", e->status ? json_object_new_string(e->status) : NULL) < 0 ||
            json_add(o, "pid", json_object_new_int64(s->pid)) < 0 ||
            json_add(o, "supervisor_pid", json_object_new_int64(s->supervisor_pid)) < 0 ||
            json_object_object_add(o, "coco", s->coco ? json_object_new_string(s->coco) : NULL) < 0 ||
            json_object_object_add(o, "started", s->started ? json_object_new_string(s->started) : NULL) <
                    0 ||
            json_add(o, "restarts", json_object_new_int64(s->restarts)) < 0)
                return NULL;
        if (full) {
                json_object *a = json_object_new_array();
                if (json_object_object_add(o, "qemu", s->qemu ? json_object_new_string(s->qemu) : NULL) <
                            0 ||
                    json_object_object_add(o, "qmp_socket",
                                           s->qmp_socket ? json_object_new_string(s->qmp_socket) : NULL) <
                            0 ||
                    json_object_object_add(o, "control_socket",
                                           s->control_socket ? json_object_new_string(s->control_socket)
                                                             : NULL) < 0 ||
                    json_add(o, "argv", a) < 0 ||
                    json_add(o, "backend", json_object_new_string(s->backend ?: "qemu")) < 0 ||
                    json_object_object_add(o, "connect",
                                           s->connect ? json_object_new_string(s->connect) : NULL) < 0)
                        return NULL;
                STRV_FOREACH (p, s->argv)
                        if (json_append(a, json_object_new_string(*p)) < 0)
                                return NULL;
        }
        return TAKE_PTR(o);
}

static int print_json(json_object *o)
{
        _cleanup_free_ char *s = NULL;
        if (!o || json_format(o, &s) < 0)
                return log_oom();
        fputs(s, stdout);
        return 0;
}

/* Options: --json (list, status), --force and --timeout= (stop). */
typedef struct InstanceArgs {
        bool json, force;
        unsigned timeout;
} InstanceArgs;

enum {
        ARG_JSON = 0x100,
        ARG_FORCE,
        ARG_TIMEOUT
};

static int parse_args(const char *verb, const char *usage, bool stop, int argc, char *argv[],
                      InstanceArgs *a)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "force", no_argument, NULL, ARG_FORCE },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                {},
        };
        int c;

        a->timeout = STOP_TIMEOUT_SEC;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                case ARG_JSON:
                        if (stop)
                                return usage_error(verb, "--json is not an option of 'cvm %s'.", verb);
                        a->json = true;
                        break;
                case ARG_FORCE:
                case ARG_TIMEOUT:
                        if (!stop)
                                return usage_error(verb, "--force and --timeout= belong to 'cvm stop'.");
                        if (c == ARG_FORCE)
                                a->force = true;
                        else if (safe_atou(optarg, 10, &a->timeout) < 0 || a->timeout > 24 * 3600)
                                return usage_error(verb, "--timeout= takes a number of seconds, not '%s'.",
                                                   optarg);
                        break;
                default:
                        return usage_error(verb, "Invalid option.");
                }
        int r = verb_positional(verb, argc - optind);
        if (r != 0)
                return r;
        return -1; /* go on */
}

static int get_base(char **ret)
{
        int r = runtime_dir_base(ret);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to determine the runtime directory (no $XDG_RUNTIME_DIR?): %m");
        return 0;
}

int verb_list(int argc, char *argv[])
{
        InstanceArgs a = {};
        _cleanup_free_ char *base = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        int r;

        r = parse_args("list",
                       "Usage: cvm list [--json]\n\nList the VMs cvm runs for this user (root: all "
                       "of /run/cvm), with\nQEMU's run state asked over QMP. 'stale' marks what a "
                       "killed cvm left behind;\nthe next 'cvm run' of that name cleans it.\n",
                       false, argc, argv, &a);
        if (r >= 0)
                return r;
        if ((r = get_base(&base)) < 0)
                return r;
        r = instance_list(base, &names);
        if (r < 0)
                return log_error_errno(r, "Failed to list '%s': %m", base);

        _cleanup_(json_object_putp) json_object *arr = a.json ? json_object_new_array() : NULL;
        if (a.json && !arr)
                return log_oom();
        if (!a.json && names[0])
                printf("%-20s %-9s %-10s %-8s %-8s %-8s %s\n", "NAME", "STATE", "STATUS", "PID", "COCO",
                       "RESTARTS", "STARTED");
        STRV_FOREACH (n, names) {
                Entry e;
                r = entry_load(base, *n, &e);
                if (r < 0) {
                        log_debug_errno(r, "Skipping '%s/%s': %m", base, *n);
                        continue;
                }
                if (a.json) {
                        if (json_append(arr, entry_to_json(&e, false)) < 0) {
                                entry_done(&e);
                                return log_oom();
                        }
                } else
                        printf("%-20s %-9s %-10s %-8d %-8s %-8u %s\n", e.name,
                               instance_liveness_to_string(e.liveness), e.status ?: "-", (int) e.state.pid,
                               e.state.coco ?: "-", e.state.restarts, e.state.started ?: "-");
                entry_done(&e);
        }
        if (a.json)
                return print_json(arr) < 0 ? CVM_EXIT_ERROR : CVM_EXIT_SUCCESS;
        if (!names[0])
                printf("No VMs.\n");
        return CVM_EXIT_SUCCESS;
}

int verb_status(int argc, char *argv[])
{
        InstanceArgs a = {};
        _cleanup_free_ char *base = NULL;
        Entry e;
        int r;

        r = parse_args("status",
                       "Usage: cvm status NAME [--json]\n\nShow a VM's state: its runtime "
                       "directory's record and QEMU's run state (QMP query-status).\n"
                       "Exit status: 0 running, 1 not running (no such VM, or stale), 2 error.\n",
                       false, argc, argv, &a);
        if (r >= 0)
                return r;
        const char *name = argv[optind];
        if ((r = get_base(&base)) < 0)
                return r;
        r = entry_load(base, name, &e);
        if (r == -ENOENT || r == -EINVAL) {
                log_error("No VM named '%s' is running (nothing in %s).", name, base);
                return CVM_EXIT_NEGATIVE;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to inspect VM '%s': %m", name);

        if (a.json) {
                _cleanup_(json_object_putp) json_object *o = entry_to_json(&e, true);
                r = print_json(o);
        } else {
                const InstanceState *s = &e.state;
                printf("VM:         %s\n", e.name);
                printf("State:      %s%s%s%s\n", instance_liveness_to_string(e.liveness),
                       !e.status       ? ""
                       : is_libvirt(s) ? " (libvirt: "
                                       : " (QEMU: ",
                       strempty(e.status), e.status ? ")" : "");
                if (s->pid > 0)
                        printf("QEMU:       pid %d, %s\n", (int) s->pid, strna(s->qemu));
                if (s->supervisor_pid > 0)
                        printf("Supervisor: cvm pid %d\n", (int) s->supervisor_pid);
                printf("Coco:       %s\n", strna(s->coco));
                printf("Started:    %s\n", strna(s->started));
                printf("Restarts:   %u\n", s->restarts);
                if (is_libvirt(s))
                        printf("Backend:    libvirt, %s\n", strna(s->connect));
                else
                        printf("Control:    %s\n", strna(s->control_socket));
                if (e.liveness == INSTANCE_STALE)
                        printf("\nA killed cvm left this behind; the next 'cvm run --name=%s' cleans it.\n",
                               e.name);
        }
        bool running = e.liveness == INSTANCE_RUNNING;
        entry_done(&e);
        if (r < 0)
                return CVM_EXIT_ERROR;
        return running ? CVM_EXIT_SUCCESS : CVM_EXIT_NEGATIVE;
}

/* SIGTERM makes a supervising cvm run power the guest down, a second one stop it at once. */
static int signal_supervisor(int pidfd, pid_t pid, bool force)
{
        for (int i = 0; i < (force ? 2 : 1); i++)
                if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0)
                        return log_error_errno(errno, "Cannot signal cvm pid %d: %m", (int) pid);
        return 0;
}

int verb_stop(int argc, char *argv[])
{
        InstanceArgs a = {};
        _cleanup_free_ char *base = NULL, *class = NULL, *desc = NULL;
        _cleanup_(instance_state_done) InstanceState s = {};
        _cleanup_(qmp_client_freep) QmpClient *q = NULL;
        InstanceLiveness l;
        int r;

        r = parse_args("stop",
                       "Usage: cvm stop NAME [--force] [--timeout=SEC]\n\n"
                       "Ask a running VM's guest to power down (ACPI power button: QMP system_powerdown,\n"
                       "or virDomainShutdown for 'cvm run --backend=libvirt') and wait until its\n"
                       "'cvm run' has ended.\n\n"
                       "  --force          Stop QEMU at once instead (QMP quit; libvirt: destroy)\n"
                       "  --timeout=SEC    Wait at most this long (default 60)\n\n"
                       "Exit status: 0 stopped, 1 still running after the timeout, 2 error (no such VM).\n",
                       true, argc, argv, &a);
        if (r >= 0)
                return r;
        const char *name = argv[optind];
        if ((r = get_base(&base)) < 0)
                return r;
        r = instance_inspect(base, name, &l, &s);
        if (r == -ENOENT || r == -EINVAL) {
                log_error("No VM named '%s' is running (nothing in %s).", name, base);
                return CVM_EXIT_ERROR;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to inspect VM '%s': %m", name);
        if (l != INSTANCE_RUNNING || s.supervisor_pid <= 0 || (!s.control_socket && !is_libvirt(&s))) {
                log_error("VM '%s' is not running (%s).", name,
                          l == INSTANCE_RUNNING ? "still starting" : instance_liveness_to_string(l));
                return CVM_EXIT_ERROR;
        }

        /* Watch the supervisor before asking: it may be gone by the time the answer arrives. */
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, s.supervisor_pid, 0);
        if (pidfd < 0)
                return log_error_errno(errno, "Cannot watch cvm pid %d of VM '%s': %m",
                                       (int) s.supervisor_pid, name);

        const char *command = a.force ? "quit" : "system_powerdown";
        if (is_libvirt(&s)) {
                /* libvirtd runs the domain: the ACPI power button (or destroy) through the libvirt API. */
                _cleanup_free_ char *e = NULL;
                r = libvirt_domain_stop(s.connect, name, a.force, &e);
                if (r < 0) {
                        /*
                         * The domain vanished, or libvirtd is away (its cvm run reconnects for a while): the
                         * supervisor ends, or stops the domain once libvirtd is back, on SIGTERM.
                         */
                        log_warning(
                                "libvirt (%s) could not %s domain '%s' (%s); signalling its cvm (pid %d) "
                                "instead.",
                                strna(s.connect), a.force ? "destroy" : "shut down", name, strna(e),
                                (int) s.supervisor_pid);
                        r = signal_supervisor(pidfd, s.supervisor_pid, a.force);
                        if (r < 0)
                                return r;
                }
        } else if ((r = control_connect(s.control_socket, CONTROL_TIMEOUT_USEC, &q)) < 0) {
                /*
                 * The monitor serves one client at a time, and someone may hold it. The supervisor reaches
                 * QEMU over its own monitor: SIGTERM makes it power the guest down, a second one quit.
                 */
                log_warning_errno(r,
                                  "Cannot reach VM '%s' over %s (%m); signalling its cvm (pid %d) instead.",
                                  name, s.control_socket, (int) s.supervisor_pid);
                r = signal_supervisor(pidfd, s.supervisor_pid, a.force);
                if (r < 0)
                        return r;
        } else {
                r = qmp_execute(q, command, NULL, CONTROL_TIMEOUT_USEC, NULL, &class, &desc);
                /* quit may close the connection before its answer arrives. */
                if (r == -EREMOTEIO)
                        return log_error_errno(r, "QEMU refused %s: %s", command, strna(desc));
                if (r < 0 && !(a.force && r == -ECONNRESET))
                        return log_error_errno(r, "QMP %s to VM '%s' failed: %m", command, name);
                q = qmp_client_free(q); /* the monitor is free for others while we wait */
        }

        log_info("%s VM '%s'; waiting up to %u s for it to end.", a.force ? "Stopping" : "Powering down",
                 name, a.timeout);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        for (;;) {
                r = poll(&p, 1, (int) MIN(a.timeout * 1000ULL, (unsigned long long) INT32_MAX));
                if (r < 0 && errno == EINTR)
                        continue;
                break;
        }
        if (r < 0)
                return log_error_errno(errno, "poll() failed: %m");
        if (r == 0) {
                log_error("VM '%s' is still running after %u s%s.", name, a.timeout,
                          a.force ? "" : "; 'cvm stop --force' stops QEMU at once");
                return CVM_EXIT_NEGATIVE;
        }
        log_info("VM '%s' stopped.", name);
        return CVM_EXIT_SUCCESS;
}
