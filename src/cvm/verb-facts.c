/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "fileio.h"
#include "log.h"
#include "verbs.h"

static void help(void)
{
        printf("Usage: cvm facts [OPTIONS...]\n\n"
               "Print every raw fact the host checks use (file contents, ioctl results, CPUID, MSRs,\n"
               "QEMU capabilities, SMBIOS memory devices) as one JSON document. 'cvm check --facts=FILE'\n"
               "analyses such a document anywhere.\n\n"
               "  --root=DIR     Read the host files below DIR (see cvm-facts(5) for the layout)\n"
               "  --qemu=PATH    The QEMU binary to probe\n"
               "  --no-qemu      Do not start QEMU to probe its capabilities\n"
               "  -o, --output=FILE  Write the document to FILE instead of standard output\n"
               "  -h, --help     Show this help\n");
}

int verb_facts(int argc, char *argv[])
{
        enum {
                ARG_ROOT = 0x100,
                ARG_QEMU,
                ARG_NO_QEMU
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "root", required_argument, NULL, ARG_ROOT },
                { "qemu", required_argument, NULL, ARG_QEMU },
                { "no-qemu", no_argument, NULL, ARG_NO_QEMU },
                { "output", required_argument, NULL, 'o' },
                {},
        };
        const char *root = NULL, *qemu = NULL, *output = NULL;
        unsigned flags = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_QEMU:
                        qemu = optarg;
                        break;
                case ARG_NO_QEMU:
                        flags |= CVM_FACTS_NO_QEMU;
                        break;
                case 'o':
                        output = optarg;
                        break;
                default:
                        return usage_error("facts", "Invalid option.");
                }
        if ((r = verb_positional("facts", argc - optind)) != 0)
                return r;

        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        r = load_or_collect_facts(NULL, root, qemu, flags, &facts);
        if (r < 0)
                return r;

        _cleanup_free_ char *s = NULL;
        r = cvm_host_facts_format(facts, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to format facts: %m");
        if (output) {
                r = write_full_file(output, s, strlen(s));
                if (r < 0)
                        return log_error_errno(r, "Failed to write '%s': %m", output);
        } else
                fputs(s, stdout);
        return CVM_EXIT_SUCCESS;
}
