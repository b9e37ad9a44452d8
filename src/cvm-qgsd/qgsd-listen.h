/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * Listening sockets passed by the service manager (sd_listen_fds(3): $LISTEN_PID is us, $LISTEN_FDS
 * descriptors from 3). Returns how many (0 when none were passed) and unsets the variables, so children
 * do not inherit them; each must be a listening stream socket, and is made non-blocking and close-on-exec.
 */
int qgsd_listen_fds(int **ret_fds);

/* Binds "unix:PATH" (mode 0660, stale socket replaced, parent directory created) or "vsock:PORT". */
int qgsd_listen_bind(const char *spec, int *ret_fd);
