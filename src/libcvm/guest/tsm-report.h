/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * configfs-tsm reports inside a TD or SEV-SNP guest (Linux 6.7+; Documentation/ABI/testing/
 * configfs-tsm-report, drivers/virt/coco/tsm.c): in an entry directory under
 * /sys/kernel/config/tsm/report, write up to 64 bytes to inblob, read outblob (a TDX quote or an SNP
 * report, in the format `provider` names) and auxblob (SNP: the certificate table). Every write to inblob
 * or privlevel increments `generation`; reading it before and after tells whether another process wrote
 * in between, so the outblob belongs to another request.
 *
 * The entry is named TSM_ENTRY_NAME. An entry that already exists is used as it is (another cvm, or a
 * crashed earlier run, made it; the generation check catches a concurrent writer) and left in place;
 * one this call creates it removes. Reads and writes are plain open/read/write with no size from
 * stat(), so a tree of ordinary files and FIFOs can play the provider in tests.
 */
#include "macro.h"

#define TSM_REPORT_DIR     "/sys/kernel/config/tsm/report"
#define TSM_ENTRY_NAME     "cvm"
#define TSM_INBLOB_SIZE    64U
#define TSM_OUTBLOB_MAX    (1024U * 1024)
#define TSM_PRIVLEVEL_MAX  3U
#define TSM_REPORT_RETRIES 3U

typedef struct TsmReport {
        char *provider; /* "tdx_guest", "sev_guest", ... */
        uint8_t *outblob;
        size_t outblob_size;
        uint8_t *auxblob; /* NULL when the provider has none */
        size_t auxblob_size;
        unsigned long generation; /* after our inblob write */
} TsmReport;

void tsm_report_done(TsmReport *r);

/*
 * Gets a report for inblob below root (NULL: the real system). privlevel < 0 leaves privlevel alone.
 * Returns 0; -ENOENT without configfs-tsm (no TSM_REPORT_DIR); -ENXIO when no provider is registered;
 * -EBUSY when another writer interfered TSM_REPORT_RETRIES times in a row; -ENODATA for an empty
 * outblob (a host quote service too old or unreachable); -EBADMSG for an unreadable generation;
 * other -errno from the files. *reterr (optional) gets a sentence naming the file.
 */
int tsm_report_get(const char *root, const uint8_t inblob[static TSM_INBLOB_SIZE], int privlevel,
                   TsmReport *ret, char **reterr);
