/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm flavor: one row per Nova rule and conflict (nova/virt/hardware.py get_mem_encryption_constraint and
 * its checks, the TDX spec's constraints), each with the exact verdict, model, trait and error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "vm/flavor.h"

#define MAXP 8

typedef struct Case {
        const char *what;
        FlavorProperty specs[MAXP], props[MAXP];
        bool requested;
        const char *model;       /* NULL: none decided */
        const char *errors[4];   /* Nova exception names, in order; empty: accepted */
        const char *rules[4];    /* the cvm rule of each error, or NULL */
        const char *message_has; /* a part of the first error's message */
} Case;

/* An image that suits every model. */
#define GOOD_IMAGE                                                                                          \
        { "hw_firmware_type", "uefi" }, { "hw_machine_type", "q35" },                                       \
        {                                                                                                   \
                "hw_firmware_stateless", "True"                                                             \
        }

static const Case cases[] = {
        { "nothing asked", {}, { GOOD_IMAGE }, false, NULL, {}, {}, NULL },
        { "explicitly off on both",
          { { "hw:mem_encryption", "false" } },
          { { "hw_mem_encryption", "no" } },
          false,
          NULL,
          {},
          {},
          NULL },
        { "a model alone asks for nothing",
          { { "hw:mem_encryption_model", "intel-tdx" } },
          {},
          false,
          NULL,
          {},
          {},
          NULL },
        { "flavor on, default model amd-sev",
          { { "hw:mem_encryption", "true" } },
          { GOOD_IMAGE },
          true,
          "amd-sev",
          {},
          {},
          NULL },
        { "image on",
          {},
          { GOOD_IMAGE, { "hw_mem_encryption", "True" }, { "hw_mem_encryption_model", "amd-sev-es" } },
          true,
          "amd-sev-es",
          {},
          {},
          NULL },
        { "both on, same model",
          { { "hw:mem_encryption", "1" }, { "hw:mem_encryption_model", "amd-sev-snp" } },
          { GOOD_IMAGE, { "hw_mem_encryption", "yes" }, { "hw_mem_encryption_model", "amd-sev-snp" } },
          true,
          "amd-sev-snp",
          {},
          {},
          NULL },
        { "tdx accepted",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { GOOD_IMAGE },
          true,
          "intel-tdx",
          {},
          {},
          NULL },
        { "pc-q35-8.2 is a q35 machine",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { { "hw_firmware_type", "uefi" },
            { "hw_machine_type", "pc-q35-8.2" },
            { "hw_firmware_stateless", "true" } },
          true,
          "intel-tdx",
          {},
          {},
          NULL },
        { "flavor on, image off: conflict",
          { { "hw:mem_encryption", "true" } },
          { GOOD_IMAGE, { "hw_mem_encryption", "false" } },
          true,
          NULL,
          { "FlavorImageConflict" },
          { NULL },
          "Flavor flavor has hw:mem_encryption extra spec explicitly set to true, conflicting with image "
          "image "
          "which has hw_mem_encryption property explicitly set to False" },
        { "flavor off, image on: conflict",
          { { "hw:mem_encryption", "false" } },
          { GOOD_IMAGE, { "hw_mem_encryption", "true" } },
          true,
          NULL,
          { "FlavorImageConflict" },
          { NULL },
          "explicitly set to false, conflicting with image image which has hw_mem_encryption property "
          "explicitly set to True" },
        { "model conflict",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { GOOD_IMAGE, { "hw_mem_encryption_model", "amd-sev-snp" } },
          true,
          NULL,
          { "FlavorImageConflict" },
          { NULL },
          "Flavor flavor has hw:mem_encryption_model extra spec explicitly set to intel-tdx, conflicting "
          "with "
          "image image which has hw_mem_encryption_model property explicitly set to amd-sev-snp" },
        { "unknown model",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "arm-cca" } },
          { GOOD_IMAGE },
          true,
          NULL,
          { "Invalid" },
          { NULL },
          "Invalid memory encryption model 'arm-cca'. Allowed values: amd-sev, amd-sev-es, amd-sev-snp, "
          "intel-tdx." },
        { "not a boolean",
          { { "hw:mem_encryption", "maybe" } },
          { GOOD_IMAGE },
          false,
          NULL,
          { "ValidationError" },
          { NULL },
          "hw:mem_encryption='maybe'" },
        { "image not uefi",
          { { "hw:mem_encryption", "true" } },
          { { "hw_machine_type", "q35" }, { "hw_firmware_type", "bios" } },
          true,
          "amd-sev",
          { "FlavorImageConflict" },
          { NULL },
          "Memory encryption is requested by hw:mem_encryption extra spec in flavor flavor but the image "
          "metadata doesn't have the 'hw_firmware_type' property set to 'uefi'" },
        { "uefi from the flavor (TDX spec)",
          { { "hw:mem_encryption", "true" },
            { "hw:mem_encryption_model", "intel-tdx" },
            { "hw:firmware_type", "uefi" } },
          { { "hw_machine_type", "q35" }, { "hw_firmware_stateless", "true" } },
          true,
          "intel-tdx",
          {},
          {},
          NULL },
        { "uefi from the flavor does not count for SEV (Nova reads the image)",
          { { "hw:mem_encryption", "true" }, { "hw:firmware_type", "uefi" } },
          { { "hw_machine_type", "q35" } },
          true,
          "amd-sev",
          { "FlavorImageConflict" },
          { NULL },
          "the image metadata doesn't have the 'hw_firmware_type' property set to 'uefi'" },
        { "firmware type conflict (TDX)",
          { { "hw:mem_encryption", "true" },
            { "hw:mem_encryption_model", "intel-tdx" },
            { "hw:firmware_type", "uefi" } },
          { { "hw_firmware_type", "bios" } },
          true,
          "intel-tdx",
          { "FlavorImageConflict" },
          { NULL },
          "Flavor flavor has hw:firmware_type extra spec explicitly set to uefi, conflicting with image "
          "image "
          "which has hw_firmware_type explicitly set to bios." },
        { "hw:machine_type of a flavor is not Nova's",
          { { "hw:mem_encryption", "true" }, { "hw:machine_type", "pc-i440fx-7.2" } },
          { GOOD_IMAGE },
          true,
          "amd-sev",
          {},
          {},
          NULL },
        { "machine not q35",
          { { "hw:mem_encryption", "true" } },
          { { "hw_firmware_type", "uefi" }, { "hw_machine_type", "pc-i440fx-7.2" } },
          true,
          "amd-sev",
          { "InvalidMachineType" },
          { "machine.q35" },
          "Machine type 'pc-i440fx-7.2' is not compatible with image image (<no-id>): q35 type is required "
          "for SEV to work" },
        { "machine type unset: checked later by the driver",
          { { "hw:mem_encryption", "true" } },
          { { "hw_firmware_type", "uefi" } },
          true,
          "amd-sev",
          {},
          {},
          NULL },
        { "snp without stateless firmware",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "amd-sev-snp" } },
          { { "hw_firmware_type", "uefi" }, { "hw_machine_type", "q35" } },
          true,
          "amd-sev-snp",
          { "StatelessFirmwareRequired" },
          { "firmware.stateless" },
          "The amd-sev-snp memory encryption model requires stateless firmware but the image metadata "
          "doesn't "
          "have the 'hw_firmware_stateless' property set to True" },
        { "tdx with stateless=false",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { { "hw_firmware_type", "uefi" },
            { "hw_machine_type", "q35" },
            { "hw_firmware_stateless", "false" } },
          true,
          "intel-tdx",
          { "StatelessFirmwareRequired" },
          { "firmware.stateless" },
          "The intel-tdx memory encryption model requires stateless firmware" },
        { "sev-es needs no stateless firmware",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "amd-sev-es" } },
          { { "hw_firmware_type", "uefi" }, { "hw_machine_type", "q35" } },
          true,
          "amd-sev-es",
          {},
          {},
          NULL },
        { "tdx scsi boot bus",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { GOOD_IMAGE, { "hw_disk_bus", "scsi" } },
          true,
          "intel-tdx",
          { "FlavorImageConflict" },
          { "disk.scsi-boot" },
          "sets hw_disk_bus=scsi" },
        { "tdx virtio-scsi model",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { GOOD_IMAGE, { "hw_scsi_model", "virtio-scsi" } },
          true,
          "intel-tdx",
          { "FlavorImageConflict" },
          { "disk.scsi-boot" },
          "sets hw_scsi_model=virtio-scsi" },
        { "snp may boot from scsi",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "amd-sev-snp" } },
          { GOOD_IMAGE, { "hw_disk_bus", "scsi" } },
          true,
          "amd-sev-snp",
          {},
          {},
          NULL },
        { "every tdx constraint broken at once",
          { { "hw:mem_encryption", "true" }, { "hw:mem_encryption_model", "intel-tdx" } },
          { { "hw_machine_type", "pc" }, { "hw_disk_bus", "scsi" } },
          true,
          "intel-tdx",
          { "FlavorImageConflict", "StatelessFirmwareRequired", "InvalidMachineType",
            "FlavorImageConflict" },
          { NULL, "firmware.stateless", "machine.q35", "disk.scsi-boot" },
          "'hw_firmware_type'" },
};

