/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Firmware facts: the QEMU firmware descriptors collected into "files" (platform_fact_files[]) and what
 * the images they name really carry (OVMF GUID table, TDX and SEV metadata; measure/ovmf.c).
 *
 * Precedence (docs/interop/firmware.json, "Firmware"): descriptors from /usr/share/qemu/firmware and
 * /etc/qemu/firmware are sorted by file name; a file in /etc/qemu/firmware replaces the one of the same
 * name in /usr/share/qemu/firmware, and an empty one hides it. Management software takes the first match.
 * The per-user $XDG_CONFIG_HOME/qemu/firmware is not a host fact and is not read.
 *
 * The "firmware" member of the facts:
 *   {"descriptors": [                               in precedence order
 *      {"path": "/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json", "device": "memory",
 *       "filename": "/usr/share/ovmf/OVMF.inteltdx.ms.fd", "interface_types": ["uefi"],
 *       "features": ["enrolled-keys", "intel-tdx", ...], "targets": ["x86_64"]},
 *      {"path": P, "error": "EBADMSG", "detail": "\"mapping\": no \"device\""},   unusable
 *      {"path": "/etc/qemu/firmware/50-x.json", "empty": true},                    hides the next
 *      {"path": "/usr/share/qemu/firmware/50-x.json", "overridden_by": "/etc/qemu/firmware/50-x.json"}],
 *    "images": {                                    each image named by a usable descriptor, then the
 *      "/usr/share/ovmf/OVMF.fd": {                 well-known ones that exist (described_by: [])
 *        "described_by": [descriptor paths], "size": 2097152,
 *        "guid_table": {"entries": 5} | {"error": "ENOENT", "detail": "no GUID table: ..."},
 *        "tdx": {"sections": 6, "section_types": ["BFV", ...], "descriptor_offset": "0x1ff7c0"}
 *               | {"error": "EBADMSG", "detail": "TDVF section 2 (TempMem) at file offset ...: ..."},
 *        "sev": {"sections": 5, "version": 1, "section_types": [...], "sev_es_reset_eip": "0x80b004"}
 *               | {"error": ..., "detail": ...}}
 *      "/usr/share/ovmf/missing.fd": {"described_by": [...], "error": "ENOENT"}}}
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>

#include "facts.h"
#include "fileio.h"
#include "firmware.h"
#include "log.h"
#include "measure/ovmf.h"

#define DESCRIPTORS_MAX 256U
#define IMAGES_MAX      64U

static const char *const descriptor_dirs[] = { "/usr/share/qemu/firmware/", "/etc/qemu/firmware/" };

/*
 * Images worth inspecting even without a descriptor: the combined OVMF that Debian and Ubuntu ship for
 * -bios (Ubuntu's carries TDX metadata, canonical/tdx run_td passes it with -bios; launch.md 6.1 item 8).
 */
static const char *const well_known_images[] = { "/usr/share/ovmf/OVMF.fd" };

static char **strv_free(char **l)
{
        STRV_FOREACH (s, l)
                free(*s);
        free(l);
        return NULL;
}

void firmware_descriptor_done(FirmwareDescriptor *d)
{
        if (!d)
                return;
        free(d->device);
        free(d->filename);
        strv_free(d->interface_types);
        strv_free(d->features);
        strv_free(d->targets);
        *d = (FirmwareDescriptor){};
}

