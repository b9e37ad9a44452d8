/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cvm-qgsd settings: built-in defaults, then a configuration file (/etc/cvm/qgsd.conf, INI, section
 * [QGSD] or none), then the command line. The file may also be Intel's /etc/qgs.conf: its keys `port`
 * (0 = the unix socket, else AF_VSOCK port) and `number_threads` are understood, unknown keys ignored as
 * Intel's QGS does.
 */
#include "macro.h"

#define QGSD_DEFAULT_SOCKET     "/var/run/tdx-qgs/qgs.socket"
#define QGSD_DEFAULT_VSOCK_PORT 4050U
#define QGSD_DEFAULT_CONFIG     "/etc/cvm/qgsd.conf"
#define QGSD_DEFAULT_THREADS    4U
#define QGSD_DEFAULT_MAX_CONN   256U
#define QGSD_DEFAULT_TIMEOUT_MS 30000U /* Intel QGS_TIMEOUT, QEMU's TRANSACTION_TIMEOUT */
#define QGSD_MAX_THREADS        255U

typedef struct QgsdConfig {
        char *backend; /* "soft" or "dcap" */
        char *soft_ca;
        char **listen; /* "unix:PATH" / "vsock:PORT", normalized */
        unsigned threads, max_connections, timeout_ms;
} QgsdConfig;

void qgsd_config_done(QgsdConfig *c);
/* Fills unset fields with the defaults. */
int qgsd_config_fill_defaults(QgsdConfig *c);
/* Values set in src replace those of dst (a NULL/0 field of src is "not set"). */
int qgsd_config_overlay(QgsdConfig *dst, const QgsdConfig *src);
/* Reads an INI file into c; missing_ok: a missing file is not an error. Logs what is wrong. */
int qgsd_config_load_file(QgsdConfig *c, const char *path, bool missing_ok);
/* One setting by name (file key or long option without "--"); logs what is wrong, naming where. */
int qgsd_config_set(QgsdConfig *c, const char *key, const char *value, const char *where);
/* "unix", "unix:PATH", "vsock", "vsock:PORT" into "unix:PATH" / "vsock:PORT"; -EINVAL otherwise. */
int qgsd_listen_normalize(const char *spec, char **ret);
/* "30", "30s", "500ms" -> milliseconds, 1 ms .. 1 h. */
int qgsd_parse_timeout(const char *s, unsigned *ret_ms);
