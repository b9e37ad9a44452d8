/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm inspect FILE: detect and decode a TDX quote, a TDREPORT or an SNP attestation report, and print
 * every field, as text or as the JSON of cvm_evidence_to_json(). The text is rendered from that same JSON
 * object, so the two cannot disagree and a field added to one is in both.
 */
#include <getopt.h>

#include "attest/evidence.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

/* Hex strings longer than this wrap; 96 digits keep a SHA-384 measurement on one line. */
#define HEX_LINE 96U

static void help(void)
{
        printf("Usage: cvm inspect [OPTIONS...] FILE\n\n"
               "Decode a TDX quote (v4, v5), a TDX TDREPORT (1024 bytes) or an SEV-SNP attestation report\n"
               "(v2-v5) and print every field. FILE may be '-' for standard input, and may hold the raw\n"
               "bytes or their hex or base64 text. Nothing is verified: see the signature and TCB "
               "fields.\n\n"
               "  --json                Print the fields as one JSON object\n"
               "  --snp-product=NAME    milan, genoa or turin: the TCB layout of an SNP report that does\n"
               "                        not name its CPU (version 2 reports)\n"
               "  -h, --help            Show this help\n\n"
               "Exit status: 0 parsed, 2 unreadable or malformed input (the error names the structure,\n"
               "the field and its offset).\n");
}

static bool is_hex(const char *s)
{
        return *s && s[strspn(s, "0123456789abcdef")] == 0;
}

static void print_value(const char *s, size_t column)
{
        size_t l = strlen(s);

        if (l == 0) {
                printf("(empty)\n");
                return;
        }
        if (strchr(s, '\n')) {
                /* Multi-line text (a PEM chain): below the key, indented. */
                const char *p = s;
                while (*p) {
                        size_t n = strcspn(p, "\n");
                        printf("%*s%.*s\n", (int) column, "", (int) n, p);
                        p += n + (p[n] == '\n');
                }
                return;
        }
        if (l > HEX_LINE && is_hex(s)) {
                for (size_t i = 0; i < l; i += HEX_LINE)
                        printf("%*s%.*s\n", i ? (int) column : 0, "", (int) MIN(HEX_LINE, l - i), s + i);
                return;
        }
        printf("%s\n", s);
}

static void print_object(json_object *o, unsigned indent);

/* A scalar or array as text; "X_name" and "X_flags" members are shown next to X. */
static void print_member(json_object *parent, const char *key, json_object *v, unsigned indent, size_t width)
{
        _cleanup_free_ char *name_key = NULL, *flags_key = NULL;
        json_object *name = NULL, *flags = NULL;
        size_t column = indent + width + 2;

        if (json_object_is_type(v, json_type_object)) {
                printf("%*s%s:\n", (int) indent, "", key);
                print_object(v, indent + 2);
                return;
        }
        if (asprintf(&name_key, "%s_name", key) < 0 || asprintf(&flags_key, "%s_flags", key) < 0) {
                (void) log_oom();
                return;
        }
        (void) json_object_object_get_ex(parent, name_key, &name);
        (void) json_object_object_get_ex(parent, flags_key, &flags);

        if (json_object_is_type(v, json_type_string) && strchr(json_object_get_string(v), '\n')) {
                printf("%*s%s:\n", (int) indent, "", key);
                print_value(json_object_get_string(v), indent + 2);
                return;
        }
        printf("%*s%-*s  ", (int) indent, "", (int) width, key);
        if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                if (n == 0)
                        fputs("(none)", stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%s", i ? ", " : "",
                               json_object_get_string(json_object_array_get_idx(v, i)));
                putchar('\n');
                return;
        }
        if (json_object_is_type(v, json_type_boolean)) {
                printf("%s\n", yes_no(json_object_get_boolean(v)));
                return;
        }
        if (!json_object_is_type(name, json_type_string) && !json_object_is_type(flags, json_type_array)) {
                print_value(json_object_get_string(v), column);
                return;
        }
        printf("%s", json_object_get_string(v));
        if (json_object_is_type(name, json_type_string))
                printf(" (%s)", json_object_get_string(name));
        if (json_object_is_type(flags, json_type_array)) {
                size_t n = json_object_array_length(flags);
                fputs(n ? " (" : " (no flags)", stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%s", i ? ", " : "",
                               json_object_get_string(json_object_array_get_idx(flags, i)));
                fputs(n ? ")" : "", stdout);
        }
        putchar('\n');
}

