/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel log lines that speak of TDX, SEV/SNP and KVM. On the host they come from /dev/kmsg (one record
 * per read(), "PRIO,SEQ,TS,FLAGS;MESSAGE", Documentation/ABI/testing/dev-kmsg); in a fake tree from a
 * regular file ROOT/dev/kmsg holding either records or plain dmesg lines. Only matching lines are kept so a
 * facts document carries no unrelated log content.
 */
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>

#include "facts.h"
#include "fileio.h"

#define KMSG_LINES_MAX 512

static const char *const kmsg_needles[] = { "tdx", "seam", "sev", "snp", "rmp", "kvm", "ccp", "sgx" };

static bool kmsg_relevant(const char *l)
{
        for (size_t i = 0; i < ELEMENTSOF(kmsg_needles); i++)
                if (strcasestr(l, kmsg_needles[i]))
                        return true;
        return false;
}

/* Strips a "PRIO,SEQ,TS,FLAGS;" record header or a "[   12.345678] " dmesg timestamp. */
static const char *kmsg_message(const char *l)
{
        const char *semi = strchr(l, ';');
        if (semi && l[0] >= '0' && l[0] <= '9' && strspn(l, "0123456789,-cm+") == (size_t) (semi - l))
                return semi + 1;
        if (l[0] == '[') {
                const char *e = strchr(l, ']');
                if (e)
                        return e[1] == ' ' ? e + 2 : e + 1;
        }
        return l;
}

static int kmsg_add(json_object *lines, const char *line, size_t len)
{
        _cleanup_free_ char *l = strndup(line, len);
        if (!l)
                return -ENOMEM;
        const char *m = kmsg_message(l);
        if (!kmsg_relevant(m) || json_object_array_length(lines) >= KMSG_LINES_MAX)
                return 0;
        return json_append(lines, json_object_new_string(m));
}

int probe_kmsg(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        (void) qemu;
        (void) flags;

        _cleanup_close_ int fd = open_at_root(root, "/dev/kmsg", O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *lines = json_object_new_array();
        if (!o || json_add(o, "lines", lines) < 0)
                return -ENOMEM;

        if (S_ISCHR(st.st_mode)) {
                char buf[8192];
                for (;;) {
                        ssize_t n = read(fd, buf, sizeof(buf) - 1);
                        if (n < 0) {
                                if (errno == EAGAIN)
                                        break;
                                if (errno == EPIPE || errno == EINTR) /* record overwritten meanwhile */
                                        continue;
                                return -errno;
                        }
                        if (n == 0)
                                break;
                        /* Continuation lines (" KEY=value") follow the first line of a record. */
                        size_t l = strcspn(buf, "\n");
                        if (kmsg_add(lines, buf, MIN(l, (size_t) n)) < 0)
                                return -ENOMEM;
                }
        } else if (S_ISREG(st.st_mode)) {
                _cleanup_free_ char *data = NULL;
                int r = read_full_fd(fd, FACTS_FILE_MAX, &data, NULL);
                if (r < 0)
                        return r;
                for (char *p = data; *p;) {
                        size_t l = strcspn(p, "\n");
                        if (kmsg_add(lines, p, l) < 0)
                                return -ENOMEM;
                        p += l + (p[l] == '\n');
                }
        } else
                return -EBADFD;

        *ret = TAKE_PTR(o);
        return 0;
}
