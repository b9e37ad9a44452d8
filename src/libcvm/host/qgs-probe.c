/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Is an Intel Quote Generation Service (QGS) listening where QEMU's tdx-guest "quote-generation-socket"
 * would look for it? Host only: it connects to sockets.
 *
 * Facts (member "qgs"):
 *   {
 *     "config": {"path": "/etc/qgs.conf", "port": 4050}        the "port" key as QGS reads it
 *             | {"path": "/etc/qgs.conf", "error": "ENOENT"}   (unreadable; QGS then uses its default)
 *             | {"path": "/etc/qgs.conf", "error": "EBADMSG"}  (a "port" that is not a number)
 *     "port": 4050,                   the effective port: the config's, else QGS's default 4050
 *     "mode": "vsock" | "unix",       port 0 means the UNIX socket, any other port vsock
 *     "unix":  {"path": "/var/run/tdx-qgs/qgs.socket", "type": "socket" | "file" | ... | "ENOENT",
 *               "connect": "ok" | "ECONNREFUSED" | ... },   ("connect" only when the path exists)
 *     "vsock": {"cid": 1, "port": 4050, "connect": "ok" | "ECONNRESET" | "EAFNOSUPPORT" | ...}
 *               (absent when the port is 0)
 *   }
 * The UNIX socket is tried whatever the mode says, so a QGS started with -p=0 despite the config shows.
 *
 * QGS defaults (intel/SGXDataCenterAttestationPrimitives QuoteGeneration/quote_wrapper/qgs/server_main.cpp
 * and qgs.conf, launch.md §1.5): /etc/qgs.conf keys "port" and "number_threads", whitespace stripped, '#'
 * starts a comment, unknown keys ignored; the shipped file says port = 4050; port 0 means the UNIX socket
 * /var/run/tdx-qgs/qgs.socket, any other port AF_VSOCK VMADDR_CID_ANY:port. A vsock listener bound to
 * VMADDR_CID_ANY is reachable from the host itself through VMADDR_CID_LOCAL (1) when the vsock_loopback
 * transport is loaded; without it the connect fails and the errno is recorded, not guessed about.
 *
 * Connects are non-blocking and bounded by QGS_CONNECT_TIMEOUT_MS, and the socket is closed at once: QGS
 * serves one request per connection and sees a plain EOF.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#include "facts.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"

#define QGS_CONFIG_PATH        "/etc/qgs.conf"
#define QGS_SOCKET_PATH        "/var/run/tdx-qgs/qgs.socket"
#define QGS_DEFAULT_PORT       4050U
#define QGS_CONNECT_TIMEOUT_MS 500
#define QGS_CONFIG_MAX         (64U * 1024)

/* The "port" value of a qgs.conf text: 0 found, -ENOENT no port key, -EBADMSG not a number. */
static int qgs_config_port(const char *text, unsigned *ret)
{
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                char line[256] = "", stripped[256];
                size_t k = 0;

                snprintf(line, sizeof(line), "%.*s", (int) MIN(len, sizeof(line) - 1), p);
                p += len + (p[len] == '\n');

                /* As server_main.cpp: drop every blank, then everything from '#'. */
                for (const char *c = line; *c && *c != '#'; c++)
                        if (*c != ' ' && *c != '\t' && *c != '\r')
                                stripped[k++] = *c;
                stripped[k] = 0;

                const char *v = startswith(stripped, "port=");
                if (!v)
                        continue;
                unsigned port;
                if (safe_atou(v, 10, &port) < 0)
                        return -EBADMSG;
                *ret = port;
                return 0;
        }
        return -ENOENT;
}

/* Non-blocking connect with a poll bounded by QGS_CONNECT_TIMEOUT_MS: 0 or -errno. */
static int connect_bounded(int family, const struct sockaddr *sa, socklen_t len)
{
        _cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, sa, len) >= 0)
                return 0;
        if (errno != EINPROGRESS)
                return -errno;

        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int n;
        do
                n = poll(&p, 1, QGS_CONNECT_TIMEOUT_MS);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ETIMEDOUT;

        int err = 0;
        socklen_t l = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
                return -errno;
        return -err;
}

