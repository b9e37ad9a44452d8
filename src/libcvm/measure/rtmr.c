/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RTMR prediction (model and sources in rtmr.h).
 */
#include <inttypes.h>
#include <stdarg.h>

#include "measure-util.h"
#include "pe.h"
#include "rtmr.h"
#include "string-table.h"

static const char *const rtmr_layout_table[_RTMR_LAYOUT_MAX] = {
        [RTMR_LAYOUT_EDK2_202411] = "edk2-202411",
        [RTMR_LAYOUT_EDK2_202505] = "edk2-202505",
        [RTMR_LAYOUT_EDK2_202508] = "edk2-202508",
};

DEFINE_STRING_TABLE_LOOKUP(rtmr_layout, RtmrLayout);

/* UEFI 2.10 §3.3: EFI_GLOBAL_VARIABLE; §32.6.1: EFI_IMAGE_SECURITY_DATABASE_GUID. */
static const EfiGuid efi_global_variable =
        EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
static const EfiGuid efi_image_security_database =
        EFI_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);
/* OVMF's DXE firmware volume and MdeModulePkg's UiApp file in it (OvmfPkg/OvmfPkgX64.fdf, UiApp.inf). */
static const EfiGuid ovmf_dxe_fv =
        EFI_GUID_INIT(0x7cb8bdc9, 0xf8eb, 0x4f34, 0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1);
static const EfiGuid ovmf_uiapp_file =
        EFI_GUID_INIT(0x462caa21, 0x7614, 0x4503, 0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31);

/* QEMU hw/i386/tdvf-hob.c: PHIT version, resource types and attributes. */
#define HOB_TYPE_HANDOFF        1U
#define HOB_TYPE_RESOURCE       3U
#define HOB_HANDOFF_SIZE        56U
#define HOB_RESOURCE_SIZE       48U
#define HOB_HANDOFF_VERSION     9U
#define HOB_RESOURCE_SYSTEM_MEM 0U
#define HOB_RESOURCE_UNACCEPTED 7U
#define HOB_RESOURCE_ATTRIBUTES 7U
/* pc_q35 / tdx: RAM of 0xb0000000 and more is split at 2 GiB, the rest mapped from 4 GiB. */
#define LOWMEM_SPLIT_THRESHOLD UINT64_C(0xb0000000)
#define LOWMEM_SPLIT           UINT64_C(0x80000000)
#define HIGHMEM_START          UINT64_C(0x100000000)

void rtmr_prediction_done(RtmrPrediction *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_events; i++)
                free(p->events[i].what);
        free(p->events);
        for (size_t i = 0; i < CC_RTMR_COUNT; i++)
                free(p->note[i]);
        free(p->kernel_version);
        *p = (RtmrPrediction){};
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

typedef struct Buf {
        uint8_t *p;
        size_t n, allocated;
} Buf;

static int buf_put(Buf *b, const void *p, size_t n)
{
        if (b->n + n > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->n + n + 64);
                uint8_t *q = realloc(b->p, a);
                if (!q)
                        return -ENOMEM;
                b->p = q;
                b->allocated = a;
        }
        if (n > 0)
                memcpy(b->p + b->n, p, n);
        b->n += n;
        return 0;
}

static int buf_le(Buf *b, uint64_t v, size_t n)
{
        uint8_t t[8];
        put_le(t, v, n);
        return buf_put(b, t, n);
}

static void buf_done(Buf *b)
{
        free(b->p);
}

static int hob_resource(Buf *b, uint32_t type, uint64_t start, uint64_t length)
{
        static const uint8_t owner[16] = {};
        int r;
        if ((r = buf_le(b, HOB_TYPE_RESOURCE, 2)) < 0 || (r = buf_le(b, HOB_RESOURCE_SIZE, 2)) < 0 ||
            (r = buf_le(b, 0, 4)) < 0 || (r = buf_put(b, owner, sizeof(owner))) < 0 ||
            (r = buf_le(b, type, 4)) < 0 || (r = buf_le(b, HOB_RESOURCE_ATTRIBUTES, 4)) < 0 ||
            (r = buf_le(b, start, 8)) < 0 || (r = buf_le(b, length, 8)) < 0)
                return r;
        return 0;
}

