/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm collateral fetch FILE: download what verifying a quote or report needs, for offline verification
 * later (`cvm verify --collateral=DIR` / `--certs=DIR`): a TDX quote's Intel collateral from PCS or a PCCS,
 * in the directory form (or a JSON bundle), an SEV-SNP report's VCEK, ASK and ARK from AMD KDS.
 */
#include <getopt.h>
#include <openssl/pem.h>

#include "argv-util.h"
#include "attest/collateral-write.h"
#include "attest/evidence.h"
#include "attest/fetch-cache.h"
#include "fileio.h"
#include "fetch-cli.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

static void help(void)
{
        printf("Usage: cvm collateral fetch [OPTIONS...] FILE -o PATH\n\n"
               "Download the Intel collateral of a TDX quote, or the AMD certificates of an SEV-SNP "
               "report,\n"
               "for 'cvm verify --collateral=PATH' (TDX) or 'cvm verify --certs=PATH' (SNP).\n\n"
               "  --pccs=URL            TDX: Intel PCS (" PCS_INTEL_URL ") or a PCCS\n"
               "  --kds[=URL]           SNP: AMD KDS (default " KDS_AMD_URL ") or a mirror\n"
               "  -o, --output=PATH     TDX: a directory (tcb_info.json, ...), or a JSON bundle when PATH\n"
               "                        ends in .json; SNP: a directory (vcek.der, cert_chain.pem)\n"
               "  --at=RFC3339          Use a cached copy only if it is still valid then (default: now)\n"
               "  --no-cache            Fetch again instead of using the download cache\n"
               "  --snp-product=NAME    SNP: milan, genoa or turin when the report does not tell\n"
               "  -h, --help            Show this help\n\n"
               "Exit status: 0 everything written, 1 the service does not have some of it (HTTP 404),\n"
               "2 error.\n");
}

static bool endswith(const char *s, const char *suffix)
{
        size_t l = strlen(s), n = strlen(suffix);
        return l >= n && streq(s + l - n, suffix);
}

static int fetch_tdx(const TdxQuote *q, const char *url, const char *output, bool use_cache, time_t at)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(strv_freep) char **missing = NULL;
        int r;

        r = cli_fetch_collateral(q, url, use_cache, at, &c, &missing);
        if (r < 0)
                return r;
        if (endswith(output, ".json")) {
                _cleanup_free_ char *text = NULL;
                size_t size;
                r = collateral_to_bundle(&c, &text, &size);
                if (r >= 0)
                        r = write_file_atomic(output, text, size, 0644);
        } else
                r = collateral_write_dir(&c, output);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", output);

        if (endswith(output, ".json"))
                printf("Wrote %s\n", output);
        else
                for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++)
                        if (c.present[p])
                                printf("Wrote %s/%s\n", output, collateral_dir_files[p]);
        STRV_FOREACH (m, missing)
                log_error("Not available: %s", *m);

        time_t next;
        char buf[RFC3339_MAX];
        if (collateral_next_update(&c, &next) == 0)
                printf("Valid until %s (the earliest nextUpdate)\n", rfc3339_format(next, buf));
        return missing && missing[0] ? CVM_EXIT_NEGATIVE : CVM_EXIT_SUCCESS;
}

static int write_certs(const char *dir, const char *name, X509 *const *certs, size_t n, bool der)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        _cleanup_free_ char *path = NULL;
        char *data;

        if (!b || asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if ((der ? i2d_X509_bio(b, certs[i]) : PEM_write_bio_X509(b, certs[i])) != 1)
                        return -ENOMEM;
        long size = BIO_get_mem_data(b, &data);
        if (size < 0)
                return -ENOMEM;
        return write_file_atomic(path, data, (size_t) size, 0644);
}

