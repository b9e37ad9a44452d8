/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SEV-SNP verification (src/libcvm/attest/snp-verify.c, amd-roots.c) on the real reports, VCEKs and AMD
 * CA certificates of test/data/attest/snp (expected outcomes: shared vectors MANIFEST.md §2): each
 * report verifies with its VCEK and the built-in chain inside the VCEK's validity window; then one
 * corruption per check (a flipped signed byte, the wrong product's roots, a time outside the window, a
 * different REPORTED_TCB, a different CHIP_ID, malformed extensions) with the error and detail it must give.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/amd-roots.h"
#include "attest/snp-verify.h"
#include "test-attest-util.h"

/* Report offsets, SEV-SNP ABI spec Table 23 (reference/attestation.md §c). */
#define OFF_REPORTED_TCB 0x180
#define OFF_CHIP_ID      0x1A0

static void X509_freep_(X509 **p)
{
        X509_free(*p);
}
#define _cleanup_x509_ _cleanup_(X509_freep_)

static time_t utc(int y, int mo, int d)
{
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d };
        return timegm(&tm);
}

static uint64_t get64(const uint8_t *p)
{
        return (uint64_t) get32(p) | (uint64_t) get32(p + 4) << 32;
}

/* The certificate number `index` of a DER file or PEM bundle in attest/snp/. */
static X509 *cert_load(const char *name, int index)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ uint8_t *b = NULL;
        size_t size;
        X509 *x = NULL;

        assert_true(asprintf(&path, "snp/%s", name) > 0);
        b = attest_load(path, &size);
        if (size > 0 && b[0] == 0x30) {
                const unsigned char *p = b;
                assert_int_equal(index, 0);
                x = d2i_X509(NULL, &p, (long) size);
        } else {
                BIO *bio = BIO_new_mem_buf(b, (int) size);
                assert_non_null(bio);
                for (int i = 0; i <= index; i++) {
                        X509_free(x);
                        x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
                        assert_non_null(x);
                }
                BIO_free(bio);
        }
        assert_non_null(x);
        return x;
}

typedef struct Vector {
        const char *report, *vcek;
        int y, m, d; /* a time inside the VCEK's validity */
        uint8_t bl, tee, snp, ucode;
} Vector;

/* MANIFEST.md §2: TCB bl/tee/snp/ucode of each report, equal to its VCEK's SPL extensions. */
static const Vector vectors[] = {
        { "snp/go-sev-guest/attestation.bin", "go-sev-guest/vcek.testcer", 2023, 1, 1, 2, 0, 5, 68 },
        { "snp/virtee-sev/report_milan.hex", "virtee-sev/vcek_milan.der", 2024, 1, 1, 3, 0, 8, 115 },
        { "snp/teekit/sev-gcp.bin", "teekit/sev-gcp-vcek.pem", 2026, 1, 1, 4, 0, 27, 222 },
};

static SnpVerifyInput input(const uint8_t *report, size_t size, X509 *vcek, time_t at)
{
        return (SnpVerifyInput){
                .report = report,
                .report_size = size,
                .product = AMD_PRODUCT_MILAN,
                .vek_type = SNP_VEK_VCEK,
                .reported_tcb = get64(report + OFF_REPORTED_TCB),
                .chip_id = report + OFF_CHIP_ID,
                .vek = vcek,
                .at = at,
        };
}

static void assert_check(const AttestChecks *r, const char *id, int error, const char *word)
{
        const AttestCheck *c = attest_checks_find(r, id);
        assert_non_null(c);
        assert_int_equal(c->error, error);
        assert_int_equal(c->ok, error == 0);
        assert_non_null(c->detail);
        if (word && !strstr(c->detail, word))
                fail_msg("%s: '%s' lacks '%s'", id, c->detail, word);
}