int rtmr_td_hob_digest(const TdvfSection *sections, size_t n, uint64_t memory_size, uint8_t ret[static 48],
                       size_t *ret_hob_size)
{
        _cleanup_free_ const TdvfSection **acc = new0(const TdvfSection *, n);
        _cleanup_(buf_done) Buf b = {};
        uint64_t hob_gpa = 0, pos = 0;
        size_t k = 0;
        bool have_hob = false;
        int r;

        if (!acc)
                return -ENOMEM;
        /* The ranges the VMM accepted for the firmware (TD_HOB, TempMem), sorted by address. */
        for (size_t i = 0; i < n; i++) {
                if (sections[i].type == TDVF_SECTION_TD_HOB) {
                        hob_gpa = sections[i].gpa;
                        have_hob = true;
                }
                if ((sections[i].type != TDVF_SECTION_TD_HOB && sections[i].type != TDVF_SECTION_TEMP_MEM) ||
                    sections[i].mem_size == 0)
                        continue;
                size_t j = k++;
                while (j > 0 && acc[j - 1]->gpa > sections[i].gpa) {
                        acc[j] = acc[j - 1];
                        j--;
                }
                acc[j] = sections + i;
        }
        if (!have_hob)
                return -ENOENT;

        /* PHIT; EfiEndOfHobList is filled in below. */
        if ((r = buf_le(&b, HOB_TYPE_HANDOFF, 2)) < 0 || (r = buf_le(&b, HOB_HANDOFF_SIZE, 2)) < 0 ||
            (r = buf_le(&b, 0, 4)) < 0 || (r = buf_le(&b, HOB_HANDOFF_VERSION, 4)) < 0 ||
            (r = buf_le(&b, 0, 4)) < 0)
                return r;
        for (size_t i = 0; i < 5; i++)
                if ((r = buf_le(&b, 0, 8)) < 0)
                        return r;

        for (size_t i = 0; i < k; i++) {
                uint64_t start = acc[i]->gpa, end = acc[i]->gpa + acc[i]->mem_size;
                if (start < pos || end < start)
                        return -ERANGE; /* overlapping sections */
                if (start > pos && (r = hob_resource(&b, HOB_RESOURCE_UNACCEPTED, pos, start - pos)) < 0)
                        return r;
                if ((r = hob_resource(&b, HOB_RESOURCE_SYSTEM_MEM, start, end - start)) < 0)
                        return r;
                pos = end;
        }
        if (memory_size <= pos)
                return -ERANGE;
        /* The rest of RAM, unaccepted; split around the PCI hole as QEMU lays out a large guest. */
        if (memory_size >= LOWMEM_SPLIT_THRESHOLD) {
                if (pos < LOWMEM_SPLIT &&
                    (r = hob_resource(&b, HOB_RESOURCE_UNACCEPTED, pos, LOWMEM_SPLIT - pos)) < 0)
                        return r;
                if (memory_size > LOWMEM_SPLIT &&
                    (r = hob_resource(&b, HOB_RESOURCE_UNACCEPTED, HIGHMEM_START,
                                      memory_size - LOWMEM_SPLIT)) < 0)
                        return r;
        } else if ((r = hob_resource(&b, HOB_RESOURCE_UNACCEPTED, pos, memory_size - pos)) < 0)
                return r;

        /* The End-of-HOB-List header (8 bytes) follows; SecTdxHelper hashes up to it. */
        put_le(b.p + 48, hob_gpa + b.n + 8, 8);
        if (ret_hob_size)
                *ret_hob_size = b.n;
        return sha384_buf(b.p, b.n, ret);
}

int rtmr_empty_variable_digest(const EfiGuid *vendor, const char *name, uint8_t ret[static 48])
{
        _cleanup_free_ uint8_t *u = NULL;
        _cleanup_(buf_done) Buf b = {};
        size_t un;
        int r;

        if ((r = utf8_to_utf16le(name, false, &u, &un)) < 0)
                return r;
        if ((r = buf_put(&b, vendor->bytes, 16)) < 0 || (r = buf_le(&b, un / 2, 8)) < 0 ||
            (r = buf_le(&b, 0, 8)) < 0 || (r = buf_put(&b, u, un)) < 0)
                return r;
        return sha384_buf(b.p, b.n, ret);
}

