/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QGS message codec: Intel qgs_msg_lib.h (#pragma pack(1) structs, little-endian fields) behind the
 * big-endian length prefix of qgs_server.cpp encode_header()/decode_header(). See qgs-proto.h.
 */
#include <inttypes.h>

#include "qgs/qgs-proto.h"

#include "parse-error.h"
#include "reader.h"
#include "string-table.h"

static const char *const qgs_msg_type_table[_QGS_MSG_TYPE_MAX] = {
        [QGS_GET_QUOTE_REQ] = "GET_QUOTE_REQ",
        [QGS_GET_QUOTE_RESP] = "GET_QUOTE_RESP",
        [QGS_GET_COLLATERAL_REQ] = "GET_COLLATERAL_REQ",
        [QGS_GET_COLLATERAL_RESP] = "GET_COLLATERAL_RESP",
        [QGS_GET_PLATFORM_INFO_REQ] = "GET_PLATFORM_INFO_REQ",
        [QGS_GET_PLATFORM_INFO_RESP] = "GET_PLATFORM_INFO_RESP",
};
DEFINE_STRING_TABLE_LOOKUP(qgs_msg_type, QgsMsgType);

static const char *const qgs_error_table[] = {
        [0] = "SUCCESS",
        [QGS_ERROR_UNEXPECTED & 0xff] = "UNEXPECTED",
        [QGS_ERROR_OUT_OF_MEMORY & 0xff] = "OUT_OF_MEMORY",
        [QGS_ERROR_INVALID_PARAMETER & 0xff] = "INVALID_PARAMETER",
        [QGS_ERROR_INVALID_VERSION & 0xff] = "INVALID_VERSION",
        [QGS_ERROR_INVALID_TYPE & 0xff] = "INVALID_TYPE",
        [QGS_ERROR_INVALID_SIZE & 0xff] = "INVALID_SIZE",
        [QGS_ERROR_INVALID_CODE & 0xff] = "INVALID_CODE",
};

const char *qgs_error_to_string(uint32_t e)
{
        if (e == QGS_SUCCESS)
                return qgs_error_table[0];
        if ((e & ~UINT32_C(0xff)) != 0x12000 || (e & 0xff) == 0 || (e & 0xff) >= ELEMENTSOF(qgs_error_table))
                return NULL;
        return qgs_error_table[e & 0xff];
}

QgsMsgType qgs_response_type(int32_t request_type)
{
        switch (request_type) {
        case QGS_GET_COLLATERAL_REQ:
                return QGS_GET_COLLATERAL_RESP;
        case QGS_GET_PLATFORM_INFO_REQ:
                return QGS_GET_PLATFORM_INFO_RESP;
        default:
                return QGS_GET_QUOTE_RESP;
        }
}

static int fail(uint32_t *ret_qgs_error, uint32_t qgs_error, char **reterr, int error, const char *what,
                size_t off, const char *detail)
{
        if (ret_qgs_error)
                *ret_qgs_error = qgs_error;
        return parse_error(reterr, error, "QGS message: %s at offset %zu %s", what, off, detail);
}

/* Reads n u32le sizes at the reader, then checks they add up to exactly what is left, and cuts blobs. */
static int parse_blobs(Reader *r, const char *type_name, const char *const names[], QgsBlob blobs[],
                       size_t n, uint32_t *ret_qgs_error, char **reterr)
{
        uint32_t sizes[_QGS_COLL_MAX];
        uint64_t total = 0;

        assert(n <= ELEMENTSOF(sizes));
        for (size_t i = 0; i < n; i++) {
                if (reader_u32le(r, &sizes[i]) < 0) {
                        if (ret_qgs_error)
                                *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                        return parse_error(reterr, -EBADMSG,
                                           "QGS message: %s.%s at offset %zu is truncated (%zu bytes left)",
                                           type_name, names[i], r->off, reader_remaining(r));
                }
                total += sizes[i];
        }
        if (total != reader_remaining(r)) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                return parse_error(reterr, -EBADMSG,
                                   "QGS message: %s sizes at offset %zu add up to %" PRIu64
                                   " bytes but %zu follow",
                                   type_name, r->off - 4 * n, total, reader_remaining(r));
        }
        for (size_t i = 0; i < n; i++) {
                const uint8_t *p = NULL;
                size_t off = r->off;
                if (reader_bytes(r, sizes[i], &p) < 0) /* cannot happen after the total check */
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG, names[i], off,
                                    "is truncated");
                blobs[i] = (QgsBlob){ .p = sizes[i] ? p : NULL, .size = sizes[i] };
        }
        return 0;
}

