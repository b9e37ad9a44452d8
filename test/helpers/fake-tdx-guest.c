/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An LD_PRELOAD module that makes a regular file named ".../dev/tdx_guest" (under `cvm quote --root=DIR`)
 * answer the ioctls of a TDX guest device, so that cvm's /dev/tdx_guest paths run end to end without a TD:
 *
 * - TDX_CMD_GET_REPORT0 (include/uapi/linux/tdx-guest.h): the TDREPORT in $CVM_FAKE_TDREPORT with the
 *   request's 64 bytes of report data written into REPORTMACSTRUCT.REPORTDATA (offset 128), as the TDX
 *   module would put them there (the MAC then no longer matches, which only Intel's quoting enclave could
 *   tell).
 * - TDX_CMD_GET_QUOTE (_IOR('T', 4, {u64 buf; u64 len}), Intel's out-of-tree kernels and tdx_attest.c):
 *   plays the kernel and the VMM. Checks the GHCI GetQuote header as QEMU's tdx_handle_get_quote() does
 *   (len within 128 KiB, structure_version 1, in_len <= len - 24; else EIO, as the kernel reports a failed
 *   TDVMCALL), then, as upstream QEMU's tdx-quote-generator.c does, sends data[0..in_len) as the report of
 *   a framed GET_QUOTE_REQ to the QGS at the unix socket $CVM_FAKE_QGS, checks the GET_QUOTE_RESP (length
 *   prefix, version 1.1, type, size, error code 0, quote within the message) and writes the bare quote back
 *   at data, with out_len and the status: QGS_UNAVAILABLE when there is no socket to connect to, ERROR
 *   for an error reply, a malformed one or a quote that does not fit the buffer.
 *
 * $CVM_FAKE_GETQUOTE plays other kernels and VMMs: "relay" (a VMM that passes the payload to the QGS and
 * its reply back unchanged), "enotty" (an upstream kernel: no GET_QUOTE ioctl), "truncate" (only the first
 * half of the reply arrives, out_len saying so), "out-len=N" (out_len N, whatever arrived). Every other fd
 * and request goes to the real ioctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

struct fake_report_req {
        uint8_t reportdata[64];
        uint8_t tdreport[1024];
};
struct fake_quote_req {
        uint64_t buf;
        uint64_t len;
};
#define FAKE_GET_REPORT0 _IOWR('T', 1, struct fake_report_req)
#define FAKE_GET_QUOTE   _IOR('T', 4, struct fake_quote_req)

#define HDR_SIZE       24U
#define MAX_BUF_LEN    (128U * 1024) /* QEMU TDX_GET_QUOTE_MAX_BUF_LEN */
#define STATUS_SUCCESS UINT64_C(0)
#define STATUS_ERROR   UINT64_C(0x8000000000000000)
#define STATUS_NO_QGS  UINT64_C(0x8000000000000001)
#define REPORTDATA_OFF 128U
#define DEVICE_SUFFIX  "/dev/tdx_guest"

static int fail(int e)
{
        errno = e;
        return -1;
}

static int is_fake_device(int fd)
{
        char link[64], target[4096];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n < 0)
                return 0;
        target[n] = 0;
        size_t l = strlen(DEVICE_SUFFIX);
        return (size_t) n >= l && strcmp(target + n - l, DEVICE_SUFFIX) == 0;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
        uint64_t v = 0;
        for (size_t i = n; i > 0; i--)
                v = v << 8 | p[i - 1];
        return v;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static int get_report(struct fake_report_req *req)
{
        const char *path = getenv("CVM_FAKE_TDREPORT");
        uint8_t report[sizeof(req->tdreport)];
        if (!path)
                return fail(EIO);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail(EIO);
        ssize_t n = read(fd, report, sizeof(report));
        close(fd);
        if (n != (ssize_t) sizeof(report))
                return fail(EIO);
        memcpy(report + REPORTDATA_OFF, req->reportdata, sizeof(req->reportdata));
        memcpy(req->tdreport, report, sizeof(report));
        return 0;
}

/* Connects to $CVM_FAKE_QGS, or -1 (QEMU: QGS_UNAVAILABLE). */
static int qgs_connect(void)
{
        const char *path = getenv("CVM_FAKE_QGS");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!path || strlen(path) >= sizeof(sa.sun_path))
                return -1;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* Relays the request, reads the reply until the QGS closes: its length, or -1 (too big, I/O error). */
static ssize_t relay(int fd, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap)
{
        for (size_t off = 0; off < in_len;) {
                ssize_t k = send(fd, in + off, in_len - off, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return -1;
                off += (size_t) k;
        }
        size_t n = 0;
        for (;;) {
                uint8_t extra;
                ssize_t k = n < cap ? recv(fd, out + n, cap - n, 0) : recv(fd, &extra, 1, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -1;
                if (k == 0)
                        return (ssize_t) n;
                if (n == cap)
                        return -1; /* more than the guest's buffer holds */
                n += (size_t) k;
        }
}

/* As upstream QEMU: the payload as the report of a GET_QUOTE_REQ, the quote of the reply written back bare.
 */
static ssize_t qemu_get_quote(int fd, const uint8_t *report, size_t report_len, uint8_t *out, size_t cap)
{
        size_t msg = 16 + 8 + report_len, n;
        uint8_t *req = malloc(4 + msg), *rep = malloc(4 + MAX_BUF_LEN);
        ssize_t k = -1;

        if (!req || !rep)
                goto out;
        for (size_t i = 0; i < 4; i++)
                req[i] = (uint8_t) (msg >> (8 * (3 - i)));
        memset(req + 4, 0, 24);
        put_le(req + 4, 1, 2); /* major_version */
        put_le(req + 6, 1, 2); /* minor_version; type 0 GET_QUOTE_REQ */
        put_le(req + 12, msg, 4);
        put_le(req + 20, report_len, 4); /* report_size; id_list_size 0 */
        memcpy(req + 28, report, report_len);
        k = relay(fd, req, 4 + msg, rep, 4 + MAX_BUF_LEN);
        if (k < 4 + 16 + 8)
                goto fail;
        n = (size_t) k;
        uint64_t len = (uint64_t) rep[0] << 24 | (uint64_t) rep[1] << 16 | (uint64_t) rep[2] << 8 | rep[3];
        const uint8_t *m = rep + 4;
        if (len == 0 || len > n - 4 || get_le(m, 2) != 1 || get_le(m + 2, 2) != 1 || get_le(m + 4, 4) != 1 ||
            get_le(m + 8, 4) != len || get_le(m + 12, 4) != 0)
                goto fail;
        uint64_t id_size = get_le(m + 16, 4), quote_size = get_le(m + 20, 4);
        if (24 + id_size + quote_size > len || quote_size == 0 || quote_size > cap)
                goto fail;
        memcpy(out, m + 24 + id_size, quote_size);
        k = (ssize_t) quote_size;
        goto out;
fail:
        k = -1;
out:
        free(req);
        free(rep);
        return k;
}

static int get_quote(const struct fake_quote_req *req)
{
        const char *mode = getenv("CVM_FAKE_GETQUOTE") ?: "";
        uint8_t *buf = (uint8_t *) (uintptr_t) req->buf;

        if (strcmp(mode, "enotty") == 0)
                return fail(ENOTTY);
        if (!buf || req->len < HDR_SIZE || req->len > MAX_BUF_LEN)
                return fail(EINVAL);
        uint64_t version = get_le(buf, 8);
        uint32_t in_len = (uint32_t) get_le(buf + 16, 4);
        if (version != 1 || in_len > req->len - HDR_SIZE)
                return fail(EIO);

        uint8_t *data = buf + HDR_SIZE;
        size_t cap = req->len - HDR_SIZE;
        uint64_t status = STATUS_SUCCESS;
        size_t out_len = 0;
        int fd = qgs_connect();
        if (fd < 0)
                status = STATUS_NO_QGS;
        else {
                uint8_t *in = malloc(in_len ? in_len : 1);
                if (!in) {
                        close(fd);
                        return fail(ENOMEM);
                }
                /* The reply overwrites the request in the same buffer. */
                memcpy(in, data, in_len);
                ssize_t n = strcmp(mode, "relay") == 0 ? relay(fd, in, in_len, data, cap)
                                                       : qemu_get_quote(fd, in, in_len, data, cap);
                free(in);
                close(fd);
                if (n < 0)
                        status = STATUS_ERROR;
                else
                        out_len = (size_t) n;
        }

        if (status == STATUS_SUCCESS && strcmp(mode, "truncate") == 0)
                out_len /= 2;
        if (strncmp(mode, "out-len=", 8) == 0)
                out_len = strtoul(mode + 8, NULL, 10);
        put_le(buf + 8, status, 8);
        put_le(buf + 20, out_len, 4);
        return 0;
}

/* The project builds with hidden visibility; this one symbol must interpose libc's. */
__attribute__((visibility("default"))) int ioctl(int fd, unsigned long request, ...)
{
        va_list ap;
        va_start(ap, request);
        void *arg = va_arg(ap, void *);
        va_end(ap);

        if (!is_fake_device(fd))
                return (int) syscall(SYS_ioctl, fd, request, arg);
        switch (request) {
        case FAKE_GET_REPORT0:
                return get_report(arg);
        case FAKE_GET_QUOTE:
                return get_quote(arg);
        default:
                return fail(ENOTTY);
        }
}
