/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * OVMF / TDVF firmware metadata: the GUID footer table at the end of an OVMF image, the TDX metadata
 * ("TDVF" descriptor and its sections) and the SEV metadata ("ASEV" header and its sections).
 *
 * Sources: qemu/qemu hw/i386/pc_sysfw_ovmf.c (table walk), hw/i386/tdvf.c (TDVF descriptor and the
 * section rules QEMU enforces), target/i386/sev.c (ASEV); tianocore/edk2
 * OvmfPkg/ResetVector/X64/IntelTdxMetadata.nasm.inc and OvmfSevMetadata.nasm.inc (layouts);
 * confidential-containers/td-shim doc/tdshim_spec.md tables 1.1-1 .. 1.1-4 (section types).
 *
 * The parser only reads; what it finds goes into an OvmfImage. Problems with the TDX or SEV metadata do
 * not fail the parse: they are recorded per part (an errno and a sentence naming the structure and its
 * file offset), because an image may be fine for one TEE and broken for the other.
 */

#include "macro.h"

/* A GUID as stored in EFI images: the first three fields little-endian ("mixed-endian"). */
typedef struct EfiGuid {
        uint8_t bytes[16];
} EfiGuid;

#define EFI_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                              \
        {                                                                                                   \
                .bytes = {                                                                                  \
                        (uint8_t) (a),                                                                      \
                        (uint8_t) ((a) >> 8),                                                               \
                        (uint8_t) ((a) >> 16),                                                              \
                        (uint8_t) ((a) >> 24),                                                              \
                        (uint8_t) (b),                                                                      \
                        (uint8_t) ((b) >> 8),                                                               \
                        (uint8_t) (c),                                                                      \
                        (uint8_t) ((c) >> 8),                                                               \
                        d0,                                                                                 \
                        d1,                                                                                 \
                        d2,                                                                                 \
                        d3,                                                                                 \
                        d4,                                                                                 \
                        d5,                                                                                 \
                        d6,                                                                                 \
                        d7                                                                                  \
                }                                                                                           \
        }

#define EFI_GUID_STRING_MAX 37

/* "96b582de-1fb2-45f7-baea-a366c55a082d" <-> the stored bytes. -EINVAL for anything else. */
int efi_guid_from_string(const char *s, EfiGuid *ret);
const char *efi_guid_to_string(const EfiGuid *g, char buf[static EFI_GUID_STRING_MAX]);

/* Well-known GUID table entries. */
extern const EfiGuid OVMF_GUID_TABLE_FOOTER;    /* 96b582de-1fb2-45f7-baea-a366c55a082d */
extern const EfiGuid OVMF_GUID_TDX_METADATA;    /* e47a6535-984a-4798-865e-4685a7bf8ec2: u32 offset */
extern const EfiGuid OVMF_GUID_TDVF_DESCRIPTOR; /* e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae: before "TDVF" */
extern const EfiGuid OVMF_GUID_SEV_METADATA;    /* dc886566-984a-4798-a75e-5585a7bf67cc: u32 offset */
extern const EfiGuid OVMF_GUID_SEV_ES_RESET;    /* 00f771de-1a7e-4fcb-890e-68c77e2fb44e: u32 AP EIP */
extern const EfiGuid OVMF_GUID_SEV_HASH_TABLE;  /* 7255371f-3a3b-4b04-927b-1da6efa8d454: base, size */

/* QEMU looks for no table in images smaller than a page (pc_system_parse_ovmf_flash). */
#define OVMF_IMAGE_MIN 4096U
/* Firmware QEMU maps below 4 GiB is a few MiB; anything this large is not OVMF. */
#define OVMF_IMAGE_MAX (64U * 1024 * 1024)
/* The table length is a u16, so the table and its footer fit in the last 64 KiB + 50 bytes. */
#define OVMF_TAIL_READ (128U * 1024)
/* edk2 emits 6-7 sections; QEMU has no cap, we refuse absurd counts before allocating. */
#define OVMF_SECTIONS_MAX 1024U
#define OVMF_PAGE_SIZE    4096U

#define TDVF_SIGNATURE       UINT32_C(0x46564454) /* "TDVF" little-endian */
#define TDVF_VERSION         1U
#define TDVF_DESCRIPTOR_SIZE 16U
#define TDVF_SECTION_SIZE    32U
#define TDVF_ATTR_MR_EXTEND  UINT32_C(0x1)
#define TDVF_ATTR_PAGE_AUG   UINT32_C(0x2)

#define SEV_METADATA_SIGNATURE   UINT32_C(0x56455341) /* "ASEV" little-endian */
#define SEV_METADATA_VERSION     1U
#define SEV_METADATA_HEADER_SIZE 16U
#define SEV_SECTION_SIZE         12U

