/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * /dev/tdx_guest (include/uapi/linux/tdx-guest.h): TDX_CMD_GET_REPORT0 returns the TDREPORT for 64
 * bytes of report data. Upstream Linux has no quote ioctl on this device (quotes come through
 * configfs-tsm); guest/tdx-getquote.h turns the TDREPORT into a quote through a QGS socket or the GetQuote
 * ioctl of Intel's out-of-tree kernels.
 */
#include "macro.h"

#define TDX_GUEST_DEVICE "/dev/tdx_guest"

/* 0; -ENOENT without the device; -ENOTTY when it is not a TDX guest device; other -errno from ioctl. */
int tdx_guest_get_report(const char *root, const uint8_t report_data[static 64], uint8_t ret[static 1024]);
/* The same on an open device: 0, -ENOTTY or another -errno from the ioctl. */
int tdx_guest_get_report_fd(int fd, const uint8_t report_data[static 64], uint8_t ret[static 1024]);