/* EFI_LOAD_OPTION (UEFI 2.10 §3.1.3) of OVMF's Boot0000 for a direct kernel boot: UiApp in the DXE FV. */
static int boot0000_digest(uint8_t ret[static 48])
{
        static const uint8_t end[4] = { 0x7f, 0xff, 0x04, 0x00 };
        _cleanup_free_ uint8_t *desc = NULL;
        _cleanup_(buf_done) Buf b = {};
        size_t dn;
        int r;

        if ((r = utf8_to_utf16le("UiApp", true, &desc, &dn)) < 0)
                return r;
        /* LOAD_OPTION_ACTIVE | LOAD_OPTION_HIDDEN | LOAD_OPTION_CATEGORY_APP; two 20-byte nodes and End. */
        if ((r = buf_le(&b, 0x109, 4)) < 0 || (r = buf_le(&b, 2 * 20 + 4, 2)) < 0 ||
            (r = buf_put(&b, desc, dn)) < 0 || (r = buf_put(&b, "\x04\x07\x14\x00", 4)) < 0 ||
            (r = buf_put(&b, ovmf_dxe_fv.bytes, 16)) < 0 || (r = buf_put(&b, "\x04\x06\x14\x00", 4)) < 0 ||
            (r = buf_put(&b, ovmf_uiapp_file.bytes, 16)) < 0 || (r = buf_put(&b, end, sizeof(end))) < 0)
                return r;
        return sha384_buf(b.p, b.n, ret);
}

int rtmr_load_options(RtmrLayout layout, const char *cmdline, bool initrd, uint8_t **ret, size_t *ret_size)
{
        _cleanup_free_ char *text = NULL;
        const char *c = strempty(cmdline);

        if (!initrd && !*c) {
                *ret = NULL;
                *ret_size = 0;
                return 0;
        }
        /* edk2 a2ac0fea49 (stable202508) moved "initrd=initrd" in front of the command line. */
        int k = layout >= RTMR_LAYOUT_EDK2_202508
                        ? asprintf(&text, "%s%s", initrd ? "initrd=initrd " : "", c)
                        : asprintf(&text, "%s%s", c, initrd ? " initrd=initrd" : "");
        if (k < 0)
                return -ENOMEM;
        return utf8_to_utf16le(text, true, ret, ret_size);
}

