/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * A VM definition: what the user asked for, before validation and before anything is derived from the
 * host. Filled from long options (vmspawn / virt-install style) and from the same keys in an INI file
 * (vm-options.c); validated by the rule table (vm-rules.c); turned into a QEMU argv (qemu-argv.c) or
 * libvirt XML. Tri-state fields use -1 for "not set", so defaults depend on the TEE and the host.
 */

typedef enum VmCoco {
        VM_COCO_NO,
        VM_COCO_TDX,
        VM_COCO_SEV_SNP,
        VM_COCO_AUTO,
        _VM_COCO_MAX,
        _VM_COCO_INVALID = -EINVAL,
} VmCoco;

typedef enum DiskBus {
        DISK_BUS_VIRTIO,
        DISK_BUS_NVME,
        DISK_BUS_SATA,
        DISK_BUS_SCSI,
        _DISK_BUS_MAX,
        _DISK_BUS_INVALID = -EINVAL,
} DiskBus;

typedef struct VmDisk {
        char *path;
        char *format; /* NULL: raw */
        DiskBus bus;
        bool readonly;
        bool boot;
} VmDisk;

typedef enum NetMode {
        NET_NONE,
        NET_USER,
        NET_TAP,
        NET_BRIDGE,
        _NET_MODE_MAX,
        _NET_MODE_INVALID = -EINVAL,
} NetMode;

typedef enum ConsoleMode {
        CONSOLE_SERIAL, /* the guest's serial console on cvm's own terminal */
        CONSOLE_PTY,
        CONSOLE_FILE,
        CONSOLE_NONE,
        _CONSOLE_MODE_MAX,
        _CONSOLE_MODE_INVALID = -EINVAL,
} ConsoleMode;

typedef enum QgsType {
        QGS_DEFAULT, /* not given: the unix socket at the default path */
        QGS_UNIX,
        QGS_VSOCK,
        QGS_NONE,
        _QGS_TYPE_MAX,
} QgsType;

#define QGS_DEFAULT_SOCKET "/var/run/tdx-qgs/qgs.socket"

typedef enum OnReboot {
        ON_REBOOT_DEFAULT, /* restart-process for confidential guests, reset otherwise */
        ON_REBOOT_RESTART_PROCESS,
        ON_REBOOT_RESET,
        ON_REBOOT_POWEROFF,
        _ON_REBOOT_MAX,
        _ON_REBOOT_INVALID = -EINVAL,
} OnReboot;

/* TD attributes by name (TDX module ABI, TDCS.ATTRIBUTES; QEMU target/i386/kvm/tdx.c). */
#define TDX_ATTR_DEBUG           (UINT64_C(1) << 0)
#define TDX_ATTR_SEPT_VE_DISABLE (UINT64_C(1) << 28)
#define TDX_ATTR_PKS             (UINT64_C(1) << 30)
#define TDX_ATTR_PERFMON         (UINT64_C(1) << 63)

/* SEV-SNP guest policy bits (AMD SEV-SNP ABI spec, Table "Guest Policy Structure"). */
#define SNP_POLICY_SMT      (UINT64_C(1) << 16)
#define SNP_POLICY_RESERVED (UINT64_C(1) << 17) /* must be one */
#define SNP_POLICY_MIGRATE  (UINT64_C(1) << 18)
#define SNP_POLICY_DEBUG    (UINT64_C(1) << 19)
#define SNP_POLICY_DEFAULT                                                                                  \
        (SNP_POLICY_SMT | SNP_POLICY_RESERVED) /* QEMU's DEFAULT_SEV_SNP_POLICY 0x30000                     \
                                                */

#define MR_SIZE 48 /* SHA-384 */

typedef struct VmSpec {
        char *name;
        VmCoco coco;
        uint64_t memory; /* bytes; 0: default */
        unsigned cpus;   /* 0: default */
        char *firmware;  /* a path; NULL: chosen from the firmware descriptors */
        char *kernel, *initrd, *cmdline;
        VmDisk *disks;
        size_t n_disks;
        NetMode net;
        char *net_ifname;   /* tap interface or bridge */
        unsigned vsock_cid; /* 0: none */
        ConsoleMode console;
        char *console_file;
        char *tpm_socket; /* swtpm control socket */
        int secure_boot;  /* tri-state */
        char *cpu_model;  /* NULL: "host" */
        char *machine;    /* NULL: "q35" */
        char *accel;      /* NULL: "kvm" */
        char *qemu;
        char *firmware_vars;    /* an NVRAM file: the pflash split confidential guests cannot use */
        int suspend;            /* guest S3/S4; tri-state */
        int migratable;         /* tri-state */
        int hugepages;          /* tri-state */
        char *graphics;         /* NULL/"none", "vnc", ... */
        char *irqchip;          /* NULL: per TEE; "split", "on", "off" */
        int smm;                /* tri-state */
        int pic;                /* tri-state */
        int pmu;                /* tri-state */
        uint64_t tsc_frequency; /* Hz; 0: not set */

        /* TDX */
        uint64_t tdx_attributes;         /* set bits requested by name */
        uint64_t tdx_attributes_cleared; /* bits explicitly turned off ("-sept-ve-disable") */
        uint8_t mrconfigid[MR_SIZE], mrowner[MR_SIZE], mrownerconfig[MR_SIZE];
        bool has_mrconfigid, has_mrowner, has_mrownerconfig;
        QgsType qgs;
        char *qgs_path;
        unsigned qgs_cid, qgs_port;

        /* SEV-SNP */
        uint64_t snp_policy;
        bool has_snp_policy;
        int snp_cbitpos;           /* -1: from the host's CPUID */
        int snp_reduced_phys_bits; /* -1: from the host's CPUID */
        int snp_kernel_hashes;     /* tri-state; default: on with direct kernel boot */
        char *snp_id_block, *snp_id_auth, *snp_host_data, *snp_gosvw; /* files */
        int snp_vcek_disabled, snp_author_key;                        /* tri-state */

        /* Supervision */
        bool allow_debug;
        OnReboot on_reboot;
        unsigned max_restarts;
        uint64_t shutdown_timeout_usec;
} VmSpec;

void vm_spec_init(VmSpec *s);
void vm_spec_done(VmSpec *s);

const char *vm_coco_to_string(VmCoco c);
VmCoco vm_coco_from_string(const char *s);
const char *disk_bus_to_string(DiskBus b);
DiskBus disk_bus_from_string(const char *s);
const char *net_mode_to_string(NetMode m);
NetMode net_mode_from_string(const char *s);
const char *console_mode_to_string(ConsoleMode m);
ConsoleMode console_mode_from_string(const char *s);
const char *on_reboot_to_string(OnReboot r);
OnReboot on_reboot_from_string(const char *s);

/* The TDX attributes the definition asks for, with QEMU's default (SEPT_VE_DISABLE) applied. */
uint64_t vm_spec_tdx_attributes(const VmSpec *s);
/* Whether the guest's memory and state are to be protected (TDX or SNP, after "auto" was resolved). */
static inline bool vm_spec_is_confidential(const VmSpec *s)
{
        return s->coco == VM_COCO_TDX || s->coco == VM_COCO_SEV_SNP;
}
