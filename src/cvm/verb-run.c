/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "argv-util.h"
#include "cvm-cleanup.h"
#include "log.h"
#include "sd-notify.h"
#include "verbs.h"
#include "facts.h"
#include "vm-cli.h"
#include "vm/instance.h"
#include "vm/domxml.h"
#include "vm/launcher.h"
#include "vm/libvirt-backend.h"
#include "vm/qemu-argv.h"
#include "vm/runtime-dir.h"
#include "vm/vm-options.h"

typedef struct RunArgs {
        VmCliCommon common;
        bool dry_run, force;
        bool libvirt;        /* --backend=libvirt */
        const char *connect; /* --connect=URI */
} RunArgs;

enum {
        ARG_DRY_RUN = 0x100,
        ARG_FORCE,
        ARG_BACKEND,
        ARG_CONNECT,
};

static void help(void)
{
        printf("Usage: cvm run [--config=FILE] [VM OPTIONS...] [--force]\n"
               "       cvm run [--config=FILE] [VM OPTIONS...] --dry-run [--json]\n\n"
               "Validate a VM definition, start QEMU and supervise it until the guest powers off.\n"
               "SIGINT/SIGTERM/SIGHUP ask the guest to power down; after --shutdown-timeout, or at a "
               "second\n"
               "signal, QEMU is told to quit; a third signal kills it. The guest console is this terminal "
               "unless --console=\n"
               "says otherwise. 'cvm list', 'cvm status NAME' and 'cvm stop NAME' reach the running VM.\n\n"
               "  --config=FILE   Read the definition from an INI file ([VM] section); options override it\n"
               "  --dry-run       Print the QEMU command line instead of starting QEMU; what this host\n"
               "                  lacks becomes a warning, so a command line can be prepared elsewhere\n"
               "  --json          With --dry-run: print the argv as a JSON array of strings\n"
               "  --force         Start despite host-capability errors (never despite definition errors)\n"
               "  --backend=qemu|libvirt\n"
               "                  Who starts QEMU: cvm itself (default), or libvirtd as a transient domain\n"
               "                  (the XML of 'cvm domxml'; --dry-run prints it). A guest console on this\n"
               "                  terminal becomes a pty there ('virsh console NAME')\n"
               "  --connect=URI   libvirt connection of --backend=libvirt (default " LIBVIRT_DEFAULT_URI
               ")\n"
               "  --root=DIR      With --dry-run: judge the host tree below DIR\n"
               "  --facts=FILE    Judge the host described by a 'cvm facts' document\n"
               "  -h, --help      Show this help\n\n"
               "Exit status: 0 the guest powered off (or was stopped on request), 1 the definition is\n"
               "invalid, 2 usage or other error, 3 QEMU failed (could not start, or ended without the\n"
               "guest shutting down), 4 the guest panicked, 5 the guest rebooted more than "
               "--max-restarts.\n\n"
               "VM options:\n");
        vm_options_help(stdout);
}

static int on_extra(int c, const char *arg, void *userdata)
{
        RunArgs *a = userdata;
        switch (c) {
        case ARG_DRY_RUN:
                a->dry_run = true;
                return 1;
        case ARG_FORCE:
                a->force = true;
                return 1;
        case ARG_BACKEND:
                if (!streq(arg, "qemu") && !streq(arg, "libvirt")) {
                        usage_error("run", "--backend= takes 'qemu' or 'libvirt', not '%s'.", arg);
                        return -EINVAL;
                }
                a->libvirt = streq(arg, "libvirt");
                return 1;
        case ARG_CONNECT:
                a->connect = arg;
                return 1;
        }
        return -EINVAL;
}

static int print_argv(char **argv, bool json)
{
        if (json) {
                _cleanup_(json_object_putp) json_object *a = json_object_new_array();
                _cleanup_free_ char *s = NULL;
                if (!a)
                        return log_oom();
                STRV_FOREACH (p, argv)
                        if (json_append(a, json_object_new_string(*p)) < 0)
                                return log_oom();
                if (json_format(a, &s) < 0)
                        return log_oom();
                fputs(s, stdout);
                return 0;
        }
        _cleanup_free_ char *line = NULL;
        if (argv_to_shell_line(argv, &line) < 0)
                return log_oom();
        puts(line);
        return 0;
}

