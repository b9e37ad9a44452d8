/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "launcher.h"

/*
 * The libvirt backend of cvm run: the domain XML of domxml.c is started as a transient domain through the
 * libvirt C API (virDomainCreateXML with VIR_DOMAIN_START_AUTODESTROY, so the domain ends with the
 * supervisor's connection, as QEMU ends with its supervisor under PR_SET_PDEATHSIG), and followed through
 * lifecycle events on libvirt's default event loop, which also watches SIGINT/SIGTERM/SIGHUP (signalfd).
 *
 * The first signal presses the ACPI power button (virDomainShutdownFlags ACPI_POWER_BTN); after
 * shutdown_timeout_usec, or at a second signal, the domain is destroyed. Outcomes match the QEMU
 * backend's: STOPPED/SHUTDOWN and STOPPED/DESTROYED are LAUNCH_POWERED_OFF, a CRASHED/PANICKED event or
 * STOPPED/CRASHED (on_crash='destroy' after a panic) LAUNCH_GUEST_PANICKED, anything else (a failed start,
 * STOPPED/FAILED, a domain gone while libvirtd was away) LAUNCH_QEMU_FAILED.
 *
 * When the connection closes (libvirtd restarted or died; QEMU runs on), the supervisor reconnects once a
 * second for 30 s, finds the domain again by name and UUID, and goes on; signals received meanwhile are
 * acted on then. The new connection cannot re-arm AUTODESTROY.
 */

#define LIBVIRT_DEFAULT_URI "qemu:///system"

typedef enum LibvirtEventType {
        LIBVIRT_EVENT_STARTED,   /* the domain runs: uuid */
        LIBVIRT_EVENT_LIFECYCLE, /* a lifecycle event of the domain: what ("stopped/shutdown", ...) */
        LIBVIRT_EVENT_SIGNAL,    /* the supervisor got signo */
        LIBVIRT_EVENT_POWERDOWN, /* the power button was pressed; the guest has timeout_usec */
        LIBVIRT_EVENT_DESTROY,   /* the domain is destroyed (timed_out: the guest did not power down) */
        LIBVIRT_EVENT_WARNING,   /* a call failed that supervision survives: what (libvirt's message) */
        _LIBVIRT_EVENT_TYPE_MAX,
} LibvirtEventType;

typedef struct LibvirtEvent {
        LibvirtEventType type;
        const char *uuid;
        const char *what;
        int signo;
        uint64_t timeout_usec;
        bool timed_out;
} LibvirtEvent;

typedef struct LibvirtRunConfig {
        const char *uri; /* NULL: LIBVIRT_DEFAULT_URI */
        const char *xml;
        const char *name; /* the domain's name in xml: events are matched by it from the start */
        uint64_t shutdown_timeout_usec;
        void (*on_event)(const LibvirtEvent *e, void *userdata);
        void *userdata;
} LibvirtRunConfig;

typedef struct LibvirtRunResult {
        LaunchOutcome outcome;
        char *error;  /* libvirt's message when the domain could not be started or libvirtd went away */
        char *reason; /* how it ended: the last lifecycle event, e.g. "stopped/shutdown" */
        bool stop_requested;
} LibvirtRunResult;

void libvirt_run_result_done(LibvirtRunResult *r);

/* Runs the domain to its end: 0 with *ret filled, or -errno when supervision itself failed. */
int libvirt_run(const LibvirtRunConfig *c, LibvirtRunResult *ret);

/*
 * For cvm status / stop: the domain's state as libvirt names it ("running", "paused", "shutdown",
 * "shutoff", "crashed", ...), and an ACPI power-down (force: destroy). -ENOENT: no such domain;
 * -ECONNREFUSED: no libvirtd at uri; the libvirt message goes to *reterr when not NULL.
 */
int libvirt_domain_state(const char *uri, const char *name, char **ret, char **reterr);
int libvirt_domain_stop(const char *uri, const char *name, bool force, char **reterr);
