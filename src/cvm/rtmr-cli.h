/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The RTMR part of `cvm measure tdx`: its options, the prediction (measure/rtmr.h) from the firmware
 * image the verb already read plus the kernel, initrd, command line or UKI and QEMU's ACPI tables, and
 * its JSON ("rtmr", "events") and text forms. Kept apart from verb-measure.c, which only forwards to it.
 */
#include <getopt.h>

#include "json-util.h"
#include "measure/ovmf.h"
#include "measure/rtmr.h"

enum {
        ARG_RTMR_KERNEL = 0x200,
        ARG_RTMR_INITRD,
        ARG_RTMR_CMDLINE,
        ARG_RTMR_UKI,
        ARG_RTMR_ACPI_TABLES,
        ARG_RTMR_MEMORY,
        ARG_RTMR_EVENT_LAYOUT,
};

/* The getopt_long() entries, for the verb's option table. */
/* clang-format off */
#define RTMR_CLI_OPTIONS                                                        \
        { "kernel", required_argument, NULL, ARG_RTMR_KERNEL },                 \
        { "initrd", required_argument, NULL, ARG_RTMR_INITRD },                 \
        { "cmdline", required_argument, NULL, ARG_RTMR_CMDLINE },               \
        { "uki", required_argument, NULL, ARG_RTMR_UKI },                       \
        { "acpi-tables", required_argument, NULL, ARG_RTMR_ACPI_TABLES },       \
        { "memory", required_argument, NULL, ARG_RTMR_MEMORY },                 \
        { "event-layout", required_argument, NULL, ARG_RTMR_EVENT_LAYOUT }
/* clang-format on */

#define RTMR_CLI_HELP                                                                                       \
        "  --memory=SIZE            Guest RAM (QEMU -m, e.g. 2G): the TD HOB measured into RTMR0\n"         \
        "  --acpi-tables=DIR        QEMU's ACPI blobs for RTMR0: DIR/table-loader, DIR/rsdp, DIR/tables\n"  \
        "                           (fw_cfg etc/table-loader, etc/acpi/rsdp, etc/acpi/tables); without\n"   \
        "                           them RTMR0 is reported as not predictable\n"                            \
        "  --kernel=FILE            Direct boot (-kernel): RTMR1 (Authenticode), RTMR2 (EFI stub >= 6.9)\n" \
        "  --initrd=FILE            Its initrd (-initrd), measured into RTMR2\n"                            \
        "  --cmdline=TEXT           Its command line (-append), measured into RTMR2 as UTF-16\n"            \
        "  --uki=FILE               A unified kernel image instead: RTMR1, and its sections into RTMR2\n"   \
        "  --event-layout=edk2-202411|edk2-202505|edk2-202508\n"                                            \
        "                           The firmware's edk2 event layout, by the first edk2 release that has\n" \
        "                           it: edk2-202411 (the default: 202411 to 202502, e.g. Debian trixie)\n"

typedef struct RtmrCli {
        const char *kernel, *initrd, *cmdline, *uki, *acpi_dir;
        uint64_t memory;
        RtmrLayout layout;
} RtmrCli;

#define RTMR_CLI_INIT                                                                                       \
        {                                                                                                   \
                .layout = RTMR_LAYOUT_EDK2_202411                                                           \
        }

/* Handles option c: 1 handled, 0 not an RTMR option, CVM_EXIT_ERROR after a usage error. */
int rtmr_cli_option(RtmrCli *cli, int c, const char *arg);

/*
 * Predicts the RTMRs for the firmware image (img parsed from fw) and adds "memory", "event_layout",
 * "kernel_version", "rtmr" (four {"value", "predictable", "note"}) and "events" to o. Logs and returns
 * -errno when a file cannot be read or is not what it should be.
 */
int rtmr_cli_add(const RtmrCli *cli, const OvmfImage *img, const uint8_t *fw, size_t fw_size,
                 json_object *o);

/* The text form of what rtmr_cli_add() added. */
void rtmr_cli_print(json_object *o);