static void snp_verify_real_reports(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                const Vector *v = &vectors[i];
                _cleanup_(attest_checks_done) AttestChecks res = {};
                _cleanup_free_ uint8_t *b = NULL;
                _cleanup_x509_ X509 *vcek = cert_load(v->vcek, 0);
                _cleanup_x509_ X509 *ask = cert_load("go-sev-guest/ask_ark_milan.pem", 0);
                _cleanup_x509_ X509 *ark = cert_load("go-sev-guest/ask_ark_milan.pem", 1);
                SnpVekExt ext;
                size_t size;

                b = attest_load(v->report, &size);
                assert_int_equal(size, SNP_VERIFY_REPORT_SIZE);

                /* The VCEK's TCB as MANIFEST lists it, and REPORTED_TCB in the Milan layout. */
                assert_int_equal(snp_vek_ext_parse(vcek, &ext, NULL), 0);
                assert_string_equal(ext.product_name, "Milan-B0");
                assert_int_equal(ext.struct_version, 0);
                assert_int_equal(ext.bl_spl, v->bl);
                assert_int_equal(ext.tee_spl, v->tee);
                assert_int_equal(ext.snp_spl, v->snp);
                assert_int_equal(ext.ucode_spl, v->ucode);
                assert_false(ext.present & SNP_VEK_EXT_FMC_SPL);
                assert_int_equal(ext.hwid_size, 64);
                assert_memory_equal(ext.hwid, b + OFF_CHIP_ID, 64);

                /* Built-in ASK and ARK. */
                SnpVerifyInput in = input(b, size, vcek, utc(v->y, v->m, v->d));
                assert_int_equal(snp_verify(&in, &res), 0);
                const char *ids[] = { "chain.ark",   "chain.ask",    "chain.vek", "vek.extensions",
                                      "vek.product", "tcb.reported", "hwid",      "signature" };
                assert_int_equal(res.n, ELEMENTSOF(ids));
                for (size_t k = 0; k < ELEMENTSOF(ids); k++)
                        assert_check(&res, ids[k], 0, NULL);
                assert_check(&res, "chain.vek", 0, "SEV-Milan");
                assert_check(&res, "chain.ask", 0, "ARK-Milan");

                /* The same with the chain given, as a cert table or KDS would deliver it. */
                attest_checks_done(&res);
                in.ask = ask;
                in.ark = ark;
                assert_int_equal(snp_verify(&in, &res), 0);
        }
}

static void snp_verify_tamper(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("virtee-sev/vcek_milan.der", 0);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/virtee-sev/report_milan.hex", &size);

        assert_int_equal(snp_report_signature_verify(b, size, vcek, &res), 0);
        /* virtee/sev tests/certs.rs flips byte 21; here every signed byte in turn (MANIFEST.md §2). */
        for (size_t i = 0; i < SNP_VERIFY_SIGNED_SIZE; i++) {
                b[i] ^= 0x01;
                attest_checks_done(&res);
                assert_int_equal(snp_report_signature_verify(b, size, vcek, &res), -EKEYREJECTED);
                assert_check(&res, "signature", -EKEYREJECTED, "does not verify");
                b[i] ^= 0x01;
        }
        /* R and S themselves: a changed low byte, and bits above 384 in the 72-byte fields. */
        b[SNP_VERIFY_SIG_OFFSET] ^= 0x80;
        attest_checks_done(&res);
        assert_int_equal(snp_report_signature_verify(b, size, vcek, &res), -EKEYREJECTED);
        b[SNP_VERIFY_SIG_OFFSET] ^= 0x80;
        b[SNP_VERIFY_SIG_OFFSET + SNP_VERIFY_SIG_COMPONENT + 60] = 1;
        attest_checks_done(&res);
        assert_int_equal(snp_report_signature_verify(b, size, vcek, &res), -EKEYREJECTED);
        assert_check(&res, "signature", -EKEYREJECTED, "384 bits");
        b[SNP_VERIFY_SIG_OFFSET + SNP_VERIFY_SIG_COMPONENT + 60] = 0;

        attest_checks_done(&res);
        assert_int_equal(snp_report_signature_verify(b, SNP_VERIFY_REPORT_SIZE - 1, vcek, &res), -EBADMSG);
        attest_checks_done(&res);
        assert_int_equal(snp_report_signature_verify(b, size, vcek, &res), 0);
}

