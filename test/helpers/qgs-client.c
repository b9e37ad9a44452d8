/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A QGS client for the tests of cvm-qgsd. "quote" frames the request byte for byte as QEMU's
 * tdx_generate_quote() does and checks the reply as tdx_get_quote_read() does (qemu/qemu
 * target/i386/kvm/tdx-quote-generator.c); "raw" speaks Intel's raw mode; "hostile" plays one misbehaving
 * client and prints what the daemon did; "flood" opens many connections at once.
 *
 *   qgs-client SOCKET quote TDREPORT OUT     exit 0 (quote written), 3 (error reply), 1 (anything else)
 *   qgs-client SOCKET raw TDREPORT OUT
 *   qgs-client SOCKET platform-info
 *   qgs-client SOCKET hostile CASE [TDREPORT] prints "error-reply NAME", "closed" or "quote N"
 *   qgs-client SOCKET flood N TDREPORT        prints "quotes Q errors E closed C bad B"
 *   qgs-client SOCKET repeat N TDREPORT       N requests one after another; exit 0 if all got quotes
 *   qgs-client SOCKET drain PID TDREPORT      sends half a request, SIGTERMs PID, sends the rest: "quote N"
 *   qgs-client SOCKET hold N PID TDREPORT     holds N half-sent requests open, then sends a whole one:
 *                                             "quote after N ms, cpu T ms" (PID's CPU time meanwhile)
 *   qgs-client SOCKET stop-reload PID         holds a half-sent request open, SIGTERMs PID, then SIGHUPs it
 *                                             and connects again; prints "closed after N ms, cpu T ms"
 *                                             (PID's CPU time until the held connection ended)
 *   qgs-client NOTIFY notify-wait             binds the datagram socket NOTIFY, prints "bound", then
 *                                             "READY" once a READY=1 notification arrives (30 s at most)
 */
#include <inttypes.h>
#include <sys/resource.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fileio.h"
#include "qgs/qgs-proto.h"
#include "time-util.h"

static int connect_unix(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return -1;
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return -1;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Reads until EOF (the daemon closes after its reply), at most max bytes. */
static ssize_t recv_all(int fd, uint8_t *buf, size_t max)
{
        size_t n = 0;
        for (;;) {
                ssize_t k = recv(fd, buf + n, max - n, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return n > 0 ? (ssize_t) n : -1;
                if (k == 0 || (n += (size_t) k) == max)
                        return (ssize_t) n;
        }
}

static void put_le32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* QEMU tdx_generate_quote(): BE length, header 1.1 GET_QUOTE_REQ, report_size, id_list_size 0, report. */
static size_t qemu_request(const uint8_t *report, uint32_t report_size, uint8_t *out)
{
        uint32_t msg = 24 + report_size;
        out[0] = msg >> 24;
        out[1] = msg >> 16;
        out[2] = msg >> 8;
        out[3] = msg;
        memset(out + 4, 0, 24);
        out[4] = 1; /* major */
        out[6] = 1; /* minor */
        put_le32(out + 8, QGS_GET_QUOTE_REQ);
        put_le32(out + 12, msg);
        put_le32(out + 20, report_size);
        memcpy(out + 28, report, report_size);
        return 4 + msg;
}

typedef enum {
        REPLY_QUOTE,
        REPLY_ERROR,
        REPLY_CLOSED,
        REPLY_BAD,
} Reply;

/* QEMU tdx_get_quote_read()'s checks, in its order. */
static Reply check_reply(const uint8_t *buf, ssize_t n, const uint8_t **ret_quote, uint32_t *ret_size,
                         uint32_t *ret_error)
{
        if (n <= 0)
                return REPLY_CLOSED;
        if (n < 4 + 24) {
                fprintf(stderr, "reply of %zd bytes is shorter than a GET_QUOTE_RESP\n", n);
                return REPLY_BAD;
        }
        uint32_t len = (uint32_t) buf[0] << 24 | (uint32_t) buf[1] << 16 | (uint32_t) buf[2] << 8 | buf[3];
        const uint8_t *h = buf + 4;
        if (len == 0 || len > (size_t) n - 4 || h[0] != 1 || h[1] != 0 || h[2] != 1 || h[3] != 0 ||
            get_le32(h + 4) != QGS_GET_QUOTE_RESP || get_le32(h + 8) != len) {
                fprintf(stderr, "reply header is not what QEMU accepts (prefix %u, %zd bytes)\n", len, n);
                return REPLY_BAD;
        }
        if (get_le32(h + 12) != 0) {
                *ret_error = get_le32(h + 12);
                return REPLY_ERROR;
        }
        if (get_le32(h + 16) != 0 || get_le32(h + 20) != len - 24) {
                fprintf(stderr, "reply sizes are not what QEMU accepts\n");
                return REPLY_BAD;
        }
        *ret_quote = h + 24;
        *ret_size = len - 24;
        return REPLY_QUOTE;
}

static uint8_t reply_buf[QGS_PREFIX_SIZE + QGS_MSG_MAX + 1];

static int print_reply(const uint8_t *buf, ssize_t n)
{
        const uint8_t *q;
        uint32_t size, error = 0;
        switch (check_reply(buf, n, &q, &size, &error)) {
        case REPLY_QUOTE:
                printf("quote %u\n", size);
                return 0;
        case REPLY_ERROR:
                printf("error-reply %s\n", qgs_error_to_string(error) ?: "unknown");
                return 0;
        case REPLY_CLOSED:
                printf("closed\n");
                return 0;
        default:
                printf("bad-reply\n");
                return 1;
        }
}

static int do_quote(const char *sock, const char *report_path, const char *out_path, bool raw)
{
        _cleanup_free_ char *report = NULL;
        size_t report_size;
        uint8_t req[4 + 24 + 1024];

        if (read_full_file(report_path, 4096, &report, &report_size) < 0 || report_size != 1024) {
                fprintf(stderr, "%s: not a 1024-byte TDREPORT\n", report_path);
                return 1;
        }
        int fd = connect_unix(sock);
        if (fd < 0) {
                perror("connect");
                return 1;
        }
        size_t n = raw ? 1024 : qemu_request((const uint8_t *) report, 1024, req);
        if (send_all(fd, raw ? (const uint8_t *) report : req, n) < 0) {
                perror("send");
                close(fd);
                return 1;
        }
        ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
        close(fd);
        if (raw) {
                if (got <= 0) {
                        printf("closed\n");
                        return 1;
                }
                return write_full_file(out_path, reply_buf, (size_t) got) < 0;
        }
        const uint8_t *q;
        uint32_t size, error = 0;
        switch (check_reply(reply_buf, got, &q, &size, &error)) {
        case REPLY_QUOTE:
                return write_full_file(out_path, q, size) < 0;
        case REPLY_ERROR:
                printf("error-reply %s\n", qgs_error_to_string(error) ?: "unknown");
                return 3;
        default:
                printf("no quote\n");
                return 1;
        }
}

static int do_platform_info(const char *sock)
{
        _cleanup_free_ uint8_t *req = NULL;
        size_t n;
        int fd = connect_unix(sock);
        if (fd < 0 || qgs_build_platform_info_req(&req, &n) < 0 || send_all(fd, req, n) < 0)
                return 1;
        ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
        close(fd);
        QgsMessage m;
        uint32_t e;
        if (got < 4 || qgs_msg_parse(reply_buf + 4, (size_t) got - 4, &m, &e, NULL) < 0)
                return 1;
        printf("%s %s\n", qgs_msg_type_to_string(m.type), qgs_error_to_string(m.error_code) ?: "unknown");
        return 0;
}

/* One misbehaving client; prints what came back. */
static int do_hostile(const char *sock, const char *name, const char *report_path)
{
        uint8_t report[1024] = { QGS_TDX_REPORT_TYPE };
        uint8_t req[4 + 24 + 1024];
        size_t n = qemu_request(report, sizeof(report), req);
        bool half_close = true;
        uint64_t start = now_usec();

        if (report_path) {
                _cleanup_free_ char *r = NULL;
                size_t rs;
                if (read_full_file(report_path, 4096, &r, &rs) < 0 || rs != 1024)
                        return 1;
                n = qemu_request((const uint8_t *) r, 1024, req);
        }
        if (streq(name, "bad-prefix"))
                req[3]--; /* the prefix says one byte less than header.size */
        else if (streq(name, "wrong-version"))
                req[4] = 2;
        else if (streq(name, "wrong-type"))
                put_le32(req + 8, 9);
        else if (streq(name, "response-type"))
                put_le32(req + 8, QGS_GET_QUOTE_RESP);
        else if (streq(name, "size-mismatch"))
                put_le32(req + 20, 1023); /* report_size disagrees with the frame */
        else if (streq(name, "nonzero-error"))
                put_le32(req + 16, 1);
        else if (streq(name, "truncated"))
                n = 4 + 24 + 100; /* then half-close: the rest never comes */
        else if (streq(name, "huge-length")) {
                req[0] = req[1] = req[2] = req[3] = 0xff; /* 4 GiB */
                n = 4 + 24;
                half_close = false;
        } else if (streq(name, "zero-length")) {
                memset(req, 0, 4);
                n = 4 + 24;
        } else if (streq(name, "half-close"))
                n = 2; /* not even a whole prefix */
        else if (streq(name, "raw-short"))
                n = 512, memcpy(req, report, 512);
        else if (streq(name, "hang-up"))
                half_close = false; /* no longer reads before the request is whole: see below */
        else if (streq(name, "slow")) {
                n = 10; /* and then nothing, without closing: the deadline must end it */
                half_close = false;
        } else if (streq(name, "honest"))
                half_close = false;
        else {
                fprintf(stderr, "unknown case '%s'\n", name);
                return 1;
        }

        int fd = connect_unix(sock);
        if (fd < 0) {
                perror("connect");
                return 1;
        }
        if (streq(name, "hang-up")) {
                /* SHUT_RD on a unix socket makes the daemon's send() fail with EPIPE; the reply cannot
                 * race ahead of it, since the request is whole only after it. */
                (void) send_all(fd, req, n - 1);
                (void) shutdown(fd, SHUT_RD);
                (void) send_all(fd, req + n - 1, 1);
        } else
                (void) send_all(fd, req, n);
        if (half_close)
                (void) shutdown(fd, SHUT_WR);
        if (streq(name, "slow")) {
                printf("sent\n"); /* the daemon accepts this connection before any signal sent from now */
                fflush(stdout);
        }
        ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
        close(fd);
        int r = print_reply(reply_buf, got);
        if (streq(name, "slow"))
                printf("after %" PRIu64 " ms\n", (now_usec() - start) / 1000);
        return r;
}

/* n connections at once: every one connects first, then each sends a QEMU request, then all replies
 * are read. Odd ones send a truncated frame and half-close, so the daemon answers both kinds at once. */
static int do_flood(const char *sock, unsigned count, const char *report_path)
{
        _cleanup_free_ char *report = NULL;
        _cleanup_free_ int *fds = new0(int, count);
        size_t rs;
        uint8_t req[4 + 24 + 1024];
        unsigned quotes = 0, errors = 0, closed = 0, bad = 0;

        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        if (!fds || read_full_file(report_path, 4096, &report, &rs) < 0 || rs != 1024)
                return 1;
        size_t n = qemu_request((const uint8_t *) report, 1024, req);
        for (unsigned i = 0; i < count; i++) {
                fds[i] = connect_unix(sock);
                if (fds[i] < 0) {
                        perror("connect");
                        return 1;
                }
        }
        for (unsigned i = 0; i < count; i++) {
                (void) send_all(fds[i], req, i % 2 ? 100 : n);
                if (i % 2)
                        (void) shutdown(fds[i], SHUT_WR);
        }
        for (unsigned i = 0; i < count; i++) {
                const uint8_t *q;
                uint32_t size, error;
                ssize_t got = recv_all(fds[i], reply_buf, sizeof(reply_buf));
                close(fds[i]);
                switch (check_reply(reply_buf, got, &q, &size, &error)) {
                case REPLY_QUOTE:
                        quotes++;
                        break;
                case REPLY_ERROR:
                        errors++;
                        break;
                case REPLY_CLOSED:
                        closed++;
                        break;
                default:
                        bad++;
                }
        }
        printf("quotes %u errors %u closed %u bad %u\n", quotes, errors, closed, bad);
        return bad > 0;
}

static int do_repeat(const char *sock, unsigned count, const char *report_path)
{
        _cleanup_free_ char *report = NULL;
        uint8_t req[4 + 24 + 1024];
        size_t rs;

        if (read_full_file(report_path, 4096, &report, &rs) < 0 || rs != 1024)
                return 1;
        size_t n = qemu_request((const uint8_t *) report, 1024, req);
        for (unsigned i = 0; i < count; i++) {
                const uint8_t *q;
                uint32_t size, error;
                int fd = connect_unix(sock);
                if (fd < 0 || send_all(fd, req, n) < 0) {
                        perror("request");
                        return 1;
                }
                ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
                close(fd);
                if (check_reply(reply_buf, got, &q, &size, &error) != REPLY_QUOTE) {
                        fprintf(stderr, "request %u got no quote\n", i);
                        return 1;
                }
        }
        return 0;
}

static int do_drain(const char *sock, pid_t pid, const char *report_path)
{
        _cleanup_free_ char *report = NULL;
        uint8_t req[4 + 24 + 1024];
        size_t rs;

        if (read_full_file(report_path, 4096, &report, &rs) < 0 || rs != 1024)
                return 1;
        size_t n = qemu_request((const uint8_t *) report, 1024, req);
        int fd = connect_unix(sock);
        if (fd < 0 || send_all(fd, req, 100) < 0 || kill(pid, SIGTERM) < 0 ||
            send_all(fd, req + 100, n - 100) < 0) {
                perror("drain");
                return 1;
        }
        ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
        close(fd);
        return print_reply(reply_buf, got);
}

/* Whether signal sig is pending for the process pid (not yet taken by its signalfd). */
static bool signal_pending(pid_t pid, int sig)
{
        char path[64], line[256];
        bool pending = false;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (startswith(line, "ShdPnd:"))
                        pending = (strtoull(line + 7, NULL, 16) >> (sig - 1)) & 1;
        fclose(f);
        return pending;
}

/* utime + stime of pid, in ms. */
static uint64_t cpu_ms(pid_t pid)
{
        char path[64], buf[1024];
        unsigned long long ut = 0, st = 0;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        const char *p = strrchr(buf, ')'); /* the fields after the command name: state is field 3 */
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return 0;
        return (ut + st) * 1000 / (uint64_t) sysconf(_SC_CLK_TCK);
}

/* More connections than the daemon has descriptors for, each holding a partial request until its deadline;
 * then an honest one, which waits in the backlog until descriptors are free again. */
static int do_hold(const char *sock, unsigned count, pid_t pid, const char *report_path)
{
        _cleanup_free_ char *report = NULL;
        _cleanup_free_ int *fds = new0(int, count);
        uint8_t req[4 + 24 + 1024];
        size_t rs;

        if (!fds || read_full_file(report_path, 4096, &report, &rs) < 0 || rs != 1024)
                return 1;
        size_t n = qemu_request((const uint8_t *) report, 1024, req);
        for (unsigned i = 0; i < count; i++)
                if ((fds[i] = connect_unix(sock)) < 0 || send_all(fds[i], req, 10) < 0) {
                        perror("hold");
                        return 1;
                }
        uint64_t start = now_usec(), cpu = cpu_ms(pid);
        int fd = connect_unix(sock);
        if (fd < 0 || send_all(fd, req, n) < 0) {
                perror("hold");
                return 1;
        }
        ssize_t got = recv_all(fd, reply_buf, sizeof(reply_buf));
        const uint8_t *q;
        uint32_t size, error;
        Reply r = check_reply(reply_buf, got, &q, &size, &error);
        printf("%s after %" PRIu64 " ms, cpu %" PRIu64 " ms\n", r == REPLY_QUOTE ? "quote" : "no quote",
               (now_usec() - start) / 1000, cpu_ms(pid) - cpu);
        close(fd);
        for (unsigned i = 0; i < count; i++)
                close(fds[i]);
        return 0;
}

/* A SIGHUP that arrives while the daemon drains after SIGTERM, with a client waiting in the backlog. */
static int do_stop_reload(const char *sock, pid_t pid)
{
        uint8_t report[1024] = { QGS_TDX_REPORT_TYPE }, req[4 + 24 + 1024];
        (void) qemu_request(report, sizeof(report), req);
        int held = connect_unix(sock);
        if (held < 0 || send_all(held, req, 10) < 0 || kill(pid, SIGTERM) < 0) {
                perror("stop-reload");
                return 1;
        }
        /* SIGHUP only once SIGTERM was taken: both pending at once would be read SIGHUP first. */
        for (unsigned i = 0; signal_pending(pid, SIGTERM); i++) {
                if (i == 10000)
                        return 1;
                (void) usleep(1000);
        }
        uint64_t start = now_usec(), cpu = cpu_ms(pid);
        if (kill(pid, SIGHUP) < 0)
                return 1;
        int late = connect_unix(sock); /* waits in the backlog: the daemon no longer accepts */
        ssize_t got = recv_all(held, reply_buf, sizeof(reply_buf));
        uint64_t cpu_end = cpu_ms(pid);
        if (cpu_end < cpu) /* /proc/PID/stat unreadable */
                return 1;
        printf("%s after %" PRIu64 " ms, cpu %" PRIu64 " ms\n", got <= 0 ? "closed" : "answered",
               (now_usec() - start) / 1000, cpu_end - cpu);
        close(held);
        if (late >= 0)
                close(late);
        return 0;
}

static int do_notify_wait(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[4096];
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return 1;
        strcpy(sa.sun_path, path);
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("bind");
                return 1;
        }
        printf("bound\n");
        fflush(stdout);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 30000) <= 0) {
                        printf("TIMEOUT\n");
                        return 1;
                }
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        return 1;
                buf[n] = 0;
                if (strstr(buf, "READY=1")) {
                        printf("READY\n");
                        return 0;
                }
        }
}

