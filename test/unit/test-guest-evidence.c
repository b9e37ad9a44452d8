/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Guest evidence (guest/tsm-report.h, guest/guest-evidence.h) against fake trees. A thread plays the
 * configfs-tsm provider on an entry whose inblob and outblob are FIFOs: it reads the 64 bytes written to
 * inblob, advances `generation` as the kernel does, then answers on outblob, so the client's reads
 * happen in the kernel's order. Also: a concurrent writer (generation advanced twice) is retried and then
 * refused, an empty outblob, the SEV auxblob, no interface at all ("not a TDX or SEV-SNP guest") and a
 * device node that is not a guest device.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/guest-evidence.h"
#include "guest/tsm-report.h"
#include "test-attest-util.h"
#include "test-util.h"

#define QUOTE "tdx/dcap-qvl/tdx_quote"

typedef struct Provider {
        char *entry;
        unsigned rounds;     /* requests to serve */
        unsigned bad_rounds; /* of which the first ones advance generation by 2 (another writer) */
        bool empty;          /* answer with an empty outblob */
        const uint8_t *answer;
        size_t answer_size;
        uint8_t got[TSM_INBLOB_SIZE];
        size_t got_size;
        unsigned served;
        unsigned long generation;
} Provider;

static void entry_file(const char *entry, const char *name, const char *content)
{
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", entry, name) > 0);
        assert_int_equal(write_full_file(p, content, strlen(content)), 0);
}

