/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Evidence from inside a confidential guest, from the first interface that exists: configfs-tsm (a TDX
 * quote or an SNP report with its certificate table), else /dev/tdx_guest (its TDREPORT turned into a
 * quote as Intel's tdx_attest library does without configfs-tsm: through the QGS on the vsock port that
 * /etc/tdx-attest.conf names, else through the GetQuote ioctl of Intel's out-of-tree kernels; when neither
 * gives a quote, the TDREPORT itself, with the reason in no_quote), else /dev/sev-guest (an SNP report,
 * with certificates when the host has them). A QGS address given by the caller replaces all of that: the
 * TDREPORT goes to that QGS and its failure is the result (guest/tdx-getquote.h).
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
        char *source;   /* "configfs-tsm", "/dev/tdx_guest" (a TDREPORT), "/dev/tdx_guest+vsock:2:4050",
                         * "/dev/tdx_guest+unix:PATH", "/dev/tdx_guest+GetQuote ioctl", "/dev/sev-guest" */
        char *provider; /* configfs-tsm provider ("tdx_guest", "sev_guest"), or the device's driver */
        uint8_t *data;
        size_t size;
        uint8_t *aux; /* SNP certificate table, or NULL */
        size_t aux_size;
        unsigned long generation; /* configfs-tsm only */
        char *no_quote;           /* a TDREPORT: why /dev/tdx_guest gave no quote (a sentence) */
} GuestEvidence;

void guest_evidence_done(GuestEvidence *e);

/*
 * Gets evidence for 64 bytes of report data below root (NULL: this system). vmpl < 0: the default
 * privilege level. qgs (NULL: none) is a QGS address ("vsock:[CID:]PORT", "unix:PATH") that the TDREPORT
 * of /dev/tdx_guest goes to, whether configfs-tsm exists or not; -EINVAL when it does not parse, -ENODEV
 * without /dev/tdx_guest, else the QGS client's -errno. Without it: -ENODEV when none of the three
 * interfaces exists (not a TDX or SEV-SNP guest), else the failing interface's -errno. *reterr
 * (optional) gets a sentence naming what failed.
 */
int guest_evidence_get(const char *root, const uint8_t report_data[static 64], int vmpl, const char *qgs,
                       GuestEvidence *ret, char **reterr);
