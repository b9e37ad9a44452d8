/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TD quotes through a QGS socket or the legacy GetQuote ioctl; see tdx-getquote.h for the formats and
 * where they come from.
 */
#include <ctype.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#include "attest/openssl-util.h"
#include "attest/tdx-quote.h"
#include "fileio.h"
#include "guest/tdx-getquote.h"
#include "parse-error.h"
#include "parse-util.h"
#include "qgs/qgs-proto.h"
#include "reader.h"
#include "time-util.h"

/* tdx_attest.c: struct tdx_quote_req, the ioctl argument; buf is a user pointer. */
struct tdx_quote_req {
        uint64_t buf;
        uint64_t len;
};
#define TDX_CMD_GET_QUOTE    _IOR('T', 4, struct tdx_quote_req)
#define TDX_CMD_GET_QUOTE_V3 _IOWR('T', 4, struct tdx_quote_req)

int qgs_address_parse(const char *s, QgsAddress *ret)
{
        QgsAddress a = {};
        const char *rest;

        assert(s && ret);
        if ((rest = startswith(s, "unix:"))) {
                if (isempty(rest) || strlen(rest) >= sizeof(a.path))
                        return -EINVAL;
                a.family = AF_UNIX;
                memcpy(a.path, rest, strlen(rest) + 1);
        } else if ((rest = startswith(s, "vsock:"))) {
                const char *colon = strchr(rest, ':');
                char cid[16];
                a.family = AF_VSOCK;
                a.cid = TDX_QGS_HOST_CID;
                if (colon) {
                        size_t n = (size_t) (colon - rest);
                        if (n == 0 || n >= sizeof(cid))
                                return -EINVAL;
                        memcpy(cid, rest, n);
                        cid[n] = 0;
                        if (safe_atou(cid, 10, &a.cid) < 0)
                                return -EINVAL;
                        rest = colon + 1;
                }
                if (safe_atou(rest, 10, &a.port) < 0 || a.port == 0)
                        return -EINVAL;
        } else
                return -EINVAL;
        *ret = a;
        return 0;
}

const char *qgs_address_to_string(const QgsAddress *a, char buf[static QGS_ADDRESS_STRING_MAX])
{
        if (a->family == AF_UNIX)
                snprintf(buf, QGS_ADDRESS_STRING_MAX, "unix:%s", a->path);
        else
                snprintf(buf, QGS_ADDRESS_STRING_MAX, "vsock:%u:%u", a->cid, a->port);
        return buf;
}

static const char *skip_blanks(const char *p, const char *end)
{
        while (p < end && isspace((unsigned char) *p))
                p++;
        return p;
}

int tdx_attest_conf_parse(const char *text, unsigned *ret_port)
{
        assert(text && ret_port);

        for (const char *line = text; *line;) {
                const char *end = line + strcspn(line, "\n");
                const char *next = *end ? end + 1 : end;
                const char *p = skip_blanks(line, end);
                line = next;

                if (p < end && *p == '#')
                        continue;
                if ((size_t) (end - p) < 4 || !strneq(p, "port", 4))
                        continue;
                p = skip_blanks(p + 4, end);
                if (p >= end || *p != '=')
                        continue;
                p = skip_blanks(p + 1, end);
                const char *digits = p;
                while (p < end && *p >= '0' && *p <= '9' && p - digits < 10)
                        p++;
                size_t n = (size_t) (p - digits);
                if (n == 0 || skip_blanks(p, end) != end)
                        continue; /* more than 10 digits, or something after the number */

                uint64_t v = 0;
                for (size_t i = 0; i < n; i++)
                        v = v * 10 + (uint64_t) (digits[i] - '0');
                if (v > UINT32_MAX)
                        return -ERANGE;
                *ret_port = (unsigned) v;
                return 0;
        }
        return -ENOENT;
}

int tdx_attest_conf_port(const char *root, unsigned *ret_port)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at_root(root, TDX_ATTEST_CONF, TDX_ATTEST_CONF_MAX, &text, NULL);
        if (r < 0)
                return r;
        return tdx_attest_conf_parse(text, ret_port);
}

