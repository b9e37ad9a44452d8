/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verify-bench DATA_DIR [SECONDS [NAME]]: verifications per second on one core, each as a ratio to
 * OpenSSL's raw ECDSA verify rate measured in the same process (bench/verify.sh runs it; DATA_DIR is
 * test/data/attest; SECONDS of CPU time per figure, default 2). NAME runs that one figure alone, for
 * `perf record`. Rates are per second of this thread's CPU time, the figures interleaved.
 *
 *   raw P-256      EVP_DigestVerify (ECDSA P-256, SHA-256) over 64 bytes, key and signature prepared once
 *   raw P-384      the same with P-384 / SHA-384
 *   tdx warm       quote bytes -> tdx_quote_parse() -> tdx_verifier_verify(), the collateral loaded and
 *                  verified once by tdx_verifier_init() (a verifier serving one platform): dcap-qvl's v4
 *                  quote and its bundle
 *   tdx parsed     quote bytes -> tdx_quote_parse() -> tdx_quote_verify(), the collateral loaded once but
 *                  verified with each quote
 *   tdx cold       the same, loading the collateral bundle from its JSON bytes each time
 *   snp warm       report bytes -> snp_report_parse() -> snp_verify(), the VCEK and the ASK/ARK parsed once:
 *                  teekit's v5 GCE report
 *   snp cold       the same, parsing the VCEK and ASK/ARK PEM each time
 *
 * Each verification must pass (the bench refuses to time a failing path). One line per figure:
 * "name ops/s ratio"; verify.sh checks the target (warm TDX >= 1/3 of raw P-256).
 */
#include <openssl/pem.h>

#include "attest/intel-root.h"
#include "attest/snp-report.h"
#include "attest/snp-verify.h"
#include "attest/tdx-verify.h"
#include "fileio.h"

typedef struct Input {
        char *quote, *bundle, *report, *vcek_pem, *chain_pem;
        size_t quote_size, bundle_size, report_size, vcek_size, chain_size;
        Collateral collateral;
        TdxVerifier verifier;
        X509Stack *intel;
        X509 *vcek, *ask, *ark;
        time_t tdx_at, snp_at;
        EVP_PKEY *p256, *p384;
        uint8_t sig256[80], sig384[112], msg[64];
        size_t sig256_size, sig384_size;
} Input;

static Input in;

static int die(const char *what)
{
        fprintf(stderr, "verify-bench: %s\n", what);
        exit(2);
}

