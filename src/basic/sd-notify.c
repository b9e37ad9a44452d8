/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sd-notify.h"

int service_notify(const char *state)
{
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l;

        if (isempty(e))
                return 0;
        if (e[0] != '/' && e[0] != '@')
                return -EAFNOSUPPORT;
        l = strlen(e);
        if (l >= sizeof(sa.sun_path))
                return -EINVAL;
        memcpy(sa.sun_path, e, l);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0; /* abstract namespace: the name is not NUL-terminated */

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* The address length counts the leading NUL of an abstract name, and no terminating NUL. */
        socklen_t salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + (e[0] == '/'));
        if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *) &sa, salen) < 0)
                return -errno;
        return 1;
}

int service_notifyf(const char *format, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return service_notify(s);
}