/* Through the whole of snp_verify() (chain, extensions, TCB, hwID, signature), as `cvm verify` runs it:
 * every signed byte of the v5 GCE report flipped in turn, REPORTED_TCB and CHIP_ID read from the tampered
 * bytes. Each is rejected, always by the signature, whatever else the byte also breaks. */
static void snp_verify_tamper_full(void **state)
{
        _cleanup_x509_ X509 *vcek = cert_load("teekit/sev-gcp-vcek.pem", 0);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/teekit/sev-gcp.bin", &size);
        time_t t = utc(2026, 1, 1);
        SnpVerifyInput in = input(b, size, vcek, t);
        _cleanup_(attest_checks_done) AttestChecks res = {};

        assert_int_equal(snp_verify(&in, &res), 0);
        for (size_t i = 0; i < SNP_VERIFY_SIGNED_SIZE; i++) {
                b[i] ^= 0x01;
                in = input(b, size, vcek, t);
                attest_checks_done(&res);
                int r = snp_verify(&in, &res);
                if (r >= 0)
                        fail_msg("byte 0x%03zx flipped: accepted", i);
                assert_check(&res, "signature", -EKEYREJECTED, "does not verify");
                assert_check(&res, "chain.vek", 0, NULL);
                b[i] ^= 0x01;
        }
        in = input(b, size, vcek, t);
        attest_checks_done(&res);
        assert_int_equal(snp_verify(&in, &res), 0);
}

static void snp_verify_wrong_product(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("go-sev-guest/vcek.testcer", 0);
        _cleanup_x509_ X509 *genoa_ask = cert_load("go-sev-guest/ask_ark_genoa.pem", 0);
        _cleanup_x509_ X509 *genoa_ark = cert_load("go-sev-guest/ask_ark_genoa.pem", 1);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        time_t at = utc(2023, 1, 1);

        /* Genoa's built-in roots: the ARK and ASK are fine, the Milan VCEK is not signed by SEV-Genoa. */
        assert_int_equal(snp_chain_verify(AMD_PRODUCT_GENOA, SNP_VEK_VCEK, NULL, NULL, vcek, at, &res),
                         -EKEYREJECTED);
        assert_check(&res, "chain.ark", 0, "ARK-Genoa");
        assert_check(&res, "chain.ask", 0, "SEV-Genoa");
        assert_check(&res, "chain.vek", -EKEYREJECTED, "SEV-VCEK");

        /* Milan product, but Genoa's ARK and ASK handed in: the ARK is not the trust anchor. */
        attest_checks_done(&res);
        assert_int_equal(
                snp_chain_verify(AMD_PRODUCT_MILAN, SNP_VEK_VCEK, genoa_ark, genoa_ask, vcek, at, &res),
                -EKEYREJECTED);
        assert_check(&res, "chain.ark", -EKEYREJECTED, "not AMD's built-in ARK-Milan");
        assert_check(&res, "chain.ask", -EKEYREJECTED, "SEV-Genoa");

        /* A VCEK checked as a VLEK: the ASVK did not sign it. */
        attest_checks_done(&res);
        assert_int_equal(snp_chain_verify(AMD_PRODUCT_MILAN, SNP_VEK_VLEK, NULL, NULL, vcek, at, &res),
                         -EKEYREJECTED);
        assert_check(&res, "chain.ask", 0, "SEV-VLEK-Milan");
        assert_check(&res, "chain.vek", -EKEYREJECTED, NULL);

        /* The whole verification under Genoa: chain and productName fail, the rest still runs. */
        attest_checks_done(&res);
        SnpVerifyInput in = input(b, size, vcek, at);
        in.product = AMD_PRODUCT_GENOA;
        assert_int_equal(snp_verify(&in, &res), -EKEYREJECTED);
        assert_check(&res, "vek.product", -EKEYREJECTED, "Milan-B0");
        assert_check(&res, "signature", 0, NULL);

        /* A Turin VCEK leaf is neither Milan's nor P-384-less: only its own chain takes it. */
        _cleanup_x509_ X509 *turin = cert_load("virtee-sev/vcek_turin.der", 0);
        attest_checks_done(&res);
        assert_int_equal(
                snp_chain_verify(AMD_PRODUCT_MILAN, SNP_VEK_VCEK, NULL, NULL, turin, utc(2025, 1, 1), &res),
                -EKEYREJECTED);
}

