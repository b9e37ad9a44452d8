/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TCB appraisal (reference/attestation.md b.3): real quotes with real collateral where MANIFEST 1 states
 * the QVL verdict, then hand-made TCB info / QE identity for each rule: level selection and order, the
 * index-2 rule, module identities, QE identity matching, every convergence step, mismatches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test-tcb-util.h"

static void parse_tcb(const SignedJson *s, TcbInfo *ret)
{
        _cleanup_free_ char *detail = NULL;
        if (tcb_info_parse(s->text, s->size, ret, &detail) < 0)
                fail_msg("tcbInfo: %s", strna(detail));
}

static void parse_qe(const SignedJson *s, QeIdentity *ret)
{
        _cleanup_free_ char *detail = NULL;
        if (qe_identity_parse(s->text, s->size, ret, &detail) < 0)
                fail_msg("enclaveIdentity: %s", strna(detail));
}

static void eval_real(const char *quote, const SignedJson *tcb, const SignedJson *qe, TcbStatus expect,
                      const char *module_identity)
{
        _cleanup_(tcb_info_done) TcbInfo t = {};
        _cleanup_(qe_identity_done) QeIdentity q = {};
        PckExtension pck;
        TcbEvalQuote f;
        TcbEvalResult r;

        parse_tcb(tcb, &t);
        parse_qe(qe, &q);
        quote_pck_ext(quote, &pck);
        quote_eval_fields(quote, &f);
        assert_int_equal(tcb_evaluate(&t, &q, &pck, &f, &r), 0);
        if (r.status != expect)
                fail_msg("%s: %s, expected %s (%s)", quote, tcb_status_to_string(r.status),
                         tcb_status_to_string(expect), strna(r.detail));
        if (module_identity)
                assert_string_equal(r.module_identity, module_identity);
        else
                assert_null(r.module_identity);
        assert_int_equal(r.qe_status, TCB_STATUS_UP_TO_DATE);
        tcb_eval_result_done(&r);
}

static void test_real_bundles(void **state)
{
        _cleanup_(collateral_done) Collateral c = {}, o = {};

        /* dcap-qvl tdx_quote (v4, TDX 1.5) -> UpToDate; tdx_quote_outdated (v5) -> no TCB level. */
        load_collateral(COLL "dcap-qvl/tdx_quote_collateral.json", &c);
        eval_real(COLL "dcap-qvl/tdx_quote", &c.tcb_info, &c.qe_identity, TCB_STATUS_UP_TO_DATE, "TDX_01");
        load_collateral(COLL "dcap-qvl/tdx_quote_outdated_collateral.json", &o);
        eval_real(COLL "dcap-qvl/tdx_quote_outdated", &o.tcb_info, &o.qe_identity,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED, "TDX_01");
        /* quote_v5_sample with the same 2026 collateral (MANIFEST window b) -> UpToDate. */
        eval_real(COLL "go-tdx-guest/quote_v5_sample.dat", &o.tcb_info, &o.qe_identity,
                  TCB_STATUS_UP_TO_DATE, "TDX_01");

        /* quote_v5_sample with go-tdx-guest's own v5 TCB info (window a) -> UpToDate. */
        SignedJson v5;
        load_signed(COLL "go-tdx-guest/sample_tcbinfo_response_v5", "tcbInfo", &v5);
        eval_real(COLL "go-tdx-guest/quote_v5_sample.dat", &v5, &o.qe_identity, TCB_STATUS_UP_TO_DATE,
                  "TDX_01");
        /* tdx_quote_outdated with it: still no level (PCK SGX component 8 = 3 < 5). */
        eval_real(COLL "dcap-qvl/tdx_quote_outdated", &v5, &o.qe_identity,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED, "TDX_01");
        free(v5.text);
}

