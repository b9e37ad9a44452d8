/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <poll.h>
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
        SOURCE_DONE, /* the loop's: connections handed back by workers, or a worker's wake-up while stopping
                      */
        SOURCE_JOBS, /* the workers': complete requests the loop queued */
        SOURCE_KICK, /* one worker's: re-read the accept state, or quit */
        SOURCE_CONN,
} SourceKind;

/* What an epoll event points at; a Conn starts with one. */
typedef struct Source {
        SourceKind kind;
        int fd;
} Source;

/* A GET_QUOTE_REQ with a 1024-byte TDREPORT and room for an ID list: what the first read asks for. */
#define CONN_READ_AHEAD 2048U

/*
 * How long a worker that accepted a connection waits for the rest of its request before handing it to the
 * loop. QEMU writes its request right after connecting, so it is usually there at once or within
 * microseconds; a client slower than this costs the loop's bookkeeping, not a worker.
 */
#define WORKER_READ_WINDOW_USEC 5000U

typedef enum ConnState {
        CONN_READING,
        CONN_WORKING, /* owned by a worker thread: the loop does not touch it */
        CONN_WRITING,
} ConnState;

typedef struct Conn {
        Source src;
        uint64_t id;
        ConnState state;
        uint32_t events; /* what the loop's epoll set watches for it; 0: not in the set */
        uint8_t *in;
        size_t in_n, in_cap;
        bool drained; /* the last read found the socket empty: nothing unread to discard before closing */
        QgsFrameKind kind;
        uint8_t *out; /* NULL after work: close without a reply (raw mode failures) */
        size_t out_n, out_off;
        uint64_t deadline;
        struct Conn *prev, *next; /* the loop's deadline list, in deadline order */
        struct Conn *job_next;    /* the work or the done queue */
} Conn;

typedef struct Worker {
        QgsdServer *server;
        pthread_t thread;
        bool started;
        int epfd; /* the listeners and the job queue (both EPOLLEXCLUSIVE), and kick */
        Source kick;
        bool listening; /* the listeners are in epfd */
} Worker;

/*
 * Workers accept, read, quote and reply on their own: the usual request costs no hand-over between
 * threads. The loop owns what has to wait: requests that arrive slowly, replies the client takes slowly,
 * deadlines, signals. Idle workers wait on the listeners with EPOLLEXCLUSIVE, so one connection wakes one
 * worker; while every worker is busy, new clients wait in the listen backlog, where a quote would wait for
 * a worker anyway.
 */
struct QgsdServer {
        int epfd;
        Source signal, done;
        Source *listeners;
        size_t n_listeners;

        atomic_uint n_conn, max_conn;
        atomic_uint_least64_t n_closed, timeout_usec, next_id;
        atomic_bool accept_paused; /* at the cap, or out of descriptors: until a connection ends */
        atomic_bool stopping;
        Conn *head, *tail; /* the loop's connections, sorted by deadline */

        Worker *workers;
        unsigned n_workers;
        Source jobs;
        pthread_mutex_t lock;
        Conn *work_head, *work_tail, *done_head, *done_tail;
        atomic_bool quit_workers;
        QgsdBackend *backend; /* swapped under lock on SIGHUP */

        QgsdReloadFn reload;
        void *userdata;
};

static void event_write(int fd)
{
        uint64_t one = 1;
        (void) !write(fd, &one, sizeof(one));
}

static void event_read(int fd)
{
        uint64_t v;
        (void) !read(fd, &v, sizeof(v));
}

static void workers_kick(QgsdServer *s)
{
        for (unsigned i = 0; i < s->n_workers; i++)
                event_write(s->workers[i].kick.fd);
}

static void accept_resume(QgsdServer *s)
{
        if (atomic_exchange(&s->accept_paused, false))
                workers_kick(s);
}

/*
 * Stops accepting until a connection ends (returns whether this call paused); closed is n_closed as read
 * before the accept that could not be made. One that ended meanwhile did not see the pause, so it is
 * checked here (both sides are seq_cst).
 */
static bool accept_pause(QgsdServer *s, uint64_t closed)
{
        if (atomic_exchange(&s->accept_paused, true))
                return false;
        if (atomic_load(&s->n_closed) != closed)
                accept_resume(s);
        return true;
}