/* An absolute path for the binary: execve() takes no $PATH search, and the child must not depend on one. */
static int resolve_executable(const char *name, char **ret)
{
        if (name[0] == '/')
                return (*ret = strdup(name)) ? 0 : -ENOMEM;
        if (strchr(name, '/')) {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                return asprintf(ret, "%s/%s", cwd, name) < 0 ? -ENOMEM : 0;
        }
        const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
        for (const char *p = path; *p;) {
                size_t l = strcspn(p, ":");
                if (l > 0 && p[0] == '/') {
                        _cleanup_free_ char *c = NULL;
                        struct stat st;
                        if (asprintf(&c, "%.*s/%s", (int) l, p, name) < 0)
                                return -ENOMEM;
                        if (stat(c, &st) >= 0 && S_ISREG(st.st_mode) && access(c, X_OK) >= 0) {
                                *ret = TAKE_PTR(c);
                                return 0;
                        }
                }
                p += l;
                if (*p == ':')
                        p++;
        }
        return -ENOENT;
}

typedef struct RunContext {
        const VmSpec *spec;
        Instance *instance;
        InstanceState state;
        bool ready_notified;
} RunContext;

static void state_update(RunContext *ctx)
{
        int r = instance_write_state(ctx->instance, &ctx->state);
        if (r < 0)
                log_warning_errno(r, "Failed to write %s/" INSTANCE_STATE ", ignoring: %m",
                                  ctx->instance->dir);
}

static const char *signal_name(int sig)
{
        return sigabbrev_np(sig) ?: "?";
}

/* GUEST_PANICKED (qapi/run-state.json GuestPanicInformation): TDX carries error code, message and GPA. */
static void log_panic(json_object *data)
{
        json_object *info = json_get(data, "info", json_type_object);
        const char *type = json_get_string(info, "type");

        if (type && streq(type, "tdx")) {
                json_object *code = json_get(info, "error-code", json_type_int),
                            *gpa = json_get(info, "gpa", json_type_int);
                const char *msg = json_get_string(info, "message");
                char gpa_text[32] = "";
                if (gpa)
                        snprintf(gpa_text, sizeof(gpa_text), ", GPA 0x%" PRIx64,
                                 (uint64_t) json_object_get_int64(gpa));
                log_error("Guest panicked: TDX fatal error, error code 0x%" PRIx64 "%s%s%s%s.",
                          code ? (uint64_t) json_object_get_int64(code) : 0, msg ? ", message '" : "",
                          strempty(msg), msg ? "'" : "", gpa_text);
                return;
        }
        log_error("Guest panicked%s%s.", info ? ": " : "",
                  info ? json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN) : "");
}

