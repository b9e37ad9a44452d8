/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OVMF GUID footer table, TDVF metadata and SEV metadata (layouts and sources in ovmf.h).
 *
 * The table (qemu/qemu hw/i386/pc_sysfw_ovmf.c): the footer GUID sits 48 bytes before the end of the
 * image, the u16 total table length (footer entry included) right before it. Entries lie back to back
 * below, each `data | u16 length (data + 18) | GUID`, and are walked from the footer downwards.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "hexbase64.h"
#include "log.h"
#include "ovmf.h"
#include "reader.h"

const EfiGuid OVMF_GUID_TABLE_FOOTER =
        EFI_GUID_INIT(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
const EfiGuid OVMF_GUID_TDX_METADATA =
        EFI_GUID_INIT(0xe47a6535, 0x984a, 0x4798, 0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2);
const EfiGuid OVMF_GUID_TDVF_DESCRIPTOR =
        EFI_GUID_INIT(0xe9eaf9f3, 0x168e, 0x44d5, 0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae);
const EfiGuid OVMF_GUID_SEV_METADATA =
        EFI_GUID_INIT(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
const EfiGuid OVMF_GUID_SEV_ES_RESET =
        EFI_GUID_INIT(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
const EfiGuid OVMF_GUID_SEV_HASH_TABLE =
        EFI_GUID_INIT(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);

/* The footer entry: u16 length + GUID, ending 32 bytes before the end of the image. */
#define FOOTER_GUID_FROM_END  48U
#define FOOTER_ENTRY_FROM_END 50U
#define ENTRY_TRAILER_SIZE    18U /* u16 length + GUID */

static const char *const tdvf_section_type_table[_TDVF_SECTION_TYPE_MAX] = {
        [TDVF_SECTION_BFV] = "BFV",
        [TDVF_SECTION_CFV] = "CFV",
        [TDVF_SECTION_TD_HOB] = "TD_HOB",
        [TDVF_SECTION_TEMP_MEM] = "TempMem",
        [TDVF_SECTION_PERM_MEM] = "PermMem",
        [TDVF_SECTION_PAYLOAD] = "Payload",
        [TDVF_SECTION_PAYLOAD_PARAM] = "PayloadParam",
        [TDVF_SECTION_TD_INFO] = "TD_INFO",
        [TDVF_SECTION_TD_PARAMS] = "TD_PARAMS",
};

const char *tdvf_section_type_to_string(uint32_t type)
{
        return type < ELEMENTSOF(tdvf_section_type_table) ? tdvf_section_type_table[type] : NULL;
}

const char *sev_section_type_to_string(uint32_t type)
{
        switch (type) {
        case SEV_SECTION_SNP_SEC_MEM:
                return "SNP_SEC_MEM";
        case SEV_SECTION_SNP_SECRETS:
                return "SNP_SECRETS";
        case SEV_SECTION_CPUID:
                return "CPUID";
        case SEV_SECTION_SVSM_CAA:
                return "SVSM_CAA";
        case SEV_SECTION_SNP_KERNEL_HASHES:
                return "SNP_KERNEL_HASHES";
        default:
                return NULL;
        }
}

int efi_guid_from_string(const char *s, EfiGuid *ret)
{
        /* Text order of the 16 bytes; the first three fields are stored byte-swapped. */
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        uint8_t text[16];
        size_t k = 0;

        if (!s || strlen(s) != 36)
                return -EINVAL;
        for (size_t i = 0; i < 36;) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return -EINVAL;
                        i++;
                        continue;
                }
                int hi = unhex_char(s[i]), lo = unhex_char(s[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                text[k++] = (uint8_t) (hi << 4 | lo);
                i += 2;
        }
        for (size_t i = 0; i < 16; i++)
                ret->bytes[order[i]] = text[i];
        return 0;
}

const char *efi_guid_to_string(const EfiGuid *g, char buf[static EFI_GUID_STRING_MAX])
{
        const uint8_t *b = g->bytes;
        snprintf(buf, EFI_GUID_STRING_MAX,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2], b[1],
                 b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
        return buf;
}

static bool guid_equal(const EfiGuid *a, const uint8_t *b)
{
        return memcmp(a->bytes, b, sizeof(a->bytes)) == 0;
}

void ovmf_image_done(OvmfImage *img)
{
        if (!img)
                return;
        free(img->table.detail);
        free(img->tdx.detail);
        free(img->sev.detail);
        free(img->table_bytes);
        free(img->entries);
        free(img->tdvf_sections);
        free(img->sev_sections);
        *img = (OvmfImage){};
}

_printf_(3, 4) static int status_set(OvmfStatus *s, int error, const char *format, ...)
{
        va_list ap;
        char *d;

        va_start(ap, format);
        int k = vasprintf(&d, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        log_debug("OVMF metadata: %s", d);
        free(s->detail);
        s->detail = d;
        s->error = error;
        return 0;
}

/*
 * The bytes the caller read: the last n bytes of an image of size bytes. Offsets below are file offsets;
 * a region outside the image is malformed input, one before the tail was simply not read.
 */
typedef struct ImageView {
        Reader tail;
        uint64_t base;
        uint64_t size;
} ImageView;

/* A Reader over [off, off + n) of the image: 0, -EBADMSG outside the image, -ERANGE not read. */
static int view_sub(const ImageView *v, uint64_t off, uint64_t n, Reader *ret)
{
        const uint8_t *p;

        if (off > v->size || n > v->size - off)
                return -EBADMSG;
        if (off < v->base)
                return -ERANGE;
        int r = reader_peek_at(&v->tail, (size_t) (off - v->base), (size_t) n, &p);
        if (r < 0)
                return r;
        *ret = reader_init(p, (size_t) n);
        return 0;
}

static const char *guid_str_at(const uint8_t *p, char buf[static EFI_GUID_STRING_MAX])
{
        EfiGuid g;
        memcpy(g.bytes, p, sizeof(g.bytes));
        return efi_guid_to_string(&g, buf);
}

static int parse_table(const ImageView *v, OvmfImage *img)
{
        char gbuf[EFI_GUID_STRING_MAX];
        const uint8_t *p;
        uint16_t total;
        Reader r;
        int k;

        if (v->size < OVMF_IMAGE_MIN)
                return status_set(&img->table, -ENOENT,
                                  "image is %" PRIu64
                                  " bytes, smaller than one page: QEMU reads no GUID table",
                                  v->size);

        uint64_t footer = v->size - FOOTER_ENTRY_FROM_END;
        k = view_sub(v, footer, ENTRY_TRAILER_SIZE, &r);
        if (k < 0)
                return status_set(&img->table, -EBADMSG,
                                  "GUID table footer at file offset 0x%" PRIx64 " was not read", footer);
        if (reader_u16le(&r, &total) < 0 || reader_bytes(&r, 16, &p) < 0)
                return -EBADMSG; /* cannot happen: 18 bytes are there */
        if (!guid_equal(&OVMF_GUID_TABLE_FOOTER, p))
                return status_set(
                        &img->table, -ENOENT,
                        "no GUID table: the footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d is not at "
                        "file offset 0x%" PRIx64 " (found %s)",
                        v->size - FOOTER_GUID_FROM_END, guid_str_at(p, gbuf));

        /* pc_system_parse_ovmf_flash(): the length covers the footer entry too. */
        if (total < ENTRY_TRAILER_SIZE)
                return status_set(&img->table, -EBADMSG,
                                  "GUID table length %u at file offset 0x%" PRIx64
                                  " is smaller than its own 18-byte footer entry",
                                  total, footer);
        size_t body = total - ENTRY_TRAILER_SIZE;
        if (body > footer)
                return status_set(&img->table, -EBADMSG,
                                  "GUID table length %u at file offset 0x%" PRIx64
                                  " reaches before the start of the image",
                                  total, footer);
        uint64_t start = footer - body;
        k = view_sub(v, start, body, &r);
        if (k < 0)
                return status_set(&img->table, -EBADMSG,
                                  "GUID table at file offset 0x%" PRIx64 " (%zu bytes) was not read", start,
                                  body);

        img->table_bytes = malloc(body ?: 1);
        if (!img->table_bytes)
                return -ENOMEM;
        if (reader_copy(&r, img->table_bytes, body) < 0)
                return -EBADMSG;
        img->table_offset = start;
        img->table_size = body;

        /* Walk down from the footer; each entry's trailer ends where the previous entry began. */
        Reader t = reader_init(img->table_bytes, body);
        size_t top = body;
        while (top >= ENTRY_TRAILER_SIZE) {
                const uint8_t *trailer;
                uint16_t len;
                Reader e;

                if (reader_peek_at(&t, top - ENTRY_TRAILER_SIZE, ENTRY_TRAILER_SIZE, &trailer) < 0)
                        return -EBADMSG;
                e = reader_init(trailer, ENTRY_TRAILER_SIZE);
                if (reader_u16le(&e, &len) < 0)
                        return -EBADMSG;
                const char *g = guid_str_at(trailer + 2, gbuf);
                uint64_t at = start + top - ENTRY_TRAILER_SIZE;

                /* pc_system_ovmf_table_find() stops at either of these: nothing below is reachable. */
                if (len < ENTRY_TRAILER_SIZE)
                        return status_set(&img->table, -EBADMSG,
                                          "GUID table entry %zu (GUID %s) at file offset 0x%" PRIx64
                                          ": length %u is smaller than its 18-byte header",
                                          img->n_entries, g, at, len);
                if (len > top)
                        return status_set(&img->table, -EBADMSG,
                                          "GUID table entry %zu (GUID %s) at file offset 0x%" PRIx64
                                          ": length %u runs past the table start at file offset 0x%" PRIx64
                                          " (%zu bytes left)",
                                          img->n_entries, g, at, len, start, top);

                OvmfGuidEntry *a = reallocarray(img->entries, img->n_entries + 1, sizeof(OvmfGuidEntry));
                if (!a)
                        return -ENOMEM;
                img->entries = a;
                OvmfGuidEntry *ent = img->entries + img->n_entries++;
                memcpy(ent->guid.bytes, trailer + 2, sizeof(ent->guid.bytes));
                ent->size = len - ENTRY_TRAILER_SIZE;
                ent->data = img->table_bytes + top - len;
                ent->offset = start + top - len;
                top -= len;
        }
        if (top > 0)
                /* QEMU's walk ignores a remainder shorter than an entry header; so do we. */
                log_debug("OVMF GUID table: %zu bytes below the last entry ignored", top);
        return 0;
}

const OvmfGuidEntry *ovmf_image_find(const OvmfImage *img, const EfiGuid *guid)
{
        for (size_t i = 0; i < img->n_entries; i++)
                if (memcmp(img->entries[i].guid.bytes, guid->bytes, sizeof(guid->bytes)) == 0)
                        return img->entries + i;
        return NULL;
}

/* A u32 GUID table entry: 0, or the status set. */
static int entry_u32(OvmfImage *img, OvmfStatus *s, const EfiGuid *guid, const char *what, uint32_t *ret)
{
        char gbuf[EFI_GUID_STRING_MAX];

        if (img->table.error < 0)
                return status_set(s, img->table.error, "%s", img->table.detail);
        const OvmfGuidEntry *e = ovmf_image_find(img, guid);
        if (!e)
                return status_set(s, -ENOENT, "no %s entry (GUID %s) in the OVMF GUID table", what,
                                  efi_guid_to_string(guid, gbuf));
        Reader r = reader_init(e->data, e->size);
        if (reader_u32le(&r, ret) < 0)
                return status_set(s, -EBADMSG,
                                  "%s entry at file offset 0x%" PRIx64 ": %zu data bytes, need 4", what,
                                  e->offset, e->size);
        return 1;
}

/* Where a region failed to be read: outside the image (malformed) or before the bytes read. */
static int region_error(OvmfStatus *s, int k, const char *what, uint64_t off, uint64_t n, uint64_t size)
{
        if (k == -ERANGE)
                return status_set(s, -EBADMSG, "%s at file offset 0x%" PRIx64 " lies before the bytes read",
                                  what, off);
        return status_set(s, -EBADMSG,
                          "%s at file offset 0x%" PRIx64 " (0x%" PRIx64
                          " bytes) runs past the end of the 0x%" PRIx64 "-byte image",
                          what, off, n, size);
}

/*
 * The start both metadata blocks share: a u32 GUID table entry holding the block's offset counted from the
 * end of the image, and a header of u32 signature, length, version and number of sections (TDVF
 * descriptor; OvmfSevMetadata.nasm.inc for SEV).
 */
typedef struct MetadataHeader {
        uint64_t offset;   /* file offset of the header */
        uint32_t from_end; /* the entry's value */
        uint32_t signature, length, version, n;
} MetadataHeader;

/* Finds the block through its entry and reads its header: 1 with it; 0 when the status was set; -errno. */
static int metadata_header(const ImageView *v, OvmfImage *img, OvmfStatus *s, const EfiGuid *guid,
                           const char *entry, const char *header, uint32_t header_size, MetadataHeader *ret)
{
        MetadataHeader h = {};
        Reader r;
        int k;

        k = entry_u32(img, s, guid, entry, &h.from_end);
        if (k <= 0)
                return k;
        if (h.from_end < header_size || h.from_end > v->size)
                return status_set(s, -EBADMSG,
                                  "%s 0x%" PRIx32 " (counted from the end) points outside the 0x%" PRIx64
                                  "-byte image",
                                  entry, h.from_end, v->size);
        h.offset = v->size - h.from_end;

        k = view_sub(v, h.offset, header_size, &r);
        if (k < 0)
                return region_error(s, k, header, h.offset, header_size, v->size);
        if (reader_u32le(&r, &h.signature) < 0 || reader_u32le(&r, &h.length) < 0 ||
            reader_u32le(&r, &h.version) < 0 || reader_u32le(&r, &h.n) < 0)
                return -EBADMSG;
        *ret = h;
        return 1;
}

/* hw/i386/tdvf.c tdvf_parse_and_check_section_entry(), plus what KVM and the image size demand. */
static int check_tdvf_section(OvmfImage *img, size_t i, uint64_t at, const TdvfSection *s)
{
        const char *name = tdvf_section_type_to_string(s->type) ?: "unknown";

        if (s->mem_size < s->raw_size)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                  ": RawDataSize 0x%" PRIx32 " exceeds MemoryDataSize 0x%" PRIx64,
                                  i, name, at, s->raw_size, s->mem_size);
        if (s->gpa % OVMF_PAGE_SIZE != 0)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                  ": MemoryAddress 0x%" PRIx64 " is not 4 KiB aligned",
                                  i, name, at, s->gpa);
        if (s->mem_size % OVMF_PAGE_SIZE != 0)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                  ": MemoryDataSize 0x%" PRIx64 " is not 4 KiB aligned",
                                  i, name, at, s->mem_size);
        if (s->mem_size > UINT64_MAX - s->gpa)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                  ": MemoryAddress 0x%" PRIx64 " + MemoryDataSize 0x%" PRIx64
                                  " wraps around",
                                  i, name, at, s->gpa, s->mem_size);

        switch (s->type) {
        case TDVF_SECTION_BFV:
        case TDVF_SECTION_CFV:
                if (s->raw_size == 0)
                        return status_set(&img->tdx, -EBADMSG,
                                          "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                          ": RawDataSize is 0",
                                          i, name, at);
                /* QEMU hands KVM_TDX_INIT_MEM_REGION image + DataOffset; KVM wants a page-aligned source. */
                if (s->data_offset % OVMF_PAGE_SIZE != 0)
                        return status_set(&img->tdx, -EBADMSG,
                                          "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                          ": DataOffset 0x%" PRIx32 " is not 4 KiB aligned",
                                          i, name, at, s->data_offset);
                if ((uint64_t) s->data_offset + s->raw_size > img->size)
                        return status_set(&img->tdx, -EBADMSG,
                                          "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                          ": data 0x%" PRIx32 "+0x%" PRIx32
                                          " runs past the end of the 0x%" PRIx64 "-byte image",
                                          i, name, at, s->data_offset, s->raw_size, img->size);
                break;
        case TDVF_SECTION_TD_HOB:
        case TDVF_SECTION_TEMP_MEM:
                if (s->raw_size != 0)
                        return status_set(&img->tdx, -EBADMSG,
                                          "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                          ": RawDataSize 0x%" PRIx32 " must be 0",
                                          i, name, at, s->raw_size);
                break;
        default:
                return status_set(&img->tdx, -EOPNOTSUPP,
                                  "TDVF section %zu at file offset 0x%" PRIx64
                                  ": unsupported section type %" PRIu32
                                  " (%s); QEMU accepts only BFV, CFV, TD_HOB and TempMem",
                                  i, at, s->type, name);
        }
        return 0;
}

