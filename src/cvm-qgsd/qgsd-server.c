/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "log.h"
#include "qgs/qgs-proto.h"
#include "qgsd-server.h"
#include "sd-notify.h"
#include "time-util.h"

typedef enum SourceKind {
        SOURCE_LISTENER,
        SOURCE_SIGNAL,
        SOURCE_EVENT,
        SOURCE_CONN,
} SourceKind;

/* What an epoll event points at; a Conn starts with one. */
typedef struct Source {
        SourceKind kind;
        int fd;
} Source;

/* A GET_QUOTE_REQ with a 1024-byte TDREPORT and room for an ID list: what the first read asks for. */
#define CONN_READ_AHEAD 2048U

typedef enum ConnState {
        CONN_READING,
        CONN_WORKING, /* owned by a worker thread: the loop does not touch it */
        CONN_WRITING,
} ConnState;

typedef struct Conn {
        Source src;
        uint64_t id;
        ConnState state;
        uint32_t events; /* what the epoll set watches for it; 0: not in the set */
        uint8_t *in;
        size_t in_n, in_cap;
        QgsFrameKind kind;
        uint8_t *out; /* NULL after work: close without a reply (raw mode failures) */
        size_t out_n, out_off;
        uint64_t deadline;
        struct Conn *prev, *next; /* the deadline list, in deadline order */
        struct Conn *job_next;    /* the work or the done queue */
} Conn;

struct QgsdServer {
        int epfd;
        Source signal, event;
        Source *listeners;
        size_t n_listeners;
        bool paused, stopping; /* written by the loop under lock, read by workers under it */

        atomic_uint n_conn; /* workers close the connections they finish */
        unsigned max_conn;
        uint64_t timeout_usec, next_id;
        Conn *head, *tail; /* sorted by deadline */

        pthread_t *threads;
        unsigned n_threads;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        Conn *work_head, *work_tail, *done_head, *done_tail;
        bool quit_workers;
        QgsdBackend *backend; /* swapped under lock on SIGHUP */

        QgsdReloadFn reload;
        void *userdata;
};

static void deadline_unlink(QgsdServer *s, Conn *c)
{
        if (c->prev)
                c->prev->next = c->next;
        else if (s->head == c)
                s->head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else if (s->tail == c)
                s->tail = c->prev;
        c->prev = c->next = NULL;
}

/* Usually an append; after a SIGHUP that shortened the timeout, older connections may end later. */
static void deadline_append(QgsdServer *s, Conn *c)
{
        Conn *after = s->tail;

        c->deadline = now_usec() + s->timeout_usec;
        while (after && after->deadline > c->deadline)
                after = after->prev;
        c->prev = after;
        c->next = after ? after->next : s->head;
        if (c->next)
                c->next->prev = c;
        else
                s->tail = c;
        if (after)
                after->next = c;
        else
                s->head = c;
}

static void listeners_watch(QgsdServer *s, bool on)
{
        for (size_t i = 0; i < s->n_listeners; i++) {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->listeners[i] };
                (void) epoll_ctl(s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->listeners[i].fd, &ev);
        }
        pthread_mutex_lock(&s->lock);
        s->paused = !on;
        pthread_mutex_unlock(&s->lock);
}

/* After a connection ended, or after pausing: a worker may have closed one before it saw the pause. */
static void listeners_maybe_resume(QgsdServer *s)
{
        if (s->paused && !s->stopping && s->n_conn < s->max_conn)
                listeners_watch(s, true);
}

