/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm verify FILE: appraise a TDX quote (Intel DCAP, reference/attestation.md b.3) or an SEV-SNP
 * attestation report (attestation.md §c) and decide accept or reject under a secure default policy: only
 * an UpToDate TCB, no debug guests, report data as expected when given.
 */
#include <dirent.h>
#include <getopt.h>
#include <sys/stat.h>

#include "argv-util.h"
#include "attest/evidence.h"
#include "attest/intel-root.h"
#include "attest/policy.h"
#include "attest/snp-verify.h"
#include "attest/tdx-verify.h"
#include "fetch-cli.h"
#include "fileio.h"
#include "hexbase64.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

static void help(void)
{
        printf("Usage: cvm verify [OPTIONS...] FILE\n\n"
               "Verify a TDX quote (v4, v5) or an SEV-SNP attestation report and accept or reject it.\n"
               "FILE may hold the raw bytes or their hex or base64 text.\n\n"
               "  --collateral=PATH     TDX: Intel collateral, a JSON bundle or a directory (required)\n"
               "  --pccs=URL            TDX: fetch the collateral from Intel PCS or a PCCS at URL\n"
               "  --root-ca=CERT        TDX: trust this root instead of the built-in Intel SGX Root CA\n"
               "  --certs=PATH          SNP: PEM/DER bundle or directory with the VCEK/VLEK (and ASK, ARK)\n"
               "  --kds[=URL]           SNP: fetch the VCEK, ASK and ARK from AMD KDS (or a mirror at URL)\n"
               "  --no-cache            Fetch again instead of using the download cache\n"
               "  --snp-product=NAME    SNP: milan, genoa or turin when the report does not tell\n"
               "  --at=RFC3339          Check certificates and collateral at this time (default: now)\n"
               "  --policy=FILE         Reference values the evidence must match (cvm-verify-policy(5))\n"
               "  --accept-tcb=LIST     TDX: TCB statuses accepted besides UpToDate (comma-separated;\n"
               "                        replaces the policy's accept_tcb)\n"
               "  --allow-debug         Accept a debug TD or an SNP guest whose policy allows debugging\n"
               "  --report-data=HEX     The report data the evidence must carry (zero-padded to 64 bytes;\n"
               "                        replaces the policy's report_data)\n"
               "  --json                Print the result as one JSON object\n"
               "  -h, --help            Show this help\n\n"
               "Exit status: 0 accepted, 1 rejected, 2 unreadable input or bad usage.\n");
}

typedef struct Outcome {
        json_object *checks; /* array of {id, ok, detail} */
        bool reject;
} Outcome;

static int add_check(Outcome *o, const char *id, bool ok, const char *detail)
{
        json_object *c = json_object_new_object();
        if (!c || json_add(c, "id", json_object_new_string(id)) < 0 ||
            json_add(c, "ok", json_object_new_boolean(ok)) < 0 ||
            json_add_string_or_null(c, "detail", detail) < 0 || json_append(o->checks, c) < 0)
                return log_oom();
        if (!ok)
                o->reject = true;
        return 0;
}

static int add_hex(json_object *o, const char *key, const void *p, size_t n)
{
        _cleanup_free_ char *h = NULL;
        if (hex_encode(p, n, &h) < 0 || json_add(o, key, json_object_new_string(h)) < 0)
                return -ENOMEM;
        return 0;
}

static int add_u64_hex(json_object *o, const char *key, uint64_t v)
{
        uint8_t be[8];
        for (size_t i = 0; i < 8; i++)
                be[i] = (uint8_t) (v >> (56 - 8 * i));
        return add_hex(o, key, be, 8);
}