/* Half-open ranges [a, a + an) and [b, b + bn) share a byte; empty ranges share none. */
static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
        return an > 0 && bn > 0 && a < b + bn && b < a + an;
}

/* hw/i386/tdvf.c tdvf_get_metadata() and tdvf_parse_metadata(). */
static int parse_tdx(const ImageView *v, OvmfImage *img)
{
        MetadataHeader h;
        Reader r;
        int k;

        k = metadata_header(v, img, &img->tdx, &OVMF_GUID_TDX_METADATA, "TDX metadata offset",
                            "TDVF descriptor", TDVF_DESCRIPTOR_SIZE, &h);
        if (k <= 0)
                return k;
        uint64_t off = h.offset;
        uint32_t from_end = h.from_end, sig = h.signature, length = h.length, version = h.version, n = h.n;

        if (sig != TDVF_SIGNATURE)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": signature 0x%08" PRIx32
                                  ", expected 0x%08" PRIx32 " (\"TDVF\")",
                                  off, sig, TDVF_SIGNATURE);
        if ((uint64_t) length > from_end)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": length %" PRIu32
                                  " runs past the end of the 0x%" PRIx64 "-byte image",
                                  off, length, v->size);
        if (version != TDVF_VERSION)
                return status_set(&img->tdx, -EOPNOTSUPP,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": version %" PRIu32
                                  ", only version 1 is defined",
                                  off, version);
        if (n < 2)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": %" PRIu32
                                  " sections, QEMU needs at least 2",
                                  off, n);
        if ((uint64_t) length != TDVF_DESCRIPTOR_SIZE + (uint64_t) n * TDVF_SECTION_SIZE)
                return status_set(&img->tdx, -EBADMSG,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": length %" PRIu32
                                  ", expected 16 + 32 * %" PRIu32 " = %" PRIu64,
                                  off, length, n, TDVF_DESCRIPTOR_SIZE + (uint64_t) n * TDVF_SECTION_SIZE);
        if (n > OVMF_SECTIONS_MAX)
                return status_set(&img->tdx, -E2BIG,
                                  "TDVF descriptor at file offset 0x%" PRIx64 ": %" PRIu32
                                  " sections, more than %u",
                                  off, n, OVMF_SECTIONS_MAX);

        k = view_sub(v, off + TDVF_DESCRIPTOR_SIZE, (uint64_t) n * TDVF_SECTION_SIZE, &r);
        if (k < 0)
                return region_error(&img->tdx, k, "TDVF sections", off + TDVF_DESCRIPTOR_SIZE,
                                    (uint64_t) n * TDVF_SECTION_SIZE, v->size);

        _cleanup_free_ TdvfSection *sections = calloc(n, sizeof(TdvfSection));
        if (!sections)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                TdvfSection *s = sections + i;
                if (reader_u32le(&r, &s->data_offset) < 0 || reader_u32le(&r, &s->raw_size) < 0 ||
                    reader_u64le(&r, &s->gpa) < 0 || reader_u64le(&r, &s->mem_size) < 0 ||
                    reader_u32le(&r, &s->type) < 0 || reader_u32le(&r, &s->attributes) < 0)
                        return -EBADMSG;
                uint64_t at = off + TDVF_DESCRIPTOR_SIZE + i * TDVF_SECTION_SIZE;
                k = check_tdvf_section(img, i, at, s);
                if (k < 0 || img->tdx.error < 0)
                        return k;
                /* A guest page in two sections would be added twice: TDH.MEM.PAGE.ADD refuses a mapped GPA.
                 */
                for (size_t j = 0; j < i; j++)
                        if (ranges_overlap(s->gpa, s->mem_size, sections[j].gpa, sections[j].mem_size))
                                return status_set(&img->tdx, -EBADMSG,
                                                  "TDVF section %zu (%s) at file offset 0x%" PRIx64
                                                  ": guest range 0x%" PRIx64 "+0x%" PRIx64
                                                  " overlaps section %zu (%s) at 0x%" PRIx64 "+0x%" PRIx64,
                                                  i, tdvf_section_type_to_string(s->type), at, s->gpa,
                                                  s->mem_size, j,
                                                  tdvf_section_type_to_string(sections[j].type),
                                                  sections[j].gpa, sections[j].mem_size);
        }

        /* edk2 puts its TdxMetadataGuid right before the descriptor; QEMU does not look, td-shim does. */
        const uint8_t *g;
        if (off >= 16 && view_sub(v, off - 16, 16, &r) >= 0 && reader_bytes(&r, 16, &g) >= 0)
                img->tdvf_guid_present = guid_equal(&OVMF_GUID_TDVF_DESCRIPTOR, g);

        img->tdvf_offset = off;
        img->tdvf_sections = TAKE_PTR(sections);
        img->n_tdvf_sections = n;
        return 0;
}