/* This thread's CPU time: other processes on a shared machine do not count against a figure. */
static uint64_t cpu_usec(void)
{
        struct timespec ts;
        (void) clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

typedef struct Figure {
        const char *name;
        int (*f)(void);
        size_t base; /* the raw rate it is a ratio to: an index into the table */
        unsigned long n;
        uint64_t usec;
} Figure;

/* Runs fig->f for about `usec` of CPU time (at least once), adding to its totals. */
static void slice(Figure *fig, uint64_t usec)
{
        uint64_t start = cpu_usec(), t;
        do {
                if (fig->f() < 0)
                        die("a verification failed: the bench times only passing verifications");
                fig->n++;
                t = cpu_usec();
        } while (t - start < usec);
        fig->usec += t - start;
}

static int raw_verify(EVP_PKEY *key, const EVP_MD *md, const uint8_t *sig, size_t sig_size)
{
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        int ok = c && EVP_DigestVerifyInit(c, NULL, md, NULL, key) == 1 &&
                 EVP_DigestVerify(c, sig, sig_size, in.msg, sizeof(in.msg)) == 1;
        EVP_MD_CTX_free(c);
        return ok ? 0 : -EKEYREJECTED;
}

static int raw_p256(void)
{
        return raw_verify(in.p256, EVP_sha256(), in.sig256, in.sig256_size);
}

static int raw_p384(void)
{
        return raw_verify(in.p384, EVP_sha384(), in.sig384, in.sig384_size);
}

/* c == NULL: with the prepared verifier. */
static int tdx_with(const Collateral *c)
{
        TdxQuote q;
        TdxVerifyResult res;
        char *detail = NULL;
        int r = tdx_quote_parse(in.quote, in.quote_size, &q, &detail);
        free(detail);
        if (r < 0)
                return r;
        r = c ? tdx_quote_verify(&q, c, in.intel, in.tdx_at, &res)
              : tdx_verifier_verify(&in.verifier, &q, &res);
        if (r == 0 && (!res.have_tcb_status || res.tcb_status != TCB_STATUS_UP_TO_DATE))
                r = -EKEYREJECTED;
        tdx_verify_result_done(&res);
        tdx_quote_done(&q);
        return r;
}

static int tdx_warm(void)
{
        return tdx_with(NULL);
}

static int tdx_parsed(void)
{
        return tdx_with(&in.collateral);
}

static int tdx_cold(void)
{
        Collateral c;
        char *detail = NULL;
        int r = collateral_load_json(in.bundle, in.bundle_size, &c, &detail);
        free(detail);
        if (r < 0)
                return r;
        r = tdx_with(&c);
        collateral_done(&c);
        return r;
}

static int snp_with(X509 *vcek, X509 *ask, X509 *ark)
{
        SnpReport s;
        AttestChecks res = {};
        char *detail = NULL;
        int r = snp_report_parse(in.report, in.report_size, SNP_PRODUCT_UNKNOWN, &s, &detail);
        free(detail);
        if (r < 0)
                return r;
        SnpVerifyInput v = {
                .report = s.raw,
                .report_size = SNP_REPORT_SIZE,
                .product = AMD_PRODUCT_MILAN,
                .vek_type = SNP_VEK_VCEK,
                .reported_tcb = s.reported_tcb.raw,
                .chip_id = s.chip_id,
                .vek = vcek,
                .ask = ask,
                .ark = ark,
                .at = in.snp_at,
        };
        r = snp_verify(&v, &res);
        attest_checks_done(&res);
        return r;
}

static int snp_warm(void)
{
        return snp_with(in.vcek, in.ask, in.ark);
}

static X509 *pem_cert(const char *pem, size_t size, int index)
{
        BIO *bio = BIO_new_mem_buf(pem, (int) size);
        X509 *x = NULL;
        for (int i = 0; bio && i <= index; i++) {
                X509_free(x);
                x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        }
        BIO_free(bio);
        return x;
}

static int snp_cold(void)
{
        X509 *vcek = pem_cert(in.vcek_pem, in.vcek_size, 0), *ask = pem_cert(in.chain_pem, in.chain_size, 0),
             *ark = pem_cert(in.chain_pem, in.chain_size, 1);
        int r = vcek && ask && ark ? snp_with(vcek, ask, ark) : -EBADMSG;
        X509_free(vcek);
        X509_free(ask);
        X509_free(ark);
        return r;
}

static void load(const char *dir, const char *name, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                die("out of memory");
        if (read_full_file(path, 1024 * 1024, ret, ret_size) < 0) {
                fprintf(stderr, "verify-bench: cannot read %s\n", path);
                exit(2);
        }
}

static void raw_setup(void)
{
        size_t l;
        for (size_t i = 0; i < sizeof(in.msg); i++)
                in.msg[i] = (uint8_t) i;
        in.p256 = EVP_EC_gen("P-256");
        in.p384 = EVP_EC_gen("P-384");
        if (!in.p256 || !in.p384)
                die("EC key generation failed");
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        l = sizeof(in.sig256);
        if (!c || EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, in.p256) != 1 ||
            EVP_DigestSign(c, in.sig256, &l, in.msg, sizeof(in.msg)) != 1)
                die("P-256 signing failed");
        in.sig256_size = l;
        EVP_MD_CTX_free(c);
        c = EVP_MD_CTX_new();
        l = sizeof(in.sig384);
        if (!c || EVP_DigestSignInit(c, NULL, EVP_sha384(), NULL, in.p384) != 1 ||
            EVP_DigestSign(c, in.sig384, &l, in.msg, sizeof(in.msg)) != 1)
                die("P-384 signing failed");
        in.sig384_size = l;
        EVP_MD_CTX_free(c);
}