static void test_real_2023(void **state)
{
        _cleanup_(collateral_done) Collateral c = {};

        load_collateral_dir(COLL "go-tdx-guest-2023", &c);
        /* SPR E4: PCK SGX components below every level -> TcbLevelNotSupported (QE UpToDate). */
        eval_real(COLL "go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &c.tcb_info, &c.qe_identity,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED, NULL);
        /* trustee tdx_quote_4 (TDX 1.0, no module identity) -> UpToDate. */
        eval_real(COLL "trustee/tdx_quote_4.dat", &c.tcb_info, &c.qe_identity, TCB_STATUS_UP_TO_DATE, NULL);
}

static void test_real_2025(void **state)
{
        SignedJson t50, t00, qe;

        load_signed(COLL "teekit/tcbInfo-tdx-50806f000000.json", "tcbInfo", &t50);
        load_signed(COLL "teekit/tcbInfo-tdx-00806f050000.json", "tcbInfo", &t00);
        load_signed(COLL "trustee/enclaveIdentity.json", "enclaveIdentity", &qe);
        /* trustee tdx_quote_4 with 2025 collateral -> OutOfDate; cos-113 (TDX_01) -> UpToDate;
         * SPR E4 -> still no level. */
        eval_real(COLL "trustee/tdx_quote_4.dat", &t50, &qe, TCB_STATUS_OUT_OF_DATE, NULL);
        eval_real(COLL "go-tdx-guest/cos-113-tdx-quote.dat", &t00, &qe, TCB_STATUS_UP_TO_DATE, "TDX_01");
        eval_real(COLL "go-tdx-guest/tdx_prod_quote_SPR_E4.dat", &t50, &qe,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED, NULL);

        /* The wrong FMSPC's TCB info is refused, naming both. */
        _cleanup_(tcb_info_done) TcbInfo t = {};
        _cleanup_(qe_identity_done) QeIdentity q = {};
        PckExtension pck;
        TcbEvalQuote f;
        TcbEvalResult r;
        parse_tcb(&t00, &t);
        parse_qe(&qe, &q);
        quote_pck_ext(COLL "trustee/tdx_quote_4.dat", &pck);
        quote_eval_fields(COLL "trustee/tdx_quote_4.dat", &f);
        ASSERT_ERROR(tcb_evaluate(&t, &q, &pck, &f, &r), -EKEYREJECTED, r.detail, "00806f050000",
                     "50806f000000");
        tcb_eval_result_done(&r);
        free(t50.text);
        free(t00.text);
        free(qe.text);
}

/* ---- hand-made collateral ---------------------------------------------------------------------- */

typedef struct Level {
        uint8_t sgx, pcesvn, tdx0, tdx2; /* sgx: every SGX component; tdx0/tdx2: TDX components 0 and 2 */
        const char *status;
        const char *advisory;
} Level;

static void comps(FILE *f, uint8_t first, uint8_t all, uint8_t third)
{
        fputc('[', f);
        for (size_t i = 0; i < 16; i++)
                fprintf(f, "%s{\"svn\":%u}", i ? "," : "", i == 0 ? first : i == 2 ? third : all);
        fputc(']', f);
}

static void levels_isv(FILE *f, const uint16_t *svn, const char *const *status, size_t n)
{
        fputs("\"tcbLevels\":[", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f,
                        "%s{\"tcb\":{\"isvsvn\":%u},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"%"
                        "s\"}",
                        i ? "," : "", svn[i], status[i]);
        fputc(']', f);
}

#define ZERO48                                                                                              \
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

/* TCB info: levels as given; tdxModule; TDX_01 with module levels isvsvn 5 (status mod5) and 3 (mod3). */
static void make_tcb(const Level *l, size_t n, const char *mod5, const char *mod3, TcbInfo *ret)
{
        char *text = NULL;
        size_t size;
        FILE *f = open_memstream(&text, &size);
        assert_non_null(f);
        fputs("{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2025-01-01T00:00:00Z\",\"nextUpdate\":"
              "\"2025-02-01T00:00:00Z\",\"fmspc\":\"90C06F000000\",\"pceId\":\"0000\",\"tcbType\":0,"
              "\"tcbEvaluationDataNumber\":18,\"tdxModule\":{\"mrsigner\":\"" ZERO48 "\",\"attributes\":"
              "\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},\"tdxModuleIdentities\":[{"
              "\"id\":"
              "\"TDX_01\",\"mrsigner\":\"" ZERO48
              "\",\"attributes\":\"0000000000000000\",\"attributesMask\":"
              "\"FFFFFFFFFFFFFFFF\",",
              f);
        levels_isv(f, (const uint16_t[]){ 5, 3 }, (const char *const[]){ mod5, mod3 }, 2);
        fputs("}],\"tcbLevels\":[", f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s{\"tcb\":{\"sgxtcbcomponents\":", i ? "," : "");
                comps(f, l[i].sgx, l[i].sgx, l[i].sgx);
                fprintf(f, ",\"pcesvn\":%u,\"tdxtcbcomponents\":", l[i].pcesvn);
                comps(f, l[i].tdx0, 0, l[i].tdx2);
                fprintf(f, "},\"tcbDate\":\"2024-0%zu-01T00:00:00Z\",\"tcbStatus\":\"%s\"", i + 1,
                        l[i].status);
                if (l[i].advisory)
                        fprintf(f, ",\"advisoryIDs\":[\"%s\",\"INTEL-SA-00001\"]", l[i].advisory);
                fputc('}', f);
        }
        fputs("]}", f);
        assert_int_equal(fclose(f), 0);
        _cleanup_free_ char *detail = NULL;
        if (tcb_info_parse(text, size, ret, &detail) < 0)
                fail_msg("%s\n%s", strna(detail), text);
        free(text);
}

#define QE_MRSIGNER "DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5"

/* QE identity: isvsvn 4 UpToDate, 2 OutOfDate, 1 Revoked. */
static void make_qe(QeIdentity *ret)
{
        static const char text[] =
                "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2025-01-01T00:00:00Z\",\"nextUpdate\":"
                "\"2025-02-01T00:00:00Z\",\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\","
                "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\","
                "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"" QE_MRSIGNER "\","
                "\"isvprodid\":2,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":1},\"tcbDate\":\"2021-01-01T00:00:"
                "00Z\","
                "\"tcbStatus\":\"Revoked\"},{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                "\"tcbStatus\":\"UpToDate\",\"advisoryIDs\":[\"INTEL-SA-00001\"]},{\"tcb\":{\"isvsvn\":2},"
                "\"tcbDate\":\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\"}]}";
        _cleanup_free_ char *detail = NULL;
        if (qe_identity_parse(text, strlen(text), ret, &detail) < 0)
                fail_msg("%s", strna(detail));
        assert_int_equal(ret->levels[0].isvsvn, 4);
        assert_int_equal(ret->levels[2].isvsvn, 1);
}