static void snp_verify_validity(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("virtee-sev/vcek_milan.der", 0);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/virtee-sev/report_milan.hex", &size);
        /* vcek_milan.der: 2023-04-03T19:23:43Z..2030-04-03T19:23:43Z. */
        time_t nb = utc(2023, 4, 3) + 19 * 3600 + 23 * 60 + 43,
               na = utc(2030, 4, 3) + 19 * 3600 + 23 * 60 + 43;

        SnpVerifyInput in = input(b, size, vcek, nb);
        assert_int_equal(snp_verify(&in, &res), 0);
        attest_checks_done(&res);
        in.at = na;
        assert_int_equal(snp_verify(&in, &res), 0);

        attest_checks_done(&res);
        in.at = nb - 1;
        assert_int_equal(snp_verify(&in, &res), -EKEYEXPIRED);
        assert_check(&res, "chain.vek", -EKEYEXPIRED, "not yet valid");
        assert_check(&res, "chain.ask", 0, NULL);
        assert_check(&res, "signature", 0, NULL);

        attest_checks_done(&res);
        in.at = na + 1;
        assert_int_equal(snp_verify(&in, &res), -EKEYEXPIRED);
        assert_check(&res, "chain.vek", -EKEYEXPIRED, "valid until 2030-04-03T19:23:43Z");

        /* Beyond the ARK's 2045-10-22 too: every certificate is expired. */
        attest_checks_done(&res);
        in.at = utc(2046, 1, 1);
        assert_int_equal(snp_verify(&in, &res), -EKEYEXPIRED);
        assert_check(&res, "chain.ark", -EKEYEXPIRED, "ARK-Milan");
        assert_check(&res, "chain.ask", -EKEYEXPIRED, "SEV-Milan");
}

static void snp_verify_tcb_mismatch(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("teekit/sev-gcp-vcek.pem", 0);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/teekit/sev-gcp.bin", &size);
        SnpVerifyInput in = input(b, size, vcek, utc(2026, 1, 1));
        /* Milan/Genoa TCB_VERSION: byte 0 BL, 1 TEE, 6 SNP, 7 UCODE (attestation.md §c). */
        static const struct {
                unsigned byte;
                const char *word;
        } cases[] = {
                { 0, "bootloader: reported 5, VEK 4" },
                { 1, "TEE: reported 1, VEK 0" },
                { 6, "SNP: reported 28, VEK 27" },
                { 7, "microcode: reported 223, VEK 222" },
        };
        const uint64_t tcb = in.reported_tcb;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                attest_checks_done(&res);
                in.reported_tcb = tcb + (UINT64_C(1) << (8 * cases[i].byte));
                assert_int_equal(snp_verify(&in, &res), -EKEYREJECTED);
                assert_check(&res, "tcb.reported", -EKEYREJECTED, cases[i].word);
                assert_check(&res, "signature", 0, NULL);
        }
        /* Reserved bytes 2..5 are no component. */
        attest_checks_done(&res);
        in.reported_tcb = tcb | UINT64_C(0xff) << 24;
        assert_int_equal(snp_verify(&in, &res), 0);
        /* In the Turin layout the same u64 means other things: FMC is byte 0 and the VEK has none. */
        attest_checks_done(&res);
        SnpVekExt ext;
        assert_int_equal(snp_vek_ext_parse(vcek, &ext, NULL), 0);
        assert_int_equal(snp_tcb_check(AMD_PRODUCT_TURIN, tcb, &ext, &res), -EKEYREJECTED);
        assert_check(&res, "tcb.reported", -EKEYREJECTED, "FMC: VEK lacks it");
}