static size_t count(const FlavorProperty *p)
{
        size_t n = 0;
        while (n < MAXP && p[n].key)
                n++;
        return n;
}

static void flavor_each_case(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *t = cases + i;
                FlavorInput in = { .extra_specs = t->specs,
                                   .n_extra_specs = count(t->specs),
                                   .image_properties = t->props,
                                   .n_image_properties = count(t->props) };
                FlavorResult r;
                print_message("# %s\n", t->what);
                assert_int_equal(flavor_evaluate(&in, &r), 0);
                assert_int_equal(r.requested, t->requested);
                if (t->model)
                        assert_string_equal(mem_encryption_model_to_string(r.model), t->model);
                else
                        assert_true(r.model < 0);
                size_t n = 0;
                while (n < ELEMENTSOF(t->errors) && t->errors[n])
                        n++;
                assert_int_equal(r.n_errors, n);
                for (size_t k = 0; k < n; k++) {
                        assert_string_equal(r.errors[k].name, t->errors[k]);
                        if (t->rules[k])
                                assert_string_equal(strna(r.errors[k].rule), t->rules[k]);
                        else
                                assert_null(r.errors[k].rule);
                }
                if (t->message_has)
                        assert_non_null(strstr(r.errors[0].message, t->message_has));
                flavor_result_done(&r);
        }
}

