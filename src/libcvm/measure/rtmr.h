/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * RTMR prediction for a TDX guest booted by OVMF/TDVF under QEMU with a direct kernel boot (-kernel,
 * -initrd, -append) or a unified kernel image: the events the firmware, the Linux EFI stub and
 * systemd-stub will log, and the registers they give, as far as cvm's inputs determine them.
 *
 * Sources (reference/measurement.md §1b): RTMR0 order from Dstack-TEE/dstack dstack-mr/src/tdvf.rs
 * rtmr0_log ("Pre202505") and virtee/tdx-measure src/tdvf.rs; the TD HOB as QEMU hw/i386/tdvf-hob.c
 * builds it (modelled in dstack measure_td_hob); RTMR1 from dstack dstack-mr/src/kernel.rs rtmr1_log and
 * edk2 OvmfPkg/Tcg/TdTcg2Dxe/TdTcg2Dxe.c (OnReadyToBoot, OnExitBootServices); RTMR2 from torvalds/linux
 * drivers/firmware/efi/libstub/efi-stub-helper.c (efi_convert_cmdline, efi_load_initrd: EV_EVENT_TAG into
 * PCR 9) and edk2 OvmfPkg/Library/X86QemuLoadImageLib/X86QemuLoadImageLib.c (the LoadOptions text);
 * systemd/systemd src/boot/stub.c (a UKI's sections into PCR 11).
 *
 * What is not known is never guessed: a register whose inputs are missing (RTMR0 without the QEMU ACPI
 * tables, anything for a layout cvm does not model) is reported as not predictable, with the reason.
 */

#include "eventlog.h"
#include "ovmf.h"

/*
 * The edk2 event layout (measurement.md §0.5): which events OVMF logs, in which order, and how it builds
 * the kernel's LoadOptions. Named after the first edk2 stable tag that has it.
 */
typedef enum RtmrLayout {
        RTMR_LAYOUT_EDK2_202411, /* 202411..202502 (Debian trixie, Ubuntu 25.04): cmdline + " initrd=initrd"
                                  */
        RTMR_LAYOUT_EDK2_202505, /* 202505: RTMR0 gained SMBIOS/fw_cfg/boot-option events cvm does not model
                                  */
        RTMR_LAYOUT_EDK2_202508, /* 202508 and later: "initrd=initrd " + cmdline */
        _RTMR_LAYOUT_MAX,
        _RTMR_LAYOUT_INVALID = -EINVAL,
} RtmrLayout;

const char *rtmr_layout_to_string(RtmrLayout l);
RtmrLayout rtmr_layout_from_string(const char *s);

typedef struct RtmrBlob {
        const uint8_t *data;
        size_t size;
} RtmrBlob;

typedef struct RtmrInputs {
        RtmrLayout layout;

        /* Firmware: the TDVF sections (ovmf.h) and the raw CFV bytes; memory_size in bytes (0: unknown). */
        const TdvfSection *sections;
        size_t n_sections;
        RtmrBlob cfv;
        uint64_t memory_size;

        /* QEMU's fw_cfg ACPI blobs etc/table-loader, etc/acpi/rsdp, etc/acpi/tables (all or none). */
        RtmrBlob acpi_loader, acpi_rsdp, acpi_tables;

        /* Direct boot: kernel (a PE with the EFI stub), optional initrd and command line; or a UKI. */
        RtmrBlob kernel;
        RtmrBlob initrd;     /* data == NULL: no -initrd */
        const char *cmdline; /* NULL or "": no -append */
        RtmrBlob uki;
} RtmrInputs;

typedef struct RtmrEvent {
        unsigned rtmr; /* 0..3 */
        uint32_t type; /* EV_* */
        char *what;    /* what was hashed, for people */
        uint8_t digest[CC_MR_DIGEST_SIZE];
} RtmrEvent;

typedef struct RtmrPrediction {
        RtmrLayout layout;
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE];
        bool predictable[CC_RTMR_COUNT];
        char *note[CC_RTMR_COUNT]; /* why not predictable, or what the value assumes; may be NULL */
        RtmrEvent *events;         /* in extend order per register */
        size_t n_events;
        char *kernel_version; /* from the bzImage header, when there is one */
} RtmrPrediction;

void rtmr_prediction_done(RtmrPrediction *p);

/*
 * Predicts RTMR0..3 from what is given. Returns 0 (some registers may be unpredictable: see
 * predictable[] and note[]), -EBADMSG with *reterr when the kernel or UKI is not a PE image (naming the
 * header and offset) or a TDVF section layout has no TD HOB, -EINVAL for bad input combinations,
 * -ENOMEM, -EIO (OpenSSL).
 */
int rtmr_predict(const RtmrInputs *in, RtmrPrediction *ret, char **reterr);

/*
 * Pieces, exposed for tests and for tools that assemble their own logs. Each writes a SHA-384 digest.
 */
/* The TD HOB QEMU hands TDVF for this RAM size, hashed as SecTdxHelper measures it (EV_EFI_HANDOFF_TABLES2).
 */
int rtmr_td_hob_digest(const TdvfSection *sections, size_t n, uint64_t memory_size, uint8_t ret[static 48],
                       size_t *ret_hob_size);
/* UEFI_VARIABLE_DATA of an empty variable: GUID, name length, data length 0, UTF-16 name. */
int rtmr_empty_variable_digest(const EfiGuid *vendor, const char *name, uint8_t ret[static 48]);
/* The LoadOptions edk2 gives the kernel, as UTF-16LE with the NUL (NULL, 0 when there are none). */
int rtmr_load_options(RtmrLayout layout, const char *cmdline, bool initrd, uint8_t **ret, size_t *ret_size);
/* "6.1.0-50-amd64": the release (first word of the version string) in a bzImage's setup header, or -ENOENT.
 */
int rtmr_kernel_version(const uint8_t *kernel, size_t size, char **ret);
