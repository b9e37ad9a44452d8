/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sources: libvirt's public API (libvirt-domain.h: virDomainCreateXML, virDomainShutdownFlags,
 * virConnectDomainEventRegisterAny with VIR_DOMAIN_EVENT_ID_LIFECYCLE and its event/detail enums;
 * libvirt-event.h: the default event loop, virEventAddHandle, virEventAddTimeout).
 */
#include <signal.h>
#include <sys/signalfd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "libvirt-backend.h"
#include "log.h"

/* libvirt's default error handler prints every error to stderr; cvm reports the ones that matter. */
static void silent_error(void *userdata, virErrorPtr e)
{
}

static void libvirt_setup(void)
{
        static bool done = false;
        if (done)
                return;
        virSetErrorFunc(NULL, silent_error);
        done = true;
}

static char *last_error(void)
{
        return strdup(virGetLastErrorMessage() ?: "unknown libvirt error");
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

typedef struct RunContext {
        const LibvirtRunConfig *config;
        virConnectPtr conn;
        virDomainPtr dom;
        char name[256];
        char uuid[VIR_UUID_STRING_BUFLEN];
        int timer;
        unsigned signals;
        bool done, panicked, destroyed_by_us, conn_lost;
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
        const char *name = virDomainGetName(dom);

        /* Events arrive for every domain of the connection: ours has this name (names are unique). */
        if (!name || !streq(name, c->name))
                return 0;
        const char *en = event >= 0 && (size_t) event < ELEMENTSOF(event_names) ? event_names[event] : NULL;
        const char *dn = NULL;
        if (event == VIR_DOMAIN_EVENT_STOPPED && detail >= 0 && (size_t) detail < ELEMENTSOF(stopped_names))
                dn = stopped_names[detail];
        else if (event == VIR_DOMAIN_EVENT_CRASHED && detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED)
                dn = "panicked";
        char what[64];
        snprintf(what, sizeof(what), "%s%s%s", en ?: "unknown", dn ? "/" : "", strempty(dn));
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_LIFECYCLE, .what = what });

        if (event == VIR_DOMAIN_EVENT_CRASHED)
                c->panicked = true;
        if (event != VIR_DOMAIN_EVENT_STOPPED)
                return 0;

        set_reason(c, en ?: "stopped", dn);
        c->done = true;
        if (c->panicked)
                c->result->outcome = LAUNCH_GUEST_PANICKED;
        else if (detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN || detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
                /* The guest powered off, or someone (cvm stop --force, virsh destroy, we) ended it. */
                c->result->outcome = LAUNCH_POWERED_OFF;
        else
                c->result->outcome = LAUNCH_QEMU_FAILED;
        return 0;
}

static void connection_closed(virConnectPtr conn, int reason, void *opaque)
{
        RunContext *c = opaque;
        static const char *const reasons[] = {
                [VIR_CONNECT_CLOSE_REASON_ERROR] = "a connection error",
                [VIR_CONNECT_CLOSE_REASON_EOF] = "end of file",
                [VIR_CONNECT_CLOSE_REASON_KEEPALIVE] = "a keepalive timeout",
                [VIR_CONNECT_CLOSE_REASON_CLIENT] = "the client",
        };
        if (c->done)
                return;
        c->done = c->conn_lost = true;
        c->result->outcome = LAUNCH_QEMU_FAILED;
        free(c->result->error);
        if (asprintf(&c->result->error, "The connection to libvirtd was closed (%s)",
                     reason >= 0 && (size_t) reason < ELEMENTSOF(reasons) && reasons[reason]
                             ? reasons[reason]
                             : "unknown reason") < 0)
                c->result->error = NULL;
}

static void destroy(RunContext *c, bool timed_out)
{
        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_DESTROY, .timed_out = timed_out });
        c->destroyed_by_us = true;
        if (virDomainDestroy(c->dom) < 0)
                emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING, .what = virGetLastErrorMessage() });
}

