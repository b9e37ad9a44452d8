/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ini.h>

#include "argv-util.h"
#include "log.h"
#include "parse-util.h"
#include "qgsd-config.h"

void qgsd_config_done(QgsdConfig *c)
{
        c->backend = mfree(c->backend);
        c->soft_ca = mfree(c->soft_ca);
        c->listen = strv_free(c->listen);
}

static int strv_push(char ***l, char *s)
{
        size_t n = strv_length(*l);
        char **nl = realloc(*l, (n + 2) * sizeof(char *));
        if (!nl)
                return -ENOMEM;
        nl[n] = s;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

static int strv_copy(char *const *l, char ***ret)
{
        _cleanup_(strv_freep) char **c = NULL;
        STRV_FOREACH (s, l) {
                char *d = strdup(*s);
                if (!d || strv_push(&c, d) < 0) {
                        free(d);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int replace_str(char **dst, const char *src)
{
        char *d = strdup(src);
        if (!d)
                return -ENOMEM;
        free(*dst);
        *dst = d;
        return 0;
}

int qgsd_config_fill_defaults(QgsdConfig *c)
{
        if (!c->backend && replace_str(&c->backend, "soft") < 0)
                return -ENOMEM;
        if (!c->listen) {
                char *d = strdup("unix:" QGSD_DEFAULT_SOCKET);
                if (!d || strv_push(&c->listen, d) < 0) {
                        free(d);
                        return -ENOMEM;
                }
        }
        if (c->threads == 0)
                c->threads = QGSD_DEFAULT_THREADS;
        if (c->max_connections == 0)
                c->max_connections = QGSD_DEFAULT_MAX_CONN;
        if (c->timeout_ms == 0)
                c->timeout_ms = QGSD_DEFAULT_TIMEOUT_MS;
        return 0;
}

int qgsd_config_overlay(QgsdConfig *dst, const QgsdConfig *src)
{
        if (src->backend && replace_str(&dst->backend, src->backend) < 0)
                return -ENOMEM;
        if (src->soft_ca && replace_str(&dst->soft_ca, src->soft_ca) < 0)
                return -ENOMEM;
        if (src->listen) {
                char **l;
                if (strv_copy(src->listen, &l) < 0)
                        return -ENOMEM;
                strv_free(dst->listen);
                dst->listen = l;
        }
        if (src->threads)
                dst->threads = src->threads;
        if (src->max_connections)
                dst->max_connections = src->max_connections;
        if (src->timeout_ms)
                dst->timeout_ms = src->timeout_ms;
        return 0;
}

int qgsd_listen_normalize(const char *spec, char **ret)
{
        const char *v;
        char *s;

        if (streq(spec, "unix"))
                s = strdup("unix:" QGSD_DEFAULT_SOCKET);
        else if ((v = startswith(spec, "unix:"))) {
                if (v[0] != '/' && v[0] != '@')
                        return -EINVAL;
                s = strdup(spec);
        } else if (streq(spec, "vsock")) {
                if (asprintf(&s, "vsock:%u", QGSD_DEFAULT_VSOCK_PORT) < 0)
                        s = NULL;
        } else if ((v = startswith(spec, "vsock:"))) {
                unsigned port;
                if (safe_atou(v, 10, &port) < 0 || port == 0 || port == UINT32_MAX)
                        return -EINVAL;
                s = strdup(spec);
        } else
                return -EINVAL;
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int qgsd_parse_timeout(const char *s, unsigned *ret_ms)
{
        _cleanup_free_ char *num = strdup(s);
        unsigned v, mult = 1000;
        char *e;

        if (!num)
                return -ENOMEM;
        e = num + strlen(num);
        if (e - num > 2 && streq(e - 2, "ms")) {
                e[-2] = 0;
                mult = 1;
        } else if (e - num > 1 && e[-1] == 's')
                e[-1] = 0;
        if (safe_atou(num, 10, &v) < 0 || v == 0 || (uint64_t) v * mult > 3600U * 1000)
                return -EINVAL;
        *ret_ms = v * mult;
        return 0;
}

static int parse_unsigned(const char *value, unsigned min, unsigned max, unsigned *ret)
{
        unsigned v;
        if (safe_atou(value, 10, &v) < 0 || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int qgsd_config_set(QgsdConfig *c, const char *key, const char *value, const char *where)
{
        int r = 0;

        if (streq(key, "backend")) {
                if (!streq(value, "soft") && !streq(value, "dcap"))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "%s: backend '%s' is neither 'soft' nor 'dcap'", where,
                                               value);
                r = replace_str(&c->backend, value);
        } else if (streq(key, "soft-ca")) {
                if (isempty(value))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "%s: soft-ca needs a directory",
                                               where);
                r = replace_str(&c->soft_ca, value);
        } else if (streq(key, "listen") || streq(key, "port")) {
                char *spec;
                if (streq(key, "port")) {
                        /* Intel qgs.conf: port 0 is the unix socket, any other an AF_VSOCK port. */
                        unsigned port;
                        if (parse_unsigned(value, 0, UINT32_MAX - 1, &port) < 0)
                                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                                       "%s: port '%s' is not a number", where, value);
                        r = port == 0 ? -(asprintf(&spec, "unix:%s", QGSD_DEFAULT_SOCKET) < 0)
                                      : -(asprintf(&spec, "vsock:%u", port) < 0);
                        if (r < 0)
                                return log_oom();
                } else if ((r = qgsd_listen_normalize(value, &spec)) < 0)
                        return r == -ENOMEM
                                       ? log_oom()
                                       : log_error_errno(r,
                                                         "%s: listen '%s' is not unix:PATH (absolute) or "
                                                         "vsock:PORT",
                                                         where, value);
                r = strv_push(&c->listen, spec);
                if (r < 0)
                        free(spec);
        } else if (streq(key, "number_threads") || streq(key, "threads")) {
                /* Intel's QGS accepts 0..255; 0 leaves the default. */
                if (parse_unsigned(value, 0, QGSD_MAX_THREADS, &c->threads) < 0)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "%s: %s '%s' is not a number of 0..%u", where, key, value,
                                               QGSD_MAX_THREADS);
        } else if (streq(key, "max-connections")) {
                if (parse_unsigned(value, 1, 65536, &c->max_connections) < 0)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "%s: max-connections '%s' is not a number of 1..65536", where,
                                               value);
        } else if (streq(key, "timeout")) {
                if (qgsd_parse_timeout(value, &c->timeout_ms) < 0)
                        return log_error_errno(
                                SYNTHETIC_ERRNO(EINVAL),
                                "%s: timeout '%s' is not a duration (30, 30s, 500ms; at most 1 h)", where,
                                value);
        } else
                return 0; /* unknown keys are ignored, as Intel's QGS ignores them */
        return r < 0 ? log_oom() : 0;
}

typedef struct IniState {
        QgsdConfig *c;
        const char *path;
        int error;
} IniState;

static int qgsd_ini_handler(void *userdata, const char *section, const char *name, const char *value)
{
        IniState *st = userdata;
        _cleanup_free_ char *where = NULL;

        if (!isempty(section) && strcasecmp(section, "QGSD") != 0)
                return 1;
        if (asprintf(&where, "%s: key '%s'", st->path, name) < 0) {
                st->error = -ENOMEM;
                return 0;
        }
        int r = qgsd_config_set(st->c, name, value ?: "", where);
        if (r < 0 && st->error == 0)
                st->error = r;
        return r >= 0;
}

int qgsd_config_load_file(QgsdConfig *c, const char *path, bool missing_ok)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        IniState st = { .c = c, .path = path };

        if (!f) {
                if (errno == ENOENT && missing_ok)
                        return 0;
                return log_error_errno(errno, "Failed to open configuration '%s': %m", path);
        }
        int r = ini_parse_file(f, qgsd_ini_handler, &st);
        if (st.error < 0)
                return st.error;
        if (r != 0)
                return log_error_errno(SYNTHETIC_ERRNO(EBADMSG), "%s: line %d is not INI syntax", path, r);
        return 0;
}
