/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * The service manager notification protocol (systemd sd_notify(3), "NOTIFY_SOCKET"): one datagram of
 * newline-separated KEY=VALUE assignments to the AF_UNIX socket named by $NOTIFY_SOCKET, a path or, with
 * a leading '@', an abstract-namespace name. Written here so cvm needs no libsystemd.
 *
 * Returns 0 when $NOTIFY_SOCKET is unset (not started by a service manager), 1 when the message was
 * sent, -errno otherwise (-EAFNOSUPPORT for address families other than AF_UNIX, e.g. "vsock:").
 */
int service_notify(const char *state);
int service_notifyf(const char *format, ...) _printf_(1, 2);
