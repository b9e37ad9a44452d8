/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/socket.h>

#include "attest/openssl-util.h"
#include "fileio.h"
#include "guest/guest-evidence.h"
#include "guest/sev-guest.h"
#include "guest/tdx-getquote.h"
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
        free(e->source);
        free(e->provider);
        free(e->data);
        free(e->aux);
        free(e->no_quote);
        *e = (GuestEvidence){};
}

static int from_tsm(const char *root, const uint8_t *report_data, int vmpl, GuestEvidence *ret,
                    char **reterr)
{
        TsmReport t = {};
        int r = tsm_report_get(root, report_data, vmpl, &t, reterr);
        if (r < 0)
                return r;
        char *source = strdup("configfs-tsm");
        if (!source) {
                tsm_report_done(&t);
                return -ENOMEM;
        }
        *ret = (GuestEvidence){
                .kind = streq(t.provider, "tdx_guest")   ? GUEST_EVIDENCE_TDX_QUOTE
                        : streq(t.provider, "sev_guest") ? GUEST_EVIDENCE_SNP_REPORT
                                                         : GUEST_EVIDENCE_OTHER,
                .source = source,
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

/*
 * The quote for a TDREPORT as tdx_attest.c tdx_att_get_quote() finds it without configfs-tsm: the QGS on
 * the vsock port of /etc/tdx-attest.conf when it names one (and only there: a failure there is final),
 * else the GetQuote ioctl. (Intel's library tries that vsock port even before configfs-tsm; cvm asks the
 * kernel's own interface first.) *ret_via names the route; on failure *ret_why says why there is no quote.
 */
static int tdx_quote_default(const char *root, int fd, const uint8_t tdreport[static TDX_REPORT_SIZE],
                             uint8_t **ret_quote, size_t *ret_size, char **ret_via, char **ret_why)
{
        _cleanup_free_ char *why = NULL;
        unsigned port = 0;
        int r;

        r = tdx_attest_conf_port(root, &port);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && port != 0) {
                QgsAddress a = { .family = AF_VSOCK, .cid = TDX_QGS_HOST_CID, .port = port };
                char where[QGS_ADDRESS_STRING_MAX];
                r = tdx_qgs_get_quote(&a, tdreport, TDX_QGS_TIMEOUT_USEC, ret_quote, ret_size, &why);
                if (r >= 0)
                        return (*ret_via = strdup(qgs_address_to_string(&a, where))) ? 0 : -ENOMEM;
                if (r == -ENOMEM)
                        return r;
                detail_set(ret_why, "no configfs-tsm, and %s names port %u: %s", TDX_ATTEST_CONF, port,
                           strna(why));
                return r;
        }

        /* Why the configuration named no port, as part of the story when the ioctl fails too. */
        const char *conf = r == -ENOENT   ? "no port in " TDX_ATTEST_CONF
                           : r == -ERANGE ? "a port out of range in " TDX_ATTEST_CONF
                           : r >= 0       ? "port 0 (none) in " TDX_ATTEST_CONF
                                          : NULL;
        int conf_error = r;
        r = tdx_guest_get_quote_ioctl(fd, tdreport, ret_quote, ret_size, &why);
        if (r >= 0)
                return (*ret_via = strdup("GetQuote ioctl")) ? 0 : -ENOMEM;
        if (r == -ENOMEM)
                return r;
        if (conf)
                detail_set(ret_why, "no configfs-tsm, %s, and %s", conf, strna(why));
        else
                detail_set(ret_why, "no configfs-tsm, %s unreadable (%s), and %s", TDX_ATTEST_CONF,
                           strerror(-conf_error), strna(why));
        return r;
}

static int tdx_guest_open(const char *root)
{
        return open_at_root(root, TDX_GUEST_DEVICE, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* /dev/tdx_guest open as fd: its TDREPORT, then a quote for it from qgs when given, else by
 * tdx_quote_default(). */
static int from_tdx_guest(const char *root, int fd, const uint8_t *report_data, const QgsAddress *qgs,
                          GuestEvidence *ret, char **reterr)
{
        _cleanup_free_ char *via = NULL, *why = NULL, *source = NULL, *provider = NULL;
        _cleanup_free_ uint8_t *data = NULL;
        uint8_t tdreport[TDX_REPORT_SIZE];
        size_t size = 0;
        int r;

        r = tdx_guest_get_report_fd(fd, report_data, tdreport);
        if (r < 0)
                return device_fail(r, TDX_GUEST_DEVICE, "TDX", reterr);

        if (qgs) {
                char where[QGS_ADDRESS_STRING_MAX];
                r = tdx_qgs_get_quote(qgs, tdreport, TDX_QGS_TIMEOUT_USEC, &data, &size, reterr);
                if (r < 0)
                        return r;
                if (!(via = strdup(qgs_address_to_string(qgs, where))))
                        return -ENOMEM;
        } else {
                r = tdx_quote_default(root, fd, tdreport, &data, &size, &via, &why);
                if (r == -ENOMEM)
                        return r;
        }

        if (!data) {
                /* No quote: the TDREPORT, and the reason for whoever wanted a quote. */
                data = malloc(sizeof(tdreport));
                if (!data)
                        return -ENOMEM;
                memcpy(data, tdreport, sizeof(tdreport));
                size = sizeof(tdreport);
        }
        if (!via)
                source = strdup(TDX_GUEST_DEVICE);
        else if (asprintf(&source, "%s+%s", TDX_GUEST_DEVICE, via) < 0)
                source = NULL; /* asprintf() leaves it undefined on failure */
        provider = strdup("tdx_guest");
        if (!source || !provider)
                return -ENOMEM;
        *ret = (GuestEvidence){
                .kind = via ? GUEST_EVIDENCE_TDX_QUOTE : GUEST_EVIDENCE_TDX_REPORT,
                .source = TAKE_PTR(source),
                .provider = TAKE_PTR(provider),
                .data = TAKE_PTR(data),
                .size = size,
                .no_quote = via ? NULL : TAKE_PTR(why),
        };
        return 0;
}

int guest_evidence_get(const char *root, const uint8_t report_data[static 64], int vmpl, const char *qgs,
                       GuestEvidence *ret, char **reterr)
{
        _cleanup_free_ char *why = NULL;
        int r;

        /* A QGS named by the caller: the TDREPORT goes there, configfs-tsm or not. */
        if (qgs) {
                QgsAddress a;
                if (qgs_address_parse(qgs, &a) < 0) {
                        detail_set(reterr, "'%s' is not a QGS address (vsock:[CID:]PORT or unix:PATH)", qgs);
                        return -EINVAL;
                }
                _cleanup_close_ int fd = tdx_guest_open(root);
                if (fd == -ENOENT) {
                        detail_set(reterr,
                                   "no %s to get a TDREPORT from for the QGS at %s (not a TDX guest)",
                                   TDX_GUEST_DEVICE, qgs);
                        return -ENODEV;
                }
                if (fd < 0)
                        return device_fail(fd, TDX_GUEST_DEVICE, "TDX", reterr);
                return from_tdx_guest(root, fd, report_data, &a, ret, reterr);
        }

        /* configfs-tsm; ENXIO means the tsm module is there without a guest driver behind it. */
        r = from_tsm(root, report_data, vmpl, ret, &why);
        if (r != -ENOENT && r != -ENXIO) {
                if (r < 0 && reterr)
                        *reterr = TAKE_PTR(why);
                return r;
        }

        _cleanup_close_ int fd = tdx_guest_open(root);
        if (fd >= 0)
                return from_tdx_guest(root, fd, report_data, NULL, ret, reterr);
        if (fd != -ENOENT)
                return device_fail(fd, TDX_GUEST_DEVICE, "TDX", reterr);

        GuestEvidence e = { .kind = GUEST_EVIDENCE_SNP_REPORT };
        r = sev_guest_get_report(root, report_data, vmpl < 0 ? 0 : (unsigned) vmpl, &e.data, &e.size, &e.aux,
                                 &e.aux_size, reterr);
        if (r == 0) {
                if (!(e.provider = strdup("sev_guest")) || !(e.source = strdup(SEV_GUEST_DEVICE))) {
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