/* The count of a connection that ended, from any thread. */
static void conn_released(QgsdServer *s)
{
        atomic_fetch_sub(&s->n_conn, 1);
        atomic_fetch_add(&s->n_closed, 1);
        if (atomic_load(&s->accept_paused))
                accept_resume(s);
        if (atomic_load(&s->stopping)) /* the loop exits when the last one is gone */
                event_write(s->done.fd);
}

static void conn_free(Conn *c)
{
        (void) close(c->src.fd); /* also removes it from an epoll set */
        free(c->in);
        free(c->out);
        free(c);
}

/* The peer's pid for the log (unix sockets only; 0 when unknown). */
static pid_t conn_peer_pid(const Conn *c)
{
        struct ucred cred;
        socklen_t cl = sizeof(cred);
        return getsockopt(c->src.fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 ? cred.pid : 0;
}

/* A connection just accepted, counted in n_conn already; on failure the fd is closed and the count dropped.
 */
static Conn *conn_new(QgsdServer *s, int fd, ConnState state)
{
        Conn *c = new0(Conn, 1);
        if (!c) {
                log_oom();
                (void) close(fd);
                conn_released(s);
                return NULL;
        }
        c->src = (Source){ .kind = SOURCE_CONN, .fd = fd };
        c->id = atomic_fetch_add(&s->next_id, 1) + 1;
        c->state = state;
        c->deadline = now_usec() + atomic_load(&s->timeout_usec);
        if (log_get_max_level() >= LOG_DEBUG)
                log_debug("Connection %" PRIu64 " from pid %d", c->id, (int) conn_peer_pid(c));
        return c;
}

/*
 * One request per connection: QEMU and Intel's library expect the end of the stream after the reply. An
 * error reply may leave request bytes unread, and closing a unix socket with unread input makes the peer's
 * next read fail with ECONNRESET instead of EOF: discard what has already arrived first.
 */
static void conn_finish(Conn *c)
{
        if (c->drained)
                return;
        for (unsigned i = 0; i < 32; i++) {
                uint8_t sink[4096];
                if (recv(c->src.fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
                        break;
        }
}

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

typedef enum ReadResult {
        READ_AGAIN,    /* the request is incomplete and nothing more has arrived */
        READ_COMPLETE, /* c->in holds the request; c->kind says which */
        READ_REPLY,    /* an invalid request: c->out holds the error reply */
        READ_CLOSE,    /* nothing to answer: close */
} ReadResult;

/* Reads what has arrived of c's request, as far as it goes; used by workers and by the loop alike. */
static ReadResult conn_fill(Conn *c)
{
        for (;;) {
                _cleanup_free_ char *err = NULL;
                uint32_t qgs_error = QGS_ERROR_INVALID_SIZE;
                size_t need;
                int r;

                /* What was read ahead beyond the request is dropped, as it would have been left unread. */
                if (c->in_n > QGS_PREFIX_SIZE + QGS_HEADER_SIZE &&
                    qgs_frame_classify(c->in, QGS_PREFIX_SIZE + QGS_HEADER_SIZE, QGS_MSG_MAX, &c->kind,
                                       &need, NULL, NULL) >= 0 &&
                    c->in_n > need) {
                        c->in_n = need;
                        c->drained = false;
                }
                r = qgs_frame_classify(c->in, c->in_n, QGS_MSG_MAX, &c->kind, &need, &qgs_error, &err);
                if (r < 0) {
                        log_info("Connection %" PRIu64 ": %s, answering %s", c->id, err ?: "invalid frame",
                                 strna(qgs_error_to_string(qgs_error)));
                        c->drained = false; /* a client that sends garbage may still be sending it */
                        return error_reply(c, request_type(c), qgs_error) < 0 ? READ_CLOSE : READ_REPLY;
                }
                if (c->kind != QGS_FRAME_MORE)
                        return READ_COMPLETE;

                /* Until the header tells the size, read as much as a quote request takes, so that one recv()
                 * usually gets it all; then exactly what the request still lacks. */
                bool size_known = c->in_n >= QGS_PREFIX_SIZE + QGS_HEADER_SIZE ||
                                  (c->in_n > 0 && c->in[0] == QGS_TDX_REPORT_TYPE);
                size_t want = size_known ? need : MAX(need, CONN_READ_AHEAD);
                if (want > c->in_cap) {
                        uint8_t *p = realloc(c->in, want);
                        if (!p) {
                                log_oom();
                                return READ_CLOSE;
                        }
                        c->in = p;
                        c->in_cap = want;
                }
                ssize_t n = recv(c->src.fd, c->in + c->in_n, want - c->in_n, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return READ_AGAIN;
                        log_full_errno(LOG_INFO, errno, "Connection %" PRIu64 ": read failed: %m", c->id);
                        return READ_CLOSE;
                }
                if (n == 0) {
                        if (c->in_n == 0 || c->in[0] == QGS_TDX_REPORT_TYPE) {
                                if (c->in_n > 0)
                                        log_info("Connection %" PRIu64
                                                 ": raw TDREPORT ended after %zu of %u bytes, closing",
                                                 c->id, c->in_n, QGS_RAW_REPORT_SIZE);
                                return READ_CLOSE;
                        }
                        log_info("Connection %" PRIu64 ": the client stopped sending after %zu of %zu "
                                 "bytes, answering INVALID_SIZE",
                                 c->id, c->in_n, need);
                        c->drained = true;
                        return error_reply(c, request_type(c), QGS_ERROR_INVALID_SIZE) < 0 ? READ_CLOSE
                                                                                           : READ_REPLY;
                }
                /* A stream socket returns what it holds up to the size asked: less means it is empty. */
                c->drained = (size_t) n < want - c->in_n;
                c->in_n += (size_t) n;
        }
}

/* ---- worker side ---- */

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

static void work(QgsdServer *s, Conn *c)
{
        pthread_mutex_lock(&s->lock);
        QgsdBackend *b = qgsd_backend_ref(s->backend);
        pthread_mutex_unlock(&s->lock);
        if (c->kind == QGS_FRAME_RAW)
                work_raw(b, c);
        else
                work_framed(b, c);
        qgsd_backend_unref(b);
}

/* Appends c to a queue (the work or the done one) under the lock, and says so on the queue's eventfd. */
static void queue_push(QgsdServer *s, Conn **head, Conn **tail, int event_fd, Conn *c)
{
        c->job_next = NULL;
        pthread_mutex_lock(&s->lock);
        if (*tail)
                (*tail)->job_next = c;
        else
                *head = c;
        *tail = c;
        pthread_mutex_unlock(&s->lock);
        event_write(event_fd);
}

/* Gives c to the loop: to read the rest of its request, or to write the rest of its reply. */
static void hand_to_loop(QgsdServer *s, Conn *c, ConnState state)
{
        c->state = state;
        queue_push(s, &s->done_head, &s->done_tail, s->done.fd, c);
}

/* The reply usually fits the socket buffer: sent and closed here; the loop writes the rest for a slow
 * reader. */
static void worker_reply(QgsdServer *s, Conn *c)
{
        while (c->out && c->out_off < c->out_n) {
                ssize_t n = send(c->src.fd, c->out + c->out_off, c->out_n - c->out_off,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return hand_to_loop(s, c, CONN_WRITING);
                if (n <= 0) {
                        log_full_errno(LOG_INFO, errno,
                                       "Connection %" PRIu64 ": the client went away before its reply: %m",
                                       c->id);
                        break;
                }
                c->out_off += (size_t) n;
        }
        if (c->out)
                conn_finish(c);
        conn_free(c);
        conn_released(s);
}

/* A connection this worker accepted: its request is read here for a moment, then answered. */
static void worker_serve_new(QgsdServer *s, Conn *c)
{
        uint64_t window_end = MIN(now_usec() + WORKER_READ_WINDOW_USEC, c->deadline);

        for (;;) {
                switch (conn_fill(c)) {
                case READ_COMPLETE:
                        work(s, c);
                        return worker_reply(s, c);
                case READ_REPLY:
                        return worker_reply(s, c);
                case READ_CLOSE:
                        conn_free(c);
                        return conn_released(s);
                case READ_AGAIN:
                        break;
                }
                uint64_t now = now_usec();
                struct pollfd p = { .fd = c->src.fd, .events = POLLIN };
                if (now >= window_end || poll(&p, 1, (int) ((window_end - now + 999) / 1000)) == 0)
                        return hand_to_loop(s, c, CONN_READING);
        }
}

static void worker_accept(Worker *w, const Source *l)
{
        QgsdServer *s = w->server;
        uint64_t closed = atomic_load(&s->n_closed);
        unsigned open = atomic_fetch_add(&s->n_conn, 1); /* the slot is taken before the accept */

        if (open >= atomic_load(&s->max_conn)) {
                atomic_fetch_sub(&s->n_conn, 1); /* not a connection that ended: no resume */
                if (accept_pause(s, closed))
                        log_info("%u connections open, the cap: accepting again when one ends", open);
                return;
        }
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
                int e = errno;
                conn_released(s); /* the slot goes back: a worker that paused at the cap meanwhile resumes */
                if (e == EAGAIN || e == EINTR || e == ECONNABORTED)
                        return; /* another worker took it, or the client is gone */
                log_warning_errno(e, "accept() failed: %m");
                /* Out of descriptors or memory: the listener stays readable, so watching it would spin and
                 * flood the log. Wait for a connection to end instead, if there is one. */
                if (open > 0)
                        (void) accept_pause(s, atomic_load(&s->n_closed));
                return;
        }
        Conn *c = conn_new(s, fd, CONN_WORKING);
        if (!c)
                return;
        worker_serve_new(s, c);
}

/* Listeners in the worker's set only while accepting: a paused or stopping server leaves them be. */
static void worker_sync_listening(Worker *w)
{
        QgsdServer *s = w->server;
        bool on = !atomic_load(&s->stopping) && !atomic_load(&s->accept_paused);

        if (on == w->listening)
                return;
        for (size_t i = 0; i < s->n_listeners; i++) {
                struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &s->listeners[i] };
                if (epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->listeners[i].fd, &ev) < 0)
                        log_warning_errno(errno, "epoll_ctl() on a listener failed: %m");
        }
        w->listening = on;
}

static Conn *job_pop(QgsdServer *s)
{
        pthread_mutex_lock(&s->lock);
        Conn *c = s->work_head;
        if (c) {
                s->work_head = c->job_next;
                if (!s->work_head)
                        s->work_tail = NULL;
        }
        bool more = s->work_head;
        pthread_mutex_unlock(&s->lock);
        if (more) /* one wake-up may stand for several jobs: pass it on to another idle worker */
                event_write(s->jobs.fd);
        return c;
}

/* A step of the backend's work ahead, between requests: whether there is more. */
static bool worker_prepare(QgsdServer *s)
{
        pthread_mutex_lock(&s->lock);
        QgsdBackend *b = qgsd_backend_ref(s->backend);
        pthread_mutex_unlock(&s->lock);
        bool more = b->ops->prepare && b->ops->prepare(b->state);
        qgsd_backend_unref(b);
        return more;
}

static void *worker_main(void *userdata)
{
        Worker *w = userdata;
        QgsdServer *s = w->server;

        for (;;) {
                Conn *c = job_pop(s);
                if (c) {
                        work(s, c);
                        worker_reply(s, c);
                        continue;
                }
                if (atomic_load(&s->quit_workers))
                        break;
                worker_sync_listening(w);

                /* Nothing waiting: the backend may prepare for the next request, a step at a time, before
                 * the worker sleeps. A client that comes meanwhile waits for that step at most, and only if
                 * no other worker is asleep to take it. */
                struct epoll_event evs[8];
                int n = epoll_wait(w->epfd, evs, ELEMENTSOF(evs), 0);
                if (n == 0 && worker_prepare(s))
                        continue;
                if (n == 0)
                        n = epoll_wait(w->epfd, evs, ELEMENTSOF(evs), -1);
                if (n < 0 && errno != EINTR) {
                        log_error_errno(errno, "A worker's epoll_wait() failed: %m");
                        break;
                }
                for (int i = 0; i < n; i++) {
                        Source *src = evs[i].data.ptr;
                        if (src->kind == SOURCE_LISTENER) {
                                if (w->listening)
                                        worker_accept(w, src);
                        } else
                                event_read(src->fd); /* jobs or kick: the loop's top looks at both */
                }
        }
        return NULL;
}

/* ---- loop side ---- */

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

/* Usually at the end; after a SIGHUP that shortened the timeout, older connections may end later. */
static void deadline_insert(QgsdServer *s, Conn *c)
{
        Conn *after = s->tail;

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

static void conn_close(QgsdServer *s, Conn *c)
{
        deadline_unlink(s, c);
        conn_free(c);
        conn_released(s);
}

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

static void conn_write(QgsdServer *s, Conn *c)
{
        c->state = CONN_WRITING;
        while (c->out && c->out_off < c->out_n) {
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
        if (c->out)
                conn_finish(c);
        conn_close(s, c);
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
        queue_push(s, &s->work_head, &s->work_tail, s->jobs.fd, c);
}

/* Returns whether c is still open and reading: it may have been answered, dispatched or closed. */
static bool conn_read(QgsdServer *s, Conn *c)
{
        switch (conn_fill(c)) {
        case READ_AGAIN:
                return true;
        case READ_COMPLETE:
                conn_dispatch(s, c);
                return false;
        case READ_REPLY:
                conn_write(s, c);
                return false;
        case READ_CLOSE:
                conn_close(s, c);
                return false;
        }
        return false;
}

/* Connections workers handed over: a request still arriving keeps its deadline from the accept; a reply
 * the client has not taken yet gets a new one. */
static void on_done(QgsdServer *s)
{
        event_read(s->done.fd);

        pthread_mutex_lock(&s->lock);
        Conn *c = s->done_head;
        s->done_head = s->done_tail = NULL;
        pthread_mutex_unlock(&s->lock);

        while (c) {
                Conn *next = c->job_next;
                if (c->state == CONN_READING) {
                        deadline_insert(s, c);
                        if (conn_read(s, c) && conn_watch(s, c, EPOLLIN) < 0)
                                conn_close(s, c);
                } else {
                        c->deadline = now_usec() + atomic_load(&s->timeout_usec);
                        deadline_insert(s, c);
                        conn_write(s, c);
                }
                c = next;
        }
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

        atomic_store(&s->timeout_usec, (uint64_t) c.timeout_ms * 1000);
        atomic_store(&s->max_conn, c.max_connections);
        if (atomic_load(&s->n_conn) < c.max_connections)
                accept_resume(s);
        log_info("Reloaded: backend '%s', timeout %u ms, at most %u connections (listen addresses and "
                 "threads change only on restart)",
                 c.backend, c.timeout_ms, c.max_connections);
        (void) service_notify("READY=1");
        qgsd_config_done(&c);
}

/* Clients that connected before SIGTERM are in flight too: the loop takes from the backlog what the workers
 * have not taken yet. */
static void stop_take_backlog(QgsdServer *s, const Source *l)
{
        for (;;) {
                if (atomic_fetch_add(&s->n_conn, 1) >= atomic_load(&s->max_conn)) {
                        atomic_fetch_sub(&s->n_conn, 1);
                        return;
                }
                int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                        int e = errno;
                        atomic_fetch_sub(&s->n_conn, 1);
                        if (e == EINTR || e == ECONNABORTED)
                                continue;
                        if (e != EAGAIN)
                                log_warning_errno(e, "accept() failed: %m");
                        return;
                }
                Conn *c = conn_new(s, fd, CONN_READING);
                if (!c)
                        return;
                deadline_insert(s, c);
                if (conn_read(s, c) && conn_watch(s, c, EPOLLIN) < 0)
                        conn_close(s, c);
        }
}

static void server_stop(QgsdServer *s)
{
        log_info("Stopping: no new connections; finishing %u in flight", atomic_load(&s->n_conn));
        (void) service_notify("STOPPING=1");
        atomic_store(&s->stopping, true);
        workers_kick(s); /* they take the listeners out of their sets */
        for (size_t i = 0; i < s->n_listeners; i++)
                stop_take_backlog(s, &s->listeners[i]);
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
                if (si.ssi_signo == SIGHUP && atomic_load(&s->stopping))
                        log_info("Stopping: ignoring SIGHUP");
                else if (si.ssi_signo == SIGHUP)
                        server_reload(s);
                else if (!atomic_load(&s->stopping))
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
                         atomic_load(&s->timeout_usec) / 1000);
                conn_close(s, c);
        }
}