static void on_timeout(int timer, void *opaque)
{
        RunContext *c = opaque;
        virEventUpdateTimeout(timer, -1);
        if (!c->done)
                destroy(c, true);
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
        if (c->signals++ == 0) {
                uint64_t t = c->config->shutdown_timeout_usec;
                emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_POWERDOWN, .timeout_usec = t });
                if (virDomainShutdownFlags(c->dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) < 0) {
                        emit(c, (LibvirtEvent){ .type = LIBVIRT_EVENT_WARNING,
                                                .what = virGetLastErrorMessage() });
                        destroy(c, false);
                        return;
                }
                c->timer =
                        virEventAddTimeout((int) MIN(t / 1000, (uint64_t) INT32_MAX), on_timeout, c, NULL);
                return;
        }
        destroy(c, false);
}

int libvirt_run(const LibvirtRunConfig *config, LibvirtRunResult *ret)
{
        RunContext c = { .config = config, .timer = -1, .result = ret };
        int cb = -1, watch = -1, r = 0;
        sigset_t mask, old;

        *ret = (LibvirtRunResult){ .outcome = LAUNCH_QEMU_FAILED };
        libvirt_setup();
        if (virEventRegisterDefaultImpl() < 0)
                return -ENOMEM;

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

        c.conn = virConnectOpen(config->uri ?: LIBVIRT_DEFAULT_URI);
        if (!c.conn) {
                ret->error = last_error();
                goto finish;
        }
        /* Registered before the domain exists: an early end must not be missed. */
        cb = virConnectDomainEventRegisterAny(c.conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), &c, NULL);
        if (cb < 0 || virConnectRegisterCloseCallback(c.conn, connection_closed, &c, NULL) < 0) {
                ret->error = last_error();
                goto finish;
        }
        watch = virEventAddHandle(sfd, VIR_EVENT_HANDLE_READABLE, on_signal, &c, NULL);
        if (watch < 0) {
                r = -ENOMEM;
                goto finish;
        }

        /* Events of the new domain may arrive before virDomainCreateXML() returns: match them by name. */
        snprintf(c.name, sizeof(c.name), "%s", strempty(config->name));
        c.dom = virDomainCreateXML(c.conn, config->xml, VIR_DOMAIN_START_AUTODESTROY);
        if (!c.dom) {
                ret->error = last_error();
                goto finish;
        }
        snprintf(c.name, sizeof(c.name), "%s", strempty(virDomainGetName(c.dom)));
        if (virDomainGetUUIDString(c.dom, c.uuid) < 0)
                c.uuid[0] = 0;
        emit(&c, (LibvirtEvent){ .type = LIBVIRT_EVENT_STARTED });

        while (!c.done)
                if (virEventRunDefaultImpl() < 0) {
                        ret->error = last_error();
                        break;
                }

finish:
        if (watch >= 0)
                virEventRemoveHandle(watch);
        if (c.timer >= 0)
                virEventRemoveTimeout(c.timer);
        if (c.conn && !c.conn_lost) {
                if (cb >= 0)
                        virConnectDomainEventDeregisterAny(c.conn, cb);
                virConnectUnregisterCloseCallback(c.conn, connection_closed);
        }
        if (c.dom)
                virDomainFree(c.dom);
        if (c.conn)
                virConnectClose(c.conn); /* AUTODESTROY: a domain still running ends here */
        if (sfd >= 0)
                close(sfd);
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

static int open_domain(const char *uri, const char *name, virConnectPtr *ret_conn, virDomainPtr *ret_dom,
                       char **reterr)
{
        libvirt_setup();
        virConnectPtr conn = virConnectOpen(uri ?: LIBVIRT_DEFAULT_URI);
        if (!conn) {
                if (reterr)
                        *reterr = last_error();
                return -ECONNREFUSED;
        }
        virDomainPtr dom = virDomainLookupByName(conn, name);
        if (!dom) {
                if (reterr)
                        *reterr = last_error();
                virConnectClose(conn);
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
        r = virDomainGetState(dom, &state, &reason, 0);
        if (r < 0 && reterr)
                *reterr = last_error();
        virDomainFree(dom);
        virConnectClose(conn);
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
        r = force ? virDomainDestroy(dom) : virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
        if (r < 0 && reterr)
                *reterr = last_error();
        virDomainFree(dom);
        virConnectClose(conn);
        return r < 0 ? -EIO : 0;
}
