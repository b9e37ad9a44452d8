/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"

enum {
        CPUID_EAX,
        CPUID_EBX,
        CPUID_ECX,
        CPUID_EDX
};

void cpuid_key(uint32_t leaf, uint32_t sub, char key[static 32]);
/* A collected CPUID leaf: 0; -ENODATA not collected; -ENOENT leaf not reported; -EBADMSG malformed. */
int facts_cpuid(const HostFacts *f, uint32_t leaf, uint32_t sub, uint32_t ret[static 4]);
/* The vendor string ("GenuineIntel", "AuthenticAMD") of CPUID leaf 0's registers; '?' for odd bytes. */
const char *cpuid_vendor_string(const uint32_t r[static 4], char vendor[static 13]);

/* A collected MSR of CPU 0: 0; -ENODATA not collected; -errno as the read failed (EIO: not implemented). */
int facts_msr(const HostFacts *f, uint32_t msr, uint64_t *ret);
