/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <openssl/rand.h>
#include <unistd.h>

#include "fileio.h"
#include "guest/guest-evidence.h"
#include "guest/tdx-getquote.h"
#include "hexbase64.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

static void help(void)
{
        printf("Usage: cvm quote [OPTIONS...]\n\n"
               "Inside a TDX or SEV-SNP guest, get attestation evidence binding 64 bytes of report data:\n"
               "through configfs-tsm (a TDX quote, or an SNP report with the host's certificates), else\n"
               "/dev/tdx_guest (its TDREPORT turned into a quote by the host's QGS over vsock when\n"
               "/etc/tdx-attest.conf names a port, else by the GetQuote ioctl of older TDX kernels; the\n"
               "TDREPORT itself when neither works) or /dev/sev-guest.\n"
               "The evidence goes to standard output (or FILE) as raw bytes; 'cvm verify' checks it.\n\n"
               "  --report-data=HEX  Up to 64 bytes (128 hex digits) to bind, zero-padded (default: zeros)\n"
               "  --nonce            Bind 64 fresh random bytes and print them as \"nonce: HEX\" (on\n"
               "                     standard output with -o, else standard error; --json: report_data)\n"
               "  --vmpl=0|1|2|3     SEV-SNP: the VMPL (configfs-tsm privlevel) to report for\n"
               "  --qgs=unix:PATH|vsock:[CID:]PORT\n"
               "                     TDX: send the TDREPORT to this Quote Generation Service (vsock CID\n"
               "                     default 2, the host; cvm-qgsd listens on vsock port 4050) instead,\n"
               "                     and fail when it gives no quote\n"
               "  -o, --output=FILE  Write the evidence to FILE\n"
               "  --json             Print a JSON document with the evidence in base64 instead\n"
               "  --root=DIR         Use DIR/sys/kernel/config/tsm/report, DIR/dev and\n"
               "                     DIR/etc/tdx-attest.conf (tests)\n"
               "  -h, --help         Show this help\n\n"
               "Exit status: 0 evidence written; 2 error, including \"not a TDX or SEV-SNP guest\".\n");
}

static int parse_report_data(const char *s, uint8_t ret[static 64])
{
        _cleanup_free_ uint8_t *b = NULL;
        size_t n = 0;
        if (strlen(s) > 128 || hex_decode(s, strlen(s), &b, &n) < 0)
                return -EINVAL;
        memset(ret, 0, 64);
        memcpy(ret, b, n);
        return 0;
}

static int json_add_base64(json_object *o, const char *key, const void *p, size_t n)
{
        _cleanup_free_ char *s = NULL;
        if (!p)
                return json_add_string_or_null(o, key, NULL);
        if (base64_encode(p, n, &s) < 0)
                return -ENOMEM;
        return json_add(o, key, json_object_new_string(s));
}

static int print_json(const GuestEvidence *e, const uint8_t report_data[static 64], bool nonce)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        _cleanup_free_ char *hex = NULL;
        if (!o || hex_encode(report_data, 64, &hex) < 0 ||
            json_add(o, "kind", json_object_new_string(guest_evidence_kind_to_string(e->kind))) < 0 ||
            json_add(o, "source", json_object_new_string(e->source)) < 0 ||
            json_add(o, "provider", json_object_new_string(e->provider)) < 0 ||
            json_add(o, "report_data", json_object_new_string(hex)) < 0 ||
            json_add(o, "nonce", json_object_new_boolean(nonce)) < 0 ||
            json_add(o, "size", json_object_new_int64((int64_t) e->size)) < 0 ||
            json_add_string_or_null(o, "no_quote", e->no_quote) < 0 ||
            json_add_base64(o, "evidence", e->data, e->size) < 0 ||
            json_add_base64(o, "aux", e->aux, e->aux_size) < 0)
                return log_oom();
        if (streq(e->source, "configfs-tsm") &&
            json_add(o, "generation", json_object_new_int64((int64_t) e->generation)) < 0)
                return log_oom();
        return output_json(o);
}