/* Header checks shared by qgs_msg_parse() and qgs_frame_classify(): version, type. */
static int check_header(uint16_t major, uint32_t type, uint32_t *ret_qgs_error, char **reterr)
{
        if (major != QGS_MSG_MAJOR) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_VERSION;
                return parse_error(reterr, -EPROTONOSUPPORT,
                                   "QGS message: header.major_version at offset 0 is %u, expected %u", major,
                                   QGS_MSG_MAJOR);
        }
        if (type >= _QGS_MSG_TYPE_MAX) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_TYPE;
                return parse_error(reterr, -EOPNOTSUPP,
                                   "QGS message: header.type at offset 4 is %" PRIu32
                                   ", not a known type (0..%d)",
                                   type, _QGS_MSG_TYPE_MAX - 1);
        }
        return 0;
}

int qgs_msg_parse(const uint8_t *p, size_t size, QgsMessage *ret, uint32_t *ret_qgs_error, char **reterr)
{
        Reader r = reader_init(p, size);
        QgsMessage m = {};
        uint32_t type;
        int k;

        assert(ret);

        if (size > QGS_MSG_MAX)
                return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -E2BIG, "message", 0,
                            "is larger than the 128 KiB cap");
        if (reader_u16le(&r, &m.major) < 0 || reader_u16le(&r, &m.minor) < 0 ||
            reader_u32le(&r, &type) < 0 || reader_u32le(&r, &m.size) < 0 ||
            reader_u32le(&r, &m.error_code) < 0) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                return parse_error(reterr, -EBADMSG,
                                   "QGS message: header at offset 0 is truncated (%zu of %u bytes)", size,
                                   QGS_HEADER_SIZE);
        }
        k = check_header(m.major, type, ret_qgs_error, reterr);
        if (k < 0)
                return k;
        m.type = (QgsMsgType) type;
        if (m.size != size) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                return parse_error(reterr, -EBADMSG,
                                   "QGS message: header.size at offset 8 is %" PRIu32
                                   " but the message has %zu bytes",
                                   m.size, size);
        }
        bool request = m.type % 2 == 0;
        if (request && m.error_code != 0) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_CODE;
                return parse_error(reterr, -EBADMSG,
                                   "QGS message: header.error_code at offset 12 is 0x%" PRIx32
                                   " in a request (%s), expected 0",
                                   m.error_code, qgs_msg_type_to_string(m.type));
        }

        const char *tn = qgs_msg_type_to_string(m.type);
        switch (m.type) {
        case QGS_GET_QUOTE_REQ: {
                static const char *const names[] = { "report_size", "id_list_size" };
                QgsBlob b[2];
                k = parse_blobs(&r, tn, names, b, 2, ret_qgs_error, reterr);
                if (k < 0)
                        return k;
                if (b[0].size == 0)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_PARAMETER, reterr, -EBADMSG,
                                    "GET_QUOTE_REQ.report_size", 16, "is 0");
                m.quote_req.report = b[0];
                m.quote_req.id_list = b[1];
                break;
        }
        case QGS_GET_QUOTE_RESP: {
                static const char *const names[] = { "selected_id_size", "quote_size" };
                QgsBlob b[2];
                k = parse_blobs(&r, tn, names, b, 2, ret_qgs_error, reterr);
                if (k < 0)
                        return k;
                m.quote_resp.selected_id = b[0];
                m.quote_resp.quote = b[1];
                break;
        }
        case QGS_GET_COLLATERAL_REQ: {
                static const char *const names[] = { "fmspc_size", "pckca_size" };
                QgsBlob b[2];
                k = parse_blobs(&r, tn, names, b, 2, ret_qgs_error, reterr);
                if (k < 0)
                        return k;
                if (b[0].size == 0 || b[1].size == 0)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_PARAMETER, reterr, -EBADMSG,
                                    b[0].size == 0 ? "GET_COLLATERAL_REQ.fmspc_size"
                                                   : "GET_COLLATERAL_REQ.pckca_size",
                                    b[0].size == 0 ? 16 : 20, "is 0");
                m.coll_req.fmspc = b[0];
                m.coll_req.pckca = b[1];
                break;
        }
        case QGS_GET_COLLATERAL_RESP: {
                static const char *const names[_QGS_COLL_MAX] = {
                        "pck_crl_issuer_chain_size",  "root_ca_crl_size", "pck_crl_size",
                        "tcb_info_issuer_chain_size", "tcb_info_size",    "qe_identity_issuer_chain_size",
                        "qe_identity_size",
                };
                if (reader_u16le(&r, &m.coll_resp.major) < 0 || reader_u16le(&r, &m.coll_resp.minor) < 0)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG,
                                    "GET_COLLATERAL_RESP.major_version", 16, "is truncated");
                k = parse_blobs(&r, tn, names, m.coll_resp.part, _QGS_COLL_MAX, ret_qgs_error, reterr);
                if (k < 0)
                        return k;
                break;
        }
        case QGS_GET_PLATFORM_INFO_REQ:
                if (reader_remaining(&r) != 0)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG,
                                    "GET_PLATFORM_INFO_REQ", 16, "has bytes after the header");
                break;
        case QGS_GET_PLATFORM_INFO_RESP: {
                static const char *const names[] = { "platform_id_size", "cpusvn_size" };
                QgsBlob b[2];
                if (reader_u16le(&r, &m.pinfo_resp.tdqe_isvsvn) < 0 ||
                    reader_u16le(&r, &m.pinfo_resp.pce_isvsvn) < 0)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG,
                                    "GET_PLATFORM_INFO_RESP.tdqe_isvsvn", 16, "is truncated");
                k = parse_blobs(&r, tn, names, b, 2, ret_qgs_error, reterr);
                if (k < 0)
                        return k;
                m.pinfo_resp.platform_id = b[0];
                m.pinfo_resp.cpusvn = b[1];
                break;
        }
        default:
                abort(); /* check_header() admitted only known types */
        }

        *ret = m;
        return 0;
}

