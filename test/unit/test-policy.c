/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reference-value policies (src/libcvm/attest/policy.c): the exact message of each kind of malformed
 * policy, and every field matching and mismatching on real evidence of test/data/attest (the dcap-qvl TDX
 * quote, the DEBUG trustee quote, the GCE SEV-SNP report, go-sev-guest's DEBUG report, virtee's Milan
 * report): one policy built from the evidence's own values accepts, and each changed value fails exactly
 * its own check, with a detail naming what was expected and what was seen.
 */
#include <inttypes.h>

#include "attest/policy.h"
#include "test-attest-util.h"

/* ---- helpers ---- */

static VerifyPolicy parse_ok(const char *json)
{
        VerifyPolicy p;
        _cleanup_free_ char *err = NULL;
        int r = verify_policy_parse(json, strlen(json), &p, &err);
        if (r != 0)
                fail_msg("policy %s: %d %s", json, r, strna(err));
        return p;
}

/* The policy fails to parse with -EBADMSG and exactly this message; the output is untouched. */
static void parse_fails(const char *json, const char *message)
{
        VerifyPolicy p = { .has_tdx = true, .tdx.allow_debug = true };
        _cleanup_free_ char *err = NULL;
        assert_int_equal(verify_policy_parse(json, strlen(json), &p, &err), -EBADMSG);
        assert_non_null(err);
        if (!streq(err, message))
                fail_msg("policy %s:\n  got      \"%s\"\n  expected \"%s\"", json, err, message);
        assert_true(p.has_tdx && p.tdx.allow_debug && !p.has_snp);
}

static TdxQuote load_quote(const char *name)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load(name, &size);
        TdxQuote q;
        assert_int_equal(tdx_quote_parse(b, size, &q, NULL), 0);
        return q;
}

static SnpReport load_report(const char *name, SnpProduct hint)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load(name, &size);
        SnpReport s;
        assert_int_equal(snp_report_parse(b, size, hint, &s, NULL), 0);
        return s;
}

static void reparse_report(SnpReport *s)
{
        SnpReport n;
        assert_int_equal(snp_report_parse(s->raw, sizeof(s->raw), SNP_PRODUCT_UNKNOWN, &n, NULL), 0);
        *s = n;
}

static char *hex(const void *p, size_t n)
{
        return attest_hex(p, n);
}

/* Asserts the check `id` exists with this outcome and every word in its detail. */
static void assert_check(const AttestChecks *res, const char *id, bool ok, const char *const *words)
{
        const AttestCheck *c = attest_checks_find(res, id);
        if (!c)
                fail_msg("no check %s", id);
        if (c->ok != ok || c->error != (ok ? 0 : -EPERM))
                fail_msg("%s: ok=%d error=%d, expected %d (%s)", id, c->ok, c->error, ok, c->detail);
        for (size_t i = 0; words[i]; i++)
                if (!strstr(c->detail, words[i]))
                        fail_msg("%s: '%s' lacks '%s'", id, c->detail, words[i]);
}
#define ASSERT_CHECK(res, id, ok, ...)                                                                      \
        assert_check((res), (id), (ok), (const char *const[]){ __VA_ARGS__, NULL })

/* The ids of the failed checks, space-separated ("" when all passed). */
static char *failed_ids(const AttestChecks *res)
{
        char *s = strdup("");
        assert_non_null(s);
        for (size_t i = 0; i < res->n; i++) {
                if (res->items[i].ok)
                        continue;
                char *n;
                assert_true(asprintf(&n, "%s%s%s", s, *s ? " " : "", res->items[i].id) > 0);
                free(s);
                s = n;
        }
        return s;
}

static void assert_failed(const AttestChecks *res, const char *ids)
{
        _cleanup_free_ char *f = failed_ids(res);
        if (!streq(f, ids))
                fail_msg("failed checks '%s', expected '%s'", f, ids);
}

/* Evaluates policy text on a quote (status may be NULL) into res; asserts the failed check ids. */
static void tdx_eval(const char *json, const TdxQuote *q, const TcbStatus *status, AttestChecks *res,
                     const char *failed)
{
        VerifyPolicy p = parse_ok(json);
        *res = (AttestChecks){};
        assert_int_equal(verify_policy_evaluate_tdx(&p, q, status, res), 0);
        verify_policy_done(&p);
        assert_failed(res, failed);
}

static void snp_eval(const char *json, const SnpReport *s, AttestChecks *res, const char *failed)
{
        VerifyPolicy p = parse_ok(json);
        *res = (AttestChecks){};
        assert_int_equal(verify_policy_evaluate_snp(&p, s, res), 0);
        verify_policy_done(&p);
        assert_failed(res, failed);
}

/* ---- parsing ---- */

