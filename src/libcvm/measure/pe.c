/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PE/COFF headers and the Authenticode SHA-384 (layouts and sources in pe.h).
 */
#include <inttypes.h>
#include <openssl/evp.h>

#include "attest/openssl-util.h"
#include "measure-util.h"
#include "pe.h"
#include "reader.h"

#define DOS_LFANEW_OFFSET   0x3cU
#define COFF_HEADER_SIZE    20U
#define SECTION_HEADER_SIZE 40U
#define PE32_MAGIC          0x10bU
#define PE32PLUS_MAGIC      0x20bU

void pe_image_done(PeImage *img)
{
        if (!img)
                return;
        free(img->sections);
        *img = (PeImage){};
}

int pe_image_parse(const void *buf, size_t size, PeImage *ret, char **reterr)
{
        Reader r = reader_init(buf, size);
        PeImage img = { .size = size };
        _cleanup_free_ PeSection *sections = NULL;
        const uint8_t *p;
        uint16_t magic, n_sections;

        if (reader_peek_at(&r, 0, 2, &p) < 0 || p[0] != 'M' || p[1] != 'Z')
                return parse_error(reterr, -EBADMSG,
                                   "PE image: DOS header: e_magic at offset 0 is not \"MZ\"");
        if (reader_seek(&r, DOS_LFANEW_OFFSET) < 0 || reader_u32le(&r, &img.pe_offset) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: DOS header: e_lfanew at offset 0x3c is beyond the end of the "
                                   "file (%zu bytes)",
                                   size);
        if (reader_seek(&r, img.pe_offset) < 0 || reader_bytes(&r, 4, &p) < 0 || memcmp(p, "PE\0\0", 4) != 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: PE signature at offset 0x%" PRIx32
                                   " (e_lfanew) is not \"PE\\0\\0\" or is beyond the end of the file",
                                   img.pe_offset);

        /* COFF file header */
        size_t coff = r.off;
        if (reader_u16le(&r, &img.machine) < 0 || reader_u16le(&r, &n_sections) < 0 ||
            reader_skip(&r, 12) < 0 || reader_u16le(&r, &img.optional_header_size) < 0 ||
            reader_skip(&r, 2) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: COFF file header at offset 0x%zx is truncated", coff);
        if (n_sections > PE_SECTIONS_MAX)
                return parse_error(reterr, -E2BIG,
                                   "PE image: COFF file header: NumberOfSections %u at offset 0x%zx is over "
                                   "the limit of %u",
                                   n_sections, coff + 2, PE_SECTIONS_MAX);

        /* Optional header: the fields Authenticode needs. */
        img.optional_header_offset = r.off;
        size_t opt = r.off;
        if (reader_u16le(&r, &magic) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: optional header at offset 0x%zx is truncated", opt);
        if (magic != PE32_MAGIC && magic != PE32PLUS_MAGIC)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: optional header: Magic 0x%04x at offset 0x%zx is neither PE32 "
                                   "(0x10b) nor PE32+ (0x20b)",
                                   magic, opt);
        img.pe32_plus = magic == PE32PLUS_MAGIC;
        size_t n_rva_at = opt + (img.pe32_plus ? 108 : 92);
        size_t dirs_at = n_rva_at + 4;
        if (img.optional_header_size < dirs_at - opt)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: COFF file header: SizeOfOptionalHeader %u at offset 0x%zx is "
                                   "too small for a %s optional header (%zu bytes)",
                                   img.optional_header_size, coff + 16, img.pe32_plus ? "PE32+" : "PE32",
                                   dirs_at - opt);
        img.checksum_offset = opt + 64;
        Reader h;
        if (reader_seek(&r, opt + 60) < 0 || reader_u32le(&r, &img.size_of_headers) < 0 ||
            reader_seek(&r, n_rva_at) < 0 || reader_u32le(&r, &img.n_rva_and_sizes) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: optional header at offset 0x%zx is truncated before "
                                   "NumberOfRvaAndSizes (offset 0x%zx)",
                                   opt, n_rva_at);
        if (img.n_rva_and_sizes > (img.optional_header_size - (dirs_at - opt)) / 8)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: optional header: NumberOfRvaAndSizes %" PRIu32
                                   " at offset 0x%zx does not fit SizeOfOptionalHeader %u",
                                   img.n_rva_and_sizes, n_rva_at, img.optional_header_size);
        if (img.n_rva_and_sizes > PE_DIRECTORY_SECURITY) {
                img.security_dir_offset = dirs_at + 8 * PE_DIRECTORY_SECURITY;
                if (reader_seek(&r, img.security_dir_offset) < 0 ||
                    reader_u32le(&r, &img.cert_table_offset) < 0 ||
                    reader_u32le(&r, &img.cert_table_size) < 0)
                        return parse_error(reterr, -EBADMSG,
                                           "PE image: certificate table directory entry at offset 0x%zx is "
                                           "truncated",
                                           img.security_dir_offset);
        }
        size_t headers_end_needed = MAX(img.checksum_offset + 4, img.security_dir_offset + 8);
        if (img.size_of_headers > size || img.size_of_headers < headers_end_needed)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: optional header: SizeOfHeaders 0x%" PRIx32
                                   " at offset 0x%zx is outside [0x%zx, file size 0x%zx]",
                                   img.size_of_headers, opt + 60, headers_end_needed, size);
        if (img.cert_table_size > 0 &&
            (img.cert_table_offset > size || img.cert_table_size > size - img.cert_table_offset))
                return parse_error(reterr, -EBADMSG,
                                   "PE image: certificate table [0x%" PRIx32 ", +0x%" PRIx32
                                   ") named at offset 0x%zx runs past the end of the file (0x%zx)",
                                   img.cert_table_offset, img.cert_table_size, img.security_dir_offset,
                                   size);

        /* Section table */
        size_t table = opt + img.optional_header_size;
        if (reader_seek(&r, table) < 0 || reader_sub(&r, (size_t) n_sections * SECTION_HEADER_SIZE, &h) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "PE image: section table at offset 0x%zx (%u sections) runs past the end "
                                   "of the file",
                                   table, n_sections);
        sections = new0(PeSection, n_sections);
        if (!sections)
                return -ENOMEM;
        for (size_t i = 0; i < n_sections; i++) {
                PeSection *s = sections + i;
                s->header_offset = table + i * SECTION_HEADER_SIZE;
                (void) reader_copy(&h, s->name, PE_SECTION_NAME_MAX);
                (void) reader_u32le(&h, &s->virtual_size);
                (void) reader_u32le(&h, &s->virtual_address);
                (void) reader_u32le(&h, &s->raw_size);
                (void) reader_u32le(&h, &s->raw_offset);
                (void) reader_skip(&h, 16);
                if (s->raw_size > 0 && (s->raw_offset > size || s->raw_size > size - s->raw_offset))
                        return parse_error(reterr, -EBADMSG,
                                           "PE image: section %zu \"%s\" (header at offset 0x%zx): raw data "
                                           "[0x%" PRIx32 ", +0x%" PRIx32 ") runs past the end of the file "
                                           "(0x%zx)",
                                           i, s->name, s->header_offset, s->raw_offset, s->raw_size, size);
        }
        img.sections = TAKE_PTR(sections);
        img.n_sections = n_sections;
        *ret = img;
        return 0;
}

