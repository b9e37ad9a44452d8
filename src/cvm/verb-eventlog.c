/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm eventlog: read a TDX guest's CCEL table and CC event log (by default the guest's own, from
 * /sys/firmware/acpi/tables), print every event decoded, replay the log into RTMR0..3 and, with --quote,
 * compare the replay with a quote's (or TDREPORT's) RTMRs, naming the first register that differs.
 */
#include <getopt.h>
#include <inttypes.h>

#include "attest/evidence.h"
#include "fileio.h"
#include "hexbase64.h"
#include "log.h"
#include "measure/eventlog.h"
#include "output.h"
#include "verbs.h"

#define SYSFS_CCEL      "/sys/firmware/acpi/tables/CCEL"
#define SYSFS_CCEL_DATA "/sys/firmware/acpi/tables/data/CCEL"
#define TEXT_HEX_MAX    64U /* longer hex data is shortened in text output; --json has it all */

static void help(void)
{
        printf("Usage: cvm eventlog [OPTIONS...]\n\n"
               "Parse the CCEL ACPI table and the TCG2 crypto-agile event log of a TDX guest, print every\n"
               "event (register, type, digest, decoded data), replay the log into RTMR0..3 and compare the\n"
               "result with a quote. Without --log, the guest's own table and log are read from\n" SYSFS_CCEL
               " and\n" SYSFS_CCEL_DATA " (below --root).\n\n"
               "  --ccel=FILE     The CCEL ACPI table (optional with --log)\n"
               "  --log=FILE      The event log area (the table's LAML bytes at LASA)\n"
               "  --root=DIR      Read the default paths below DIR instead of /\n"
               "  --quote=FILE    A TDX quote or TDREPORT (raw, hex or base64): compare its RTMRs\n"
               "  --json          Print everything as one JSON object\n"
               "  -h, --help      Show this help\n\n"
               "Exit status: 0 parsed (and, with --quote, all four RTMRs match), 1 a replayed RTMR differs\n"
               "from the quote's (the first one is named), 2 unreadable or malformed input (the error "
               "names\n"
               "the event, the field and its offset).\n");
}

static const char *register_name(uint32_t mr_index)
{
        static const char *const names[] = { "MRTD", "RTMR0", "RTMR1", "RTMR2", "RTMR3" };
        return mr_index < ELEMENTSOF(names) ? names[mr_index] : NULL;
}

static json_object *hex_new(const uint8_t *p, size_t n)
{
        _cleanup_free_ char *h = NULL;
        if (hex_encode(p, n, &h) < 0)
                return NULL;
        return json_object_new_string(h);
}

static int event_to_json(const CcEvent *ev, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object(), *digests = NULL, *data = NULL;
        char type[16];
        int r;

        if (!o)
                return -ENOMEM;
        snprintf(type, sizeof(type), "0x%08" PRIx32, ev->type);
        if ((r = json_add(o, "index", json_object_new_int64((int64_t) ev->index))) < 0 ||
            (r = json_add(o, "offset", json_object_new_int64((int64_t) ev->offset))) < 0 ||
            (r = json_add(o, "mr_index", json_object_new_int64(ev->mr_index))) < 0 ||
            (r = json_add_string_or_null(o, "register",
                                         ev->index > 0 ? register_name(ev->mr_index) : NULL)) < 0 ||
            (r = json_add(o, "type", json_object_new_string(type))) < 0 ||
            (r = json_add_string_or_null(o, "type_name", cc_event_type_to_string(ev->type))) < 0)
                return r;
        digests = json_object_new_object();
        if (!digests)
                return -ENOMEM;
        for (size_t i = 0; i < ev->n_digests; i++) {
                char alg[16];
                const char *name = tpm_alg_to_string(ev->digests[i].alg);
                if (!name)
                        snprintf(alg, sizeof(alg), "0x%04x", ev->digests[i].alg);
                if ((r = json_add(digests, name ?: alg,
                                  hex_new(ev->digests[i].bytes, ev->digests[i].size))) < 0)
                        return r;
        }
        if ((r = json_add(o, "digests", TAKE_PTR(digests))) < 0 ||
            (r = json_add(o, "data_size", json_object_new_int64(ev->data_size))) < 0)
                return r;
        if ((r = cc_event_decode(ev, &data)) < 0 || (r = json_add(o, "data", TAKE_PTR(data))) < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static void print_data_member(const char *key, json_object *v)
{
        printf("      %s: ", key);
        if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        if (json_object_is_type(e, json_type_object))
                                printf("%s%s at %s", i ? ", " : "", strna(json_get_string(e, "guid")),
                                       strna(json_get_string(e, "address")));
                        else
                                printf("%s%s", i ? ", " : "", json_object_get_string(e));
                }
                putchar('\n');
                return;
        }
        const char *s = json_object_get_string(v);
        size_t l = strlen(s);
        bool hex = l > 0 && s[strspn(s, "0123456789abcdef")] == 0;
        if (hex && l > TEXT_HEX_MAX)
                printf("%.*s... (%zu bytes)\n", (int) TEXT_HEX_MAX, s, l / 2);
        else if (strchr(s, '\n'))
                printf("\"%.*s...\" (%zu characters, more with --json)\n", (int) strcspn(s, "\n"), s, l);
        else
                printf("%s\n", s);
}