static void on_launch_event(const LaunchEvent *e, void *userdata)
{
        RunContext *ctx = userdata;
        const char *name = ctx->spec->name;

        switch (e->type) {
        case LAUNCH_EVENT_STARTED:
                ctx->state.pid = e->pid;
                ctx->state.restarts = e->restarts;
                if (proc_start_time(e->pid, &ctx->state.pid_start) < 0)
                        ctx->state.pid_start = 0;
                state_update(ctx);
                log_debug("QEMU started, pid %d.", (int) e->pid);
                break;
        case LAUNCH_EVENT_READY:
                log_info("VM '%s' is running (QEMU pid %d); 'cvm stop %s' powers it down.", name,
                         (int) e->pid, name);
                (void) service_notifyf("%sSTATUS=VM %s running (QEMU pid %d)",
                                       ctx->ready_notified ? "" : "READY=1\n", name, (int) e->pid);
                ctx->ready_notified = true;
                break;
        case LAUNCH_EVENT_STDERR:
                /* QEMU's own words, as QEMU would have printed them. */
                fprintf(stderr, "%s\n", e->line);
                break;
        case LAUNCH_EVENT_QMP:
                if (streq(e->name, "SHUTDOWN"))
                        log_info("Guest shut down (reason: %s).", strna(json_get_string(e->data, "reason")));
                else if (streq(e->name, "RESET"))
                        log_info("Guest reset (reason: %s).", strna(json_get_string(e->data, "reason")));
                else if (streq(e->name, "STOP"))
                        log_info("Guest stopped.");
                else if (streq(e->name, "GUEST_PANICKED"))
                        log_panic(e->data);
                else
                        log_debug("QMP event %s.", e->name);
                break;
        case LAUNCH_EVENT_SIGNAL:
                log_info("Received SIG%s.", signal_name(e->signo));
                (void) service_notify("STOPPING=1");
                break;
        case LAUNCH_EVENT_POWERDOWN:
                log_info("Asking the guest to power down; QEMU is stopped if it has not within %" PRIu64
                         " s (a second signal quits QEMU, a third kills it).",
                         e->timeout_usec / 1000000);
                break;
        case LAUNCH_EVENT_QUIT:
                if (e->timed_out)
                        log_warning("The guest did not power down in time: stopping QEMU.");
                else
                        log_info("Stopping QEMU.");
                break;
        case LAUNCH_EVENT_KILL:
                log_warning("QEMU (pid %d) did not stop: killing it.", (int) e->pid);
                break;
        case LAUNCH_EVENT_EXITED:
                if (e->exit_signal > 0)
                        log_debug("QEMU (pid %d) was killed by SIG%s.", (int) e->pid,
                                  signal_name(e->exit_signal));
                else
                        log_debug("QEMU (pid %d) exited with status %d.", (int) e->pid, e->exit_code);
                break;
        case LAUNCH_EVENT_RESTARTING:
                log_info("Guest rebooted: starting a new QEMU (restart %u of at most %u).", e->restarts,
                         ctx->spec->max_restarts);
                (void) service_notifyf("STATUS=VM %s restarting after a guest reboot (%u)", name,
                                       e->restarts);
                break;
        case LAUNCH_EVENT_WARNING:
                log_warning_errno(e->error, "%s: %m", e->line);
                break;
        default:
                break;
        }
}

/* Why QEMU failed, in QEMU's words, and which check explains it. */
static void explain_qemu_failure(const LaunchResult *res, const char *qemu)
{
        const QemuFailureHint *h = NULL;
        _cleanup_free_ char *line = NULL;

        if (res->spawn_error < 0) {
                log_error_errno(res->spawn_error, "Failed to execute '%s': %m", qemu);
                return;
        }
        if (res->killed) {
                log_error("QEMU had to be killed.");
                return;
        }
        if (res->exit_signal > 0) {
                log_error("QEMU was killed by SIG%s%s.", signal_name(res->exit_signal),
                          res->ready ? "" : " before it was up");
                return;
        }
        if (res->exit_code == 0) {
                log_error("QEMU ended without the guest shutting down (reason: %s).",
                          strna(res->shutdown_reason));
                return;
        }
        if (qemu_failure_explain(res->stderr_tail, &h, &line) >= 0) {
                log_error("QEMU failed (exit status %d): %s", res->exit_code, strempty(line));
                log_error("hint: %s; see 'cvm %s' (%s).", h->hint, h->verb, h->ids);
                return;
        }
        /* No known pattern: QEMU's last line usually says it. */
        _cleanup_free_ char *tail = strdup(strempty(res->stderr_tail));
        char *last = NULL;
        if (tail)
                for (char *p = strtok(tail, "\n"); p; p = strtok(NULL, "\n"))
                        last = p;
        log_error("QEMU failed (exit status %d)%s%s", res->exit_code, last ? ": " : ".", strempty(last));
}