int main(int argc, char *argv[])
{
        if (argc >= 5 && (streq(argv[2], "quote") || streq(argv[2], "raw")))
                return do_quote(argv[1], argv[3], argv[4], streq(argv[2], "raw"));
        if (argc == 3 && streq(argv[2], "platform-info"))
                return do_platform_info(argv[1]);
        if (argc >= 4 && streq(argv[2], "hostile"))
                return do_hostile(argv[1], argv[3], argc > 4 ? argv[4] : NULL);
        if (argc == 5 && streq(argv[2], "repeat"))
                return do_repeat(argv[1], (unsigned) strtoul(argv[3], NULL, 10), argv[4]);
        if (argc == 5 && streq(argv[2], "drain"))
                return do_drain(argv[1], (pid_t) strtol(argv[3], NULL, 10), argv[4]);
        if (argc == 6 && streq(argv[2], "hold"))
                return do_hold(argv[1], (unsigned) strtoul(argv[3], NULL, 10),
                               (pid_t) strtol(argv[4], NULL, 10), argv[5]);
        if (argc == 4 && streq(argv[2], "stop-reload"))
                return do_stop_reload(argv[1], (pid_t) strtol(argv[3], NULL, 10));
        if (argc == 3 && streq(argv[2], "notify-wait"))
                return do_notify_wait(argv[1]);
        if (argc == 5 && streq(argv[2], "flood"))
                return do_flood(argv[1], (unsigned) strtoul(argv[3], NULL, 10), argv[4]);
        fprintf(stderr, "usage: see the comment at the top of test/helpers/qgs-client.c\n");
        return 1;
}