int rtmr_kernel_version(const uint8_t *kernel, size_t size, char **ret)
{
        /* Linux Documentation/arch/x86/boot.rst: "HdrS" at 0x202, kernel_version at 0x20e (+0x200). */
        if (size < 0x210 || memcmp(kernel + 0x202, "HdrS", 4) != 0)
                return -ENOENT;
        size_t off = (size_t) (kernel[0x20e] | kernel[0x20f] << 8) + 0x200;
        if (off == 0x200 || off >= size)
                return -ENOENT;
        size_t l = 0;
        /* "6.1.0-50-amd64 (debian-kernel@...) #1 SMP ...": the release is the first word. */
        while (off + l < size && l < 256 && kernel[off + l] > 0x20 && kernel[off + l] < 0x7f)
                l++;
        if (l == 0)
                return -ENOENT;
        char *s = strndup((const char *) kernel + off, l);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* Whether a kernel of this version measures LoadOptions and the initrd on a CC platform (Linux >= 6.9). */
static int kernel_stub_measures(const char *version)
{
        unsigned major, minor;
        if (!version || sscanf(version, "%u.%u", &major, &minor) != 2)
                return -1;
        return major > 6 || (major == 6 && minor >= 9);
}

static int add_event(RtmrPrediction *p, unsigned rtmr, uint32_t type, const uint8_t digest[static 48],
                     const char *format, ...) _printf_(5, 6);
static int add_event(RtmrPrediction *p, unsigned rtmr, uint32_t type, const uint8_t digest[static 48],
                     const char *format, ...)
{
        va_list ap;
        char *what;

        RtmrEvent *e = reallocarray(p->events, p->n_events + 1, sizeof(RtmrEvent));
        if (!e)
                return -ENOMEM;
        p->events = e;
        va_start(ap, format);
        int k = vasprintf(&what, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        p->events[p->n_events++] = (RtmrEvent){ .rtmr = rtmr, .type = type, .what = what };
        memcpy(p->events[p->n_events - 1].digest, digest, 48);
        return rtmr_extend(p->rtmr[rtmr], digest);
}

static int add_data_event(RtmrPrediction *p, unsigned rtmr, uint32_t type, const void *data, size_t n,
                          const char *what)
{
        uint8_t d[48];
        int r = sha384_buf(data, n, d);
        if (r < 0)
                return r;
        return add_event(p, rtmr, type, d, "%s", what);
}

static int set_note(RtmrPrediction *p, unsigned rtmr, bool predictable, const char *format, ...)
        _printf_(4, 5);
static int set_note(RtmrPrediction *p, unsigned rtmr, bool predictable, const char *format, ...)
{
        va_list ap;
        char *s;

        p->predictable[rtmr] = predictable;
        va_start(ap, format);
        int k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        free(p->note[rtmr]);
        p->note[rtmr] = s;
        return 0;
}

static const char separator[4] = { 0, 0, 0, 0 };
static const char action_calling[] = "Calling EFI Application from Boot Option";
static const char action_exit[] = "Exit Boot Services Invocation";
static const char action_exit_ok[] = "Exit Boot Services Returned with Success";

static int predict_rtmr0(const RtmrInputs *in, RtmrPrediction *p, char **reterr)
{
        static const struct {
                const EfiGuid *vendor;
                const char *name;
        } vars[] = {
                { &efi_global_variable, "SecureBoot" },  { &efi_global_variable, "PK" },
                { &efi_global_variable, "KEK" },         { &efi_image_security_database, "db" },
                { &efi_image_security_database, "dbx" },
        };
        uint8_t d[48];
        size_t hob_size;
        int r;

        if (in->layout != RTMR_LAYOUT_EDK2_202411)
                return set_note(
                        p, 0, false,
                        "the %s layout adds SMBIOS, fw_cfg and boot-option events to RTMR0 that cvm does "
                        "not model",
                        rtmr_layout_to_string(in->layout));
        if (!in->sections || in->memory_size == 0 || !in->cfv.data)
                return set_note(p, 0, false,
                                "needs the guest's memory size (--memory) and the firmware's TD_HOB and CFV "
                                "sections");

        r = rtmr_td_hob_digest(in->sections, in->n_sections, in->memory_size, d, &hob_size);
        if (r == -ENOENT)
                return parse_error(reterr, -EBADMSG, "TDVF metadata: no TD_HOB section");
        if (r == -ERANGE)
                return parse_error(
                        reterr, -EINVAL,
                        "TDVF metadata: TD_HOB/TempMem sections overlap, or the memory size 0x%" PRIx64
                        " does not reach past them",
                        in->memory_size);
        if (r < 0)
                return r;
        if ((r = add_event(p, 0, EV_EFI_HANDOFF_TABLES2, d, "TD HOB: %zu bytes for %" PRIu64 " MiB of RAM",
                           hob_size, in->memory_size >> 20)) < 0)
                return r;
        if ((r = sha384_buf(in->cfv.data, in->cfv.size, d)) < 0 ||
            (r = add_event(p, 0, EV_EFI_PLATFORM_FIRMWARE_BLOB2, d, "CFV (the variable store): %zu bytes",
                           in->cfv.size)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
                if ((r = rtmr_empty_variable_digest(vars[i].vendor, vars[i].name, d)) < 0 ||
                    (r = add_event(p, 0, EV_EFI_VARIABLE_DRIVER_CONFIG, d, "%s (empty)", vars[i].name)) < 0)
                        return r;
        if ((r = add_data_event(p, 0, EV_SEPARATOR, separator, sizeof(separator), "separator")) < 0)
                return r;

        if (!in->acpi_loader.data || !in->acpi_rsdp.data || !in->acpi_tables.data)
                return set_note(
                        p, 0, false,
                        "needs QEMU's ACPI tables (etc/table-loader, etc/acpi/rsdp, etc/acpi/tables): "
                        "give --acpi-tables=DIR");
        if ((r = add_data_event(p, 0, EV_PLATFORM_CONFIG_FLAGS, in->acpi_loader.data, in->acpi_loader.size,
                                "ACPI etc/table-loader")) < 0 ||
            (r = add_data_event(p, 0, EV_PLATFORM_CONFIG_FLAGS, in->acpi_rsdp.data, in->acpi_rsdp.size,
                                "ACPI etc/acpi/rsdp")) < 0 ||
            (r = add_data_event(p, 0, EV_PLATFORM_CONFIG_FLAGS, in->acpi_tables.data, in->acpi_tables.size,
                                "ACPI etc/acpi/tables")) < 0)
                return r;
        /* EV_EFI_VARIABLE_BOOT digests cover the variable's data only, not UEFI_VARIABLE_DATA (so in the
         * real log of test/data/eventlog, and in dstack-mr). */
        if ((r = add_data_event(p, 0, EV_EFI_VARIABLE_BOOT, "\0\0", 2, "BootOrder = 0000")) < 0 ||
            (r = boot0000_digest(d)) < 0 ||
            (r = add_event(p, 0, EV_EFI_VARIABLE_BOOT, d, "Boot0000 = UiApp")) < 0)
                return r;
        p->predictable[0] = true;
        return 0;
}

static int authenticode(const RtmrBlob *b, const char *what, uint8_t ret[static 48], char **reterr)
{
        _cleanup_(pe_image_done) PeImage img = {};
        _cleanup_free_ char *err = NULL;
        int r;

        r = pe_image_parse(b->data, b->size, &img, &err);
        if (r >= 0)
                r = pe_authenticode_sha384(b->data, b->size, &img, ret, &err);
        if (r == -ENOMEM || r == -EIO)
                return r;
        if (r < 0)
                return parse_error(reterr, r, "%s: %s", what, strna(err));
        return 0;
}

static int predict_direct(const RtmrInputs *in, RtmrPrediction *p, char **reterr)
{
        _cleanup_free_ uint8_t *options = NULL;
        size_t options_size;
        uint8_t d[48];
        int r;

        if ((r = authenticode(&in->kernel, "kernel", d, reterr)) < 0 ||
            (r = add_event(p, 1, EV_EFI_BOOT_SERVICES_APPLICATION, d, "kernel: PE Authenticode, %zu bytes",
                           in->kernel.size)) < 0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_calling, strlen(action_calling),
                                action_calling)) < 0 ||
            (r = add_data_event(p, 1, EV_SEPARATOR, separator, sizeof(separator), "separator")) < 0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_exit, strlen(action_exit), action_exit)) < 0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_exit_ok, strlen(action_exit_ok),
                                action_exit_ok)) < 0)
                return r;
        p->predictable[1] = true;
        if ((r = set_note(
                     p, 1, true,
                     "assumes QEMU >= 10.2, which does not patch the bzImage setup header of a TDX guest's "
                     "kernel")) < 0)
                return r;

        r = rtmr_kernel_version(in->kernel.data, in->kernel.size, &p->kernel_version);
        if (r < 0 && r != -ENOENT)
                return r;
        int measures = kernel_stub_measures(p->kernel_version);
        if (measures == 0)
                return set_note(
                        p, 2, true,
                        "kernel %s is older than 6.9: its EFI stub measures neither the command line nor "
                        "the initrd on a TDX guest",
                        p->kernel_version);

        /* An empty initrd is no initrd to edk2: QEMU's fw_cfg gives its size, 0. */
        bool initrd = in->initrd.data && in->initrd.size > 0;
        if ((r = rtmr_load_options(in->layout, in->cmdline, initrd, &options, &options_size)) < 0)
                return r;
        if (options) {
                _cleanup_free_ char *text = NULL;
                if ((r = utf16le_to_utf8(options, options_size, &text)) < 0 ||
                    (r = sha384_buf(options, options_size, d)) < 0 ||
                    (r = add_event(p, 2, EV_EVENT_TAG, d, "LoadOptions (UTF-16, %zu bytes): \"%s\"",
                                   options_size, text)) < 0)
                        return r;
        }
        if (initrd &&
            (r = add_data_event(p, 2, EV_EVENT_TAG, in->initrd.data, in->initrd.size, "initrd")) < 0)
                return r;
        p->predictable[2] = true;
        if (measures < 0)
                return set_note(
                        p, 2, true,
                        "the kernel's version is unknown: assumes an EFI stub of Linux >= 6.9, which "
                        "measures the command line and the initrd");
        return 0;
}