/* The peer's pid for the log (unix sockets only; 0 when unknown). */
static pid_t conn_peer_pid(const Conn *c)
{
        struct ucred cred;
        socklen_t cl = sizeof(cred);
        return getsockopt(c->src.fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 ? cred.pid : 0;
}

static void conn_close(QgsdServer *s, Conn *c)
{
        deadline_unlink(s, c);
        (void) close(c->src.fd); /* also removes it from the epoll set */
        free(c->in);
        free(c->out);
        free(c);
        s->n_conn--;
        listeners_maybe_resume(s);
}

/* A connection enters the set only when it has to wait: most requests are there when they are accepted. */
static int conn_watch(QgsdServer *s, Conn *c, uint32_t events)
{
        struct epoll_event ev = { .events = events, .data.ptr = c };
        if (c->events == events)
                return 0;
        if (epoll_ctl(s->epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->src.fd, &ev) < 0)
                return log_warning_errno(errno, "Connection %" PRIu64 ": epoll_ctl() failed: %m", c->id);
        c->events = events;
        return 0;
}

/*
 * One request per connection: QEMU and Intel's library expect the end of the stream after the reply. An
 * error reply may leave request bytes unread, and closing a unix socket with unread input makes the peer's
 * next read fail with ECONNRESET instead of EOF: discard what has already arrived first.
 */
static void conn_finish(int fd)
{
        for (unsigned i = 0; i < 32; i++) {
                uint8_t sink[4096];
                if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
                        break;
        }
}

/* ---- worker side ---- */

static int error_reply(Conn *c, int32_t req_type, uint32_t qgs_error)
{
        return qgs_build_error_resp(qgs_response_type(req_type), qgs_error, &c->out, &c->out_n);
}

/* header.type of a framed request as far as it arrived, to answer with the matching response type. */
static int32_t request_type(const Conn *c)
{
        if (c->in_n < QGS_PREFIX_SIZE + 8)
                return QGS_GET_QUOTE_REQ;
        const uint8_t *t = c->in + QGS_PREFIX_SIZE + 4;
        uint32_t v = (uint32_t) t[0] | (uint32_t) t[1] << 8 | (uint32_t) t[2] << 16 | (uint32_t) t[3] << 24;
        return v < _QGS_MSG_TYPE_MAX ? (int32_t) v : QGS_GET_QUOTE_REQ;
}

static void work_framed(QgsdBackend *b, Conn *c)
{
        _cleanup_free_ char *err = NULL;
        _cleanup_free_ uint8_t *quote = NULL;
        uint32_t qgs_error = QGS_ERROR_UNEXPECTED;
        size_t quote_size = 0;
        QgsMessage m;
        int r;

        r = qgs_msg_parse(c->in + QGS_PREFIX_SIZE, c->in_n - QGS_PREFIX_SIZE, &m, &qgs_error, &err);
        if (r < 0) {
                log_info("Connection %" PRIu64 ": %s, answering %s", c->id, err ?: "invalid message",
                         strna(qgs_error_to_string(qgs_error)));
                (void) error_reply(c, request_type(c), qgs_error);
                return;
        }

        switch (m.type) {
        case QGS_GET_QUOTE_REQ:
                r = b->ops->quote(b->state, m.quote_req.report.p, m.quote_req.report.size, &quote,
                                  &quote_size);
                if (r >= 0)
                        r = qgs_build_quote_resp(quote, quote_size, &c->out, &c->out_n);
                if (r < 0) {
                        log_info("Connection %" PRIu64 ": no quote for the %" PRIu32 "-byte report: %s",
                                 c->id, m.quote_req.report.size, strerror(-r));
                        /* Intel's QGS answers UNEXPECTED for every backend failure. */
                        (void) error_reply(c, m.type, QGS_ERROR_UNEXPECTED);
                } else
                        log_debug("Connection %" PRIu64 ": quote of %zu bytes", c->id, quote_size);
                return;
        case QGS_GET_PLATFORM_INFO_REQ: {
                QgsdPlatformInfo p;
                r = b->ops->platform_info ? b->ops->platform_info(b->state, &p) : -EOPNOTSUPP;
                if (r >= 0)
                        r = qgs_build_platform_info_resp(p.tdqe_isvsvn, p.pce_isvsvn, p.platform_id,
                                                         sizeof(p.platform_id), p.cpusvn, sizeof(p.cpusvn),
                                                         &c->out, &c->out_n);
                if (r < 0) {
                        log_info("Connection %" PRIu64 ": no platform information from backend '%s': %s",
                                 c->id, b->ops->name, strerror(-r));
                        (void) error_reply(c, m.type, QGS_ERROR_UNEXPECTED);
                }
                return;
        }
        case QGS_GET_COLLATERAL_REQ:
                log_info("Connection %" PRIu64
                         ": GET_COLLATERAL_REQ is not served (collateral comes from the "
                         "PCCS or the soft CA's directory)",
                         c->id);
                (void) error_reply(c, m.type, QGS_ERROR_UNEXPECTED);
                return;
        default:
                log_info("Connection %" PRIu64 ": a client sent a response (%s), answering INVALID_TYPE",
                         c->id, qgs_msg_type_to_string(m.type));
                (void) error_reply(c, QGS_GET_QUOTE_REQ, QGS_ERROR_INVALID_TYPE);
                return;
        }
}

static void work_raw(QgsdBackend *b, Conn *c)
{
        /* The raw mode has no error format: a failure closes the connection, as Intel's QGS does. */
        int r = b->ops->quote(b->state, c->in, c->in_n, &c->out, &c->out_n);
        if (r < 0) {
                log_info("Connection %" PRIu64 ": no quote for the raw TDREPORT: %s, closing", c->id,
                         strerror(-r));
                c->out = NULL;
        }
}

static void *worker(void *userdata)
{
        QgsdServer *s = userdata;

        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (!s->work_head && !s->quit_workers)
                        pthread_cond_wait(&s->cond, &s->lock);
                if (!s->work_head)
                        break;
                Conn *c = s->work_head;
                s->work_head = c->job_next;
                if (!s->work_head)
                        s->work_tail = NULL;
                QgsdBackend *b = qgsd_backend_ref(s->backend);
                pthread_mutex_unlock(&s->lock);

                if (c->kind == QGS_FRAME_RAW)
                        work_raw(b, c);
                else
                        work_framed(b, c);
                qgsd_backend_unref(b);

                /* The reply usually fits the socket buffer: send it from here, saving the client a trip
                 * through the loop; the loop closes, or writes the rest when the client reads slowly. */
                while (c->out && c->out_off < c->out_n) {
                        ssize_t n = send(c->src.fd, c->out + c->out_off, c->out_n - c->out_off,
                                         MSG_DONTWAIT | MSG_NOSIGNAL);
                        if (n <= 0)
                                break;
                        c->out_off += (size_t) n;
                }
                if (!c->out || c->out_off == c->out_n) {
                        /* Done: closed here rather than handed back, which would wake the loop for every
                         * request. The loop needs to hear of it only when paused at the cap or draining. */
                        if (c->out)
                                conn_finish(c->src.fd);
                        (void) close(c->src.fd);
                        free(c->in);
                        free(c->out);
                        free(c);
                        pthread_mutex_lock(&s->lock);
                        s->n_conn--;
                        if (s->paused || s->stopping) {
                                uint64_t one = 1;
                                (void) !write(s->event.fd, &one, sizeof(one));
                        }
                        continue;
                }

                pthread_mutex_lock(&s->lock);
                c->job_next = NULL;
                if (s->done_tail)
                        s->done_tail->job_next = c;
                else
                        s->done_head = c;
                s->done_tail = c;
                uint64_t one = 1;
                (void) !write(s->event.fd, &one, sizeof(one));
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

/* ---- loop side ---- */

static void conn_write(QgsdServer *s, Conn *c)
{
        while (c->out_off < c->out_n) {
                ssize_t n = send(c->src.fd, c->out + c->out_off, c->out_n - c->out_off, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN && conn_watch(s, c, EPOLLOUT) >= 0)
                                return;
                        if (errno == EAGAIN)
                                break;
                        log_full_errno(LOG_INFO, errno,
                                       "Connection %" PRIu64 ": the client went away before its reply: %m",
                                       c->id);
                        break;
                }
                c->out_off += (size_t) n;
        }
        conn_finish(c->src.fd);
        conn_close(s, c);
}

static void conn_reply_now(QgsdServer *s, Conn *c, int32_t req_type, uint32_t qgs_error)
{
        if (error_reply(c, req_type, qgs_error) < 0) {
                conn_close(s, c);
                return;
        }
        c->state = CONN_WRITING;
        conn_write(s, c);
}

static void conn_dispatch(QgsdServer *s, Conn *c)
{
        c->state = CONN_WORKING;
        deadline_unlink(s, c); /* the backend's own time is not the client's */
        /* Out of the set, not just masked: an empty mask still reports EPOLLHUP and EPOLLERR, level-
         * triggered, so a client that hangs up while its request is worked on would spin the loop. */
        if (c->events != 0)
                (void) epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->src.fd, NULL);
        c->events = 0;

        pthread_mutex_lock(&s->lock);
        c->job_next = NULL;
        if (s->work_tail)
                s->work_tail->job_next = c;
        else
                s->work_head = c;
        s->work_tail = c;
        pthread_mutex_unlock(&s->lock);
        /* After the unlock: a woken worker would otherwise block at once on the mutex the loop holds. */
        pthread_cond_signal(&s->cond);
}