/*
 * target/i386/sev.c pc_system_parse_sev_metadata(): "ASEV", a length that fits the image and covers the
 * header; sections are {u32 gpa, u32 size, u32 type} (OvmfSevMetadata.nasm.inc). QEMU trusts NumItems;
 * we require the items to fit the length, and page alignment, which KVM_SEV_SNP_LAUNCH_UPDATE demands.
 */
static int parse_sev(const ImageView *v, OvmfImage *img)
{
        MetadataHeader h;
        Reader r;
        int k;

        k = metadata_header(v, img, &img->sev, &OVMF_GUID_SEV_METADATA, "SEV metadata offset",
                            "SEV metadata header", SEV_METADATA_HEADER_SIZE, &h);
        if (k <= 0)
                return k;
        uint64_t off = h.offset;
        uint32_t from_end = h.from_end, sig = h.signature, length = h.length, version = h.version, n = h.n;

        if (sig != SEV_METADATA_SIGNATURE)
                return status_set(&img->sev, -EBADMSG,
                                  "SEV metadata at file offset 0x%" PRIx64 ": signature 0x%08" PRIx32
                                  ", expected 0x%08" PRIx32 " (\"ASEV\")",
                                  off, sig, SEV_METADATA_SIGNATURE);
        if (length < SEV_METADATA_HEADER_SIZE || (uint64_t) length > from_end)
                return status_set(&img->sev, -EBADMSG,
                                  "SEV metadata at file offset 0x%" PRIx64 ": length %" PRIu32
                                  " is not between 16 and the %" PRIu32 " bytes to the end of the image",
                                  off, length, from_end);
        if (version != SEV_METADATA_VERSION)
                return status_set(&img->sev, -EOPNOTSUPP,
                                  "SEV metadata at file offset 0x%" PRIx64 ": version %" PRIu32
                                  ", only version 1 is defined",
                                  off, version);
        if (SEV_METADATA_HEADER_SIZE + (uint64_t) n * SEV_SECTION_SIZE > length)
                return status_set(&img->sev, -EBADMSG,
                                  "SEV metadata at file offset 0x%" PRIx64 ": %" PRIu32
                                  " sections do not fit its length %" PRIu32,
                                  off, n, length);
        if (n > OVMF_SECTIONS_MAX)
                return status_set(&img->sev, -E2BIG,
                                  "SEV metadata at file offset 0x%" PRIx64 ": %" PRIu32
                                  " sections, more than %u",
                                  off, n, OVMF_SECTIONS_MAX);

        k = view_sub(v, off + SEV_METADATA_HEADER_SIZE, (uint64_t) n * SEV_SECTION_SIZE, &r);
        if (k < 0)
                return region_error(&img->sev, k, "SEV metadata sections", off + SEV_METADATA_HEADER_SIZE,
                                    (uint64_t) n * SEV_SECTION_SIZE, v->size);

        _cleanup_free_ SevSection *sections = calloc(n ?: 1, sizeof(SevSection));
        if (!sections)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                SevSection *s = sections + i;
                uint64_t at = off + SEV_METADATA_HEADER_SIZE + i * SEV_SECTION_SIZE;
                if (reader_u32le(&r, &s->gpa) < 0 || reader_u32le(&r, &s->size) < 0 ||
                    reader_u32le(&r, &s->type) < 0)
                        return -EBADMSG;
                /* Empty sections exist (sid's IntelTdx build: SVSM_CAA at 0+0); QEMU would refuse them for
                 * SNP (snp_launch_digest() says so), but the image is not malformed. */
                if (s->gpa % OVMF_PAGE_SIZE != 0 || s->size % OVMF_PAGE_SIZE != 0)
                        return status_set(
                                &img->sev, -EBADMSG,
                                "SEV metadata section %zu (%s) at file offset 0x%" PRIx64 ": GPA 0x%" PRIx32
                                " size 0x%" PRIx32 " is not a run of 4 KiB pages",
                                i, sev_section_type_to_string(s->type) ?: "unknown", at, s->gpa, s->size);
                if ((uint64_t) s->gpa + s->size > UINT64_C(0x100000000))
                        return status_set(&img->sev, -EBADMSG,
                                          "SEV metadata section %zu at file offset 0x%" PRIx64
                                          ": GPA 0x%" PRIx32 " + size 0x%" PRIx32 " wraps past 4 GiB",
                                          i, at, s->gpa, s->size);
                /* SNP_LAUNCH_UPDATE of a page already in the guest's state fails. */
                for (size_t j = 0; j < i; j++)
                        if (ranges_overlap(s->gpa, s->size, sections[j].gpa, sections[j].size))
                                return status_set(&img->sev, -EBADMSG,
                                                  "SEV metadata section %zu (%s) at file offset 0x%" PRIx64
                                                  ": guest range 0x%" PRIx32 "+0x%" PRIx32
                                                  " overlaps section %zu (%s) at 0x%" PRIx32 "+0x%" PRIx32,
                                                  i, sev_section_type_to_string(s->type) ?: "unknown", at,
                                                  s->gpa, s->size, j,
                                                  sev_section_type_to_string(sections[j].type) ?: "unknown",
                                                  sections[j].gpa, sections[j].size);
                /* QEMU treats unknown types as zero pages (snp_metadata_desc_to_page_type()). */
                if (!sev_section_type_to_string(s->type))
                        log_debug("SEV metadata section %zu at file offset 0x%" PRIx64
                                  ": unknown type %" PRIu32,
                                  i, at, s->type);
        }

        img->sev_offset = off;
        img->sev_version = version;
        img->sev_sections = TAKE_PTR(sections);
        img->n_sev_sections = n;
        return 0;
}

