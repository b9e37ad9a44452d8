/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cvm-cleanup.h"
#include "log.h"
#include "verbs.h"
#include "vm-cli.h"
#include "vm/domxml.h"
#include "vm/vm-options.h"

static void help(void)
{
        printf("Usage: cvm domxml [--config=FILE] [VM OPTIONS...] [--root=DIR|--facts=FILE]\n\n"
               "Print the libvirt domain XML for a VM definition, after the same validation 'cvm run'\n"
               "does. What the host lacks is a warning (the XML is usually meant for another host);\n"
               "definition errors stop it. A TDX or SEV-SNP guest gets <launchSecurity>, q35, SMM off,\n"
               "no S3/S4, a stateless ROM firmware when --firmware names one (else libvirt picks a\n"
               "firmware with the TEE's feature), host-passthrough CPU and a split ioapic for TDX.\n"
               "Findings go to stderr; the XML to stdout (virsh define /dev/stdin takes it).\n\n"
               "  --config=FILE   Read the definition from an INI file ([VM] section); options override it\n"
               "  --root=DIR      Judge the host tree below DIR\n"
               "  --facts=FILE    Judge the host described by a 'cvm facts' document\n"
               "  -h, --help      Show this help\n\n"
               "Exit status: 0 XML printed, 1 the definition is invalid, 2 error (also: a setting libvirt\n"
               "cannot express, such as --qgs=vsock:...).\n\nVM options:\n");
        vm_options_help(stdout);
}

/* libvirtd resolves paths in its own working directory: the XML names files absolutely. */
static int make_absolute(char **p)
{
        if (!*p || (*p)[0] == '/')
                return 0;
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        char *a;
        if (!cwd)
                return -errno;
        if (asprintf(&a, "%s/%s", cwd, *p) < 0)
                return -ENOMEM;
        free(*p);
        *p = a;
        return 0;
}

int domxml_prepare(VmSpec *spec, const char *root, const char *facts_file, bool host_is_target,
                   VmValidation *v)
{
        bool firmware_given = spec->firmware;
        int r = vm_cli_prepare(spec, root, facts_file, host_is_target, NULL, v);
        if (r != 0)
                return r;
        /* Findings go to stderr so the XML on stdout stays usable as it is. */
        vm_validation_print(v, stderr);
        if (v->n_errors > 0) {
                log_error("VM definition '%s' is invalid: %zu error%s.", spec->name, v->n_errors,
                          v->n_errors == 1 ? "" : "s");
                return CVM_EXIT_NEGATIVE;
        }
        /*
         * A firmware found through this host's descriptors stays out of the XML: libvirt selects one by
         * feature from its own host's descriptors, which is where the domain will run.
         */
        if (!firmware_given)
                spec->firmware = mfree(spec->firmware);

        char **paths[] = { &spec->firmware,     &spec->firmware_vars, &spec->kernel,
                           &spec->initrd,       &spec->console_file,  &spec->tpm_socket,
                           &spec->snp_id_block, &spec->snp_id_auth,   &spec->snp_host_data };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if ((r = make_absolute(paths[i])) < 0)
                        return log_error_errno(r, "Failed to make '%s' an absolute path: %m", *paths[i]);
        /* A bare name is looked up in $PATH by cvm's own backend; domxml_build() refuses it for libvirt. */
        if (spec->qemu && strchr(spec->qemu, '/') && (r = make_absolute(&spec->qemu)) < 0)
                return log_error_errno(r, "Failed to make '%s' an absolute path: %m", spec->qemu);
        for (size_t i = 0; i < spec->n_disks; i++)
                if ((r = make_absolute(&spec->disks[i].path)) < 0)
                        return log_error_errno(r, "Failed to make '%s' an absolute path: %m",
                                               spec->disks[i].path);
        return 0;
}

int verb_domxml(int argc, char *argv[])
{
        static const struct option extra[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        VmCliCommon args = {};
        const VmCli cli = { "domxml", &args, extra, "h", NULL, help, NULL };
        _cleanup_(vm_spec_done) VmSpec spec;
        _cleanup_(vm_validation_done) VmValidation v = {};
        _cleanup_free_ char *xml = NULL, *e = NULL;
        int r;

        vm_spec_init(&spec);
        r = vm_cli_parse(&cli, argc, argv, &spec);
        if (r <= 0)
                return r;
        if (args.json)
                return usage_error("domxml", "--json does not apply: the output is XML.");

        r = domxml_prepare(&spec, args.root, args.facts, false, &v);
        if (r != 0)
                return r;

        r = domxml_build(&spec, &xml, &e);
        if (r < 0 && e)
                return log_error_errno(r, "Cannot express VM '%s' in libvirt XML: %s", spec.name, e);
        if (r < 0)
                return log_error_errno(r, "Failed to build the domain XML: %m");
        fputs(xml, stdout);
        return CVM_EXIT_SUCCESS;
}