/* Returns whether c is still open and reading: it may have been answered, dispatched or closed. */
static bool conn_read(QgsdServer *s, Conn *c)
{
        for (;;) {
                _cleanup_free_ char *err = NULL;
                uint32_t qgs_error = QGS_ERROR_INVALID_SIZE;
                size_t need;
                int r;

                /* What was read ahead beyond the request is dropped, as it would have been left unread. */
                if (c->in_n > QGS_PREFIX_SIZE + QGS_HEADER_SIZE &&
                    qgs_frame_classify(c->in, QGS_PREFIX_SIZE + QGS_HEADER_SIZE, QGS_MSG_MAX, &c->kind,
                                       &need, NULL, NULL) >= 0)
                        c->in_n = MIN(c->in_n, need);
                r = qgs_frame_classify(c->in, c->in_n, QGS_MSG_MAX, &c->kind, &need, &qgs_error, &err);
                if (r < 0) {
                        log_info("Connection %" PRIu64 ": %s, answering %s", c->id, err ?: "invalid frame",
                                 strna(qgs_error_to_string(qgs_error)));
                        conn_reply_now(s, c, request_type(c), qgs_error);
                        return false;
                }
                if (c->kind != QGS_FRAME_MORE) {
                        conn_dispatch(s, c);
                        return false;
                }

                /* Until the header tells the size, read as much as a quote request takes, so that one recv()
                 * usually gets it all; then exactly what the request still lacks. */
                bool size_known = c->in_n >= QGS_PREFIX_SIZE + QGS_HEADER_SIZE ||
                                  (c->in_n > 0 && c->in[0] == QGS_TDX_REPORT_TYPE);
                size_t want = size_known ? need : MAX(need, CONN_READ_AHEAD);
                if (want > c->in_cap) {
                        uint8_t *p = realloc(c->in, want);
                        if (!p) {
                                log_oom();
                                conn_close(s, c);
                                return false;
                        }
                        c->in = p;
                        c->in_cap = want;
                }
                ssize_t n = recv(c->src.fd, c->in + c->in_n, want - c->in_n, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return true;
                        log_full_errno(LOG_INFO, errno, "Connection %" PRIu64 ": read failed: %m", c->id);
                        conn_close(s, c);
                        return false;
                }
                if (n == 0) {
                        if (c->in_n == 0 || c->in[0] == QGS_TDX_REPORT_TYPE) {
                                if (c->in_n > 0)
                                        log_info("Connection %" PRIu64
                                                 ": raw TDREPORT ended after %zu of %u bytes, closing",
                                                 c->id, c->in_n, QGS_RAW_REPORT_SIZE);
                                conn_close(s, c);
                                return false;
                        }
                        log_info("Connection %" PRIu64 ": the client stopped sending after %zu of %zu "
                                 "bytes, answering INVALID_SIZE",
                                 c->id, c->in_n, need);
                        conn_reply_now(s, c, request_type(c), QGS_ERROR_INVALID_SIZE);
                        return false;
                }
                c->in_n += (size_t) n;
        }
}

