/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Quote Generation Service wire protocol, byte-exact with what QEMU sends and accepts and with Intel's
 * QGS. Sources: intel/SGXDataCenterAttestationPrimitives QuoteGeneration/quote_wrapper/qgs_msg_lib/inc/
 * qgs_msg_lib.h (messages, error codes), qgs/qgs_server.cpp (framing, raw mode), qemu/qemu
 * target/i386/kvm/tdx-quote-generator.c (what QEMU builds and checks); reference/launch.md §1.5.
 *
 * A framed message is a 4-byte BIG-endian length N followed by N bytes: a packed 16-byte header
 * {u16 major = 1, u16 minor = 1, u32 type, u32 size (= N, header included), u32 error_code} and a body,
 * all little-endian. The raw mode is a bare 1024-byte TDREPORT answered by the bare quote (no prefix, no
 * header). One request per connection.
 */
#include "macro.h"

#define QGS_PREFIX_SIZE     4U
#define QGS_HEADER_SIZE     16U
#define QGS_MSG_MAJOR       1U
#define QGS_MSG_MINOR       1U
#define QGS_RAW_REPORT_SIZE 1024U
/* REPORTMACSTRUCT.REPORTTYPE.TYPE of a TDREPORT: what tells a raw request from a framed one. */
#define QGS_TDX_REPORT_TYPE 0x81U
/* The largest message either side accepts: QEMU's GetQuote buffer is at most 128 KiB. */
#define QGS_MSG_MAX          (128U * 1024U)
#define QGS_QUOTE_REQ_FIXED  24U /* header + report_size + id_list_size */
#define QGS_QUOTE_RESP_FIXED 24U /* header + selected_id_size + quote_size */
#define QGS_COLL_REQ_FIXED   24U /* header + fmspc_size + pckca_size */
#define QGS_COLL_RESP_FIXED  48U /* header + major + minor + 7 sizes */
#define QGS_PINFO_REQ_FIXED  16U /* header only */
#define QGS_PINFO_RESP_FIXED 28U /* header + tdqe_isvsvn + pce_isvsvn + 2 sizes */

typedef enum QgsMsgType {
        QGS_GET_QUOTE_REQ = 0,
        QGS_GET_QUOTE_RESP = 1,
        QGS_GET_COLLATERAL_REQ = 2,
        QGS_GET_COLLATERAL_RESP = 3,
        QGS_GET_PLATFORM_INFO_REQ = 4,
        QGS_GET_PLATFORM_INFO_RESP = 5,
        _QGS_MSG_TYPE_MAX,
        _QGS_MSG_TYPE_INVALID = -EINVAL,
} QgsMsgType;

/* qgs_msg_error_t: QGS_MSG_MK_ERROR(x) = 0x00012000 | x. */
typedef enum QgsError {
        QGS_SUCCESS = 0,
        QGS_ERROR_UNEXPECTED = 0x12001,
        QGS_ERROR_OUT_OF_MEMORY = 0x12002,
        QGS_ERROR_INVALID_PARAMETER = 0x12003,
        QGS_ERROR_INVALID_VERSION = 0x12004,
        QGS_ERROR_INVALID_TYPE = 0x12005,
        QGS_ERROR_INVALID_SIZE = 0x12006,
        QGS_ERROR_INVALID_CODE = 0x12007,
} QgsError;

const char *qgs_msg_type_to_string(QgsMsgType t) _pure_;
QgsMsgType qgs_msg_type_from_string(const char *s) _pure_;
/* "INVALID_SIZE" for 0x12006, "SUCCESS" for 0, NULL for values Intel does not define. */
const char *qgs_error_to_string(uint32_t e) _pure_;

typedef struct QgsBlob {
        const uint8_t *p; /* points into the parsed buffer */
        uint32_t size;
} QgsBlob;

enum {
        QGS_COLL_PCK_CRL_ISSUER_CHAIN,
        QGS_COLL_ROOT_CA_CRL,
        QGS_COLL_PCK_CRL,
        QGS_COLL_TCB_INFO_ISSUER_CHAIN,
        QGS_COLL_TCB_INFO,
        QGS_COLL_QE_IDENTITY_ISSUER_CHAIN,
        QGS_COLL_QE_IDENTITY,
        _QGS_COLL_MAX,
};

