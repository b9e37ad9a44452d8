/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sources: reference/launch.md §5; openstack/nova nova/virt/hardware.py (get_mem_encryption_constraint,
 * _check_for_mem_encryption_requirement_conflicts, _get_unique_flavor_image_meta,
 * _check_mem_encryption_uses_uefi_image, _check_mem_encryption_machine_type; messages follow them);
 * oslo.utils strutils.bool_from_string; openstack/nova-specs 2026.2 intel-tdx-libvirt-support (TDX: q35,
 * UEFI, hw_firmware_stateless=True, no hw_disk_bus=scsi or hw_scsi_model=virtio-scsi); os-traits.
 */
#include <stdarg.h>
#include <strings.h>

#include "flavor.h"
#include "string-table.h"
#include "vm-rules.h"

static const char *const mem_encryption_model_table[_MEM_ENCRYPTION_MODEL_MAX] = {
        [MEM_ENCRYPTION_AMD_SEV] = "amd-sev",
        [MEM_ENCRYPTION_AMD_SEV_ES] = "amd-sev-es",
        [MEM_ENCRYPTION_AMD_SEV_SNP] = "amd-sev-snp",
        [MEM_ENCRYPTION_INTEL_TDX] = "intel-tdx",
};
DEFINE_STRING_TABLE_LOOKUP(mem_encryption_model, MemEncryptionModel);

static const char *const trait_table[_MEM_ENCRYPTION_MODEL_MAX] = {
        [MEM_ENCRYPTION_AMD_SEV] = "HW_CPU_X86_AMD_SEV",
        [MEM_ENCRYPTION_AMD_SEV_ES] = "HW_CPU_X86_AMD_SEV_ES",
        [MEM_ENCRYPTION_AMD_SEV_SNP] = "HW_CPU_X86_AMD_SEV_SNP",
        [MEM_ENCRYPTION_INTEL_TDX] = "HW_CPU_X86_INTEL_TDX",
};

const char *mem_encryption_model_trait(MemEncryptionModel m)
{
        return m >= 0 && m < _MEM_ENCRYPTION_MODEL_MAX ? trait_table[m] : NULL;
}

/* The TEE in Nova's "q35 type is required for SEV to work", which every AMD model inherits from SEV's. */
static const char *tee_name(MemEncryptionModel m)
{
        return m == MEM_ENCRYPTION_INTEL_TDX ? "TDX" : "SEV";
}