static int launch(VmSpec *spec, char **qargv, const char *dir, const char *qmp, const char *control,
                  Instance *instance)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        RunContext ctx = { .spec = spec, .instance = instance };
        int r;

        ctx.state = (InstanceState){
                .name = spec->name,
                .supervisor_pid = getpid(),
                .coco = (char *) vm_coco_to_string(spec->coco),
                .qemu = qargv[0],
                .argv = qargv,
                .qmp_socket = (char *) qmp,
                .control_socket = (char *) control,
        };
        r = rfc3339_format(time(NULL), &ctx.state.started);
        if (r < 0)
                return log_oom();
        state_update(&ctx);

        OnReboot onr = spec->on_reboot != ON_REBOOT_DEFAULT ? spec->on_reboot
                       : vm_spec_is_confidential(spec)      ? ON_REBOOT_RESTART_PROCESS
                                                            : ON_REBOOT_RESET;
        /* The console on this terminal: QEMU must stay in the terminal's foreground process group. */
        bool tty_console = spec->console == CONSOLE_SERIAL && isatty(STDIN_FILENO);
        LaunchConfig c = {
                .argv = qargv,
                .runtime_dir = dir,
                .qmp_socket = qmp,
                .ready_socket = control,
                .on_reboot = onr,
                .max_restarts = spec->max_restarts,
                .shutdown_timeout_usec = spec->shutdown_timeout_usec,
                .own_process_group = !tty_console,
                .restore_terminal = tty_console,
                .on_event = on_launch_event,
                .userdata = &ctx,
        };

        (void) service_notifyf("STATUS=Starting VM %s", spec->name);
        r = launcher_run(&c, &res);
        free(ctx.state.started);
        if (r < 0)
                return log_error_errno(r, "Supervising QEMU failed: %m");

        switch (res.outcome) {
        case LAUNCH_POWERED_OFF:
                log_info("VM '%s' is off.", spec->name);
                return CVM_EXIT_SUCCESS;
        case LAUNCH_GUEST_PANICKED:
                if (!res.panic)
                        log_error("Guest panicked.");
                return CVM_EXIT_GUEST_PANICKED;
        case LAUNCH_RESTART_LIMIT:
                log_error("The guest rebooted more often than --max-restarts=%u allows; stopping.",
                          spec->max_restarts);
                return CVM_EXIT_RESTART_LIMIT;
        case LAUNCH_QEMU_FAILED:
        default:
                explain_qemu_failure(&res, qargv[0]);
                return CVM_EXIT_QEMU_FAILED;
        }
}

static int run_vm(VmSpec *spec, const char *qemu_name)
{
        _cleanup_(instance_releasep) Instance *instance = NULL;
        _cleanup_free_ char *base = NULL, *qemu = NULL, *qmp = NULL, *control = NULL;
        _cleanup_(strv_freep) char **qargv = NULL;
        bool cleaned = false;
        pid_t busy = 0;
        int r;

        r = resolve_executable(qemu_name, &qemu);
        if (r < 0)
                return log_error_errno(r, "Cannot find QEMU binary '%s': %m", qemu_name);
        r = runtime_dir_base(&base);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to determine the runtime directory (no $XDG_RUNTIME_DIR?): %m");

        r = instance_acquire(base, spec->name, &instance, &cleaned, &busy);
        if (r == -EBUSY) {
                _cleanup_(instance_state_done) InstanceState st = {};
                if (busy > 0)
                        log_error("QEMU (pid %d) of an earlier run of VM '%s' is still running; stop it "
                                  "first.",
                                  (int) busy, spec->name);
                else if (instance_inspect(base, spec->name, NULL, &st) >= 0 && st.supervisor_pid > 0)
                        log_error("VM '%s' is already running (cvm pid %d).", spec->name,
                                  (int) st.supervisor_pid);
                else
                        log_error("VM '%s' is already running.", spec->name);
                return CVM_EXIT_ERROR;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to set up the runtime directory '%s/%s': %m", base,
                                       spec->name);
        if (cleaned)
                log_info("Removed what a previous run of VM '%s' left in %s.", spec->name, instance->dir);

        qmp = instance_path(instance, INSTANCE_QMP_SOCKET);
        control = instance_path(instance, INSTANCE_CONTROL_SOCKET);
        if (!qmp || !control)
                return log_oom();
        if (strlen(control) >= 108) /* sizeof(sockaddr_un.sun_path) */
                return log_error_errno(SYNTHETIC_ERRNO(ENAMETOOLONG),
                                       "Socket path '%s' is too long for a unix socket.", control);

        QemuLaunchPaths paths = { .qemu = qemu, .qmp_socket = qmp, .control_socket = control };
        r = qemu_argv_build(spec, &paths, &qargv);
        if (r < 0)
                return log_error_errno(r, "Failed to build the QEMU command line: %m");
        if (log_get_max_level() >= LOG_DEBUG) {
                _cleanup_free_ char *line = NULL;
                if (argv_to_shell_line(qargv, &line) >= 0)
                        log_debug("Running %s", line);
        }

        /* cvm reports a vanished stderr reader itself; SIGPIPE would kill it and, through PDEATHSIG, QEMU.
         */
        (void) signal(SIGPIPE, SIG_IGN);
        return launch(spec, qargv, instance->dir, qmp, control, instance);
}

