/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Firmware descriptors and the tdx.firmware / snp.firmware checks on fake host trees: descriptor parsing,
 * the /etc over /usr/share precedence of docs/interop/firmware.json, broken descriptors named in the
 * finding, feature selection, missing images, and images that carry metadata without a descriptor.
 * Images are the real OVMF suffixes of test/data/firmware padded to 4 MiB, as install-firmware.sh does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "firmware.h"
#include "test-checks-util.h"
#include "test-ovmf-util.h"

static const char tdx_descriptor[] =
        "{\n"
        "    \"description\": \"UEFI firmware for x86_64, with Intel TDX support\",\n"
        "    \"interface-types\": [\"uefi\"],\n"
        "    \"mapping\": {\"device\": \"memory\", \"filename\": \"/usr/share/ovmf/OVMF.inteltdx.ms.fd\"},\n"
        "    \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],\n"
        "    \"features\": [\"enrolled-keys\", \"intel-tdx\", \"secure-boot\", \"verbose-dynamic\"],\n"
        "    \"tags\": []\n"
        "}\n";

static const char snp_descriptor[] =
        "{\"interface-types\": [\"uefi\"],"
        " \"mapping\": {\"device\": \"memory\", \"filename\": \"/usr/share/ovmf/OVMF.amdsev.fd\"},"
        " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
        " \"features\": [\"amd-sev\", \"amd-sev-es\", \"amd-sev-snp\", \"verbose-dynamic\"], \"tags\": []}";

/* Debian bookworm's 60-edk2-x86_64.json: pflash, no TDX/SNP feature. */
static const char flash_descriptor[] =
        "{\"interface-types\": [\"uefi\"],"
        " \"mapping\": {\"device\": \"flash\", \"executable\": {\"filename\": "
        "\"/usr/share/OVMF/OVMF_CODE_4M.fd\","
        " \"format\": \"raw\"}, \"nvram-template\": {\"filename\": \"/usr/share/OVMF/OVMF_VARS_4M.fd\","
        " \"format\": \"raw\"}},"
        " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-i440fx-*\", \"pc-q35-*\"]}],"
        " \"features\": [\"acpi-s3\", \"amd-sev\", \"verbose-dynamic\"], \"tags\": []}";

static void descriptor_parse_real(void **state)
{
        _cleanup_(firmware_descriptor_done) FirmwareDescriptor d = {};
        char *detail = NULL;

        assert_int_equal(firmware_descriptor_parse(tdx_descriptor, strlen(tdx_descriptor), &d, &detail), 0);
        assert_null(detail);
        assert_string_equal(d.device, "memory");
        assert_string_equal(d.filename, "/usr/share/ovmf/OVMF.inteltdx.ms.fd");
        assert_string_equal(d.interface_types[0], "uefi");
        assert_null(d.interface_types[1]);
        assert_string_equal(d.targets[0], "x86_64");
        assert_true(firmware_descriptor_has_feature(&d, "intel-tdx"));
        assert_false(firmware_descriptor_has_feature(&d, "amd-sev-snp"));
        firmware_descriptor_done(&d);

        assert_int_equal(firmware_descriptor_parse(flash_descriptor, strlen(flash_descriptor), &d, &detail),
                         0);
        assert_string_equal(d.device, "flash");
        assert_string_equal(d.filename, "/usr/share/OVMF/OVMF_CODE_4M.fd");
}

