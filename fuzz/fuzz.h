/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Inputs above this are skipped: the parsers' own caps are tested by unit tests, not by the fuzzer. */
#define FUZZ_INPUT_MAX (256U * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Library debug logging would flood the fuzzer; keep it quiet unless asked. */
static inline bool fuzz_too_big(size_t size)
{
        return size > FUZZ_INPUT_MAX;
}
