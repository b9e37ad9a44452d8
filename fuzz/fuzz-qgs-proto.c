/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QGS codec (src/libcvm/qgs/qgs-proto.c) on arbitrary bytes, as cvm-qgsd sees them: the framing
 * classifier on every prefix of the input, then the message parser on what follows the length prefix,
 * and a re-encoding of what parsed, which must give the same bytes back.
 */
#include "fuzz.h"
#include "qgs/qgs-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        QgsFrameKind kind;
        size_t need;
        QgsMessage m;

        if (fuzz_too_big(size))
                return 0;
        for (size_t n = 0; n <= MIN(size, (size_t) 64); n++) {
                _cleanup_free_ char *err = NULL;
                uint32_t e = 0;
                int r = qgs_frame_classify(data, n, QGS_MSG_MAX, &kind, &need, &e, &err);
                if (r < 0)
                        assert(err && e != 0);
                else
                        assert(need >= n && need <= QGS_PREFIX_SIZE + QGS_MSG_MAX);
        }

        if (size < QGS_PREFIX_SIZE)
                return 0;
        _cleanup_free_ char *err = NULL;
        uint32_t e = 0;
        if (qgs_msg_parse(data + QGS_PREFIX_SIZE, size - QGS_PREFIX_SIZE, &m, &e, &err) < 0) {
                assert(err && e != 0);
                return 0;
        }
        assert(m.size == size - QGS_PREFIX_SIZE);

        _cleanup_free_ uint8_t *f = NULL;
        size_t n = 0;
        int r = -EINVAL;
        switch (m.type) {
        case QGS_GET_QUOTE_REQ:
                r = qgs_build_quote_req(m.quote_req.report.p, m.quote_req.report.size, m.quote_req.id_list.p,
                                        m.quote_req.id_list.size, &f, &n);
                break;
        case QGS_GET_COLLATERAL_REQ:
                r = qgs_build_collateral_req(m.coll_req.fmspc.p, m.coll_req.fmspc.size, m.coll_req.pckca.p,
                                             m.coll_req.pckca.size, &f, &n);
                break;
        case QGS_GET_COLLATERAL_RESP:
                if (m.error_code == 0)
                        r = qgs_build_collateral_resp(m.coll_resp.major, m.coll_resp.minor, m.coll_resp.part,
                                                      &f, &n);
                break;
        default:
                break;
        }
        if (r >= 0 && m.minor == QGS_MSG_MINOR) {
                assert(n == size - QGS_PREFIX_SIZE + 4);
                assert(memcmp(f + QGS_PREFIX_SIZE, data + QGS_PREFIX_SIZE, size - QGS_PREFIX_SIZE) == 0);
        }
        return 0;
}
