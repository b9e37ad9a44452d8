/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "fileio.h"
#include "guest/tdx-guest.h"

/* include/uapi/linux/tdx-guest.h (not installed by every distribution's linux-libc-dev). */
struct tdx_report_req {
        uint8_t reportdata[64];
        uint8_t tdreport[1024];
};
#define TDX_CMD_GET_REPORT0 _IOWR('T', 1, struct tdx_report_req)

int tdx_guest_get_report_fd(int fd, const uint8_t report_data[static 64], uint8_t ret[static 1024])
{
        struct tdx_report_req req = {};
        memcpy(req.reportdata, report_data, sizeof(req.reportdata));
        if (ioctl(fd, TDX_CMD_GET_REPORT0, &req) < 0)
                return -errno;
        memcpy(ret, req.tdreport, sizeof(req.tdreport));
        return 0;
}

int tdx_guest_get_report(const char *root, const uint8_t report_data[static 64], uint8_t ret[static 1024])
{
        _cleanup_close_ int fd = open_at_root(root, TDX_GUEST_DEVICE, O_RDWR | O_NOCTTY);
        if (fd < 0)
                return fd;
        return tdx_guest_get_report_fd(fd, report_data, ret);
}
