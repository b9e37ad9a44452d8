/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QGS codec against the bytes QEMU sends (reference/launch.md §1.5 worked example) and Intel's
 * qgs_msg_lib rules, one corruption per rule with its errno, QGS error code and the words of its sentence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "qgs/qgs-proto.h"

static uint8_t report[1024];

static void setup_report(void)
{
        for (size_t i = 0; i < sizeof(report); i++)
                report[i] = (uint8_t) (i * 7);
        report[0] = QGS_TDX_REPORT_TYPE;
}

static void test_quote_req_bytes(void **state)
{
        _cleanup_free_ uint8_t *f = NULL;
        size_t n;
        /* QEMU tdx_generate_quote() for a 1024-byte TDREPORT. */
        static const uint8_t head[] = { 0x00, 0x00, 0x04, 0x18, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x18, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

        setup_report();
        assert_int_equal(qgs_build_quote_req(report, 1024, NULL, 0, &f, &n), 0);
        assert_int_equal(n, 4 + 1048);
        assert_memory_equal(f, head, sizeof(head));
        assert_memory_equal(f + sizeof(head), report, 1024);

        QgsMessage m;
        assert_int_equal(qgs_msg_parse(f + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.type, QGS_GET_QUOTE_REQ);
        assert_int_equal(m.major, 1);
        assert_int_equal(m.minor, 1);
        assert_int_equal(m.quote_req.report.size, 1024);
        assert_ptr_equal(m.quote_req.report.p, f + 28);
        assert_int_equal(m.quote_req.id_list.size, 0);

        QgsFrameKind k;
        size_t need;
        assert_int_equal(qgs_frame_classify(f, 3, QGS_MSG_MAX, &k, &need, NULL, NULL), 0);
        assert_int_equal(k, QGS_FRAME_MORE);
        assert_int_equal(need, 20);
        assert_int_equal(qgs_frame_classify(f, 20, QGS_MSG_MAX, &k, &need, NULL, NULL), 0);
        assert_int_equal(k, QGS_FRAME_MORE);
        assert_int_equal(need, 1052);
        assert_int_equal(qgs_frame_classify(f, n, QGS_MSG_MAX, &k, &need, NULL, NULL), 0);
        assert_int_equal(k, QGS_FRAME_FRAMED);
}

static void test_quote_resp_as_qemu_reads_it(void **state)
{
        _cleanup_free_ uint8_t *f = NULL;
        static const uint8_t quote[] = { 4, 0, 2, 0, 0x81, 0, 0, 0 };
        size_t n;

        assert_int_equal(qgs_build_quote_resp(quote, sizeof(quote), &f, &n), 0);
        assert_int_equal(n, 4 + 24 + sizeof(quote));
        /* prefix = size; version exactly 1.1; type 1; error 0; selected_id_size 0; quote_size = len - 24 */
        static const uint8_t head[] = { 0, 0, 0, 32, 1, 0, 1, 0, 1, 0, 0, 0, 32, 0,
                                        0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 8, 0, 0,  0 };
        assert_memory_equal(f, head, sizeof(head));
        assert_memory_equal(f + 28, quote, sizeof(quote));

        QgsMessage m;
        assert_int_equal(qgs_msg_parse(f + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.type, QGS_GET_QUOTE_RESP);
        assert_int_equal(m.quote_resp.quote.size, sizeof(quote));
        assert_int_equal(m.quote_resp.selected_id.size, 0);
}

static void test_error_resp(void **state)
{
        _cleanup_free_ uint8_t *f = NULL, *g = NULL, *h = NULL;
        size_t n;
        QgsMessage m;

        /* qgs_msg_gen_error_resp(): the zero-filled response struct with error_code set. */
        assert_int_equal(qgs_build_error_resp(QGS_GET_QUOTE_RESP, QGS_ERROR_UNEXPECTED, &f, &n), 0);
        assert_int_equal(n, 4 + 24);
        assert_int_equal(qgs_msg_parse(f + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.error_code, 0x12001);
        assert_int_equal(m.quote_resp.quote.size, 0);
        assert_int_equal(qgs_build_error_resp(QGS_GET_COLLATERAL_RESP, QGS_ERROR_INVALID_SIZE, &g, &n), 0);
        assert_int_equal(n, 4 + 48);
        assert_int_equal(qgs_build_error_resp(QGS_GET_PLATFORM_INFO_RESP, QGS_ERROR_INVALID_SIZE, &h, &n),
                         0);
        assert_int_equal(n, 4 + 28);
        uint8_t *x = NULL;
        assert_int_equal(qgs_build_error_resp(QGS_GET_QUOTE_REQ, 0x12001, &x, &n), -EINVAL);
        assert_int_equal(qgs_build_error_resp(QGS_GET_QUOTE_RESP, 0, &x, &n), -EINVAL);
        assert_null(x);

        assert_string_equal(qgs_error_to_string(0x12006), "INVALID_SIZE");
        assert_string_equal(qgs_error_to_string(0), "SUCCESS");
        assert_null(qgs_error_to_string(0x12008));
        assert_null(qgs_error_to_string(0x11001));
        assert_int_equal(qgs_response_type(QGS_GET_COLLATERAL_REQ), QGS_GET_COLLATERAL_RESP);
        assert_int_equal(qgs_response_type(77), QGS_GET_QUOTE_RESP);
        assert_string_equal(qgs_msg_type_to_string(QGS_GET_PLATFORM_INFO_RESP), "GET_PLATFORM_INFO_RESP");
}

static void test_collateral_and_platform_info(void **state)
{
        _cleanup_free_ uint8_t *req = NULL, *resp = NULL, *pr = NULL, *pq = NULL;
        static const uint8_t fmspc[6] = { 0x00, 0x80, 0x6f, 0x05, 0x00, 0x00 };
        static const uint8_t ca[] = "processor";
        QgsBlob part[_QGS_COLL_MAX];
        size_t n;
        QgsMessage m;

        assert_int_equal(qgs_build_collateral_req(fmspc, 6, ca, sizeof(ca), &req, &n), 0);
        assert_int_equal(qgs_msg_parse(req + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.coll_req.fmspc.size, 6);
        assert_memory_equal(m.coll_req.pckca.p, ca, sizeof(ca));

        for (size_t i = 0; i < _QGS_COLL_MAX; i++)
                part[i] = (QgsBlob){ .p = ca, .size = (uint32_t) i };
        assert_int_equal(qgs_build_collateral_resp(3, 1, part, &resp, &n), 0);
        assert_int_equal(n, 4 + 48 + 21);
        assert_int_equal(qgs_msg_parse(resp + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.coll_resp.major, 3);
        assert_int_equal(m.coll_resp.minor, 1);
        for (size_t i = 0; i < _QGS_COLL_MAX; i++)
                assert_int_equal(m.coll_resp.part[i].size, i);

        assert_int_equal(qgs_build_platform_info_req(&pr, &n), 0);
        assert_int_equal(n, 20);
        assert_int_equal(qgs_msg_parse(pr + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.type, QGS_GET_PLATFORM_INFO_REQ);

        uint8_t id[16] = { 1 }, svn[16] = { 2 };
        assert_int_equal(qgs_build_platform_info_resp(4, 13, id, 16, svn, 16, &pq, &n), 0);
        assert_int_equal(n, 4 + 28 + 32);
        assert_int_equal(qgs_msg_parse(pq + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.pinfo_resp.tdqe_isvsvn, 4);
        assert_int_equal(m.pinfo_resp.pce_isvsvn, 13);
        assert_memory_equal(m.pinfo_resp.cpusvn.p, svn, 16);
}

/* One rule broken per case: offset and value patched into a valid GET_QUOTE_REQ (message offsets). */
typedef struct {
        const char *name;
        size_t off;
        uint32_t value;
        size_t cut; /* bytes removed from the end */
        int error;
        uint32_t qgs_error;
        const char *words;
} Corruption;

static const Corruption corruptions[] = {
        { "major 2", 0, 2, 0, -EPROTONOSUPPORT, QGS_ERROR_INVALID_VERSION,
          "header.major_version at offset 0 is 2" },
        { "type 6", 4, 6, 0, -EOPNOTSUPP, QGS_ERROR_INVALID_TYPE, "header.type at offset 4 is 6" },
        { "size", 8, 1047, 0, -EBADMSG, QGS_ERROR_INVALID_SIZE, "header.size at offset 8 is 1047" },
        { "error code", 12, 1, 0, -EBADMSG, QGS_ERROR_INVALID_CODE, "error_code at offset 12 is 0x1" },
        { "report_size", 16, 1000, 0, -EBADMSG, QGS_ERROR_INVALID_SIZE,
          "add up to 1000 bytes but 1024 follow" },
        { "id_list_size", 20, 0xffffffff, 0, -EBADMSG, QGS_ERROR_INVALID_SIZE,
          "add up to 4294968319 bytes" },
        { "truncated", 8, 1048 - 1030, 1030, -EBADMSG, QGS_ERROR_INVALID_SIZE,
          "report_size at offset 16 is truncated" },
};

static void put_le32(uint8_t *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void test_quote_req_corruptions(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(corruptions); i++) {
                const Corruption *c = &corruptions[i];
                _cleanup_free_ uint8_t *f = NULL;
                _cleanup_free_ char *err = NULL;
                size_t n;
                QgsMessage m = { .size = 12345 };
                uint32_t e = 0;

                assert_int_equal(qgs_build_quote_req(report, 1024, NULL, 0, &f, &n), 0);
                uint8_t *msg = f + 4;
                if (c->off == 0)
                        msg[0] = (uint8_t) c->value;
                else
                        put_le32(msg + c->off, c->value);
                int r = qgs_msg_parse(msg, n - 4 - c->cut, &m, &e, &err);
                print_message("# %s: %s\n", c->name, strna(err));
                assert_int_equal(r, c->error);
                assert_int_equal(e, c->qgs_error);
                assert_non_null(err);
                assert_non_null(strstr(err, c->words));
                assert_int_equal(m.size, 12345); /* untouched on failure */
        }

        /* report_size 0 with an id list of 1024 bytes: the sizes add up, but a report is required. */
        _cleanup_free_ uint8_t *f = NULL;
        _cleanup_free_ char *err = NULL;
        size_t n;
        QgsMessage m;
        uint32_t e;
        assert_int_equal(qgs_build_quote_req(report, 1024, NULL, 0, &f, &n), 0);
        put_le32(f + 4 + 16, 0);
        put_le32(f + 4 + 20, 1024);
        assert_int_equal(qgs_msg_parse(f + 4, n - 4, &m, &e, &err), -EBADMSG);
        assert_int_equal(e, QGS_ERROR_INVALID_PARAMETER);
        assert_non_null(strstr(err, "report_size at offset 16 is 0"));

        /* Over the cap, before anything is read. */
        assert_int_equal(qgs_msg_parse(f, QGS_MSG_MAX + 1, &m, &e, NULL), -E2BIG);
        /* A minor version other than 1 is accepted, as qgs_msg_lib does. */
        put_le32(f + 4 + 16, 1024);
        put_le32(f + 4 + 20, 0);
        f[4 + 2] = 7;
        assert_int_equal(qgs_msg_parse(f + 4, n - 4, &m, NULL, NULL), 0);
        assert_int_equal(m.minor, 7);
}

static void test_classify(void **state)
{
        _cleanup_free_ uint8_t *f = NULL;
        _cleanup_free_ char *err = NULL;
        QgsFrameKind k = QGS_FRAME_MORE;
        size_t n, need = 0;
        uint32_t e = 0;

        /* A raw TDREPORT starts with 0x81, over 2 GiB as a prefix: raw mode, exactly 1024 bytes. */
        assert_int_equal(qgs_frame_classify(report, 1, QGS_MSG_MAX, &k, &need, NULL, NULL), 0);
        assert_int_equal(k, QGS_FRAME_MORE);
        assert_int_equal(need, 1024);
        assert_int_equal(qgs_frame_classify(report, 1024, QGS_MSG_MAX, &k, &need, NULL, NULL), 0);
        assert_int_equal(k, QGS_FRAME_RAW);

        uint8_t big[1100] = { QGS_TDX_REPORT_TYPE };
        assert_int_equal(qgs_frame_classify(big, 1025, QGS_MSG_MAX, &k, &need, &e, &err), -EBADMSG);
        assert_non_null(strstr(err, "raw TDREPORT at offset 0 is followed by more bytes"));

        /* The 4 GiB prefix is refused from its 4 bytes alone, without waiting for the header. */
        static const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
        err = mfree(err);
        assert_int_equal(qgs_frame_classify(huge, 4, QGS_MSG_MAX, &k, &need, &e, &err), -E2BIG);
        assert_int_equal(e, QGS_ERROR_INVALID_SIZE);
        assert_non_null(
                strstr(err, "length prefix at offset 0 is 4294967295 bytes, more than the cap of 131072"));
        static const uint8_t zero[4] = { 0 };
        assert_int_equal(qgs_frame_classify(zero, 4, QGS_MSG_MAX, &k, &need, &e, NULL), -EBADMSG);
        static const uint8_t tiny[4] = { 0, 0, 0, 15 };
        assert_int_equal(qgs_frame_classify(tiny, 4, QGS_MSG_MAX, &k, &need, &e, NULL), -EBADMSG);

        assert_int_equal(qgs_build_quote_req(report, 1024, NULL, 0, &f, &n), 0);
        /* A smaller cap, as configured. */
        assert_int_equal(qgs_frame_classify(f, 4, 1000, &k, &need, &e, NULL), -E2BIG);
        /* Prefix and header.size disagree. */
        f[3]--;
        err = mfree(err);
        assert_int_equal(qgs_frame_classify(f, 20, QGS_MSG_MAX, &k, &need, &e, &err), -EBADMSG);
        assert_non_null(strstr(err, "header.size at offset 8 is 1048 but the length prefix says 1047"));
        f[3]++;
        /* Bytes after the request. */
        uint8_t *g = malloc(n + 1);
        assert_non_null(g);
        memcpy(g, f, n);
        g[n] = 0;
        assert_int_equal(qgs_frame_classify(g, n + 1, QGS_MSG_MAX, &k, &need, &e, NULL), -EBADMSG);
        free(g);
        /* Wrong version and type are answered from the header. */
        f[4] = 3;
        assert_int_equal(qgs_frame_classify(f, 20, QGS_MSG_MAX, &k, &need, &e, NULL), -EPROTONOSUPPORT);
        assert_int_equal(e, QGS_ERROR_INVALID_VERSION);
        f[4] = 1;
        f[8] = 200;
        assert_int_equal(qgs_frame_classify(f, 20, QGS_MSG_MAX, &k, &need, &e, NULL), -EOPNOTSUPP);
        assert_int_equal(e, QGS_ERROR_INVALID_TYPE);
}

static void test_builders_refuse(void **state)
{
        uint8_t *f = NULL;
        size_t n;
        assert_int_equal(qgs_build_quote_req(report, 0, NULL, 0, &f, &n), -EINVAL);
        assert_int_equal(qgs_build_quote_req(report, QGS_MSG_MAX, NULL, 0, &f, &n), -E2BIG);
        assert_int_equal(qgs_build_quote_resp(report, QGS_MSG_MAX + 1, &f, &n), -E2BIG);
        assert_int_equal(qgs_build_collateral_req(report, 0, report, 1, &f, &n), -EINVAL);
        assert_null(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_quote_req_bytes),
                cmocka_unit_test(test_quote_resp_as_qemu_reads_it),
                cmocka_unit_test(test_error_resp),
                cmocka_unit_test(test_collateral_and_platform_info),
                cmocka_unit_test(test_quote_req_corruptions),
                cmocka_unit_test(test_classify),
                cmocka_unit_test(test_builders_refuse),
        };
        setup_report();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
