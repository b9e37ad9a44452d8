/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SEV-SNP attestation report parsing on the real reports of test/data/attest (values from the shared
 * vectors' MANIFEST.md §2), on reports edited into the versions and CPU generations no public report
 * covers (v3, v4; Genoa, Turin), and on malformed input.
 */
#include "attest/evidence.h"
#include "attest/snp-report.h"
#include "test-attest-util.h"

static SnpReport *parse_ok(const uint8_t *b, size_t size, SnpProduct hint)
{
        SnpReport *s = new0(SnpReport, 1);
        _cleanup_free_ char *err = NULL;

        assert_non_null(s);
        assert_int_equal(snp_report_parse(b, size, hint, s, &err), 0);
        assert_null(err);
        return s;
}

static void assert_tcb(const SnpTcb *t, uint8_t fmc, uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
        assert_int_equal(t->fmc, fmc);
        assert_int_equal(t->bootloader, bl);
        assert_int_equal(t->tee, tee);
        assert_int_equal(t->snp, snp);
        assert_int_equal(t->microcode, ucode);
}

static void snp_go_sev_guest_v2_milan(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        _cleanup_free_ SnpReport *s = parse_ok(b, size, SNP_PRODUCT_UNKNOWN);

        assert_int_equal(size, SNP_REPORT_SIZE);
        assert_int_equal(s->version, 2);
        assert_int_equal(s->trailing, 0);
        assert_int_equal(s->guest_svn, 0);
        assert_int_equal(s->policy, 0xb0000); /* SMT, reserved bit 17, DEBUG */
        assert_true(s->policy & SNP_POLICY_DEBUG);
        assert_int_equal(s->vmpl, 0);
        assert_int_equal(s->signature_algo, SNP_SIG_ALGO_ECDSA_P384_SHA384);
        assert_int_equal(s->platform_info, 0x1);
        assert_int_equal(s->signing_key, SNP_SIGNING_KEY_VCEK);
        assert_false(s->author_key_en);
        assert_false(s->mask_chip_key);
        assert_memory_equal(s->report_data, "\x01\x02\x03\x04\x05\x00\x00\x00", 8);
        /* v2: no CPUID, so the Milan/Genoa layout by version (snp-report.h step 3). */
        assert_false(s->has_cpuid);
        assert_false(s->has_mit_vectors);
        assert_int_equal(s->product, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(s->product_source, SNP_PRODUCT_FROM_VERSION);
        assert_int_equal(s->tcb_layout, SNP_TCB_LAYOUT_MILAN_GENOA);
        assert_tcb(&s->reported_tcb, 0, 2, 0, 5, 68);
        assert_tcb(&s->current_tcb, 0, 2, 0, 5, 68);
        assert_tcb(&s->committed_tcb, 0, 2, 0, 5, 68);
        assert_tcb(&s->launch_tcb, 0, 2, 0, 5, 68);
        assert_int_equal(s->reported_tcb.raw, UINT64_C(0x4405000000000002));
        assert_int_equal(s->current_major, 1);
        assert_int_equal(s->current_minor, 49);
        assert_int_equal(s->current_build, 3);
        assert_int_equal(s->committed_minor, 49);
        /* MANIFEST's KDS URL: /vcek/v1/Milan/3ac3fe21... */
        assert_memory_equal(s->chip_id, "\x3a\xc3\xfe\x21", 4);
        /* The signed region and the signature are the exact bytes. */
        assert_memory_equal(s->raw, b, SNP_REPORT_SIZE);
        assert_memory_equal(s->signature_r, b + 0x2A0, 72);
        assert_memory_equal(s->signature_s, b + 0x2E8, 72);
}

static void snp_virtee_v2_milan(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/virtee-sev/report_milan.hex", &size);
        _cleanup_free_ SnpReport *s = parse_ok(b, size, SNP_PRODUCT_UNKNOWN);

        assert_int_equal(size, SNP_REPORT_SIZE);
        assert_int_equal(s->version, 2);
        assert_int_equal(s->policy, 0x30000);
        assert_int_equal(s->platform_info, 0x1);
        assert_tcb(&s->reported_tcb, 0, 3, 0, 8, 115);
        assert_tcb(&s->committed_tcb, 0, 3, 0, 8, 115);
        assert_int_equal(s->current_minor, 52);
        assert_int_equal(s->current_build, 4);

        /* A hint decides what a v2 report cannot tell. */
        _cleanup_free_ SnpReport *t = parse_ok(b, size, SNP_PRODUCT_TURIN);
        assert_int_equal(t->product, SNP_PRODUCT_TURIN);
        assert_int_equal(t->product_source, SNP_PRODUCT_FROM_HINT);
        assert_int_equal(t->tcb_layout, SNP_TCB_LAYOUT_TURIN);
        assert_tcb(&t->reported_tcb, 3, 0, 0, 0, 115);
        _cleanup_free_ SnpReport *g = parse_ok(b, size, SNP_PRODUCT_GENOA);
        assert_int_equal(g->product, SNP_PRODUCT_GENOA);
        assert_int_equal(g->tcb_layout, SNP_TCB_LAYOUT_MILAN_GENOA);
}

static void snp_gcp_v5_milan(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/teekit/sev-gcp.bin", &size);
        /* CPUID wins over a hint. */
        _cleanup_free_ SnpReport *s = parse_ok(b, size, SNP_PRODUCT_TURIN);

        assert_int_equal(s->version, 5);
        assert_true(s->has_cpuid);
        assert_int_equal(s->cpuid_fam_id, 0x19);
        assert_int_equal(s->cpuid_mod_id, 0x01);
        assert_int_equal(s->cpuid_step, 1);
        assert_int_equal(s->product, SNP_PRODUCT_MILAN);
        assert_int_equal(s->product_source, SNP_PRODUCT_FROM_CPUID);
        assert_int_equal(s->tcb_layout, SNP_TCB_LAYOUT_MILAN_GENOA);
        assert_int_equal(s->policy, 0x30000);
        assert_int_equal(s->platform_info, 0x25); /* SMT_EN, ECC_EN, ALIAS_CHECK_COMPLETE */
        assert_int_equal(s->vmpl, 0);
        assert_tcb(&s->reported_tcb, 0, 4, 0, 27, 222);
        assert_tcb(&s->current_tcb, 0, 4, 0, 27, 222);
        assert_tcb(&s->launch_tcb, 0, 4, 0, 27, 222);
        assert_int_equal(s->current_major, 1);
        assert_int_equal(s->current_minor, 55);
        assert_int_equal(s->current_build, 35);
        assert_true(s->has_mit_vectors);
        assert_int_equal(s->launch_mit_vector, 0xb);
        assert_int_equal(s->current_mit_vector, 0xb);
        static const uint8_t zero[64];
        assert_memory_equal(s->report_data, zero, 64);
}

/* sev-gcp.bin edited: version, CPUID family/model/stepping, REPORTED_TCB bytes. */
static uint8_t *edited(uint32_t version, uint8_t fam, uint8_t mod, uint8_t step, size_t *ret_size)
{
        _cleanup_free_ uint8_t *b = attest_load("snp/teekit/sev-gcp.bin", ret_size);
        put32(b, version);
        b[0x188] = fam;
        b[0x189] = mod;
        b[0x18A] = step;
        return TAKE_PTR(b);
}

static void snp_generations(void **state)
{
        size_t size;

        /* Genoa v3: no mitigation vectors before v5. */
        _cleanup_free_ uint8_t *g = edited(3, 0x19, 0x11, 0x01, &size);
        _cleanup_free_ SnpReport *s = parse_ok(g, size, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(s->product, SNP_PRODUCT_GENOA);
        assert_int_equal(s->product_source, SNP_PRODUCT_FROM_CPUID);
        assert_false(s->has_mit_vectors);
        assert_int_equal(s->launch_mit_vector, 0);
        assert_tcb(&s->reported_tcb, 0, 4, 0, 27, 222);

        /* Bergamo/Siena (Zen 4c) are the Genoa product line. */
        _cleanup_free_ uint8_t *z = edited(4, 0x19, 0xa0, 0x02, &size);
        _cleanup_free_ SnpReport *zs = parse_ok(z, size, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(zs->product, SNP_PRODUCT_GENOA);
        assert_true(zs->has_cpuid);

        /* Turin v3: the other TCB layout (FMC, BL, TEE, SNP in bytes 0-3, microcode in byte 7). */
        _cleanup_free_ uint8_t *t = edited(3, 0x1a, 0x02, 0x01, &size);
        memcpy(t + 0x180, "\x01\x02\x03\x04\x00\x00\x00\x09", 8);
        _cleanup_free_ SnpReport *ts = parse_ok(t, size, SNP_PRODUCT_MILAN);
        assert_int_equal(ts->product, SNP_PRODUCT_TURIN);
        assert_int_equal(ts->tcb_layout, SNP_TCB_LAYOUT_TURIN);
        assert_tcb(&ts->reported_tcb, 1, 2, 3, 4, 9);
        assert_int_equal(ts->reported_tcb.raw, UINT64_C(0x0900000004030201));

        /* A later family: product unknown, but the Turin layout (Zen 5 and later). */
        _cleanup_free_ uint8_t *f = edited(5, 0x1b, 0x00, 0x00, &size);
        _cleanup_free_ SnpReport *fs = parse_ok(f, size, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(fs->product, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(fs->tcb_layout, SNP_TCB_LAYOUT_TURIN);

        /* v3 without CPUID: CHIP_ID with only 8 meaningful bytes is Turin's; a full one is not. */
        _cleanup_free_ uint8_t *c = edited(3, 0, 0, 0, &size);
        _cleanup_free_ SnpReport *cs = parse_ok(c, size, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(cs->product, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(cs->product_source, SNP_PRODUCT_FROM_CHIP_ID);
        assert_int_equal(cs->tcb_layout, SNP_TCB_LAYOUT_MILAN_GENOA);
        memset(c + 0x1A8, 0, 56);
        _cleanup_free_ SnpReport *ct = parse_ok(c, size, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(ct->product, SNP_PRODUCT_TURIN);
        assert_int_equal(ct->product_source, SNP_PRODUCT_FROM_CHIP_ID);
        assert_int_equal(ct->tcb_layout, SNP_TCB_LAYOUT_TURIN);
}

static void expect(const uint8_t *b, size_t size, int error, const char *const *words)
{
        _cleanup_free_ char *err = NULL;
        SnpReport *s = new0(SnpReport, 1);
        assert_non_null(s);
        s->version = 0xdead;

        int r = snp_report_parse(b, size, SNP_PRODUCT_UNKNOWN, s, &err);
        assert_error(r, error, err, words);
        assert_int_equal(s->version, 0xdead);
        assert_int_equal(snp_report_parse(b, size, SNP_PRODUCT_UNKNOWN, s, NULL), error);
        free(s);
}

#define EXPECT(b, size, error, ...) expect((b), (size), (error), (const char *const[]){ __VA_ARGS__, NULL })

static void snp_bad_versions(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);

        static const uint32_t bad[] = { 0, 1, 6, 0x81, 0xffffffff };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char want[32];
                snprintf(want, sizeof(want), "is %" PRIu32 ";", bad[i]);
                put32(b, bad[i]);
                EXPECT(b, size, -EOPNOTSUPP, "SNP report", "VERSION", "u32 at offset 0x0", want, "2-5");
        }
        /* Known versions parse, whatever their reserved bytes hold. */
        for (uint32_t v = 2; v <= 5; v++) {
                put32(b, v);
                b[0x4C] = 0xff;
                b[0x300] = 0xff;
                _cleanup_free_ SnpReport *s = parse_ok(b, size, SNP_PRODUCT_UNKNOWN);
                assert_int_equal(s->version, v);
        }
}

static void snp_truncated_and_trailing(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        _cleanup_free_ uint8_t *big = attest_dup(b, size, size + 16);

        for (size_t n = 0; n < SNP_REPORT_SIZE; n++)
                assert_int_equal(snp_report_parse(b, n, SNP_PRODUCT_UNKNOWN, &(SnpReport){}, NULL),
                                 -EBADMSG);
        EXPECT(b, 0, -EBADMSG, "VERSION", "offset 0x0", "truncated", "0 bytes");
        EXPECT(b, 3, -EBADMSG, "VERSION", "truncated", "3 bytes");
        EXPECT(b, 4, -EBADMSG, "truncated", "4 bytes", "1184 (0x4A0)", "signed part alone");
        EXPECT(b, 0x2A0, -EBADMSG, "truncated", "672 bytes", "SIGNATURE at 0x2A0 is cut");
        EXPECT(b, SNP_REPORT_SIZE - 1, -EBADMSG, "truncated", "1183 bytes");

        _cleanup_free_ SnpReport *s = parse_ok(big, size + 16, SNP_PRODUCT_UNKNOWN);
        assert_int_equal(s->trailing, 16);
        assert_true(s->trailing_all_zero);
        big[size + 3] = 'x';
        _cleanup_free_ SnpReport *t = parse_ok(big, size + 16, SNP_PRODUCT_UNKNOWN);
        assert_false(t->trailing_all_zero);

        _cleanup_free_ uint8_t *huge = attest_dup(b, size, 1024 * 1024 + 1);
        EXPECT(huge, 1024 * 1024 + 1, -E2BIG, "SNP report", "over the cap");
}

static void snp_names(void **state)
{
        assert_string_equal(snp_policy_to_string(16), "SMT");
        assert_string_equal(snp_policy_to_string(18), "MIGRATE_MA");
        assert_string_equal(snp_policy_to_string(19), "DEBUG");
        assert_string_equal(snp_policy_to_string(20), "SINGLE_SOCKET");
        assert_string_equal(snp_policy_to_string(25), "PAGE_SWAP_DISABLE");
        assert_null(snp_policy_to_string(26));
        assert_string_equal(snp_platform_info_to_string(0), "SMT_EN");
        assert_string_equal(snp_platform_info_to_string(4), "CIPHERTEXT_HIDING_EN");
        assert_string_equal(snp_platform_info_to_string(5), "ALIAS_CHECK_COMPLETE");
        assert_null(snp_platform_info_to_string(6));
        assert_string_equal(snp_signing_key_to_string(0), "vcek");
        assert_string_equal(snp_signing_key_to_string(1), "vlek");
        assert_string_equal(snp_signing_key_to_string(7), "none");
        assert_null(snp_signing_key_to_string(3));
        assert_int_equal(snp_product_from_string("turin"), SNP_PRODUCT_TURIN);
        assert_int_equal(snp_product_from_string("Turin"), -EINVAL);
}

static void snp_json(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        b[0x48] = 0x07; /* AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY 1 (VLEK) */
        b[0x40] = 0x41; /* SMT_EN and the unnamed bit 6 */
        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;

        assert_int_equal(evidence_parse(b, size, SNP_PRODUCT_UNKNOWN, &e, NULL), 0);
        assert_int_equal(evidence_to_json(e, &o), 0);
        assert_string_equal(json_get_string(o, "kind"), "snp-report");
        assert_int_equal(json_object_get_int(json_get(o, "version", json_type_int)), 2);
        assert_string_equal(json_get_string(o, "policy"), "0x00000000000b0000");
        json_object *flags = json_get(o, "policy_flags", json_type_array);
        assert_int_equal(json_object_array_length(flags), 3);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, 2)), "DEBUG");
        flags = json_get(o, "platform_info_flags", json_type_array);
        assert_int_equal(json_object_array_length(flags), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(flags, 1)), "bit 6");
        assert_string_equal(json_get_string(o, "signing_key_name"), "vlek");
        assert_true(json_object_get_boolean(json_get(o, "author_key_en", json_type_boolean)));
        assert_true(json_object_get_boolean(json_get(o, "mask_chip_key", json_type_boolean)));
        assert_string_equal(json_get_string(o, "current_version"), "1.49.3");
        assert_null(json_get(o, "product", json_type_string));
        assert_true(json_object_object_get_ex(o, "cpuid_fam_id", NULL));
        assert_null(json_get(o, "cpuid_fam_id", json_type_int));
        json_object *tcb = json_get(o, "reported_tcb", json_type_object);
        assert_int_equal(json_object_get_int(json_get(tcb, "microcode", json_type_int)), 68);
        assert_null(json_get(tcb, "fmc", json_type_int));
        json_object *sig = json_get(o, "signature", json_type_object);
        assert_int_equal(strlen(json_get_string(sig, "r")), 144);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(snp_go_sev_guest_v2_milan),
                cmocka_unit_test(snp_virtee_v2_milan),
                cmocka_unit_test(snp_gcp_v5_milan),
                cmocka_unit_test(snp_generations),
                cmocka_unit_test(snp_bad_versions),
                cmocka_unit_test(snp_truncated_and_trailing),
                cmocka_unit_test(snp_names),
                cmocka_unit_test(snp_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