/* A platform at SGX 5 / PCESVN 13, TDX module 1.x with SVN tdx0 and late microcode tdx2, QE isvsvn 4. */
static void make_inputs(PckExtension *pck, TcbEvalQuote *q, uint8_t major, uint8_t tdx0, uint8_t tdx2)
{
        *pck = (PckExtension){ .pcesvn = 13, .fmspc = { 0x90, 0xc0, 0x6f }, .sgx_type = 1 };
        memset(pck->sgx_tcb_svn, 5, 16);
        *q = (TcbEvalQuote){ .qe_isv_prod_id = 2, .qe_isv_svn = 4 };
        q->tee_tcb_svn[0] = tdx0;
        q->tee_tcb_svn[1] = major;
        q->tee_tcb_svn[2] = tdx2;
        q->qe_attributes[0] = 0x11;
        static const uint8_t mr[32] = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
                                        0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
                                        0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5 };
        memcpy(q->qe_mr_signer, mr, 32);
}

static TcbStatus eval(const TcbInfo *t, const QeIdentity *qe, const PckExtension *pck, const TcbEvalQuote *q,
                      TcbEvalResult *ret)
{
        assert_int_equal(tcb_evaluate(t, qe, pck, q, ret), 0);
        return ret->status;
}

/* Each tcbStatus of the matching platform level comes through when module and QE are UpToDate. */
static void test_platform_statuses(void **state)
{
        _cleanup_(qe_identity_done) QeIdentity qe = {};
        make_qe(&qe);
        for (TcbStatus s = 0; s < TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED; s++) {
                _cleanup_(tcb_info_done) TcbInfo t = {};
                PckExtension pck;
                TcbEvalQuote q;
                TcbEvalResult r;
                make_tcb((const Level[]){ { 5, 13, 5, 3, tcb_status_to_string(s), NULL } }, 1, "UpToDate",
                         "OutOfDate", &t);
                make_inputs(&pck, &q, 1, 5, 3);
                assert_int_equal(eval(&t, &qe, &pck, &q, &r), s);
                assert_int_equal(r.platform_status, s);
                assert_int_equal(r.module_status, TCB_STATUS_UP_TO_DATE);
                assert_int_equal(r.platform_level, 0);
                assert_int_equal(r.module_level, 0);
                assert_int_equal(r.qe_level, 0);
                tcb_eval_result_done(&r);
        }
}