int qgs_frame_classify(const uint8_t *p, size_t n, size_t max, QgsFrameKind *ret_kind, size_t *ret_need,
                       uint32_t *ret_qgs_error, char **reterr)
{
        Reader r = reader_init(p, n);
        uint32_t prefix, type, hsize;
        uint16_t major;
        int k;

        assert(ret_kind && ret_need);
        max = MIN(max, (size_t) QGS_MSG_MAX);

        if (n >= 1 && p[0] == QGS_TDX_REPORT_TYPE) {
                if (n > QGS_RAW_REPORT_SIZE)
                        return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG, "raw TDREPORT",
                                    0, "is followed by more bytes than its 1024");
                *ret_kind = n == QGS_RAW_REPORT_SIZE ? QGS_FRAME_RAW : QGS_FRAME_MORE;
                *ret_need = QGS_RAW_REPORT_SIZE;
                return 0;
        }

        /* The prefix alone already tells a client that announces 0 or too many bytes. */
        if (reader_u32be(&r, &prefix) < 0) {
                *ret_kind = QGS_FRAME_MORE;
                *ret_need = QGS_PREFIX_SIZE + QGS_HEADER_SIZE;
                return 0;
        }
        if (prefix == 0)
                return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG, "length prefix",
                            (size_t) 0, "is 0");
        if (prefix > max) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                return parse_error(reterr, -E2BIG,
                                   "QGS message: length prefix at offset 0 is %" PRIu32
                                   " bytes, more than the cap of %zu",
                                   prefix, max);
        }
        if (prefix < QGS_HEADER_SIZE)
                return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG, "length prefix",
                            (size_t) 0, "is shorter than the 16-byte header");
        if (!reader_has(&r, QGS_HEADER_SIZE)) {
                *ret_kind = QGS_FRAME_MORE;
                *ret_need = QGS_PREFIX_SIZE + QGS_HEADER_SIZE;
                return 0;
        }
        if (reader_u16le(&r, &major) < 0 || reader_skip(&r, 2) < 0 || reader_u32le(&r, &type) < 0 ||
            reader_u32le(&r, &hsize) < 0)
                abort(); /* reader_has() said 16 bytes are there */
        k = check_header(major, type, ret_qgs_error, reterr);
        if (k < 0)
                return k;
        if (hsize != prefix) {
                if (ret_qgs_error)
                        *ret_qgs_error = QGS_ERROR_INVALID_SIZE;
                return parse_error(reterr, -EBADMSG,
                                   "QGS message: header.size at offset 8 is %" PRIu32
                                   " but the length prefix says %" PRIu32,
                                   hsize, prefix);
        }
        size_t need = QGS_PREFIX_SIZE + (size_t) prefix;
        if (n > need)
                return fail(ret_qgs_error, QGS_ERROR_INVALID_SIZE, reterr, -EBADMSG, "message", need,
                            "is followed by more bytes (one request per connection)");
        *ret_kind = n == need ? QGS_FRAME_FRAMED : QGS_FRAME_MORE;
        *ret_need = need;
        return 0;
}

