/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure parts of the launcher (QEMU's error text → check ids, the exit decision), the runtime directory
 * (state.json round trip, lock, stale and orphan detection in a temporary base) and the process side of
 * launcher_run() with /bin/sh standing in for a QEMU that fails before QMP.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "argv-util.h"
#include "json-util.h"
#include "sd-notify.h"
#include "test-util.h"
#include "vm/instance.h"
#include "vm/launcher.h"

/* Every table entry is found in a line of QEMU's shape, and the whole line comes back. */
static void failure_hints_each_entry(void **state)
{
        for (size_t i = 0; i < qemu_failure_hints_count; i++) {
                const QemuFailureHint *h = NULL;
                _cleanup_free_ char *text = NULL, *line = NULL, *want = NULL;
                assert_true(asprintf(&want, "qemu-system-x86_64: -accel kvm: %s",
                                     qemu_failure_hints[i].match) > 0);
                assert_true(asprintf(&text,
                                     "qemu-system-x86_64: warning: something else\n%s\ntrailing words\n",
                                     want) > 0);
                assert_int_equal(qemu_failure_explain(text, &h, &line), 0);
                assert_ptr_equal(h, qemu_failure_hints + i);
                assert_string_equal(line, want);
                assert_true(streq(h->verb, "check") || streq(h->verb, "validate"));
                assert_non_null(h->ids);
                assert_non_null(h->hint);
        }
}

/* Words QEMU 11.1 and 7.2 really print (reference/test-environment.md 2.7, 3.3). */
static void failure_hints_real_messages(void **state)
{
        static const struct {
                const char *text, *ids;
        } cases[] = {
                { "qemu-system-x86_64: -accel kvm: vm-type TDX not supported by KVM\n",
                  "tdx.vm-type, tdx.kvm-param" },
                { "qemu-system-x86_64: -accel kvm: vm-type SEV-SNP not supported by KVM\n",
                  "snp.kvm-vm-type, snp.kvm-sev-snp" },
                /* The specific line wins over the generic one that follows it. */
                { "qemu-system-x86_64: -accel kvm: sev_common_kvm_init: cbitpos check failed, host '0' "
                  "requested '51'\n"
                  "qemu-system-x86_64: -accel kvm: failed to initialize kvm: Operation not permitted\n",
                  "snp.cpuid-cbit" },
                { "qemu-system-x86_64: cannot set up private guest memory for tdx-guest: KVM required\n",
                  "coco.accel" },
                { "qemu-system-x86_64: -object tdx-guest,help: Parameter 'qom-type' does not accept value "
                  "'tdx-guest'",
                  "tdx.qemu" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const QemuFailureHint *h = NULL;
                assert_int_equal(qemu_failure_explain(cases[i].text, &h, NULL), 0);
                assert_string_equal(h->ids, cases[i].ids);
        }
        /* The first line of a message without a newline at its end. */
        _cleanup_free_ char *line = NULL;
        assert_int_equal(qemu_failure_explain("x: KVM required", NULL, &line), 0);
        assert_string_equal(line, "x: KVM required");
}

static void failure_hints_no_match(void **state)
{
        const QemuFailureHint *h = (const QemuFailureHint *) 0x1;
        char *line = (char *) 0x1;
        assert_int_equal(qemu_failure_explain("qemu-system-x86_64: -m 1T: cannot allocate\n", &h, &line),
                         -ENOENT);
        assert_ptr_equal(h, (const QemuFailureHint *) 0x1); /* untouched */
        assert_ptr_equal(line, (char *) 0x1);
        assert_int_equal(qemu_failure_explain("", NULL, NULL), -ENOENT);
        assert_int_equal(qemu_failure_explain(NULL, NULL, NULL), -ENOENT);
}

static LaunchOutcome decide(const char *reason, bool panicked, bool stop, bool killed, int code, int sig,
                            OnReboot onr, unsigned restarts, unsigned max, bool *restart)
{
        LaunchExit e = { .panicked = panicked,
                         .shutdown_reason = reason,
                         .stop_requested = stop,
                         .killed = killed,
                         .exit_code = code,
                         .exit_signal = sig };
        return launch_decide(&e, onr, restarts, max, restart);
}

static void decide_table(void **state)
{
        bool r;
        const OnReboot RP = ON_REBOOT_RESTART_PROCESS;

        /* The guest powered off; a stop asked for (powerdown, quit) ended cleanly. */
        assert_int_equal(decide("guest-shutdown", false, false, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_POWERED_OFF);
        assert_false(r);
        assert_int_equal(decide("guest-shutdown", false, true, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_POWERED_OFF);
        assert_int_equal(decide("host-qmp-quit", false, true, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_POWERED_OFF);
        /* cvm stop --force through control.sock: the supervisor was not asked, QMP quit was. */
        assert_int_equal(decide("host-qmp-quit", false, false, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_POWERED_OFF);
        assert_int_equal(decide("host-signal", false, true, false, 0, 0, RP, 0, 10, &r), LAUNCH_POWERED_OFF);

        /* Reboots: restart below the limit, the limit exit at it, power off or plain end otherwise. */
        assert_int_equal(decide("guest-reset", false, false, false, 0, 0, RP, 0, 1, &r), LAUNCH_POWERED_OFF);
        assert_true(r);
        assert_int_equal(decide("guest-reset", false, false, false, 0, 0, RP, 1, 1, &r),
                         LAUNCH_RESTART_LIMIT);
        assert_false(r);
        assert_int_equal(decide("guest-reset", false, false, false, 0, 0, RP, 0, 0, &r),
                         LAUNCH_RESTART_LIMIT);
        assert_int_equal(decide("guest-reset", false, false, false, 0, 0, ON_REBOOT_POWEROFF, 0, 10, &r),
                         LAUNCH_POWERED_OFF);
        assert_false(r);
        /* A reboot while a stop is under way is the end, not a restart. */
        assert_int_equal(decide("guest-reset", false, true, false, 0, 0, RP, 0, 10, &r), LAUNCH_POWERED_OFF);
        assert_false(r);

        /* Panics, whatever else happened. */
        assert_int_equal(decide("guest-panic", false, false, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_GUEST_PANICKED);
        assert_int_equal(decide(NULL, true, false, false, 0, 0, RP, 0, 10, &r), LAUNCH_GUEST_PANICKED);
        assert_int_equal(decide("guest-reset", true, false, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_GUEST_PANICKED);
        assert_false(r);

        /* QEMU failures: could not start, killed from outside or by us, stopped from outside, no reason. */
        assert_int_equal(decide(NULL, false, false, false, 1, 0, RP, 0, 10, &r), LAUNCH_QEMU_FAILED);
        assert_int_equal(decide(NULL, false, false, false, -1, 9, RP, 0, 10, &r), LAUNCH_QEMU_FAILED);
        assert_int_equal(decide("guest-shutdown", false, true, true, -1, 9, RP, 0, 10, &r),
                         LAUNCH_QEMU_FAILED);
        assert_int_equal(decide("host-signal", false, false, false, 0, 0, RP, 0, 10, &r),
                         LAUNCH_QEMU_FAILED);
        assert_int_equal(decide(NULL, false, false, false, 0, 0, RP, 0, 10, &r), LAUNCH_QEMU_FAILED);
        assert_int_equal(decide(NULL, false, true, false, 0, 0, RP, 0, 10, &r), LAUNCH_POWERED_OFF);
        assert_int_equal(decide("guest-reset", false, false, false, 1, 0, RP, 0, 10, &r),
                         LAUNCH_QEMU_FAILED);
        assert_false(r);
}

static void state_sample(InstanceState *s)
{
        static char *argv[] = { (char *) "/usr/bin/qemu-system-x86_64", (char *) "-name", (char *) "a \"b\"",
                                (char *) "-S", NULL };
        *s = (InstanceState){
                .name = (char *) "web",
                .pid = 4242,
                .pid_start = 123456789012ULL,
                .supervisor_pid = 4240,
                .coco = (char *) "tdx",
                .started = (char *) "2026-11-22T04:59:47Z",
                .qemu = argv[0],
                .argv = argv,
                .qmp_socket = (char *) "/run/cvm/web/qmp.sock",
                .control_socket = (char *) "/run/cvm/web/control.sock",
                .restarts = 3,
        };
}

static void state_round_trip(void **state)
{
        InstanceState s;
        _cleanup_(instance_state_done) InstanceState t = {};
        _cleanup_free_ char *text = NULL, *text2 = NULL;

        state_sample(&s);
        assert_int_equal(instance_state_format(&s, &text), 0);
        assert_int_equal(instance_state_parse(text, strlen(text), &t), 0);
        assert_string_equal(t.name, "web");
        assert_int_equal(t.pid, 4242);
        assert_true(t.pid_start == 123456789012ULL);
        assert_int_equal(t.supervisor_pid, 4240);
        assert_string_equal(t.coco, "tdx");
        assert_string_equal(t.started, "2026-11-22T04:59:47Z");
        assert_string_equal(t.qemu, "/usr/bin/qemu-system-x86_64");
        assert_int_equal(strv_length(t.argv), 4);
        assert_string_equal(t.argv[2], "a \"b\"");
        assert_string_equal(t.qmp_socket, "/run/cvm/web/qmp.sock");
        assert_string_equal(t.control_socket, "/run/cvm/web/control.sock");
        assert_int_equal(t.restarts, 3);
        /* Formatting what was parsed gives the same text. */
        assert_int_equal(instance_state_format(&t, &text2), 0);
        assert_string_equal(text, text2);
}

static void state_parse_rejects(void **state)
{
        static const char *const bad[] = {
                "",
                "[]",
                "{\"pid\": 1, \"supervisor_pid\": 2}",                   /* no name */
                "{\"name\": \"x\", \"supervisor_pid\": 2}",              /* no pid */
                "{\"name\": \"x\", \"pid\": 1}",                         /* no supervisor */
                "{\"name\": \"x\", \"pid\": -1, \"supervisor_pid\": 2}", /* negative */
                "{\"name\": \"x\", \"pid\": 1, \"supervisor_pid\": 0}",  /* no supervisor pid */
                "{\"name\": \"x\", \"pid\": 4294967296, \"supervisor_pid\": 2}",
                "{\"name\": \"x\", \"pid\": \"1\", \"supervisor_pid\": 2}", /* pid as text */
                "{\"name\": \"x\", \"pid\": 1, \"supervisor_pid\": 2, \"argv\": [1]}",
                "{\"name\": \"x\", \"pid\": 1, \"supervisor_pid\": 2, \"qemu\": 5}",
                "{\"name\": \"x\", \"pid\": 1, \"supervisor_pid\": 2} trailing",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                InstanceState t = { .pid = 77 };
                int r = instance_state_parse(bad[i], strlen(bad[i]), &t);
                if (r >= 0)
                        fail_msg("accepted: %s", bad[i]);
                assert_int_equal(r, -EBADMSG);
                assert_int_equal(t.pid, 77); /* untouched */
        }
        /* Minimal and with nulls: fine. */
        const char *ok = "{\"name\": \"x\", \"pid\": 0, \"supervisor_pid\": 2, \"coco\": null}";
        _cleanup_(instance_state_done) InstanceState t = {};
        assert_int_equal(instance_state_parse(ok, strlen(ok), &t), 0);
        assert_null(t.coco);
        assert_null(t.argv);
}

static void rfc3339(void **state)
{
        _cleanup_free_ char *s = NULL;
        assert_int_equal(rfc3339_format(1795323587, &s), 0);
        assert_string_equal(s, "2026-11-22T04:59:47Z");
}

/* The pid of a process that has ended and been reaped. */
static pid_t dead_pid(void)
{
        pid_t p = fork();
        assert_true(p >= 0);
        if (p == 0)
                _exit(0);
        assert_int_equal(waitpid(p, NULL, 0), p);
        return p;
}

static void write_state(const char *base, const char *name, pid_t pid, uint64_t start)
{
        InstanceState s;
        _cleanup_free_ char *text = NULL, *dir = NULL, *path = NULL;
        state_sample(&s);
        s.name = (char *) name;
        s.pid = pid;
        s.pid_start = start;
        s.supervisor_pid = dead_pid();
        assert_true(asprintf(&dir, "%s/%s", base, name) > 0);
        assert_true(asprintf(&path, "%s/state.json", dir) > 0);
        (void) mkdir(dir, 0700);
        assert_int_equal(instance_state_format(&s, &text), 0);
        assert_int_equal(write_full_file(path, text, strlen(text)), 0);
}

static bool exists(const char *base, const char *name, const char *file)
{
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/%s%s%s", base, name, file ? "/" : "", strempty(file)) > 0);
        return access(p, F_OK) >= 0;
}

static void instance_lifecycle(void **state)
{
        _cleanup_(rm_rf_freep) char *tmp = make_tree((const char *[]){ NULL });
        _cleanup_free_ char *base = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        Instance *a = NULL, *b = NULL;
        InstanceLiveness l;
        bool cleaned = true;
        struct stat st;

        assert_true(asprintf(&base, "%s/run/cvm", tmp) > 0);
        /* No base yet: nothing runs. */
        assert_int_equal(instance_list(base, &names), 0);
        assert_null(names[0]);
        names = strv_free(names);
        assert_int_equal(instance_inspect(base, "web", &l, NULL), -ENOENT);

        assert_int_equal(instance_acquire(base, "web", &a, &cleaned, NULL), 0);
        assert_false(cleaned);
        assert_int_equal(stat(a->dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(stat(base, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        /* A second supervisor of that name is refused, also from this same process. */
        assert_int_equal(instance_acquire(base, "web", &b, NULL, NULL), -EBUSY);
        assert_null(b);
        assert_int_equal(instance_inspect(base, "web", &l, NULL), 0);
        assert_int_equal(l, INSTANCE_RUNNING);

        InstanceState s;
        state_sample(&s);
        s.pid = getpid();
        assert_int_equal(instance_write_state(a, &s), 0);
        assert_true(exists(base, "web", "state.json"));
        assert_true(exists(base, "web", "pid"));
        _cleanup_(instance_state_done) InstanceState t = {};
        assert_int_equal(instance_inspect(base, "web", &l, &t), 0);
        assert_int_equal(t.pid, getpid());

        assert_int_equal(instance_acquire(base, "db", &b, NULL, NULL), 0);
        assert_int_equal(instance_list(base, &names), 0);
        assert_int_equal(strv_length(names), 2);
        assert_string_equal(names[0], "db");
        assert_string_equal(names[1], "web");

        /* Release removes the directory and frees the name. */
        a = instance_release(a);
        assert_false(exists(base, "web", NULL));
        assert_int_equal(instance_acquire(base, "web", &a, &cleaned, NULL), 0);
        assert_false(cleaned);
        a = instance_release(a);
        b = instance_release(b);

        assert_int_equal(instance_acquire(base, "../x", &a, NULL, NULL), -EINVAL);
        assert_int_equal(instance_acquire(base, "", &a, NULL, NULL), -EINVAL);
        assert_int_equal(instance_acquire(base, ".hidden", &a, NULL, NULL), -EINVAL);
}

/* What a killed supervisor leaves: stale when its QEMU is gone, orphaned (and kept) when it is not. */
static void instance_stale_and_orphaned(void **state)
{
        _cleanup_(rm_rf_freep) char *base = make_tree((const char *[]){ NULL });
        Instance *a = NULL;
        InstanceLiveness l;
        bool cleaned = false;
        pid_t busy = 0;
        uint64_t start;

        write_state(base, "old", dead_pid(), 0);
        assert_true(exists(base, "old", "state.json"));
        assert_int_equal(instance_inspect(base, "old", &l, NULL), 0);
        assert_int_equal(l, INSTANCE_STALE);
        assert_int_equal(instance_acquire(base, "old", &a, &cleaned, NULL), 0);
        assert_true(cleaned);
        assert_false(exists(base, "old", "state.json"));
        a = instance_release(a);
        assert_false(exists(base, "old", NULL));

        /* A live process with the recorded start time: its QEMU still runs, hands off. */
        assert_int_equal(proc_start_time(getpid(), &start), 0);
        assert_true(start > 0);
        write_state(base, "orphan", getpid(), start);
        assert_int_equal(instance_inspect(base, "orphan", &l, NULL), 0);
        assert_int_equal(l, INSTANCE_ORPHANED);
        assert_int_equal(instance_acquire(base, "orphan", &a, NULL, &busy), -EBUSY);
        assert_int_equal(busy, getpid());
        assert_true(exists(base, "orphan", "state.json"));

        /* The same pid with another start time is a reused pid: stale. */
        write_state(base, "reused", getpid(), start + 1);
        assert_int_equal(instance_inspect(base, "reused", &l, NULL), 0);
        assert_int_equal(l, INSTANCE_STALE);
        assert_int_equal(instance_acquire(base, "reused", &a, &cleaned, NULL), 0);
        assert_true(cleaned);
        a = instance_release(a);

        /* Garbage in state.json does not keep a name blocked. */
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/junk", base) > 0);
        assert_int_equal(mkdir(p, 0700), 0);
        free(p);
        assert_true(asprintf(&p, "%s/junk/state.json", base) > 0);
        assert_int_equal(write_full_file(p, "{", 1), 0);
        assert_int_equal(instance_inspect(base, "junk", &l, NULL), 0);
        assert_int_equal(l, INSTANCE_STALE);
        assert_int_equal(instance_acquire(base, "junk", &a, &cleaned, NULL), 0);
        assert_true(cleaned);
        a = instance_release(a);
}

static void proc_times(void **state)
{
        uint64_t t;
        assert_int_equal(proc_start_time(getpid(), &t), 0);
        assert_true(pid_is_alive(getpid(), t));
        assert_true(pid_is_alive(getpid(), 0));
        assert_false(pid_is_alive(getpid(), t + 1));
        assert_false(pid_is_alive(dead_pid(), 0));
        assert_int_equal(proc_start_time(dead_pid(), &t), -ESRCH);
        assert_int_equal(proc_start_time(0, &t), -ESRCH);
}

typedef struct Seen {
        unsigned stderr_lines, started, exited;
        char first[256];
} Seen;

static void on_event(const LaunchEvent *e, void *userdata)
{
        Seen *s = userdata;
        switch (e->type) {
        case LAUNCH_EVENT_STDERR:
                if (s->stderr_lines++ == 0)
                        snprintf(s->first, sizeof(s->first), "%s", e->line);
                break;
        case LAUNCH_EVENT_STARTED:
                s->started++;
                break;
        case LAUNCH_EVENT_EXITED:
                s->exited++;
                break;
        default:
                break;
        }
}

/* Runs "/bin/sh -c SCRIPT" as the "QEMU": it never opens a QMP socket. */
static int run_sh(const char *script, const char *dir, Seen *seen, LaunchResult *res)
{
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) script, NULL };
        _cleanup_free_ char *qmp = NULL;
        assert_true(asprintf(&qmp, "%s/qmp.sock", dir) > 0);
        LaunchConfig c = {
                .argv = argv,
                .runtime_dir = dir,
                .qmp_socket = qmp,
                .on_reboot = ON_REBOOT_RESTART_PROCESS,
                .max_restarts = 3,
                .shutdown_timeout_usec = 1000000,
                .own_process_group = true,
                .on_event = on_event,
                .userdata = seen,
        };
        return launcher_run(&c, res);
}

static void launcher_qemu_fails(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_(launch_result_done) LaunchResult res = {};
        Seen seen = {};

        assert_int_equal(
                run_sh("echo 'qemu-system-x86_64: -accel kvm: vm-type TDX not supported by KVM' >&2; "
                       "printf 'no newline' >&2; exit 1",
                       dir, &seen, &res),
                0);
        assert_int_equal(res.outcome, LAUNCH_QEMU_FAILED);
        assert_int_equal(res.exit_code, 1);
        assert_int_equal(res.exit_signal, 0);
        assert_false(res.ready);
        assert_int_equal(res.restarts, 0);
        assert_int_equal(seen.started, 1);
        assert_int_equal(seen.exited, 1);
        assert_int_equal(seen.stderr_lines, 2); /* the unterminated last line too */
        assert_string_equal(seen.first, "qemu-system-x86_64: -accel kvm: vm-type TDX not supported by KVM");
        const QemuFailureHint *h = NULL;
        assert_int_equal(qemu_failure_explain(res.stderr_tail, &h, NULL), 0);
        assert_string_equal(h->ids, "tdx.vm-type, tdx.kvm-param");
        assert_non_null(strstr(res.stderr_tail, "no newline"));
}

static void launcher_qemu_killed(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_(launch_result_done) LaunchResult res = {};
        Seen seen = {};

        assert_int_equal(run_sh("kill -9 $$", dir, &seen, &res), 0);
        assert_int_equal(res.outcome, LAUNCH_QEMU_FAILED);
        assert_int_equal(res.exit_signal, SIGKILL);
        assert_int_equal(res.exit_code, -1);
        assert_false(res.killed); /* not by the supervisor */
}

/* 100 KiB of stderr: the tail keeps exactly the last 64 KiB. */
static void launcher_stderr_tail_bounded(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_(launch_result_done) LaunchResult res = {};
        Seen seen = {};

        assert_int_equal(
                run_sh("i=0; while [ $i -lt 1600 ]; do "
                       "echo 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' >&2; "
                       "i=$((i+1)); done; echo LAST >&2; exit 2",
                       dir, &seen, &res),
                0);
        assert_int_equal(res.exit_code, 2);
        assert_int_equal(seen.stderr_lines, 1601);
        assert_int_equal(strlen(res.stderr_tail), LAUNCH_STDERR_TAIL_MAX);
        assert_non_null(strstr(res.stderr_tail, "aaaa\nLAST\n"));
}

static void launcher_exec_fails(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_(launch_result_done) LaunchResult res = {};
        _cleanup_free_ char *qmp = NULL;
        char *argv[] = { (char *) "/nonexistent/qemu", NULL };
        Seen seen = {};

        assert_true(asprintf(&qmp, "%s/qmp.sock", dir) > 0);
        LaunchConfig c = {
                .argv = argv, .runtime_dir = dir, .qmp_socket = qmp, .on_event = on_event, .userdata = &seen
        };
        assert_int_equal(launcher_run(&c, &res), 0);
        assert_int_equal(res.outcome, LAUNCH_QEMU_FAILED);
        assert_int_equal(res.spawn_error, -ENOENT);
        assert_int_equal(seen.started, 0);

        /* A relative argv[0] would depend on $PATH or the working directory: refused. */
        char *rel[] = { (char *) "qemu-system-x86_64", NULL };
        c.argv = rel;
        assert_int_equal(launcher_run(&c, &res), -EINVAL);
}

/* No descriptor of the supervisor leaks into QEMU: the child sees only 0, 1 and 2. */
static void launcher_closes_fds(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_(launch_result_done) LaunchResult res = {};
        Seen seen = {};
        int leak = open("/dev/null", O_RDONLY); /* without O_CLOEXEC on purpose */
        assert_true(leak > 2);

        assert_int_equal(run_sh("ls /proc/self/fd >&2", dir, &seen, &res), 0);
        (void) close(leak);
        assert_int_equal(res.exit_code, 0);
        /* ls's own directory fd shows as 3; nothing else may. */
        assert_string_equal(res.stderr_tail, "0\n1\n2\n3\n");
}

/* READY=1 reaches a socket named by a path and one in the abstract namespace ('@'). */
static void notify_socket(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        char name[128], buf[256];

        assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
        assert_int_equal(service_notify("READY=1"), 0); /* no service manager: nothing to do */

        for (int abstract = 0; abstract < 2; abstract++) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                socklen_t len;
                if (abstract) {
                        snprintf(name, sizeof(name), "@cvm-test-%d", (int) getpid());
                        memcpy(sa.sun_path + 1, name + 1, strlen(name) - 1);
                        len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(name));
                } else {
                        snprintf(name, sizeof(name), "%s/notify", dir);
                        strcpy(sa.sun_path, name);
                        len = sizeof(sa);
                }
                _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                assert_true(fd >= 0);
                assert_int_equal(bind(fd, (struct sockaddr *) &sa, len), 0);
                assert_int_equal(setenv("NOTIFY_SOCKET", name, 1), 0);
                assert_int_equal(service_notifyf("READY=1\nSTATUS=VM %s running", "web"), 1);
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
                assert_int_equal(n, strlen("READY=1\nSTATUS=VM web running"));
                buf[n] = 0;
                assert_string_equal(buf, "READY=1\nSTATUS=VM web running");
        }
        assert_int_equal(setenv("NOTIFY_SOCKET", "vsock:2:1234", 1), 0);
        assert_int_equal(service_notify("READY=1"), -EAFNOSUPPORT);
        assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
}

/*
 * A fake QEMU for the QMP side of supervision, run as "/proc/self/exe --fake-qemu QMP CONTROL SCENARIO
 * STATEFILE": it listens on QMP, then creates CONTROL (the launcher's cue), speaks the QMP greeting and
 * capability negotiation, and then plays SCENARIO. Events and answers follow QEMU 7.2's shapes
 * (reference/test-environment.md 2.5); SIGTERMs to the parent stand in for an operator's signals.
 */
static int fake_listen(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        strcpy(sa.sun_path, path);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
                _exit(90);
        return fd;
}

static void fake_send(int fd, const char *text)
{
        size_t n = strlen(text);
        if (write(fd, text, n) != (ssize_t) n || write(fd, "\n", 1) != 1)
                _exit(91);
}

/* Reads one command; answers it with an empty return carrying its id; returns the command name. */
static const char *fake_command(int fd)
{
        static char line[4096], name[64];
        size_t n = 0;
        while (n < sizeof(line) - 1) {
                ssize_t k = read(fd, line + n, 1);
                if (k <= 0)
                        _exit(k == 0 ? 0 : 92);
                if (line[n] == '\n')
                        break;
                n++;
        }
        line[n] = 0;
        _cleanup_(json_object_putp) json_object *o = json_tokener_parse(line);
        const char *cmd = json_get_string(o, "execute");
        json_object *id = json_get(o, "id", json_type_int);
        if (!cmd)
                _exit(93);
        char reply[128];
        snprintf(reply, sizeof(reply), "{\"return\": {}, \"id\": %lld}",
                 id ? (long long) json_object_get_int64(id) : 0LL);
        snprintf(name, sizeof(name), "%s", cmd);
        if (streq(name, "quit"))
                fake_send(fd, "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": "
                              "\"host-qmp-quit\"}, "
                              "\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}");
        fake_send(fd, reply);
        return name;
}

#define FAKE_SHUTDOWN(reason)                                                                               \
        "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"" reason "\"}, "               \
        "\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}"

_noreturn_ static void fake_qemu(const char *qmp, const char *control, const char *scenario,
                                 const char *statefile)
{
        int l = fake_listen(qmp);
        (void) close(fake_listen(control));
        int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                _exit(94);
        fake_send(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                      "\"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}");
        if (!streq(fake_command(fd), "qmp_capabilities"))
                _exit(95);

        if (streq(scenario, "panic")) {
                /* TDG.VP.VMCALL<ReportFatalError> as QEMU reports it (reference/launch.md 1.2). */
                fake_send(fd,
                          "{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"poweroff\", \"info\": "
                          "{\"type\": \"tdx\", \"error-code\": 5, \"message\": \"boom\", \"gpa\": 4096}}, "
                          "\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}");
                fake_send(fd, FAKE_SHUTDOWN("guest-panic"));
                _exit(0);
        }
        if (streq(scenario, "reboot-once")) {
                /* The first process sees a guest reboot; the one started after it a power-off. */
                bool first = access(statefile, F_OK) < 0;
                if (first && write_full_file(statefile, "1", 1) < 0)
                        _exit(96);
                fake_send(fd, first ? FAKE_SHUTDOWN("guest-reset") : FAKE_SHUTDOWN("guest-shutdown"));
                _exit(0);
        }
        if (streq(scenario, "powerdown")) {
                (void) kill(getppid(), SIGTERM);
                if (!streq(fake_command(fd), "system_powerdown"))
                        _exit(97);
                fake_send(
                        fd,
                        "{\"event\": \"POWERDOWN\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}");
                fake_send(fd, FAKE_SHUTDOWN("guest-shutdown"));
                _exit(0);
        }
        if (streq(scenario, "deaf")) {
                /* The guest ignores the power button; quit after the shutdown timeout ends it. */
                (void) kill(getppid(), SIGTERM);
                if (!streq(fake_command(fd), "system_powerdown") || !streq(fake_command(fd), "quit"))
                        _exit(98);
                _exit(0);
        }
        if (streq(scenario, "stuck")) {
                /* Nothing ends this QEMU: the third signal has it killed. */
                (void) kill(getppid(), SIGTERM);
                (void) fake_command(fd);
                (void) kill(getppid(), SIGTERM);
                (void) fake_command(fd);
                (void) kill(getppid(), SIGTERM);
                for (;;)
                        (void) fake_command(fd);
        }
        _exit(99);
}

typedef struct Trace {
        char names[16][32]; /* QMP events, in order */
        size_t n_events;
        unsigned started, ready, powerdown, quit, quit_timed_out, kill, restarting, signals;
} Trace;

static void on_trace(const LaunchEvent *e, void *userdata)
{
        Trace *t = userdata;
        switch (e->type) {
        case LAUNCH_EVENT_STARTED:
                t->started++;
                break;
        case LAUNCH_EVENT_READY:
                t->ready++;
                break;
        case LAUNCH_EVENT_QMP:
                if (t->n_events < ELEMENTSOF(t->names))
                        snprintf(t->names[t->n_events++], sizeof(t->names[0]), "%s", e->name);
                break;
        case LAUNCH_EVENT_SIGNAL:
                t->signals++;
                break;
        case LAUNCH_EVENT_POWERDOWN:
                t->powerdown++;
                break;
        case LAUNCH_EVENT_QUIT:
                t->quit++;
                t->quit_timed_out += e->timed_out;
                break;
        case LAUNCH_EVENT_KILL:
                t->kill++;
                break;
        case LAUNCH_EVENT_RESTARTING:
                t->restarting++;
                break;
        default:
                break;
        }
}

static void run_fake(const char *scenario, unsigned max_restarts, Trace *t, LaunchResult *res)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ NULL });
        _cleanup_free_ char *qmp = NULL, *control = NULL, *statefile = NULL;
        assert_true(asprintf(&qmp, "%s/qmp.sock", dir) > 0);
        assert_true(asprintf(&control, "%s/control.sock", dir) > 0);
        assert_true(asprintf(&statefile, "%s/booted-once", dir) > 0);
        char *argv[] = { (char *) "/proc/self/exe",
                         (char *) "--fake-qemu",
                         qmp,
                         control,
                         (char *) scenario,
                         statefile,
                         NULL };
        LaunchConfig c = {
                .argv = argv,
                .runtime_dir = dir,
                .qmp_socket = qmp,
                .ready_socket = control,
                .on_reboot = ON_REBOOT_RESTART_PROCESS,
                .max_restarts = max_restarts,
                .shutdown_timeout_usec = 100000,
                .own_process_group = true,
                .on_event = on_trace,
                .userdata = t,
        };
        *t = (Trace){};
        assert_int_equal(launcher_run(&c, res), 0);
}

static void supervise_panic(void **state)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        Trace t;
        run_fake("panic", 3, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_GUEST_PANICKED);
        assert_true(res.ready);
        assert_int_equal(t.ready, 1);
        assert_int_equal(t.n_events, 2);
        assert_string_equal(t.names[0], "GUEST_PANICKED");
        assert_string_equal(t.names[1], "SHUTDOWN");
        assert_string_equal(res.shutdown_reason, "guest-panic");
        json_object *info = json_get(res.panic, "info", json_type_object);
        assert_string_equal(json_get_string(info, "type"), "tdx");
        assert_string_equal(json_get_string(info, "message"), "boom");
        assert_int_equal(json_object_get_int64(json_get(info, "gpa", json_type_int)), 4096);
}

static void supervise_reboot_restarts(void **state)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        Trace t;
        run_fake("reboot-once", 3, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_POWERED_OFF);
        assert_int_equal(res.restarts, 1);
        assert_int_equal(t.started, 2);
        assert_int_equal(t.ready, 2);
        assert_int_equal(t.restarting, 1);
        assert_string_equal(res.shutdown_reason, "guest-shutdown");
        launch_result_done(&res);

        run_fake("reboot-once", 0, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_RESTART_LIMIT);
        assert_int_equal(res.restarts, 0);
        assert_int_equal(t.started, 1);
        assert_int_equal(t.restarting, 0);
}

static void supervise_powerdown(void **state)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        Trace t;
        run_fake("powerdown", 3, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_POWERED_OFF);
        assert_true(res.stop_requested);
        assert_false(res.killed);
        assert_int_equal(t.signals, 1);
        assert_int_equal(t.powerdown, 1);
        assert_int_equal(t.quit, 0);
        assert_string_equal(res.shutdown_reason, "guest-shutdown");
}

static void supervise_shutdown_timeout(void **state)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        Trace t;
        run_fake("deaf", 3, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_POWERED_OFF);
        assert_int_equal(t.signals, 1);
        assert_int_equal(t.powerdown, 1);
        assert_int_equal(t.quit, 1);
        assert_int_equal(t.quit_timed_out, 1); /* the timer, not a second signal */
        assert_int_equal(t.kill, 0);
        assert_string_equal(res.shutdown_reason, "host-qmp-quit");
}

static void supervise_third_signal_kills(void **state)
{
        _cleanup_(launch_result_done) LaunchResult res = {};
        Trace t;
        run_fake("stuck", 3, &t, &res);
        assert_int_equal(res.outcome, LAUNCH_QEMU_FAILED);
        assert_true(res.killed);
        assert_int_equal(res.exit_signal, SIGKILL);
        assert_int_equal(t.signals, 3);
        assert_int_equal(t.powerdown, 1);
        assert_int_equal(t.quit, 1);
        assert_int_equal(t.quit_timed_out, 0);
        assert_int_equal(t.kill, 1);
}

int main(int argc, char *argv[])
{
        if (argc == 6 && streq(argv[1], "--fake-qemu"))
                fake_qemu(argv[2], argv[3], argv[4], argv[5]);

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(failure_hints_each_entry),
                cmocka_unit_test(failure_hints_real_messages),
                cmocka_unit_test(failure_hints_no_match),
                cmocka_unit_test(decide_table),
                cmocka_unit_test(state_round_trip),
                cmocka_unit_test(state_parse_rejects),
                cmocka_unit_test(rfc3339),
                cmocka_unit_test(instance_lifecycle),
                cmocka_unit_test(instance_stale_and_orphaned),
                cmocka_unit_test(proc_times),
                cmocka_unit_test(launcher_qemu_fails),
                cmocka_unit_test(launcher_qemu_killed),
                cmocka_unit_test(launcher_stderr_tail_bounded),
                cmocka_unit_test(launcher_exec_fails),
                cmocka_unit_test(launcher_closes_fds),
                cmocka_unit_test(notify_socket),
                cmocka_unit_test(supervise_panic),
                cmocka_unit_test(supervise_reboot_restarts),
                cmocka_unit_test(supervise_powerdown),
                cmocka_unit_test(supervise_shutdown_timeout),
                cmocka_unit_test(supervise_third_signal_kills),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
