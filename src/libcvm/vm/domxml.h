/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vm-spec.h"

/*
 * libvirt domain XML for a resolved VM definition (coco no longer "auto"; SNP C-bit values may be left
 * unset, libvirt then takes the host's). Element and attribute names follow libvirt's own RELAX NG
 * grammar (src/conf/schemas/domaincommon.rng, as shipped by libvirt 12.8): <launchSecurity type='tdx'>
 * and type='sev-snp', a stateless <loader type='rom'> or <os firmware='efi'> auto-selection when the
 * definition names no firmware, <ioapic driver='qemu'/> for the split irqchip, SMM off, no S3/S4.
 * Deterministic, so golden files can pin it.
 *
 * Errors: -EOPNOTSUPP for what libvirt cannot express (a vsock QGS address, an NVMe disk), -EINVAL for an
 * unresolved definition, -errno for an unreadable SNP blob file; *reterr then says what (malloc'ed).
 */
int domxml_build(const VmSpec *s, char **ret, char **reterr);

/* libvirt's domain type for the accelerator: "kvm", or "qemu" for TCG. */
const char *domxml_domain_type(const VmSpec *s);