static void test_converge(void **state)
{
        static const struct {
                TcbStatus status, other, expect;
        } cases[] = {
                { TCB_STATUS_UP_TO_DATE, TCB_STATUS_UP_TO_DATE, TCB_STATUS_UP_TO_DATE },
                { TCB_STATUS_UP_TO_DATE, TCB_STATUS_OUT_OF_DATE, TCB_STATUS_OUT_OF_DATE },
                { TCB_STATUS_SW_HARDENING_NEEDED, TCB_STATUS_OUT_OF_DATE, TCB_STATUS_OUT_OF_DATE },
                { TCB_STATUS_CONFIGURATION_NEEDED, TCB_STATUS_OUT_OF_DATE,
                  TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED },
                { TCB_STATUS_CONFIGURATION_AND_SW_HARDENING_NEEDED, TCB_STATUS_OUT_OF_DATE,
                  TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED },
                { TCB_STATUS_OUT_OF_DATE, TCB_STATUS_OUT_OF_DATE, TCB_STATUS_OUT_OF_DATE },
                { TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED, TCB_STATUS_OUT_OF_DATE,
                  TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED },
                { TCB_STATUS_SW_HARDENING_NEEDED, TCB_STATUS_UP_TO_DATE, TCB_STATUS_SW_HARDENING_NEEDED },
                { TCB_STATUS_UP_TO_DATE, TCB_STATUS_REVOKED, TCB_STATUS_REVOKED },
                { TCB_STATUS_REVOKED, TCB_STATUS_OUT_OF_DATE, TCB_STATUS_REVOKED },
                { TCB_STATUS_REVOKED, TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED },
                { TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED, TCB_STATUS_UP_TO_DATE,
                  TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_int_equal(tcb_status_converge(cases[i].status, cases[i].other), cases[i].expect);

        /* String table round trip, and the precedence order itself. */
        for (TcbStatus s = 0; s < _TCB_STATUS_MAX; s++)
                assert_int_equal(tcb_status_from_string(tcb_status_to_string(s)), s);
        assert_string_equal(tcb_status_to_string(TCB_STATUS_CONFIGURATION_AND_SW_HARDENING_NEEDED),
                            "ConfigurationAndSWHardeningNeeded");
        assert_int_equal(tcb_status_from_string("uptodate"), -EINVAL);
        assert_null(tcb_status_to_string(_TCB_STATUS_MAX));
}

/* Module and QE levels converge into the platform status. */
static void test_module_and_qe(void **state)
{
        _cleanup_(qe_identity_done) QeIdentity qe = {};
        _cleanup_(tcb_info_done) TcbInfo t = {}, t2 = {};
        PckExtension pck;
        TcbEvalQuote q;
        TcbEvalResult r;

        make_qe(&qe);
        make_tcb((const Level[]){ { 5, 13, 3, 3, "ConfigurationNeeded", "INTEL-SA-00002" } }, 1, "UpToDate",
                 "OutOfDate", &t);

        /* Module SVN 4: only the isvsvn-3 module level (OutOfDate) is reached. */
        make_inputs(&pck, &q, 1, 4, 3);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED);
        assert_int_equal(r.module_status, TCB_STATUS_OUT_OF_DATE);
        assert_int_equal(r.module_level, 1);
        /* Advisories: the level's two and the QE level's one, deduplicated. */
        assert_int_equal(r.n_advisory_ids, 2);
        assert_string_equal(r.advisory_ids[0], "INTEL-SA-00002");
        assert_string_equal(r.advisory_ids[1], "INTEL-SA-00001");
        assert_null(r.advisory_ids[2]);
        assert_int_equal(r.tcb_date, at("2024-01-01T00:00:00Z"));
        tcb_eval_result_done(&r);

        /* Module SVN 2: below every module level. */
        make_inputs(&pck, &q, 1, 2, 3);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        assert_non_null(strstr(r.detail, "TDX_01"));
        tcb_eval_result_done(&r);

        /* A revoked module level. */
        make_tcb((const Level[]){ { 5, 13, 3, 3, "UpToDate", NULL } }, 1, "Revoked", "OutOfDate", &t2);
        make_inputs(&pck, &q, 1, 5, 3);
        assert_int_equal(eval(&t2, &qe, &pck, &q, &r), TCB_STATUS_REVOKED);
        tcb_eval_result_done(&r);

        /* QE isvsvn 3 -> its OutOfDate level; 1 -> Revoked; 0 -> none. */
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_isv_svn = 3;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED);
        assert_int_equal(r.qe_status, TCB_STATUS_OUT_OF_DATE);
        assert_int_equal(r.qe_level, 1);
        tcb_eval_result_done(&r);
        q.qe_isv_svn = 1;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_REVOKED);
        tcb_eval_result_done(&r);
        q.qe_isv_svn = 0;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        assert_int_equal(r.qe_level, -1);
        tcb_eval_result_done(&r);
}