/* One decoded message. Only the members of its type are set; blobs point into the input. */
typedef struct QgsMessage {
        uint16_t major, minor;
        QgsMsgType type;
        uint32_t size, error_code;
        union {
                struct {
                        QgsBlob report, id_list;
                } quote_req;
                struct {
                        QgsBlob selected_id, quote;
                } quote_resp;
                struct {
                        QgsBlob fmspc, pckca;
                } coll_req;
                struct {
                        uint16_t major, minor;
                        QgsBlob part[_QGS_COLL_MAX];
                } coll_resp;
                struct {
                        uint16_t tdqe_isvsvn, pce_isvsvn;
                        QgsBlob platform_id, cpusvn;
                } pinfo_resp;
        };
} QgsMessage;

/*
 * Decodes one message (without the length prefix) of exactly size bytes. Checks as Intel's qgs_msg_lib
 * does: major version 1 (any minor), a known type, header size == size <= QGS_MSG_MAX, error_code 0 in
 * requests, every inner size against what is left and the exact total, report_size != 0, fmspc_size and
 * pckca_size != 0. Returns 0, or -EBADMSG (malformed), -E2BIG (over the cap), -EPROTONOSUPPORT (major
 * version), -EOPNOTSUPP (type); *ret_qgs_error (if not NULL) gets the QGS error code to answer with, and
 * *reterr a sentence naming the field and its offset.
 */
int qgs_msg_parse(const uint8_t *p, size_t size, QgsMessage *ret, uint32_t *ret_qgs_error, char **reterr);

/* What the first bytes of a connection say. */
typedef enum QgsFrameKind {
        QGS_FRAME_MORE,   /* need more bytes: *ret_need is how many in total */
        QGS_FRAME_FRAMED, /* a length-prefixed message of *ret_need bytes (prefix included) */
        QGS_FRAME_RAW,    /* a bare TDREPORT: exactly QGS_RAW_REPORT_SIZE bytes */
} QgsFrameKind;

/*
 * Classifies the n bytes received so far. A TDREPORT starts with its type byte 0x81, which as a length
 * prefix would be over 2 GiB, so no valid frame starts that way: those bytes are a raw request. Anything
 * else is framed, and its prefix and header are checked at once (prefix 0 or > max, major version, type,
 * header size != prefix), so a hostile client is answered without waiting for a body that never comes.
 * Bytes beyond the request (more than 1024 raw, more than 4 + N framed) are an error: one request per
 * connection. Errors are as qgs_msg_parse(); *ret_qgs_error says what to answer a framed client.
 */
int qgs_frame_classify(const uint8_t *p, size_t n, size_t max, QgsFrameKind *ret_kind, size_t *ret_need,
                       uint32_t *ret_qgs_error, char **reterr);

/* The response type for a request type (GET_QUOTE_RESP for anything unknown: what QEMU waits for). */
QgsMsgType qgs_response_type(int32_t request_type) _pure_;

/*
 * Encoders. Each returns a malloc'ed frame WITH the 4-byte big-endian prefix, header version 1.1.
 * -E2BIG when the message would exceed QGS_MSG_MAX.
 */
int qgs_build_quote_req(const uint8_t *report, size_t report_size, const uint8_t *id_list,
                        size_t id_list_size, uint8_t **ret, size_t *ret_size);
int qgs_build_quote_resp(const uint8_t *quote, size_t quote_size, uint8_t **ret, size_t *ret_size);
int qgs_build_collateral_req(const uint8_t *fmspc, size_t fmspc_size, const uint8_t *pckca,
                             size_t pckca_size, uint8_t **ret, size_t *ret_size);
int qgs_build_collateral_resp(uint16_t major, uint16_t minor, const QgsBlob part[static _QGS_COLL_MAX],
                              uint8_t **ret, size_t *ret_size);
int qgs_build_platform_info_req(uint8_t **ret, size_t *ret_size);
int qgs_build_platform_info_resp(uint16_t tdqe_isvsvn, uint16_t pce_isvsvn, const uint8_t *platform_id,
                                 size_t platform_id_size, const uint8_t *cpusvn, size_t cpusvn_size,
                                 uint8_t **ret, size_t *ret_size);
/*
 * qgs_msg_gen_error_resp(): the response struct of that type, zero-filled, with error_code set (a
 * GET_QUOTE_RESP error is 24 bytes with quote_size 0). error_code must be non-zero.
 */
int qgs_build_error_resp(QgsMsgType resp_type, uint32_t error_code, uint8_t **ret, size_t *ret_size);
