/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "attest/openssl-util.h"
#include "guest/guest-evidence.h"
#include "guest/sev-guest.h"
#include "guest/tdx-guest.h"
#include "guest/tsm-report.h"
#include "string-table.h"

static const char *const guest_evidence_kind_table[_GUEST_EVIDENCE_KIND_MAX] = {
        [GUEST_EVIDENCE_TDX_QUOTE] = "tdx-quote",
        [GUEST_EVIDENCE_TDX_REPORT] = "tdx-report",
        [GUEST_EVIDENCE_SNP_REPORT] = "snp-report",
        [GUEST_EVIDENCE_OTHER] = "other",
};

const char *guest_evidence_kind_to_string(GuestEvidenceKind k)
{
        return k >= 0 && k < _GUEST_EVIDENCE_KIND_MAX ? guest_evidence_kind_table[k] : NULL;
}

void guest_evidence_done(GuestEvidence *e)
{
        if (!e)
                return;
        free(e->provider);
        free(e->data);
        free(e->aux);
        *e = (GuestEvidence){};
}

static int from_tsm(const char *root, const uint8_t *report_data, int vmpl, GuestEvidence *ret,
                    char **reterr)
{
        TsmReport t = {};
        int r = tsm_report_get(root, report_data, vmpl, &t, reterr);
        if (r < 0)
                return r;
        *ret = (GuestEvidence){
                .kind = streq(t.provider, "tdx_guest")   ? GUEST_EVIDENCE_TDX_QUOTE
                        : streq(t.provider, "sev_guest") ? GUEST_EVIDENCE_SNP_REPORT
                                                         : GUEST_EVIDENCE_OTHER,
                .source = "configfs-tsm",
                .provider = t.provider,
                .data = t.outblob,
                .size = t.outblob_size,
                .aux = t.auxblob,
                .aux_size = t.auxblob_size,
                .generation = t.generation,
        };
        return 0;
}

static int device_fail(int r, const char *device, const char *what, char **reterr)
{
        if (r == -ENOTTY)
                detail_set(reterr, "%s is not a %s guest device (ioctl: %s)", device, what, strerror(-r));
        else if (reterr && !*reterr)
                detail_set(reterr, "%s: %s", device, strerror(-r));
        return r;
}

int guest_evidence_get(const char *root, const uint8_t report_data[static 64], int vmpl, GuestEvidence *ret,
                       char **reterr)
{
        _cleanup_free_ char *why = NULL;
        int r;

        /* configfs-tsm; ENXIO means the tsm module is there without a guest driver behind it. */
        r = from_tsm(root, report_data, vmpl, ret, &why);
        if (r != -ENOENT && r != -ENXIO) {
                if (r < 0 && reterr)
                        *reterr = TAKE_PTR(why);
                return r;
        }

        uint8_t tdreport[1024];
        r = tdx_guest_get_report(root, report_data, tdreport);
        if (r == 0) {
                uint8_t *b = malloc(sizeof(tdreport));
                char *p = strdup("tdx_guest");
                if (!b || !p) {
                        free(b);
                        free(p);
                        return -ENOMEM;
                }
                memcpy(b, tdreport, sizeof(tdreport));
                *ret = (GuestEvidence){ .kind = GUEST_EVIDENCE_TDX_REPORT,
                                        .source = TDX_GUEST_DEVICE,
                                        .provider = p,
                                        .data = b,
                                        .size = sizeof(tdreport) };
                return 0;
        }
        if (r != -ENOENT)
                return device_fail(r, TDX_GUEST_DEVICE, "TDX", reterr);

        GuestEvidence e = { .kind = GUEST_EVIDENCE_SNP_REPORT, .source = SEV_GUEST_DEVICE };
        r = sev_guest_get_report(root, report_data, vmpl < 0 ? 0 : (unsigned) vmpl, &e.data, &e.size, &e.aux,
                                 &e.aux_size, reterr);
        if (r == 0) {
                if (!(e.provider = strdup("sev_guest"))) {
                        guest_evidence_done(&e);
                        return -ENOMEM;
                }
                *ret = e;
                return 0;
        }
        if (r != -ENOENT)
                return device_fail(r, SEV_GUEST_DEVICE, "SEV", reterr);

        detail_set(reterr, "not a TDX or SEV-SNP guest: %s, no %s, no %s", strna(why), TDX_GUEST_DEVICE,
                   SEV_GUEST_DEVICE);
        return -ENODEV;
}
