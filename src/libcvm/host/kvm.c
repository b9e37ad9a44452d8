/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * KVM facts from real ioctls on /dev/kvm. ABI numbers: include/uapi/linux/kvm.h as merged upstream (the
 * pre-merge TDX RFCs used other numbers); older distribution headers lack the newer ones, hence the table.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/ioctl.h>

#include "facts.h"
#include "fileio.h"
#include "kvm-abi.h"

static const struct {
        unsigned cap;
        const char *name;
} kvm_caps[] = {
        { KVM_CAP_USER_MEMORY2_NR, "KVM_CAP_USER_MEMORY2" },
        { KVM_CAP_MEMORY_ATTRIBUTES_NR, "KVM_CAP_MEMORY_ATTRIBUTES" },
        { KVM_CAP_GUEST_MEMFD_NR, "KVM_CAP_GUEST_MEMFD" },
        { KVM_CAP_VM_TYPES_NR, "KVM_CAP_VM_TYPES" },
        { KVM_CAP_X86_APIC_BUS_CYCLES_NS_NR, "KVM_CAP_X86_APIC_BUS_CYCLES_NS" },
};

int probe_kvm(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        (void) qemu;
        (void) flags;

        _cleanup_close_ int fd = open_at_root(root, "/dev/kvm", O_RDWR);
        if (fd < 0)
                return fd;

        int api = ioctl(fd, KVM_GET_API_VERSION_IOCTL, 0);
        if (api < 0)
                return -errno;

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *ext = json_object_new_object();
        if (!o || json_add(o, "api_version", json_object_new_int(api)) < 0 ||
            json_add(o, "extensions", ext) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < ELEMENTSOF(kvm_caps); i++) {
                /* KVM_CHECK_EXTENSION answers 0 for capabilities it does not know: no error to handle. */
                int v = ioctl(fd, KVM_CHECK_EXTENSION_IOCTL, (unsigned long) kvm_caps[i].cap);
                json_object *val = v < 0 ? json_error_new(-errno) : json_object_new_int(v);
                if (json_add(ext, kvm_caps[i].name, val) < 0)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(o);
        return 0;
}