/* Allocates prefix + header for a message of msg_size bytes and writes both; the body follows at +20. */
static int frame_new(QgsMsgType type, size_t msg_size, uint32_t error_code, uint8_t **ret, size_t *ret_size)
{
        if (msg_size > QGS_MSG_MAX)
                return -E2BIG;
        uint8_t *b = calloc(1, QGS_PREFIX_SIZE + msg_size);
        if (!b)
                return -ENOMEM;
        uint32_t n = (uint32_t) msg_size;
        b[0] = n >> 24;
        b[1] = n >> 16;
        b[2] = n >> 8;
        b[3] = n;
        uint8_t *h = b + QGS_PREFIX_SIZE;
        h[0] = QGS_MSG_MAJOR;
        h[2] = QGS_MSG_MINOR;
        h[4] = (uint8_t) type;
        for (int i = 0; i < 4; i++) {
                h[8 + i] = (uint8_t) (n >> (8 * i));
                h[12 + i] = (uint8_t) (error_code >> (8 * i));
        }
        *ret = b;
        *ret_size = QGS_PREFIX_SIZE + msg_size;
        return 0;
}

static uint8_t *put_le16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        return p + 2;
}

static uint8_t *put_le32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
        return p + 4;
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
        if (n > 0)
                memcpy(p, src, n);
        return p + n;
}

/* A message of fixed part `fixed` followed by n blobs; the sizes are written by the caller's layout. */
static int build_sized(QgsMsgType type, size_t fixed, const QgsBlob *blobs, size_t n, uint8_t **ret_frame,
                       uint8_t **ret_body, size_t *ret_size)
{
        size_t total = fixed;
        for (size_t i = 0; i < n; i++) {
                if (blobs[i].size > QGS_MSG_MAX || (blobs[i].size > 0 && !blobs[i].p))
                        return -EINVAL;
                total += blobs[i].size;
        }
        uint8_t *b;
        int k = frame_new(type, total, 0, &b, ret_size);
        if (k < 0)
                return k;
        *ret_frame = b;
        *ret_body = b + QGS_PREFIX_SIZE + QGS_HEADER_SIZE;
        return 0;
}

static int build_two(QgsMsgType type, QgsBlob a, QgsBlob c, uint8_t **ret, size_t *ret_size)
{
        QgsBlob blobs[2] = { a, c };
        uint8_t *b, *w;
        int k = build_sized(type, QGS_HEADER_SIZE + 8, blobs, 2, &b, &w, ret_size);
        if (k < 0)
                return k;
        w = put_le32(w, a.size);
        w = put_le32(w, c.size);
        w = put_bytes(w, a.p, a.size);
        (void) put_bytes(w, c.p, c.size);
        *ret = b;
        return 0;
}

static int blob(const uint8_t *p, size_t n, QgsBlob *ret)
{
        if (n > QGS_MSG_MAX)
                return -E2BIG;
        *ret = (QgsBlob){ .p = p, .size = (uint32_t) n };
        return 0;
}