static void print_event(json_object *e)
{
        json_object *digests = json_get(e, "digests", json_type_object),
                    *data = json_get(e, "data", json_type_object);
        const char *reg = json_get_string(e, "register");
        const char *name = json_get_string(e, "type_name");

        printf("  [%d] %-6s %s (offset 0x%" PRIx64 ", %d bytes of data)\n",
               json_object_get_int(json_get(e, "index", json_type_int)), reg ?: "-",
               name ?: json_get_string(e, "type"),
               (uint64_t) json_object_get_int64(json_get(e, "offset", json_type_int)),
               json_object_get_int(json_get(e, "data_size", json_type_int)));
        json_object_object_foreach (digests, alg, d)
                printf("      %s %s\n", alg, json_object_get_string(d));
        json_object_object_foreach (data, key, v)
                print_data_member(key, v);
}

static int read_input(const char *root, const char *path, bool at_root, char **ret, size_t *ret_size)
{
        int r = at_root ? read_full_file_at_root(root, path, CC_EVENTLOG_MAX, ret, ret_size)
                        : read_full_file(path, CC_EVENTLOG_MAX, ret, ret_size);
        if (r == -ENOENT && at_root)
                return log_error_errno(
                        r, "No '%s': not a TDX guest with a CC event log (or give --log=FILE): %m", path);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        return 0;
}