static void snp_verify_hwid_mismatch(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("go-sev-guest/vcek.testcer", 0);
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        uint8_t chip[SNP_VERIFY_CHIP_ID_SIZE];
        SnpVerifyInput in = input(b, size, vcek, utc(2023, 1, 1));

        memcpy(chip, b + OFF_CHIP_ID, sizeof(chip));
        in.chip_id = chip;
        chip[63] ^= 0x40;
        assert_int_equal(snp_verify(&in, &res), -EKEYREJECTED);
        assert_check(&res, "hwid", -EKEYREJECTED, "differs from the VCEK hwID");
        assert_check(&res, "signature", 0, NULL);

        /* Masked CHIP_ID: nothing to compare, recorded as such. */
        attest_checks_done(&res);
        in.chip_id = NULL;
        assert_int_equal(snp_verify(&in, &res), 0);
        assert_check(&res, "hwid", 0, "not compared");
}

static void snp_verify_turin_vcek(void **state)
{
        _cleanup_(attest_checks_done) AttestChecks res = {};
        _cleanup_x509_ X509 *vcek = cert_load("virtee-sev/vcek_turin.der", 0);
        _cleanup_x509_ X509 *ask = cert_load("virtee-sev/cert_chain_turin", 0);
        _cleanup_x509_ X509 *ark = cert_load("virtee-sev/cert_chain_turin", 1);
        time_t at = utc(2025, 1, 1);
        SnpVekExt ext;

        assert_int_equal(snp_chain_verify(AMD_PRODUCT_TURIN, SNP_VEK_VCEK, NULL, NULL, vcek, at, &res), 0);
        assert_check(&res, "chain.vek", 0, "SEV-Turin");
        attest_checks_done(&res);
        assert_int_equal(snp_chain_verify(AMD_PRODUCT_TURIN, SNP_VEK_VCEK, ark, ask, vcek, at, &res), 0);

        /* MANIFEST.md §2: structVersion 1, "Turin", fmcSPL 0, ucodeSPL 9, other SPLs 0, 8-byte hwID. */
        assert_int_equal(snp_vek_ext_parse(vcek, &ext, NULL), 0);
        assert_int_equal(ext.struct_version, 1);
        assert_string_equal(ext.product_name, "Turin");
        assert_true(ext.present & SNP_VEK_EXT_FMC_SPL);
        assert_int_equal(ext.fmc_spl, 0);
        assert_int_equal(ext.ucode_spl, 9);
        assert_int_equal(ext.bl_spl + ext.tee_spl + ext.snp_spl, 0);
        assert_int_equal(ext.hwid_size, 8);
        assert_memory_equal(ext.hwid, "\x1e\x55\x0a\x8e\xe5\xcf\x9f\x4d", 8);

        /* Turin TCB_VERSION: FMC byte 0, BL 1, TEE 2, SNP 3, UCODE 7. */
        attest_checks_done(&res);
        assert_int_equal(snp_tcb_check(AMD_PRODUCT_TURIN, UINT64_C(9) << 56, &ext, &res), 0);
        attest_checks_done(&res);
        assert_int_equal(snp_tcb_check(AMD_PRODUCT_TURIN, UINT64_C(9) << 56 | 1, &ext, &res), -EKEYREJECTED);
        assert_check(&res, "tcb.reported", -EKEYREJECTED, "FMC: reported 1, VEK 0");
        attest_checks_done(&res);
        assert_int_equal(snp_tcb_check(AMD_PRODUCT_TURIN, UINT64_C(9) << 56 | UINT64_C(2) << 24, &ext, &res),
                         -EKEYREJECTED);
        assert_check(&res, "tcb.reported", -EKEYREJECTED, "SNP: reported 2, VEK 0");

        /* A Turin CHIP_ID carries the hwID in its first 8 bytes, zeros after. */
        uint8_t chip[SNP_VERIFY_CHIP_ID_SIZE] = { 0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d };
        attest_checks_done(&res);
        assert_int_equal(snp_hwid_check(AMD_PRODUCT_TURIN, chip, &ext, &res), 0);
        chip[7] ^= 1;
        attest_checks_done(&res);
        assert_int_equal(snp_hwid_check(AMD_PRODUCT_TURIN, chip, &ext, &res), -EKEYREJECTED);
        chip[7] ^= 1;
        chip[8] = 1;
        attest_checks_done(&res);
        assert_int_equal(snp_hwid_check(AMD_PRODUCT_TURIN, chip, &ext, &res), -EKEYREJECTED);
        assert_check(&res, "hwid", -EKEYREJECTED, "byte 8");
        /* An 8-byte hwID cannot stand for a Milan CHIP_ID. */
        attest_checks_done(&res);
        assert_int_equal(snp_hwid_check(AMD_PRODUCT_MILAN, chip, &ext, &res), -EKEYREJECTED);
        assert_check(&res, "hwid", -EKEYREJECTED, "8 bytes");
}