int qgs_build_quote_req(const uint8_t *report, size_t report_size, const uint8_t *id_list,
                        size_t id_list_size, uint8_t **ret, size_t *ret_size)
{
        QgsBlob a, c;
        if (!report || report_size == 0)
                return -EINVAL;
        if (blob(report, report_size, &a) < 0 || blob(id_list, id_list_size, &c) < 0)
                return -E2BIG;
        return build_two(QGS_GET_QUOTE_REQ, a, c, ret, ret_size);
}

int qgs_build_quote_resp(const uint8_t *quote, size_t quote_size, uint8_t **ret, size_t *ret_size)
{
        QgsBlob c;
        if (blob(quote, quote_size, &c) < 0)
                return -E2BIG;
        return build_two(QGS_GET_QUOTE_RESP, (QgsBlob){}, c, ret, ret_size);
}

int qgs_build_collateral_req(const uint8_t *fmspc, size_t fmspc_size, const uint8_t *pckca,
                             size_t pckca_size, uint8_t **ret, size_t *ret_size)
{
        QgsBlob a, c;
        if (fmspc_size == 0 || pckca_size == 0)
                return -EINVAL;
        if (blob(fmspc, fmspc_size, &a) < 0 || blob(pckca, pckca_size, &c) < 0)
                return -E2BIG;
        return build_two(QGS_GET_COLLATERAL_REQ, a, c, ret, ret_size);
}

int qgs_build_collateral_resp(uint16_t major, uint16_t minor, const QgsBlob part[static _QGS_COLL_MAX],
                              uint8_t **ret, size_t *ret_size)
{
        uint8_t *b, *w;
        int k = build_sized(QGS_GET_COLLATERAL_RESP, QGS_COLL_RESP_FIXED, part, _QGS_COLL_MAX, &b, &w,
                            ret_size);
        if (k < 0)
                return k;
        w = put_le16(w, major);
        w = put_le16(w, minor);
        for (size_t i = 0; i < _QGS_COLL_MAX; i++)
                w = put_le32(w, part[i].size);
        for (size_t i = 0; i < _QGS_COLL_MAX; i++)
                w = put_bytes(w, part[i].p, part[i].size);
        *ret = b;
        return 0;
}

int qgs_build_platform_info_req(uint8_t **ret, size_t *ret_size)
{
        return frame_new(QGS_GET_PLATFORM_INFO_REQ, QGS_PINFO_REQ_FIXED, 0, ret, ret_size);
}

int qgs_build_platform_info_resp(uint16_t tdqe_isvsvn, uint16_t pce_isvsvn, const uint8_t *platform_id,
                                 size_t platform_id_size, const uint8_t *cpusvn, size_t cpusvn_size,
                                 uint8_t **ret, size_t *ret_size)
{
        QgsBlob blobs[2];
        uint8_t *b, *w;
        if (blob(platform_id, platform_id_size, &blobs[0]) < 0 || blob(cpusvn, cpusvn_size, &blobs[1]) < 0)
                return -E2BIG;
        int k = build_sized(QGS_GET_PLATFORM_INFO_RESP, QGS_PINFO_RESP_FIXED, blobs, 2, &b, &w, ret_size);
        if (k < 0)
                return k;
        w = put_le16(w, tdqe_isvsvn);
        w = put_le16(w, pce_isvsvn);
        w = put_le32(w, blobs[0].size);
        w = put_le32(w, blobs[1].size);
        w = put_bytes(w, platform_id, blobs[0].size);
        (void) put_bytes(w, cpusvn, blobs[1].size);
        *ret = b;
        return 0;
}

int qgs_build_error_resp(QgsMsgType resp_type, uint32_t error_code, uint8_t **ret, size_t *ret_size)
{
        static const size_t sizes[_QGS_MSG_TYPE_MAX] = {
                [QGS_GET_QUOTE_RESP] = QGS_QUOTE_RESP_FIXED,
                [QGS_GET_COLLATERAL_RESP] = QGS_COLL_RESP_FIXED,
                [QGS_GET_PLATFORM_INFO_RESP] = QGS_PINFO_RESP_FIXED,
        };
        if (error_code == QGS_SUCCESS || (int) resp_type < 0 || resp_type >= _QGS_MSG_TYPE_MAX ||
            sizes[resp_type] == 0)
                return -EINVAL;
        return frame_new(resp_type, sizes[resp_type], error_code, ret, ret_size);
}
