/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The cvm-qgsd server. Worker threads accept, read, call the backend and reply, each on one connection at a
 * time, so one slow quote does not stall the others; a request that arrives slowly or a reply taken slowly
 * goes to the event loop (the thread calling qgsd_server_run()), which never blocks on one client and
 * enforces the per-connection deadline. The size cap and the cap on open connections apply throughout.
 * SIGHUP reloads, SIGTERM/SIGINT stop accepting, let the connections in flight finish, and return.
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