static void descriptor_parse_broken(void **state)
{
        static const struct {
                const char *json, *detail;
        } cases[] = {
                { "", "empty file" },
                { "{\"mapping\": ", "not valid JSON" },
                { "[]", "not a JSON object" },
                { "{\"interface-types\": [\"uefi\"], \"targets\": [], \"features\": []}",
                  "\"mapping\" is missing or not an object" },
                { "{\"mapping\": {\"filename\": \"/x\"}}", "\"mapping\": no string \"device\"" },
                { "{\"mapping\": {\"device\": \"rom\", \"filename\": \"/x\"}}",
                  "\"mapping\": unknown device \"rom\"" },
                { "{\"mapping\": {\"device\": \"flash\", \"filename\": \"/x\"}}",
                  "\"mapping\": flash without \"executable\".\"filename\"" },
                { "{\"mapping\": {\"device\": \"memory\"}}", "\"mapping\": memory without \"filename\"" },
                { "{\"mapping\": {\"device\": \"memory\", \"filename\": \"\"}}",
                  "\"mapping\": empty filename" },
                { "{\"mapping\": {\"device\": \"memory\", \"filename\": \"/x\"}, \"targets\": [], "
                  "\"features\": []}",
                  "\"interface-types\" is missing or not an array" },
                { "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"memory\", \"filename\": "
                  "\"/x\"}, "
                  "\"targets\": [], \"features\": [\"intel-tdx\", 7]}",
                  "\"features\"[1] is not a string" },
                { "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"memory\", \"filename\": "
                  "\"/x\"}, "
                  "\"targets\": [\"x86_64\"], \"features\": []}",
                  "\"targets\"[0]: no string \"architecture\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                FirmwareDescriptor d = { .device = (char *) "untouched" };
                _cleanup_free_ char *detail = NULL;
                assert_int_equal(
                        firmware_descriptor_parse(cases[i].json, strlen(cases[i].json), &d, &detail),
                        -EBADMSG);
                assert_string_equal(detail, cases[i].detail);
                assert_string_equal(d.device, "untouched");
        }

        _cleanup_free_ char *big = malloc(FIRMWARE_DESCRIPTOR_MAX + 1), *detail = NULL;
        FirmwareDescriptor d;
        assert_non_null(big);
        memset(big, ' ', FIRMWARE_DESCRIPTOR_MAX + 1);
        assert_int_equal(firmware_descriptor_parse(big, FIRMWARE_DESCRIPTOR_MAX + 1, &d, &detail), -E2BIG);
}

/* Writes an OVMF image into the tree; corrupt_at >= 0 flips a byte counted from the end. */
static void put_image(const char *root, const char *path, const char *suffix, long corrupt_at)
{
        _cleanup_free_ uint8_t *img = ovmf_padded(suffix, 4 * MiB);
        _cleanup_free_ char *p = NULL;
        if (corrupt_at >= 0)
                img[4 * MiB - (size_t) corrupt_at] ^= 0xff;
        assert_true(asprintf(&p, "%s%s", root, path) > 0);
        assert_int_equal(mkdir_parents(p), 0);
        assert_int_equal(write_full_file(p, img, 4 * MiB), 0);
}

static Result collect(const char *root)
{
        Result r = {};
        assert_int_equal(cvm_host_facts_collect(root, NULL, CVM_FACTS_NO_QEMU, &r.facts), 0);
        assert_int_equal(cvm_host_check(r.facts, (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP), &r.report), 0);

        /* What the checks decide from a saved document must be what they decided here. */
        _cleanup_free_ char *text = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *again = NULL;
        assert_int_equal(cvm_host_facts_format(r.facts, &text), 0);
        assert_int_equal(cvm_host_facts_parse(text, strlen(text), &again), 0);
        return r;
}

static json_object *firmware(const Result *r)
{
        json_object *fw = facts_member(r->facts, "firmware");
        assert_non_null(fw);
        return fw;
}

static void firmware_precedence_and_broken_descriptor(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json", tdx_descriptor,
                /* The sysadmin's copy of the same name is broken: it wins, and it is named. */
                "/etc/qemu/firmware/60-edk2-x86_64-inteltdx.json", "{\"mapping\": {\"device\": \"memory\"",
                "/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json", snp_descriptor,
                /* An empty file in /etc hides the distribution's descriptor. */
                "/etc/qemu/firmware/60-edk2-x86_64-amdsev.json", "",
                "/usr/share/qemu/firmware/50-edk2-x86_64.json", flash_descriptor,
                "/usr/share/qemu/firmware/README", "not a descriptor", NULL });
        put_image(root, "/usr/share/ovmf/OVMF.inteltdx.ms.fd", "ovmf_OvmfX64_suffix.bin", -1);
        put_image(root, "/usr/share/ovmf/OVMF.amdsev.fd", "ovmf_AmdSev_suffix.bin", -1);
        _cleanup_(result_done) Result r = collect(root);

        json_object *d = json_get(firmware(&r), "descriptors", json_type_array);
        assert_int_equal(json_object_array_length(d), 5);
        /* Sorted by file name, the overriding file before the one it overrides. */
        json_object *e = json_object_array_get_idx(d, 0);
        assert_string_equal(json_get_string(e, "path"), "/usr/share/qemu/firmware/50-edk2-x86_64.json");
        assert_string_equal(json_get_string(e, "device"), "flash");
        e = json_object_array_get_idx(d, 1);
        assert_string_equal(json_get_string(e, "path"), "/etc/qemu/firmware/60-edk2-x86_64-amdsev.json");
        assert_true(json_object_get_boolean(json_get(e, "empty", json_type_boolean)));
        e = json_object_array_get_idx(d, 2);
        assert_string_equal(json_get_string(e, "path"),
                            "/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json");
        assert_string_equal(json_get_string(e, "overridden_by"),
                            "/etc/qemu/firmware/60-edk2-x86_64-amdsev.json");
        e = json_object_array_get_idx(d, 3);
        assert_string_equal(json_get_string(e, "path"), "/etc/qemu/firmware/60-edk2-x86_64-inteltdx.json");
        assert_string_equal(json_get_string(e, "error"), "EBADMSG");
        assert_string_equal(json_get_string(e, "detail"), "not valid JSON");
        e = json_object_array_get_idx(d, 4);
        assert_string_equal(json_get_string(e, "overridden_by"),
                            "/etc/qemu/firmware/60-edk2-x86_64-inteltdx.json");

        /* Only usable descriptors name images; the well-known /usr/share/ovmf/OVMF.fd is absent here. */
        json_object *images = json_get(firmware(&r), "images", json_type_object);
        assert_int_equal(json_object_object_length(images), 1);
        json_object *code = json_get(images, "/usr/share/OVMF/OVMF_CODE_4M.fd", json_type_object);
        assert_string_equal(json_get_string(code, "error"), "ENOENT");

        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        assert_string_equal(t->message,
                            "No firmware for intel-tdx: none of the 5 firmware descriptors declares it and "
                            "none of the 1 firmware images inspected carries valid TDX metadata; "
                            "descriptor /etc/qemu/firmware/60-edk2-x86_64-inteltdx.json is unusable: "
                            "not valid JSON");
        assert_non_null(strstr(t->hint, "ovmf-inteltdx"));
        const cvm_finding *s = finding(&r, "snp.firmware");
        assert_int_equal(s->status, CVM_CHECK_FAIL);
        assert_non_null(strstr(s->message, "none of the 5 firmware descriptors declares it"));
}

