/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QMP client. Protocol: qemu/qemu docs/interop/qmp-spec.rst ("Server Greeting", "Issuing Commands",
 * "Commands Responses", "Asynchronous events"); observed behaviour of QEMU 7.2 and 11.1 in
 * reference/test-environment.md 2.5.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include "json-util.h"
#include "log.h"
#include "qmp.h"
#include "string-table.h"
#include "time-util.h"

static const char *const qmp_message_type_table[_QMP_MESSAGE_TYPE_MAX] = {
        [QMP_MESSAGE_GREETING] = "greeting",
        [QMP_MESSAGE_RETURN] = "return",
        [QMP_MESSAGE_ERROR] = "error",
        [QMP_MESSAGE_EVENT] = "event",
};
DEFINE_STRING_TABLE_LOOKUP(qmp_message_type, QmpMessageType);

void qmp_message_done(QmpMessage *m)
{
        if (!m)
                return;
        json_object_put(m->root);
        *m = (QmpMessage){ .type = _QMP_MESSAGE_TYPE_INVALID };
}

static bool has_member(json_object *o, const char *key)
{
        return json_object_object_get_ex(o, key, NULL);
}

int qmp_message_parse(const char *line, size_t size, QmpMessage *ret)
{
        _cleanup_(json_object_putp) json_object *root = NULL;
        QmpMessage m = { .type = _QMP_MESSAGE_TYPE_INVALID };
        json_object *v;

        if (size > QMP_MESSAGE_MAX)
                return log_debug_errno(SYNTHETIC_ERRNO(E2BIG), "QMP message of %zu bytes exceeds %u", size,
                                       QMP_MESSAGE_MAX);
        int r = json_parse_strict(line, size, QMP_JSON_DEPTH, &root);
        if (r < 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "QMP message is not valid JSON");
        if (!json_object_is_type(root, json_type_object))
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "QMP message is not a JSON object");

        bool is_return = has_member(root, "return"), is_error = has_member(root, "error"),
             is_event = has_member(root, "event"), is_greeting = has_member(root, "QMP");
        if (is_return + is_error + is_event + is_greeting != 1)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "QMP message is not exactly one of greeting, return, error, event");

        if (is_greeting) {
                v = json_get(root, "QMP", json_type_object);
                if (!v)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "QMP greeting: \"QMP\" is not an object");
                m.type = QMP_MESSAGE_GREETING;
                m.value = v;
        } else if (is_event) {
                m.event = json_get_string(root, "event");
                if (isempty(m.event))
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "QMP event: \"event\" is not a name");
                m.type = QMP_MESSAGE_EVENT;
                (void) json_object_object_get_ex(root, "data", &m.value);
        } else {
                /* Responses carry the id of their command, when it had one; any JSON value is allowed. */
                (void) json_object_object_get_ex(root, "id", &m.id);
                if (is_return) {
                        m.type = QMP_MESSAGE_RETURN;
                        (void) json_object_object_get_ex(root, "return", &m.value);
                } else {
                        json_object *e = json_get(root, "error", json_type_object);
                        m.error_class = json_get_string(e, "class");
                        m.error_desc = json_get_string(e, "desc");
                        if (!m.error_class || !m.error_desc)
                                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                                       "QMP error response lacks \"class\" or \"desc\"");
                        m.type = QMP_MESSAGE_ERROR;
                        m.value = e;
                }
        }

        m.root = TAKE_PTR(root);
        *ret = m;
        return 0;
}

struct QmpClient {
        int in_fd, out_fd;

        char *buf; /* received, not yet consumed */
        size_t buf_len, buf_alloc;
        bool eof;
        int broken; /* once the byte stream is out of step, every call fails with this */

        json_object *greeting;
        int64_t next_id;

        QmpMessage events[QMP_EVENTS_MAX];
        size_t n_events, events_dropped;
};