static void on_listener(QgsdServer *s, Source *l)
{
        while (s->n_conn < s->max_conn) {
                int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno == EAGAIN)
                                return;
                        log_warning_errno(errno, "accept() failed: %m");
                        /* Out of descriptors or memory: the listener stays readable, so watching it would
                         * spin the loop and flood the log. Wait for a connection to end instead. */
                        unsigned open = s->n_conn;
                        if (open > 0 && !s->paused) {
                                listeners_watch(s, false);
                                if (s->n_conn < open) /* a worker closed one before it saw the pause */
                                        listeners_watch(s, true);
                        }
                        return;
                }
                Conn *c = new0(Conn, 1);
                if (!c) {
                        log_oom();
                        (void) close(fd);
                        return;
                }
                c->src = (Source){ .kind = SOURCE_CONN, .fd = fd };
                c->id = ++s->next_id;
                s->n_conn++;
                deadline_append(s, c);
                if (log_get_max_level() >= LOG_DEBUG)
                        log_debug("Connection %" PRIu64 " from pid %d", c->id, (int) conn_peer_pid(c));
                /* QEMU writes its request right after connecting: often it is there already. */
                if (conn_read(s, c) && conn_watch(s, c, EPOLLIN) < 0)
                        conn_close(s, c);
        }
        /* At the cap: leave further clients in the listen backlog until a connection ends. */
        if (!s->paused) {
                log_info("%u connections open, the cap: accepting again when one ends",
                         (unsigned) s->n_conn);
                listeners_watch(s, false);
                listeners_maybe_resume(s);
        }
}