int tdx_qgs_reply_parse(const uint8_t *msg, size_t size, const uint8_t **ret_quote, size_t *ret_quote_size,
                        char **reterr)
{
        _cleanup_free_ char *why = NULL;
        QgsMessage m;

        int r = qgs_msg_parse(msg, size, &m, NULL, &why);
        if (r < 0)
                return parse_error(reterr, r, "a malformed message (%s)", strna(why));
        if (m.type != QGS_GET_QUOTE_RESP)
                return parse_error(reterr, -EBADMSG, "%s instead of GET_QUOTE_RESP",
                                   qgs_msg_type_to_string(m.type));
        if (m.error_code != 0) {
                const char *name = qgs_error_to_string(m.error_code);
                return parse_error(reterr, -EREMOTEIO, "GET_QUOTE_RESP with error %s (0x%" PRIx32 ")",
                                   name ?: "unknown to Intel's qgs_msg_lib", m.error_code);
        }
        if (m.quote_resp.quote.size == 0)
                return parse_error(reterr, -ENODATA, "GET_QUOTE_RESP with an empty quote (quote_size 0)");
        *ret_quote = m.quote_resp.quote.p;
        *ret_quote_size = m.quote_resp.quote.size;
        return 0;
}

/* Waits for events on fd until the deadline (CLOCK_MONOTONIC µs): 0, -ETIMEDOUT or -errno. */
static int fd_wait(int fd, short events, uint64_t deadline)
{
        for (;;) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = events };
                uint64_t ms = (deadline - now + 999) / 1000;
                int n = poll(&p, 1, (int) MIN(ms, (uint64_t) INT_MAX));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n > 0)
                        return 0;
        }
}

/* A non-blocking stream socket connected to a before the deadline: the fd, or -errno. */
static int qgs_connect(const QgsAddress *a, uint64_t deadline)
{
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
                struct sockaddr_vm vm;
        } sa = {};
        socklen_t len;

        if (a->family == AF_UNIX) {
                sa.un.sun_family = AF_UNIX;
                memcpy(sa.un.sun_path, a->path, strnlen(a->path, sizeof(a->path) - 1));
                len = sizeof(sa.un);
        } else {
                sa.vm.svm_family = AF_VSOCK;
                sa.vm.svm_cid = a->cid;
                sa.vm.svm_port = a->port;
                len = sizeof(sa.vm);
        }

        _cleanup_close_ int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, &sa.sa, len) < 0) {
                if (errno != EINPROGRESS)
                        return -errno;
                int r = fd_wait(fd, POLLOUT, deadline);
                if (r < 0)
                        return r;
                int err = 0;
                socklen_t l = sizeof(err);
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
                        return -errno;
                if (err != 0)
                        return -err;
        }
        return TAKE_FD(fd);
}