static void snp_kds_url(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *b = attest_load("snp/go-sev-guest/attestation.bin", &size);
        _cleanup_free_ char *url = NULL, *hex = attest_hex(b + OFF_CHIP_ID, 64), *want = NULL;

        /* The URL of go-sev-guest's test for this report (MANIFEST.md §2), the hwID in full. */
        assert_int_equal(
                snp_kds_vcek_url(AMD_PRODUCT_MILAN, b + OFF_CHIP_ID, get64(b + OFF_REPORTED_TCB), &url), 0);
        assert_true(strneq(hex, "3ac3fe21", 8));
        assert_true(
                asprintf(&want,
                         "https://kdsintf.amd.com/vcek/v1/Milan/%s?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68",
                         hex) > 0);
        assert_string_equal(url, want);
        url = mfree(url);

        /* Turin: 8 bytes of hwID and fmcSPL first (the Turin VCEK's own values: ucode 9, the rest 0). */
        uint8_t chip[SNP_VERIFY_CHIP_ID_SIZE] = { 0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d };
        assert_int_equal(snp_kds_vcek_url(AMD_PRODUCT_TURIN, chip, UINT64_C(9) << 56 | 0x04030201, &url), 0);
        assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Turin/1e550a8ee5cf9f4d"
                                 "?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=9");
        url = mfree(url);

        memset(chip, 0, sizeof(chip));
        assert_int_equal(snp_kds_vcek_url(AMD_PRODUCT_GENOA, chip, 0, &url), -EINVAL);
        assert_null(url);
}