static void on_libvirt_event(const LibvirtEvent *e, void *userdata)
{
        RunContext *ctx = userdata;
        const char *name = ctx->spec->name;

        switch (e->type) {
        case LIBVIRT_EVENT_STARTED:
                log_info("VM '%s' is running (libvirt domain %s); 'cvm stop %s' powers it down.", name,
                         strna(e->uuid), name);
                (void) service_notifyf("READY=1\nSTATUS=VM %s running (libvirt)", name);
                break;
        case LIBVIRT_EVENT_LIFECYCLE:
                if (startswith(e->what, "stopped") || startswith(e->what, "crashed") ||
                    startswith(e->what, "shutdown"))
                        log_info("libvirt: domain %s.", e->what);
                else
                        log_debug("libvirt: domain %s.", e->what);
                break;
        case LIBVIRT_EVENT_SIGNAL:
                log_info("Received SIG%s.", signal_name(e->signo));
                (void) service_notify("STOPPING=1");
                break;
        case LIBVIRT_EVENT_POWERDOWN:
                log_info("Asking the guest to power down; the domain is destroyed if it has not within "
                         "%" PRIu64 " s (a second signal destroys it at once).",
                         e->timeout_usec / 1000000);
                break;
        case LIBVIRT_EVENT_DESTROY:
                if (e->timed_out)
                        log_warning("The guest did not power down in time: destroying the domain.");
                else
                        log_info("Destroying the domain.");
                break;
        case LIBVIRT_EVENT_WARNING:
                log_warning("libvirt: %s", strna(e->what));
                break;
        default:
                break;
        }
}

/* cvm run --backend=libvirt: the same definition and rules; libvirtd runs the XML of cvm domxml. */
static int run_libvirt(VmSpec *spec, RunArgs *args, bool host_is_target)
{
        _cleanup_(vm_validation_done) VmValidation v = {};
        _cleanup_(instance_releasep) Instance *instance = NULL;
        _cleanup_(libvirt_run_result_done) LibvirtRunResult res = {};
        _cleanup_free_ char *xml = NULL, *e = NULL, *base = NULL, *started = NULL;
        const char *uri = args->connect ?: LIBVIRT_DEFAULT_URI;
        bool cleaned = false;
        int r;

        if (args->common.json)
                return usage_error("run",
                                   "--json prints a QEMU argv; the libvirt backend's --dry-run prints XML.");
        r = domxml_prepare(spec, args->common.root, args->common.facts, host_is_target, &v);
        if (r != 0)
                return r;
        r = domxml_build(spec, &xml, &e);
        if (r < 0 && e)
                return log_error_errno(r, "Cannot express VM '%s' in libvirt XML: %s", spec->name, e);
        if (r < 0)
                return log_error_errno(r, "Failed to build the domain XML: %m");
        if (args->dry_run) {
                fputs(xml, stdout);
                return CVM_EXIT_SUCCESS;
        }
        if (args->force && v.n_findings > 0)
                log_warning("Starting despite the findings above (--force).");

        r = runtime_dir_base(&base);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to determine the runtime directory (no $XDG_RUNTIME_DIR?): %m");
        r = instance_acquire(base, spec->name, &instance, &cleaned, NULL);
        if (r == -EBUSY) {
                log_error("VM '%s' is already running.", spec->name);
                return CVM_EXIT_ERROR;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to set up the runtime directory '%s/%s': %m", base,
                                       spec->name);
        if (cleaned)
                log_info("Removed what a previous run of VM '%s' left in %s.", spec->name, instance->dir);

        RunContext ctx = { .spec = spec, .instance = instance };
        if (rfc3339_format(time(NULL), &started) < 0)
                return log_oom();
        ctx.state = (InstanceState){
                .name = spec->name,
                .supervisor_pid = getpid(),
                .coco = (char *) vm_coco_to_string(spec->coco),
                .started = started,
                .backend = (char *) "libvirt",
                .connect = (char *) uri,
        };
        state_update(&ctx);
        if (spec->console == CONSOLE_SERIAL)
                log_info("The guest console is a pty of libvirtd: 'virsh -c %s console %s'.", uri,
                         spec->name);

        LibvirtRunConfig c = {
                .uri = uri,
                .xml = xml,
                .name = spec->name,
                .shutdown_timeout_usec = spec->shutdown_timeout_usec,
                .on_event = on_libvirt_event,
                .userdata = &ctx,
        };
        (void) service_notifyf("STATUS=Starting VM %s through libvirt", spec->name);
        r = libvirt_run(&c, &res);
        if (r < 0)
                return log_error_errno(r, "Supervising the libvirt domain failed: %m");

        switch (res.outcome) {
        case LAUNCH_POWERED_OFF:
                log_info("VM '%s' is off (%s).", spec->name, strna(res.reason));
                return CVM_EXIT_SUCCESS;
        case LAUNCH_GUEST_PANICKED:
                log_error("Guest panicked (libvirt: %s).", strna(res.reason));
                return CVM_EXIT_GUEST_PANICKED;
        default:
                if (res.error)
                        log_error("libvirt (%s): %s", uri, res.error);
                else
                        log_error("The domain ended without the guest shutting down (libvirt: %s).",
                                  strna(res.reason));
                return CVM_EXIT_QEMU_FAILED;
        }
}