static void policy_parse_errors(void **state)
{
        (void) state;
        static const char h48[] =
                "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b"
                "2538873118b7";
        _cleanup_free_ char *j = NULL;

        parse_fails("{\"tdx\": {}", "not valid JSON (RFC 8259, at most 8 levels deep)");
        parse_fails("{\"tdx\": {}} x", "not valid JSON (RFC 8259, at most 8 levels deep)");
        parse_fails("[]", "expected an object with \"tdx\" and/or \"snp\", got an array");
        parse_fails("{}", "the policy has neither a \"tdx\" nor an \"snp\" section");
        parse_fails("{\"tdxx\": {}}", "unknown key 'tdxx'; did you mean 'tdx'?");
        parse_fails("{\"sev\": {}}", "unknown key 'sev'; did you mean 'snp'?");
        parse_fails("{\"manifest\": {}}", "unknown key 'manifest' (known: tdx, snp)");
        parse_fails("{\"tdx\": []}", "'tdx': expected an object, got an array");

        /* Unknown keys name the closest known key. */
        parse_fails("{\"tdx\": {\"mrdt\": []}}", "unknown key 'tdx.mrdt'; did you mean 'tdx.mrtd'?");
        parse_fails("{\"tdx\": {\"rtmr4\": \"00\"}}", "unknown key 'tdx.rtmr4'; did you mean 'tdx.rtmr0'?");
        parse_fails("{\"snp\": {\"allow-debug\": true}}",
                    "unknown key 'snp.allow-debug'; did you mean 'snp.allow_debug'?");
        parse_fails("{\"snp\": {\"mesurement\": \"00\"}}",
                    "unknown key 'snp.mesurement'; did you mean 'snp.measurement'?");
        /* A TDX key in the SNP section: nothing is close, so the known keys are listed. */
        parse_fails(
                "{\"snp\": {\"mrtd\": \"00\"}}",
                "unknown key 'snp.mrtd' (known: measurement, host_data, id_key_digest, author_key_digest, "
                "family_id, image_id, policy, allow_debug, min_tcb, min_tcb_applies_to, "
                "allow_provisional_firmware, min_firmware, vmpl, min_guest_svn, report_data)");
        parse_fails("{\"snp\": {\"min_tcb\": {\"microcde\": 1}}}",
                    "unknown key 'snp.min_tcb.microcde'; did you mean 'snp.min_tcb.microcode'?");
        parse_fails("{\"tdx\": {\"attributes\": {\"mask\": \"1\", \"vaule\": \"1\"}}}",
                    "unknown key 'tdx.attributes.vaule'; did you mean 'tdx.attributes.value'?");

        /* Types and lengths. */
        parse_fails("{\"tdx\": {\"mrtd\": 5}}",
                    "'tdx.mrtd': expected 48 bytes in hex (96 digits) or a list of them, got a number");
        parse_fails("{\"tdx\": {\"mrtd\": \"91eb\"}}",
                    "'tdx.mrtd': expected 48 bytes in hex (96 digits), got 4 digits");
        assert_true(asprintf(&j, "{\"tdx\": {\"mrtd\": [\"%s\", \"%.94s\"]}}", h48, h48) > 0);
        parse_fails(j, "'tdx.mrtd[1]': expected 48 bytes in hex (96 digits), got 94 digits");
        parse_fails("{\"tdx\": {\"rtmr2\": [\"zz\"]}}",
                    "'tdx.rtmr2[0]': expected 48 bytes in hex, got a non-hex character at 0");
        parse_fails("{\"tdx\": {\"mrowner\": []}}",
                    "'tdx.mrowner': an empty list allows no value; leave the key out instead");
        parse_fails("{\"snp\": {\"host_data\": null}}",
                    "'snp.host_data': expected 32 bytes in hex (64 digits) or a list of them, got null");
        parse_fails("{\"tdx\": {\"min_tee_tcb_svn\": \"0601\"}}",
                    "'tdx.min_tee_tcb_svn': expected 16 bytes in hex (32 digits), got 4 digits");
        parse_fails("{\"tdx\": {\"allow_debug\": \"yes\"}}",
                    "'tdx.allow_debug': expected true or false, got a string");
        parse_fails("{\"tdx\": {\"report_data\": \"\"}}",
                    "'tdx.report_data': expected 1 to 64 bytes in hex (zero-padded to 64)");
        parse_fails("{\"snp\": {\"vmpl\": 4}}", "'snp.vmpl': expected an integer 0-3, got 4");
        parse_fails("{\"snp\": {\"vmpl\": 1.0}}", "'snp.vmpl': expected an integer 0-3, got a number");
        parse_fails("{\"snp\": {\"min_guest_svn\": -1}}",
                    "'snp.min_guest_svn': expected an integer 0-4294967295, got -1");
        parse_fails("{\"snp\": {\"min_tcb\": {\"snp\": 256}}}",
                    "'snp.min_tcb.snp': expected an integer 0-255, got 256");
        parse_fails("{\"snp\": {\"min_tcb\": {\"snp\": 99999999999999999999999}}}",
                    "'snp.min_tcb.snp': expected an integer 0-255, got a number out of range");
        parse_fails("{\"snp\": {\"min_tcb_applies_to\": [\"reported\", \"lunch\"]}}",
                    "'snp.min_tcb_applies_to[1]': unknown TCB 'lunch'; did you mean 'launch'?");
        parse_fails("{\"snp\": {\"min_tcb_applies_to\": []}}",
                    "'snp.min_tcb_applies_to': expected a non-empty list of \"reported\", \"launch\", "
                    "\"current\", "
                    "\"committed\"");
        parse_fails(
                "{\"snp\": {\"min_firmware\": \"1.x\"}}",
                "'snp.min_firmware': expected a firmware version \"MAJOR.MINOR\" or \"MAJOR.MINOR.BUILD\"");
        parse_fails(
                "{\"snp\": {\"min_firmware\": \"1.256\"}}",
                "'snp.min_firmware': expected a firmware version \"MAJOR.MINOR\" or \"MAJOR.MINOR.BUILD\"");

        /* TCB statuses. */
        parse_fails("{\"tdx\": {\"accept_tcb\": [\"UpToDate\", \"OutOfDat\"]}}",
                    "'tdx.accept_tcb[1]': unknown TCB status 'OutOfDat'; did you mean 'OutOfDate'?");
        parse_fails("{\"tdx\": {\"accept_tcb\": [\"Revoked\"]}}",
                    "'tdx.accept_tcb[0]': TCB status 'Revoked' cannot be accepted");
        parse_fails("{\"tdx\": {\"accept_tcb\": [\"TcbLevelNotSupported\"]}}",
                    "'tdx.accept_tcb[0]': TCB status 'TcbLevelNotSupported' cannot be accepted");
        parse_fails("{\"tdx\": {\"accept_tcb\": []}}",
                    "'tdx.accept_tcb': expected a non-empty list of TCB statuses");

        /* Flag words. */
        parse_fails("{\"tdx\": {\"attributes\": \"0x\"}}",
                    "'tdx.attributes': expected a 64-bit number in hex (1 to 16 digits, \"0x\" optional)");
        parse_fails("{\"tdx\": {\"xfam\": \"12345678901234567\"}}",
                    "'tdx.xfam': expected a 64-bit number in hex (1 to 16 digits, \"0x\" optional)");
        parse_fails("{\"tdx\": {\"xfam\": 7}}",
                    "'tdx.xfam': expected a hex number or an object with \"value\", "
                    "\"mask\", \"require\", \"forbid\", got a number");
        parse_fails("{\"tdx\": {\"xfam\": {\"value\": 7}}}",
                    "'tdx.xfam.value': expected a 64-bit number in hex (1 to 16 digits, \"0x\" optional), "
                    "got a number");
        parse_fails("{\"snp\": {\"policy\": {\"forbid\": [\"DEBGU\"]}}}",
                    "'snp.policy.forbid[0]': unknown bit 'DEBGU'; did you mean 'DEBUG'?");
        parse_fails("{\"tdx\": {\"attributes\": {\"require\": [\"SEPT_VE_DISABLE\"], \"forbid\": "
                    "[\"SEPT_VE_DISABLE\"]}}}",
                    "'tdx.attributes': bit 28 (SEPT_VE_DISABLE) is both required and forbidden");
        parse_fails("{\"snp\": {\"policy\": {\"value\": \"0x30000\", \"mask\": \"0x30000\", \"forbid\": "
                    "[\"SMT\"]}}}",
                    "'snp.policy': bit 16 (SMT) is both required and forbidden");
        parse_fails(
                "{\"snp\": {\"policy\": {\"value\": \"0x3\", \"mask\": \"0x1\"}}}",
                "'snp.policy': \"value\" 0x0000000000000003 has bits outside \"mask\" 0x0000000000000001");
        parse_fails("{\"snp\": {\"policy\": {}}}",
                    "'snp.policy': constrains no bit (give \"value\", \"mask\", \"require\" or \"forbid\")");

        /* Size cap, before any parsing. */
        _cleanup_free_ char *big = malloc(VERIFY_POLICY_MAX + 2);
        _cleanup_free_ char *err = NULL;
        VerifyPolicy p;
        assert_non_null(big);
        memset(big, ' ', VERIFY_POLICY_MAX + 1);
        big[VERIFY_POLICY_MAX + 1] = 0;
        assert_int_equal(verify_policy_parse(big, VERIFY_POLICY_MAX + 1, &p, &err), -E2BIG);
}