/* SHA-256 fingerprints as `openssl x509 -fingerprint -sha256` prints them for go-sev-guest's files. */
static void snp_roots_fingerprints(void **state)
{
        static const struct {
                AmdProduct p;
                AmdCaCert c;
                const char *cn, *sha256;
        } roots[] = {
                { AMD_PRODUCT_MILAN, AMD_CA_ARK, "ARK-Milan",
                  "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd" },
                { AMD_PRODUCT_MILAN, AMD_CA_ASK, "SEV-Milan",
                  "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b" },
                { AMD_PRODUCT_MILAN, AMD_CA_ASVK, "SEV-VLEK-Milan",
                  "c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5" },
                { AMD_PRODUCT_GENOA, AMD_CA_ARK, "ARK-Genoa",
                  "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1" },
                { AMD_PRODUCT_GENOA, AMD_CA_ASK, "SEV-Genoa",
                  "5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521" },
                { AMD_PRODUCT_GENOA, AMD_CA_ASVK, "SEV-VLEK-Genoa",
                  "197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372" },
                { AMD_PRODUCT_TURIN, AMD_CA_ARK, "ARK-Turin",
                  "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a" },
                { AMD_PRODUCT_TURIN, AMD_CA_ASK, "SEV-Turin",
                  "5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185" },
                { AMD_PRODUCT_TURIN, AMD_CA_ASVK, "SEV-VLEK-Turin",
                  "104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c" },
        };

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_x509_ X509 *x = NULL;
                unsigned char md[32];
                unsigned n = sizeof(md);
                char cn[64];

                assert_int_equal(amd_root_load(roots[i].p, roots[i].c, &x), 0);
                assert_int_equal(X509_digest(x, EVP_sha256(), md, &n), 1);
                _cleanup_free_ char *h = attest_hex(md, n);
                assert_string_equal(h, roots[i].sha256);
                assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
                                                      sizeof(cn)) > 0);
                assert_string_equal(cn, roots[i].cn);
        }

        /* Every built-in ASK and ASVK verifies under its ARK inside the window, not outside. */
        for (AmdProduct p = 0; p < _AMD_PRODUCT_MAX; p++)
                for (AmdCaCert c = AMD_CA_ASK; c <= AMD_CA_ASVK; c++) {
                        _cleanup_(attest_checks_done) AttestChecks res = {};
                        _cleanup_x509_ X509 *ca = NULL;
                        assert_int_equal(amd_root_load(p, c, &ca), 0);
                        /* The CA as "leaf" passes everything but the EC P-384 key check. */
                        assert_int_equal(snp_chain_verify(p, c == AMD_CA_ASVK ? SNP_VEK_VLEK : SNP_VEK_VCEK,
                                                          NULL, NULL, ca, utc(2030, 1, 1), &res),
                                         -EKEYREJECTED);
                        assert_check(&res, "chain.ark", 0, NULL);
                        assert_check(&res, "chain.ask", 0, NULL);
                        assert_check(&res, "chain.vek", -EKEYREJECTED, "P-384");
                }

        assert_null(amd_root_pem(_AMD_PRODUCT_MAX, AMD_CA_ARK));
        assert_null(amd_root_pem(AMD_PRODUCT_MILAN, _AMD_CA_MAX));
        assert_int_equal(amd_product_from_string("Milan-B0"), AMD_PRODUCT_MILAN);
        assert_int_equal(amd_product_from_string("genoa"), AMD_PRODUCT_GENOA);
        assert_int_equal(amd_product_from_string("Turin"), AMD_PRODUCT_TURIN);
        assert_int_equal(amd_product_from_string("Turino"), -EINVAL);
        assert_int_equal(amd_product_from_string("Bergamo"), -EINVAL);
        assert_string_equal(amd_product_to_string(AMD_PRODUCT_GENOA), "Genoa");
        assert_string_equal(amd_ca_cert_to_string(AMD_CA_ASVK), "ASVK");
}

/* A self-signed P-384 certificate with the given AMD extensions {oid, DER value}: parser edge cases. */
static X509 *synth_vek(const char *const *exts, const size_t *sizes)
{
        EVP_PKEY *key = EVP_EC_gen("P-384");
        X509 *x = X509_new();

        assert_non_null(key);
        assert_non_null(x);
        assert_int_equal(X509_set_version(x, 2), 1);
        assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 0), 1);
        assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
        assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
        assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                                    (const unsigned char *) "SEV-VCEK", -1, -1, 0),
                         1);
        assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(x)), 1);
        assert_int_equal(X509_set_pubkey(x, key), 1);
        for (size_t i = 0; exts[i]; i += 2) {
                ASN1_OBJECT *o = OBJ_txt2obj(exts[i], 1);
                ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
                assert_non_null(o);
                assert_non_null(v);
                assert_int_equal(
                        ASN1_OCTET_STRING_set(v, (const unsigned char *) exts[i + 1], (int) sizes[i / 2]),
                        1);
                X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, v);
                assert_non_null(e);
                assert_int_equal(X509_add_ext(x, e, -1), 1);
                X509_EXTENSION_free(e);
                ASN1_OCTET_STRING_free(v);
                ASN1_OBJECT_free(o);
        }
        assert_true(X509_sign(x, key, EVP_sha384()) > 0);
        EVP_PKEY_free(key);
        return x;
}

#define BL   "1.3.6.1.4.1.3704.1.3.1"
#define NAME "1.3.6.1.4.1.3704.1.2"
#define HWID "1.3.6.1.4.1.3704.1.4"