static int write_stdout(const void *data, size_t size)
{
        const uint8_t *p = data;
        while (size > 0) {
                ssize_t n = write(STDOUT_FILENO, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to write the evidence to standard output: %m");
                }
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int verb_quote(int argc, char *argv[])
{
        enum {
                ARG_REPORT_DATA = 0x100,
                ARG_NONCE,
                ARG_VMPL,
                ARG_JSON,
                ARG_ROOT,
                ARG_QGS,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "report-data", required_argument, NULL, ARG_REPORT_DATA },
                { "nonce", no_argument, NULL, ARG_NONCE },
                { "vmpl", required_argument, NULL, ARG_VMPL },
                { "output", required_argument, NULL, 'o' },
                { "json", no_argument, NULL, ARG_JSON },
                { "root", required_argument, NULL, ARG_ROOT },
                { "qgs", required_argument, NULL, ARG_QGS },
                {},
        };
        const char *output = NULL, *root = NULL, *report_data_arg = NULL, *qgs = NULL;
        uint8_t report_data[64] = {};
        bool nonce = false, json = false;
        int vmpl = -1, c, r;

        while ((c = getopt_long(argc, argv, "ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_REPORT_DATA:
                        report_data_arg = optarg;
                        if (parse_report_data(optarg, report_data) < 0)
                                return usage_error("quote",
                                                   "--report-data= takes up to 64 bytes as hex (at most 128 "
                                                   "digits, an even number), not '%s'.",
                                                   optarg);
                        break;
                case ARG_NONCE:
                        nonce = true;
                        break;
                case ARG_VMPL:
                        if (!streq(optarg, "0") && !streq(optarg, "1") && !streq(optarg, "2") &&
                            !streq(optarg, "3"))
                                return usage_error("quote", "--vmpl= takes 0, 1, 2 or 3, not '%s'.", optarg);
                        vmpl = optarg[0] - '0';
                        break;
                case 'o':
                        output = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_QGS: {
                        QgsAddress a;
                        if (qgs_address_parse(optarg, &a) < 0)
                                return usage_error("quote", "--qgs= takes %s, not '%s'.",
                                                   "unix:PATH, vsock:PORT or vsock:CID:PORT", optarg);
                        qgs = optarg;
                        break;
                }
                default:
                        return usage_error("quote", "Invalid option.");
                }
        if ((r = verb_positional("quote", argc - optind)) != 0)
                return r;
        if (nonce && report_data_arg)
                return usage_error("quote", "--nonce and --report-data= exclude each other.");
        if (!json && !output && isatty(STDOUT_FILENO))
                return usage_error(
                        "quote", "Refusing to write binary evidence to a terminal: use -o FILE or --json.");

        _cleanup_free_ char *nonce_hex = NULL;
        if (nonce) {
                if (RAND_bytes(report_data, sizeof(report_data)) != 1)
                        return log_error_errno(EIO, "Failed to get 64 random bytes for the nonce.");
                if (hex_encode(report_data, sizeof(report_data), &nonce_hex) < 0)
                        return log_oom();
        }

        _cleanup_(guest_evidence_done) GuestEvidence e = {};
        _cleanup_free_ char *detail = NULL;
        r = guest_evidence_get(root, report_data, vmpl, qgs, &e, &detail);
        if (r == -ENODEV) {
                log_error("%s", strna(detail));
                return CVM_EXIT_ERROR;
        }
        if (r < 0 && qgs)
                return log_error_errno(r, "No quote from --qgs=%s: %s", qgs, detail ?: "%m");
        if (r < 0)
                return log_error_errno(r, "Failed to get evidence: %s", detail ?: "%m");
        if (e.kind == GUEST_EVIDENCE_TDX_REPORT) {
                log_warning("%s gave a TDREPORT, not a quote: %s.", e.source, strna(e.no_quote));
                log_warning("To get a quote, name the host's Quote Generation Service: --qgs=vsock:PORT "
                            "(cvm-qgsd and Intel's QGS listen on vsock port %u) or \"port=%u\" in %s.",
                            TDX_QGS_DEFAULT_PORT, TDX_QGS_DEFAULT_PORT, TDX_ATTEST_CONF);
        }

        if (output) {
                r = write_full_file(output, e.data, e.size);
                if (r < 0)
                        return log_error_errno(r, "Failed to write '%s': %m", output);
        }
        if (json)
                return print_json(&e, report_data, nonce) < 0 ? -EIO : CVM_EXIT_SUCCESS;
        /* The nonce goes where the evidence does not. */
        if (nonce_hex)
                fprintf(output ? stdout : stderr, "nonce: %s\n", nonce_hex);
        if (!output && (r = write_stdout(e.data, e.size)) < 0)
                return r;
        return CVM_EXIT_SUCCESS;
}
