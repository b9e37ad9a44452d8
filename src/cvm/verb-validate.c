/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cvm-cleanup.h"
#include "log.h"
#include "output.h"
#include "verbs.h"
#include "vm-cli.h"
#include "vm/vm-options.h"

static void help(void)
{
        printf("Usage: cvm validate [--config=FILE] [VM OPTIONS...] [--json] [--root=DIR|--facts=FILE]\n\n"
               "Check a VM definition against every rule QEMU, KVM, libvirt, Nova and systemd-vmspawn "
               "state\n"
               "for confidential guests, and against this host (KVM, the QEMU binary, free key slots).\n\n"
               "  --config=FILE   Read the definition from an INI file ([VM] section); options override it\n"
               "  --json          Print {\"valid\":B,\"errors\":N,\"warnings\":N,\"findings\":[...]}\n"
               "  --root=DIR      Judge the host tree below DIR\n"
               "  --facts=FILE    Judge the host described by a 'cvm facts' document\n"
               "  -h, --help      Show this help\n\nVM options:\n");
        vm_options_help(stdout);
        printf("\nExit status: 0 valid, 1 invalid, 2 error.\n");
}

int verb_validate(int argc, char *argv[])
{
        static const struct option extra[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        VmCliCommon args = {};
        const VmCli cli = { "validate", &args, extra, "h", NULL, help, NULL };
        _cleanup_(vm_spec_done) VmSpec spec;
        _cleanup_(vm_validation_done) VmValidation v = {};
        int r;

        vm_spec_init(&spec);
        r = vm_cli_parse(&cli, argc, argv, &spec);
        if (r <= 0)
                return r;

        r = vm_cli_prepare(&spec, args.root, args.facts, true, NULL, &v);
        if (r != 0)
                return r;

        if (args.json) {
                _cleanup_(json_object_putp) json_object *o = NULL;
                if (vm_validation_to_json(&v, &o) < 0)
                        return log_oom();
                r = output_json(o);
                if (r < 0)
                        return r;
        } else {
                vm_validation_print(&v, stdout);
                printf("%sVM '%s' (%s): %s, %zu error%s, %zu warning%s.\n", v.n_findings ? "\n" : "",
                       spec.name, vm_coco_to_string(spec.coco), v.n_errors ? "invalid" : "valid", v.n_errors,
                       v.n_errors == 1 ? "" : "s", v.n_findings - v.n_errors,
                       v.n_findings - v.n_errors == 1 ? "" : "s");
        }
        return v.n_errors ? CVM_EXIT_NEGATIVE : CVM_EXIT_SUCCESS;
}