static int fetch_snp(const SnpReport *s, const char *url, const char *output, bool use_cache, time_t at)
{
        _cleanup_(kds_certs_done) KdsCerts k = {};
        _cleanup_free_ char *why = NULL;
        AmdProduct product = amd_product_from_string(snp_product_to_string(s->product));
        int r;

        r = cli_fetch_kds(s, product, url, use_cache, at, &k, &why);
        if (r == -ENOENT) {
                log_error("Not available: %s", why);
                return CVM_EXIT_NEGATIVE;
        }
        if (r < 0)
                return r;

        X509 *chain[] = { k.ask, k.ark };
        r = mkdir_p(output, 0755);
        if (r >= 0)
                r = write_certs(output, "vcek.der", &k.vcek, 1, true);
        if (r >= 0)
                r = write_certs(output, "cert_chain.pem", chain, ELEMENTSOF(chain), false);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to write into '%s': %m", output);
        printf("Wrote %s/vcek.der\nWrote %s/cert_chain.pem\n", output, output);
        return CVM_EXIT_SUCCESS;
}

int verb_collateral(int argc, char *argv[])
{
        enum {
                ARG_PCCS = 0x100,
                ARG_KDS,
                ARG_AT,
                ARG_NO_CACHE,
                ARG_SNP_PRODUCT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "pccs", required_argument, NULL, ARG_PCCS },
                { "kds", optional_argument, NULL, ARG_KDS },
                { "output", required_argument, NULL, 'o' },
                { "at", required_argument, NULL, ARG_AT },
                { "no-cache", no_argument, NULL, ARG_NO_CACHE },
                { "snp-product", required_argument, NULL, ARG_SNP_PRODUCT },
                {},
        };
        const char *pccs = NULL, *kds = NULL, *output = NULL;
        SnpProduct hint = SNP_PRODUCT_UNKNOWN;
        bool use_cache = true;
        time_t at = time(NULL);
        int c, r;

        while ((c = getopt_long(argc, argv, "ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_PCCS:
                        pccs = optarg;
                        break;
                case ARG_KDS:
                        kds = optarg ?: KDS_AMD_URL;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case ARG_AT:
                        if (rfc3339_parse(optarg, &at) < 0)
                                return usage_error("collateral", "Invalid time '%s' (YYYY-MM-DDTHH:MM:SSZ).",
                                                   optarg);
                        break;
                case ARG_NO_CACHE:
                        use_cache = false;
                        break;
                case ARG_SNP_PRODUCT:
                        hint = snp_product_from_string(optarg);
                        if (hint < 0 || hint == SNP_PRODUCT_UNKNOWN)
                                return usage_error("collateral",
                                                   "Unknown SNP product '%s' (milan, genoa, turin).",
                                                   optarg);
                        break;
                default:
                        return usage_error("collateral", "Invalid option.");
                }
        if ((r = verb_positional("collateral", argc - optind)) != 0)
                return r;
        if (!streq(argv[optind], "fetch"))
                return usage_error("collateral", "Unknown command '%s' (fetch).", argv[optind]);
        const char *path = argv[optind + 1];
        if (!output)
                return usage_error("collateral", "Where to? Pass -o PATH.");
        if (!!pccs == !!kds)
                return usage_error("collateral",
                                   "Pass --pccs=URL for a TDX quote or --kds for an SEV-SNP report.");

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        r = evidence_load(path, hint, &e, NULL);
        if (r < 0)
                return r;

        switch (cvm_evidence_get_kind(e)) {
        case CVM_EVIDENCE_TDX_QUOTE:
                if (!pccs)
                        return usage_error("collateral",
                                           "'%s' is a TDX quote: its collateral comes from --pccs=URL.",
                                           path);
                return fetch_tdx(&e->quote, pccs, output, use_cache, at);
        case CVM_EVIDENCE_SNP_REPORT:
                if (!kds)
                        return usage_error("collateral",
                                           "'%s' is an SEV-SNP report: its certificates come from --kds.",
                                           path);
                return fetch_snp(&e->snp, kds, output, use_cache, at);
        default:
                return log_error_errno(-EOPNOTSUPP,
                                       "'%s' is a TDREPORT: it has no collateral; fetch a quote's.", path);
        }
}