const PeSection *pe_image_find_section(const PeImage *img, const char *name)
{
        for (size_t i = 0; i < img->n_sections; i++)
                if (strneq(img->sections[i].name, name, PE_SECTION_NAME_MAX))
                        return img->sections + i;
        return NULL;
}

static int hash_range(EVP_MD_CTX *ctx, const uint8_t *buf, size_t from, size_t to)
{
        if (to <= from)
                return 0;
        return EVP_DigestUpdate(ctx, buf + from, to - from) == 1 ? 0 : -EIO;
}

int pe_authenticode(const void *buf, size_t size, const PeImage *img, const EVP_MD *md,
                    uint8_t ret[static EVP_MAX_MD_SIZE], unsigned *ret_size, char **reterr)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ const PeSection **sorted = NULL;
        const uint8_t *b = buf;
        uint64_t hashed;
        unsigned len = 0;
        int r;

        assert(size == img->size);
        if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1)
                return -EIO;

        /* Headers, without CheckSum and without the certificate-table directory entry. */
        if ((r = hash_range(ctx, b, 0, img->checksum_offset)) < 0)
                return r;
        if (img->security_dir_offset == 0)
                r = hash_range(ctx, b, img->checksum_offset + 4, img->size_of_headers);
        else if ((r = hash_range(ctx, b, img->checksum_offset + 4, img->security_dir_offset)) >= 0)
                r = hash_range(ctx, b, img->security_dir_offset + 8, img->size_of_headers);
        if (r < 0)
                return r;
        hashed = img->size_of_headers;

        /* Sections by PointerToRawData; equal offsets keep the table's order (edk2 uses insertion sort). */
        sorted = new0(const PeSection *, img->n_sections);
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < img->n_sections; i++) {
                size_t j = i;
                while (j > 0 && sorted[j - 1]->raw_offset > img->sections[i].raw_offset) {
                        sorted[j] = sorted[j - 1];
                        j--;
                }
                sorted[j] = img->sections + i;
        }
        for (size_t i = 0; i < img->n_sections; i++) {
                const PeSection *s = sorted[i];
                if (s->raw_size == 0)
                        continue;
                if ((r = hash_range(ctx, b, s->raw_offset, (size_t) s->raw_offset + s->raw_size)) < 0)
                        return r;
                hashed += s->raw_size;
        }

        /* What lies after: hashed up to the certificate table, which edk2 assumes is last. */
        if (size > hashed) {
                uint64_t cert = img->security_dir_offset ? img->cert_table_size : 0;
                if (size < hashed + cert)
                        return parse_error(
                                reterr, -EBADMSG,
                                "PE image: the certificate table (0x%" PRIx64
                                " bytes) is larger than the 0x%" PRIx64
                                " bytes after the headers and sections: edk2 refuses such an image",
                                cert, (uint64_t) size - hashed);
                if ((r = hash_range(ctx, b, hashed, size - cert)) < 0)
                        return r;
        }
        if (EVP_DigestFinal_ex(ctx, ret, &len) != 1)
                return -EIO;
        *ret_size = len;
        return 0;
}

int pe_authenticode_sha384(const void *buf, size_t size, const PeImage *img, uint8_t ret[static 48],
                           char **reterr)
{
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned n;
        int r = pe_authenticode(buf, size, img, EVP_sha384(), d, &n, reterr);
        if (r < 0)
                return r;
        memcpy(ret, d, 48);
        return 0;
}