static void policy_parse_values(void **state)
{
        (void) state;

        /* Defaults: only UpToDate, no debug, the TCB minimum on REPORTED and LAUNCH. */
        VerifyPolicy d;
        verify_policy_init(&d);
        assert_true(d.has_tdx && d.has_snp && d.tdx.accept_tcb[TCB_STATUS_UP_TO_DATE]);
        for (size_t i = 1; i < _TCB_STATUS_MAX; i++)
                assert_false(d.tdx.accept_tcb[i]);
        assert_false(d.tdx.allow_debug || d.snp.allow_debug);
        assert_int_equal(d.snp.min_tcb_applies_to, 1U << SNP_TCB_REPORTED | 1U << SNP_TCB_LAUNCH);

        /* A section only: the other TEE is not covered. */
        VerifyPolicy p = parse_ok(
                "{\"snp\": {\"vmpl\": 0, \"min_guest_svn\": 4294967295, \"min_firmware\": \"1.55\","
                " \"policy\": {\"require\": [\"SMT\"], \"forbid\": [\"MIGRATE_MA\", \"DEBUG\"]},"
                " \"min_tcb\": {\"snp\": 27, \"fmc\": 1}, \"min_tcb_applies_to\": [\"current\"],"
                " \"report_data\": \"00ff\", \"family_id\": [\"000102030405060708090a0b0c0d0e0f\"]}}");
        assert_false(p.has_tdx);
        assert_true(p.has_snp);
        assert_true(p.snp.vmpl.set && p.snp.vmpl.value == 0);
        assert_true(p.snp.min_guest_svn.set && p.snp.min_guest_svn.value == UINT32_MAX);
        assert_true(p.snp.has_min_firmware && p.snp.min_firmware[0] == 1 && p.snp.min_firmware[1] == 55 &&
                    p.snp.min_firmware[2] == 0);
        assert_int_equal(p.snp.policy.mask, SNP_POLICY_SMT | UINT64_C(1) << 18 | SNP_POLICY_DEBUG);
        assert_int_equal(p.snp.policy.value, SNP_POLICY_SMT);
        assert_true(p.snp.has_min_tcb && p.snp.min_tcb[SNP_TCB_SNP] == 27 &&
                    p.snp.min_tcb[SNP_TCB_FMC] == 1 && p.snp.min_tcb[SNP_TCB_MICROCODE] == 0);
        assert_int_equal(p.snp.min_tcb_applies_to, 1U << SNP_TCB_CURRENT);
        assert_true(p.snp.report_data.set && p.snp.report_data.data[0] == 0 &&
                    p.snp.report_data.data[1] == 0xff && p.snp.report_data.data[63] == 0);
        assert_int_equal(p.snp.family_id.n, 1);
        assert_int_equal(p.snp.family_id.size, 16);
        assert_int_equal(p.snp.family_id.values[15], 0x0f);
        assert_false(p.snp.allow_debug);
        verify_policy_done(&p);

        /* accept_tcb replaces the default list; hex numbers take "0x" or not, upper or lower case. */
        p = parse_ok(
                "{\"tdx\": {\"accept_tcb\": [\"SWHardeningNeeded\"], \"attributes\": \"10000000\","
                " \"xfam\": {\"value\": \"0X602E7\", \"mask\": \"0xFFFFFFFF\"}, \"allow_debug\": true}}");
        assert_true(p.has_tdx && !p.has_snp);
        assert_false(p.tdx.accept_tcb[TCB_STATUS_UP_TO_DATE]);
        assert_true(p.tdx.accept_tcb[TCB_STATUS_SW_HARDENING_NEEDED]);
        assert_int_equal(p.tdx.attributes.value, 0x10000000);
        assert_int_equal(p.tdx.attributes.mask, UINT64_MAX);
        assert_int_equal(p.tdx.xfam.value, 0x602e7);
        assert_int_equal(p.tdx.xfam.mask, 0xffffffff);
        assert_true(p.tdx.allow_debug);
        verify_policy_done(&p);

        /* From a file; a missing file is the read error. */
        _cleanup_free_ char *err = NULL;
        assert_int_equal(verify_policy_load("/nonexistent/policy.json", &p, &err), -ENOENT);
}

