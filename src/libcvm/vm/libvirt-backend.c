/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sources: libvirt's public API (libvirt-domain.h: virDomainCreateXML, virDomainShutdownFlags,
 * virConnectDomainEventRegisterAny with VIR_DOMAIN_EVENT_ID_LIFECYCLE and its event/detail enums;
 * libvirt-event.h: the default event loop, virEventAddHandle, virEventAddTimeout).
 */
#include <signal.h>
#include <stdarg.h>
#include <sys/signalfd.h>

#include "libvirt-backend.h"
#include "vm/libvirt-dl.h"
#include "log.h"

/* libvirt's default error handler prints every error to stderr; cvm reports the ones that matter. */
static void silent_error(void *userdata, virErrorPtr e)
{
}

/* Loads libvirt (libvirt-dl.h) and silences its default error printing. */
static int libvirt_setup(char **reterr)
{
        static bool done = false;
        if (done)
                return 0;
        int r = dlopen_libvirt(reterr);
        if (r < 0)
                return r;
        sym_virSetErrorFunc(NULL, silent_error);
        done = true;
        return 0;
}

static char *last_error(void)
{
        return strdup(sym_virGetLastErrorMessage() ?: "unknown libvirt error");
}

void libvirt_run_result_done(LibvirtRunResult *r)
{
        free(r->error);
        free(r->reason);
        *r = (LibvirtRunResult){};
}

/* "stopped/shutdown" for a lifecycle event and its detail (virDomainEventType and its detail enums). */
static const char *const event_names[] = {
        [VIR_DOMAIN_EVENT_DEFINED] = "defined",   [VIR_DOMAIN_EVENT_UNDEFINED] = "undefined",
        [VIR_DOMAIN_EVENT_STARTED] = "started",   [VIR_DOMAIN_EVENT_SUSPENDED] = "suspended",
        [VIR_DOMAIN_EVENT_RESUMED] = "resumed",   [VIR_DOMAIN_EVENT_STOPPED] = "stopped",
        [VIR_DOMAIN_EVENT_SHUTDOWN] = "shutdown", [VIR_DOMAIN_EVENT_PMSUSPENDED] = "pmsuspended",
        [VIR_DOMAIN_EVENT_CRASHED] = "crashed",
};
static const char *const stopped_names[] = {
        [VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN] = "shutdown",
        [VIR_DOMAIN_EVENT_STOPPED_DESTROYED] = "destroyed",
        [VIR_DOMAIN_EVENT_STOPPED_CRASHED] = "crashed",
        [VIR_DOMAIN_EVENT_STOPPED_MIGRATED] = "migrated",
        [VIR_DOMAIN_EVENT_STOPPED_SAVED] = "saved",
        [VIR_DOMAIN_EVENT_STOPPED_FAILED] = "failed",
        [VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT] = "snapshot",
};

/*
 * libvirtd restarting (an upgrade, systemctl restart) closes the connection while QEMU keeps running: the
 * supervisor reconnects, once a second for this many seconds, and follows the domain again.
 */
#define RECONNECT_TRIES 30

typedef struct RunContext {
        const LibvirtRunConfig *config;
        virConnectPtr conn;
        virDomainPtr dom;
        char name[256];
        char uuid[VIR_UUID_STRING_BUFLEN];
        int cb, timer, reconnect_timer;
        unsigned stop_level; /* 1: the power button was asked for, 2: destroy */
        unsigned reconnect_tries;
        int close_reason;
        bool done, panicked, conn_lost;
        LibvirtRunResult *result;
} RunContext;

static void emit(RunContext *c, LibvirtEvent e)
{
        e.uuid = c->uuid;
        if (c->config->on_event)
                c->config->on_event(&e, c->config->userdata);
}

static void set_reason(RunContext *c, const char *event, const char *detail)
{
        char *r;
        if (asprintf(&r, "%s%s%s", event, detail ? "/" : "", strempty(detail)) < 0)
                return;
        free(c->result->reason);
        c->result->reason = r;
}

