/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "string-table.h"
#include "vm-spec.h"

static const char *const vm_coco_table[_VM_COCO_MAX] = {
        [VM_COCO_NO] = "no",
        [VM_COCO_TDX] = "tdx",
        [VM_COCO_SEV_SNP] = "sev-snp",
        [VM_COCO_AUTO] = "auto",
};
DEFINE_STRING_TABLE_LOOKUP(vm_coco, VmCoco);

static const char *const disk_bus_table[_DISK_BUS_MAX] = {
        [DISK_BUS_VIRTIO] = "virtio",
        [DISK_BUS_NVME] = "nvme",
        [DISK_BUS_SATA] = "sata",
        [DISK_BUS_SCSI] = "scsi",
};
DEFINE_STRING_TABLE_LOOKUP(disk_bus, DiskBus);

static const char *const net_mode_table[_NET_MODE_MAX] = {
        [NET_NONE] = "none",
        [NET_USER] = "user",
        [NET_TAP] = "tap",
        [NET_BRIDGE] = "bridge",
};
DEFINE_STRING_TABLE_LOOKUP(net_mode, NetMode);

static const char *const console_mode_table[_CONSOLE_MODE_MAX] = {
        [CONSOLE_SERIAL] = "serial",
        [CONSOLE_PTY] = "pty",
        [CONSOLE_FILE] = "file",
        [CONSOLE_NONE] = "none",
};
DEFINE_STRING_TABLE_LOOKUP(console_mode, ConsoleMode);

static const char *const on_reboot_table[_ON_REBOOT_MAX] = {
        [ON_REBOOT_DEFAULT] = "default",
        [ON_REBOOT_RESTART_PROCESS] = "restart-process",
        [ON_REBOOT_RESET] = "reset",
        [ON_REBOOT_POWEROFF] = "poweroff",
};
DEFINE_STRING_TABLE_LOOKUP(on_reboot, OnReboot);

void vm_spec_init(VmSpec *s)
{
        *s = (VmSpec){
                .coco = VM_COCO_NO,
                .secure_boot = -1,
                .suspend = -1,
                .migratable = -1,
                .hugepages = -1,
                .smm = -1,
                .pic = -1,
                .pmu = -1,
                .snp_cbitpos = -1,
                .snp_reduced_phys_bits = -1,
                .snp_kernel_hashes = -1,
                .snp_vcek_disabled = -1,
                .snp_author_key = -1,
                .max_restarts = 10,
                .shutdown_timeout_usec = 60ULL * 1000000,
        };
}

void vm_spec_done(VmSpec *s)
{
        free(s->name);
        free(s->firmware);
        free(s->kernel);
        free(s->initrd);
        free(s->cmdline);
        for (size_t i = 0; i < s->n_disks; i++) {
                free(s->disks[i].path);
                free(s->disks[i].format);
        }
        free(s->disks);
        free(s->net_ifname);
        free(s->console_file);
        free(s->tpm_socket);
        free(s->cpu_model);
        free(s->machine);
        free(s->accel);
        free(s->qemu);
        free(s->firmware_vars);
        free(s->graphics);
        free(s->irqchip);
        free(s->qgs_path);
        free(s->snp_id_block);
        free(s->snp_id_auth);
        free(s->snp_host_data);
        free(s->snp_gosvw);
        /* mrowner & co. are not secrets, but keep the habit for what came from files. */
        explicit_bzero(s, sizeof(*s));
}

uint64_t vm_spec_tdx_attributes(const VmSpec *s)
{
        /* QEMU's tdx_guest_init() default: SEPT_VE_DISABLE, which Linux TD guests require. */
        uint64_t a = TDX_ATTR_SEPT_VE_DISABLE;
        a |= s->tdx_attributes;
        a &= ~s->tdx_attributes_cleared;
        return a;
}