static void firmware_feature_selection(void **state)
{
        static const char missing_tdx[] =
                "{\"interface-types\": [\"uefi\"],"
                " \"mapping\": {\"device\": \"memory\", \"filename\": \"/usr/share/ovmf/OVMF.missing.fd\"},"
                " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
                " \"features\": [\"intel-tdx\"]}";
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/usr/share/qemu/firmware/10-missing-tdx.json", missing_tdx,
                "/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json", tdx_descriptor,
                "/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json", snp_descriptor, NULL });
        put_image(root, "/usr/share/ovmf/OVMF.inteltdx.ms.fd", "ovmf_OvmfX64_suffix.bin", -1);
        put_image(root, "/usr/share/ovmf/OVMF.amdsev.fd", "ovmf_AmdSev_suffix.bin", -1);
        _cleanup_(result_done) Result r = collect(root);

        /* The first descriptor declaring the feature names a missing image; the next one works. */
        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_PASS);
        assert_string_equal(t->message,
                            "Firmware descriptor /usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json "
                            "maps /usr/share/ovmf/OVMF.inteltdx.ms.fd (-bios), which carries valid TDX "
                            "metadata (6 TDVF sections)");
        const cvm_finding *s = finding(&r, "snp.firmware");
        assert_int_equal(s->status, CVM_CHECK_PASS);
        assert_string_equal(s->message,
                            "Firmware descriptor /usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json maps "
                            "/usr/share/ovmf/OVMF.amdsev.fd (-bios), which carries valid SEV metadata "
                            "(7 sections)");

        json_object *img = json_get(json_get(firmware(&r), "images", json_type_object),
                                    "/usr/share/ovmf/OVMF.amdsev.fd", json_type_object);
        assert_int_equal(json_object_get_int(json_get(img, "size", json_type_int)), 4 * MiB);
        json_object *sev = json_get(img, "sev", json_type_object);
        assert_int_equal(json_object_get_int(json_get(sev, "sections", json_type_int)), 7);
        assert_string_equal(json_get_string(sev, "sev_es_reset_eip"), "0x80b004");
        assert_string_equal(json_get_string(json_get(img, "tdx", json_type_object), "descriptor_offset"),
                            "0x3ff630");
}