int verb_eventlog(int argc, char *argv[])
{
        enum {
                ARG_CCEL = 0x100,
                ARG_LOG,
                ARG_ROOT,
                ARG_QUOTE,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "ccel", required_argument, NULL, ARG_CCEL },
                { "log", required_argument, NULL, ARG_LOG },
                { "root", required_argument, NULL, ARG_ROOT },
                { "quote", required_argument, NULL, ARG_QUOTE },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        const char *ccel_path = NULL, *log_path = NULL, *root = NULL, *quote_path = NULL;
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_CCEL:
                        ccel_path = optarg;
                        break;
                case ARG_LOG:
                        log_path = optarg;
                        break;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_QUOTE:
                        quote_path = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        return usage_error("eventlog", "Invalid option.");
                }
        if ((r = verb_positional("eventlog", argc - optind)) != 0)
                return r;
        if (ccel_path && !log_path)
                return usage_error("eventlog",
                                   "--ccel=FILE needs --log=FILE (the log the table describes).");
        if (root && log_path)
                return usage_error("eventlog",
                                   "--root=DIR applies to the default paths only, not to --log.");

        bool at_root = !log_path;
        if (at_root) {
                ccel_path = SYSFS_CCEL;
                log_path = SYSFS_CCEL_DATA;
        }

        /* The table (optional with --log). */
        _cleanup_(json_object_putp) json_object *out = json_object_new_object();
        _cleanup_free_ char *table = NULL, *data = NULL, *err = NULL;
        CcelTable ccel = {};
        size_t size;
        if (!out)
                return log_oom();
        if (ccel_path) {
                if ((r = read_input(root, ccel_path, at_root, &table, &size)) < 0)
                        return r;
                r = ccel_table_parse(table, size, &ccel, &err);
                if (r < 0)
                        return log_error_errno(r, "'%s': %s", ccel_path, strna(err));
                _cleanup_(json_object_putp) json_object *t = json_object_new_object();
                if (!t || json_add_string_or_null(t, "cc_type", ccel_cc_type_to_string(ccel.cc_type)) < 0 ||
                    json_add(t, "cc_subtype", json_object_new_int(ccel.cc_subtype)) < 0 ||
                    json_add(t, "oem_id", json_object_new_string(ccel.oem_id)) < 0 ||
                    json_add(t, "oem_table_id", json_object_new_string(ccel.oem_table_id)) < 0 ||
                    json_add(t, "revision", json_object_new_int(ccel.revision)) < 0 ||
                    json_add(t, "log_area_length", json_hex_new(ccel.laml)) < 0 ||
                    json_add(t, "log_area_address", json_hex_new(ccel.lasa)) < 0 ||
                    json_add(out, "ccel", TAKE_PTR(t)) < 0)
                        return log_oom();
        } else if (json_object_object_add(out, "ccel", NULL) < 0)
                return log_oom();

        /* The log. */
        if ((r = read_input(root, log_path, at_root, &data, &size)) < 0)
                return r;
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        r = cc_event_log_parse(data, size, &log, &err);
        if (r < 0)
                return log_error_errno(r, "'%s': %s", log_path, strna(err));
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];
        r = cc_event_log_replay(&log, rtmr, &err);
        if (r == -EIO)
                return log_error_errno(r, "SHA-384 failed: %m");
        if (r < 0)
                return log_error_errno(r, "'%s': %s", log_path, strna(err));

        _cleanup_(json_object_putp) json_object *events = json_object_new_array(),
                                                *algs = json_object_new_array(),
                                                *replayed = json_object_new_array();
        if (!events || !algs || !replayed)
                return log_oom();
        for (size_t i = 0; i < log.n_algorithms; i++)
                if (json_append(algs,
                                json_object_new_string(strna(tpm_alg_to_string(log.algorithms[i].alg)))) < 0)
                        return log_oom();
        for (size_t i = 1; i < log.n_events; i++) {
                json_object *e;
                if (event_to_json(log.events + i, &e) < 0 || json_append(events, e) < 0)
                        return log_oom();
        }
        for (size_t i = 0; i < CC_RTMR_COUNT; i++)
                if (json_append(replayed, hex_new(rtmr[i], CC_MR_DIGEST_SIZE)) < 0)
                        return log_oom();
        if (json_add(out, "log_size", json_object_new_int64((int64_t) log.size)) < 0 ||
            json_add(out, "log_used", json_object_new_int64((int64_t) log.used)) < 0 ||
            json_add(out, "algorithms", TAKE_PTR(algs)) < 0 ||
            json_add(out, "events", TAKE_PTR(events)) < 0 || json_add(out, "rtmr", TAKE_PTR(replayed)) < 0)
                return log_oom();

        /* The quote. */
        int first_mismatch = -1;
        _cleanup_(cvm_evidence_freep) cvm_evidence *ev = NULL;
        const uint8_t(*qrtmr)[CC_MR_DIGEST_SIZE] = NULL;
        if (quote_path) {
                if ((r = evidence_load(quote_path, SNP_PRODUCT_UNKNOWN, &ev, NULL)) < 0)
                        return r;
                if (ev->kind == CVM_EVIDENCE_TDX_QUOTE && ev->quote.body_type != TDX_BODY_SGX_ENCLAVE)
                        qrtmr = (const uint8_t(*)[CC_MR_DIGEST_SIZE]) ev->quote.body.rtmr;
                else if (ev->kind == CVM_EVIDENCE_TDREPORT)
                        qrtmr = (const uint8_t(*)[CC_MR_DIGEST_SIZE]) ev->tdreport.body.rtmr;
                else
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "'%s' is a %s, not a TDX quote or TDREPORT: it has no RTMRs.",
                                               quote_path, cvm_evidence_kind_to_string(ev->kind));
                _cleanup_(json_object_putp) json_object *q = json_object_new_object(),
                                                        *qr = json_object_new_array(),
                                                        *match = json_object_new_array();
                if (!q || !qr || !match)
                        return log_oom();
                for (size_t i = 0; i < CC_RTMR_COUNT; i++) {
                        bool same = memcmp(rtmr[i], qrtmr[i], CC_MR_DIGEST_SIZE) == 0;
                        if (!same && first_mismatch < 0)
                                first_mismatch = (int) i;
                        if (json_append(qr, hex_new(qrtmr[i], CC_MR_DIGEST_SIZE)) < 0 ||
                            json_append(match, json_object_new_boolean(same)) < 0)
                                return log_oom();
                }
                char name[16];
                snprintf(name, sizeof(name), "RTMR%d", first_mismatch);
                if (json_add(q, "file", json_object_new_string(quote_path)) < 0 ||
                    json_add(q, "rtmr", TAKE_PTR(qr)) < 0 || json_add(q, "match", TAKE_PTR(match)) < 0 ||
                    json_add_string_or_null(q, "first_mismatch", first_mismatch >= 0 ? name : NULL) < 0 ||
                    json_add(out, "quote", TAKE_PTR(q)) < 0)
                        return log_oom();
        }
        int rc = first_mismatch >= 0 ? CVM_EXIT_NEGATIVE : CVM_EXIT_SUCCESS;

        if (json)
                return output_json(out) < 0 ? CVM_EXIT_ERROR : rc;

        if (ccel_path)
                printf("CCEL table: %s, OEM '%s' '%s', log area of %" PRIu64 " bytes at 0x%" PRIx64 "\n",
                       ccel_cc_type_to_string(ccel.cc_type) ?: "unknown CC type", ccel.oem_id,
                       ccel.oem_table_id, ccel.laml, ccel.lasa);
        printf("Event log: TCG2 crypto-agile, %zu events in %zu of %zu bytes%s\n\n", log.n_events - 1,
               log.used, log.size, log.terminated ? "" : " (no end marker: the area is full)");
        json_object *arr = json_get(out, "events", json_type_array);
        for (size_t i = 0; i < json_object_array_length(arr); i++)
                print_event(json_object_array_get_idx(arr, i));
        printf("\nReplayed:\n");
        for (size_t i = 0; i < CC_RTMR_COUNT; i++) {
                _cleanup_free_ char *h = NULL;
                if (hex_encode(rtmr[i], CC_MR_DIGEST_SIZE, &h) < 0)
                        return log_oom();
                printf("  RTMR%zu  %s", i, h);
                if (qrtmr)
                        printf("  %s", memcmp(rtmr[i], qrtmr[i], CC_MR_DIGEST_SIZE) == 0
                                               ? "matches the quote"
                                               : "DIFFERS");
                putchar('\n');
        }
        if (qrtmr && first_mismatch < 0)
                printf("\nAll four RTMRs match '%s'.\n", quote_path);
        else if (qrtmr) {
                _cleanup_free_ char *h = NULL;
                if (hex_encode(qrtmr[first_mismatch], CC_MR_DIGEST_SIZE, &h) < 0)
                        return log_oom();
                printf("\nFirst differing register: RTMR%d (the quote has %s)%s\n", first_mismatch, h,
                       first_mismatch == 3 ? ".\nRTMR3 is extended at run time, outside this log." : ".");
        }
        return rc;
}
