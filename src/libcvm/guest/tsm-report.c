/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/openssl-util.h"
#include "fileio.h"
#include "guest/tsm-report.h"

void tsm_report_done(TsmReport *r)
{
        if (!r)
                return;
        free(r->provider);
        free(r->outblob);
        free(r->auxblob);
        *r = (TsmReport){};
}

static int attr_path(const char *entry, const char *name, char **ret)
{
        return asprintf(ret, "%s/%s", entry, name) < 0 ? -ENOMEM : 0;
}

/* configfs commits a write to a binary attribute when the file is closed: close()'s error is the
 * provider's answer. */
static int attr_write(const char *entry, const char *name, const void *data, size_t size, char **reterr)
{
        _cleanup_free_ char *p = NULL;
        if (attr_path(entry, name, &p) < 0)
                return -ENOMEM;
        int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = -errno;
                detail_set(reterr, "cannot open %s for writing: %s", p, strerror(-e));
                return e;
        }
        ssize_t n = write(fd, data, size);
        int e = n < 0 ? -errno : (size_t) n != size ? -EIO : 0;
        if (close(fd) < 0 && e == 0)
                e = -errno;
        if (e < 0)
                detail_set(reterr, "cannot write %s: %s", p, strerror(-e));
        return e;
}

static int attr_read(const char *entry, const char *name, size_t max, char **ret, size_t *ret_size,
                     char **reterr)
{
        _cleanup_free_ char *p = NULL;
        if (attr_path(entry, name, &p) < 0)
                return -ENOMEM;
        int r = read_full_file(p, max, ret, ret_size);
        if (r < 0 && r != -ENOENT)
                detail_set(reterr, "cannot read %s: %s", p, strerror(-r));
        else if (r == -ENOENT)
                detail_set(reterr, "%s does not exist", p);
        return r;
}

static int read_generation(const char *entry, unsigned long *ret, char **reterr)
{
        _cleanup_free_ char *s = NULL;
        size_t n;
        int r = attr_read(entry, "generation", 64, &s, &n, reterr);
        if (r < 0)
                return r;
        char *end;
        errno = 0;
        unsigned long g = strtoul(s, &end, 10);
        if (errno != 0 || end == s || (*end && !streq(end, "\n"))) {
                detail_set(reterr, "%s/generation is not a number: '%.20s'", entry, s);
                return -EBADMSG;
        }
        *ret = g;
        return 0;
}

static int report_once(const char *entry, const uint8_t *inblob, int privlevel, TsmReport *ret,
                       char **reterr)
{
        _cleanup_(tsm_report_done) TsmReport rep = {};
        _cleanup_free_ char *out = NULL, *aux = NULL, *provider = NULL;
        unsigned long before, after;
        size_t n;
        int r;

        if (privlevel >= 0) {
                char buf[16];
                int l = snprintf(buf, sizeof(buf), "%d\n", privlevel);
                if ((r = attr_write(entry, "privlevel", buf, (size_t) l, reterr)) < 0)
                        return r;
        }
        if ((r = read_generation(entry, &before, reterr)) < 0 ||
            (r = attr_write(entry, "inblob", inblob, TSM_INBLOB_SIZE, reterr)) < 0 ||
            (r = attr_read(entry, "outblob", TSM_OUTBLOB_MAX, &out, &rep.outblob_size, reterr)) < 0)
                return r;
        r = attr_read(entry, "auxblob", TSM_OUTBLOB_MAX, &aux, &rep.auxblob_size, reterr);
        if (r < 0 && r != -ENOENT)
                return r;
        if ((r = read_generation(entry, &after, reterr)) < 0)
                return r;
        /* Our inblob write is the one increment allowed between the two reads. */
        if (after != before + 1) {
                detail_set(reterr,
                           "%s/generation went from %lu to %lu around our request (expected %lu): another "
                           "process wrote to this entry, so outblob may answer its request",
                           entry, before, after, before + 1);
                return -EBUSY;
        }
        if (rep.outblob_size == 0) {
                detail_set(reterr,
                           "%s/outblob is empty: the provider returned no report (a host quote service "
                           "that is missing, unreachable or too old answers this way)",
                           entry);
                return -ENODATA;
        }
        if ((r = attr_read(entry, "provider", 256, &provider, &n, reterr)) < 0)
                return r;
        provider[strcspn(provider, "\n")] = 0;

        rep.provider = TAKE_PTR(provider);
        rep.outblob = (uint8_t *) TAKE_PTR(out);
        if (rep.auxblob_size > 0)
                rep.auxblob = (uint8_t *) TAKE_PTR(aux);
        else
                rep.auxblob_size = 0;
        rep.generation = after;
        *ret = rep;
        rep = (TsmReport){};
        return 0;
}

int tsm_report_get(const char *root, const uint8_t inblob[static TSM_INBLOB_SIZE], int privlevel,
                   TsmReport *ret, char **reterr)
{
        _cleanup_free_ char *dir = NULL, *entry = NULL;
        struct stat st;
        int r;

        if (privlevel > (int) TSM_PRIVLEVEL_MAX)
                return -EINVAL;
        if ((r = path_join_root(root, TSM_REPORT_DIR, &dir)) < 0)
                return r;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                detail_set(reterr, "no %s", TSM_REPORT_DIR);
                return -ENOENT;
        }
        if (asprintf(&entry, "%s/%s", dir, TSM_ENTRY_NAME) < 0)
                return -ENOMEM;

        bool created = mkdir(entry, 0700) == 0;
        if (!created && errno != EEXIST) {
                r = -errno;
                /* tsm_report_make_item(): ENXIO while no TDX or SEV guest driver registered a provider. */
                if (r == -ENXIO)
                        detail_set(reterr, "%s has no provider (no TDX or SEV-SNP guest driver)",
                                   TSM_REPORT_DIR);
                else
                        detail_set(reterr, "cannot create %s: %s", entry, strerror(-r));
                return r;
        }

        r = -EBUSY;
        for (unsigned i = 0; i < TSM_REPORT_RETRIES && r == -EBUSY; i++)
                r = report_once(entry, inblob, privlevel, ret, reterr);
        if (created && rmdir(entry) < 0)
                log_debug_errno(errno, "Cannot remove %s: %m", entry);
        return r;
}
