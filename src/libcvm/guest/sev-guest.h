/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * /dev/sev-guest (include/uapi/linux/sev-guest.h): SNP_GET_EXT_REPORT returns the attestation report and
 * the host-provided certificate table; hosts whose KVM offers no certificates answer plain SNP_GET_REPORT
 * only. The response is MSG_REPORT_RSP: u32 status, u32 report_size, 24 reserved bytes, the report at
 * 0x20 (reference/attestation.md d).
 */
#include "macro.h"

#define SEV_GUEST_DEVICE "/dev/sev-guest"
#define SNP_CERTS_MAX    (64U * 4096)

/*
 * 0; -ENOENT without the device; -ENOTTY when it is not an SEV guest device; -EIO with the firmware
 * status in *reterr. *ret_certs is NULL when the host provides none.
 */
int sev_guest_get_report(const char *root, const uint8_t report_data[static 64], unsigned vmpl,
                         uint8_t **ret, size_t *ret_size, uint8_t **ret_certs, size_t *ret_certs_size,
                         char **reterr);