/* Whether key is shown with another member (X_name, X_flags next to X) or not at all (null). */
static bool folded(json_object *o, const char *key, json_object *v)
{
        const char *suffixes[] = { "_name", "_flags" };

        if (!v)
                return true; /* a field this version does not have */
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t l = strlen(key), s = strlen(suffixes[i]);
                if (l > s && streq(key + l - s, suffixes[i])) {
                        _cleanup_free_ char *base = strndup(key, l - s);
                        if (base && json_object_object_get_ex(o, base, NULL))
                                return true;
                }
        }
        return false;
}

static void print_object(json_object *o, unsigned indent)
{
        size_t width = 0;

        json_object_object_foreach (o, k1, v1)
                if (!folded(o, k1, v1) && !json_object_is_type(v1, json_type_object))
                        width = MAX(width, strlen(k1));
        json_object_object_foreach (o, key, v)
                if (!folded(o, key, v))
                        print_member(o, key, v, indent, width);
}

static void print_text(json_object *o, const cvm_evidence *e, const char *encoding)
{
        static const char *const summary[] = { "kind",       "version",        "size",
                                               "input_size", "trailing_bytes", "trailing_all_zero" };

        switch (cvm_evidence_get_kind(e)) {
        case CVM_EVIDENCE_TDX_QUOTE:
                printf("TDX quote, version %u, %s body: %zu bytes", e->quote.version,
                       tdx_body_type_to_string(e->quote.body_type), e->quote.size);
                break;
        case CVM_EVIDENCE_TDREPORT:
                printf("TDX TDREPORT, REPORTTYPE version %u: %u bytes", e->tdreport.report_version,
                       TDX_REPORT_SIZE);
                break;
        case CVM_EVIDENCE_SNP_REPORT:
                printf("SEV-SNP attestation report, version %u, product %s (by %s), TCB layout %s: %u bytes",
                       e->snp.version, snp_product_to_string(e->snp.product),
                       snp_product_source_to_string(e->snp.product_source),
                       snp_tcb_layout_to_string(e->snp.tcb_layout), SNP_REPORT_SIZE);
                break;
        default:
                break;
        }
        printf("%s%s%s\n", encoding ? " (decoded from " : "", strempty(encoding), encoding ? " text)" : "");

        size_t trailing = cvm_evidence_get_trailing(e);
        json_object *z = json_get(o, "trailing_all_zero", json_type_boolean);
        if (trailing > 0)
                printf("Trailing bytes: %zu after the end of the structure (not part of it, ignored; %s)\n",
                       trailing, z && json_object_get_boolean(z) ? "all zero" : "not all zero");
        putchar('\n');

        /* The rest, without the members the summary lines showed. */
        _cleanup_(json_object_putp) json_object *rest = NULL;
        if (json_object_deep_copy(o, &rest, NULL) < 0) {
                (void) log_oom();
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(summary); i++)
                json_object_object_del(rest, summary[i]);
        print_object(rest, 0);
}

int verb_inspect(int argc, char *argv[])
{
        enum {
                ARG_JSON = 0x100,
                ARG_SNP_PRODUCT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "snp-product", required_argument, NULL, ARG_SNP_PRODUCT },
                {},
        };
        SnpProduct hint = SNP_PRODUCT_UNKNOWN;
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
                case ARG_SNP_PRODUCT:
                        hint = snp_product_from_string(optarg);
                        if (hint < 0 || hint == SNP_PRODUCT_UNKNOWN)
                                return usage_error("inspect",
                                                   "Unknown SNP product '%s' (milan, genoa, turin).",
                                                   optarg);
                        break;
                default:
                        return usage_error("inspect", "Invalid option.");
                }
        if ((r = verb_positional("inspect", argc - optind)) != 0)
                return r;
        const char *path = argv[optind];

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        const char *encoding;
        r = evidence_load(path, hint, &e, &encoding);
        if (r < 0)
                return r;

        _cleanup_(json_object_putp) json_object *o = NULL;
        r = evidence_to_json(e, &o);
        if (r < 0)
                return log_oom();
        if (json)
                return output_json(o) < 0 ? CVM_EXIT_ERROR : CVM_EXIT_SUCCESS;
        print_text(o, e, encoding);
        return CVM_EXIT_SUCCESS;
}