static void snp_vek_ext_malformed(void **state)
{
        static const uint8_t hwid_wrapped[66] = { 0x04, 0x40, 0xaa, [65] = 0xbb };
        static const struct {
                const char *exts[7];
                size_t sizes[3];
                int error;
                const char *word;
        } cases[] = {
                { { BL, "\x02\x01\x05", NULL }, { 3 }, 0, NULL },
                { { BL, "\x02\x01\x05\x00", NULL }, { 4 }, -EBADMSG, "blSPL" }, /* trailing byte */
                { { BL, "\x02\x02\x01\x2c", NULL }, { 4 }, -EBADMSG, "blSPL" }, /* 300 > 255 */
                { { BL, "\x02\x01\xff", NULL }, { 3 }, -EBADMSG, "blSPL" },     /* -1 */
                { { BL, "\x04\x01\x05", NULL }, { 3 }, -EBADMSG, "blSPL" },     /* not an INTEGER */
                { { BL, "\x02\x05\x05", NULL }, { 3 }, -EBADMSG, "blSPL" },     /* length beyond */
                { { BL, "\x02\x01\x05", BL, "\x02\x01\x05", NULL }, { 3, 3 }, -EBADMSG, "twice" },
                { { NAME, "\x16\x05Milan", NULL }, { 7 }, 0, NULL },
                { { NAME, "\x02\x01\x05", NULL }, { 3 }, -EBADMSG, "productName" },
                { { NAME, "\x16\x02M\n", NULL }, { 4 }, -EBADMSG, "productName" }, /* control character */
                { { HWID, "\x01\x02\x03\x04\x05", NULL }, { 5 }, -EBADMSG, "hwID" },
                { { HWID, (const char *) hwid_wrapped, NULL }, { 66 }, 0, NULL },
                { { "1.3.6.1.4.1.3704.1.3.4", "garbage", NULL }, { 7 }, 0, NULL }, /* spl4: ignored */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_x509_ X509 *x = synth_vek(cases[i].exts, cases[i].sizes);
                _cleanup_free_ char *err = NULL;
                SnpVekExt ext;

                memset(&ext, 0x5a, sizeof(ext));
                int r = snp_vek_ext_parse(x, &ext, &err);
                if (cases[i].error == 0) {
                        assert_int_equal(r, 0);
                        assert_null(err);
                } else {
                        ASSERT_ERROR(r, cases[i].error, err, cases[i].word);
                        assert_int_equal(ext.struct_version, 0x5a); /* untouched on failure */
                }
        }

        /* The wrapped hwID and the parsed values. */
        const char *exts[] = { HWID, (const char *) hwid_wrapped, BL, "\x02\x01\x07", NULL };
        _cleanup_x509_ X509 *x = synth_vek(exts, (const size_t[]){ 66, 3 });
        SnpVekExt ext;
        assert_int_equal(snp_vek_ext_parse(x, &ext, NULL), 0);
        assert_int_equal(ext.present, SNP_VEK_EXT_HWID | SNP_VEK_EXT_BL_SPL);
        assert_int_equal(ext.hwid_size, 64);
        assert_int_equal(ext.hwid[0], 0xaa);
        assert_int_equal(ext.hwid[63], 0xbb);
        assert_int_equal(ext.bl_spl, 7);

        /* DER entry point. */
        _cleanup_free_ char *err = NULL;
        ASSERT_ERROR(snp_vek_ext_parse_der((const uint8_t *) "\x30\x03\x02\x01\x00", 5, &ext, &err),
                     -EBADMSG, err, "DER");
        size_t size;
        _cleanup_free_ uint8_t *der = attest_load("snp/virtee-sev/vcek_turin.der", &size);
        assert_int_equal(snp_vek_ext_parse_der(der, size, &ext, NULL), 0);
        assert_int_equal(ext.ucode_spl, 9);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(snp_roots_fingerprints),
                cmocka_unit_test(snp_verify_real_reports),
                cmocka_unit_test(snp_verify_tamper),
                cmocka_unit_test(snp_verify_tamper_full),
                cmocka_unit_test(snp_verify_wrong_product),
                cmocka_unit_test(snp_verify_validity),
                cmocka_unit_test(snp_verify_tcb_mismatch),
                cmocka_unit_test(snp_verify_hwid_mismatch),
                cmocka_unit_test(snp_verify_turin_vcek),
                cmocka_unit_test(snp_vek_ext_malformed),
                cmocka_unit_test(snp_kds_url),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
