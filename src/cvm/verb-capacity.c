/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verbs.h"

int verb_capacity(int argc, char *argv[])
{
        (void) argc;
        (void) argv;
        return -EOPNOTSUPP; /* PLACEHOLDER */
}
