/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"

/*
 * SMBIOS Memory Device (Type 17) records, as Linux exposes each one in
 * /sys/firmware/dmi/entries/17-N/raw (drivers/firmware/dmi-sysfs.c: the formatted area followed by its
 * string set). Layout: DMTF DSP0134 (SMBIOS Reference Specification) 7.18 "Memory Device (Type 17)";
 * strings: 6.1.3 "Text strings".
 */
#define SMBIOS_TYPE_MEMORY_DEVICE 17
/* SMBIOS 2.1 is the oldest layout with every field read here up to Type Detail (0x13-0x14). */
#define SMBIOS_TYPE17_MIN_LENGTH 0x15
/* Longer strings are cut (locators, vendors and part numbers are far shorter in practice). */
#define SMBIOS_STRING_MAX 64
/* Largest raw record accepted: a 255-byte formatted area plus up to 255 strings of any length. */
#define SMBIOS_RECORD_MAX (64U * 1024)

typedef struct MemoryDevice {
        uint16_t handle;
        uint8_t length;     /* of the formatted area: tells which SMBIOS version's fields exist */
        bool size_known;    /* false when Size is 0xFFFF ("unknown") */
        uint64_t size_kib;  /* 0: no memory device installed in the socket */
        uint8_t type;       /* 7.18.2 Memory Device — Type (0x1A DDR4, 0x22 DDR5, ...) */
        uint32_t speed_mts; /* 0: unknown or not in the record */
        char locator[SMBIOS_STRING_MAX + 1];      /* "CPU0_DIMM_A1"; "" when absent */
        char bank_locator[SMBIOS_STRING_MAX + 1]; /* "P0_Node0_Channel0_Dimm0" */
        char manufacturer[SMBIOS_STRING_MAX + 1];
        char part_number[SMBIOS_STRING_MAX + 1];
} MemoryDevice;

/*
 * Parses one raw Type 17 record. -EBADMSG when it is not one (other type, Length below 0x15 or beyond the
 * data), when its string set lacks the terminating double NUL, or when a field names a string number past
 * the set; -E2BIG over SMBIOS_RECORD_MAX. *ret is written only on success.
 */
int smbios_memory_device_parse(const uint8_t *data, size_t size, MemoryDevice *ret);

/* "DDR5", "DDR4", ...; NULL for values the table does not name. */
const char *smbios_memory_type_to_string(uint8_t type);

/*
 * Where a DIMM sits, derived from its Device Locator and Bank Locator strings. SMBIOS leaves their
 * spelling to the vendor, so this knows a handful of common schemes (see smbios.c) and answers -ENXIO for
 * any other rather than guess.
 */
typedef struct DimmLocation {
        const char *scheme; /* the scheme that matched, e.g. "CPU<s>_DIMM_<ch><n>" */
        unsigned socket;    /* as the firmware numbers it (0- or 1-based, consistent within a scheme) */
        char channel[8];    /* "A", "0", ...; "" when the scheme names the socket only */
} DimmLocation;

int dimm_locate(const char *locator, const char *bank_locator, DimmLocation *ret);

typedef enum DimmSymmetry {
        DIMM_SYMMETRIC,
        DIMM_ASYMMETRIC,
        DIMM_SYMMETRY_UNKNOWN, /* no populated DIMM, an unknown size, or locators cvm cannot read */
        _DIMM_SYMMETRY_MAX,
} DimmSymmetry;

#define DIMM_SOCKETS_MAX  16
#define DIMM_CHANNELS_MAX 128

typedef struct DimmSocket {
        unsigned socket;
        unsigned slots, dimms, channels; /* channels: populated ones, when channels are known */
        uint64_t size_kib;
} DimmSocket;

typedef struct DimmChannel {
        unsigned socket;
        char channel[8];
        unsigned slots, dimms;
        uint64_t size_kib;
} DimmChannel;

typedef struct DimmLayout {
        size_t n_slots, n_populated;
        uint64_t total_kib;
        const char *scheme; /* the locator scheme of every located slot; NULL when none or mixed */
        bool sockets_known, channels_known;
        DimmSocket sockets[DIMM_SOCKETS_MAX];
        size_t n_sockets;
        DimmChannel channels[DIMM_CHANNELS_MAX];
        size_t n_channels;
        DimmSymmetry symmetry;
        char reason[512]; /* what differs, or why it cannot be told, in words */
} DimmLayout;

/*
 * Groups DIMMs by socket and channel and compares them: asymmetric when sockets differ in DIMM count,
 * size or populated channels, or when the populated channels of one socket differ in DIMM count or
 * size. Intel TDX refuses to initialise on such a population (launch.md §6.1, BIOS/MCHECK).
 */
void dimm_layout_analyze(const MemoryDevice *devices, size_t n, DimmLayout *ret);

/*
 * The Type 17 records among the facts (/sys/firmware/dmi/entries/17-*\/raw), in path order: 0 with a
 * malloc'ed array; -ENOENT when there are none; -EBADMSG, or the -errno recorded for the file (EACCES:
 * raw is readable by root only), with *ret_bad naming the path concerned.
 */
int facts_memory_devices(const HostFacts *f, MemoryDevice **ret, size_t *ret_n, const char **ret_bad);

/* "512 GiB", "16 MiB", "768 KiB": the largest binary unit that divides the size. */
const char *format_kib(uint64_t kib, char buf[static 32]);