static int lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
        RunContext *c = opaque;
        const char *name = sym_virDomainGetName(dom);

        /* Events arrive for every domain of the connection: ours has this name (names are unique). */
        if (!name || !streq(name, c->name))
                return 0;
        const char *en = event >= 0 && (size_t) event < ELEMENTSOF(event_names) ? event_names[event] : NULL;
        const char *dn = NULL;
        if (event == VIR_DOMAIN_EVENT_STOPPED && detail >= 0 && (size_t) detail < ELEMENTSOF(stopped_names))
                dn = stopped_names[detail];
        else if (event == VIR_DOMAIN_EVENT_CRASHED && detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED)
                dn = "panicked";
        else if (event == VIR_DOMAIN_EVENT_CRASHED && detail == VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED)
                dn = "crashloaded";
        char what[64];
        snprintf(what, sizeof(what), "%s%s%s", en ?: "unknown", dn ? "/" : "", strempty(dn));
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_LIFECYCLE, .what = what });

        /* A panic (pvpanic, a TDX fatal error, an SNP termination request); a crash kernel taking over
         * (crashloaded) is not one: the guest goes on. */
        if (event == VIR_DOMAIN_EVENT_CRASHED && detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED)
                c->panicked = true;
        if (event != VIR_DOMAIN_EVENT_STOPPED)
                return 0;

        set_reason(c, en ?: "stopped", dn);
        c->done = true;
        if (c->panicked || detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED)
                /* on_crash='destroy': libvirt ends a panicked domain with stopped/crashed. */
                c->result->outcome = LAUNCH_GUEST_PANICKED;
        else if (detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN || detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
                /* The guest powered off, or someone (cvm stop --force, virsh destroy, we) ended it. */
                c->result->outcome = LAUNCH_POWERED_OFF;
        else
                c->result->outcome = LAUNCH_QEMU_FAILED;
        return 0;
}

static const char *close_reason_to_string(int reason)
{
        static const char *const reasons[] = {
                [VIR_CONNECT_CLOSE_REASON_ERROR] = "a connection error",
                [VIR_CONNECT_CLOSE_REASON_EOF] = "end of file",
                [VIR_CONNECT_CLOSE_REASON_KEEPALIVE] = "a keepalive timeout",
                [VIR_CONNECT_CLOSE_REASON_CLIENT] = "the client",
        };
        return reason >= 0 && (size_t) reason < ELEMENTSOF(reasons) && reasons[reason] ? reasons[reason]
                                                                                       : "unknown reason";
}

static void fail_run(RunContext *c, const char *format, ...) _printf_(2, 3);
static void fail_run(RunContext *c, const char *format, ...)
{
        va_list ap;
        c->done = true;
        c->result->outcome = LAUNCH_QEMU_FAILED;
        free(c->result->error);
        va_start(ap, format);
        if (vasprintf(&c->result->error, format, ap) < 0)
                c->result->error = NULL;
        va_end(ap);
}

static void on_reconnect(int timer, void *opaque);

static void connection_closed(virConnectPtr conn, int reason, void *opaque)
{
        RunContext *c = opaque;
        char what[128];

        /* Called from the event loop, as libvirt noticed the end: the connection is dropped in on_reconnect.
         */
        if (c->done || c->conn_lost || conn != c->conn)
                return;
        c->conn_lost = true;
        c->close_reason = reason;
        c->reconnect_tries = 0;
        snprintf(what, sizeof(what), "the connection to libvirtd was closed (%s); reconnecting",
                 close_reason_to_string(reason));
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING, .what = what });
        if (c->reconnect_timer < 0)
                c->reconnect_timer = sym_virEventAddTimeout(1000, on_reconnect, c, NULL);
        else
                sym_virEventUpdateTimeout(c->reconnect_timer, 1000);
        if (c->reconnect_timer < 0)
                fail_run(c, "The connection to libvirtd was closed (%s)", close_reason_to_string(reason));
}

/* Opens the connection and registers for the domain's lifecycle events and the connection's end. */
static int connect_libvirt(RunContext *c)
{
        c->conn = sym_virConnectOpen(c->config->uri ?: LIBVIRT_DEFAULT_URI);
        if (!c->conn)
                return -ECONNREFUSED;
        /* Registered before the domain is looked up or exists: an early end must not be missed. */
        c->cb = sym_virConnectDomainEventRegisterAny(c->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(lifecycle), c, NULL);
        if (c->cb < 0 || sym_virConnectRegisterCloseCallback(c->conn, connection_closed, c, NULL) < 0)
                return -EIO;
        return 0;
}

static void disconnect_libvirt(RunContext *c)
{
        if (c->conn && !c->conn_lost) {
                if (c->cb >= 0)
                        sym_virConnectDomainEventDeregisterAny(c->conn, c->cb);
                sym_virConnectUnregisterCloseCallback(c->conn, connection_closed);
        }
        c->cb = -1;
        if (c->dom)
                sym_virDomainFree(TAKE_PTR(c->dom));
        if (c->conn)
                sym_virConnectClose(TAKE_PTR(c->conn)); /* AUTODESTROY: a domain still running ends here */
}