/* ---- TDX ---- */

/* The dcap-qvl quote (MANIFEST: UpToDate at 2025-07-01): a policy of its own values. */
static char *tdx_policy_of(const TdxQuote *q, const char *extra)
{
        const TdxTdBody *b = &q->body;
        _cleanup_free_ char *mrseam = hex(b->mr_seam, 48), *mrtd = hex(b->mr_td, 48),
                            *r0 = hex(b->rtmr[0], 48), *r1 = hex(b->rtmr[1], 48), *r2 = hex(b->rtmr[2], 48),
                            *r3 = hex(b->rtmr[3], 48), *cfg = hex(b->mr_config_id, 48),
                            *own = hex(b->mr_owner, 48), *ocfg = hex(b->mr_owner_config, 48),
                            *svn = hex(b->tee_tcb_svn, 16), *rd = hex(b->report_data, 64);
        char *j;
        assert_true(
                asprintf(
                        &j,
                        "{\"tdx\": {\"mrseam\": \"%s\", \"mrtd\": [\"%s\"], \"rtmr0\": \"%s\", \"rtmr1\": "
                        "\"%s\","
                        " \"rtmr2\": \"%s\", \"rtmr3\": \"%s\", \"mrconfigid\": \"%s\", \"mrowner\": \"%s\","
                        " \"mrownerconfig\": \"%s\", \"attributes\": \"%016" PRIx64
                        "\", \"xfam\": \"%016" PRIx64
                        "\", \"min_tee_tcb_svn\": \"%s\", \"report_data\": \"%s\"%s}}",
                        mrseam, mrtd, r0, r1, r2, r3, cfg, own, ocfg, b->td_attributes, b->xfam, svn, rd,
                        strempty(extra)) > 0);
        return j;
}