/* Index-2 rule: with a module identity (TEE_TCB_SVN[1] > 0), TDX components 0 and 1 do not select the
 * platform level; without one (TDX 1.0) they do. */
static void test_index2_rule(void **state)
{
        _cleanup_(qe_identity_done) QeIdentity qe = {};
        _cleanup_(tcb_info_done) TcbInfo t = {};
        PckExtension pck;
        TcbEvalQuote q;
        TcbEvalResult r;

        make_qe(&qe);
        /* Given oldest first: QVL orders them itself. */
        make_tcb((const Level[]){ { 5, 13, 1, 1, "OutOfDate", NULL }, { 5, 13, 9, 3, "UpToDate", NULL } }, 2,
                 "UpToDate", "UpToDate", &t);
        assert_int_equal(t.levels[0].tdx_svn[0], 9);

        /* Module SVN 5 < 9, but with TDX_01 component 0 is judged by the module identity. */
        make_inputs(&pck, &q, 1, 5, 3);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_UP_TO_DATE);
        assert_int_equal(r.platform_level, 0);
        tcb_eval_result_done(&r);

        /* TDX 1.0 (TEE_TCB_SVN[1] = 0): component 0 counts, so the older level matches; tdxModule is used.
         */
        make_inputs(&pck, &q, 0, 5, 3);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_OUT_OF_DATE);
        assert_int_equal(r.platform_level, 1);
        assert_null(r.module_identity);
        tcb_eval_result_done(&r);

        /* Late microcode (component 2) still counts with a module identity. */
        make_inputs(&pck, &q, 1, 5, 2);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_OUT_OF_DATE);
        tcb_eval_result_done(&r);

        /* No module identity TDX_02. */
        make_inputs(&pck, &q, 2, 5, 3);
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "TDX_02");
        tcb_eval_result_done(&r);
}

static void test_no_level(void **state)
{
        _cleanup_(qe_identity_done) QeIdentity qe = {};
        _cleanup_(tcb_info_done) TcbInfo t = {};
        PckExtension pck;
        TcbEvalQuote q;
        TcbEvalResult r;

        make_qe(&qe);
        make_tcb((const Level[]){ { 5, 13, 5, 3, "UpToDate", NULL }, { 4, 11, 5, 3, "OutOfDate", NULL } }, 2,
                 "UpToDate", "UpToDate", &t);

        /* One SGX component below every level. */
        make_inputs(&pck, &q, 1, 5, 3);
        pck.sgx_tcb_svn[7] = 3;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        assert_int_equal(r.platform_level, -1);
        assert_non_null(strstr(r.detail, "SGX components"));
        tcb_eval_result_done(&r);

        /* PCESVN 12: only the older level. */
        make_inputs(&pck, &q, 1, 5, 3);
        pck.pcesvn = 12;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_OUT_OF_DATE);
        tcb_eval_result_done(&r);
        pck.pcesvn = 10;
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        tcb_eval_result_done(&r);

        /* SGX fine, late microcode below every level. */
        make_inputs(&pck, &q, 1, 5, 2);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED);
        assert_non_null(strstr(r.detail, "TEE_TCB_SVN"));
        tcb_eval_result_done(&r);
}

