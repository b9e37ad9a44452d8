/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TD quotes without configfs-tsm (guest/tdx-getquote.h): QGS addresses, /etc/tdx-attest.conf as Intel's
 * tdx_attest.c reads it, the GetQuote buffer after the VMM answered, and the QGS client against a thread
 * that plays a QGS on a unix socket: an honest one (the request must be byte for byte QEMU's framing of
 * the TDREPORT), one answering an error, a wrong type, a truncated reply, no reply, a 1 MiB length prefix,
 * and one that never answers (the deadline).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest/tdx-getquote.h"
#include "qgs/qgs-proto.h"
#include "test-attest-util.h"
#include "test-util.h"

#define TDREPORT "tdx/dcap-misc/tdreport_for_test.dat"
#define QUOTE    "tdx/dcap-qvl/tdx_quote"

static void test_address_parse(void **state)
{
        char buf[QGS_ADDRESS_STRING_MAX];
        QgsAddress a;

        assert_int_equal(qgs_address_parse("vsock:4050", &a), 0);
        assert_int_equal(a.family, AF_VSOCK);
        assert_int_equal(a.cid, 2);
        assert_int_equal(a.port, 4050);
        assert_string_equal(qgs_address_to_string(&a, buf), "vsock:2:4050");
        assert_int_equal(qgs_address_parse("vsock:3:5000", &a), 0);
        assert_string_equal(qgs_address_to_string(&a, buf), "vsock:3:5000");
        assert_int_equal(qgs_address_parse("unix:/run/qgs.socket", &a), 0);
        assert_int_equal(a.family, AF_UNIX);
        assert_string_equal(qgs_address_to_string(&a, buf), "unix:/run/qgs.socket");

        char long_path[200] = "unix:/";
        memset(long_path + 6, 'x', sizeof(long_path) - 7);
        long_path[sizeof(long_path) - 1] = 0;
        const char *bad[] = { "vsock:",   "vsock:0", "vsock:2:0", "vsock::1", "vsock:a:1", "vsock:1:2:3",
                              "vsock:-1", "unix:",   "tcp:1",     "4050",     long_path };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (qgs_address_parse(bad[i], &a) != -EINVAL)
                        fail_msg("'%s' was accepted", bad[i]);
}