_printf_(2, 3) static int detail_set(char **detail, const char *format, ...)
{
        va_list ap;
        char *d = NULL;

        va_start(ap, format);
        int k = vasprintf(&d, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        log_debug("Firmware descriptor: %s", d);
        free(*detail);
        *detail = d;
        return -EBADMSG;
}

/* An array of strings; with field, the string member field of each object element. */
static int string_list(json_object *a, const char *name, const char *field, char ***ret, char **detail)
{
        if (!a || !json_object_is_type(a, json_type_array))
                return detail_set(detail, "\"%s\" is missing or not an array", name);
        size_t n = json_object_array_length(a);
        char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (field)
                        e = json_get(e, field, json_type_string);
                if (!e || !json_object_is_type(e, json_type_string)) {
                        strv_free(l);
                        return field ? detail_set(detail, "\"%s\"[%zu]: no string \"%s\"", name, i, field)
                                     : detail_set(detail, "\"%s\"[%zu] is not a string", name, i);
                }
                l[i] = strdup(json_object_get_string(e));
                if (!l[i]) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        *ret = l;
        return 0;
}

int firmware_descriptor_parse(const char *json, size_t size, FirmwareDescriptor *ret, char **reterr_detail)
{
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_(firmware_descriptor_done) FirmwareDescriptor d = {};
        char *detail = NULL;
        int r;

        if (size > FIRMWARE_DESCRIPTOR_MAX) {
                if (reterr_detail &&
                    asprintf(reterr_detail, "%zu bytes, more than %u", size, FIRMWARE_DESCRIPTOR_MAX) < 0)
                        *reterr_detail = NULL;
                return -E2BIG;
        }
        r = json_parse_strict(json, size, FIRMWARE_DESCRIPTOR_DEPTH, &root);
        if (r < 0)
                r = detail_set(&detail, size == 0 ? "empty file" : "not valid JSON");
        else if (!json_object_is_type(root, json_type_object))
                r = detail_set(&detail, "not a JSON object");
        else {
                json_object *mapping = json_get(root, "mapping", json_type_object);
                const char *device = json_get_string(mapping, "device");
                const char *filename = NULL;

                if (!mapping)
                        r = detail_set(&detail, "\"mapping\" is missing or not an object");
                else if (!device)
                        r = detail_set(&detail, "\"mapping\": no string \"device\"");
                else if (streq(device, "flash")) {
                        filename = json_get_string(json_get(mapping, "executable", json_type_object),
                                                   "filename");
                        if (!filename)
                                r = detail_set(&detail,
                                               "\"mapping\": flash without \"executable\".\"filename\"");
                } else if (streq(device, "memory") || streq(device, "kernel")) {
                        filename = json_get_string(mapping, "filename");
                        if (!filename)
                                r = detail_set(&detail, "\"mapping\": %s without \"filename\"", device);
                } else
                        r = detail_set(&detail, "\"mapping\": unknown device \"%s\"", device);

                if (r >= 0 && isempty(filename))
                        r = detail_set(&detail, "\"mapping\": empty filename");
                if (r >= 0 && (!(d.device = strdup(device)) || !(d.filename = strdup(filename))))
                        r = -ENOMEM;
                if (r >= 0) {
                        json_object *v;
                        (void) json_object_object_get_ex(root, "interface-types", &v);
                        r = string_list(v, "interface-types", NULL, &d.interface_types, &detail);
                }
                if (r >= 0) {
                        json_object *v;
                        (void) json_object_object_get_ex(root, "features", &v);
                        r = string_list(v, "features", NULL, &d.features, &detail);
                }
                if (r >= 0) {
                        json_object *v;
                        (void) json_object_object_get_ex(root, "targets", &v);
                        r = string_list(v, "targets", "architecture", &d.targets, &detail);
                }
        }

        if (r < 0) {
                if (reterr_detail)
                        *reterr_detail = detail;
                else
                        free(detail);
                return r;
        }
        *ret = d;
        d = (FirmwareDescriptor){};
        return 0;
}

bool firmware_descriptor_has_feature(const FirmwareDescriptor *d, const char *feature)
{
        STRV_FOREACH (s, d->features)
                if (streq(*s, feature))
                        return true;
        return false;
}

static json_object *strv_to_json(char **l)
{
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        STRV_FOREACH (s, l)
                if (json_append(a, json_object_new_string(*s)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

static json_object *error_detail_new(int error, const char *detail)
{
        json_object *o = json_error_new(error);
        if (o && detail && json_add(o, "detail", json_object_new_string(detail)) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

typedef struct DescriptorFile {
        const char *path;     /* borrowed from the facts */
        const char *basename; /* into path */
        size_t rank;          /* index into descriptor_dirs[]: higher is more specific */
} DescriptorFile;

static int compare_descriptor_files(const void *a, const void *b)
{
        const DescriptorFile *x = a, *y = b;
        int c = strcmp(x->basename, y->basename);
        if (c != 0)
                return c;
        return x->rank < y->rank ? 1 : x->rank > y->rank ? -1 : 0; /* the overriding file first */
}

/* The collected descriptor files, sorted by precedence. */
static int list_descriptor_files(const HostFacts *f, DescriptorFile **ret, size_t *ret_n)
{
        _cleanup_free_ DescriptorFile *l = NULL;
        size_t n = 0;

        for (size_t rank = 0; rank < ELEMENTSOF(descriptor_dirs); rank++) {
                _cleanup_free_ const char **paths = NULL;
                int k = facts_files_with_prefix(f, descriptor_dirs[rank], &paths);
                if (k < 0)
                        return k;
                for (const char **p = paths; *p; p++) {
                        const char *base = *p + strlen(descriptor_dirs[rank]);
                        size_t bl = strlen(base);
                        if (strchr(base, '/') || bl <= 5 || !streq(base + bl - 5, ".json"))
                                continue;
                        if (n >= DESCRIPTORS_MAX) {
                                log_debug("More than %u firmware descriptors, ignoring %s", DESCRIPTORS_MAX,
                                          *p);
                                continue;
                        }
                        DescriptorFile *a = reallocarray(l, n + 1, sizeof(DescriptorFile));
                        if (!a)
                                return -ENOMEM;
                        l = a;
                        l[n++] = (DescriptorFile){ .path = *p, .basename = base, .rank = rank };
                }
        }
        if (n > 0)
                qsort(l, n, sizeof(DescriptorFile), compare_descriptor_files);
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* Adds path to images[filename]["described_by"], creating the entry. */
static int image_note(json_object *images, const char *filename, const char *described_by)
{
        json_object *img = json_get(images, filename, json_type_object);
        if (!img) {
                if (json_object_object_length(images) >= (int) IMAGES_MAX) {
                        log_debug("More than %u firmware images, not inspecting %s", IMAGES_MAX, filename);
                        return 0;
                }
                img = json_object_new_object();
                if (json_add(images, filename, img) < 0 ||
                    json_add(img, "described_by", json_object_new_array()) < 0)
                        return -ENOMEM;
        }
        if (described_by && json_append(json_get(img, "described_by", json_type_array),
                                        json_object_new_string(described_by)) < 0)
                return -ENOMEM;
        return 0;
}

static int descriptor_entry(const HostFacts *f, const DescriptorFile *df, json_object *images,
                            json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        _cleanup_(firmware_descriptor_done) FirmwareDescriptor d = {};
        _cleanup_free_ char *detail = NULL;
        const char *text;
        int r;

        if (!o || json_add(o, "path", json_object_new_string(df->path)) < 0)
                return -ENOMEM;

        r = facts_file_text(f, df->path, &text);
        if (r == -EBADMSG) { /* collected as base64: not UTF-8 text, so not JSON either */
                detail = strdup("not UTF-8 text");
                if (!detail)
                        return -ENOMEM;
        } else if (r >= 0)
                r = firmware_descriptor_parse(text, strlen(text), &d, &detail);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                char name[16];
                if (json_add(o, "error", json_object_new_string(errno_to_name(r, name))) < 0 ||
                    (detail && json_add(o, "detail", json_object_new_string(detail)) < 0))
                        return -ENOMEM;
                *ret = TAKE_PTR(o);
                return 0;
        }

        if (json_add(o, "device", json_object_new_string(d.device)) < 0 ||
            json_add(o, "filename", json_object_new_string(d.filename)) < 0 ||
            json_add(o, "interface_types", strv_to_json(d.interface_types)) < 0 ||
            json_add(o, "features", strv_to_json(d.features)) < 0 ||
            json_add(o, "targets", strv_to_json(d.targets)) < 0)
                return -ENOMEM;
        r = image_note(images, d.filename, df->path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int status_json(const OvmfStatus *s, json_object *ok, json_object **ret)
{
        if (s->error < 0) {
                json_object_put(ok);
                *ret = error_detail_new(s->error, s->detail);
        } else
                *ret = ok;
        return *ret ? 0 : -ENOMEM;
}

static int inspect_image(const char *root, const char *filename, json_object *img)
{
        char name[16];
        int r;

        if (filename[0] != '/')
                return json_add(img, "error", json_object_new_string(errno_to_name(-EINVAL, name))) < 0 ||
                                       json_add(img, "detail",
                                                json_object_new_string("not an absolute path")) < 0
                               ? -ENOMEM
                               : 0;

        /* O_NONBLOCK: never hang opening a FIFO someone left where the image should be. */
        _cleanup_close_ int fd = open_at_root(root, filename, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        _cleanup_(ovmf_image_done) OvmfImage o = {};
        r = fd < 0 ? fd : ovmf_image_load(fd, &o);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug_errno(r, "Cannot inspect firmware image %s: %m", filename);
                return json_add(img, "error", json_object_new_string(errno_to_name(r, name)));
        }

        json_object *part;
        if (json_add(img, "size", json_object_new_int64((int64_t) o.size)) < 0)
                return -ENOMEM;

        json_object *table = json_object_new_object();
        if (!table || json_add(table, "entries", json_object_new_int((int) o.n_entries)) < 0)
                return -ENOMEM;
        if (status_json(&o.table, table, &part) < 0 || json_add(img, "guid_table", part) < 0)
                return -ENOMEM;

        json_object *tdx = json_object_new_object(), *types = json_object_new_array();
        if (!tdx || json_add(tdx, "sections", json_object_new_int((int) o.n_tdvf_sections)) < 0 ||
            json_add(tdx, "section_types", types) < 0 ||
            json_add(tdx, "descriptor_offset", json_hex_new(o.tdvf_offset)) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < o.n_tdvf_sections; i++)
                if (json_append(types,
                                json_object_new_string(tdvf_section_type_to_string(o.tdvf_sections[i].type)
                                                               ?: "unknown")) < 0)
                        return -ENOMEM;
        if (status_json(&o.tdx, tdx, &part) < 0 || json_add(img, "tdx", part) < 0)
                return -ENOMEM;

        json_object *sev = json_object_new_object();
        types = json_object_new_array();
        if (!sev || json_add(sev, "sections", json_object_new_int((int) o.n_sev_sections)) < 0 ||
            json_add(sev, "version", json_object_new_int((int) o.sev_version)) < 0 ||
            json_add(sev, "section_types", types) < 0 ||
            (o.has_sev_es_reset_eip &&
             json_add(sev, "sev_es_reset_eip", json_hex_new(o.sev_es_reset_eip)) < 0))
                return -ENOMEM;
        for (size_t i = 0; i < o.n_sev_sections; i++)
                if (json_append(types,
                                json_object_new_string(sev_section_type_to_string(o.sev_sections[i].type)
                                                               ?: "unknown")) < 0)
                        return -ENOMEM;
        if (status_json(&o.sev, sev, &part) < 0 || json_add(img, "sev", part) < 0)
                return -ENOMEM;
        return 0;
}

int probe_firmware(const HostFacts *f, const char *root, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        _cleanup_free_ DescriptorFile *files = NULL;
        json_object *descriptors = json_object_new_array(), *images = json_object_new_object();
        size_t n = 0;
        int r;

        if (!o || json_add(o, "descriptors", descriptors) < 0 || json_add(o, "images", images) < 0) {
                json_object_put(images);
                return -ENOMEM;
        }

        r = list_descriptor_files(f, &files, &n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                const DescriptorFile *df = files + i;
                json_object *e = NULL;
                const char *text;

                /* The same name in a less specific directory, after the one that takes effect. */
                if (i > 0 && streq(files[i - 1].basename, df->basename)) {
                        size_t w = i - 1;
                        while (w > 0 && streq(files[w - 1].basename, df->basename))
                                w--;
                        e = json_object_new_object();
                        if (json_append(descriptors, e) < 0 ||
                            json_add(e, "path", json_object_new_string(df->path)) < 0 ||
                            json_add(e, "overridden_by", json_object_new_string(files[w].path)) < 0)
                                return -ENOMEM;
                        continue;
                }
                /* An empty file hides the less specific ones; in the least specific directory it hides
                 * nothing. */
                if (df->rank > 0 && facts_file_text(f, df->path, &text) >= 0 && text[0] == 0) {
                        e = json_object_new_object();
                        if (json_append(descriptors, e) < 0 ||
                            json_add(e, "path", json_object_new_string(df->path)) < 0 ||
                            json_add(e, "empty", json_object_new_boolean(true)) < 0)
                                return -ENOMEM;
                        continue;
                }
                r = descriptor_entry(f, df, images, &e);
                if (r < 0)
                        return r;
                if (json_append(descriptors, e) < 0)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < ELEMENTSOF(well_known_images); i++) {
                if (json_get(images, well_known_images[i], json_type_object))
                        continue;
                _cleanup_close_ int fd = open_at_root(root, well_known_images[i], O_PATH);
                if (fd < 0)
                        continue; /* not installed: nothing to say */
                r = image_note(images, well_known_images[i], NULL);
                if (r < 0)
                        return r;
        }

        json_object_object_foreach (images, filename, img) {
                r = inspect_image(root, filename, img);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(o);
        return 0;
}