static void policy_tdx_fields(void **state)
{
        (void) state;
        _cleanup_(tdx_quote_done) TdxQuote q = load_quote("tdx/dcap-qvl/tdx_quote");
        TcbStatus up = TCB_STATUS_UP_TO_DATE, ood = TCB_STATUS_OUT_OF_DATE;
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_free_ char *all = tdx_policy_of(&q, NULL), *mrtd = hex(q.body.mr_td, 48);

        /* The quote's own values: every field checked, all pass. */
        tdx_eval(all, &q, &up, &res, "");
        static const char *const ids[] = {
                "policy.tcb_status", "policy.debug",           "policy.mrseam",        "policy.mrtd",
                "policy.rtmr0",      "policy.rtmr1",           "policy.rtmr2",         "policy.rtmr3",
                "policy.mrconfigid", "policy.mrowner",         "policy.mrownerconfig", "policy.attributes",
                "policy.xfam",       "policy.min_tee_tcb_svn", "policy.report_data"
        };
        assert_int_equal(res.n, ELEMENTSOF(ids));
        for (size_t i = 0; i < ELEMENTSOF(ids); i++)
                assert_string_equal(res.items[i].id, ids[i]);
        assert_true(attest_checks_ok(&res));
        ASSERT_CHECK(&res, "policy.mrtd", true, "MRTD 91eb2b44d141d4ec", "is an expected value");
        ASSERT_CHECK(&res, "policy.tcb_status", true, "TCB status UpToDate is accepted");
        ASSERT_CHECK(&res, "policy.debug", true, "TD attribute DEBUG is not set");
        ASSERT_CHECK(&res, "policy.min_tee_tcb_svn", true,
                     "TEE_TCB_SVN 06010300000000000000000000000000 is at least");
        attest_checks_done(&res);

        /* Without an appraised TCB status there is no status check. */
        tdx_eval(all, &q, NULL, &res, "");
        assert_null(attest_checks_find(&res, "policy.tcb_status"));
        attest_checks_done(&res);

        /* Each byte-string field changed in turn fails exactly its check: flip one byte of it. */
        static const char *const keys[] = { "mrseam", "mrtd",       "rtmr0",   "rtmr1",        "rtmr2",
                                            "rtmr3",  "mrconfigid", "mrowner", "mrownerconfig" };
        static const char *const labels[] = { "MRSEAM", "MRTD",       "RTMR0",   "RTMR1",        "RTMR2",
                                              "RTMR3",  "MRCONFIGID", "MROWNER", "MROWNERCONFIG" };
        const uint8_t *fields[] = { q.body.mr_seam,      q.body.mr_td,    q.body.rtmr[0],
                                    q.body.rtmr[1],      q.body.rtmr[2],  q.body.rtmr[3],
                                    q.body.mr_config_id, q.body.mr_owner, q.body.mr_owner_config };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                uint8_t v[48];
                memcpy(v, fields[i], 48);
                v[47] ^= 0x01;
                _cleanup_free_ char *want = hex(v, 48), *seen = hex(fields[i], 48), *extra = NULL, *j = NULL,
                                    *id = NULL, *label = NULL;
                assert_true(asprintf(&extra, ", \"%s\": \"%s\"", keys[i], want) > 0);
                j = tdx_policy_of(&q, extra); /* the later key wins in json-c */
                assert_true(asprintf(&id, "policy.%s", keys[i]) > 0);
                tdx_eval(j, &q, &up, &res, id);
                assert_true(asprintf(&label, "%s is %s, expected %s", labels[i], seen, want) > 0);
                ASSERT_CHECK(&res, id, false, label);
                attest_checks_done(&res);
        }

        /* A list: the right value anywhere in it passes; two wrong ones name both. */
        _cleanup_free_ char *list = NULL, *bad_list = NULL;
        assert_true(asprintf(&list, "{\"tdx\": {\"mrtd\": [\"%096d\", \"%s\"]}}", 0, mrtd) > 0);
        tdx_eval(list, &q, &up, &res, "");
        attest_checks_done(&res);
        assert_true(asprintf(&bad_list, "{\"tdx\": {\"mrtd\": [\"%096d\", \"%095d1\"]}}", 0, 0) > 0);
        tdx_eval(bad_list, &q, &up, &res, "policy.mrtd");
        ASSERT_CHECK(&res, "policy.mrtd", false, "expected one of 000000", ", 00000", "01");
        attest_checks_done(&res);

        /* Attributes (SEPT_VE_DISABLE set) and XFAM (0x602e7): exact, masked, by name. */
        tdx_eval("{\"tdx\": {\"attributes\": \"0\"}}", &q, &up, &res, "policy.attributes");
        ASSERT_CHECK(&res, "policy.attributes", false,
                     "TD attributes 0x0000000010000000: SEPT_VE_DISABLE is set but forbidden");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"attributes\": {\"require\": [\"SEPT_VE_DISABLE\"], \"forbid\": [\"DEBUG\", "
                 "\"PKS\"]}}}",
                 &q, &up, &res, "");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"attributes\": {\"require\": [\"PKS\", \"PERFMON\"]}}}", &q, &up, &res,
                 "policy.attributes");
        ASSERT_CHECK(&res, "policy.attributes", false,
                     "PKS is clear but required; PERFMON is clear but required");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"xfam\": {\"value\": \"0x2e7\", \"mask\": \"0xfff\"}}}", &q, &up, &res, "");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"xfam\": {\"mask\": \"0x60000\"}}}", &q, &up, &res, "policy.xfam");
        ASSERT_CHECK(&res, "policy.xfam", false,
                     "XFAM 0x00000000000602e7: AMX_TILECFG is set but forbidden; AMX_TILEDATA is set");
        attest_checks_done(&res);

        /* TEE_TCB_SVN 06 01 03 00...: compared byte by byte. */
        tdx_eval("{\"tdx\": {\"min_tee_tcb_svn\": \"05010300000000000000000000000000\"}}", &q, &up, &res,
                 "");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"min_tee_tcb_svn\": \"07000400000000000000000000000000\"}}", &q, &up, &res,
                 "policy.min_tee_tcb_svn");
        ASSERT_CHECK(&res, "policy.min_tee_tcb_svn", false, "below the minimum 07000400",
                     "byte 0 is 6 < 7, byte 2 is 3 < 4");
        attest_checks_done(&res);

        /* Report data. */
        tdx_eval("{\"tdx\": {\"report_data\": \"9a9d48e7\"}}", &q, &up, &res, "policy.report_data");
        ASSERT_CHECK(&res, "policy.report_data", false, "REPORTDATA is 9a9d48e7f6799642",
                     "expected 9a9d48e700000000");
        attest_checks_done(&res);

        /* TCB status: the default accepts only UpToDate; accept_tcb replaces the list. */
        tdx_eval("{\"tdx\": {}}", &q, &ood, &res, "policy.tcb_status");
        ASSERT_CHECK(&res, "policy.tcb_status", false,
                     "TCB status OutOfDate is not accepted (accepted: UpToDate;");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"accept_tcb\": [\"UpToDate\", \"OutOfDate\"]}}", &q, &ood, &res, "");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"accept_tcb\": [\"OutOfDate\"]}}", &q, &up, &res, "policy.tcb_status");
        ASSERT_CHECK(&res, "policy.tcb_status", false,
                     "TCB status UpToDate is not accepted (accepted: OutOfDate;");
        attest_checks_done(&res);

        /* A policy for SEV-SNP only does not appraise a TDX quote. */
        VerifyPolicy p = parse_ok("{\"snp\": {}}");
        assert_int_equal(verify_policy_evaluate_tdx(&p, &q, &up, &res), -EMEDIUMTYPE);
        assert_int_equal(res.n, 0);
}