#define UKI_SECTION_ZERO_FILL_MAX (1024U * 1024)

/* systemd src/boot/stub.c unified_sections[], in measuring order; ".pcrsig" is never measured. */
static const char *const uki_sections[] = {
        ".linux", ".osrel", ".cmdline", ".initrd",  ".ucode",   ".splash",
        ".dtb",   ".uname", ".sbat",    ".pcrpkey", ".profile",
};

static int predict_uki(const RtmrInputs *in, RtmrPrediction *p, char **reterr)
{
        _cleanup_(pe_image_done) PeImage img = {};
        _cleanup_free_ char *err = NULL;
        uint8_t d[48];
        int r;

        if ((r = authenticode(&in->uki, "UKI", d, reterr)) < 0 ||
            (r = add_event(p, 1, EV_EFI_BOOT_SERVICES_APPLICATION, d, "UKI: PE Authenticode, %zu bytes",
                           in->uki.size)) < 0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_calling, strlen(action_calling),
                                action_calling)) < 0 ||
            (r = add_data_event(p, 1, EV_SEPARATOR, separator, sizeof(separator), "separator")) < 0)
                return r;
        if ((r = pe_image_parse(in->uki.data, in->uki.size, &img, &err)) < 0)
                return parse_error(reterr, r, "UKI: %s", strna(err));
        const PeSection *linux_section = pe_image_find_section(&img, ".linux");
        if (!linux_section || linux_section->raw_size == 0)
                return parse_error(reterr, -EBADMSG, "UKI: no .linux section: not a unified kernel image");
        RtmrBlob inner = { in->uki.data + linux_section->raw_offset,
                           MIN(linux_section->raw_size, linux_section->virtual_size) };
        if ((r = authenticode(&inner, "UKI .linux section", d, reterr)) < 0 ||
            (r = add_event(p, 1, EV_EFI_BOOT_SERVICES_APPLICATION, d,
                           "UKI .linux (loaded by systemd-stub): PE Authenticode, %zu bytes", inner.size)) <
                    0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_exit, strlen(action_exit), action_exit)) < 0 ||
            (r = add_data_event(p, 1, EV_EFI_ACTION, action_exit_ok, strlen(action_exit_ok),
                                action_exit_ok)) < 0)
                return r;
        p->predictable[1] = true;

        /* systemd-stub: each present section's name (with its NUL), then its contents, as EV_IPL. */
        for (size_t i = 0; i < ELEMENTSOF(uki_sections); i++) {
                const PeSection *s = pe_image_find_section(&img, uki_sections[i]);
                if (!s || s->virtual_size == 0)
                        continue;
                /* Uninitialised data past the raw bytes is for code sections, not for a UKI's blobs. */
                if (s->virtual_size > (uint64_t) s->raw_size + UKI_SECTION_ZERO_FILL_MAX)
                        return parse_error(reterr, -EBADMSG,
                                           "UKI: section %s (header at offset 0x%zx): VirtualSize 0x%" PRIx32
                                           " is far beyond its raw size 0x%" PRIx32,
                                           uki_sections[i], s->header_offset, s->virtual_size, s->raw_size);
                _cleanup_free_ uint8_t *mem = calloc(1, s->virtual_size);
                if (!mem)
                        return -ENOMEM;
                /* The stub hashes the loaded image: VirtualSize bytes, zero beyond the raw data. */
                if (s->raw_size > 0)
                        memcpy(mem, in->uki.data + s->raw_offset, MIN(s->raw_size, s->virtual_size));
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "UKI section %s: %" PRIu32 " bytes", uki_sections[i], s->virtual_size) <
                    0)
                        return -ENOMEM;
                if ((r = add_data_event(p, 2, EV_IPL, uki_sections[i], strlen(uki_sections[i]) + 1,
                                        uki_sections[i])) < 0 ||
                    (r = add_data_event(p, 2, EV_IPL, mem, s->virtual_size, what)) < 0)
                        return r;
        }
        return set_note(p, 2, false,
                        "holds systemd-stub's section events (listed); what the inner kernel's EFI stub and "
                        "systemd-stub add for the command line, credentials and add-ons depends on the stub "
                        "versions and is not modelled");
}

