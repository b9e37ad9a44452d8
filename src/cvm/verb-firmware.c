/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm firmware FILE: what an OVMF/TDVF image tells the VMM, as QEMU reads it: the GUID table at its end,
 * the TDX metadata (TDVF descriptor and sections), the SEV metadata (ASEV sections), the SEV hashes table
 * area and the SEV-ES AP reset address (src/libcvm/measure/ovmf.h). The text is rendered from the JSON
 * document so the two agree.
 */
#include <getopt.h>
#include <inttypes.h>

#include "fileio.h"
#include "firmware-cli.h"
#include "hexbase64.h"
#include "log.h"
#include "output.h"
#include "reader.h"
#include "verbs.h"

static void help(void)
{
        printf("Usage: cvm firmware [OPTIONS...] FILE\n\n"
               "Parse an OVMF/TDVF firmware image as QEMU does and print its GUID table, its TDX metadata\n"
               "(TDVF descriptor and sections), its SEV metadata (ASEV sections), the SEV hashes table "
               "area\n"
               "and the SEV-ES reset address.\n\n"
               "  --json                Print one JSON object\n"
               "  -h, --help            Show this help\n\n"
               "Exit status: 0 parsed, 2 unreadable or malformed (the error names the structure and its\n"
               "file offset).\n");
}

int firmware_image_read(const char *path, uint8_t **ret_data, size_t *ret_size, OvmfImage *ret)
{
        _cleanup_free_ char *data = NULL;
        OvmfImage img;
        size_t size;
        int r;

        r = read_full_file(path, OVMF_IMAGE_MAX, &data, &size);
        if (r == -E2BIG)
                return log_error_errno(r, "Firmware '%s' is larger than %u MiB: not an OVMF image.", path,
                                       OVMF_IMAGE_MAX / (1024 * 1024));
        if (r < 0)
                return log_error_errno(r, "Failed to read firmware '%s': %m", path);
        r = ovmf_image_parse(data, size, size, &img);
        if (r < 0)
                return log_error_errno(r, "Failed to parse firmware '%s': %m", path);
        if (img.table.error < 0) {
                r = log_error_errno(img.table.error, "Firmware '%s': %s", path, img.table.detail);
                ovmf_image_done(&img);
                return r;
        }
        *ret_data = (uint8_t *) TAKE_PTR(data);
        *ret_size = size;
        *ret = img;
        return 0;
}

int firmware_part_error(const char *path, const char *part, const OvmfStatus *s)
{
        if (s->error >= 0 || s->error == -ENOENT)
                return 0;
        return log_error_errno(s->error, "Firmware '%s', %s: %s", path, part, s->detail);
}

static const struct {
        const EfiGuid *guid;
        const char *name;
} known_entries[] = {
        { &OVMF_GUID_SEV_ES_RESET, "SEV-ES reset block" },
        { &OVMF_GUID_SEV_HASH_TABLE, "SEV hashes table" },
        { &OVMF_GUID_SEV_METADATA, "SEV metadata offset" },
        { &OVMF_GUID_TDX_METADATA, "TDX metadata offset" },
};

static const char *entry_name(const EfiGuid *g)
{
        /* OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm: SEV_SECRET_GUID, base and size of the secret page.
         */
        static const EfiGuid secret =
                EFI_GUID_INIT(0x4c2eb361, 0x7d9b, 0x4cc3, 0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94);

        for (size_t i = 0; i < ELEMENTSOF(known_entries); i++)
                if (memcmp(known_entries[i].guid->bytes, g->bytes, 16) == 0)
                        return known_entries[i].name;
        return memcmp(secret.bytes, g->bytes, 16) == 0 ? "SEV secret block" : NULL;
}

/* {"status": "ok"|"absent"|"invalid", "error": SENTENCE|null} */
static int part_status(json_object *o, const OvmfStatus *s)
{
        const char *st = s->error >= 0 ? "ok" : s->error == -ENOENT ? "absent" : "invalid";
        int r = json_add(o, "status", json_object_new_string(st));
        return r < 0 ? r : json_add_string_or_null(o, "error", s->detail);
}