static void policy_tdx_debug(void **state)
{
        (void) state;
        _cleanup_(tdx_quote_done) TdxQuote q = load_quote("tdx/trustee/tdx_quote_4.dat");
        _cleanup_(attest_checks_done) AttestChecks res = {};
        TcbStatus up = TCB_STATUS_UP_TO_DATE;

        assert_true(q.body.td_attributes & TDX_TD_ATTR_DEBUG);
        /* Secure default, with or without a file; a required DEBUG attribute does not allow it. */
        VerifyPolicy d;
        verify_policy_init(&d);
        assert_int_equal(verify_policy_evaluate_tdx(&d, &q, &up, &res), 0);
        assert_failed(&res, "policy.debug");
        ASSERT_CHECK(&res, "policy.debug", false,
                     "TD attribute DEBUG is set: a debug guest's memory is not confidential");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"attributes\": {\"require\": [\"DEBUG\"]}}}", &q, &up, &res, "policy.debug");
        attest_checks_done(&res);
        tdx_eval("{\"tdx\": {\"allow_debug\": false}}", &q, &up, &res, "policy.debug");
        attest_checks_done(&res);
        /* Allowed by name only. */
        tdx_eval("{\"tdx\": {\"allow_debug\": true}}", &q, &up, &res, "");
        ASSERT_CHECK(&res, "policy.debug", true, "TD attribute DEBUG is set (allowed by allow_debug)");
        attest_checks_done(&res);
        /* The SNP section's allow_debug is not the TDX one. */
        tdx_eval("{\"tdx\": {}, \"snp\": {\"allow_debug\": true}}", &q, &up, &res, "policy.debug");
}

/* ---- SEV-SNP ---- */

static char *snp_policy_of(const SnpReport *s, const char *extra)
{
        _cleanup_free_ char *m = hex(s->measurement, 48), *hd = hex(s->host_data, 32),
                            *id = hex(s->id_key_digest, 48), *ak = hex(s->author_key_digest, 48),
                            *fam = hex(s->family_id, 16), *img = hex(s->image_id, 16),
                            *rd = hex(s->report_data, 64);
        char *j;
        assert_true(
                asprintf(&j,
                         "{\"snp\": {\"measurement\": [\"%s\"], \"host_data\": \"%s\", \"id_key_digest\": "
                         "\"%s\","
                         " \"author_key_digest\": \"%s\", \"family_id\": \"%s\", \"image_id\": \"%s\","
                         " \"policy\": \"0x%" PRIx64 "\", \"min_tcb\": {\"bootloader\": %u, \"tee\": %u,"
                         " \"snp\": %u, \"microcode\": %u}, \"min_firmware\": \"%u.%u.%u\", \"vmpl\": %u,"
                         " \"min_guest_svn\": %u, \"report_data\": \"%s\"%s}}",
                         m, hd, id, ak, fam, img, s->policy, s->reported_tcb.bootloader, s->reported_tcb.tee,
                         s->reported_tcb.snp, s->reported_tcb.microcode, s->current_major, s->current_minor,
                         s->current_build, s->vmpl, s->guest_svn, rd, strempty(extra)) > 0);
        return j;
}