int ovmf_image_parse(const void *tail, size_t tail_size, uint64_t image_size, OvmfImage *ret)
{
        if (tail_size > image_size || (!tail && tail_size > 0))
                return -EINVAL;

        ImageView v = {
                .tail = reader_init(tail, tail_size),
                .base = image_size - tail_size,
                .size = image_size,
        };
        OvmfImage img = { .size = image_size };
        int k;

        k = parse_table(&v, &img);
        if (k >= 0)
                k = parse_tdx(&v, &img);
        if (k >= 0)
                k = parse_sev(&v, &img);
        if (k < 0) {
                ovmf_image_done(&img);
                return k;
        }

        uint32_t eip;
        OvmfStatus ignored = {};
        k = entry_u32(&img, &ignored, &OVMF_GUID_SEV_ES_RESET, "SEV-ES reset block", &eip);
        free(ignored.detail);
        if (k < 0) {
                ovmf_image_done(&img);
                return k;
        }
        if (k > 0) {
                img.has_sev_es_reset_eip = true;
                img.sev_es_reset_eip = eip;
        }

        *ret = img;
        return 0;
}

static int pread_full(int fd, uint8_t *buf, size_t n, uint64_t off)
{
        while (n > 0) {
                ssize_t k = pread(fd, buf, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO; /* the file shrank under us */
                buf += k;
                n -= (size_t) k;
                off += (uint64_t) k;
        }
        return 0;
}

/* The lowest file offset the TDX or SEV metadata needs, from the table entries. */
static uint64_t metadata_start(const OvmfImage *img)
{
        const EfiGuid *guids[] = { &OVMF_GUID_TDX_METADATA, &OVMF_GUID_SEV_METADATA };
        uint64_t lowest = img->size;

        for (size_t i = 0; i < ELEMENTSOF(guids); i++) {
                const OvmfGuidEntry *e = ovmf_image_find(img, guids[i]);
                uint32_t from_end;
                if (!e)
                        continue;
                Reader r = reader_init(e->data, e->size);
                if (reader_u32le(&r, &from_end) < 0 || from_end > img->size)
                        continue;
                /* 16 more for the GUID edk2 puts before the TDVF descriptor. */
                uint64_t at = img->size - from_end;
                at = at >= 16 ? at - 16 : 0;
                lowest = MIN(lowest, at);
        }
        return lowest;
}

int ovmf_image_load(int fd, OvmfImage *ret)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > OVMF_IMAGE_MAX)
                return -EFBIG;

        uint64_t size = (uint64_t) st.st_size;
        size_t n = (size_t) MIN(size, (uint64_t) OVMF_TAIL_READ);
        _cleanup_free_ uint8_t *buf = malloc(n ?: 1);
        if (!buf)
                return -ENOMEM;
        int k = pread_full(fd, buf, n, size - n);
        if (k < 0)
                return k;

        OvmfImage img;
        k = ovmf_image_parse(buf, n, size, &img);
        if (k < 0)
                return k;

        /* Metadata below the tail (not seen in any edk2 build so far): read from there to the end. */
        uint64_t need = metadata_start(&img);
        if (need < size - n) {
                ovmf_image_done(&img);
                size_t m = (size_t) (size - need);
                free(buf);
                buf = malloc(m);
                if (!buf)
                        return -ENOMEM;
                k = pread_full(fd, buf, m, need);
                if (k < 0)
                        return k;
                k = ovmf_image_parse(buf, m, size, &img);
                if (k < 0)
                        return k;
        }

        *ret = img;
        return 0;
}