static void test_attest_conf(void **state)
{
        static const struct {
                const char *text;
                int r;
                unsigned port;
        } cases[] = {
                { "port=4050", 0, 4050 },
                { "  port = 4051  \n", 0, 4051 },
                { "\tport\t=\t4052\r\n", 0, 4052 },
                { "# port=1\nport=2\n", 0, 2 },
                { "   # port=1\n", -ENOENT, 0 },
                { "number=3\nport=7\nport=8\n", 0, 7 },
                { "port = 4050 # the QGS\nport=9\n", 0, 9 }, /* trailing text: the line is skipped */
                { "port=\nport=x\nport=10\n", 0, 10 },
                { "PORT=1\nports=2\n", -ENOENT, 0 },
                { "port=12345678901\n", -ENOENT, 0 }, /* 11 digits: no match, as sscanf %10[0-9] */
                { "port=4294967296\n", -ERANGE, 0 },
                { "port=4294967295\n", 0, 4294967295U },
                { "port=0\n", 0, 0 },
                { "", -ENOENT, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned port = 12345;
                int r = tdx_attest_conf_parse(cases[i].text, &port);
                if (r != cases[i].r || (r == 0 && port != cases[i].port))
                        fail_msg("'%s': got %d/%u, expected %d/%u", cases[i].text, r, port, cases[i].r,
                                 cases[i].port);
        }

        _cleanup_(rm_rf_freep) char *root =
                make_tree((const char *const[]){ "/etc/tdx-attest.conf", "# vsock\nport=4050\n", NULL });
        _cleanup_(rm_rf_freep) char *empty = make_tree((const char *const[]){ "/etc/os-release", "", NULL });
        unsigned port = 0;
        assert_int_equal(tdx_attest_conf_port(root, &port), 0);
        assert_int_equal(port, 4050);
        assert_int_equal(tdx_attest_conf_port(empty, &port), -ENOENT);
}

/* A GetQuote buffer as the VMM leaves it: header, then the framed reply. */
static uint8_t *getquote_buf(uint64_t version, uint64_t status, const uint8_t *frame, size_t frame_size,
                             uint32_t out_len)
{
        uint8_t *b = calloc(1, TDX_GETQUOTE_BUF_SIZE);
        assert_non_null(b);
        for (size_t i = 0; i < 8; i++) {
                b[i] = (uint8_t) (version >> (8 * i));
                b[8 + i] = (uint8_t) (status >> (8 * i));
        }
        put32(b + 16, 1052);
        put32(b + 20, out_len);
        assert_true(frame_size <= TDX_GETQUOTE_BUF_SIZE - TDX_GETQUOTE_HDR_SIZE);
        memcpy(b + TDX_GETQUOTE_HDR_SIZE, frame, frame_size);
        return b;
}

static void test_buf_parse(void **state)
{
        size_t qn, fn, en, pn;
        _cleanup_free_ uint8_t *quote = attest_load(QUOTE, &qn), *frame = NULL, *err = NULL, *pinfo = NULL;
        _cleanup_free_ char *detail = NULL;
        const uint8_t *q;
        size_t n;

        assert_int_equal(qgs_build_quote_resp(quote, qn, &frame, &fn), 0);
        assert_int_equal(qgs_build_error_resp(QGS_GET_QUOTE_RESP, QGS_ERROR_UNEXPECTED, &err, &en), 0);
        assert_int_equal(qgs_build_platform_info_req(&pinfo, &pn), 0);

        _cleanup_free_ uint8_t *ok = getquote_buf(1, 0, frame, fn, (uint32_t) fn);
        assert_int_equal(tdx_getquote_buf_parse(ok, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), 0);
        assert_int_equal(n, qn);
        assert_memory_equal(q, quote, qn);
        assert_ptr_equal(q, ok + TDX_GETQUOTE_HDR_SIZE + QGS_PREFIX_SIZE + QGS_QUOTE_RESP_FIXED);

        static const struct {
                uint64_t status;
                int r;
                const char *words;
        } statuses[] = {
                { UINT64_C(0x8000000000000001), -EHOSTUNREACH,
                  "GetQuote status 0x8000000000000001 (QGS unavailable)" },
                { UINT64_C(0x8000000000000000), -EIO, "GetQuote status 0x8000000000000000 (error)" },
                { UINT64_C(0xffffffffffffffff), -EBUSY, "(still in flight)" },
                { 7, -EIO, "GetQuote status 0x0000000000000007 (unknown status)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++) {
                _cleanup_free_ uint8_t *b = getquote_buf(1, statuses[i].status, frame, fn, (uint32_t) fn);
                ASSERT_ERROR(tdx_getquote_buf_parse(b, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail),
                             statuses[i].r, detail, statuses[i].words);
        }

        _cleanup_free_ uint8_t *v2 = getquote_buf(2, 0, frame, fn, (uint32_t) fn);
        ASSERT_ERROR(tdx_getquote_buf_parse(v2, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "structure_version at offset 0 is 2, expected 1");
        _cleanup_free_ uint8_t *huge = getquote_buf(1, 0, frame, fn, 70000);
        ASSERT_ERROR(tdx_getquote_buf_parse(huge, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -E2BIG, detail,
                     "GetQuote out_len 70000 exceeds the 16384-byte buffer");
        _cleanup_free_ uint8_t *edge = getquote_buf(1, 0, frame, fn, TDX_GETQUOTE_BUF_SIZE - 23);
        ASSERT_ERROR(tdx_getquote_buf_parse(edge, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -E2BIG, detail,
                     "out_len 16361");
        /* Upstream QEMU's answer: the bare quote. */
        _cleanup_free_ uint8_t *bare = getquote_buf(1, 0, quote, qn, (uint32_t) qn);
        assert_int_equal(tdx_getquote_buf_parse(bare, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), 0);
        assert_int_equal(n, qn);
        assert_ptr_equal(q, bare + TDX_GETQUOTE_HDR_SIZE);
        _cleanup_free_ uint8_t *half = getquote_buf(1, 0, quote, qn, (uint32_t) qn / 2);
        ASSERT_ERROR(tdx_getquote_buf_parse(half, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "GetQuote reply (out_len", "at offset 24) is neither a quote");
        _cleanup_free_ uint8_t *none = getquote_buf(1, 0, quote, qn, 0);
        ASSERT_ERROR(tdx_getquote_buf_parse(none, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -ENODATA, detail,
                     "out_len 0");
        _cleanup_free_ uint8_t *tiny = getquote_buf(1, 0, frame, fn, 10);
        ASSERT_ERROR(tdx_getquote_buf_parse(tiny, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "out_len 10", "neither a quote", "nor a framed QGS reply");
        _cleanup_free_ uint8_t *trunc = getquote_buf(1, 0, frame, fn, (uint32_t) fn / 2);
        ASSERT_ERROR(tdx_getquote_buf_parse(trunc, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "neither a quote");
        _cleanup_free_ uint8_t *e = getquote_buf(1, 0, err, en, (uint32_t) en);
        ASSERT_ERROR(
                tdx_getquote_buf_parse(e, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EREMOTEIO, detail,
                "QGS behind the GetQuote ioctl answered GET_QUOTE_RESP with error UNEXPECTED (0x12001)");
        _cleanup_free_ uint8_t *p = getquote_buf(1, 0, pinfo, pn, (uint32_t) pn);
        ASSERT_ERROR(tdx_getquote_buf_parse(p, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "GET_PLATFORM_INFO_REQ instead of GET_QUOTE_RESP");
        ASSERT_ERROR(tdx_getquote_buf_parse(ok, 20, &q, &n, &detail), -EBADMSG, detail,
                     "shorter than its 24-byte header");

        /* A reply whose inner sizes disagree with its header names the field. */
        _cleanup_free_ uint8_t *bad = getquote_buf(1, 0, frame, fn, (uint32_t) fn);
        put32(bad + TDX_GETQUOTE_HDR_SIZE + QGS_PREFIX_SIZE + 20, (uint32_t) qn + 1);
        ASSERT_ERROR(tdx_getquote_buf_parse(bad, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -EBADMSG, detail,
                     "a malformed message", "GET_QUOTE_RESP");

        /* An empty quote is no quote. */
        _cleanup_free_ uint8_t *empty_frame = NULL;
        size_t efn;
        assert_int_equal(qgs_build_quote_resp(NULL, 0, &empty_frame, &efn), 0);
        _cleanup_free_ uint8_t *empty = getquote_buf(1, 0, empty_frame, efn, (uint32_t) efn);
        ASSERT_ERROR(tdx_getquote_buf_parse(empty, TDX_GETQUOTE_BUF_SIZE, &q, &n, &detail), -ENODATA, detail,
                     "empty quote");
}

typedef enum ServerMode {
        SERVE_QUOTE,
        SERVE_ERROR,
        SERVE_PLATFORM_INFO,
        SERVE_TRUNCATED,
        SERVE_NOTHING,
        SERVE_HUGE_PREFIX,
        SERVE_SILENCE,
} ServerMode;

typedef struct Server {
        int listen_fd;
        char *dir, *path;
        ServerMode mode;
        const uint8_t *quote;
        size_t quote_size;
        uint8_t got[4096];
        size_t got_size;
} Server;

static void *server_main(void *userdata)
{
        Server *s = userdata;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
                abort();

        /* The request: the 4-byte prefix, then as many bytes as it announces (bounded by got). */
        size_t need = 4;
        while (s->got_size < need) {
                ssize_t k = recv(fd, s->got + s->got_size, need - s->got_size, 0);
                if (k <= 0)
                        abort();
                s->got_size += (size_t) k;
                if (s->got_size == 4) {
                        uint32_t n = (uint32_t) s->got[0] << 24 | (uint32_t) s->got[1] << 16 |
                                     (uint32_t) s->got[2] << 8 | s->got[3];
                        need = MIN((size_t) n + 4, sizeof(s->got));
                }
        }

        _cleanup_free_ uint8_t *reply = NULL;
        size_t n = 0;
        switch (s->mode) {
        case SERVE_QUOTE:
        case SERVE_TRUNCATED:
                assert_int_equal(qgs_build_quote_resp(s->quote, s->quote_size, &reply, &n), 0);
                if (s->mode == SERVE_TRUNCATED)
                        n /= 2;
                break;
        case SERVE_ERROR:
                assert_int_equal(qgs_build_error_resp(QGS_GET_QUOTE_RESP, QGS_ERROR_UNEXPECTED, &reply, &n),
                                 0);
                break;
        case SERVE_PLATFORM_INFO:
                assert_int_equal(qgs_build_platform_info_resp(3, 4, NULL, 0, NULL, 0, &reply, &n), 0);
                break;
        case SERVE_HUGE_PREFIX:
                reply = calloc(1, 20);
                assert_non_null(reply);
                reply[1] = 0x10; /* 1 MiB */
                n = 20;
                break;
        case SERVE_NOTHING:
                break;
        case SERVE_SILENCE: {
                /* Wait for the client to give up and close. */
                uint8_t c;
                while (recv(fd, &c, 1, 0) > 0)
                        ;
                break;
        }
        }
        if (n > 0 && send(fd, reply, n, MSG_NOSIGNAL) != (ssize_t) n)
                abort();
        close(fd);
        return NULL;
}

static void server_start(Server *s, pthread_t *t)
{
        char tmpl[] = "/tmp/cvm-test-qgs-XXXXXX";
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        assert_non_null(mkdtemp(tmpl));
        s->dir = strdup(tmpl);
        assert_true(asprintf(&s->path, "%s/qgs.socket", tmpl) > 0);
        strcpy(sa.sun_path, s->path);
        s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s->listen_fd >= 0);
        assert_int_equal(bind(s->listen_fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(s->listen_fd, 1), 0);
        assert_int_equal(pthread_create(t, NULL, server_main, s), 0);
}

static void server_done(Server *s, pthread_t t)
{
        assert_int_equal(pthread_join(t, NULL), 0);
        close(s->listen_fd);
        rm_rf_freep(&s->dir);
        free(s->path);
}

/* One request to a QGS thread in the given mode: the client's result, detail in *detail. */
static int ask(ServerMode mode, uint64_t timeout_usec, Server *s, uint8_t **quote, size_t *quote_size,
               char **detail)
{
        size_t rn, qn;
        _cleanup_free_ uint8_t *report = attest_load(TDREPORT, &rn);
        _cleanup_free_ uint8_t *q = attest_load(QUOTE, &qn);
        pthread_t t;
        QgsAddress a;

        assert_int_equal(rn, TDX_REPORT_SIZE);
        *s = (Server){ .mode = mode, .quote = q, .quote_size = qn };
        server_start(s, &t);
        _cleanup_free_ char *addr = NULL;
        assert_true(asprintf(&addr, "unix:%s", s->path) > 0);
        assert_int_equal(qgs_address_parse(addr, &a), 0);
        int r = tdx_qgs_get_quote(&a, report, timeout_usec, quote, quote_size, detail);
        server_done(s, t);
        return r;
}

static void test_qgs_quote(void **state)
{
        size_t rn, qn, fn, n = 0;
        _cleanup_free_ uint8_t *report = attest_load(TDREPORT, &rn), *quote = attest_load(QUOTE, &qn);
        _cleanup_free_ uint8_t *frame = NULL, *got = NULL;
        _cleanup_free_ char *detail = NULL;
        Server s;

        assert_int_equal(ask(SERVE_QUOTE, TDX_QGS_TIMEOUT_USEC, &s, &got, &n, &detail), 0);
        assert_int_equal(n, qn);
        assert_memory_equal(got, quote, qn);
        /* The request is QEMU's framing of the TDREPORT: 00 00 04 18, header 1.1, report_size 1024. */
        assert_int_equal(qgs_build_quote_req(report, rn, NULL, 0, &frame, &fn), 0);
        assert_int_equal(s.got_size, fn);
        assert_int_equal(fn, 4 + 24 + 1024);
        assert_memory_equal(s.got, frame, fn);
        assert_memory_equal(s.got, "\x00\x00\x04\x18\x01\x00\x01\x00", 8);
}

static void test_qgs_hostile(void **state)
{
        static const struct {
                ServerMode mode;
                int r;
                const char *words;
        } cases[] = {
                { SERVE_ERROR, -EREMOTEIO, "answered GET_QUOTE_RESP with error UNEXPECTED (0x12001)" },
                { SERVE_PLATFORM_INFO, -EBADMSG,
                  "answered GET_PLATFORM_INFO_RESP instead of GET_QUOTE_RESP" },
                { SERVE_TRUNCATED, -EBADMSG, "closed the connection after" },
                { SERVE_NOTHING, -ECONNRESET, "closed the connection without answering" },
                { SERVE_HUGE_PREFIX, -E2BIG,
                  "length prefix at offset 0 is 1048576 bytes, more than the cap" },
                { SERVE_SILENCE, -ETIMEDOUT, "did not answer in time" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ uint8_t *got = NULL;
                _cleanup_free_ char *detail = NULL;
                size_t n = 0;
                Server s;
                int r = ask(cases[i].mode, 200 * 1000, &s, &got, &n, &detail);
                assert_null(got);
                ASSERT_ERROR(r, cases[i].r, detail, cases[i].words, "QGS at unix:/tmp/cvm-test-qgs-");
        }
}

static void test_qgs_connect_fails(void **state)
{
        size_t rn;
        _cleanup_free_ uint8_t *report = attest_load(TDREPORT, &rn), *got = NULL;
        _cleanup_free_ char *detail = NULL;
        size_t n = 0;
        QgsAddress a;

        assert_int_equal(qgs_address_parse("unix:/nonexistent/qgs.socket", &a), 0);
        ASSERT_ERROR(tdx_qgs_get_quote(&a, report, TDX_QGS_TIMEOUT_USEC, &got, &n, &detail), -ENOENT, detail,
                     "cannot connect to the QGS at unix:/nonexistent/qgs.socket: No such file or directory");
        assert_null(got);
}

static void test_ioctl_not_a_device(void **state)
{
        size_t rn;
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *const[]){ "/dev/tdx_guest", "", NULL });
        _cleanup_free_ uint8_t *report = attest_load(TDREPORT, &rn), *got = NULL;
        _cleanup_free_ char *detail = NULL, *path = NULL;
        size_t n = 0;

        assert_true(asprintf(&path, "%s/dev/tdx_guest", root) > 0);
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0);
        ASSERT_ERROR(tdx_guest_get_quote_ioctl(fd, report, &got, &n, &detail), -ENOTTY, detail,
                     "the kernel has no GetQuote ioctl on /dev/tdx_guest");
        assert_null(got);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_address_parse),      cmocka_unit_test(test_attest_conf),
                cmocka_unit_test(test_buf_parse),          cmocka_unit_test(test_qgs_quote),
                cmocka_unit_test(test_qgs_hostile),        cmocka_unit_test(test_qgs_connect_fails),
                cmocka_unit_test(test_ioctl_not_a_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
