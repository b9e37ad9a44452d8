/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The cvm-qgsd event loop. One thread owns every socket: it accepts, reads each request as far as it has
 * arrived (never blocking on one client), enforces the per-connection deadline, the size cap and the cap
 * on open connections, and writes replies. Complete requests go to a pool of worker threads that call the
 * backend, so one slow quote does not stall the others. SIGHUP reloads, SIGTERM/SIGINT stop accepting,
 * let the connections in flight finish, and return.
 */
#include "qgsd-backend.h"
#include "qgsd-config.h"

typedef struct QgsdServer QgsdServer;

/* Reloads the configuration (re-reading files) into *ret; the server calls it on SIGHUP. */
typedef int (*QgsdReloadFn)(QgsdConfig *ret, void *userdata);

/* Takes ownership of the listening fds and of the backend reference. */
int qgsd_server_new(const QgsdConfig *c, int *fds, size_t n_fds, QgsdBackend *backend, QgsdReloadFn reload,
                    void *userdata, QgsdServer **ret);
int qgsd_server_run(QgsdServer *s);
QgsdServer *qgsd_server_free(QgsdServer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(QgsdServer *, qgsd_server_free);