static int tdx_json(const OvmfImage *img, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object(), *a = json_object_new_array();
        int r;

        if (!o || !a || (r = part_status(o, &img->tdx)) < 0)
                return -ENOMEM;
        if (img->tdx.error >= 0) {
                if ((r = json_add(o, "descriptor_offset", json_hex_new(img->tdvf_offset))) < 0 ||
                    (r = json_add(o, "descriptor_guid", json_object_new_boolean(img->tdvf_guid_present))) <
                            0)
                        return r;
                for (size_t i = 0; i < img->n_tdvf_sections; i++) {
                        const TdvfSection *s = img->tdvf_sections + i;
                        json_object *e = json_object_new_object(), *attrs = json_object_new_array();
                        if ((r = json_append(a, e)) < 0) {
                                json_object_put(attrs);
                                return r;
                        }
                        if (!attrs || (r = json_add(e, "type", json_object_new_int64(s->type))) < 0 ||
                            (r = json_add_string_or_null(e, "type_name",
                                                         tdvf_section_type_to_string(s->type))) < 0 ||
                            (r = json_add(e, "data_offset", json_hex_new(s->data_offset))) < 0 ||
                            (r = json_add(e, "raw_size", json_hex_new(s->raw_size))) < 0 ||
                            (r = json_add(e, "gpa", json_hex_new(s->gpa))) < 0 ||
                            (r = json_add(e, "memory_size", json_hex_new(s->mem_size))) < 0 ||
                            (r = json_add(e, "attributes", json_hex_new(s->attributes))) < 0) {
                                json_object_put(attrs);
                                return -ENOMEM;
                        }
                        for (unsigned b = 0; b < 32; b++) {
                                if (!(s->attributes & (UINT32_C(1) << b)))
                                        continue;
                                char buf[16];
                                snprintf(buf, sizeof(buf), "bit %u", b);
                                const char *n = b == 0 ? "MR.EXTEND" : b == 1 ? "PAGE.AUG" : buf;
                                if ((r = json_append(attrs, json_object_new_string(n))) < 0) {
                                        json_object_put(attrs);
                                        return r;
                                }
                        }
                        if ((r = json_add(e, "attributes_flags", attrs)) < 0)
                                return r;
                }
        }
        if ((r = json_add(o, "sections", TAKE_PTR(a))) < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int sev_json(const OvmfImage *img, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object(), *a = json_object_new_array();
        int r;

        if (!o || !a || (r = part_status(o, &img->sev)) < 0)
                return -ENOMEM;
        if (img->sev.error >= 0) {
                if ((r = json_add(o, "offset", json_hex_new(img->sev_offset))) < 0 ||
                    (r = json_add(o, "version", json_object_new_int64(img->sev_version))) < 0)
                        return r;
                for (size_t i = 0; i < img->n_sev_sections; i++) {
                        const SevSection *s = img->sev_sections + i;
                        json_object *e = json_object_new_object();
                        if ((r = json_append(a, e)) < 0 ||
                            (r = json_add(e, "type", json_object_new_int64(s->type))) < 0 ||
                            (r = json_add_string_or_null(e, "type_name",
                                                         sev_section_type_to_string(s->type))) < 0 ||
                            (r = json_add(e, "gpa", json_hex_new(s->gpa))) < 0 ||
                            (r = json_add(e, "size", json_hex_new(s->size))) < 0)
                                return r;
                }
        }
        if ((r = json_add(o, "sections", TAKE_PTR(a))) < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int firmware_json(const char *path, const OvmfImage *img, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object(), *t = json_object_new_object(),
                                                *entries = json_object_new_array();
        json_object *part = NULL;
        char gbuf[EFI_GUID_STRING_MAX];
        int r;

        if (!o || !t || !entries)
                return -ENOMEM;
        if ((r = json_add(o, "file", json_object_new_string(path))) < 0 ||
            (r = json_add(o, "size", json_object_new_int64((int64_t) img->size))) < 0 ||
            (r = json_add(o, "gpa",
                          json_hex_new(UINT64_C(0x100000000) - MIN(img->size, UINT64_C(0x100000000))))) < 0)
                return r;

        if ((r = json_add(t, "offset", json_hex_new(img->table_offset))) < 0 ||
            (r = json_add(t, "size", json_object_new_int64((int64_t) img->table_size))) < 0)
                return r;
        for (size_t i = 0; i < img->n_entries; i++) {
                const OvmfGuidEntry *e = img->entries + i;
                _cleanup_free_ char *data = NULL;
                json_object *j = json_object_new_object();
                if ((r = json_append(entries, j)) < 0 || hex_encode(e->data, e->size, &data) < 0 ||
                    (r = json_add(j, "guid", json_object_new_string(efi_guid_to_string(&e->guid, gbuf)))) <
                            0 ||
                    (r = json_add_string_or_null(j, "name", entry_name(&e->guid))) < 0 ||
                    (r = json_add(j, "offset", json_hex_new(e->offset))) < 0 ||
                    (r = json_add(j, "data", json_object_new_string(data))) < 0)
                        return -ENOMEM;
        }
        if ((r = json_add(t, "entries", TAKE_PTR(entries))) < 0 ||
            (r = json_add(o, "guid_table", TAKE_PTR(t))) < 0)
                return r;

        if ((r = tdx_json(img, &part)) < 0 || (r = json_add(o, "tdx", part)) < 0)
                return r;
        if ((r = sev_json(img, &part)) < 0 || (r = json_add(o, "sev", part)) < 0)
                return r;

        /* The SEV hashes table area: u32 base, u32 size (both 0 in non-AmdSev builds). */
        const OvmfGuidEntry *h = ovmf_image_find(img, &OVMF_GUID_SEV_HASH_TABLE);
        uint32_t base, size;
        Reader rd = reader_init(h ? h->data : NULL, h ? h->size : 0);
        if (h && reader_u32le(&rd, &base) >= 0 && reader_u32le(&rd, &size) >= 0) {
                json_object *j = json_object_new_object();
                if ((r = json_add(o, "sev_hash_table", j)) < 0 ||
                    (r = json_add(j, "base", json_hex_new(base))) < 0 ||
                    (r = json_add(j, "size", json_hex_new(size))) < 0)
                        return r;
        } else if ((r = json_add_string_or_null(o, "sev_hash_table", NULL)) < 0)
                return r;

        if (img->has_sev_es_reset_eip)
                r = json_add(o, "sev_es_reset_eip", json_hex_new(img->sev_es_reset_eip));
        else
                r = json_add_string_or_null(o, "sev_es_reset_eip", NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static const char *str(json_object *o, const char *key)
{
        return json_get_string(o, key) ?: "-";
}

static void print_status(const char *what, json_object *part)
{
        const char *status = str(part, "status");
        if (streq(status, "ok"))
                return;
        printf("%s: %s (%s)\n", what, streq(status, "absent") ? "none" : "INVALID", str(part, "error"));
}

static void print_text(json_object *o)
{
        json_object *t = json_get(o, "guid_table", json_type_object);
        json_object *entries = json_get(t, "entries", json_type_array);
        json_object *tdx = json_get(o, "tdx", json_type_object), *sev = json_get(o, "sev", json_type_object);
        json_object *hashes = json_get(o, "sev_hash_table", json_type_object), *a;

        printf("Firmware %s: %s bytes, mapped at %s below 4 GiB\n\n", str(o, "file"),
               json_object_get_string(json_get(o, "size", json_type_int)), str(o, "gpa"));

        printf("GUID table at file offset %s, %zu entries:\n", str(t, "offset"),
               json_object_array_length(entries));
        for (size_t i = 0; i < json_object_array_length(entries); i++) {
                json_object *e = json_object_array_get_idx(entries, i);
                printf("  %s  %-20s  at %-9s  %s\n", str(e, "guid"), str(e, "name"), str(e, "offset"),
                       str(e, "data"));
        }

        putchar('\n');
        print_status("TDX metadata", tdx);
        if ((a = json_get(tdx, "sections", json_type_array)) && streq(str(tdx, "status"), "ok")) {
                printf("TDX metadata: TDVF descriptor at file offset %s%s, %zu sections:\n",
                       str(tdx, "descriptor_offset"),
                       json_object_get_boolean(json_get(tdx, "descriptor_guid", json_type_boolean))
                               ? " (after its GUID)"
                               : "",
                       json_object_array_length(a));
                printf("  %-2s %-8s %-11s %-10s %-12s %-11s %s\n", "#", "type", "file offset", "raw size",
                       "guest addr", "memory size", "attributes");
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        json_object *s = json_object_array_get_idx(a, i);
                        json_object *flags = json_get(s, "attributes_flags", json_type_array);
                        printf("  %-2zu %-8s %-11s %-10s %-12s %-11s %s", i, str(s, "type_name"),
                               str(s, "data_offset"), str(s, "raw_size"), str(s, "gpa"),
                               str(s, "memory_size"), str(s, "attributes"));
                        for (size_t k = 0; k < json_object_array_length(flags); k++)
                                printf("%s%s", k ? ", " : " (",
                                       json_object_get_string(json_object_array_get_idx(flags, k)));
                        printf("%s\n", json_object_array_length(flags) ? ")" : "");
                }
        }

        putchar('\n');
        print_status("SEV metadata", sev);
        if ((a = json_get(sev, "sections", json_type_array)) && streq(str(sev, "status"), "ok")) {
                printf("SEV metadata: ASEV at file offset %s, %zu sections:\n", str(sev, "offset"),
                       json_object_array_length(a));
                printf("  %-2s %-17s %-12s %s\n", "#", "type", "guest addr", "size");
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        json_object *s = json_object_array_get_idx(a, i);
                        printf("  %-2zu %-17s %-12s %s\n", i, str(s, "type_name"), str(s, "gpa"),
                               str(s, "size"));
                }
        }
        if (hashes)
                printf("SEV hashes table: base %s, size %s%s\n", str(hashes, "base"), str(hashes, "size"),
                       streq(str(hashes, "size"), "0x0") ? " (none: no kernel hashes)" : "");
        else
                printf("SEV hashes table: none\n");
        printf("SEV-ES reset address: %s\n",
               json_get_string(o, "sev_es_reset_eip") ?: "none (no SEV-ES reset block)");
}

int verb_firmware(int argc, char *argv[])
{
        enum {
                ARG_JSON = 0x100,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        return usage_error("firmware", "Invalid option.");
                }
        if ((r = verb_positional("firmware", argc - optind)) != 0)
                return r;
        const char *path = argv[optind];

        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_(ovmf_image_done) OvmfImage img = {};
        size_t size;
        if (firmware_image_read(path, &data, &size, &img) < 0)
                return CVM_EXIT_ERROR;

        _cleanup_(json_object_putp) json_object *o = NULL;
        if (firmware_json(path, &img, &o) < 0)
                return log_oom();
        if (json) {
                if (output_json(o) < 0)
                        return CVM_EXIT_ERROR;
        } else
                print_text(o);

        /* Printed first, so the user sees what is fine; malformed metadata still fails the command. */
        int a = firmware_part_error(path, "TDX metadata", &img.tdx);
        int b = firmware_part_error(path, "SEV metadata", &img.sev);
        return a < 0 || b < 0 ? CVM_EXIT_ERROR : CVM_EXIT_SUCCESS;
}