static void *provider_main(void *userdata)
{
        Provider *pr = userdata;
        _cleanup_free_ char *in = NULL, *out = NULL, *gen = NULL, *tmp = NULL;
        if (asprintf(&in, "%s/inblob", pr->entry) < 0 || asprintf(&out, "%s/outblob", pr->entry) < 0 ||
            asprintf(&gen, "%s/generation", pr->entry) < 0 ||
            asprintf(&tmp, "%s/.generation", pr->entry) < 0)
                abort();

        for (; pr->served < pr->rounds; pr->served++) {
                int fd = open(in, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        abort();
                pr->got_size = 0;
                for (ssize_t n; (n = read(fd, pr->got + pr->got_size, sizeof(pr->got) - pr->got_size)) > 0;)
                        pr->got_size += (size_t) n;
                close(fd);

                /* The kernel advances generation on the inblob write; another writer advances it again. */
                pr->generation += pr->served < pr->bad_rounds ? 2 : 1;
                char buf[32];
                int l = snprintf(buf, sizeof(buf), "%lu\n", pr->generation);
                if (write_full_file(tmp, buf, (size_t) l) < 0 || rename(tmp, gen) < 0)
                        abort();

                fd = open(out, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        abort();
                if (!pr->empty && write(fd, pr->answer, pr->answer_size) != (ssize_t) pr->answer_size)
                        abort();
                close(fd);
        }
        return NULL;
}

/* root/sys/kernel/config/tsm/report/cvm with FIFOs, generation 41 and the provider's name. */
static char *fake_tsm(const char *provider, char **ret_entry)
{
        char *root = make_tree((const char *const[]){ "/sys/kernel/config/tsm/report/cvm/generation", "41\n",
                                                      "/sys/kernel/config/tsm/report/cvm/provider", provider,
                                                      NULL });
        char *entry;
        assert_true(asprintf(&entry, "%s/sys/kernel/config/tsm/report/cvm", root) > 0);
        _cleanup_free_ char *in = NULL, *out = NULL;
        assert_true(asprintf(&in, "%s/inblob", entry) > 0);
        assert_true(asprintf(&out, "%s/outblob", entry) > 0);
        assert_int_equal(mkfifo(in, 0600), 0);
        assert_int_equal(mkfifo(out, 0600), 0);
        *ret_entry = entry;
        return root;
}

static uint8_t inblob[TSM_INBLOB_SIZE];

static int run(Provider *pr, const char *root, TsmReport *rep, char **detail)
{
        pthread_t t;
        pr->generation = 41;
        assert_int_equal(pthread_create(&t, NULL, provider_main, pr), 0);
        int r = tsm_report_get(root, inblob, -1, rep, detail);
        assert_int_equal(pthread_join(t, NULL), 0);
        return r;
}

static void test_tdx_quote(void **state)
{
        _cleanup_free_ char *entry = NULL;
        _cleanup_(rm_rf_freep) char *root = fake_tsm("tdx_guest\n", &entry);
        size_t n;
        _cleanup_free_ uint8_t *quote = attest_load(QUOTE, &n);
        Provider pr = { .entry = entry, .rounds = 1, .answer = quote, .answer_size = n };
        _cleanup_(tsm_report_done) TsmReport rep = {};
        _cleanup_free_ char *detail = NULL;

        for (size_t i = 0; i < sizeof(inblob); i++)
                inblob[i] = (uint8_t) (0xa0 + i);
        assert_int_equal(run(&pr, root, &rep, &detail), 0);
        assert_int_equal(pr.served, 1);
        assert_int_equal(pr.got_size, 64);
        assert_memory_equal(pr.got, inblob, 64);
        assert_string_equal(rep.provider, "tdx_guest");
        assert_int_equal(rep.outblob_size, n);
        assert_memory_equal(rep.outblob, quote, n);
        assert_null(rep.auxblob);
        assert_int_equal(rep.generation, 42);
        /* The entry existed before: it is left in place. */
        assert_int_equal(access(entry, F_OK), 0);
}

static void test_generation_retry(void **state)
{
        _cleanup_free_ char *entry = NULL;
        _cleanup_(rm_rf_freep) char *root = fake_tsm("tdx_guest\n", &entry);
        static const uint8_t answer[] = "quote";
        Provider pr = { .entry = entry, .rounds = 2, .bad_rounds = 1, .answer = answer, .answer_size = 5 };
        _cleanup_(tsm_report_done) TsmReport rep = {};
        _cleanup_free_ char *detail = NULL;

        /* Another writer once: the second request succeeds. */
        assert_int_equal(run(&pr, root, &rep, &detail), 0);
        assert_int_equal(pr.served, 2);
        assert_int_equal(rep.generation, 41 + 2 + 1);
        assert_memory_equal(rep.outblob, "quote", 5);
}

static void test_generation_busy(void **state)
{
        _cleanup_free_ char *entry = NULL;
        _cleanup_(rm_rf_freep) char *root = fake_tsm("tdx_guest\n", &entry);
        static const uint8_t answer[] = "quote";
        Provider pr = { .entry = entry,
                        .rounds = TSM_REPORT_RETRIES,
                        .bad_rounds = TSM_REPORT_RETRIES,
                        .answer = answer,
                        .answer_size = 5 };
        _cleanup_(tsm_report_done) TsmReport rep = {};
        _cleanup_free_ char *detail = NULL;

        ASSERT_ERROR(run(&pr, root, &rep, &detail), -EBUSY, detail, "generation went from 45 to 47",
                     "expected 46", "another process");
        assert_int_equal(pr.served, TSM_REPORT_RETRIES);
        assert_null(rep.outblob);
}

static void test_empty_outblob(void **state)
{
        _cleanup_free_ char *entry = NULL;
        _cleanup_(rm_rf_freep) char *root = fake_tsm("tdx_guest\n", &entry);
        Provider pr = { .entry = entry, .rounds = 1, .empty = true };
        _cleanup_(tsm_report_done) TsmReport rep = {};
        _cleanup_free_ char *detail = NULL;

        ASSERT_ERROR(run(&pr, root, &rep, &detail), -ENODATA, detail, "outblob is empty");
}

static void test_snp_auxblob(void **state)
{
        _cleanup_free_ char *entry = NULL;
        _cleanup_(rm_rf_freep) char *root = fake_tsm("sev_guest\n", &entry);
        static const uint8_t report[1184] = { 5 };
        Provider pr = { .entry = entry, .rounds = 1, .answer = report, .answer_size = sizeof(report) };
        _cleanup_(guest_evidence_done) GuestEvidence e = {};
        _cleanup_free_ char *detail = NULL;
        pthread_t t;

        entry_file(entry, "auxblob", "CERTIFICATE TABLE");
        entry_file(entry, "privlevel", "");
        pr.generation = 41;
        assert_int_equal(pthread_create(&t, NULL, provider_main, &pr), 0);
        int r = guest_evidence_get(root, inblob, 2, NULL, &e, &detail);
        assert_int_equal(pthread_join(t, NULL), 0);
        if (r < 0)
                fail_msg("%s", strna(detail));
        assert_int_equal(e.kind, GUEST_EVIDENCE_SNP_REPORT);
        assert_string_equal(e.source, "configfs-tsm");
        assert_string_equal(e.provider, "sev_guest");
        assert_int_equal(e.size, sizeof(report));
        assert_int_equal(e.aux_size, 17);
        assert_memory_equal(e.aux, "CERTIFICATE TABLE", 17);

        /* --vmpl went to privlevel before the request. */
        _cleanup_free_ char *p = NULL, *s = NULL;
        assert_true(asprintf(&p, "%s/privlevel", entry) > 0);
        assert_int_equal(read_full_file(p, 64, &s, NULL), 0);
        assert_string_equal(s, "2\n");
}

static void test_not_a_guest(void **state)
{
        _cleanup_(rm_rf_freep) char *root =
                make_tree((const char *const[]){ "/etc/os-release", "ID=debian\n", NULL });
        _cleanup_(guest_evidence_done) GuestEvidence e = {};
        _cleanup_free_ char *detail = NULL;
        TsmReport rep = {};

        assert_int_equal(tsm_report_get(root, inblob, -1, &rep, NULL), -ENOENT);
        ASSERT_ERROR(guest_evidence_get(root, inblob, -1, NULL, &e, &detail), -ENODEV, detail,
                     "not a TDX or SEV-SNP guest", "/sys/kernel/config/tsm/report", "/dev/tdx_guest",
                     "/dev/sev-guest");
}

static void test_not_a_device(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *const[]){ "/dev/tdx_guest", "", NULL });
        _cleanup_(guest_evidence_done) GuestEvidence e = {};
        _cleanup_free_ char *detail = NULL;

        ASSERT_ERROR(guest_evidence_get(root, inblob, -1, NULL, &e, &detail), -ENOTTY, detail,
                     "/dev/tdx_guest is not a TDX guest device");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tdx_quote),       cmocka_unit_test(test_generation_retry),
                cmocka_unit_test(test_generation_busy), cmocka_unit_test(test_empty_outblob),
                cmocka_unit_test(test_snp_auxblob),     cmocka_unit_test(test_not_a_guest),
                cmocka_unit_test(test_not_a_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