static int set_nonblock(int fd)
{
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        if (flags & O_NONBLOCK)
                return 0;
        return RET_NERRNO(fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

int qmp_client_new(int in_fd, int out_fd, QmpClient **ret)
{
        int r;

        if (in_fd < 0 || out_fd < 0)
                return -EBADF;
        QmpClient *c = new0(QmpClient, 1);
        if (!c)
                return -ENOMEM;
        c->in_fd = in_fd;
        c->out_fd = out_fd;
        r = set_nonblock(in_fd);
        if (r >= 0 && out_fd != in_fd)
                r = set_nonblock(out_fd);
        if (r < 0) {
                /* Ownership was handed over: the descriptors go with the client. */
                qmp_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

QmpClient *qmp_client_free(QmpClient *c)
{
        if (!c)
                return NULL;
        if (c->in_fd >= 0)
                (void) close(c->in_fd);
        if (c->out_fd >= 0 && c->out_fd != c->in_fd)
                (void) close(c->out_fd);
        for (size_t i = 0; i < c->n_events; i++)
                qmp_message_done(c->events + i);
        json_object_put(c->greeting);
        free(c->buf);
        free(c);
        return NULL;
}

static uint64_t deadline_after(uint64_t timeout_usec)
{
        uint64_t now = now_usec();
        return timeout_usec > UINT64_MAX - now ? UINT64_MAX : now + timeout_usec;
}

/* Waits for fd to become ready before the deadline: 0, -ETIMEDOUT, -errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
        for (;;) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                uint64_t left_ms = (deadline - now + 999) / 1000;
                struct pollfd p = { .fd = fd, .events = events };
                int k = poll(&p, 1, left_ms > INT32_MAX ? INT32_MAX : (int) left_ms);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k > 0) {
                        if (p.revents & POLLNVAL)
                                return -EBADF;
                        return 0; /* POLLHUP/POLLERR: the read or write that follows tells what happened */
                }
        }
}

/*
 * write() that cannot kill us with SIGPIPE. Sockets take MSG_NOSIGNAL; for pipes the signal is blocked in
 * this thread around the call and a SIGPIPE we caused is consumed before unblocking (the usual library
 * pattern; process-wide handlers stay untouched).
 */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n)
{
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k >= 0 || errno != ENOTSOCK)
                return k;

        sigset_t pipe_set, pending, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigemptyset(&pending);
        (void) sigpending(&pending);
        bool was_pending = sigismember(&pending, SIGPIPE) == 1;

        if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0)
                return -1;
        k = write(fd, p, n);
        int saved = errno;
        if (k < 0 && saved == EPIPE && !was_pending) {
                struct timespec zero = {};
                (void) sigtimedwait(&pipe_set, NULL, &zero);
        }
        (void) pthread_sigmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return k;
}