int rtmr_predict(const RtmrInputs *in, RtmrPrediction *ret, char **reterr)
{
        _cleanup_(rtmr_prediction_done) RtmrPrediction p = { .layout = in->layout };
        int r;

        if (in->layout < 0 || in->layout >= _RTMR_LAYOUT_MAX)
                return -EINVAL;
        if (in->uki.data && (in->kernel.data || in->initrd.data || !isempty(in->cmdline)))
                return parse_error(reterr, -EINVAL,
                                   "a UKI excludes a separate kernel, initrd and command line");
        if (!in->kernel.data && (in->initrd.data || !isempty(in->cmdline)))
                return parse_error(reterr, -EINVAL, "an initrd or a command line needs a kernel");

        if ((r = predict_rtmr0(in, &p, reterr)) < 0)
                return r;
        if (in->kernel.data)
                r = predict_direct(in, &p, reterr);
        else if (in->uki.data)
                r = predict_uki(in, &p, reterr);
        else if ((r = set_note(&p, 1, false, "needs the kernel (direct boot) or a UKI")) >= 0)
                r = set_note(&p, 2, false, "needs the kernel (direct boot) or a UKI");
        if (r < 0)
                return r;
        if ((r = set_note(&p, 3, true,
                          "nothing is measured into RTMR3 at boot; extensions by the running guest are not "
                          "included")) < 0)
                return r;
        *ret = p;
        p = (RtmrPrediction){};
        return 0;
}