static int send_all(int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        int r = fd_wait(fd, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/*
 * Reads one framed reply: never more than the frame announces, and the frame never more than
 * QGS_MSG_MAX (qgs_frame_classify() checks the prefix and header as soon as they are in).
 */
static int recv_frame(int fd, const char *where, uint64_t deadline, uint8_t **ret, size_t *ret_size,
                      char **reterr)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0, need = QGS_PREFIX_SIZE + QGS_HEADER_SIZE;

        for (;;) {
                if (n == need) {
                        _cleanup_free_ char *why = NULL;
                        QgsFrameKind kind;
                        int r = qgs_frame_classify(buf, n, QGS_MSG_MAX, &kind, &need, NULL, &why);
                        if (r < 0)
                                return parse_error(reterr, r, "QGS at %s answered a malformed message (%s)",
                                                   where, strna(why));
                        if (kind == QGS_FRAME_RAW)
                                return parse_error(reterr, -EBADMSG,
                                                   "QGS at %s answered 1024 bytes without a length prefix "
                                                   "(a raw TDREPORT), not a framed GET_QUOTE_RESP",
                                                   where);
                        if (kind == QGS_FRAME_FRAMED)
                                break;
                }
                uint8_t *b = realloc(buf, need);
                if (!b)
                        return -ENOMEM;
                buf = b;

                ssize_t k = recv(fd, buf + n, need - n, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        int r = fd_wait(fd, POLLIN, deadline);
                        if (r == -ETIMEDOUT)
                                return parse_error(
                                        reterr, r,
                                        "QGS at %s did not answer in time (%zu bytes of its reply "
                                        "by the deadline)",
                                        where, n);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (k < 0) {
                        int e = -errno;
                        return parse_error(reterr, e,
                                           "QGS at %s: reading its reply failed after %zu bytes: %s", where,
                                           n, strerror(-e));
                }
                if (k == 0) {
                        if (n == 0)
                                return parse_error(reterr, -ECONNRESET,
                                                   "QGS at %s closed the connection without answering",
                                                   where);
                        return parse_error(reterr, -EBADMSG,
                                           "QGS at %s closed the connection after %zu bytes of its reply "
                                           "(truncated: %zu expected so far)",
                                           where, n, need);
                }
                n += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

int tdx_qgs_get_quote(const QgsAddress *a, const uint8_t tdreport[static TDX_REPORT_SIZE],
                      uint64_t timeout_usec, uint8_t **ret_quote, size_t *ret_size, char **reterr)
{
        _cleanup_free_ uint8_t *req = NULL, *reply = NULL;
        _cleanup_free_ char *why = NULL;
        char where[QGS_ADDRESS_STRING_MAX];
        size_t req_size = 0, reply_size = 0, quote_size = 0;
        const uint8_t *quote;
        int r;

        assert(a && tdreport && ret_quote && ret_size);
        qgs_address_to_string(a, where);
        uint64_t deadline = now_usec() + timeout_usec;

        r = qgs_build_quote_req(tdreport, TDX_REPORT_SIZE, NULL, 0, &req, &req_size);
        if (r < 0)
                return r;

        _cleanup_close_ int fd = qgs_connect(a, deadline);
        if (fd < 0) {
                if (fd == -ETIMEDOUT)
                        return parse_error(reterr, fd,
                                           "cannot connect to the QGS at %s: no answer within %" PRIu64 " s",
                                           where, timeout_usec / 1000000);
                return parse_error(reterr, fd, "cannot connect to the QGS at %s: %s", where, strerror(-fd));
        }
        r = send_all(fd, req, req_size, deadline);
        if (r < 0)
                return parse_error(reterr, r, "cannot send the GET_QUOTE_REQ to the QGS at %s: %s", where,
                                   strerror(-r));
        r = recv_frame(fd, where, deadline, &reply, &reply_size, reterr);
        if (r < 0)
                return r;
        r = tdx_qgs_reply_parse(reply + QGS_PREFIX_SIZE, reply_size - QGS_PREFIX_SIZE, &quote, &quote_size,
                                &why);
        if (r < 0)
                return parse_error(reterr, r, "QGS at %s answered %s", where, strna(why));

        uint8_t *q = malloc(quote_size);
        if (!q)
                return -ENOMEM;
        memcpy(q, quote, quote_size);
        *ret_quote = q;
        *ret_size = quote_size;
        return 0;
}

static const char *getquote_status_to_string(uint64_t s)
{
        switch (s) {
        case TDX_GETQUOTE_IN_FLIGHT:
                return "still in flight";
        case TDX_GETQUOTE_ERROR:
                return "error";
        case TDX_GETQUOTE_QGS_UNAVAILABLE:
                return "QGS unavailable";
        default:
                return "unknown status";
        }
}

int tdx_getquote_buf_parse(const uint8_t *buf, size_t size, const uint8_t **ret_quote,
                           size_t *ret_quote_size, char **reterr)
{
        _cleanup_free_ char *why = NULL;
        Reader r = reader_init(buf, size);
        uint64_t version, status;
        uint32_t in_len, out_len, prefix;
        int k;

        assert(ret_quote && ret_quote_size);
        if (reader_u64le(&r, &version) < 0 || reader_u64le(&r, &status) < 0 ||
            reader_u32le(&r, &in_len) < 0 || reader_u32le(&r, &out_len) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "GetQuote buffer of %zu bytes is shorter than its %u-byte header", size,
                                   TDX_GETQUOTE_HDR_SIZE);
        if (version != TDX_GETQUOTE_VERSION)
                return parse_error(reterr, -EBADMSG,
                                   "GetQuote buffer: structure_version at offset 0 is %" PRIu64
                                   ", expected %u",
                                   version, TDX_GETQUOTE_VERSION);
        if (status != TDX_GETQUOTE_SUCCESS)
                return parse_error(reterr,
                                   status == TDX_GETQUOTE_IN_FLIGHT         ? -EBUSY
                                   : status == TDX_GETQUOTE_QGS_UNAVAILABLE ? -EHOSTUNREACH
                                                                            : -EIO,
                                   "GetQuote status 0x%016" PRIx64 " (%s)", status,
                                   getquote_status_to_string(status));
        if (out_len > reader_remaining(&r))
                return parse_error(reterr, -E2BIG,
                                   "GetQuote out_len %" PRIu32
                                   " exceeds the %zu-byte buffer (%zu bytes of data)",
                                   out_len, size, reader_remaining(&r));
        /* Upstream QEMU writes the bare quote; a VMM that relays the QGS's reply unchanged writes it framed.
         * A quote starts with its little-endian version (4 or 5: 0x0400... read big-endian, far more than a
         * buffer holds), a frame with its big-endian length, equal to the rest. */
        const uint8_t *out = buf + r.off;
        if (out_len >= QGS_PREFIX_SIZE + QGS_HEADER_SIZE && reader_u32be(&r, &prefix) >= 0 &&
            prefix == out_len - QGS_PREFIX_SIZE) {
                k = tdx_qgs_reply_parse(out + QGS_PREFIX_SIZE, prefix, ret_quote, ret_quote_size, &why);
                if (k < 0)
                        return parse_error(reterr, k, "the QGS behind the GetQuote ioctl answered %s",
                                           strna(why));
                return 0;
        }
        if (out_len == 0)
                return parse_error(reterr, -ENODATA, "GetQuote succeeded with out_len 0: no quote");
        TdxQuote q;
        k = tdx_quote_parse(out, out_len, &q, &why);
        if (k < 0)
                return parse_error(reterr, k == -ENOMEM ? k : -EBADMSG,
                                   "GetQuote reply (out_len %" PRIu32
                                   " at offset %u) is neither a quote (%s) "
                                   "nor a framed QGS reply",
                                   out_len, TDX_GETQUOTE_HDR_SIZE, strna(why));
        tdx_quote_done(&q);
        *ret_quote = out;
        *ret_quote_size = out_len;
        return 0;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

int tdx_guest_get_quote_ioctl(int fd, const uint8_t tdreport[static TDX_REPORT_SIZE], uint8_t **ret_quote,
                              size_t *ret_size, char **reterr)
{
        static const unsigned long cmds[] = { TDX_CMD_GET_QUOTE, TDX_CMD_GET_QUOTE_V3 };
        _cleanup_free_ uint8_t *buf = NULL;
        const uint8_t *quote;
        size_t quote_size;
        int r;

        assert(fd >= 0 && tdreport && ret_quote && ret_size);
        /* The payload is the bare TDREPORT, as the upstream kernel sends it for configfs-tsm: upstream QEMU
         * wraps it in a GET_QUOTE_REQ itself, and a VMM that relays it unchanged makes it a raw-mode
         * request, which cvm-qgsd and Intel's QGS answer with a bare quote. (Intel's library puts a framed
         * request there, which only such a relaying VMM forwards intact.) Four pages, as Intel's library
         * asks for; the kernel copies them to shared memory itself. */
        buf = aligned_alloc(4096, TDX_GETQUOTE_BUF_SIZE);
        if (!buf)
                return -ENOMEM;
        memset(buf, 0, TDX_GETQUOTE_BUF_SIZE);
        put_le(buf, TDX_GETQUOTE_VERSION, 8);
        put_le(buf + 8, TDX_GETQUOTE_SUCCESS, 8);
        put_le(buf + 16, TDX_REPORT_SIZE, 4);
        memcpy(buf + TDX_GETQUOTE_HDR_SIZE, tdreport, TDX_REPORT_SIZE);

        struct tdx_quote_req arg = { .buf = (uint64_t) (uintptr_t) buf, .len = TDX_GETQUOTE_BUF_SIZE };
        r = -ENOTTY;
        for (size_t i = 0; i < ELEMENTSOF(cmds) && r == -ENOTTY; i++) {
                while ((r = RET_NERRNO(ioctl(fd, cmds[i], &arg))) == -EINTR)
                        ;
        }
        if (r == -ENOTTY)
                return parse_error(reterr, r,
                                   "the kernel has no GetQuote ioctl on /dev/tdx_guest "
                                   "(TDX_CMD_GET_QUOTE: %s)",
                                   strerror(-r));
        if (r < 0)
                return parse_error(reterr, r, "the GetQuote ioctl on /dev/tdx_guest failed: %s",
                                   strerror(-r));

        r = tdx_getquote_buf_parse(buf, TDX_GETQUOTE_BUF_SIZE, &quote, &quote_size, reterr);
        if (r < 0)
                return r;
        uint8_t *q = malloc(quote_size);
        if (!q)
                return -ENOMEM;
        memcpy(q, quote, quote_size);
        *ret_quote = q;
        *ret_size = quote_size;
        return 0;
}