static void firmware_image_missing_or_broken(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){
                "/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json", tdx_descriptor,
                "/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json", snp_descriptor, NULL });
        /* The TDX image is absent; the SNP image has a broken ASEV signature (0x554 from the end). */
        put_image(root, "/usr/share/ovmf/OVMF.amdsev.fd", "ovmf_AmdSev_suffix.bin", 0x554);
        _cleanup_(result_done) Result r = collect(root);

        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        assert_string_equal(t->message,
                            "No usable intel-tdx firmware: "
                            "/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json declares intel-tdx, but "
                            "/usr/share/ovmf/OVMF.inteltdx.ms.fd: cannot be read: ENOENT (No such file or "
                            "directory)");
        const cvm_finding *s = finding(&r, "snp.firmware");
        assert_int_equal(s->status, CVM_CHECK_FAIL);
        assert_string_equal(s->message,
                            "No usable amd-sev-snp firmware: "
                            "/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json declares amd-sev-snp, but "
                            "/usr/share/ovmf/OVMF.amdsev.fd: SEV metadata at file offset 0x3ffaac: "
                            "signature 0x564553be, expected 0x56455341 (\"ASEV\")");
}

static void firmware_flash_mapping_refused(void **state)
{
        static const char flash_tdx[] =
                "{\"interface-types\": [\"uefi\"],"
                " \"mapping\": {\"device\": \"flash\", \"executable\": {\"filename\": "
                "\"/usr/share/ovmf/OVMF.tdx.fd\","
                " \"format\": \"raw\"}},"
                " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
                " \"features\": [\"intel-tdx\"]}";
        _cleanup_(rm_rf_freep) char *root =
                make_tree((const char *[]){ "/usr/share/qemu/firmware/60-tdx-flash.json", flash_tdx, NULL });
        put_image(root, "/usr/share/ovmf/OVMF.tdx.fd", "ovmf_OvmfX64_suffix.bin", -1);
        _cleanup_(result_done) Result r = collect(root);

        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        assert_string_equal(t->message,
                            "No usable intel-tdx firmware: /usr/share/qemu/firmware/60-tdx-flash.json "
                            "declares intel-tdx, but it maps /usr/share/ovmf/OVMF.tdx.fd as flash; a "
                            "confidential guest's firmware must be loaded with -bios (device \"memory\")");
}

