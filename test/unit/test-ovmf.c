/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OVMF GUID table, TDVF and ASEV parsing on real firmware bytes: the last 4 KiB of edk2-stable202405
 * OvmfX64 and AmdSevX64 builds (test/data/firmware/README.md), padded in front with zeros to the 4 MiB
 * image they come from. The OvmfX64 values equal Debian trixie's OVMF.fd (key "ovmf13" of
 * vectors/measure/debian-ovmf-metadata.json, reference/measurement.md 2.2). Then one corruption per rule,
 * each with the error and the sentence it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <openssl/evp.h>

#include "fileio.h"
#include "measure/ovmf.h"
#include "test-ovmf-util.h"
#include "test-util.h"

static void put_le32(uint8_t *p, uint32_t v)
{
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
        for (size_t i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put_le16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static char *hex(const uint8_t *p, size_t n)
{
        char *s = malloc(2 * n + 1);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
                sprintf(s + 2 * i, "%02x", p[i]);
        return s;
}

static void assert_entry(const OvmfImage *img, const char *guid, const char *data_hex)
{
        EfiGuid g;
        assert_int_equal(efi_guid_from_string(guid, &g), 0);
        const OvmfGuidEntry *e = ovmf_image_find(img, &g);
        assert_non_null(e);
        _cleanup_free_ char *h = hex(e->data, e->size);
        assert_string_equal(h, data_hex);
}

typedef struct {
        const char *type;
        uint32_t data_offset, raw_size;
        uint64_t gpa, mem_size;
        uint32_t attributes;
} ExpectTdvf;

typedef struct {
        uint32_t gpa, size;
        const char *type;
} ExpectSev;

/* debian-ovmf-metadata.json "ovmf13" tdvf_sections and sev_metadata. */
static const ExpectTdvf ovmf13_tdvf[] = {
        { "BFV", 0x84000, 0x37c000, 0xffc84000, 0x37c000, 0x1 },
        { "CFV", 0x0, 0x84000, 0xffc00000, 0x84000, 0x0 },
        { "TempMem", 0x0, 0x0, 0x811000, 0xf000, 0x0 },
        { "TempMem", 0x0, 0x0, 0x80b000, 0x2000, 0x0 },
        { "TD_HOB", 0x0, 0x0, 0x809000, 0x2000, 0x0 },
        { "TempMem", 0x0, 0x0, 0x800000, 0x6000, 0x0 },
};

static const ExpectSev ovmf13_sev[] = {
        { 0x800000, 0x9000, "SNP_SEC_MEM" }, { 0x80a000, 0x3000, "SNP_SEC_MEM" },
        { 0x80d000, 0x1000, "SNP_SECRETS" }, { 0x80e000, 0x1000, "CPUID" },
        { 0x80f000, 0x1000, "SVSM_CAA" },    { 0x810000, 0x10000, "SNP_SEC_MEM" },
};

static void assert_tdvf(const OvmfImage *img, const ExpectTdvf *e, size_t n)
{
        assert_int_equal(img->tdx.error, 0);
        assert_null(img->tdx.detail);
        assert_int_equal(img->n_tdvf_sections, n);
        for (size_t i = 0; i < n; i++) {
                const TdvfSection *s = img->tdvf_sections + i;
                assert_string_equal(tdvf_section_type_to_string(s->type), e[i].type);
                assert_int_equal(s->data_offset, e[i].data_offset);
                assert_int_equal(s->raw_size, e[i].raw_size);
                assert_int_equal(s->gpa, e[i].gpa);
                assert_int_equal(s->mem_size, e[i].mem_size);
                assert_int_equal(s->attributes, e[i].attributes);
        }
}

static void assert_sev(const OvmfImage *img, const ExpectSev *e, size_t n)
{
        assert_int_equal(img->sev.error, 0);
        assert_int_equal(img->sev_version, 1);
        assert_int_equal(img->n_sev_sections, n);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(img->sev_sections[i].gpa, e[i].gpa);
                assert_int_equal(img->sev_sections[i].size, e[i].size);
                assert_string_equal(sev_section_type_to_string(img->sev_sections[i].type), e[i].type);
        }
}

static void ovmf_x64_suffix_equals_trixie_metadata(void **state)
{
        _cleanup_free_ uint8_t *img = ovmf_padded("ovmf_OvmfX64_suffix.bin", 4 * MiB);
        _cleanup_(ovmf_image_done) OvmfImage o = {};

        assert_int_equal(ovmf_image_parse(img, 4 * MiB, 4 * MiB, &o), 0);
        assert_int_equal(o.table.error, 0);
        assert_int_equal(o.n_entries, 5);
        assert_int_equal(o.table_size, 136 - 18);
        assert_entry(&o, "00f771de-1a7e-4fcb-890e-68c77e2fb44e", "04b08000");
        assert_entry(&o, "4c2eb361-7d9b-4cc3-8081-127c90d3d294", "0000000000000000");
        assert_entry(&o, "7255371f-3a3b-4b04-927b-1da6efa8d454", "0000000000000000");
        assert_entry(&o, "dc886566-984a-4798-a75e-5585a7bf67cc", "48050000");
        assert_entry(&o, "e47a6535-984a-4798-865e-4685a7bf8ec2", "c0090000");

        assert_tdvf(&o, ovmf13_tdvf, ELEMENTSOF(ovmf13_tdvf));
        assert_int_equal(o.tdvf_offset, 0x3ff640); /* "tdvf_descriptor_file_offset" */
        assert_true(o.tdvf_guid_present);
        assert_sev(&o, ovmf13_sev, ELEMENTSOF(ovmf13_sev));
        assert_int_equal(o.sev_offset, 4 * MiB - 0x548);
        assert_true(o.has_sev_es_reset_eip);
        assert_int_equal(o.sev_es_reset_eip, 0x80b004);
}

static void ovmf_parse_tail_only(void **state)
{
        /* The metadata lies in the last 4 KiB: the suffix alone, told the image size, parses the same. */
        _cleanup_free_ uint8_t *s = ovmf_suffix("ovmf_OvmfX64_suffix.bin");
        _cleanup_(ovmf_image_done) OvmfImage o = {};

        assert_int_equal(ovmf_image_parse(s, 4096, 4 * MiB, &o), 0);
        assert_tdvf(&o, ovmf13_tdvf, ELEMENTSOF(ovmf13_tdvf));
        assert_sev(&o, ovmf13_sev, ELEMENTSOF(ovmf13_sev));

        /* Only the last 1 KiB: the table is there, the descriptors 0x9c0 / 0x548 from the end are not. */
        _cleanup_(ovmf_image_done) OvmfImage p = {};
        assert_int_equal(ovmf_image_parse(s + 3072, 1024, 4 * MiB, &p), 0);
        assert_int_equal(p.table.error, 0);
        assert_int_equal(p.tdx.error, -EBADMSG);
        assert_string_equal(p.tdx.detail,
                            "TDVF descriptor at file offset 0x3ff640 lies before the bytes read");
        assert_int_equal(p.sev.error, -EBADMSG);
        assert_string_equal(p.sev.detail,
                            "SEV metadata header at file offset 0x3ffab8 lies before the bytes read");

        OvmfImage untouched = { .size = 42 };
        assert_int_equal(ovmf_image_parse(s, 4096, 4095, &untouched), -EINVAL);
        assert_int_equal(untouched.size, 42);
}

static void ovmf_amdsev_suffix(void **state)
{
        static const ExpectSev sev[] = {
                { 0x800000, 0x9000, "SNP_SEC_MEM" }, { 0x80a000, 0x3000, "SNP_SEC_MEM" },
                { 0x80d000, 0x1000, "SNP_SECRETS" }, { 0x80e000, 0x1000, "CPUID" },
                { 0x80f000, 0x1000, "SVSM_CAA" },    { 0x810000, 0x1000, "SNP_KERNEL_HASHES" },
                { 0x811000, 0xf000, "SNP_SEC_MEM" },
        };
        static const ExpectTdvf tdvf[] = {
                { "BFV", 0x84000, 0x37c000, 0xffc84000, 0x37c000, 0x1 },
                { "CFV", 0x0, 0x84000, 0xffc00000, 0x84000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x812000, 0xe000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x80b000, 0x2000, 0x0 },
                { "TD_HOB", 0x0, 0x0, 0x809000, 0x2000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x800000, 0x6000, 0x0 },
        };
        _cleanup_free_ uint8_t *img = ovmf_padded("ovmf_AmdSev_suffix.bin", 4 * MiB);
        _cleanup_(ovmf_image_done) OvmfImage o = {};

        assert_int_equal(ovmf_image_parse(img, 4 * MiB, 4 * MiB, &o), 0);
        assert_int_equal(o.n_entries, 5);
        /* The SEV hashes table: u32 base 0x810c00, u32 size 0x400 (measurement.md 1c). */
        assert_entry(&o, "7255371f-3a3b-4b04-927b-1da6efa8d454", "000c810000040000");
        assert_entry(&o, "dc886566-984a-4798-a75e-5585a7bf67cc", "54050000");
        assert_sev(&o, sev, ELEMENTSOF(sev));
        assert_int_equal(o.sev_offset, 4 * MiB - 0x554);
        assert_tdvf(&o, tdvf, ELEMENTSOF(tdvf));
}

/* tools/test-setup's copy, or the host's own on Debian 12. */
static const char *bookworm_path(void)
{
        return getenv("CVM_TEST_OVMF_BOOKWORM") ?: "/usr/share/ovmf/OVMF.fd";
}

/* Whether the host has Debian bookworm's OVMF.fd (ovmf 2022.11-6+deb12u2), byte for byte. */
static bool have_bookworm_ovmf(void)
{
        _cleanup_free_ char *data = NULL;
        unsigned char md[32];
        unsigned len;
        size_t size;

        if (read_full_file(bookworm_path(), 8 * MiB, &data, &size) < 0 ||
            !EVP_Digest(data, size, md, &len, EVP_sha256(), NULL))
                return false;
        _cleanup_free_ char *h = hex(md, sizeof(md));
        return streq(h, "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773");
}

/* That image: "ovmf12" of the same JSON. */
static void ovmf_debian_bookworm_image(void **state)
{
        const char *path = bookworm_path();
        static const ExpectTdvf tdvf[] = {
                { "BFV", 0x20000, 0x1e0000, 0xffe20000, 0x1e0000, 0x1 },
                { "CFV", 0x0, 0x20000, 0xffe00000, 0x20000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x810000, 0x10000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x80b000, 0x2000, 0x0 },
                { "TD_HOB", 0x0, 0x0, 0x809000, 0x2000, 0x0 },
                { "TempMem", 0x0, 0x0, 0x800000, 0x6000, 0x0 },
        };
        static const ExpectSev sev[] = {
                { 0x800000, 0x9000, "SNP_SEC_MEM" },  { 0x80a000, 0x3000, "SNP_SEC_MEM" },
                { 0x80d000, 0x1000, "SNP_SECRETS" },  { 0x80e000, 0x1000, "CPUID" },
                { 0x80f000, 0x11000, "SNP_SEC_MEM" },
        };
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_(ovmf_image_done) OvmfImage o = {};
        assert_true(fd >= 0);
        assert_int_equal(ovmf_image_load(fd, &o), 0);
        assert_int_equal(o.size, 2097152);
        assert_entry(&o, "dc886566-984a-4798-a75e-5585a7bf67cc", "2c050000");
        assert_entry(&o, "e47a6535-984a-4798-865e-4685a7bf8ec2", "40080000");
        assert_tdvf(&o, tdvf, ELEMENTSOF(tdvf));
        assert_int_equal(o.tdvf_offset, 0x1ff7c0);
        assert_sev(&o, sev, ELEMENTSOF(sev));
        assert_int_equal(o.sev_es_reset_eip, 0x80b004);
}

/* A clean 4 MiB OvmfX64 image and where its structures are. */
typedef struct Fixture {
        uint8_t *img;
        size_t size;
        uint64_t tdx_entry, sev_entry; /* file offsets of the u32 data of the two offset entries */
        uint64_t tdvf, asev;
        uint64_t first_entry_trailer; /* u16 length of the entry right below the footer */
} Fixture;

static void fixture(Fixture *f)
{
        OvmfImage o;
        EfiGuid g;

        f->size = 4 * MiB;
        f->img = ovmf_padded("ovmf_OvmfX64_suffix.bin", f->size);
        assert_int_equal(ovmf_image_parse(f->img, f->size, f->size, &o), 0);
        assert_int_equal(efi_guid_from_string("e47a6535-984a-4798-865e-4685a7bf8ec2", &g), 0);
        f->tdx_entry = ovmf_image_find(&o, &g)->offset;
        assert_int_equal(efi_guid_from_string("dc886566-984a-4798-a75e-5585a7bf67cc", &g), 0);
        f->sev_entry = ovmf_image_find(&o, &g)->offset;
        f->tdvf = o.tdvf_offset;
        f->asev = o.sev_offset;
        f->first_entry_trailer = o.entries[0].offset + o.entries[0].size;
        ovmf_image_done(&o);
}

static OvmfImage reparse(const Fixture *f)
{
        OvmfImage o;
        assert_int_equal(ovmf_image_parse(f->img, f->size, f->size, &o), 0);
        return o;
}

static void ovmf_table_bad_footer_guid(void **state)
{
        Fixture f;
        fixture(&f);
        f.img[f.size - 48] ^= 0xff;
        _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
        assert_int_equal(o.table.error, -ENOENT);
        assert_string_equal(o.table.detail,
                            "no GUID table: the footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d is "
                            "not at file offset 0x3fffd0 (found 96b58221-1fb2-45f7-baea-a366c55a082d)");
        assert_int_equal(o.n_entries, 0);
        /* Without a table there is no metadata either, and the reason says why. */
        assert_int_equal(o.tdx.error, -ENOENT);
        assert_string_equal(o.tdx.detail, o.table.detail);
        assert_int_equal(o.sev.error, -ENOENT);
        free(f.img);
}

static void ovmf_table_truncated(void **state)
{
        Fixture f;
        fixture(&f);

        /* A length below the footer entry's own 18 bytes. */
        put_le16(f.img + f.size - 50, 17);
        OvmfImage o = reparse(&f);
        assert_int_equal(o.table.error, -EBADMSG);
        assert_string_equal(
                o.table.detail,
                "GUID table length 17 at file offset 0x3fffce is smaller than its own 18-byte footer entry");
        ovmf_image_done(&o);

        /* The table of a 4 KiB image claiming 64 KiB: it would start before the file. */
        _cleanup_free_ uint8_t *s = ovmf_suffix("ovmf_OvmfX64_suffix.bin");
        put_le16(s + 4096 - 50, 0xffff);
        assert_int_equal(ovmf_image_parse(s, 4096, 4096, &o), 0);
        assert_int_equal(o.table.error, -EBADMSG);
        assert_string_equal(
                o.table.detail,
                "GUID table length 65535 at file offset 0xfce reaches before the start of the image");
        ovmf_image_done(&o);

        /* Smaller than a page: QEMU does not look. */
        assert_int_equal(ovmf_image_parse(s, 4000, 4000, &o), 0);
        assert_int_equal(o.table.error, -ENOENT);
        assert_string_equal(o.table.detail,
                            "image is 4000 bytes, smaller than one page: QEMU reads no GUID table");
        ovmf_image_done(&o);
        free(f.img);
}

static void ovmf_table_entry_lengths(void **state)
{
        Fixture f;
        fixture(&f);

        put_le16(f.img + f.first_entry_trailer, 0x200);
        OvmfImage o = reparse(&f);
        assert_int_equal(o.table.error, -EBADMSG);
        assert_string_equal(
                o.table.detail,
                "GUID table entry 0 (GUID 00f771de-1a7e-4fcb-890e-68c77e2fb44e) at file offset 0x3fffbc: "
                "length 512 runs past the table start at file offset 0x3fff58 (118 bytes left)");
        assert_int_equal(o.tdx.error, -EBADMSG);
        ovmf_image_done(&o);

        put_le16(f.img + f.first_entry_trailer, 17);
        o = reparse(&f);
        assert_int_equal(o.table.error, -EBADMSG);
        assert_string_equal(o.table.detail,
                            "GUID table entry 0 (GUID 00f771de-1a7e-4fcb-890e-68c77e2fb44e) at file "
                            "offset 0x3fffbc: length 17 is smaller than its 18-byte header");
        ovmf_image_done(&o);
        free(f.img);
}

static void ovmf_tdvf_offset_past_end(void **state)
{
        Fixture f;
        fixture(&f);
        put_le32(f.img + f.tdx_entry, (uint32_t) f.size + 1);
        _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
        assert_int_equal(o.table.error, 0);
        assert_int_equal(o.tdx.error, -EBADMSG);
        assert_string_equal(o.tdx.detail,
                            "TDX metadata offset 0x400001 (counted from the end) points outside the "
                            "0x400000-byte image");
        /* The SEV metadata is independent of it. */
        assert_sev(&o, ovmf13_sev, ELEMENTSOF(ovmf13_sev));
        free(f.img);
}

/* A u32 of a metadata header (field: its offset in the header) set to value, and what that must give. */
typedef struct HeaderCase {
        size_t field;
        uint32_t value;
        int error;
        const char *detail;
} HeaderCase;

static void ovmf_tdvf_descriptor_fields(void **state)
{
        static const HeaderCase cases[] = {
                { 0, 0x46564455, -EBADMSG,
                  "TDVF descriptor at file offset 0x3ff640: signature 0x46564455, expected 0x46564454 "
                  "(\"TDVF\")" },
                { 4, 0x9c1, -EBADMSG,
                  "TDVF descriptor at file offset 0x3ff640: length 2497 runs past the end of the "
                  "0x400000-byte image" },
                { 4, 200, -EBADMSG,
                  "TDVF descriptor at file offset 0x3ff640: length 200, expected 16 + 32 * 6 = 208" },
                { 8, 2, -EOPNOTSUPP,
                  "TDVF descriptor at file offset 0x3ff640: version 2, only version 1 is defined" },
                { 12, 1, -EBADMSG,
                  "TDVF descriptor at file offset 0x3ff640: 1 sections, QEMU needs at least 2" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Fixture f;
                fixture(&f);
                put_le32(f.img + f.tdvf + cases[i].field, cases[i].value);
                _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
                assert_int_equal(o.tdx.error, cases[i].error);
                assert_string_equal(o.tdx.detail, cases[i].detail);
                assert_int_equal(o.n_tdvf_sections, 0);
                free(f.img);
        }
}

static void ovmf_tdvf_section_rules(void **state)
{
        /* Section i starts at tdvf + 16 + 32 i: DataOffset +0, RawDataSize +4, MemoryAddress +8,
         * MemoryDataSize +16, Type +24, Attributes +28. Section 2 is TempMem at 0x3ff690. */
        static const struct {
                size_t section, field;
                uint64_t value;
                bool wide;
                int error;
                const char *detail;
        } cases[] = {
                { 2, 8, 0x811001, true, -EBADMSG,
                  "TDVF section 2 (TempMem) at file offset 0x3ff690: MemoryAddress 0x811001 is not 4 KiB "
                  "aligned" },
                { 2, 16, 0xf800, true, -EBADMSG,
                  "TDVF section 2 (TempMem) at file offset 0x3ff690: MemoryDataSize 0xf800 is not 4 KiB "
                  "aligned" },
                { 2, 24, 4, false, -EOPNOTSUPP,
                  "TDVF section 2 at file offset 0x3ff690: unsupported section type 4 (PermMem); QEMU "
                  "accepts only "
                  "BFV, CFV, TD_HOB and TempMem" },
                { 2, 24, 99, false, -EOPNOTSUPP,
                  "TDVF section 2 at file offset 0x3ff690: unsupported section type 99 (unknown); QEMU "
                  "accepts only "
                  "BFV, CFV, TD_HOB and TempMem" },
                { 2, 4, 0x1000, false, -EBADMSG,
                  "TDVF section 2 (TempMem) at file offset 0x3ff690: RawDataSize 0x1000 must be 0" },
                { 0, 16, 0x1000, true, -EBADMSG,
                  "TDVF section 0 (BFV) at file offset 0x3ff650: RawDataSize 0x37c000 exceeds "
                  "MemoryDataSize "
                  "0x1000" },
                { 1, 4, 0, false, -EBADMSG,
                  "TDVF section 1 (CFV) at file offset 0x3ff670: RawDataSize is 0" },
                { 1, 0, 0x800, false, -EBADMSG,
                  "TDVF section 1 (CFV) at file offset 0x3ff670: DataOffset 0x800 is not 4 KiB aligned" },
                { 0, 0, 0x85000, false, -EBADMSG,
                  "TDVF section 0 (BFV) at file offset 0x3ff650: data 0x85000+0x37c000 runs past the end of "
                  "the "
                  "0x400000-byte image" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Fixture f;
                fixture(&f);
                uint8_t *p = f.img + f.tdvf + 16 + 32 * cases[i].section + cases[i].field;
                if (cases[i].wide)
                        put_le64(p, cases[i].value);
                else
                        put_le32(p, (uint32_t) cases[i].value);
                _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
                assert_int_equal(o.tdx.error, cases[i].error);
                assert_string_equal(o.tdx.detail, cases[i].detail);
                assert_null(o.tdvf_sections);
                assert_int_equal(o.sev.error, 0);
                free(f.img);
        }
}

static void ovmf_tdvf_data_past_end(void **state)
{
        /* The trixie-sized layout in a 2 MiB file: the BFV (0x84000 + 0x37c000) does not fit. */
        _cleanup_free_ uint8_t *img = ovmf_padded("ovmf_OvmfX64_suffix.bin", 2 * MiB);
        _cleanup_(ovmf_image_done) OvmfImage o = {};
        assert_int_equal(ovmf_image_parse(img, 2 * MiB, 2 * MiB, &o), 0);
        assert_int_equal(o.table.error, 0);
        assert_int_equal(o.tdx.error, -EBADMSG);
        assert_string_equal(o.tdx.detail,
                            "TDVF section 0 (BFV) at file offset 0x1ff650: data 0x84000+0x37c000 runs "
                            "past the end of the 0x200000-byte image");
        /* The ASEV table only names guest addresses: still valid. */
        assert_sev(&o, ovmf13_sev, ELEMENTSOF(ovmf13_sev));
}

static void ovmf_sev_metadata_rules(void **state)
{
        static const HeaderCase cases[] = {
                { 0, 0x41534556, -EBADMSG,
                  "SEV metadata at file offset 0x3ffab8: signature 0x41534556, expected 0x56455341 "
                  "(\"ASEV\")" },
                { 4, 8, -EBADMSG,
                  "SEV metadata at file offset 0x3ffab8: length 8 is not between 16 and the 1352 bytes to "
                  "the end of "
                  "the image" },
                { 8, 3, -EOPNOTSUPP,
                  "SEV metadata at file offset 0x3ffab8: version 3, only version 1 is defined" },
                { 12, 7, -EBADMSG,
                  "SEV metadata at file offset 0x3ffab8: 7 sections do not fit its length 88" },
                /* Section 1 starts at 0x3ffab8 + 16 + 12. */
                { 16 + 12, 0x80a800, -EBADMSG,
                  "SEV metadata section 1 (SNP_SEC_MEM) at file offset 0x3ffad4: GPA 0x80a800 size 0x3000 "
                  "is not a run of 4 KiB pages" },
                { 16 + 12 + 4, 0x1800, -EBADMSG,
                  "SEV metadata section 1 (SNP_SEC_MEM) at file offset 0x3ffad4: GPA 0x80a000 size 0x1800 "
                  "is "
                  "not a run of 4 KiB pages" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Fixture f;
                fixture(&f);
                put_le32(f.img + f.asev + cases[i].field, cases[i].value);
                _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
                assert_int_equal(o.sev.error, cases[i].error);
                assert_string_equal(o.sev.detail, cases[i].detail);
                assert_null(o.sev_sections);
                assert_int_equal(o.tdx.error, 0);
                free(f.img);
        }

        Fixture f;
        fixture(&f);
        put_le32(f.img + f.sev_entry, 0);
        _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
        assert_int_equal(o.sev.error, -EBADMSG);
        assert_string_equal(
                o.sev.detail,
                "SEV metadata offset 0x0 (counted from the end) points outside the 0x400000-byte image");
        free(f.img);
}

static void ovmf_overlapping_sections(void **state)
{
        Fixture f;
        fixture(&f);
        /* TDVF section 3 (TempMem 0x80b000+0x2000) moved onto section 2 (TempMem 0x811000+0xf000). */
        put_le64(f.img + f.tdvf + 16 + 32 * 3 + 8, 0x810000);
        OvmfImage o = reparse(&f);
        assert_int_equal(o.tdx.error, -EBADMSG);
        assert_string_equal(o.tdx.detail, "TDVF section 3 (TempMem) at file offset 0x3ff6b0: guest range "
                                          "0x810000+0x2000 overlaps section 2 (TempMem) at 0x811000+0xf000");
        assert_null(o.tdvf_sections);
        assert_int_equal(o.sev.error, 0);
        ovmf_image_done(&o);
        free(f.img);

        /* ASEV section 1 (SNP_SEC_MEM 0x80a000+0x3000) moved into section 0 (0x800000+0x9000). */
        fixture(&f);
        put_le32(f.img + f.asev + 16 + 12, 0x808000);
        o = reparse(&f);
        assert_int_equal(o.sev.error, -EBADMSG);
        assert_string_equal(o.sev.detail,
                            "SEV metadata section 1 (SNP_SEC_MEM) at file offset 0x3ffad4: guest "
                            "range 0x808000+0x3000 overlaps section 0 (SNP_SEC_MEM) at "
                            "0x800000+0x9000");
        assert_null(o.sev_sections);
        assert_int_equal(o.tdx.error, 0);
        ovmf_image_done(&o);
        free(f.img);

        /* A section reaching past 2^64. */
        fixture(&f);
        put_le64(f.img + f.tdvf + 16 + 32 * 2 + 8, UINT64_C(0xfffffffffffff000));
        o = reparse(&f);
        assert_int_equal(o.tdx.error, -EBADMSG);
        assert_string_equal(o.tdx.detail, "TDVF section 2 (TempMem) at file offset 0x3ff690: MemoryAddress "
                                          "0xfffffffffffff000 + MemoryDataSize 0xf000 wraps around");
        ovmf_image_done(&o);
        free(f.img);
}

static void ovmf_missing_entries(void **state)
{
        Fixture f;
        fixture(&f);
        /* Rename both offset GUIDs (first byte of the GUID after the u16 length). */
        f.img[f.tdx_entry + 4 + 2] ^= 1;
        f.img[f.sev_entry + 4 + 2] ^= 1;
        _cleanup_(ovmf_image_done) OvmfImage o = reparse(&f);
        assert_int_equal(o.table.error, 0);
        assert_int_equal(o.tdx.error, -ENOENT);
        assert_string_equal(o.tdx.detail,
                            "no TDX metadata offset entry (GUID e47a6535-984a-4798-865e-4685a7bf8ec2) "
                            "in the OVMF GUID table");
        assert_int_equal(o.sev.error, -ENOENT);
        assert_string_equal(o.sev.detail,
                            "no SEV metadata offset entry (GUID dc886566-984a-4798-a75e-5585a7bf67cc) "
                            "in the OVMF GUID table");
        free(f.img);
}

static void ovmf_load_file(void **state)
{
        _cleanup_(rm_rf_freep) char *dir = make_tree((const char *[]){ "/empty", "", NULL });
        _cleanup_free_ uint8_t *img = ovmf_padded("ovmf_AmdSev_suffix.bin", 4 * MiB);
        _cleanup_free_ char *path = NULL, *big = NULL;

        assert_true(asprintf(&path, "%s/OVMF.fd", dir) > 0);
        assert_int_equal(write_full_file(path, img, 4 * MiB), 0);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        _cleanup_(ovmf_image_done) OvmfImage o = {};
        assert_int_equal(ovmf_image_load(fd, &o), 0);
        assert_int_equal(o.n_sev_sections, 7);
        assert_int_equal(o.n_tdvf_sections, 6);

        /* Over the cap: refused before reading (a sparse file costs nothing). */
        assert_true(asprintf(&big, "%s/big.fd", dir) > 0);
        _cleanup_close_ int bfd = open(big, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        assert_true(bfd >= 0);
        assert_int_equal(ftruncate(bfd, OVMF_IMAGE_MAX + 1), 0);
        OvmfImage untouched = { .size = 7 };
        assert_int_equal(ovmf_image_load(bfd, &untouched), -EFBIG);
        assert_int_equal(untouched.size, 7);

        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(ovmf_image_load(dfd, &untouched), -EBADFD);
}

static void efi_guid_roundtrip(void **state)
{
        char buf[EFI_GUID_STRING_MAX];
        EfiGuid g;

        assert_int_equal(efi_guid_from_string("E47A6535-984A-4798-865E-4685A7BF8EC2", &g), 0);
        assert_memory_equal(g.bytes, OVMF_GUID_TDX_METADATA.bytes, 16);
        /* Mixed-endian storage, as uuid.UUID(...).bytes_le gives. */
        assert_int_equal(g.bytes[0], 0x35);
        assert_int_equal(g.bytes[3], 0xe4);
        assert_int_equal(g.bytes[4], 0x4a);
        assert_int_equal(g.bytes[8], 0x86);
        assert_string_equal(efi_guid_to_string(&g, buf), "e47a6535-984a-4798-865e-4685a7bf8ec2");

        static const char *const bad[] = { "", "e47a6535-984a-4798-865e-4685a7bf8ec",
                                           "e47a6535x984a-4798-865e-4685a7bf8ec2",
                                           "g47a6535-984a-4798-865e-4685a7bf8ec2",
                                           "e47a6535-984a-4798-865e-4685a7bf8ec2a" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(efi_guid_from_string(bad[i], &g), -EINVAL);
}

int main(void)
{
        struct CMUnitTest tests[] = {
                cmocka_unit_test(ovmf_x64_suffix_equals_trixie_metadata),
                cmocka_unit_test(ovmf_parse_tail_only),
                cmocka_unit_test(ovmf_amdsev_suffix),
                cmocka_unit_test(ovmf_table_bad_footer_guid),
                cmocka_unit_test(ovmf_table_truncated),
                cmocka_unit_test(ovmf_table_entry_lengths),
                cmocka_unit_test(ovmf_tdvf_offset_past_end),
                cmocka_unit_test(ovmf_tdvf_descriptor_fields),
                cmocka_unit_test(ovmf_tdvf_section_rules),
                cmocka_unit_test(ovmf_tdvf_data_past_end),
                cmocka_unit_test(ovmf_sev_metadata_rules),
                cmocka_unit_test(ovmf_overlapping_sections),
                cmocka_unit_test(ovmf_missing_entries),
                cmocka_unit_test(ovmf_load_file),
                cmocka_unit_test(efi_guid_roundtrip),
                cmocka_unit_test(ovmf_debian_bookworm_image),
        };
        size_t n = ELEMENTSOF(tests);

        /* cmocka 1.1.5 prints skip() as "not ok # SKIP", a failure to meson: register it only where it can
         * run. */
        if (!have_bookworm_ovmf()) {
                n--;
                printf("# SKIP ovmf_debian_bookworm_image: %s is not Debian bookworm's OVMF.fd\n",
                       bookworm_path());
                fflush(stdout);
        }
        return _cmocka_run_group_tests("test-ovmf", tests, n, NULL, NULL);
}
