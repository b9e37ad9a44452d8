/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Evidence from inside a confidential guest, from the first interface that exists: configfs-tsm (a TDX
 * quote or an SNP report with its certificate table), else /dev/tdx_guest (a TDREPORT: upstream Linux has
 * no quote ioctl), else /dev/sev-guest (an SNP report, with certificates when the host has them).
 */
#include "macro.h"

typedef enum GuestEvidenceKind {
        GUEST_EVIDENCE_TDX_QUOTE,
        GUEST_EVIDENCE_TDX_REPORT,
        GUEST_EVIDENCE_SNP_REPORT,
        GUEST_EVIDENCE_OTHER, /* a configfs-tsm provider cvm does not know */
        _GUEST_EVIDENCE_KIND_MAX,
} GuestEvidenceKind;

/* "tdx-quote", "tdx-report", "snp-report", "other". */
const char *guest_evidence_kind_to_string(GuestEvidenceKind k);

typedef struct GuestEvidence {
        GuestEvidenceKind kind;
        const char *source; /* "configfs-tsm", "/dev/tdx_guest", "/dev/sev-guest" */
        char *provider;     /* configfs-tsm provider ("tdx_guest", "sev_guest"), or the device's driver */
        uint8_t *data;
        size_t size;
        uint8_t *aux; /* SNP certificate table, or NULL */
        size_t aux_size;
        unsigned long generation; /* configfs-tsm only */
} GuestEvidence;

void guest_evidence_done(GuestEvidence *e);

/*
 * Gets evidence for 64 bytes of report data below root (NULL: this system). vmpl < 0: the default
 * privilege level. -ENODEV when none of the three interfaces exists (not a TDX or SEV-SNP guest), else
 * the failing interface's -errno; *reterr (optional) gets a sentence naming what failed.
 */
int guest_evidence_get(const char *root, const uint8_t report_data[static 64], int vmpl, GuestEvidence *ret,
                       char **reterr);
