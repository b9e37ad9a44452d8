/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdarg.h>

#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "fileio.h"
#include "log.h"
#include "verbs.h"

static int verb_help(int argc, char *argv[]);
static int verb_version(int argc, char *argv[]);

static const Verb verbs[] = {
        { "check", 0, 0, verb_check, "[--tee=tdx|snp|all] [--json] [--root=DIR] [--facts=FILE] [-q]",
          "Tell whether this host can run TDX and/or SEV-SNP guests, and why not" },
        { "facts", 0, 0, verb_facts, "[--root=DIR] [--no-qemu] [-o FILE]",
          "Print every raw host fact the checks use, as JSON" },
        { "capacity", 0, 0, verb_capacity, "[--json] [--placement] [--nfd] [--root=DIR] [--facts=FILE]",
          "Show free TDX KeyIDs and SEV/SEV-ES ASIDs" },
        { "validate", 0, VERB_ANY, verb_validate, "[--config=FILE] [VM OPTIONS...] [--json]",
          "Check a VM definition against the rules of confidential guests and this host" },
        { "run", 0, VERB_ANY, verb_run, "[--config=FILE] [VM OPTIONS...] [--force | --dry-run [--json]]",
          "Start a VM and supervise it until it is off (--dry-run: print its QEMU command line)" },
        { "domxml", 0, VERB_ANY, verb_domxml, "[--config=FILE] [VM OPTIONS...]",
          "Print the libvirt domain XML of a VM definition" },
        { "flavor", 0, 0, verb_flavor, "[--extra-spec=K=V...] [--image-property=K=V...] [--json]",
          "Check a Nova flavor/image memory-encryption request; print its placement request" },
        { "list", 0, 0, verb_list, "[--json]", "List the running VMs" },
        { "status", 1, 1, verb_status, "NAME [--json]", "Show a running VM's state" },
        { "stop", 1, 1, verb_stop, "NAME [--force] [--timeout=SEC]",
          "Power a running VM down (--force: stop QEMU)" },
        { "inspect", 1, 1, verb_inspect, "FILE [--json] [--snp-product=NAME]",
          "Decode a TDX quote, TDREPORT or SEV-SNP report and print every field" },
        { "verify", 1, 1, verb_verify,
          "FILE [--collateral=PATH|--pccs=URL] [--root-ca=CERT] [--certs=PATH|--kds[=URL]] [--no-cache] "
          "[--snp-product=NAME] [--at=RFC3339] "
          "[--accept-tcb=LIST] [--allow-debug] [--report-data=HEX] [--json]",
          "Verify a TDX quote or SEV-SNP report and accept or reject it" },
        { "collateral", 2, 2, verb_collateral,
          "fetch FILE (--pccs=URL | --kds[=URL]) -o PATH [--at=RFC3339] [--no-cache] [--snp-product=NAME]",
          "Download the Intel collateral or AMD certificates a quote or report needs" },
        { "quote", 0, 0, verb_quote,
          "[--report-data=HEX|--nonce] [--vmpl=N] [-o FILE] [--json] [--root=DIR]",
          "Inside a TDX or SEV-SNP guest: get a quote or attestation report" },
        { "firmware", 1, 1, verb_firmware, "FILE [--json]",
          "Show an OVMF/TDVF image's GUID table, TDX metadata and SEV metadata" },
        { "measure", 1, VERB_ANY, verb_measure, "tdx|snp --firmware=FILE [OPTIONS...] [--json]",
          "Predict a TD's MRTD or an SEV-SNP guest's launch digest (and sign its ID block)" },
        { "eventlog", 0, 0, verb_eventlog, "[--ccel=FILE --log=FILE | --root=DIR] [--quote=FILE] [--json]",
          "Decode a TDX guest's CC event log, replay it into RTMR0-3 and compare with a quote" },
        { "help", 0, 1, verb_help, "[VERB]", "Show this help, or a verb's" },
        { "version", 0, 0, verb_version, "", "Show the version" },
};

static const Verb *find_verb(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return verbs + i;
        return NULL;
}

