/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The confidential-computing event log of a TDX guest: the CCEL ACPI table that locates it, and the TCG2
 * "crypto-agile" event log it holds, parsed, decoded and replayed into RTMR0..3.
 *
 * Sources: tianocore/edk2 MdePkg/Include/IndustryStandard/Acpi65.h
 * (EFI_ACPI_6_5_CONFIDENTIAL_COMPUTING_EVENT_LOG_TABLE), MdePkg/Include/Protocol/CcMeasurement.h (MR index:
 * 0 MRTD, 1..4 RTMR0..3), MdePkg/Include/IndustryStandard/UefiTcgPlatform.h (TCG_EfiSpecIDEventStruct,
 * UEFI_VARIABLE_DATA, UEFI_IMAGE_LOAD_EVENT, UEFI_PLATFORM_FIRMWARE_BLOB2, UEFI_HANDOFF_TABLE_POINTERS2),
 * TCG PC Client Platform Firmware Profile 1.05 §10 (event types, TCG_PCR_EVENT / TCG_PCR_EVENT2 records);
 * intel/tdx-tools pytdxmeasure (replay rules: EV_NO_ACTION is not extended, 0xFFFFFFFF ends the log).
 *
 * The parser reads through the bounded Reader only; every error names the event index (0 is the Spec ID
 * header), the field and its offset in the log.
 */

#include "macro.h"

#define CCEL_TABLE_SIZE   56U
#define CCEL_SIGNATURE    "CCEL"
#define CCEL_CC_TYPE_SEV  1U
#define CCEL_CC_TYPE_TDX  2U
#define CC_MR_DIGEST_SIZE 48U /* SHA-384 */
#define CC_RTMR_COUNT     4U
#define CC_EVENTLOG_MAX   (16U * 1024 * 1024) /* firmware log areas are 64 KiB to a few MiB */
#define CC_EVENT_DATA_MAX (16U * 1024 * 1024) /* one event's data */
#define CC_ALGORITHMS_MAX 8U                  /* digests per event: TPM 2.0 knows about a dozen */
#define TPM_ALG_SHA1      0x0004U
#define TPM_ALG_SHA256    0x000bU
#define TPM_ALG_SHA384    0x000cU
#define TPM_ALG_SHA512    0x000dU
#define TPM_ALG_SM3_256   0x0012U

/* TCG PC Client PFP 1.05 Table 9 (and the EFI event types of §10.4.1). */
enum {
        EV_PREBOOT_CERT = 0x0,
        EV_POST_CODE = 0x1,
        EV_UNUSED = 0x2,
        EV_NO_ACTION = 0x3,
        EV_SEPARATOR = 0x4,
        EV_ACTION = 0x5,
        EV_EVENT_TAG = 0x6,
        EV_S_CRTM_CONTENTS = 0x7,
        EV_S_CRTM_VERSION = 0x8,
        EV_CPU_MICROCODE = 0x9,
        EV_PLATFORM_CONFIG_FLAGS = 0xa,
        EV_TABLE_OF_DEVICES = 0xb,
        EV_COMPACT_HASH = 0xc,
        EV_IPL = 0xd,
        EV_IPL_PARTITION_DATA = 0xe,
        EV_NONHOST_CODE = 0xf,
        EV_NONHOST_CONFIG = 0x10,
        EV_NONHOST_INFO = 0x11,
        EV_OMIT_BOOT_DEVICE_EVENTS = 0x12,
        EV_POST_CODE2 = 0x13,
        EV_EFI_EVENT_BASE = 0x80000000,
        EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001,
        EV_EFI_VARIABLE_BOOT = 0x80000002,
        EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
        EV_EFI_BOOT_SERVICES_DRIVER = 0x80000004,
        EV_EFI_RUNTIME_SERVICES_DRIVER = 0x80000005,
        EV_EFI_GPT_EVENT = 0x80000006,
        EV_EFI_ACTION = 0x80000007,
        EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008,
        EV_EFI_HANDOFF_TABLES = 0x80000009,
        EV_EFI_PLATFORM_FIRMWARE_BLOB2 = 0x8000000a,
        EV_EFI_HANDOFF_TABLES2 = 0x8000000b,
        EV_EFI_VARIABLE_BOOT2 = 0x8000000c,
        EV_EFI_GPT_EVENT2 = 0x8000000d,
        EV_EFI_HCRTM_EVENT = 0x80000010,
        EV_EFI_VARIABLE_AUTHORITY = 0x800000e0,
        EV_EFI_SPDM_FIRMWARE_BLOB = 0x800000e1,
        EV_EFI_SPDM_FIRMWARE_CONFIG = 0x800000e2,
};

