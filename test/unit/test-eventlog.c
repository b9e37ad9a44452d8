/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CCEL table and the CC event log of a real TD (test/data/attest/README.md): parsed, decoded and
 * replayed to exactly the RTMRs of that TD's quote; then one tampered digest, and one corruption per rule
 * with the error and the sentence it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "attest/tdx-quote.h"
#include "hexbase64.h"
#include "json-util.h"
#include "measure/eventlog.h"
#include "test-attest-util.h"

#define LOG_EVENTS 44U /* the Spec ID header and 43 events */
#define LOG_USED   0x46b5U

static void assert_contains(const char *s, const char *word)
{
        if (!s || !strstr(s, word))
                fail_msg("\"%s\" does not contain \"%s\"", strna(s), word);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
        _cleanup_free_ char *h = NULL;
        assert_int_equal(hex_encode(p, n, &h), 0);
        assert_string_equal(h, want);
}

static void load_quote_rtmrs(uint8_t ret[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE])
{
        size_t size;
        _cleanup_free_ uint8_t *q = attest_load("tdx/go-tdx-guest/cos-113-tdx-quote.dat", &size);
        TdxQuote quote;
        assert_int_equal(tdx_quote_parse(q, size, &quote, NULL), 0);
        memcpy(ret, quote.body.rtmr, CC_RTMR_COUNT * CC_MR_DIGEST_SIZE);
        tdx_quote_done(&quote);
}

static void ccel_table_real(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *t = attest_load("tdx/go-tdx-guest/ccel_table.dat", &size);
        CcelTable c;

        assert_int_equal(ccel_table_parse(t, size, &c, NULL), 0);
        assert_int_equal(c.length, 56);
        assert_int_equal(c.cc_type, CCEL_CC_TYPE_TDX);
        assert_string_equal(ccel_cc_type_to_string(c.cc_type), "tdx");
        assert_string_equal(c.oem_id, "INTEL ");
        assert_string_equal(c.oem_table_id, "EDK2    ");
        assert_true(c.laml == 0x40000);
        assert_true(c.lasa == 0xbedbf000);
}

static void ccel_table_corrupt(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *t = attest_load("tdx/go-tdx-guest/ccel_table.dat", &size);
        _cleanup_free_ char *err = NULL;
        CcelTable c = { .cc_type = 77 };

        t[48] ^= 1; /* LASA */
        assert_int_equal(ccel_table_parse(t, size, &c, &err), -EBADMSG);
        assert_contains(err, "do not sum to zero");
        assert_contains(err, "offset 9");
        assert_int_equal(c.cc_type, 77); /* untouched */
        t[48] ^= 1;

        assert_int_equal(ccel_table_parse(t, size - 1, &c, &err), -EBADMSG);
        assert_contains(err, "Length 56 at offset 4 does not match the 55 bytes");
        assert_int_equal(ccel_table_parse(t, 3, &c, &err), -EBADMSG);
        assert_contains(err, "signature at offset 0");
        t[0] = 'X';
        assert_int_equal(ccel_table_parse(t, size, &c, &err), -EBADMSG);
        assert_contains(err, "is not \"CCEL\"");
}