static void print_help(void)
{
        printf("Usage: cvm [--debug] VERB [OPTIONS...]\n\n"
               "Run confidential virtual machines (Intel TDX, AMD SEV-SNP) and prove what runs inside "
               "them.\n\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i].name, verbs[i].help);
        printf("\nWithout a verb, cvm runs 'check'. 'cvm VERB --help' shows a verb's options.\n"
               "Exit status: 0 yes/success, 1 a well-formed no (not ready, invalid), 2 error;\n"
               "'cvm run' also: 3 QEMU failed, 4 guest panicked, 5 restart limit reached.\n"
               "See cvm(1).\n");
}

static int verb_help(int argc, char *argv[])
{
        if (argc > 1) {
                const Verb *v = find_verb(argv[1]);
                if (!v)
                        return usage_error(NULL, "Unknown verb '%s'.", argv[1]);
                char *args[] = { (char *) v->name, (char *) "--help", NULL };
                optind = 0;
                return v->fn(2, args);
        }
        print_help();
        return CVM_EXIT_SUCCESS;
}

static int verb_version(int argc, char *argv[])
{
        (void) argc;
        (void) argv;
        printf("cvm %s\n", cvm_version());
        return CVM_EXIT_SUCCESS;
}

int usage_error(const char *verb, const char *format, ...)
{
        va_list ap;
        fputs("cvm: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'cvm %s%s--help'.\n", verb ?: "", verb ? " " : "");
        return CVM_EXIT_ERROR;
}

int verb_positional(const char *verb, int n)
{
        const Verb *v = find_verb(verb);
        assert(v);
        if (n < v->min_args)
                return usage_error(verb, "Too few arguments.");
        if (v->max_args != VERB_ANY && n > v->max_args)
                return usage_error(verb, "Too many arguments.");
        return 0;
}

int parse_tee_mask(const char *s, unsigned *ret)
{
        if (streq(s, "all"))
                *ret = (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP);
        else if (streq(s, "tdx"))
                *ret = 1u << CVM_TEE_TDX;
        else if (streq(s, "snp") || streq(s, "sev-snp"))
                *ret = 1u << CVM_TEE_SNP;
        else
                return -EINVAL;
        return 0;
}

int load_or_collect_facts(const char *facts_file, const char *root, const char *qemu, unsigned flags,
                          cvm_host_facts **ret)
{
        int r;
        if (facts_file) {
                _cleanup_free_ char *data = NULL;
                size_t size;
                r = read_full_file(facts_file, 16U * 1024 * 1024, &data, &size);
                if (r < 0)
                        return log_error_errno(r, "Failed to read facts file '%s': %m", facts_file);
                r = cvm_host_facts_parse(data, size, ret);
                if (r == -EOPNOTSUPP)
                        return log_error_errno(
                                r, "Facts file '%s' has a format version this cvm does not know.",
                                facts_file);
                if (r < 0)
                        return log_error_errno(
                                r,
                                "Facts file '%s' is not a cvm facts document (run with --debug "
                                "for details): %m",
                                facts_file);
                return 0;
        }
        r = cvm_host_facts_collect(root, qemu, flags, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to collect host facts: %m");
        return 0;
}

bool use_color(void)
{
        return isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

static void log_to_stderr(int level, const char *message, void *userdata)
{
        (void) level;
        (void) userdata;
        fprintf(stderr, "cvm: %s\n", message);
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "debug", no_argument, NULL, 'd' },
                {},
        };
        int c;

        log_set_callback(log_to_stderr, NULL);
        if (getenv("CVM_DEBUG"))
                log_set_max_level(LOG_DEBUG);

        /* '+': stop at the verb; the verb parses its own options. */
        while ((c = getopt_long(argc, argv, "+hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        print_help();
                        return CVM_EXIT_SUCCESS;
                case 'V':
                        return verb_version(0, NULL);
                case 'd':
                        log_set_max_level(LOG_DEBUG);
                        break;
                default:
                        return usage_error(NULL, "Invalid option.");
                }

        char *default_argv[] = { (char *) "check", NULL };
        char **vargv = optind < argc ? argv + optind : default_argv;
        int vargc = optind < argc ? argc - optind : 1;

        const Verb *v = find_verb(vargv[0]);
        if (!v)
                return usage_error(NULL, "Unknown verb '%s'.", vargv[0]);

        optind = 0; /* reset getopt for the verb's own parsing */
        int r = v->fn(vargc, vargv);
        if (r < 0)
                return CVM_EXIT_ERROR; /* the verb logged the reason */
        return r;
}
