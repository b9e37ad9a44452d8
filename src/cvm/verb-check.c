/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "json-util.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

static const char *status_color(cvm_check_status s)
{
        static const char *const colors[_CVM_CHECK_STATUS_MAX] = {
                [CVM_CHECK_PASS] = "\033[32m",
                [CVM_CHECK_WARN] = "\033[33m",
                [CVM_CHECK_FAIL] = "\033[1;31m",
                [CVM_CHECK_SKIP] = "\033[2m",
        };
        return colors[s];
}

static const char *const tee_titles[_CVM_TEE_MAX] = {
        [CVM_TEE_NONE] = "Common",
        [CVM_TEE_TDX] = "Intel TDX",
        [CVM_TEE_SNP] = "AMD SEV-SNP",
};

static void print_text(const cvm_host_report *rep)
{
        bool color = use_color();
        unsigned counts[_CVM_CHECK_STATUS_MAX] = {};
        int tee = -1;
        size_t idw = 0;

        for (size_t i = 0; i < rep->n_findings; i++)
                idw = MAX(idw, strlen(rep->findings[i].id));

        for (size_t i = 0; i < rep->n_findings; i++) {
                const cvm_finding *f = rep->findings + i;
                if ((int) f->tee != tee) {
                        tee = (int) f->tee;
                        printf("%s%s\n", i ? "\n" : "", tee_titles[tee]);
                }
                char status[8];
                snprintf(status, sizeof(status), "%s", cvm_check_status_to_string(f->status));
                for (char *p = status; *p; p++)
                        *p = (char) (*p - 'a' + 'A');
                printf("  %s%-4s%s  %-*s  %s\n", color ? status_color(f->status) : "", status,
                       color ? "\033[0m" : "", (int) idw, f->id, f->message);
                if (f->hint && (f->status == CVM_CHECK_FAIL || f->status == CVM_CHECK_WARN))
                        printf("  %-4s  %-*s  hint: %s\n", "", (int) idw, "", f->hint);
                counts[f->status]++;
        }

        printf("\n%zu checks: %u passed, %u warnings, %u failed, %u skipped\n", rep->n_findings,
               counts[CVM_CHECK_PASS], counts[CVM_CHECK_WARN], counts[CVM_CHECK_FAIL],
               counts[CVM_CHECK_SKIP]);
        for (cvm_tee t = CVM_TEE_TDX; t < _CVM_TEE_MAX; t++)
                if (rep->tee_mask & (1u << t))
                        printf("%s: %s\n", tee_titles[t], cvm_verdict_to_string(rep->verdict[t]));
}

static int print_json(const cvm_host_report *rep)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *checks = json_object_new_array(), *verdict = json_object_new_object();
        if (!o || json_add(o, "checks", checks) < 0 || json_add(o, "verdict", verdict) < 0)
                return log_oom();

        for (size_t i = 0; i < rep->n_findings; i++) {
                const cvm_finding *f = rep->findings + i;
                const char *status = cvm_check_status_to_string(f->status);
                json_object *c = json_object_new_object();
                if (json_append(checks, c) < 0 || json_add(c, "id", json_object_new_string(f->id)) < 0 ||
                    json_add(c, "tee", json_object_new_string(cvm_tee_to_string(f->tee))) < 0 ||
                    json_add(c, "status", json_object_new_string(status)) < 0 ||
                    json_add(c, "message", json_object_new_string(f->message)) < 0)
                        return log_oom();
                if (json_add_string_or_null(c, "hint", f->hint) < 0)
                        return log_oom();
        }
        for (cvm_tee t = CVM_TEE_TDX; t < _CVM_TEE_MAX; t++)
                if (rep->tee_mask & (1u << t) &&
                    json_add(verdict, cvm_tee_to_string(t),
                             json_object_new_string(cvm_verdict_to_string(rep->verdict[t]))) < 0)
                        return log_oom();
        return output_json(o);
}

static void help(void)
{
        printf("Usage: cvm check [OPTIONS...]\n\n"
               "Tell whether this host can run TDX and/or SEV-SNP guests, check by check.\n\n"
               "  --tee=tdx|snp|all   Which TEEs to check (default: all)\n"
               "  --json              Print {\"checks\":[...],\"verdict\":{...}}\n"
               "  --root=DIR          Read /proc, /sys, /dev, /usr/share and /etc below DIR\n"
               "  --facts=FILE        Check a saved 'cvm facts' document instead of this host\n"
               "  --qemu=PATH         The QEMU binary to probe\n"
               "  --no-qemu           Do not start QEMU to probe its capabilities\n"
               "  -q, --quiet         Print nothing; only the exit status tells\n"
               "  -h, --help          Show this help\n\n"
               "Exit status: 0 every selected TEE is ready, 1 one is not (or is unknown), 2 error.\n");
}

int verb_check(int argc, char *argv[])
{
        enum {
                ARG_TEE = 0x100,
                ARG_JSON,
                ARG_ROOT,
                ARG_FACTS,
                ARG_QEMU,
                ARG_NO_QEMU
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "tee", required_argument, NULL, ARG_TEE },
                { "json", no_argument, NULL, ARG_JSON },
                { "root", required_argument, NULL, ARG_ROOT },
                { "facts", required_argument, NULL, ARG_FACTS },
                { "qemu", required_argument, NULL, ARG_QEMU },
                { "no-qemu", no_argument, NULL, ARG_NO_QEMU },
                { "quiet", no_argument, NULL, 'q' },
                {},
        };
        unsigned tee_mask = (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP), flags = 0;
        const char *root = NULL, *facts_file = NULL, *qemu = NULL;
        bool json = false, quiet = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_TEE:
                        if (parse_tee_mask(optarg, &tee_mask) < 0)
                                return usage_error("check", "Unknown TEE '%s': expected tdx, snp or all.",
                                                   optarg);
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_FACTS:
                        facts_file = optarg;
                        break;
                case ARG_QEMU:
                        qemu = optarg;
                        break;
                case ARG_NO_QEMU:
                        flags |= CVM_FACTS_NO_QEMU;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return usage_error("check", "Invalid option.");
                }
        if ((r = verb_positional("check", argc - optind)) != 0)
                return r;
        if (root && facts_file)
                return usage_error("check", "--root= and --facts= exclude each other.");

        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        r = load_or_collect_facts(facts_file, root, qemu, flags, &facts);
        if (r < 0)
                return r;

        _cleanup_(cvm_host_report_freep) cvm_host_report *rep = NULL;
        r = cvm_host_check(facts, tee_mask, &rep);
        if (r < 0)
                return log_error_errno(r, "Failed to run the host checks: %m");

        if (!quiet) {
                if (json) {
                        r = print_json(rep);
                        if (r < 0)
                                return r;
                } else
                        print_text(rep);
        }

        for (cvm_tee t = CVM_TEE_TDX; t < _CVM_TEE_MAX; t++)
                if ((rep->tee_mask & (1u << t)) && rep->verdict[t] != CVM_VERDICT_READY)
                        return CVM_EXIT_NEGATIVE;
        return CVM_EXIT_SUCCESS;
}
