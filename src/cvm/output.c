/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "log.h"
#include "output.h"

int output_json(json_object *o)
{
        _cleanup_free_ char *s = NULL;
        if (json_format(o, &s) < 0)
                return log_oom();
        fputs(s, stdout);
        return 0;
}