/* Inputs that do not belong together are rejected, naming the field. */
static void test_mismatches(void **state)
{
        _cleanup_(qe_identity_done) QeIdentity qe = {};
        _cleanup_(tcb_info_done) TcbInfo t = {};
        PckExtension pck;
        TcbEvalQuote q;
        TcbEvalResult r;

        make_qe(&qe);
        make_tcb((const Level[]){ { 5, 13, 5, 3, "UpToDate", NULL } }, 1, "UpToDate", "UpToDate", &t);

        make_inputs(&pck, &q, 1, 5, 3);
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_UP_TO_DATE);
        tcb_eval_result_done(&r);

        make_inputs(&pck, &q, 1, 5, 3);
        pck.fmspc[5] = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "FMSPC", "90c06f000001");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        pck.pce_id[1] = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "PCE-ID");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        q.mr_signer_seam[47] = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "MRSIGNERSEAM", "TDX_01");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 0, 5, 3);
        q.seam_attributes[0] = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "SEAMATTRIBUTES",
                     "tdxModule");
        tcb_eval_result_done(&r);

        /* QE identity: mrsigner, isvprodid, miscselect, attributes under the mask. */
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_mr_signer[0] ^= 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "MRSIGNER");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_isv_prod_id = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "ISVPRODID");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_miscselect = 1;
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "MISCSELECT");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_attributes[0] = 0x13; /* bit 1 (DEBUG) is under the mask FB.. */
        ASSERT_ERROR(tcb_evaluate(&t, &qe, &pck, &q, &r), -EKEYREJECTED, r.detail, "ATTRIBUTES");
        tcb_eval_result_done(&r);
        make_inputs(&pck, &q, 1, 5, 3);
        q.qe_attributes[0] = 0x15; /* bit 2 is masked out: no difference */
        q.qe_attributes[9] = 0xff; /* so is the upper half */
        assert_int_equal(eval(&t, &qe, &pck, &q, &r), TCB_STATUS_UP_TO_DATE);
        tcb_eval_result_done(&r);
}

/* The parsers refuse what is not TDX TCB info v3 / TD_QE v2, naming the field. */
static void test_parse_errors(void **state)
{
        static const struct {
                const char *text, *field;
        } cases[] = {
                { "{\"id\":\"SGX\",\"version\":3}", "\"id\"" },
                { "{\"id\":\"TDX\",\"version\":2}", "\"version\"" },
                { "{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2025-01-01\"}", "\"issueDate\"" },
                { "{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2025-01-01T00:00:00Z\",\"nextUpdate\":"
                  "\"2025-01-01T00:00:00Z\",\"fmspc\":\"90C06F0000\"}",
                  "\"fmspc\"" },
                { "[]", "not a JSON object" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                TcbInfo t;
                _cleanup_free_ char *detail = NULL;
                ASSERT_ERROR(tcb_info_parse(cases[i].text, strlen(cases[i].text), &t, &detail), -EBADMSG,
                             detail, cases[i].field);
        }

        /* A level status that is not one of Intel's, and a bad component count. */
        _cleanup_(tcb_info_done) TcbInfo ok = {};
        make_tcb((const Level[]){ { 5, 13, 5, 3, "UpToDate", NULL } }, 1, "UpToDate", "UpToDate", &ok);
        char *text = NULL;
        size_t size;
        FILE *f = open_memstream(&text, &size);
        fputs("{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2025-01-01T00:00:00Z\",\"nextUpdate\":"
              "\"2025-02-01T00:00:00Z\",\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\","
              "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\","
              "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"" QE_MRSIGNER "\","
              "\"isvprodid\":2,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\","
              "\"tcbStatus\":\"TcbLevelNotSupported\"}]}",
              f);
        fclose(f);
        QeIdentity q;
        _cleanup_free_ char *detail = NULL;
        ASSERT_ERROR(qe_identity_parse(text, size, &q, &detail), -EBADMSG, detail, "tcbStatus");
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_real_bundles), cmocka_unit_test(test_real_2023),
                cmocka_unit_test(test_real_2025),    cmocka_unit_test(test_platform_statuses),
                cmocka_unit_test(test_converge),     cmocka_unit_test(test_module_and_qe),
                cmocka_unit_test(test_index2_rule),  cmocka_unit_test(test_no_level),
                cmocka_unit_test(test_mismatches),   cmocka_unit_test(test_parse_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