static void destroy(RunContext *c, bool timed_out)
{
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_DESTROY, .timed_out = timed_out });
        if (sym_virDomainDestroy(c->dom) < 0)
                emit(c,
                     (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING, .what = sym_virGetLastErrorMessage() });
}

static void on_timeout(int timer, void *opaque);

/*
 * Carries out stop_level: the ACPI power button with a destroy after the timeout, or a destroy. Without a
 * connection it waits for the reconnect, which calls it again.
 */
static void stop_domain(RunContext *c, bool timed_out)
{
        if (c->done || c->conn_lost || c->stop_level == 0)
                return;
        if (c->stop_level >= 2) {
                destroy(c, timed_out);
                return;
        }
        uint64_t t = c->config->shutdown_timeout_usec;
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_POWERDOWN, .timeout_usec = t });
        if (sym_virDomainShutdownFlags(c->dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) < 0) {
                emit(c,
                     (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING, .what = sym_virGetLastErrorMessage() });
                c->stop_level = 2;
                destroy(c, false);
                return;
        }
        if (c->timer < 0)
                c->timer = sym_virEventAddTimeout((int) MIN(t / 1000, (uint64_t) INT32_MAX), on_timeout, c,
                                                  NULL);
}

static void on_timeout(int timer, void *opaque)
{
        RunContext *c = opaque;
        sym_virEventUpdateTimeout(timer, -1);
        c->stop_level = 2;
        stop_domain(c, true);
}

static void on_reconnect(int timer, void *opaque)
{
        RunContext *c = opaque;

        if (c->done || !c->conn_lost) {
                sym_virEventUpdateTimeout(timer, -1);
                return;
        }
        disconnect_libvirt(c);
        c->conn_lost = false;
        int r = connect_libvirt(c);
        if (r >= 0) {
                char uuid[VIR_UUID_STRING_BUFLEN] = "";
                c->dom = sym_virDomainLookupByName(c->conn, c->name);
                if (!c->dom || sym_virDomainGetUUIDString(c->dom, uuid) < 0 || !streq(uuid, c->uuid)) {
                        /* Ended while libvirtd was away (or replaced by another domain of that name). */
                        disconnect_libvirt(c);
                        sym_virEventUpdateTimeout(timer, -1);
                        fail_run(c,
                                 "The domain ended while libvirtd was away (its connection was closed: %s); "
                                 "how it ended is unknown",
                                 close_reason_to_string(c->close_reason));
                        return;
                }
                sym_virEventUpdateTimeout(timer, -1);
                emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING,
                                        .what = "reconnected to libvirtd; the domain still runs" });
                stop_domain(c, false); /* a stop asked for while libvirtd was away */
                return;
        }
        /* Not back yet: try again in a second, as the timer repeats. */
        disconnect_libvirt(c);
        c->conn_lost = true;
        if (++c->reconnect_tries < RECONNECT_TRIES)
                return;
        sym_virEventUpdateTimeout(timer, -1);
        fail_run(
                c,
                "The connection to libvirtd was closed (%s) and libvirtd did not come back within %u s; the "
                "domain may still run ('virsh -c %s destroy %s' ends it)",
                close_reason_to_string(c->close_reason), RECONNECT_TRIES,
                c->config->uri ?: LIBVIRT_DEFAULT_URI, c->name);
}

static void on_signal(int watch, int fd, int events, void *opaque)
{
        RunContext *c = opaque;
        struct signalfd_siginfo si;

        if (read(fd, &si, sizeof(si)) != sizeof(si))
                return;
        c->result->stop_requested = true;
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_SIGNAL, .signo = (int) si.ssi_signo });
        if (c->done)
                return;
        /* The first signal presses the power button, the next destroys. */
        if (c->stop_level < 2)
                c->stop_level++;
        stop_domain(c, false);
}

