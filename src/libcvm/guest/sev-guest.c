/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/sev-guest.h>
#include <sys/ioctl.h>

#include "attest/openssl-util.h"
#include "fileio.h"
#include "guest/sev-guest.h"

#define MSG_REPORT_RSP_HEADER 0x20U
#define PAGE                  4096U

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void free_pages(uint8_t **p)
{
        free(*p);
}

/* MSG_REPORT_RSP: u32 status, u32 report_size, 24 reserved bytes, then the report; bounded by the
 * 4000-byte response buffer. */
static int response_take(const struct snp_report_resp *resp, uint8_t **ret, size_t *ret_size, char **reterr)
{
        uint32_t status = le32(resp->data), size = le32(resp->data + 4);
        if (status != 0) {
                detail_set(reterr, "the SEV firmware answered MSG_REPORT_RSP status 0x%x", status);
                return -EIO;
        }
        if (size == 0 || size > sizeof(resp->data) - MSG_REPORT_RSP_HEADER) {
                detail_set(reterr,
                           "MSG_REPORT_RSP report_size %u (offset 4) does not fit its %zu-byte buffer", size,
                           sizeof(resp->data));
                return -EBADMSG;
        }
        uint8_t *b = malloc(size);
        if (!b)
                return -ENOMEM;
        memcpy(b, resp->data + MSG_REPORT_RSP_HEADER, size);
        *ret = b;
        *ret_size = size;
        return 0;
}

int sev_guest_get_report(const char *root, const uint8_t report_data[static 64], unsigned vmpl,
                         uint8_t **ret, size_t *ret_size, uint8_t **ret_certs, size_t *ret_certs_size,
                         char **reterr)
{
        _cleanup_close_ int fd = open_at_root(root, SEV_GUEST_DEVICE, O_RDWR | O_NOCTTY);
        if (fd < 0)
                return fd;

        struct snp_report_resp resp = {};
        struct snp_ext_report_req ext = { .data.vmpl = vmpl };
        memcpy(ext.data.user_data, report_data, sizeof(ext.data.user_data));

        /* SNP_GET_EXT_REPORT with a page-aligned certificate buffer; the host says how much it needs
         * (SNP_GUEST_VMM_ERR_INVALID_LEN with certs_len updated) when the first guess is too small. */
        _cleanup_(free_pages) uint8_t *certs = NULL;
        uint32_t len = 4 * PAGE;
        int r = 0;
        for (unsigned attempt = 0; attempt < 2; attempt++) {
                free(certs);
                certs = NULL;
                if (len == 0 || len > SNP_CERTS_MAX || posix_memalign((void **) &certs, PAGE, len) != 0)
                        return -ENOMEM;
                memset(certs, 0, len);
                ext.certs_address = (uint64_t) (uintptr_t) certs;
                ext.certs_len = len;
                struct snp_guest_request_ioctl io = {
                        .msg_version = 1,
                        .req_data = (uint64_t) (uintptr_t) &ext,
                        .resp_data = (uint64_t) (uintptr_t) &resp,
                };
                r = ioctl(fd, SNP_GET_EXT_REPORT, &io) < 0 ? -errno : 0;
                if (r == 0)
                        break;
                if (io.vmm_error != SNP_GUEST_VMM_ERR_INVALID_LEN)
                        break;
                len = ext.certs_len;
        }
        if (r == 0) {
                if ((r = response_take(&resp, ret, ret_size, reterr)) < 0)
                        return r;
                /* An all-zero first table entry: the host has no certificates for us. */
                static const uint8_t zero[24] = {};
                if (memcmp(certs, zero, sizeof(zero)) == 0) {
                        *ret_certs = NULL;
                        *ret_certs_size = 0;
                } else {
                        *ret_certs = TAKE_PTR(certs);
                        *ret_certs_size = ext.certs_len;
                }
                return 0;
        }
        if (r == -ENOTTY)
                return r;

        /* Plain SNP_GET_REPORT: the report without certificates. */
        struct snp_report_req req = { .vmpl = vmpl };
        memcpy(req.user_data, report_data, sizeof(req.user_data));
        struct snp_guest_request_ioctl io = {
                .msg_version = 1,
                .req_data = (uint64_t) (uintptr_t) &req,
                .resp_data = (uint64_t) (uintptr_t) &resp,
        };
        if (ioctl(fd, SNP_GET_REPORT, &io) < 0) {
                r = -errno;
                detail_set(reterr, "SNP_GET_REPORT on %s failed: %s (firmware error 0x%x, VMM error 0x%x)",
                           SEV_GUEST_DEVICE, strerror(-r), io.fw_error, io.vmm_error);
                return r;
        }
        *ret_certs = NULL;
        *ret_certs_size = 0;
        return response_take(&resp, ret, ret_size, reterr);
}