static json_object *connect_result_new(int r)
{
        char buf[16];
        return json_object_new_string(r >= 0 ? "ok" : errno_to_name(r, buf));
}

static int probe_unix(const char *root, json_object *o)
{
        _cleanup_free_ char *path = NULL;
        char buf[16];
        mode_t m;
        int r;

        if (json_add(o, "path", json_object_new_string(QGS_SOCKET_PATH)) < 0)
                return -ENOMEM;
        r = stat_at_root(root, QGS_SOCKET_PATH, &m);
        if (r < 0)
                return json_add(o, "type", json_object_new_string(errno_to_name(r, buf)));
        if (json_add(o, "type",
                     json_object_new_string(S_ISSOCK(m)  ? "socket"
                                            : S_ISREG(m) ? "file"
                                                         : "other")) < 0)
                return -ENOMEM;

        r = path_join_root(root, QGS_SOCKET_PATH, &path);
        if (r < 0)
                return r;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                r = -ENAMETOOLONG;
        else {
                memcpy(sa.sun_path, path, strlen(path) + 1);
                r = connect_bounded(AF_UNIX, (const struct sockaddr *) &sa, sizeof(sa));
        }
        if (r < 0)
                log_debug_errno(r, "QGS UNIX socket %s: %m", path);
        return json_add(o, "connect", connect_result_new(r));
}

static int probe_vsock(unsigned port, json_object *o)
{
        struct sockaddr_vm sa = {
                .svm_family = AF_VSOCK,
                .svm_cid = VMADDR_CID_LOCAL,
                .svm_port = port,
        };
        int r = connect_bounded(AF_VSOCK, (const struct sockaddr *) &sa, sizeof(sa));
        if (r < 0)
                log_debug_errno(r, "QGS vsock %u:%u: %m", VMADDR_CID_LOCAL, port);
        if (json_add(o, "cid", json_object_new_int(VMADDR_CID_LOCAL)) < 0 ||
            json_add(o, "port", json_object_new_int64(port)) < 0 ||
            json_add(o, "connect", connect_result_new(r)) < 0)
                return -ENOMEM;
        return 0;
}

int probe_qgs(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        _cleanup_free_ char *text = NULL;
        unsigned port = QGS_DEFAULT_PORT;
        int r;

        (void) qemu;
        if (flags & CVM_FACTS_NO_QGS) {
                *ret = NULL; /* not collected */
                return 0;
        }

        /* json_add() takes each new member even on failure, so nothing leaks on the way out. */
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        json_object *config = json_object_new_object();
        if (json_add(o, "config", config) < 0 ||
            json_add(config, "path", json_object_new_string(QGS_CONFIG_PATH)) < 0)
                return -ENOMEM;

        r = read_full_file_at_root(root, QGS_CONFIG_PATH, QGS_CONFIG_MAX, &text, NULL);
        if (r >= 0) {
                unsigned p;
                r = qgs_config_port(text, &p);
                if (r >= 0)
                        port = p;
        }
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                r = json_add(config, "port", json_object_new_int64(port));
        else {
                log_debug_errno(r, "Cannot take the QGS port from %s, assuming %u: %m", QGS_CONFIG_PATH,
                                port);
                char name[16];
                r = json_add(config, "error", json_object_new_string(errno_to_name(r, name)));
        }
        if (r < 0)
                return -ENOMEM;

        json_object *ux = json_object_new_object();
        if (json_add(o, "port", json_object_new_int64(port)) < 0 ||
            json_add(o, "mode", json_object_new_string(port == 0 ? "unix" : "vsock")) < 0 ||
            json_add(o, "unix", ux) < 0)
                return -ENOMEM;
        r = probe_unix(root, ux);
        if (r < 0)
                return r;

        /* Port 0 selects the UNIX socket: there is no vsock port to try then. */
        if (port != 0) {
                json_object *vs = json_object_new_object();
                if (json_add(o, "vsock", vs) < 0)
                        return -ENOMEM;
                r = probe_vsock(port, vs);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(o);
        return 0;
}