static int tdx_claims(const TdxQuote *q, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *c = json_object_new_object();
        static const char *const rtmr[] = { "rtmr0", "rtmr1", "rtmr2", "rtmr3" };
        const TdxTdBody *b = &q->body;

        if (!c || add_hex(c, "mrtd", b->mr_td, sizeof(b->mr_td)) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(rtmr); i++)
                if (add_hex(c, rtmr[i], b->rtmr[i], sizeof(b->rtmr[i])) < 0)
                        return -ENOMEM;
        if (add_hex(c, "mrconfigid", b->mr_config_id, sizeof(b->mr_config_id)) < 0 ||
            add_hex(c, "mrowner", b->mr_owner, sizeof(b->mr_owner)) < 0 ||
            add_hex(c, "mrownerconfig", b->mr_owner_config, sizeof(b->mr_owner_config)) < 0 ||
            add_u64_hex(c, "attributes", b->td_attributes) < 0 || add_u64_hex(c, "xfam", b->xfam) < 0 ||
            add_hex(c, "report_data", b->report_data, sizeof(b->report_data)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static int snp_claims(const SnpReport *s, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *c = json_object_new_object();
        if (!c || add_hex(c, "measurement", s->measurement, sizeof(s->measurement)) < 0 ||
            add_u64_hex(c, "policy", s->policy) < 0 ||
            add_hex(c, "host_data", s->host_data, sizeof(s->host_data)) < 0 ||
            add_hex(c, "id_key_digest", s->id_key_digest, sizeof(s->id_key_digest)) < 0 ||
            add_hex(c, "report_data", s->report_data, sizeof(s->report_data)) < 0 ||
            add_hex(c, "chip_id", s->chip_id, sizeof(s->chip_id)) < 0 ||
            add_u64_hex(c, "reported_tcb", s->reported_tcb.raw) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

/* Appends the checks of the library's appraisal (check-list.h) to the outcome. */
static int add_checks(Outcome *o, const AttestChecks *l)
{
        for (size_t i = 0; i < l->n; i++)
                if (add_check(o, l->items[i].id, l->items[i].ok, l->items[i].detail) < 0)
                        return -ENOMEM;
        return 0;
}

/* Reads PATH (a file or every regular file of a directory) into one certificate stack. */
static int load_certs(const char *path, X509Stack **ret)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *all = sk_X509_new_null();
        struct stat st;
        int r;

        if (!all)
                return log_oom();
        if (stat(path, &st) < 0)
                return log_error_errno(-errno, "Failed to access '%s': %m", path);

        _cleanup_(strv_freep) char **files = NULL;
        size_t n_files = 0;
        if (S_ISDIR(st.st_mode)) {
                DIR *d = opendir(path);
                if (!d)
                        return log_error_errno(-errno, "Failed to open '%s': %m", path);
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char **l = reallocarray(files, n_files + 2, sizeof(char *));
                        if (!l) {
                                closedir(d);
                                return log_oom();
                        }
                        files = l;
                        if (asprintf(&files[n_files], "%s/%s", path, de->d_name) < 0) {
                                files[n_files] = NULL;
                                closedir(d);
                                return log_oom();
                        }
                        files[++n_files] = NULL;
                }
                closedir(d);
        } else {
                files = calloc(2, sizeof(char *));
                if (!files || !(files[0] = strdup(path)))
                        return log_oom();
                n_files = 1;
        }

        for (size_t i = 0; i < n_files; i++) {
                _cleanup_free_ char *data = NULL;
                _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
                size_t size;
                if (stat(files[i], &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = read_full_file(files[i], X509_BUNDLE_MAX, &data, &size);
                if (r < 0)
                        return log_error_errno(r, "Failed to read '%s': %m", files[i]);
                r = x509_bundle_load(data, size, &sk);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r, "'%s' holds no PEM or DER certificates.", files[i]);
                while (sk_X509_num(sk) > 0) {
                        X509 *x = sk_X509_shift(sk);
                        if (sk_X509_push(all, x) <= 0) {
                                X509_free(x);
                                return log_oom();
                        }
                }
        }
        if (sk_X509_num(all) == 0)
                return log_error_errno(-ENOENT, "No certificates in '%s'.", path);
        *ret = TAKE_PTR(all);
        return 0;
}

static const char *tcb_status_or_null(const TdxVerifyResult *res)
{
        return res->have_tcb_status ? tcb_status_to_string(res->tcb_status) : NULL;
}

/* --pccs=, --kds[=], --no-cache: where verify_tdx()/verify_snp() fetch what the user did not pass. */
static const char *arg_pccs = NULL, *arg_kds = NULL;
static bool arg_use_cache = true;

static int verify_tdx(const TdxQuote *q, const char *collateral, const char *root_ca, time_t at,
                      const VerifyPolicy *p, Outcome *o, json_object *out)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *anchors = NULL;
        _cleanup_(collateral_done) Collateral c = {};
        bool have_c = false;
        int r;

        if (root_ca) {
                r = load_certs(root_ca, &anchors);
                if (r < 0)
                        return r;
        } else if (intel_sgx_root_load(&anchors) < 0)
                return log_oom();

        if (collateral) {
                _cleanup_free_ char *detail = NULL;
                r = collateral_load(collateral, &c, &detail);
                if (r < 0)
                        return log_error_errno(r, "Failed to load the collateral '%s': %s", collateral,
                                               detail ?: strerror(-r));
                have_c = true;
        } else if (arg_pccs) {
                _cleanup_(strv_freep) char **missing = NULL;
                r = cli_fetch_collateral(q, arg_pccs, arg_use_cache, at, &c, &missing);
                if (r < 0)
                        return r;
                /* What the service does not have (HTTP 404: an FMSPC Intel does not know) is a verdict. */
                STRV_FOREACH (m, missing)
                        if (add_check(o, "collateral.fetch", false, *m) < 0)
                                return log_oom();
                have_c = true;
        }

        _cleanup_(tdx_verify_result_done) TdxVerifyResult res = {};
        r = tdx_quote_verify(q, have_c ? &c : NULL, anchors, at, &res);
        if (r == -ENOMEM)
                return log_oom();
        if (verify_policy_evaluate_tdx(p, q, res.have_tcb_status ? &res.tcb_status : NULL, &res.checks) <
                    0 ||
            add_checks(o, &res.checks) < 0)
                return log_oom();

        json_object *adv = json_object_new_array();
        if (!adv || json_add(out, "advisories", adv) < 0)
                return log_oom();
        for (size_t i = 0; i < res.n_advisory_ids; i++)
                if (json_append(adv, json_object_new_string(res.advisory_ids[i])) < 0)
                        return log_oom();
        if (json_add_string_or_null(out, "tcb_status", tcb_status_or_null(&res)) < 0)
                return log_oom();
        return 0;
}

static AmdProduct amd_product_of(SnpProduct p)
{
        switch (p) {
        case SNP_PRODUCT_MILAN:
                return AMD_PRODUCT_MILAN;
        case SNP_PRODUCT_GENOA:
                return AMD_PRODUCT_GENOA;
        case SNP_PRODUCT_TURIN:
                return AMD_PRODUCT_TURIN;
        default:
                return _AMD_PRODUCT_INVALID;
        }
}

static bool is_self_signed(X509 *x)
{
        return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

static int verify_snp(const SnpReport *s, const char *certs, time_t at, const VerifyPolicy *p, Outcome *o,
                      json_object *out)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *sk = NULL;
        _cleanup_(attest_checks_done) AttestChecks res = {};
        X509 *vek = NULL, *ask = NULL, *ark = NULL;
        int r;

        if (!certs && !arg_kds) {
                if (add_check(o, "certificates", false,
                              "no VCEK/VLEK: pass it with --certs, or fetch it with --kds") < 0)
                        return log_oom();
        } else if (certs) {
                r = load_certs(certs, &sk);
                if (r < 0)
                        return r;
        } else {
                _cleanup_(kds_certs_done) KdsCerts k = {};
                _cleanup_free_ char *why = NULL;
                r = cli_fetch_kds(s, amd_product_of(s->product), arg_kds, arg_use_cache, at, &k, &why);
                if (r == -ENOENT) {
                        if (add_check(o, "certificates", false, why) < 0)
                                return log_oom();
                } else if (r < 0)
                        return r;
                else if (kds_certs_to_stack(&k, &sk) < 0)
                        return log_oom();
        }
        /* The VEK has an EC (P-384) key, ASK/ASVK and ARK RSA keys; the ARK signs itself. */
        for (int i = 0; sk && i < sk_X509_num(sk); i++) {
                X509 *x = sk_X509_value(sk, i);
                if (EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_EC)
                        vek = vek ?: x;
                else if (is_self_signed(x))
                        ark = ark ?: x;
                else
                        ask = ask ?: x;
        }

        AmdProduct product = amd_product_of(s->product);
        if (product < 0 && vek) {
                SnpVekExt ext;
                if (snp_vek_ext_parse(vek, &ext, NULL) == 0 && (ext.present & SNP_VEK_EXT_PRODUCT_NAME))
                        product = amd_product_from_string(ext.product_name);
        }
        if (certs && !vek) {
                if (add_check(o, "certificates", false, "no VCEK/VLEK (an EC certificate) among --certs") <
                    0)
                        return log_oom();
        } else if (vek && product < 0) {
                if (add_check(o, "product", false,
                              "the report and the VEK do not name the product: pass --snp-product") < 0)
                        return log_oom();
        } else if (vek) {
                SnpVerifyInput in = {
                        .report = s->raw,
                        .report_size = SNP_REPORT_SIZE,
                        .product = product,
                        .vek_type = s->signing_key == SNP_SIGNING_KEY_VLEK ? SNP_VEK_VLEK : SNP_VEK_VCEK,
                        .reported_tcb = s->reported_tcb.raw,
                        .chip_id = s->mask_chip_key || s->signing_key == SNP_SIGNING_KEY_VLEK ? NULL
                                                                                              : s->chip_id,
                        .vek = vek,
                        .ask = ask,
                        .ark = ark,
                        .at = at,
                };
                r = snp_verify(&in, &res);
                if (r == -ENOMEM)
                        return log_oom();
        }

        if (verify_policy_evaluate_snp(p, s, &res) < 0 || add_checks(o, &res) < 0)
                return log_oom();
        /* SEV-SNP has no TCB status: REPORTED_TCB is matched against the VEK ("tcb.reported"). */
        if (json_add(out, "advisories", json_object_new_array()) < 0 ||
            json_add_string_or_null(out, "tcb_status", NULL) < 0)
                return log_oom();
        return 0;
}

static int parse_accept_tcb(const char *s, bool accept[static _TCB_STATUS_MAX])
{
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        if (!copy)
                return log_oom();
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                TcbStatus st = tcb_status_from_string(t);
                if (st < 0)
                        return usage_error("verify", "Unknown TCB status '%s'.", t);
                /* A revoked TCB or one Intel does not know is never an acceptable platform. */
                if (st == TCB_STATUS_REVOKED || st == TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED)
                        return usage_error("verify", "TCB status '%s' cannot be accepted.", t);
                accept[st] = true;
        }
        return 0;
}

static void print_text(json_object *out)
{
        json_object *checks = json_get(out, "checks", json_type_array);
        json_object *adv = json_get(out, "advisories", json_type_array);
        const char *tcb = json_get_string(out, "tcb_status");

        printf("Verdict: %s\n", json_get_string(out, "verdict"));
        printf("TCB status: %s\n", tcb ?: "n/a");
        printf("Advisories:");
        size_t n = adv ? json_object_array_length(adv) : 0;
        for (size_t i = 0; i < n; i++)
                printf("%s%s", i ? ", " : " ", json_object_get_string(json_object_array_get_idx(adv, i)));
        printf("%s\n", n ? "" : " none");

        n = checks ? json_object_array_length(checks) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *c = json_object_array_get_idx(checks, i);
                json_object *ok = json_get(c, "ok", json_type_boolean);
                if (ok && json_object_get_boolean(ok))
                        continue;
                printf("Failed: %s: %s\n", json_get_string(c, "id"), strna(json_get_string(c, "detail")));
        }
}

int verb_verify(int argc, char *argv[])
{
        enum {
                ARG_JSON = 0x100,
                ARG_COLLATERAL,
                ARG_ROOT_CA,
                ARG_CERTS,
                ARG_SNP_PRODUCT,
                ARG_AT,
                ARG_ACCEPT_TCB,
                ARG_ALLOW_DEBUG,
                ARG_REPORT_DATA,
                ARG_POLICY,
                ARG_PCCS,
                ARG_KDS,
                ARG_NO_CACHE,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "collateral", required_argument, NULL, ARG_COLLATERAL },
                { "root-ca", required_argument, NULL, ARG_ROOT_CA },
                { "certs", required_argument, NULL, ARG_CERTS },
                { "snp-product", required_argument, NULL, ARG_SNP_PRODUCT },
                { "at", required_argument, NULL, ARG_AT },
                { "accept-tcb", required_argument, NULL, ARG_ACCEPT_TCB },
                { "allow-debug", no_argument, NULL, ARG_ALLOW_DEBUG },
                { "report-data", required_argument, NULL, ARG_REPORT_DATA },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "pccs", required_argument, NULL, ARG_PCCS },
                { "kds", optional_argument, NULL, ARG_KDS },
                { "no-cache", no_argument, NULL, ARG_NO_CACHE },
                {},
        };
        const char *collateral = NULL, *root_ca = NULL, *certs = NULL;
        SnpProduct hint = SNP_PRODUCT_UNKNOWN;
        /* Command-line policy settings, applied over --policy's (cvm(1) documents the precedence). */
        const char *policy_file = NULL;
        bool accept_tcb_given = false, accept_tcb[_TCB_STATUS_MAX] = { [TCB_STATUS_UP_TO_DATE] = true };
        bool allow_debug = false;
        PolicyReportData report_data = {};
        time_t at = time(NULL);
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_COLLATERAL:
                        collateral = optarg;
                        break;
                case ARG_ROOT_CA:
                        root_ca = optarg;
                        break;
                case ARG_CERTS:
                        certs = optarg;
                        break;
                case ARG_SNP_PRODUCT:
                        hint = snp_product_from_string(optarg);
                        if (hint < 0 || hint == SNP_PRODUCT_UNKNOWN)
                                return usage_error(
                                        "verify", "Unknown SNP product '%s' (milan, genoa, turin).", optarg);
                        break;
                case ARG_AT:
                        if (rfc3339_parse(optarg, &at) < 0)
                                return usage_error("verify", "Invalid time '%s' (YYYY-MM-DDTHH:MM:SSZ).",
                                                   optarg);
                        break;
                case ARG_ACCEPT_TCB:
                        accept_tcb_given = true;
                        r = parse_accept_tcb(optarg, accept_tcb);
                        if (r != 0)
                                return r;
                        break;
                case ARG_ALLOW_DEBUG:
                        allow_debug = true;
                        break;
                case ARG_REPORT_DATA:
                        if (policy_report_data_parse(optarg, report_data.data) < 0)
                                return usage_error("verify", "--report-data needs 1 to 64 bytes in hex.");
                        report_data.set = true;
                        break;
                case ARG_POLICY:
                        policy_file = optarg;
                        break;
                case ARG_PCCS:
                        arg_pccs = optarg;
                        break;
                case ARG_KDS:
                        arg_kds = optarg ?: KDS_AMD_URL;
                        break;
                case ARG_NO_CACHE:
                        arg_use_cache = false;
                        break;
                default:
                        return usage_error("verify", "Invalid option.");
                }
        if ((r = verb_positional("verify", argc - optind)) != 0)
                return r;
        const char *path = argv[optind];
        if (collateral && arg_pccs)
                return usage_error("verify", "--collateral= and --pccs= are alternatives: pass one.");
        if (certs && arg_kds)
                return usage_error("verify", "--certs= and --kds are alternatives: pass one.");

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        r = evidence_load(path, hint, &e, NULL);
        if (r < 0)
                return r;

        _cleanup_(verify_policy_done) VerifyPolicy policy;
        verify_policy_init(&policy);
        if (policy_file) {
                _cleanup_free_ char *detail = NULL;
                r = verify_policy_load(policy_file, &policy, &detail);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r, "Failed to load the policy '%s': %s", policy_file,
                                               detail ?: strerror(-r));
        }
        if (accept_tcb_given)
                memcpy(policy.tdx.accept_tcb, accept_tcb, sizeof(accept_tcb));
        if (allow_debug)
                policy.tdx.allow_debug = policy.snp.allow_debug = true;
        if (report_data.set)
                policy.tdx.report_data = policy.snp.report_data = report_data;

        _cleanup_(json_object_putp) json_object *out = json_object_new_object();
        _cleanup_(json_object_putp) json_object *checks = json_object_new_array(), *claims = NULL;
        Outcome o = { .checks = checks };
        if (!out || !checks)
                return log_oom();

        /* An option for the other TEE is a mistake worth saying, not something to ignore silently. */
        cvm_evidence_kind kind = cvm_evidence_get_kind(e);
        if (kind == CVM_EVIDENCE_TDX_QUOTE && (certs || arg_kds || hint != SNP_PRODUCT_UNKNOWN))
                return usage_error("verify",
                                   "--certs=, --kds and --snp-product= apply to SEV-SNP reports; '%s' is a "
                                   "TDX quote.",
                                   path);
        if (kind == CVM_EVIDENCE_SNP_REPORT && (collateral || arg_pccs || root_ca || accept_tcb_given))
                return usage_error("verify",
                                   "--collateral=, --pccs=, --root-ca= and --accept-tcb= apply to TDX "
                                   "quotes; '%s' is an SEV-SNP report.",
                                   path);

        /* A policy written for the other TEE would constrain nothing here: refuse rather than accept. */
        if ((kind == CVM_EVIDENCE_TDX_QUOTE && !policy.has_tdx) ||
            (kind == CVM_EVIDENCE_SNP_REPORT && !policy.has_snp))
                return log_error_errno(-EMEDIUMTYPE, "The policy '%s' has no \"%s\" section; '%s' is %s.",
                                       policy_file, kind == CVM_EVIDENCE_TDX_QUOTE ? "tdx" : "snp", path,
                                       kind == CVM_EVIDENCE_TDX_QUOTE ? "a TDX quote" : "an SEV-SNP report");

        switch (kind) {
        case CVM_EVIDENCE_TDX_QUOTE:
                if (json_add(out, "tee", json_object_new_string("tdx")) < 0 ||
                    json_add(out, "version", json_object_new_int(e->quote.version)) < 0)
                        return log_oom();
                r = verify_tdx(&e->quote, collateral, root_ca, at, &policy, &o, out);
                if (r >= 0)
                        r = tdx_claims(&e->quote, &claims) < 0 ? log_oom() : 0;
                break;
        case CVM_EVIDENCE_SNP_REPORT:
                if (json_add(out, "tee", json_object_new_string("snp")) < 0 ||
                    json_add(out, "version", json_object_new_int((int32_t) e->snp.version)) < 0)
                        return log_oom();
                r = verify_snp(&e->snp, certs, at, &policy, &o, out);
                if (r >= 0)
                        r = snp_claims(&e->snp, &claims) < 0 ? log_oom() : 0;
                break;
        default:
                return log_error_errno(-EOPNOTSUPP,
                                       "'%s' is a TDREPORT: only the TDX module can check its MAC; verify a "
                                       "quote of it.",
                                       path);
        }
        if (r < 0)
                return r;
        if (json_add(out, "verdict", json_object_new_string(o.reject ? "reject" : "accept")) < 0 ||
            json_add(out, "checks", json_object_get(checks)) < 0 ||
            json_add(out, "claims", json_object_get(claims)) < 0)
                return log_oom();

        if (json) {
                if (output_json(out) < 0)
                        return CVM_EXIT_ERROR;
        } else
                print_text(out);
        return o.reject ? CVM_EXIT_NEGATIVE : CVM_EXIT_SUCCESS;
}