static void policy_snp_fields(void **state)
{
        (void) state;
        /* GCE, Milan, v5, TCB 4/0/27/222 everywhere, firmware 1.55.35, policy 0x30000. */
        SnpReport s = load_report("snp/teekit/sev-gcp.bin", SNP_PRODUCT_UNKNOWN);
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_free_ char *all = snp_policy_of(&s, NULL);

        snp_eval(all, &s, &res, "");
        static const char *const ids[] = { "policy.debug",         "policy.tcb_consistency",
                                           "policy.measurement",   "policy.host_data",
                                           "policy.id_key_digest", "policy.author_key_digest",
                                           "policy.family_id",     "policy.image_id",
                                           "policy.policy",        "policy.min_tcb",
                                           "policy.min_firmware",  "policy.vmpl",
                                           "policy.min_guest_svn", "policy.report_data" };
        assert_int_equal(res.n, ELEMENTSOF(ids));
        for (size_t i = 0; i < ELEMENTSOF(ids); i++)
                assert_string_equal(res.items[i].id, ids[i]);
        ASSERT_CHECK(&res, "policy.min_tcb", true,
                     "REPORTED_TCB and LAUNCH_TCB meet the minimum (bootloader 4, tee 0, snp 27, microcode "
                     "222, fmc 0)");
        ASSERT_CHECK(&res, "policy.tcb_consistency", true, "COMMITTED_TCB equals CURRENT_TCB");
        ASSERT_CHECK(&res, "policy.min_firmware", true,
                     "current firmware 1.55.35 and committed 1.55.35 meet the minimum 1.55.35");
        attest_checks_done(&res);

        /* Each byte-string field changed fails exactly its check. */
        static const char *const keys[] = { "measurement",       "host_data", "id_key_digest",
                                            "author_key_digest", "family_id", "image_id" };
        static const char *const labels[] = { "MEASUREMENT",       "HOST_DATA", "ID_KEY_DIGEST",
                                              "AUTHOR_KEY_DIGEST", "FAMILY_ID", "IMAGE_ID" };
        const uint8_t *fields[] = { s.measurement,       s.host_data, s.id_key_digest,
                                    s.author_key_digest, s.family_id, s.image_id };
        const size_t sizes[] = { 48, 32, 48, 48, 16, 16 };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                uint8_t v[48];
                memcpy(v, fields[i], sizes[i]);
                v[0] ^= 0x80;
                _cleanup_free_ char *want = hex(v, sizes[i]), *seen = hex(fields[i], sizes[i]),
                                    *extra = NULL, *j = NULL, *id = NULL, *label = NULL;
                assert_true(asprintf(&extra, ", \"%s\": [\"%s\"]", keys[i], want) > 0);
                j = snp_policy_of(&s, extra);
                assert_true(asprintf(&id, "policy.%s", keys[i]) > 0);
                snp_eval(j, &s, &res, id);
                assert_true(asprintf(&label, "%s is %s, expected %s", labels[i], seen, want) > 0);
                ASSERT_CHECK(&res, id, false, label);
                attest_checks_done(&res);
        }

        /* Guest policy bits by name and by value/mask. */
        snp_eval("{\"snp\": {\"policy\": {\"require\": [\"SINGLE_SOCKET\"], \"forbid\": [\"SMT\", "
                 "\"MIGRATE_MA\"]}}}",
                 &s, &res, "policy.policy");
        ASSERT_CHECK(
                &res, "policy.policy", false,
                "POLICY 0x0000000000030000: SMT is set but forbidden; SINGLE_SOCKET is clear but required");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"policy\": {\"value\": \"0x10000\", \"mask\": \"0xd0000\"}}}", &s, &res, "");
        attest_checks_done(&res);

        /* Minimum TCB per component, on REPORTED and LAUNCH by default. */
        snp_eval("{\"snp\": {\"min_tcb\": {\"snp\": 28, \"microcode\": 223}}}", &s, &res, "policy.min_tcb");
        ASSERT_CHECK(&res, "policy.min_tcb", false,
                     "REPORTED_TCB snp 27 is below the minimum 28; REPORTED_TCB microcode 222 is below the "
                     "minimum 223; "
                     "LAUNCH_TCB snp 27 is below the minimum 28; LAUNCH_TCB microcode 222 is below the "
                     "minimum 223");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"min_tcb\": {\"bootloader\": 5}, \"min_tcb_applies_to\": [\"committed\"]}}",
                 &s, &res, "policy.min_tcb");
        ASSERT_CHECK(&res, "policy.min_tcb", false, "COMMITTED_TCB bootloader 4 is below the minimum 5");
        attest_checks_done(&res);
        /* Milan has no FMC: a minimum for it cannot be met; 0 can. */
        snp_eval("{\"snp\": {\"min_tcb\": {\"fmc\": 1}}}", &s, &res, "policy.min_tcb");
        ASSERT_CHECK(&res, "policy.min_tcb", false,
                     "REPORTED_TCB has no fmc component (milan-genoa TCB layout), minimum 1");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"min_tcb\": {\"fmc\": 0, \"tee\": 0}}}", &s, &res, "");
        attest_checks_done(&res);

        /* Firmware version, VMPL, GUEST_SVN, report data. */
        snp_eval("{\"snp\": {\"min_firmware\": \"1.55.36\"}}", &s, &res, "policy.min_firmware");
        ASSERT_CHECK(&res, "policy.min_firmware", false,
                     "current firmware 1.55.35 and committed 1.55.35 do not both meet the minimum 1.55.36");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"min_firmware\": \"1.54\"}}", &s, &res, "");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"vmpl\": 2}}", &s, &res, "policy.vmpl");
        ASSERT_CHECK(&res, "policy.vmpl", false, "VMPL is 0, expected 2");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"min_guest_svn\": 1}}", &s, &res, "policy.min_guest_svn");
        ASSERT_CHECK(&res, "policy.min_guest_svn", false, "GUEST_SVN 0 is below the minimum 1");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"report_data\": \"01\"}}", &s, &res, "policy.report_data");
        ASSERT_CHECK(&res, "policy.report_data", false, "REPORT_DATA is 0000", "expected 0100");
        attest_checks_done(&res);

        /* A policy for TDX only does not appraise an SNP report. */
        VerifyPolicy p = parse_ok("{\"tdx\": {}}");
        assert_int_equal(verify_policy_evaluate_snp(&p, &s, &res), -EMEDIUMTYPE);
        assert_int_equal(res.n, 0);
}

static void set_tcb(SnpReport *s, size_t offset, uint64_t v)
{
        for (size_t i = 0; i < 8; i++)
                s->raw[offset + i] = (uint8_t) (v >> (8 * i));
        reparse_report(s);
}

/* Report offsets, SEV-SNP ABI spec Table 23 (reference/attestation.md §c). */
#define OFF_CURRENT_TCB   0x038
#define OFF_REPORTED_TCB  0x180
#define OFF_COMMITTED_TCB 0x1E0
#define OFF_COMMITTED_FW  0x1EC

