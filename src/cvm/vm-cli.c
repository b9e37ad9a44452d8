/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cvm-cleanup.h"
#include "json-util.h"
#include "log.h"
#include "vm-cli.h"
#include "vm/vm-options.h"
#include "vm/vm-resolve.h"
#include "verbs.h"

#define VM_OPT_BASE 0x1000
#define ARG_CONFIG  0x0fff
#define ARG_JSON    0x0ffe
#define ARG_ROOT    0x0ffd
#define ARG_FACTS   0x0ffc

typedef struct Pending {
        const char *key, *value;
} Pending;

int vm_cli_parse(const VmCli *cli, int argc, char *argv[], VmSpec *spec)
{
        size_t n_extra = 0;
        while (cli->extra && cli->extra[n_extra].name)
                n_extra++;

        size_t n = vm_options_count + n_extra + 5;
        _cleanup_free_ struct option *options = new0(struct option, n);
        _cleanup_free_ Pending *pending = new0(Pending, (size_t) argc + 1);
        size_t n_pending = 0;
        const char *config = NULL;
        int c, r;

        if (!options || !pending)
                return log_oom();
        size_t k = vm_options_to_getopt(options, vm_options_count, VM_OPT_BASE);
        for (size_t i = 0; i < n_extra; i++)
                options[k++] = cli->extra[i];
        options[k++] = (struct option){ "config", required_argument, NULL, ARG_CONFIG };
        options[k++] = (struct option){ "json", no_argument, NULL, ARG_JSON };
        options[k++] = (struct option){ "root", required_argument, NULL, ARG_ROOT };
        options[k++] = (struct option){ "facts", required_argument, NULL, ARG_FACTS };

        while ((c = getopt_long(argc, argv, cli->extra_short ?: "", options, NULL)) >= 0) {
                if (c >= VM_OPT_BASE && c < VM_OPT_BASE + (int) vm_options_count) {
                        pending[n_pending++] = (Pending){ vm_options[c - VM_OPT_BASE].name, optarg };
                        continue;
                }
                switch (c) {
                case ARG_CONFIG:
                        config = optarg;
                        continue;
                case ARG_JSON:
                        cli->common->json = true;
                        continue;
                case ARG_ROOT:
                        cli->common->root = optarg;
                        continue;
                case ARG_FACTS:
                        cli->common->facts = optarg;
                        continue;
                }
                if (c == 'h') {
                        cli->help();
                        return 0;
                }
                if (c == '?') {
                        usage_error(cli->verb, "Invalid option.");
                        return -EINVAL;
                }
                r = cli->on_extra ? cli->on_extra(c, optarg, cli->userdata) : -EINVAL;
                if (r <= 0)
                        return r;
        }
        if (optind < argc) {
                usage_error(cli->verb, "Unexpected argument '%s'.", argv[optind]);
                return -EINVAL;
        }
        if (cli->common->root && cli->common->facts) {
                usage_error(cli->verb, "--root= and --facts= exclude each other.");
                return -EINVAL;
        }

        if (config) {
                _cleanup_free_ char *e = NULL;
                r = vm_spec_load_file(spec, config, &e);
                if (r == -EINVAL || r == -ENOENT) {
                        if (e)
                                return log_error_errno(r, "%s", e);
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to read '%s': %m", config);
        }

        /* A file /etc/cvm/web.conf names its VM "web" unless it says otherwise. */
        if (config && !spec->name) {
                const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
                _cleanup_free_ char *name = strndup(base, strcspn(base, "."));
                _cleanup_free_ char *e = NULL;
                if (!name)
                        return log_oom();
                (void) vm_spec_set(spec, "name", name, &e); /* not a valid name: the default stays */
        }

        /* The command line overrides the file; --disk given here replaces the file's disks. */
        bool disks_cleared = false;
        for (size_t i = 0; i < n_pending; i++) {
                _cleanup_free_ char *e = NULL;
                if (streq(pending[i].key, "disk") && !disks_cleared) {
                        for (size_t d = 0; d < spec->n_disks; d++) {
                                free(spec->disks[d].path);
                                free(spec->disks[d].format);
                        }
                        spec->n_disks = 0;
                        disks_cleared = true;
                }
                r = vm_spec_set(spec, pending[i].key, pending[i].value, &e);
                if (r == -EINVAL && e) {
                        usage_error(cli->verb, "--%s", e);
                        return r;
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to apply --%s: %m", pending[i].key);
        }
        return 1;
}

int vm_cli_prepare(VmSpec *spec, const char *root, const char *facts_file, bool host_is_target,
                   cvm_host_facts **ret_facts, VmValidation *ret)
{
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        _cleanup_free_ char *e = NULL;
        int r;

        /* Whether a QGS answers does not decide a launch, and probing it can cost half a second. */
        /* A plain VM's rules read only the common facts; the rest would only add launch latency. */
        unsigned flags = CVM_FACTS_NO_QGS |
                         (spec->coco == VM_COCO_NO ? CVM_FACTS_COMMON_ONLY | CVM_FACTS_NO_QEMU : 0);
        r = load_or_collect_facts(facts_file, root, spec->qemu, flags, &facts);
        if (r < 0)
                return r;
        r = vm_spec_resolve(spec, facts, &e);
        if (r == -EINVAL && e) {
                log_error("%s", e);
                return CVM_EXIT_NEGATIVE;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to complete the VM definition: %m");

        RuleContext ctx = { .spec = spec, .facts = facts, .host_is_target = host_is_target };
        r = vm_validate(&ctx, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to validate the VM definition: %m");
        if (ret_facts)
                *ret_facts = TAKE_PTR(facts);
        return 0;
}

void vm_validation_print(const VmValidation *v, FILE *f)
{
        size_t idw = 0;
        for (size_t i = 0; i < v->n_findings; i++)
                idw = MAX(idw, strlen(v->findings[i].id));
        for (size_t i = 0; i < v->n_findings; i++) {
                const VmFinding *x = v->findings + i;
                fprintf(f, "%-7s  %-*s  %s [%s]\n", rule_severity_to_string(x->severity), (int) idw, x->id,
                        x->message, x->source);
                if (x->hint)
                        fprintf(f, "%-7s  %-*s  hint: %s\n", "", (int) idw, "", x->hint);
        }
}

int vm_validation_to_json(const VmValidation *v, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        if (!o || json_add(o, "valid", json_object_new_boolean(v->n_errors == 0)) < 0 ||
            json_add(o, "errors", json_object_new_int((int) v->n_errors)) < 0 ||
            json_add(o, "warnings", json_object_new_int((int) (v->n_findings - v->n_errors))) < 0 ||
            json_add(o, "findings", a) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < v->n_findings; i++) {
                const VmFinding *x = v->findings + i;
                json_object *e = json_object_new_object();
                if (json_append(a, e) < 0 || json_add(e, "id", json_object_new_string(x->id)) < 0 ||
                    json_add(e, "severity", json_object_new_string(rule_severity_to_string(x->severity))) <
                            0 ||
                    json_add(e, "message", json_object_new_string(x->message)) < 0 ||
                    json_add(e, "source", json_object_new_string(x->source)) < 0)
                        return -ENOMEM;
                if (json_add_string_or_null(e, "hint", x->hint) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}