int qgsd_server_run(QgsdServer *s)
{
        struct epoll_event evs[64];

        for (;;) {
                if (atomic_load(&s->stopping) && atomic_load(&s->n_conn) == 0)
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
                 * connections (handed-over ones, signals, deadlines) runs after the batch. */
                bool sig = false, done = false;
                for (int i = 0; i < n; i++) {
                        Source *src = evs[i].data.ptr;
                        if (src->kind == SOURCE_SIGNAL)
                                sig = true;
                        else if (src->kind == SOURCE_DONE)
                                done = true;
                        else {
                                Conn *c = (Conn *) src;
                                if (c->state == CONN_READING)
                                        (void) conn_read(s, c);
                                else if (c->state == CONN_WRITING)
                                        conn_write(s, c);
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

static int worker_init(QgsdServer *s, Worker *w)
{
        w->server = s;
        w->kick = (Source){ .kind = SOURCE_KICK, .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w->kick.fd < 0 || w->epfd < 0)
                return log_error_errno(errno, "Failed to create a worker's descriptors: %m");
        struct epoll_event ev1 = { .events = EPOLLIN, .data.ptr = &w->kick };
        struct epoll_event ev2 = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &s->jobs };
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->kick.fd, &ev1) < 0 ||
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->jobs.fd, &ev2) < 0)
                return log_error_errno(errno, "epoll_ctl() failed: %m");
        worker_sync_listening(w);
        int r = pthread_create(&w->thread, NULL, worker_main, w);
        if (r != 0)
                return log_error_errno(r, "Failed to start worker thread: %m");
        w->started = true;
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
        s->epfd = s->signal.fd = s->done.fd = s->jobs.fd = -EBADF;
        s->backend = backend;
        s->reload = reload;
        s->userdata = userdata;
        atomic_init(&s->max_conn, c->max_connections);
        atomic_init(&s->timeout_usec, (uint64_t) c->timeout_ms * 1000);
        pthread_mutex_init(&s->lock, NULL);

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
        s->done = (Source){ .kind = SOURCE_DONE, .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
        s->jobs = (Source){ .kind = SOURCE_JOBS, .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
        if (s->signal.fd < 0 || s->done.fd < 0 || s->jobs.fd < 0)
                return log_error_errno(errno, "Failed to create the signal and event descriptors: %m");
        struct epoll_event ev1 = { .events = EPOLLIN, .data.ptr = &s->signal };
        struct epoll_event ev2 = { .events = EPOLLIN, .data.ptr = &s->done };
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->signal.fd, &ev1) < 0 ||
            epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->done.fd, &ev2) < 0)
                return log_error_errno(errno, "epoll_ctl() failed: %m");

        s->workers = new0(Worker, c->threads);
        if (!s->workers)
                return log_oom();
        for (unsigned i = 0; i < c->threads; i++)
                s->workers[i].epfd = s->workers[i].kick.fd = -EBADF;
        s->n_workers = c->threads;
        for (unsigned i = 0; i < c->threads; i++) {
                int r = worker_init(s, &s->workers[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

QgsdServer *qgsd_server_free(QgsdServer *s)
{
        if (!s)
                return NULL;
        atomic_store(&s->quit_workers, true);
        workers_kick(s);
        for (unsigned i = 0; i < s->n_workers; i++) {
                Worker *w = &s->workers[i];
                if (w->started)
                        pthread_join(w->thread, NULL);
                if (w->epfd >= 0)
                        (void) close(w->epfd);
                if (w->kick.fd >= 0)
                        (void) close(w->kick.fd);
        }
        free(s->workers);

        /* After a failed epoll_wait(), handed-over connections may be left; a normal exit has none. */
        while (s->done_head) {
                Conn *c = s->done_head;
                s->done_head = c->job_next;
                conn_free(c);
        }
        while (s->head)
                conn_close(s, s->head);
        for (size_t i = 0; i < s->n_listeners; i++)
                (void) close(s->listeners[i].fd);
        free(s->listeners);
        if (s->signal.fd >= 0)
                (void) close(s->signal.fd);
        if (s->done.fd >= 0)
                (void) close(s->done.fd);
        if (s->jobs.fd >= 0)
                (void) close(s->jobs.fd);
        if (s->epfd >= 0)
                (void) close(s->epfd);
        qgsd_backend_unref(s->backend);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
}
