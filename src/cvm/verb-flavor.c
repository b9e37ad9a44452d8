/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "json-util.h"
#include "log.h"
#include "output.h"
#include "verbs.h"
#include "vm/flavor.h"

static void help(void)
{
        printf("Usage: cvm flavor [--extra-spec=K=V...] [--image-property=K=V...] [--flavor-name=NAME]\n"
               "                  [--image-name=NAME] [--image-id=ID] [--json]\n\n"
               "Judge an OpenStack Nova memory-encryption request as Nova does: the flavor's extra specs\n"
               "(hw:mem_encryption, hw:mem_encryption_model; hw:firmware_type for intel-tdx) and the\n"
               "image's properties (hw_mem_encryption, hw_mem_encryption_model, hw_firmware_type,\n"
               "hw_machine_type, hw_firmware_stateless, hw_disk_bus, hw_scsi_model). Conflicts between\n"
               "them and unsuitable images are rejected with Nova's exception names; the q35, stateless\n"
               "firmware and SCSI boot checks are the rules of 'cvm validate'. An accepted request prints\n"
               "its placement request (resources:MEM_ENCRYPTION_CONTEXT=1 and the model's trait).\n"
               "Models: amd-sev (Nova's default), amd-sev-es, amd-sev-snp, intel-tdx.\n\n"
               "  --extra-spec=K=V      A flavor extra spec (repeatable)\n"
               "  --image-property=K=V  An image property (repeatable)\n"
               "  --flavor-name=NAME    The flavor's name in messages\n"
               "  --image-name=NAME     The image's name in messages\n"
               "  --image-id=ID         The image's id in messages (default <no-id>, as Nova says)\n"
               "  --json                Print "
               "{\"accepted\":B,\"mem_encryption\":B,\"model\":S,\"placement\":{...},"
               "\"errors\":[...]}\n"
               "  -h, --help            Show this help\n\n"
               "Exit status: 0 accepted (with or without memory encryption), 1 rejected, 2 usage error.\n");
}

enum {
        ARG_EXTRA_SPEC = 0x100,
        ARG_IMAGE_PROPERTY,
        ARG_FLAVOR_NAME,
        ARG_IMAGE_NAME,
        ARG_IMAGE_ID,
        ARG_JSON,
};

static int add_property(FlavorProperty **a, size_t *n, const char *opt, char *arg)
{
        char *eq = strchr(arg, '=');
        if (!eq || eq == arg)
                return usage_error("flavor", "--%s takes KEY=VALUE, not '%s'.", opt, arg);
        FlavorProperty *p = reallocarray(*a, *n + 1, sizeof(FlavorProperty));
        if (!p)
                return log_oom();
        *eq = 0; /* argv is ours to cut */
        p[(*n)++] = (FlavorProperty){ arg, eq + 1 };
        *a = p;
        return 0;
}

static int print_json(const FlavorResult *res)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *errors = json_object_new_array(), *placement = NULL;
        bool ok = res->n_errors == 0;

        if (!o || json_add(o, "accepted", json_object_new_boolean(ok)) < 0 ||
            json_add(o, "mem_encryption", json_object_new_boolean(res->requested)) < 0 ||
            json_object_object_add(
                    o, "model",
                    res->model >= 0 ? json_object_new_string(mem_encryption_model_to_string(res->model))
                                    : NULL) < 0 ||
            json_add_string_or_null(o, "requested_by", res->requesters) < 0 ||
            json_add(o, "errors", errors) < 0)
                return log_oom();
        if (ok && res->requested) {
                json_object *resources = json_object_new_object(), *traits = json_object_new_array();
                placement = json_object_new_object();
                if (!placement || json_add(placement, "resources", resources) < 0 ||
                    json_add(resources, "MEM_ENCRYPTION_CONTEXT", json_object_new_int(1)) < 0 ||
                    json_add(placement, "required_traits", traits) < 0 ||
                    json_append(traits, json_object_new_string(mem_encryption_model_trait(res->model))) < 0)
                        return log_oom();
        }
        if (json_object_object_add(o, "placement", placement) < 0)
                return log_oom();
        for (size_t i = 0; i < res->n_errors; i++) {
                json_object *e = json_object_new_object();
                if (json_append(errors, e) < 0 ||
                    json_add(e, "name", json_object_new_string(res->errors[i].name)) < 0 ||
                    json_add(e, "message", json_object_new_string(res->errors[i].message)) < 0 ||
                    json_add_string_or_null(e, "rule", res->errors[i].rule) < 0)
                        return log_oom();
        }
        return output_json(o);
}

static void print_text(const FlavorResult *res)
{
        for (size_t i = 0; i < res->n_errors; i++)
                printf("%s: %s%s%s%s\n", res->errors[i].name, res->errors[i].message,
                       res->errors[i].rule ? " [cvm rule " : "", strempty(res->errors[i].rule),
                       res->errors[i].rule ? "]" : "");
        if (res->n_errors > 0) {
                printf("Rejected: %zu error%s.\n", res->n_errors, res->n_errors == 1 ? "" : "s");
                return;
        }
        if (!res->requested) {
                printf("Accepted: no memory encryption requested.\n");
                return;
        }
        printf("Accepted: %s memory encryption, requested by %s.\n",
               mem_encryption_model_to_string(res->model), res->requesters);
        printf("Placement: resources:MEM_ENCRYPTION_CONTEXT=1 trait:%s=required\n",
               mem_encryption_model_trait(res->model));
}

int verb_flavor(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "extra-spec", required_argument, NULL, ARG_EXTRA_SPEC },
                { "image-property", required_argument, NULL, ARG_IMAGE_PROPERTY },
                { "flavor-name", required_argument, NULL, ARG_FLAVOR_NAME },
                { "image-name", required_argument, NULL, ARG_IMAGE_NAME },
                { "image-id", required_argument, NULL, ARG_IMAGE_ID },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        _cleanup_free_ FlavorProperty *specs = NULL, *props = NULL;
        _cleanup_(flavor_result_done) FlavorResult res = {};
        FlavorInput in = {};
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_EXTRA_SPEC:
                        if ((r = add_property(&specs, &in.n_extra_specs, "extra-spec", optarg)) != 0)
                                return r;
                        break;
                case ARG_IMAGE_PROPERTY:
                        if ((r = add_property(&props, &in.n_image_properties, "image-property", optarg)) !=
                            0)
                                return r;
                        break;
                case ARG_FLAVOR_NAME:
                        in.flavor_name = optarg;
                        break;
                case ARG_IMAGE_NAME:
                        in.image_name = optarg;
                        break;
                case ARG_IMAGE_ID:
                        in.image_id = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        return usage_error("flavor", "Invalid option.");
                }
        if ((r = verb_positional("flavor", argc - optind)) != 0)
                return r;
        in.extra_specs = specs;
        in.image_properties = props;

        r = flavor_evaluate(&in, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to evaluate the request: %m");
        if (json) {
                if ((r = print_json(&res)) < 0)
                        return r;
        } else
                print_text(&res);
        return res.n_errors > 0 ? CVM_EXIT_NEGATIVE : CVM_EXIT_SUCCESS;
}