/* "EV_SEPARATOR", "EV_EFI_ACTION", ...; NULL for types the specification does not name. */
const char *cc_event_type_to_string(uint32_t type);
/* The inverse, for tests and options: the type or -EINVAL. */
int64_t cc_event_type_from_string(const char *s);
/* "sha384", "sha256", ...; NULL for others. */
const char *tpm_alg_to_string(uint16_t alg);

/* The CCEL ACPI table, decoded. */
typedef struct CcelTable {
        uint32_t length;
        uint8_t revision;
        char oem_id[7];
        char oem_table_id[9];
        uint32_t oem_revision;
        char creator_id[5];
        uint32_t creator_revision;
        uint8_t cc_type; /* CCEL_CC_TYPE_TDX, CCEL_CC_TYPE_SEV */
        uint8_t cc_subtype;
        uint64_t laml; /* log area minimum length */
        uint64_t lasa; /* log area start address (guest physical) */
} CcelTable;

/* "tdx", "sev"; NULL for others. */
const char *ccel_cc_type_to_string(uint8_t t);

/*
 * Parses a CCEL table: signature, a length that covers the fields and equals size, and an ACPI checksum
 * that sums to zero. -EBADMSG with *reterr naming the field and its offset.
 */
int ccel_table_parse(const void *buf, size_t size, CcelTable *ret, char **reterr);

typedef struct CcDigest {
        uint16_t alg;
        uint16_t size;
        const uint8_t *bytes; /* into CcEventLog.raw */
} CcDigest;

typedef struct CcEvent {
        size_t index;      /* 0: the Spec ID header (legacy TCG_PCR_EVENT format) */
        size_t offset;     /* of the record in the log */
        size_t size;       /* of the whole record */
        uint32_t mr_index; /* as logged: 1..4 for RTMR0..3 */
        uint32_t type;
        size_t n_digests;
        CcDigest digests[CC_ALGORITHMS_MAX];
        const uint8_t *sha384; /* digests[] entry for SHA-384, or NULL */
        uint32_t data_size;
        size_t data_offset;
        const uint8_t *data; /* into CcEventLog.raw */
} CcEvent;

typedef struct CcSpecAlgorithm {
        uint16_t alg;
        uint16_t digest_size;
} CcSpecAlgorithm;

typedef struct CcEventLog {
        uint8_t *raw;    /* copy of the log bytes */
        size_t size;     /* input size (the log area) */
        size_t used;     /* bytes up to the end of the last event */
        bool terminated; /* ended by an all-0xff (or all-zero) record header, as firmware leaves the area */

        /* TCG_EfiSpecIdEvent of the header */
        uint32_t platform_class;
        uint8_t spec_version_minor, spec_version_major, spec_errata;
        uint8_t uintn_size;
        size_t n_algorithms;
        CcSpecAlgorithm algorithms[CC_ALGORITHMS_MAX];

        CcEvent *events; /* events[0] is the header */
        size_t n_events;
} CcEventLog;

void cc_event_log_done(CcEventLog *log);

/*
 * Parses a TCG2 crypto-agile log: the Spec ID header (which must list SHA-384), then records until the
 * end of the input or the first record header of 0xFFFFFFFF or zero bytes (the unused part of the area).
 * -EBADMSG for malformed input, -E2BIG over CC_EVENTLOG_MAX or an event over CC_EVENT_DATA_MAX,
 * -EOPNOTSUPP for a log that is not crypto-agile or has no SHA-384 digests, -ENOMEM. *reterr (may be
 * NULL) names the event index, the field and its offset. ret is written only on success.
 */
int cc_event_log_parse(const void *buf, size_t size, CcEventLog *ret, char **reterr);

/*
 * Replays the events into RTMR0..3: each starts as 48 zero bytes and RTMR[i] = SHA-384(RTMR[i] || digest)
 * for every event with MR index i + 1, in log order, except EV_NO_ACTION. -EBADMSG (with *reterr) for an
 * event whose MR index is not 1..4; -EIO when OpenSSL fails.
 */
int cc_event_log_replay(const CcEventLog *log, uint8_t ret[static CC_RTMR_COUNT][CC_MR_DIGEST_SIZE],
                        char **reterr);

/* RTMR[index] = SHA-384(RTMR[index] || digest): the one extend operation, used by prediction too. */
int rtmr_extend(uint8_t rtmr[static CC_MR_DIGEST_SIZE], const uint8_t digest[static CC_MR_DIGEST_SIZE]);

/*
 * The decoded form of an event's data, as a JSON-ready description: a newly allocated json_object
 * (json-c) with what the event type defines (variable GUID, name and data; action text; image location,
 * length and device path; handoff tables; firmware blob base and length; tagged event ID and text), or
 * {"text": ...} / {"hex": ...} for others. Data that does not fit its type's structure gives
 * {"malformed": "sentence", "hex": ...} rather than an error: the digest, not the data, is what counts.
 */
struct json_object;
int cc_event_decode(const CcEvent *ev, struct json_object **ret);