static void eventlog_real_replays_to_quote(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *d = attest_load("tdx/go-tdx-guest/ccel_data.dat", &size);
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE], quote[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];

        assert_int_equal(size, 262144);
        assert_int_equal(cc_event_log_parse(d, size, &log, NULL), 0);
        assert_int_equal(log.n_events, LOG_EVENTS);
        assert_int_equal(log.used, LOG_USED);
        assert_true(log.terminated);
        assert_int_equal(log.n_algorithms, 1);
        assert_int_equal(log.algorithms[0].alg, TPM_ALG_SHA384);
        assert_int_equal(log.spec_version_major, 2);
        assert_int_equal(log.uintn_size, 2);

        /* MR index 1..4 as logged; a few events by type. */
        assert_int_equal(log.events[1].mr_index, 1);
        assert_string_equal(cc_event_type_to_string(log.events[1].type), "EV_EFI_HANDOFF_TABLES2");
        assert_string_equal(cc_event_type_to_string(log.events[8].type), "EV_SEPARATOR");
        assert_string_equal(cc_event_type_to_string(log.events[15].type), "EV_EFI_ACTION");
        assert_int_equal(log.events[15].mr_index, 2);
        assert_string_equal(cc_event_type_to_string(log.events[19].type), "EV_IPL");
        assert_int_equal(log.events[19].mr_index, 3);
        assert_int_equal(cc_event_type_from_string("EV_EFI_VARIABLE_AUTHORITY"), 0x800000e0);
        assert_int_equal(cc_event_type_from_string("EV_NOPE"), -EINVAL);

        assert_int_equal(cc_event_log_replay(&log, rtmr, NULL), 0);
        load_quote_rtmrs(quote);
        for (size_t i = 0; i < CC_RTMR_COUNT; i++)
                assert_memory_equal(rtmr[i], quote[i], CC_MR_DIGEST_SIZE);
        assert_hex(rtmr[0], 48,
                   "3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece75"
                   "2afd17f6");

        /* §2.5 of measurement.md: the constant digests this real firmware logged. */
        assert_hex(log.events[8].sha384, 48,
                   "394341b7182cd227c5c6b07ef8000cdfd86136c4292b8e576573ad7ed9ae41019f5818b4b971c9effc60e1ad"
                   "9f1289f0");
        assert_hex(log.events[14].sha384, 48,
                   "23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fea1c64bc656b1d28eacf7047ae6e967c58fd2a98b"
                   "fa74c298");
        assert_hex(log.events[15].sha384, 48,
                   "77a0dab2312b4e1e57a84d865a21e5b2ee8d677a21012ada819d0a98988078d3d740f6346bfe0abaa938ca20"
                   "439a8d71");
        assert_hex(log.events[42].sha384, 48,
                   "214b0bef1379756011344877743fdc2a5382bac6e70362d624ccf3f654407c1b4badf7d8f9295dd3dabdef65"
                   "b27677e0");
        assert_hex(log.events[43].sha384, 48,
                   "0a2e01c85deae718a530ad8c6d20a84009babe6c8989269e950d8cf440c6e997695e64d455c4174a652cd080"
                   "f6230b74");
}

static void eventlog_tampered_digest(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *d = attest_load("tdx/go-tdx-guest/ccel_data.dat", &size);
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE], quote[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];

        assert_int_equal(cc_event_log_parse(d, size, &log, NULL), 0);
        size_t at = log.events[17].offset + 12 + 2; /* event 17 (RTMR1, the GPT) SHA-384 digest */
        cc_event_log_done(&log);
        d[at] ^= 0x80;
        assert_int_equal(cc_event_log_parse(d, size, &log, NULL), 0);
        assert_int_equal(cc_event_log_replay(&log, rtmr, NULL), 0);
        load_quote_rtmrs(quote);
        assert_memory_equal(rtmr[0], quote[0], 48);
        assert_memory_not_equal(rtmr[1], quote[1], 48);
        assert_memory_equal(rtmr[2], quote[2], 48);
}