int verb_run(int argc, char *argv[])
{
        static const struct option extra[] = {
                { "help", no_argument, NULL, 'h' },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "force", no_argument, NULL, ARG_FORCE },
                { "backend", required_argument, NULL, ARG_BACKEND },
                { "connect", required_argument, NULL, ARG_CONNECT },
                {},
        };
        RunArgs args = {};
        const VmCli cli = { "run", &args.common, extra, "h", on_extra, help, &args };
        _cleanup_(vm_spec_done) VmSpec spec;
        _cleanup_(vm_validation_done) VmValidation v = {};
        _cleanup_(strv_freep) char **qargv = NULL;
        int r;

        vm_spec_init(&spec);
        r = vm_cli_parse(&cli, argc, argv, &spec);
        if (r <= 0)
                return r;
        if (args.common.json && !args.dry_run)
                return usage_error("run", "--json needs --dry-run.");
        if (args.common.root && !args.dry_run)
                return usage_error("run",
                                   "--root= judges a host tree other than this one: it needs --dry-run.");

        /*
         * --dry-run prepares a command line for some host, and --force starts here despite what this host
         * lacks: both judge host-dependent rules (RULE_HOST) as warnings. Definition errors stay errors.
         */
        bool host_is_target = !args.dry_run && !args.force;
        if (args.connect && !args.libvirt)
                return usage_error("run", "--connect= needs --backend=libvirt.");
        if (args.libvirt)
                return run_libvirt(&spec, &args, host_is_target);
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        r = vm_cli_prepare(&spec, args.common.root, args.common.facts, host_is_target, &facts, &v);
        if (r != 0)
                return r;
        /* Findings go to stderr so the command line on stdout stays usable as it is. */
        vm_validation_print(&v, stderr);
        if (v.n_errors > 0) {
                log_error("VM definition '%s' is invalid: %zu error%s.", spec.name, v.n_errors,
                          v.n_errors == 1 ? "" : "s");
                return CVM_EXIT_NEGATIVE;
        }

        /* The binary the facts probed (found through --qemu, $CVM_QEMU, $PATH or /usr/libexec/qemu-kvm). */
        json_object *q = facts_member(facts, "qemu");
        const char *qemu = spec.qemu ?: json_get_string(q, "path") ?: getenv("CVM_QEMU")
                                                                    ?: "qemu-system-x86_64";

        if (!args.dry_run) {
                if (args.force && v.n_findings > 0)
                        log_warning("Starting despite the findings above (--force).");
                return run_vm(&spec, qemu);
        }

        _cleanup_free_ char *qmp = NULL, *control = NULL;
        r = runtime_path(spec.name, INSTANCE_QMP_SOCKET, &qmp);
        if (r >= 0)
                r = runtime_path(spec.name, INSTANCE_CONTROL_SOCKET, &control);
        if (r < 0)
                return log_error_errno(r, "Failed to determine the runtime directory: %m");
        QemuLaunchPaths paths = { .qemu = qemu, .qmp_socket = qmp, .control_socket = control };
        r = qemu_argv_build(&spec, &paths, &qargv);
        if (r < 0)
                return log_error_errno(r, "Failed to build the QEMU command line: %m");
        r = print_argv(qargv, args.common.json);
        return r < 0 ? r : CVM_EXIT_SUCCESS;
}
