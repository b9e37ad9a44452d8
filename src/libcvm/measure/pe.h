/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * PE/COFF images (EFI applications, the Linux EFI stub's bzImage, unified kernel images) and their
 * Authenticode SHA-384, as edk2 measures an image it loads.
 *
 * Sources: Microsoft "PE Format" (MS-DOS stub e_lfanew at 0x3c, COFF file header, optional header
 * PE32 0x10b / PE32+ 0x20b, data directory 4 = certificate table, section table of 40-byte headers);
 * Microsoft "Windows Authenticode Portable Executable Signature Format" §"Calculating the PE Image Hash";
 * tianocore/edk2 OvmfPkg/Tcg/TdTcg2Dxe/MeasureBootPeCoff.c MeasurePeImageAndExtend() (what a TD's firmware
 * hashes, including the rule for data after the last section).
 *
 * The parser reads through the bounded Reader only; errors name the header, the field and its offset.
 */

#include <openssl/evp.h>

#include "macro.h"

#define PE_SECTIONS_MAX       256U /* the loader's limit is 96; leave room, refuse absurd counts */
#define PE_SECTION_NAME_MAX   8U
#define PE_DIRECTORY_SECURITY 4U

typedef struct PeSection {
        char name[PE_SECTION_NAME_MAX + 1]; /* NUL-padded in the file; NUL-terminated here */
        uint32_t virtual_size;
        uint32_t virtual_address;
        uint32_t raw_size;
        uint32_t raw_offset;
        size_t header_offset; /* of the 40-byte section header in the file */
} PeSection;

typedef struct PeImage {
        size_t size;        /* the file */
        uint32_t pe_offset; /* e_lfanew: "PE\0\0" */
        uint16_t machine;
        bool pe32_plus;
        size_t optional_header_offset;
        uint16_t optional_header_size;
        uint32_t size_of_headers;
        size_t checksum_offset;
        uint32_t n_rva_and_sizes;
        size_t security_dir_offset; /* of the certificate-table directory entry; 0 when absent */
        uint32_t cert_table_offset; /* a file offset (not an RVA) */
        uint32_t cert_table_size;
        PeSection *sections; /* in the file's order */
        size_t n_sections;
} PeImage;

void pe_image_done(PeImage *img);

/*
 * Parses the headers and section table of a PE image held in buf. -EBADMSG for anything malformed (with
 * *reterr naming the header, field and offset), -E2BIG for a section count over PE_SECTIONS_MAX, -ENOMEM.
 * ret is written only on success.
 */
int pe_image_parse(const void *buf, size_t size, PeImage *ret, char **reterr);

/* The first section with this name ("\.linux"), or NULL. */
const PeSection *pe_image_find_section(const PeImage *img, const char *name);

/*
 * The Authenticode SHA-384 of the image (edk2 MeasurePeImageAndExtend()): the headers without CheckSum
 * and the certificate-table directory entry, the sections' raw data in PointerToRawData order, then any
 * data after SizeOfHeaders + the sum of the raw sizes except the trailing certificate table. buf and
 * size must be what img was parsed from. -EBADMSG (with *reterr) when the certificate table does not fit
 * the file, -EIO when OpenSSL fails.
 */
int pe_authenticode_sha384(const void *buf, size_t size, const PeImage *img, uint8_t ret[static 48],
                           char **reterr);

/* The same with another digest: Authenticode signatures of Linux distributions carry the SHA-256 one. */
int pe_authenticode(const void *buf, size_t size, const PeImage *img, const EVP_MD *md,
                    uint8_t ret[static EVP_MAX_MD_SIZE], unsigned *ret_size, char **reterr);
