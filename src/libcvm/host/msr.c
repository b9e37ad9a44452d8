/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Model-specific registers of CPU 0 through the msr driver (/dev/cpu/0/msr, pread at offset = index).
 * Needs root and the msr module. A register the CPU does not implement reads as EIO and is recorded so.
 */
#include <fcntl.h>

#include "cpuid-util.h"
#include "fileio.h"

static const uint32_t msrs[] = {
        0x87,       /* IA32_MKTME_KEYID_PARTITIONING: bits 63:32 number of TDX private KeyIDs */
        0xa0,       /* SGX and MCHECK status */
        0xce,       /* MSR_PLATFORM_INFO: bit 27 set on pre-production parts */
        0x981,      /* IA32_TME_CAPABILITY */
        0x982,      /* IA32_TME_ACTIVATE: bit 1 TME enabled */
        0x1401,     /* IA32_SEAMRR_PHYS_BASE: bit 11 SEAMRR enabled */
        0xc0010010, /* AMD SYSCFG: bit 23 SMEE, bit 24 SNP enable */
        0xc0010132, /* AMD RMP_BASE */
        0xc0010133, /* AMD RMP_END */
};

static void msr_key(uint32_t msr, char key[static 16])
{
        snprintf(key, 16, "0x%x", msr);
}

int probe_msr(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        (void) qemu;
        (void) flags;

        _cleanup_close_ int fd = open_at_root(root, "/dev/cpu/0/msr", O_RDONLY);
        if (fd < 0)
                return fd;

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(msrs); i++) {
                uint64_t v;
                char key[16];
                ssize_t n = pread(fd, &v, sizeof(v), (off_t) msrs[i]);
                json_object *val =
                        n == (ssize_t) sizeof(v) ? json_hex_new(v) : json_error_new(n < 0 ? errno : EIO);
                msr_key(msrs[i], key);
                if (json_add(o, key, val) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

int facts_msr(const HostFacts *f, uint32_t msr, uint64_t *ret)
{
        json_object *m;
        char key[16];
        int r = facts_probe_result(f, "msr", &m);
        if (r < 0)
                return r;
        msr_key(msr, key);
        json_object *v;
        if (!json_object_object_get_ex(m, key, &v))
                return -ENODATA;
        r = json_error_get(v);
        if (r < 0)
                return r;
        return json_hex_get(v, ret);
}