static void on_done(QgsdServer *s)
{
        uint64_t v;
        (void) !read(s->event.fd, &v, sizeof(v));

        pthread_mutex_lock(&s->lock);
        Conn *c = s->done_head;
        s->done_head = s->done_tail = NULL;
        pthread_mutex_unlock(&s->lock);

        while (c) {
                Conn *next = c->job_next;
                if (!c->out || c->out_off == c->out_n)
                        conn_close(s, c); /* failed, or the worker sent the whole reply */
                else {
                        c->state = CONN_WRITING;
                        deadline_append(s, c);
                        conn_write(s, c);
                }
                c = next;
        }
        /* Woken by a worker that closed a connection while paused or draining. */
        listeners_maybe_resume(s);
}

static void server_reload(QgsdServer *s)
{
        QgsdConfig c = {};
        QgsdBackend *b = NULL;

        log_info("Reloading (SIGHUP)");
        (void) service_notifyf("RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_usec());
        if (s->reload(&c, s->userdata) < 0 || qgsd_backend_load(&c, &b) < 0) {
                log_warning("Reload failed, keeping the running configuration");
                (void) service_notify("READY=1");
                qgsd_config_done(&c);
                return;
        }
        pthread_mutex_lock(&s->lock);
        QgsdBackend *old = s->backend;
        s->backend = b;
        pthread_mutex_unlock(&s->lock);
        qgsd_backend_unref(old); /* workers still holding it finish with it */

        s->timeout_usec = (uint64_t) c.timeout_ms * 1000;
        s->max_conn = c.max_connections;
        if (s->paused && s->n_conn < s->max_conn)
                listeners_watch(s, true);
        log_info("Reloaded: backend '%s', timeout %u ms, at most %u connections (listen addresses and "
                 "threads "
                 "change only on restart)",
                 c.backend, c.timeout_ms, c.max_connections);
        (void) service_notify("READY=1");
        qgsd_config_done(&c);
}

static void server_stop(QgsdServer *s)
{
        log_info("Stopping: no new connections; finishing %u in flight", s->n_conn);
        (void) service_notify("STOPPING=1");
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_mutex_unlock(&s->lock);
        if (!s->paused)
                listeners_watch(s, false);
        /* Idle connections have no request to finish; what a client sent before the signal counts. */
        for (Conn *c = s->head, *next; c; c = next) {
                next = c->next;
                if (c->state != CONN_READING)
                        continue;
                if (c->in_n == 0 && conn_read(s, c) && c->in_n == 0)
                        conn_close(s, c);
        }
}

static void on_signal(QgsdServer *s)
{
        struct signalfd_siginfo si;
        while (read(s->signal.fd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                if (si.ssi_signo == SIGHUP && s->stopping)
                        log_info("Stopping: ignoring SIGHUP");
                else if (si.ssi_signo == SIGHUP)
                        server_reload(s);
                else if (!s->stopping)
                        server_stop(s);
        }
}

static void expire(QgsdServer *s)
{
        uint64_t now = now_usec();
        while (s->head && s->head->deadline <= now) {
                Conn *c = s->head;
                log_info("Connection %" PRIu64 " (pid %d): no %s within %" PRIu64 " ms, closing", c->id,
                         (int) conn_peer_pid(c),
                         c->state == CONN_READING ? "complete request" : "reply taken",
                         s->timeout_usec / 1000);
                conn_close(s, c);
        }
}

int qgsd_server_run(QgsdServer *s)
{
        struct epoll_event evs[64];

        for (;;) {
                if (s->stopping && s->n_conn == 0)
                        break;
                int timeout = -1;
                if (s->head) {
                        uint64_t now = now_usec();
                        timeout = s->head->deadline <= now
                                          ? 0
                                          : (int) MIN((s->head->deadline - now + 999) / 1000,
                                                      (uint64_t) INT32_MAX);
                }
                int n = epoll_wait(s->epfd, evs, ELEMENTSOF(evs), timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "epoll_wait() failed: %m");
                }
                /* An fd appears at most once per batch and a connection is freed only by the handler of its
                 * own event, so no event of this batch points at freed memory. What closes other
                 * connections (finished work, signals, deadlines) runs after the batch. */
                bool sig = false, done = false;
                for (int i = 0; i < n; i++) {
                        Source *src = evs[i].data.ptr;
                        switch (src->kind) {
                        case SOURCE_LISTENER:
                                if (!s->stopping && !s->paused)
                                        on_listener(s, src);
                                break;
                        case SOURCE_SIGNAL:
                                sig = true;
                                break;
                        case SOURCE_EVENT:
                                done = true;
                                break;
                        case SOURCE_CONN: {
                                Conn *c = (Conn *) src;
                                if (c->state == CONN_READING)
                                        (void) conn_read(s, c);
                                else if (c->state == CONN_WRITING)
                                        conn_write(s, c);
                                break;
                        }
                        }
                }
                if (done)
                        on_done(s);
                if (sig)
                        on_signal(s);
                expire(s);
        }
        log_info("All connections finished, exiting");
        return 0;
}

int qgsd_server_new(const QgsdConfig *c, int *fds, size_t n_fds, QgsdBackend *backend, QgsdReloadFn reload,
                    void *userdata, QgsdServer **ret)
{
        _cleanup_(qgsd_server_freep) QgsdServer *s = new0(QgsdServer, 1);
        sigset_t mask;

        if (!s) {
                for (size_t i = 0; i < n_fds; i++)
                        (void) close(fds[i]);
                qgsd_backend_unref(backend);
                return log_oom();
        }
        s->epfd = s->signal.fd = s->event.fd = -EBADF;
        s->backend = backend;
        s->reload = reload;
        s->userdata = userdata;
        s->max_conn = c->max_connections;
        s->timeout_usec = (uint64_t) c->timeout_ms * 1000;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);

        s->listeners = new0(Source, n_fds);
        if (!s->listeners) {
                for (size_t i = 0; i < n_fds; i++)
                        (void) close(fds[i]);
                return log_oom();
        }
        for (size_t i = 0; i < n_fds; i++)
                s->listeners[i] = (Source){ .kind = SOURCE_LISTENER, .fd = fds[i] };
        s->n_listeners = n_fds;

        s->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (s->epfd < 0)
                return log_error_errno(errno, "epoll_create1() failed: %m");

        /* Blocked before the workers start, so they inherit the mask and only the signalfd sees them. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
                return log_error_errno(EINVAL, "Failed to block signals");
        s->signal = (Source){ .kind = SOURCE_SIGNAL, .fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC) };
        s->event = (Source){ .kind = SOURCE_EVENT, .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
        if (s->signal.fd < 0 || s->event.fd < 0)
                return log_error_errno(errno, "Failed to create the signal and event descriptors: %m");
        struct epoll_event ev1 = { .events = EPOLLIN, .data.ptr = &s->signal };
        struct epoll_event ev2 = { .events = EPOLLIN, .data.ptr = &s->event };
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->signal.fd, &ev1) < 0 ||
            epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->event.fd, &ev2) < 0)
                return log_error_errno(errno, "epoll_ctl() failed: %m");
        listeners_watch(s, true);

        s->threads = new0(pthread_t, c->threads);
        if (!s->threads)
                return log_oom();
        for (unsigned i = 0; i < c->threads; i++) {
                int r = pthread_create(&s->threads[i], NULL, worker, s);
                if (r != 0)
                        return log_error_errno(r, "Failed to start worker thread: %m");
                s->n_threads++;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

QgsdServer *qgsd_server_free(QgsdServer *s)
{
        if (!s)
                return NULL;
        pthread_mutex_lock(&s->lock);
        s->quit_workers = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        for (unsigned i = 0; i < s->n_threads; i++)
                pthread_join(s->threads[i], NULL);
        free(s->threads);

        /* After a failed epoll_wait(), finished work may be left; a normal exit has none. */
        while (s->done_head) {
                Conn *c = s->done_head;
                s->done_head = c->job_next;
                conn_close(s, c);
        }
        while (s->head)
                conn_close(s, s->head);
        for (size_t i = 0; i < s->n_listeners; i++)
                (void) close(s->listeners[i].fd);
        free(s->listeners);
        if (s->signal.fd >= 0)
                (void) close(s->signal.fd);
        if (s->event.fd >= 0)
                (void) close(s->event.fd);
        if (s->epfd >= 0)
                (void) close(s->epfd);
        qgsd_backend_unref(s->backend);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        free(s);
        return NULL;
}