/* oslo.utils bool_from_string: 1 true, 0 false, -EINVAL neither (Nova's API validation refuses it). */
static int parse_bool(const char *s)
{
        static const char *const yes[] = { "1", "t", "true", "on", "y", "yes" }, *const no[] = {
                "0", "f", "false", "off", "n", "no"
        };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static const char *lookup(const FlavorProperty *p, size_t n, const char *key)
{
        const char *v = NULL;
        for (size_t i = 0; i < n; i++)
                if (streq(p[i].key, key))
                        v = p[i].value; /* the last one wins, as in a dict */
        return v;
}

static int add_error(FlavorResult *r, const char *name, const char *rule, const char *format, ...)
        _printf_(4, 5);
static int add_error(FlavorResult *r, const char *name, const char *rule, const char *format, ...)
{
        FlavorError *a = reallocarray(r->errors, r->n_errors + 1, sizeof(FlavorError));
        if (!a)
                return -ENOMEM;
        r->errors = a;
        va_list ap;
        char *m;
        va_start(ap, format);
        int k = vasprintf(&m, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        r->errors[r->n_errors++] = (FlavorError){ .name = name, .rule = rule, .message = m };
        return 0;
}

typedef struct Ctx {
        const FlavorInput *in;
        const char *flavor, *image, *image_id;
        FlavorResult *result;
} Ctx;

/* hw:KEY of the flavor and hw_KEY of the image (nova _get_flavor_image_meta). */
static void get_pair(const Ctx *c, const char *key, const char **ret_flavor, const char **ret_image)
{
        char fk[64], ik[64];
        snprintf(fk, sizeof(fk), "hw:%s", key);
        snprintf(ik, sizeof(ik), "hw_%s", key);
        *ret_flavor = lookup(c->in->extra_specs, c->in->n_extra_specs, fk);
        *ret_image = lookup(c->in->image_properties, c->in->n_image_properties, ik);
}

/* nova _get_unique_flavor_image_meta: both set and different is a conflict. 1: conflict reported. */
static int get_unique(const Ctx *c, const char *key, const char **ret)
{
        const char *f, *i;
        get_pair(c, key, &f, &i);
        if (f && i && !streq(f, i)) {
                int r = add_error(c->result, "FlavorImageConflict", NULL,
                                  "Flavor %s has hw:%s extra spec explicitly set to %s, conflicting with "
                                  "image %s which has hw_%s explicitly set to %s.",
                                  c->flavor, key, f, c->image, key, i);
                return r < 0 ? r : 1;
        }
        *ret = f ?: i;
        return 0;
}

static int bool_value(const Ctx *c, const char *key, const char *value, int *ret)
{
        if (!value) {
                *ret = -1;
                return 0;
        }
        *ret = parse_bool(value);
        if (*ret >= 0)
                return 0;
        int r = add_error(c->result, "ValidationError", NULL,
                          "%s='%s' is not a boolean (true/false, yes/no, 1/0)", key, value);
        return r < 0 ? r : 1;
}

/* The rules of cvm validate that judge a Nova image too, and the exception Nova raises for each. */
static const struct {
        const char *rule, *nova;
} shared_rules[] = {
        { "machine.q35", "InvalidMachineType" },
        { "firmware.stateless", "StatelessFirmwareRequired" },
        /* The TDX spec names no exception: the image constraints of memory encryption raise this one. */
        { "disk.scsi-boot", "FlavorImageConflict" },
};

static int image_constraints(const Ctx *c, MemEncryptionModel model)
{
        FlavorResult *res = c->result;
        const char *fw = NULL, *machine, *stateless, *disk_bus, *scsi_model, *unused;
        int r, st;

        /*
         * nova MemEncryptionConfigSev._check_firmware_type reads the image's property only; the TDX spec
         * accepts the flavor's hw:firmware_type too.
         */
        if (model != MEM_ENCRYPTION_INTEL_TDX)
                get_pair(c, "firmware_type", &unused, &fw);
        else if ((r = get_unique(c, "firmware_type", &fw)) != 0)
                return r < 0 ? r : 0;
        if (!fw || !streq(fw, "uefi")) {
                r = add_error(res, "FlavorImageConflict", NULL,
                              "Memory encryption is requested by %s but the image metadata doesn't have the "
                              "'hw_firmware_type' property set to 'uefi'",
                              res->requesters);
                if (r < 0)
                        return r;
        }
        /* An image property only (or the compute node's hw_machine_type, which the driver checks). */
        get_pair(c, "machine_type", &unused, &machine);
        stateless = lookup(c->in->image_properties, c->in->n_image_properties, "hw_firmware_stateless");
        if ((r = bool_value(c, "hw_firmware_stateless", stateless, &st)) != 0)
                return r < 0 ? r : 0;
        get_pair(c, "disk_bus", &unused, &disk_bus);
        get_pair(c, "scsi_model", &unused, &scsi_model);

        /* The image as a VM definition: what the rules of cvm validate look at. */
        _cleanup_(vm_spec_done) VmSpec spec;
        vm_spec_init(&spec);
        spec.coco = model == MEM_ENCRYPTION_INTEL_TDX ? VM_COCO_TDX : VM_COCO_SEV_SNP;
        if (machine && !(spec.machine = strdup(machine)))
                return -ENOMEM;
        /* Stateless firmware is required for SEV-SNP (Nova) and TDX (its spec), not for SEV and SEV-ES. */
        bool needs_stateless = model == MEM_ENCRYPTION_AMD_SEV_SNP || model == MEM_ENCRYPTION_INTEL_TDX;
        if (needs_stateless && st != 1 && !(spec.firmware_vars = strdup("the image's UEFI variable store")))
                return -ENOMEM;
        bool scsi =
                (disk_bus && streq(disk_bus, "scsi")) || (scsi_model && streq(scsi_model, "virtio-scsi"));
        VmDisk disk = { .path = (char *) "the image's boot disk", .bus = DISK_BUS_SCSI, .boot = true };
        if (scsi) {
                spec.disks = &disk;
                spec.n_disks = 1;
        }

        _cleanup_(vm_validation_done) VmValidation v = {};
        RuleContext ctx = { .spec = &spec };
        r = vm_validate(&ctx, &v);
        spec.disks = NULL; /* on the stack */
        spec.n_disks = 0;
        if (r < 0)
                return r;

        for (size_t i = 0; i < v.n_findings; i++)
                for (size_t k = 0; k < ELEMENTSOF(shared_rules); k++) {
                        const char *id = shared_rules[k].rule;
                        if (!streq(v.findings[i].id, id))
                                continue;
                        if (streq(id, "machine.q35"))
                                r = add_error(
                                        res, shared_rules[k].nova, id,
                                        "Machine type '%s' is not compatible with image %s (%s): q35 type "
                                        "is required for %s to work",
                                        machine, c->image, c->image_id, tee_name(model));
                        else if (streq(id, "firmware.stateless"))
                                r = add_error(res, shared_rules[k].nova, id,
                                              "The %s memory encryption model requires stateless firmware "
                                              "but the image metadata doesn't have the "
                                              "'hw_firmware_stateless' property set to True",
                                              mem_encryption_model_to_string(model));
                        else
                                r = add_error(
                                        res, shared_rules[k].nova, id,
                                        "%s guests cannot boot from SCSI (TDVF has no SCSI driver), but "
                                        "image %s sets %s",
                                        tee_name(model), c->image,
                                        disk_bus && streq(disk_bus, "scsi") ? "hw_disk_bus=scsi"
                                                                            : "hw_scsi_model=virtio-scsi");
                        if (r < 0)
                                return r;
                }
        return 0;
}

int flavor_evaluate(const FlavorInput *in, FlavorResult *ret)
{
        FlavorResult res = { .model = _MEM_ENCRYPTION_MODEL_INVALID };
        Ctx c = { .in = in,
                  .flavor = in->flavor_name ?: "flavor",
                  .image = in->image_name ?: "image",
                  .image_id = in->image_id ?: "<no-id>", /* Nova's word for an image without one */
                  .result = &res };
        const char *fv, *iv, *model = NULL;
        int fb, ib, r;

        get_pair(&c, "mem_encryption", &fv, &iv);
        if ((r = bool_value(&c, "hw:mem_encryption", fv, &fb)) != 0 ||
            (r = bool_value(&c, "hw_mem_encryption", iv, &ib)) != 0)
                goto done;
        if (fb != 1 && ib != 1)
                goto done; /* nothing asked for: no constraint */
        res.requested = true;
        if (fb >= 0 && ib >= 0 && fb != ib) {
                r = add_error(&res, "FlavorImageConflict", NULL,
                              "Flavor %s has hw:mem_encryption extra spec explicitly set to %s, conflicting "
                              "with image %s which has hw_mem_encryption property explicitly set to %s",
                              c.flavor, fv, c.image, ib ? "True" : "False"); /* Nova prints the bool */
                goto done;
        }
        if (asprintf(&res.requesters, "%s%s%s%s%s%s", fb == 1 ? "hw:mem_encryption extra spec in " : "",
                     fb == 1 ? c.flavor : "", fb == 1 ? " flavor" : "", fb == 1 && ib == 1 ? " and " : "",
                     ib == 1 ? "hw_mem_encryption property of image " : "", ib == 1 ? c.image_id : "") < 0) {
                res.requesters = NULL;
                r = -ENOMEM;
                goto done;
        }

        /* nova _check_for_mem_encryption_model_conflicts: its own message, not
         * _get_unique_flavor_image_meta's. */
        const char *fm, *im;
        get_pair(&c, "mem_encryption_model", &fm, &im);
        if (fm && im && !streq(fm, im)) {
                r = add_error(&res, "FlavorImageConflict", NULL,
                              "Flavor %s has hw:mem_encryption_model extra spec explicitly set to %s, "
                              "conflicting with image %s which has hw_mem_encryption_model property "
                              "explicitly set to %s",
                              c.flavor, fm, c.image, im);
                goto done;
        }
        model = fm ?: im;
        /* Nova's default model, also when only TDX hosts exist (the TDX spec keeps it). */
        res.model = mem_encryption_model_from_string(model ?: "amd-sev");
        if (res.model < 0) {
                /* nova MemEncryptionConfig.create raises the generic Invalid (intel-tdx: the TDX spec). */
                r = add_error(&res, "Invalid", NULL,
                              "Invalid memory encryption model '%s'. Allowed values: amd-sev, amd-sev-es, "
                              "amd-sev-snp, intel-tdx.",
                              model);
                goto done;
        }
        r = image_constraints(&c, res.model);

done:
        if (r < 0) {
                flavor_result_done(&res);
                return r;
        }
        *ret = res;
        return 0;
}

void flavor_result_done(FlavorResult *r)
{
        for (size_t i = 0; i < r->n_errors; i++)
                free(r->errors[i].message);
        free(r->errors);
        free(r->requesters);
        *r = (FlavorResult){};
}
