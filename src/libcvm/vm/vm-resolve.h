/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"
#include "vm-spec.h"

/*
 * Fills in what a definition leaves to the host: --coco=auto becomes tdx or sev-snp (whichever this host
 * is ready for: SEV-SNP first, as systemd-vmspawn's review proposed), the SNP C-bit position and
 * physical-address reduction come from CPUID 0x8000001F, and a missing firmware is chosen from the QEMU
 * firmware descriptors by feature (intel-tdx / amd-sev-snp) with a memory mapping, as libvirt does.
 * facts may be NULL (nothing known about the host). Returns -EINVAL with *reterr set when a value cannot
 * be determined.
 */
int vm_spec_resolve(VmSpec *s, const HostFacts *facts, char **reterr);
