/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * QEMU firmware descriptors (qemu/qemu docs/interop/firmware.json, "Firmware"): which firmware image
 * exists, how QEMU maps it (-bios, pflash, -kernel) and which features it claims (intel-tdx,
 * amd-sev-snp, ...). probe_firmware() (facts.h) turns the collected descriptors and the images they name
 * into the "firmware" facts member; the layout is documented in firmware.c.
 */

#include "macro.h"

/* Descriptors are a few hundred bytes; anything this large is not one. */
#define FIRMWARE_DESCRIPTOR_MAX   (64U * 1024)
#define FIRMWARE_DESCRIPTOR_DEPTH 8

typedef struct FirmwareDescriptor {
        char *device;           /* FirmwareDevice: "flash", "kernel" or "memory" */
        char *filename;         /* mapping.filename (memory, kernel), mapping.executable.filename (flash) */
        char **interface_types; /* NULL-terminated, as listed */
        char **features;        /* NULL-terminated, as listed (unknown names kept: newer QEMU adds some) */
        char **targets;         /* NULL-terminated architectures of "targets" */
} FirmwareDescriptor;

void firmware_descriptor_done(FirmwareDescriptor *d);

/*
 * Parses one descriptor. Returns 0, -E2BIG above FIRMWARE_DESCRIPTOR_MAX, -EBADMSG with a sentence
 * naming the offending member in *reterr_detail (malloc'ed; may be NULL on -ENOMEM), -ENOMEM.
 */
int firmware_descriptor_parse(const char *json, size_t size, FirmwareDescriptor *ret, char **reterr_detail);

bool firmware_descriptor_has_feature(const FirmwareDescriptor *d, const char *feature);

struct cvm_host_facts;
/*
 * The firmware image a confidential guest with feature ("intel-tdx" or "amd-sev-snp") should boot: the
 * first descriptor, in QEMU's precedence order, that declares it, maps the image with -bios and whose image
 * carries valid metadata. -ENOENT when there is none.
 */
int firmware_select(const struct cvm_host_facts *f, const char *feature, char **ret);