static void policy_snp_tcb_consistency(void **state)
{
        (void) state;
        SnpReport s = load_report("snp/teekit/sev-gcp.bin", SNP_PRODUCT_UNKNOWN);
        _cleanup_(attest_checks_done) AttestChecks res = {};
        const uint64_t tcb = s.current_tcb.raw; /* 0xde1b000000000004: bl 4, tee 0, snp 27, ucode 222 */

        assert_int_equal(tcb, UINT64_C(0xde1b000000000004));
        /* REPORTED_TCB above CURRENT_TCB and COMMITTED_TCB (snp 28). */
        set_tcb(&s, OFF_REPORTED_TCB, tcb + (UINT64_C(1) << 48));
        snp_eval("{\"snp\": {}}", &s, &res, "policy.tcb_consistency");
        ASSERT_CHECK(&res, "policy.tcb_consistency", false,
                     "REPORTED_TCB snp 28 is above CURRENT_TCB snp 27",
                     "REPORTED_TCB snp 28 is above COMMITTED_TCB snp 27");
        attest_checks_done(&res);

        /* A fleet-wide lower REPORTED_TCB is fine. */
        set_tcb(&s, OFF_REPORTED_TCB, tcb - 1);
        snp_eval("{\"snp\": {}}", &s, &res, "");
        ASSERT_CHECK(&res, "policy.tcb_consistency", true,
                     "REPORTED_TCB is not above CURRENT_TCB or COMMITTED_TCB");
        attest_checks_done(&res);

        /* Provisional firmware: COMMITTED below CURRENT needs allow_provisional_firmware. */
        set_tcb(&s, OFF_REPORTED_TCB, tcb - 1);
        set_tcb(&s, OFF_COMMITTED_TCB, tcb - 1);
        s.raw[OFF_COMMITTED_FW] = 34; /* build */
        reparse_report(&s);
        snp_eval("{\"snp\": {}}", &s, &res, "policy.tcb_consistency");
        ASSERT_CHECK(&res, "policy.tcb_consistency", false,
                     "COMMITTED_TCB 0xde1b000000000003 (firmware 1.55.34) differs from CURRENT_TCB "
                     "0xde1b000000000004 "
                     "(firmware 1.55.35): the firmware is provisional and may be rolled back "
                     "(allow_provisional_firmware)");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"allow_provisional_firmware\": true}}", &s, &res, "");
        ASSERT_CHECK(&res, "policy.tcb_consistency", true,
                     "COMMITTED_TCB is below (provisional firmware allowed)");
        attest_checks_done(&res);
        /* ... and the minimum firmware applies to the committed version too. */
        snp_eval("{\"snp\": {\"allow_provisional_firmware\": true, \"min_firmware\": \"1.55.35\"}}", &s,
                 &res, "policy.min_firmware");
        attest_checks_done(&res);

        /* COMMITTED above CURRENT cannot happen, provisional or not. */
        set_tcb(&s, OFF_COMMITTED_TCB, tcb + 1);
        s.raw[OFF_COMMITTED_FW] = 35;
        reparse_report(&s);
        snp_eval("{\"snp\": {\"allow_provisional_firmware\": true}}", &s, &res, "policy.tcb_consistency");
        ASSERT_CHECK(&res, "policy.tcb_consistency", false,
                     "COMMITTED_TCB bootloader 5 is above CURRENT_TCB bootloader 4");
}

static void policy_snp_turin_and_debug(void **state)
{
        (void) state;
        _cleanup_(attest_checks_done) AttestChecks res = {};

        /* virtee's Milan report decoded with the Turin layout (a v2 report takes the caller's hint): the
         * same TCB_VERSION 0x7308000000000003 reads fmc 3, bootloader 0, tee 0, snp 0, microcode 115. */
        SnpReport t = load_report("snp/virtee-sev/report_milan.hex", SNP_PRODUCT_TURIN);
        assert_int_equal(t.tcb_layout, SNP_TCB_LAYOUT_TURIN);
        snp_eval("{\"snp\": {\"min_tcb\": {\"fmc\": 3, \"microcode\": 115}}}", &t, &res, "");
        ASSERT_CHECK(&res, "policy.min_tcb", true, "fmc 3");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"min_tcb\": {\"fmc\": 4, \"snp\": 8}}}", &t, &res, "policy.min_tcb");
        ASSERT_CHECK(&res, "policy.min_tcb", false, "REPORTED_TCB snp 0 is below the minimum 8",
                     "REPORTED_TCB fmc 3 is below the minimum 4");
        attest_checks_done(&res);
        /* The Milan layout of the same bytes: snp 8 meets it, fmc does not exist. */
        SnpReport m = load_report("snp/virtee-sev/report_milan.hex", SNP_PRODUCT_UNKNOWN);
        snp_eval("{\"snp\": {\"min_tcb\": {\"snp\": 8, \"bootloader\": 3}}}", &m, &res, "");
        attest_checks_done(&res);

        /* go-sev-guest's report has policy DEBUG (0xb0000): rejected unless allowed by name. */
        SnpReport d = load_report("snp/go-sev-guest/attestation.bin", SNP_PRODUCT_UNKNOWN);
        assert_true(d.policy & SNP_POLICY_DEBUG);
        snp_eval("{\"snp\": {}}", &d, &res, "policy.debug");
        ASSERT_CHECK(&res, "policy.debug", false,
                     "guest policy DEBUG is set: a debug guest's memory is not confidential");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"policy\": {\"require\": [\"DEBUG\"]}}}", &d, &res, "policy.debug");
        attest_checks_done(&res);
        snp_eval("{\"tdx\": {\"allow_debug\": true}, \"snp\": {}}", &d, &res, "policy.debug");
        attest_checks_done(&res);
        snp_eval("{\"snp\": {\"allow_debug\": true}}", &d, &res, "");
        ASSERT_CHECK(&res, "policy.debug", true, "guest policy DEBUG is set (allowed by allow_debug)");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(policy_parse_errors),        cmocka_unit_test(policy_parse_values),
                cmocka_unit_test(policy_tdx_fields),          cmocka_unit_test(policy_tdx_debug),
                cmocka_unit_test(policy_snp_fields),          cmocka_unit_test(policy_snp_tcb_consistency),
                cmocka_unit_test(policy_snp_turin_and_debug),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