static void eventlog_decode(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *d = attest_load("tdx/go-tdx-guest/ccel_data.dat", &size);
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        static const struct {
                size_t index;
                const char *key, *value;
        } want[] = {
                { 1, "description", "TdxTable" },
                { 2, "description", "Fv(48DB5E17-707C-472D-91CD-1613E7EF51B0)" },
                { 2, "blob_base", "0xffe00000" },
                { 3, "variable_name", "SecureBoot" },
                { 3, "variable_guid", "8be4df61-93ca-11d2-aa0d-00e098032b8c" },
                { 6, "variable_name", "db" },
                { 8, "separator", "0x00000000" },
                { 9, "text", "ACPI DATA" },
                { 13, "boot_description", "UEFI nvme_card-pd" },
                { 14, "variable_name", "Boot0000" },
                { 14, "boot_description", "UiApp" },
                { 15, "text", "Calling EFI Application from Boot Option" },
                { 17, "disk_guid", "e0c6c56e-5ef7-8e4a-ace6-3c31a7f75a29" },
                { 19, "text", "MokList" },
                { 21, "variable_name", "SbatLevel" },
                { 24, "device_path", "\\EFI\\BOOT\\grub-lakitu.efi" },
                { 43, "text", "Exit Boot Services Returned with Success" },
        };

        assert_int_equal(cc_event_log_parse(d, size, &log, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                _cleanup_(json_object_putp) json_object *o = NULL;
                assert_int_equal(cc_event_decode(log.events + want[i].index, &o), 0);
                const char *v = json_get_string(o, want[i].key);
                if (!v || !strstr(v, want[i].value))
                        fail_msg("event %zu: %s is \"%s\", want \"%s\" in %s", want[i].index, want[i].key,
                                 strna(v), want[i].value, json_object_to_json_string(o));
        }

        _cleanup_(json_object_putp) json_object *o = NULL;
        assert_int_equal(cc_event_decode(log.events + 12, &o), 0);
        json_object *order = json_get(o, "boot_order", json_type_array);
        assert_non_null(order);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(order, 0)), "0001");
        json_object_put(TAKE_PTR(o));
        assert_int_equal(cc_event_decode(log.events + 1, &o), 0);
        json_object *tables = json_get(o, "tables", json_type_array);
        assert_int_equal(json_object_array_length(tables), 1);
        assert_string_equal(json_get_string(json_object_array_get_idx(tables, 0), "address"), "0x809000");
}

/* Builds a one-event SHA-384 log: the header of the real log, then an event as given. */
static uint8_t *small_log(uint32_t mr, uint32_t type, uint32_t count, uint16_t alg, uint32_t data_size,
                          size_t *ret_size)
{
        size_t hs, size;
        _cleanup_free_ uint8_t *d = attest_load("tdx/go-tdx-guest/ccel_data.dat", &hs);
        hs = 32 + 33; /* TCG_PCR_EVENT + Spec ID event of one algorithm */
        size = hs + 12 + 2 + 48 + 4 + 4;
        uint8_t *b = calloc(1, size);
        assert_non_null(b);
        memcpy(b, d, hs);
        put32(b + hs, mr);
        put32(b + hs + 4, type);
        put32(b + hs + 8, count);
        put16(b + hs + 12, alg);
        put32(b + hs + 62, data_size);
        memcpy(b + hs + 66, "abcd", 4);
        *ret_size = size;
        return b;
}

