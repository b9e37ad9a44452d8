/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        (void) data;
        (void) size;
        return 0; /* PLACEHOLDER */
}
