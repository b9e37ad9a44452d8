/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime-dir.h"

int runtime_dir_base(char **ret)
{
        const char *e = getenv("CVM_RUNTIME_DIR");
        char *p = NULL;

        if (!isempty(e))
                p = strdup(e);
        else if (geteuid() == 0)
                p = strdup("/run/cvm");
        else {
                /* Where systemd-logind puts $XDG_RUNTIME_DIR; never /tmp, where others could go first. */
                const char *x = getenv("XDG_RUNTIME_DIR");
                if (!isempty(x) && x[0] == '/' ? asprintf(&p, "%s/cvm", x) < 0
                                               : asprintf(&p, "/run/user/%u/cvm", (unsigned) geteuid()) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int runtime_path(const char *name, const char *file, char **ret)
{
        _cleanup_free_ char *base = NULL;
        int r = runtime_dir_base(&base);
        if (r < 0)
                return r;
        char *p;
        if (asprintf(&p, "%s/%s%s%s", base, name, file ? "/" : "", strempty(file)) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}