int main(int argc, char *argv[])
{
        char *detail = NULL;

        if (argc < 2 || argc > 4) {
                fprintf(stderr, "usage: verify-bench DATA_DIR [SECONDS [NAME]]\n");
                return 2;
        }
        const char *dir = argv[1];
        double seconds = argc > 2 ? strtod(argv[2], NULL) : 2.0;
        if (!(seconds > 0))
                die("SECONDS must be positive");

        raw_setup();
        load(dir, "tdx/dcap-qvl/tdx_quote", &in.quote, &in.quote_size);
        load(dir, "tdx/dcap-qvl/tdx_quote_collateral.json", &in.bundle, &in.bundle_size);
        load(dir, "snp/teekit/sev-gcp.bin", &in.report, &in.report_size);
        load(dir, "snp/teekit/sev-gcp-vcek.pem", &in.vcek_pem, &in.vcek_size);
        load(dir, "snp/teekit/sev-gcp-cert-chain.pem", &in.chain_pem, &in.chain_size);
        if (intel_sgx_root_load(&in.intel) < 0 ||
            collateral_load_json(in.bundle, in.bundle_size, &in.collateral, &detail) < 0)
                die("cannot load the TDX collateral");
        in.vcek = pem_cert(in.vcek_pem, in.vcek_size, 0);
        in.ask = pem_cert(in.chain_pem, in.chain_size, 0);
        in.ark = pem_cert(in.chain_pem, in.chain_size, 1);
        if (!in.vcek || !in.ask || !in.ark)
                die("cannot load the SNP certificates");
        /* Inside both vectors' windows (MANIFEST.md). */
        if (rfc3339_parse("2025-07-01T00:00:00Z", &in.tdx_at) < 0 ||
            rfc3339_parse("2026-01-01T00:00:00Z", &in.snp_at) < 0)
                die("bad time");
        if (tdx_verifier_init(&in.verifier, &in.collateral, in.intel, in.tdx_at) < 0)
                die("out of memory");

        /* Interleaved in 50 ms slices, so that a change of clock speed or cache pressure during the run
         * weighs on every figure alike. */
        Figure figures[] = {
                { "raw-p256", raw_p256, 0 },     { "raw-p384", raw_p384, 1 }, { "tdx-warm", tdx_warm, 0 },
                { "tdx-parsed", tdx_parsed, 0 }, { "tdx-cold", tdx_cold, 0 }, { "snp-warm", snp_warm, 1 },
                { "snp-cold", snp_cold, 1 },
        };
        size_t only = SIZE_MAX;
        if (argc > 3) {
                for (size_t i = 0; i < ELEMENTSOF(figures); i++)
                        if (streq(argv[3], figures[i].name))
                                only = i;
                if (only == SIZE_MAX)
                        die("unknown figure name");
        }
        unsigned rounds = (unsigned) (seconds / 0.05) + 1;
        for (unsigned k = 0; k < rounds; k++)
                for (size_t i = 0; i < ELEMENTSOF(figures); i++)
                        if (only == SIZE_MAX || only == i)
                                slice(figures + i, 50000);
        for (size_t i = 0; i < ELEMENTSOF(figures); i++) {
                if (only != SIZE_MAX && only != i)
                        continue;
                double r = (double) figures[i].n * 1e6 / (double) figures[i].usec;
                const Figure *b = figures + figures[i].base;
                if (only != SIZE_MAX)
                        printf("%s %.0f\n", figures[i].name, r);
                else
                        printf("%s %.0f %.3f\n", figures[i].name, r,
                               r / ((double) b->n * 1e6 / (double) b->usec));
        }
        return 0;
}