static int client_write(QmpClient *c, const char *p, size_t n, uint64_t deadline)
{
        while (n > 0) {
                ssize_t k = write_nosigpipe(c->out_fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                int r = wait_fd(c->out_fd, POLLOUT, deadline);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if (errno == EPIPE || errno == ECONNRESET)
                                return -ECONNRESET;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Reads until one complete line is buffered; returns its length without the newline. */
static int client_fill_line(QmpClient *c, uint64_t deadline, size_t *ret_len)
{
        size_t scanned = 0;

        for (;;) {
                char *nl = c->buf ? memchr(c->buf + scanned, '\n', c->buf_len - scanned) : NULL;
                if (nl) {
                        *ret_len = (size_t) (nl - c->buf);
                        return 0;
                }
                scanned = c->buf_len;
                if (c->buf_len > QMP_MESSAGE_MAX)
                        return log_debug_errno(SYNTHETIC_ERRNO(E2BIG), "QMP line longer than %u bytes",
                                               QMP_MESSAGE_MAX);
                if (c->eof)
                        return c->buf_len > 0 ? log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                                                "QMP peer closed in the middle of a line")
                                              : -ECONNRESET;

                if (c->buf_alloc - c->buf_len < 4096) {
                        /* Grow geometrically, but never far beyond one maximal line. */
                        size_t want = c->buf_alloc ? c->buf_alloc * 2 : 65536;
                        want = MIN(want, (size_t) QMP_MESSAGE_MAX + 65536);
                        if (want <= c->buf_alloc)
                                return -E2BIG;
                        char *b = realloc(c->buf, want);
                        if (!b)
                                return -ENOMEM;
                        c->buf = b;
                        c->buf_alloc = want;
                }

                ssize_t k = read(c->in_fd, c->buf + c->buf_len, c->buf_alloc - c->buf_len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                int r = wait_fd(c->in_fd, POLLIN, deadline);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if (errno == ECONNRESET)
                                c->eof = true;
                        else
                                return -errno;
                } else if (k == 0)
                        c->eof = true;
                else
                        c->buf_len += (size_t) k;
        }
}

static bool is_blank(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r", p[i]))
                        return false;
        return true;
}

/* The next message, blank lines skipped. Framing errors leave the client broken. */
static int client_read_message(QmpClient *c, uint64_t deadline, QmpMessage *ret)
{
        for (;;) {
                size_t len = 0;
                int r = client_fill_line(c, deadline, &len);
                if (r == -E2BIG || r == -EBADMSG || r == -ECONNRESET)
                        c->broken = r;
                if (r < 0)
                        return r;

                QmpMessage m;
                bool blank = is_blank(c->buf, len);
                r = blank ? 0 : qmp_message_parse(c->buf, len, &m);
                memmove(c->buf, c->buf + len + 1, c->buf_len - len - 1);
                c->buf_len -= len + 1;
                if (r < 0)
                        return r; /* the line is consumed: the stream itself is still in step */
                if (blank)
                        continue;
                *ret = m;
                return 0;
        }
}

static void client_queue_event(QmpClient *c, QmpMessage *m)
{
        log_debug("QMP event %s queued", m->event);
        if (c->n_events == QMP_EVENTS_MAX) {
                qmp_message_done(c->events);
                memmove(c->events, c->events + 1, (QMP_EVENTS_MAX - 1) * sizeof(QmpMessage));
                c->n_events--;
                c->events_dropped++;
        }
        c->events[c->n_events++] = *m;
        *m = (QmpMessage){};
}

/* The next message that is not an event; the events read on the way are queued. */
static int client_read_answer(QmpClient *c, uint64_t deadline, QmpMessage *ret)
{
        for (;;) {
                QmpMessage m;
                int r = client_read_message(c, deadline, &m);
                if (r < 0)
                        return r;
                if (m.type != QMP_MESSAGE_EVENT) {
                        *ret = m;
                        return 0;
                }
                client_queue_event(c, &m);
        }
}

int qmp_client_fd(const QmpClient *c)
{
        return c->in_fd;
}

int qmp_client_read_events(QmpClient *c)
{
        int n = 0;

        if (c->broken)
                return c->broken;
        for (;;) {
                _cleanup_(qmp_message_done) QmpMessage m = {};
                /* A deadline in the past: read what is there, never wait. */
                int r = client_read_message(c, 0, &m);
                if (r == -ETIMEDOUT)
                        return n;
                if (r == -EBADMSG && !c->broken) {
                        log_debug("QMP: skipping a malformed line");
                        continue;
                }
                if (r < 0)
                        return r;
                if (m.type == QMP_MESSAGE_EVENT) {
                        client_queue_event(c, &m);
                        n++;
                } else
                        log_debug("QMP: skipping an unsolicited %s", qmp_message_type_to_string(m.type));
        }
}

int qmp_client_next_event(QmpClient *c, QmpMessage *ret)
{
        if (c->n_events == 0)
                return -ENODATA;
        *ret = c->events[0];
        memmove(c->events, c->events + 1, (c->n_events - 1) * sizeof(QmpMessage));
        c->n_events--;
        return 0;
}

size_t qmp_client_events_dropped(const QmpClient *c)
{
        return c->events_dropped;
}

static int client_execute(QmpClient *c, const char *command, json_object *arguments, uint64_t deadline,
                          json_object **ret_return, char **reterr_class, char **reterr_desc)
{
        _cleanup_(json_object_putp) json_object *cmd = json_object_new_object();
        int64_t id = ++c->next_id;
        int r;

        if (c->broken)
                return c->broken;
        if (!cmd || json_add(cmd, "execute", json_object_new_string(command)) < 0 ||
            (arguments && json_add(cmd, "arguments", json_object_get(arguments)) < 0) ||
            json_add(cmd, "id", json_object_new_int64(id)) < 0)
                return -ENOMEM;

        _cleanup_free_ char *text = NULL;
        const char *s = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
        if (!s || asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;
        log_debug("QMP -> %s", s);

        r = client_write(c, text, strlen(text), deadline);
        if (r < 0) {
                if (r == -ECONNRESET)
                        c->broken = r;
                return r;
        }

        for (;;) {
                _cleanup_(qmp_message_done) QmpMessage m = {};
                r = client_read_answer(c, deadline, &m);
                if (r < 0)
                        return r;

                if (m.type == QMP_MESSAGE_GREETING)
                        return log_debug_errno(SYNTHETIC_ERRNO(EPROTO), "QMP greeting in reply to %s",
                                               command);
                /*
                 * Without an id the answer is ours: QEMU drops the id only when it could not parse the
                 * request. Another id belongs to a command that timed out earlier.
                 */
                if (m.id &&
                    !(json_object_is_type(m.id, json_type_int) && json_object_get_int64(m.id) == id)) {
                        log_debug("QMP: skipping a late answer with id %s",
                                  json_object_to_json_string(m.id));
                        continue;
                }

                if (m.type == QMP_MESSAGE_ERROR) {
                        log_debug("QMP <- %s: error %s: %s", command, m.error_class, m.error_desc);
                        if (reterr_class)
                                *reterr_class = strdup(m.error_class);
                        if (reterr_desc)
                                *reterr_desc = strdup(m.error_desc);
                        return -EREMOTEIO;
                }
                if (ret_return)
                        *ret_return = json_object_get(m.value);
                return 0;
        }
}

int qmp_execute(QmpClient *c, const char *command, json_object *arguments, uint64_t timeout_usec,
                json_object **ret_return, char **reterr_class, char **reterr_desc)
{
        if (!c || isempty(command))
                return -EINVAL;
        if (arguments && !json_object_is_type(arguments, json_type_object))
                return -EINVAL;
        return client_execute(c, command, arguments, deadline_after(timeout_usec), ret_return, reterr_class,
                              reterr_desc);
}

int qmp_client_handshake(QmpClient *c, uint64_t timeout_usec)
{
        uint64_t deadline = deadline_after(timeout_usec);
        int r;

        if (c->greeting)
                return -EALREADY;

        _cleanup_(qmp_message_done) QmpMessage m = {};
        r = client_read_answer(c, deadline, &m);
        if (r < 0)
                return r;
        if (m.type != QMP_MESSAGE_GREETING)
                return log_debug_errno(SYNTHETIC_ERRNO(EPROTO), "QMP peer sent a %s before its greeting",
                                       qmp_message_type_to_string(m.type));
        c->greeting = json_object_get(m.value);

        return client_execute(c, "qmp_capabilities", NULL, deadline, NULL, NULL, NULL);
}

int qmp_client_version(const QmpClient *c, unsigned *ret_major, unsigned *ret_minor, unsigned *ret_micro,
                       const char **ret_package)
{
        json_object *version = json_get(c->greeting, "version", json_type_object);
        json_object *q = json_get(version, "qemu", json_type_object);
        json_object *major = json_get(q, "major", json_type_int),
                    *minor = json_get(q, "minor", json_type_int),
                    *micro = json_get(q, "micro", json_type_int);
        json_object *parts[] = { major, minor, micro };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                if (!parts[i] || json_object_get_int64(parts[i]) < 0 ||
                    json_object_get_int64(parts[i]) > UINT32_MAX)
                        return -ENODATA;
        if (ret_major)
                *ret_major = (unsigned) json_object_get_int64(major);
        if (ret_minor)
                *ret_minor = (unsigned) json_object_get_int64(minor);
        if (ret_micro)
                *ret_micro = (unsigned) json_object_get_int64(micro);
        if (ret_package)
                *ret_package = json_get_string(version, "package");
        return 0;
}