static void flavor_traits(void **state)
{
        assert_string_equal(mem_encryption_model_trait(MEM_ENCRYPTION_AMD_SEV), "HW_CPU_X86_AMD_SEV");
        assert_string_equal(mem_encryption_model_trait(MEM_ENCRYPTION_AMD_SEV_ES), "HW_CPU_X86_AMD_SEV_ES");
        assert_string_equal(mem_encryption_model_trait(MEM_ENCRYPTION_AMD_SEV_SNP),
                            "HW_CPU_X86_AMD_SEV_SNP");
        assert_string_equal(mem_encryption_model_trait(MEM_ENCRYPTION_INTEL_TDX), "HW_CPU_X86_INTEL_TDX");
        assert_null(mem_encryption_model_trait(_MEM_ENCRYPTION_MODEL_INVALID));
}

/* The messages name the flavor and image as Nova's do. */
static void flavor_requesters(void **state)
{
        const FlavorProperty specs[] = { { "hw:mem_encryption", "true" } };
        const FlavorProperty props[] = { { "hw_mem_encryption", "true" }, { "hw_firmware_type", "bios" } };
        FlavorInput in = {
                "small.tdx", "debian-13", specs, 1, props, 2, "5e1f2c4a-0d2b-4c55-9d2e-b1a2c3d4e5f6"
        };
        FlavorResult r;
        assert_int_equal(flavor_evaluate(&in, &r), 0);
        /* Nova names the flavor, but the image by its id. */
        assert_string_equal(r.requesters, "hw:mem_encryption extra spec in small.tdx flavor and "
                                          "hw_mem_encryption property of image "
                                          "5e1f2c4a-0d2b-4c55-9d2e-b1a2c3d4e5f6");
        assert_int_equal(r.n_errors, 1);
        assert_string_equal(
                r.errors[0].message,
                "Memory encryption is requested by hw:mem_encryption extra spec in small.tdx flavor and "
                "hw_mem_encryption property of image 5e1f2c4a-0d2b-4c55-9d2e-b1a2c3d4e5f6 but the image "
                "metadata doesn't have the 'hw_firmware_type' property set to 'uefi'");
        flavor_result_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(flavor_each_case),
                cmocka_unit_test(flavor_traits),
                cmocka_unit_test(flavor_requesters),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
