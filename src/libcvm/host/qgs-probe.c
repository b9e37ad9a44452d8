/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "facts.h"

int probe_qgs(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        (void) root;
        (void) qemu;
        (void) flags;
        (void) ret;
        return -EOPNOTSUPP; /* PLACEHOLDER: replaced by the real probe */
}
