/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A TD quote without configfs-tsm: the TDREPORT from /dev/tdx_guest goes to a Quote Generation Service
 * as a framed GET_QUOTE_REQ (qgs/qgs-proto.h) by one of the two routes Intel's guest library takes
 * (intel/SGXDataCenterAttestationPrimitives QuoteGeneration/quote_wrapper/tdx_attest/tdx_attest.c):
 *
 * - over a socket, straight to the QGS: AF_VSOCK to the host (CID 2, VMADDR_CID_HOST) on the port that
 *   /etc/tdx-attest.conf names ("port=4050"; no file, no such line or port 0: not configured), or any
 *   address the caller names (vsock:CID:PORT, unix:PATH). The request is [4-byte big-endian length][QGS
 *   message]; so is the reply.
 * - through the VMM, with the GetQuote ioctl of Intel's out-of-tree TDX guest kernels
 *   (TDX_CMD_GET_QUOTE = _IOR('T', 4, struct {u64 buf; u64 len}), or _IOWR for tdx_attest's V3_DRIVER
 *   build) on a 16 KiB buffer (REQ_BUF_SIZE, four pages) that starts with the GHCI GetQuote header
 *   {u64 structure_version = 1, u64 status, u32 in_len, u32 out_len} (24 bytes, little-endian); the kernel
 *   returns once the VMM has written the reply, out_len and the final status there (GHCI
 *   TDG.VP.VMCALL<GetQuote>). The payload is the bare TDREPORT, which upstream QEMU (tdx-quote-generator.c)
 *   wraps in a GET_QUOTE_REQ itself, answering with the bare quote; a VMM that relays payloads unchanged
 *   makes it a raw-mode request to the QGS, answered with a bare quote too. (Intel's library puts a
 *   framed request there, which upstream QEMU would wrap a second time.) A framed reply is accepted as
 *   well. Upstream kernels have no such ioctl: ENOTTY.
 *
 * Every reply is untrusted: read with a size cap and a deadline, parsed through qgs_msg_parse().
 */
#include "attest/tdx-report.h"
#include "macro.h"

#define TDX_ATTEST_CONF       "/etc/tdx-attest.conf"
#define TDX_ATTEST_CONF_MAX   (64U * 1024)
#define TDX_QGS_HOST_CID      2U /* VMADDR_CID_HOST */
#define TDX_QGS_DEFAULT_PORT  4050U
#define TDX_GETQUOTE_BUF_SIZE (16U * 1024)
#define TDX_GETQUOTE_HDR_SIZE 24U
#define TDX_GETQUOTE_VERSION  1U
/* Intel's QGS and QEMU give up on a request after 30 s; a client has no reason to wait longer. */
#define TDX_QGS_TIMEOUT_USEC   (30ULL * 1000000)
#define QGS_ADDRESS_STRING_MAX (sizeof("unix:") + 108)

/* GHCI GetQuote status codes (tdx_attest.c GET_QUOTE_*; QEMU tdx-quote-generator.h). */
#define TDX_GETQUOTE_SUCCESS         UINT64_C(0)
#define TDX_GETQUOTE_IN_FLIGHT       UINT64_C(0xffffffffffffffff)
#define TDX_GETQUOTE_ERROR           UINT64_C(0x8000000000000000)
#define TDX_GETQUOTE_QGS_UNAVAILABLE UINT64_C(0x8000000000000001)

typedef struct QgsAddress {
        int family; /* AF_UNIX or AF_VSOCK */
        unsigned cid, port;
        char path[108]; /* sizeof(sockaddr_un.sun_path) */
} QgsAddress;

/* "vsock:PORT" (CID 2, the host), "vsock:CID:PORT" or "unix:PATH"; -EINVAL otherwise. */
int qgs_address_parse(const char *s, QgsAddress *ret);
/* "vsock:2:4050" or "unix:PATH", into buf. */
const char *qgs_address_to_string(const QgsAddress *a, char buf[static QGS_ADDRESS_STRING_MAX]);

/*
 * The port of a tdx-attest.conf text, read as tdx_attest.c get_vsock_port() does: lines whose first
 * non-blank is '#' are comments; the first line that is exactly "port = DIGITS" (blanks allowed around
 * each part, at most 10 digits, nothing else on the line) wins; other lines are skipped. Returns 0 and the
 * port (0 means "not configured" to Intel's library too), -ENOENT when no line matches, -ERANGE when the
 * value does not fit 32 bits (Intel's library then uses no port).
 */
int tdx_attest_conf_parse(const char *text, unsigned *ret_port);
/* The same for ROOT/etc/tdx-attest.conf: -ENOENT also when the file does not exist. */
int tdx_attest_conf_port(const char *root, unsigned *ret_port);

/*
 * Checks one QGS message (without its length prefix) as the answer to a GET_QUOTE_REQ: well formed
 * (qgs_msg_parse()), of type GET_QUOTE_RESP, error_code 0 and a non-empty quote, which *ret_quote points
 * at inside msg. Errors: -EBADMSG/-E2BIG malformed or another type, -EREMOTEIO an error reply, -ENODATA an
 * empty quote; *reterr completes "QGS ... answered " (e.g. "GET_QUOTE_RESP with error UNEXPECTED
 * (0x12001)").
 */
int tdx_qgs_reply_parse(const uint8_t *msg, size_t size, const uint8_t **ret_quote, size_t *ret_quote_size,
                        char **reterr);

/*
 * Sends the TDREPORT to the QGS at a as a framed GET_QUOTE_REQ and returns the quote of its reply (one
 * request per connection). Connect, send and receive share one deadline of timeout_usec. Errors: the
 * connect's -errno, -ETIMEDOUT, -ECONNRESET (closed without a reply), -EBADMSG (truncated or malformed),
 * -E2BIG (a length over QGS_MSG_MAX), -EREMOTEIO (an error reply); *reterr names the address and the
 * problem.
 */
int tdx_qgs_get_quote(const QgsAddress *a, const uint8_t tdreport[static TDX_REPORT_SIZE],
                      uint64_t timeout_usec, uint8_t **ret_quote, size_t *ret_size, char **reterr);

/*
 * Checks a GetQuote buffer after the VMM answered: structure_version 1, status SUCCESS (-EBUSY in
 * flight, -EHOSTUNREACH QGS unavailable, -EIO error or an unknown status), out_len within the buffer
 * (-E2BIG), then either a framed QGS reply (a big-endian length prefix equal to out_len - 4:
 * tdx_qgs_reply_parse()) or a bare quote that tdx_quote_parse() accepts (-EBADMSG otherwise, -ENODATA for
 * out_len 0). *ret_quote points into buf.
 */
int tdx_getquote_buf_parse(const uint8_t *buf, size_t size, const uint8_t **ret_quote,
                           size_t *ret_quote_size, char **reterr);

/*
 * The legacy GetQuote ioctl on an open /dev/tdx_guest: builds the buffer, issues TDX_CMD_GET_QUOTE
 * (tdx_attest.c's number, then its V3_DRIVER variant) and parses the result. -ENOTTY when the kernel has
 * neither (every upstream kernel); other errors as tdx_getquote_buf_parse() or the ioctl's -errno.
 */
int tdx_guest_get_quote_ioctl(int fd, const uint8_t tdreport[static TDX_REPORT_SIZE], uint8_t **ret_quote,
                              size_t *ret_size, char **reterr);