/* td-shim doc/tdshim_spec.md Table 1.1-4. */
typedef enum TdvfSectionType {
        TDVF_SECTION_BFV = 0,
        TDVF_SECTION_CFV = 1,
        TDVF_SECTION_TD_HOB = 2,
        TDVF_SECTION_TEMP_MEM = 3,
        TDVF_SECTION_PERM_MEM = 4,
        TDVF_SECTION_PAYLOAD = 5,
        TDVF_SECTION_PAYLOAD_PARAM = 6,
        TDVF_SECTION_TD_INFO = 7,
        TDVF_SECTION_TD_PARAMS = 8,
        _TDVF_SECTION_TYPE_MAX,
} TdvfSectionType;

/* "BFV", "CFV", "TD_HOB", "TempMem", ... ; NULL for unknown types. */
const char *tdvf_section_type_to_string(uint32_t type);

/* edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.nasm.inc. */
typedef enum SevSectionType {
        SEV_SECTION_SNP_SEC_MEM = 1,
        SEV_SECTION_SNP_SECRETS = 2,
        SEV_SECTION_CPUID = 3,
        SEV_SECTION_SVSM_CAA = 4,
        SEV_SECTION_SNP_KERNEL_HASHES = 0x10,
} SevSectionType;

/* "SNP_SEC_MEM", "SNP_SECRETS", "CPUID", "SVSM_CAA", "SNP_KERNEL_HASHES"; NULL for unknown types. */
const char *sev_section_type_to_string(uint32_t type);

typedef struct OvmfGuidEntry {
        EfiGuid guid;
        uint64_t offset;     /* file offset of the entry's data */
        const uint8_t *data; /* into OvmfImage.table */
        size_t size;         /* data bytes, without the 18-byte length + GUID trailer */
} OvmfGuidEntry;

/* tdvf.c TdvfSectionEntry, decoded. */
typedef struct TdvfSection {
        uint32_t data_offset; /* file offset of the data (BFV, CFV) */
        uint32_t raw_size;
        uint64_t gpa;
        uint64_t mem_size;
        uint32_t type;
        uint32_t attributes;
} TdvfSection;

typedef struct SevSection {
        uint32_t gpa;
        uint32_t size;
        uint32_t type;
} SevSection;

/* The outcome of parsing one part: 0, or -ENOENT (absent), -EBADMSG, -EOPNOTSUPP, -E2BIG with detail. */
typedef struct OvmfStatus {
        int error;
        char *detail; /* NULL when error == 0 */
} OvmfStatus;

typedef struct OvmfImage {
        uint64_t size;

        /* GUID footer table: entries in table order, i.e. walking backwards from the footer. */
        OvmfStatus table;
        uint8_t *table_bytes; /* copy of the table body; entries point into it */
        uint64_t table_offset;
        size_t table_size;
        OvmfGuidEntry *entries;
        size_t n_entries;

        /* TDX: the TDVF descriptor and its sections (only when tdx.error == 0). */
        OvmfStatus tdx;
        uint64_t tdvf_offset;   /* file offset of "TDVF" */
        bool tdvf_guid_present; /* OVMF_GUID_TDVF_DESCRIPTOR in the 16 bytes before it */
        TdvfSection *tdvf_sections;
        size_t n_tdvf_sections;

        /* SEV: the ASEV header and its sections (only when sev.error == 0). */
        OvmfStatus sev;
        uint64_t sev_offset; /* file offset of "ASEV" */
        uint32_t sev_version;
        SevSection *sev_sections;
        size_t n_sev_sections;

        bool has_sev_es_reset_eip;
        uint32_t sev_es_reset_eip;
} OvmfImage;

void ovmf_image_done(OvmfImage *img);

/*
 * Parses the last tail_size bytes of an image of image_size bytes (tail_size == image_size: the whole
 * image). Structures that lie before the tail are reported as not read. Returns 0 (whatever the table
 * and metadata statuses say), -EINVAL when tail_size > image_size, -ENOMEM.
 */
int ovmf_image_parse(const void *tail, size_t tail_size, uint64_t image_size, OvmfImage *ret);

/*
 * Reads an image from fd with bounded preads: the last OVMF_TAIL_READ bytes, and more only when the
 * table points at metadata before them. -EFBIG above OVMF_IMAGE_MAX, -EBADFD for non-regular files,
 * -errno from the file system.
 */
int ovmf_image_load(int fd, OvmfImage *ret);

/* The data of the first table entry with this GUID, or NULL. */
const OvmfGuidEntry *ovmf_image_find(const OvmfImage *img, const EfiGuid *guid);