static void eventlog_malformed(void **state)
{
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        _cleanup_free_ char *err = NULL;
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];
        size_t size;

        /* The well-formed base case parses. */
        _cleanup_free_ uint8_t *ok = small_log(2, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 4, &size);
        assert_int_equal(cc_event_log_parse(ok, size, &log, &err), 0);
        assert_int_equal(log.n_events, 2);
        assert_int_equal(cc_event_log_replay(&log, rtmr, &err), 0);
        cc_event_log_done(&log);

        static const struct {
                uint32_t mr, type, count;
                uint16_t alg;
                uint32_t data_size;
                size_t cut;
                int error;
                const char *words;
        } cases[] = {
                { 2, EV_EFI_ACTION, 0, TPM_ALG_SHA384, 4, 0, -EBADMSG,
                  "event 1 at offset 0x41: digest count 0" },
                { 2, EV_EFI_ACTION, 2, TPM_ALG_SHA384, 4, 0, -EBADMSG,
                  "digest count 2 (offset 0x49) is not 1..1" },
                { 2, EV_EFI_ACTION, 1, TPM_ALG_SHA256, 4, 0, -EBADMSG, "algorithm 0x000b (offset 0x4d)" },
                { 2, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 5, 0, -EBADMSG,
                  "EventSize 5 (offset 0x7f) runs past" },
                { 2, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 4, 40, -EBADMSG,
                  "sha384 digest at offset 0x4f runs past" },
                { 2, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 4, 64, -EBADMSG,
                  "event 1 at offset 0x41 is truncated" },
                { 2, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 0x2000000, 0, -E2BIG, "over the 16777216-byte cap" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ uint8_t *b = small_log(cases[i].mr, cases[i].type, cases[i].count,
                                                      cases[i].alg, cases[i].data_size, &size);
                size_t n = cases[i].cut ? size - cases[i].cut : size;
                log.n_events = 99;
                assert_int_equal(cc_event_log_parse(b, n, &log, &err), cases[i].error);
                assert_int_equal(log.n_events, 99); /* untouched */
                log.n_events = 0;
                assert_contains(err, cases[i].words);
        }

        /* Replay refuses what cannot be an RTMR. */
        _cleanup_free_ uint8_t *b = small_log(7, EV_EFI_ACTION, 1, TPM_ALG_SHA384, 4, &size);
        assert_int_equal(cc_event_log_parse(b, size, &log, &err), 0);
        assert_int_equal(cc_event_log_replay(&log, rtmr, &err), -EBADMSG);
        assert_contains(err, "event 1 at offset 0x41: MR index 7 is not 1..4");
        cc_event_log_done(&log);

        /* The header. */
        assert_int_equal(cc_event_log_parse(ok, 20, &log, &err), -EBADMSG);
        assert_contains(err, "header record (event 0) truncated");
        ok[4] = 4;
        assert_int_equal(cc_event_log_parse(ok, size, &log, &err), -EBADMSG);
        assert_contains(err, "not EV_NO_ACTION (field EventType, offset 4)");
        ok[4] = 3;
        ok[32 + 14] = '2'; /* "Spec ID Event02": a SHA-1 log */
        assert_int_equal(cc_event_log_parse(ok, size, &log, &err), -EOPNOTSUPP);
        assert_contains(err, "not a crypto-agile");
        ok[32 + 14] = '3';
        put16(ok + 32 + 28, TPM_ALG_SHA256);
        assert_int_equal(cc_event_log_parse(ok, size, &log, &err), -EOPNOTSUPP);
        assert_contains(err, "no SHA-384");
        put16(ok + 32 + 28, TPM_ALG_SHA384);
        put32(ok + 28, 2000);
        assert_int_equal(cc_event_log_parse(ok, size, &log, &err), -EBADMSG);
        assert_contains(err, "EventSize 2000 at offset 28 runs past the end");
        put32(ok + 28, 33);

        /* Over the cap: refused before anything is copied. */
        assert_int_equal(cc_event_log_parse(ok, CC_EVENTLOG_MAX + 1, &log, &err), -E2BIG);
}

static void rtmr_extend_known(void **state)
{
        /* Extending the zero register with the separator's digest: SHA-384(0^48 || digest). */
        uint8_t r[48] = {}, d[48];
        _cleanup_free_ uint8_t *sep = NULL;
        size_t n;
        assert_int_equal(hex_decode("394341b7182cd227c5c6b07ef8000cdfd86136c4292b8e576573ad7ed9ae41019f5818b"
                                    "4b971c9effc60e"
                                    "1ad9f1289f0",
                                    96, &sep, &n),
                         0);
        assert_int_equal(rtmr_extend(r, sep), 0);
        uint8_t buf[96] = {};
        memcpy(buf + 48, sep, 48);
        unsigned len;
        assert_int_equal(EVP_Digest(buf, sizeof(buf), d, &len, EVP_sha384(), NULL), 1);
        assert_memory_equal(r, d, 48);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ccel_table_real),
                cmocka_unit_test(ccel_table_corrupt),
                cmocka_unit_test(eventlog_real_replays_to_quote),
                cmocka_unit_test(eventlog_tampered_digest),
                cmocka_unit_test(eventlog_decode),
                cmocka_unit_test(eventlog_malformed),
                cmocka_unit_test(rtmr_extend_known),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