static void firmware_undescribed_image_warns(void **state)
{
        /* Debian/Ubuntu: only pflash descriptors, but the combined OVMF.fd carries both metadata tables. */
        _cleanup_(rm_rf_freep) char *root = make_tree(
                (const char *[]){ "/usr/share/qemu/firmware/60-edk2-x86_64.json", flash_descriptor, NULL });
        put_image(root, "/usr/share/ovmf/OVMF.fd", "ovmf_OvmfX64_suffix.bin", -1);
        _cleanup_(result_done) Result r = collect(root);

        json_object *img = json_get(json_get(firmware(&r), "images", json_type_object),
                                    "/usr/share/ovmf/OVMF.fd", json_type_object);
        assert_non_null(img);
        assert_int_equal(json_object_array_length(json_get(img, "described_by", json_type_array)), 0);

        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_WARN);
        assert_string_equal(t->message,
                            "No firmware descriptor declares intel-tdx, but /usr/share/ovmf/OVMF.fd "
                            "carries valid TDX metadata (6 TDVF sections)");
        assert_string_equal(t->hint,
                            "Pass --firmware=/usr/share/ovmf/OVMF.fd to use it, or install firmware whose "
                            "QEMU descriptor declares intel-tdx.");
        assert_int_equal(finding(&r, "snp.firmware")->status, CVM_CHECK_WARN);
}

static void firmware_nothing(void **state)
{
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){ "/proc/cmdline", "quiet\n", NULL });
        _cleanup_(result_done) Result r = collect(root);
        const cvm_finding *t = finding(&r, "tdx.firmware");
        assert_int_equal(t->status, CVM_CHECK_FAIL);
        assert_string_equal(t->message,
                            "No firmware for intel-tdx: none of the 0 firmware descriptors declares it and "
                            "none of the 0 firmware images inspected carries valid TDX metadata");
        /* Not collected (a facts document without "firmware"): skipped, and the verdict is unknown. */
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *f = NULL;
        _cleanup_(cvm_host_report_freep) cvm_host_report *rep = NULL;
        static const char doc[] = "{\"cvm-facts\": 1, \"files\": {}, \"paths\": {}}";
        assert_int_equal(cvm_host_facts_parse(doc, strlen(doc), &f), 0);
        assert_int_equal(cvm_host_check(f, 1u << CVM_TEE_TDX, &rep), 0);
        for (size_t i = 0; i < rep->n_findings; i++)
                if (streq(rep->findings[i].id, "tdx.firmware"))
                        assert_int_equal(rep->findings[i].status, CVM_CHECK_SKIP);
}

static void install_firmware_script(void **state)
{
        /* test/data/hosts/install-firmware.sh gives trees whose checks pass, byte-identical on reruns. */
        const char *data = getenv("CVM_TEST_DATA");
        _cleanup_(rm_rf_freep) char *root = make_tree((const char *[]){ "/proc/cmdline", "quiet\n", NULL });
        _cleanup_free_ char *cmd = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        assert_non_null(data);
        assert_true(asprintf(&cmd, "%s/hosts/install-firmware.sh", data) > 0);
        for (int run = 0; run < 2; run++) {
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        execl(cmd, cmd, root, "both", (char *) NULL);
                        _exit(127);
                }
                int status;
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                _cleanup_free_ char *p = NULL;
                assert_true(asprintf(&p, "%s/usr/share/ovmf/OVMF.inteltdx.ms.fd", root) > 0);
                assert_int_equal(read_full_file(p, 8 * MiB, run == 0 ? &a : &b, run == 0 ? &na : &nb), 0);
        }
        assert_int_equal(na, 4 * MiB);
        assert_int_equal(nb, na);
        assert_memory_equal(a, b, na);

        _cleanup_(result_done) Result r = collect(root);
        assert_int_equal(finding(&r, "tdx.firmware")->status, CVM_CHECK_PASS);
        assert_int_equal(finding(&r, "snp.firmware")->status, CVM_CHECK_PASS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(descriptor_parse_real),
                cmocka_unit_test(descriptor_parse_broken),
                cmocka_unit_test(firmware_precedence_and_broken_descriptor),
                cmocka_unit_test(firmware_feature_selection),
                cmocka_unit_test(firmware_image_missing_or_broken),
                cmocka_unit_test(firmware_flash_mapping_refused),
                cmocka_unit_test(firmware_undescribed_image_warns),
                cmocka_unit_test(firmware_nothing),
                cmocka_unit_test(install_firmware_script),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