int libvirt_run(const LibvirtRunConfig *config, LibvirtRunResult *ret)
{
        RunContext c = { .config = config, .cb = -1, .timer = -1, .reconnect_timer = -1, .result = ret };
        int watch = -1, r = 0;
        sigset_t mask, old;

        *ret = (LibvirtRunResult){ .outcome = LAUNCH_QEMU_FAILED };

        /* Blocked before libvirt is called, so that any thread it starts inherits the mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
                return -errno;
        int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                r = -errno;
                goto finish;
        }

        r = libvirt_setup(&ret->error);
        if (r < 0)
                goto finish;
        if (sym_virEventRegisterDefaultImpl() < 0) {
                r = -ENOMEM;
                goto finish;
        }
        /* Events of the new domain may arrive before sym_virDomainCreateXML() returns: match them by name.
         */
        snprintf(c.name, sizeof(c.name), "%s", strempty(config->name));
        if (connect_libvirt(&c) < 0) {
                ret->error = last_error();
                goto finish;
        }
        watch = sym_virEventAddHandle(sfd, VIR_EVENT_HANDLE_READABLE, on_signal, &c, NULL);
        if (watch < 0) {
                r = -ENOMEM;
                goto finish;
        }

        c.dom = sym_virDomainCreateXML(c.conn, config->xml, VIR_DOMAIN_START_AUTODESTROY);
        if (!c.dom) {
                ret->error = last_error();
                goto finish;
        }
        snprintf(c.name, sizeof(c.name), "%s", strempty(sym_virDomainGetName(c.dom)));
        if (sym_virDomainGetUUIDString(c.dom, c.uuid) < 0)
                c.uuid[0] = 0;
        emit(&c, (LibvirtEvent){ .type = LIBVIRT_EVENT_STARTED });

        while (!c.done)
                if (sym_virEventRunDefaultImpl() < 0) {
                        ret->error = last_error();
                        break;
                }

finish:
        if (watch >= 0)
                sym_virEventRemoveHandle(watch);
        if (c.timer >= 0)
                sym_virEventRemoveTimeout(c.timer);
        if (c.reconnect_timer >= 0)
                sym_virEventRemoveTimeout(c.reconnect_timer);
        disconnect_libvirt(&c);
        if (sfd >= 0)
                close(sfd);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

static int open_domain(const char *uri, const char *name, virConnectPtr *ret_conn, virDomainPtr *ret_dom,
                       char **reterr)
{
        int r = libvirt_setup(reterr);
        if (r < 0)
                return r;
        virConnectPtr conn = sym_virConnectOpen(uri ?: LIBVIRT_DEFAULT_URI);
        if (!conn) {
                if (reterr)
                        *reterr = last_error();
                return -ECONNREFUSED;
        }
        virDomainPtr dom = sym_virDomainLookupByName(conn, name);
        if (!dom) {
                if (reterr)
                        *reterr = last_error();
                sym_virConnectClose(conn);
                return -ENOENT;
        }
        *ret_conn = conn;
        *ret_dom = dom;
        return 0;
}

int libvirt_domain_state(const char *uri, const char *name, char **ret, char **reterr)
{
        static const char *const states[] = {
                [VIR_DOMAIN_NOSTATE] = "nostate",   [VIR_DOMAIN_RUNNING] = "running",
                [VIR_DOMAIN_BLOCKED] = "blocked",   [VIR_DOMAIN_PAUSED] = "paused",
                [VIR_DOMAIN_SHUTDOWN] = "shutdown", [VIR_DOMAIN_SHUTOFF] = "shutoff",
                [VIR_DOMAIN_CRASHED] = "crashed",   [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
        };
        virConnectPtr conn;
        virDomainPtr dom;
        int state, reason, r;

        r = open_domain(uri, name, &conn, &dom, reterr);
        if (r < 0)
                return r;
        r = sym_virDomainGetState(dom, &state, &reason, 0);
        if (r < 0 && reterr)
                *reterr = last_error();
        sym_virDomainFree(dom);
        sym_virConnectClose(conn);
        if (r < 0)
                return -EIO;
        *ret = strdup(state >= 0 && (size_t) state < ELEMENTSOF(states) && states[state] ? states[state]
                                                                                         : "unknown");
        return *ret ? 0 : -ENOMEM;
}

int libvirt_domain_stop(const char *uri, const char *name, bool force, char **reterr)
{
        virConnectPtr conn;
        virDomainPtr dom;

        int r = open_domain(uri, name, &conn, &dom, reterr);
        if (r < 0)
                return r;
        r = force ? sym_virDomainDestroy(dom)
                  : sym_virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
        if (r < 0 && reterr)
                *reterr = last_error();
        sym_virDomainFree(dom);
        sym_virConnectClose(conn);
        return r < 0 ? -EIO : 0;
}
