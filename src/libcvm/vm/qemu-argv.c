/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sources for every flag: reference/launch.md §1.2 (TDX, QEMU target/i386/kvm/tdx.c), §1.3 (SEV-SNP,
 * target/i386/sev.c), §8 (quick reference); the QEMU documentation of -machine, -object, -blockdev,
 * -chardev and -action.
 */
#include <inttypes.h>

#include "argv-util.h"
#include "hexbase64.h"
#include "json-util.h"
#include "qemu-argv.h"

#define CGS_ID_TDX "tdx0"
#define CGS_ID_SNP "sev0"
#define MEM_ID     "mem0"

static json_object *tdx_guest_object(const VmSpec *s)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        uint64_t attrs = vm_spec_tdx_attributes(s);

        if (!o || json_add(o, "qom-type", json_object_new_string("tdx-guest")) < 0 ||
            json_add(o, "id", json_object_new_string(CGS_ID_TDX)) < 0 ||
            json_add(o, "sept-ve-disable", json_object_new_boolean(!!(attrs & TDX_ATTR_SEPT_VE_DISABLE))) <
                    0)
                return NULL;

        /* Downstream QEMUs spell the DEBUG attribute as a property; upstream refuses bit 0 (rule tdx.debug).
         */
        if ((attrs & TDX_ATTR_DEBUG) && json_add(o, "debug", json_object_new_boolean(true)) < 0)
                return NULL;

        const struct {
                const char *name;
                const uint8_t *v;
                bool set;
        } mrs[] = {
                { "mrconfigid", s->mrconfigid, s->has_mrconfigid },
                { "mrowner", s->mrowner, s->has_mrowner },
                { "mrownerconfig", s->mrownerconfig, s->has_mrownerconfig },
        };
        for (size_t i = 0; i < ELEMENTSOF(mrs); i++) {
                if (!mrs[i].set)
                        continue;
                _cleanup_free_ char *b64 = NULL;
                if (base64_encode(mrs[i].v, MR_SIZE, &b64) < 0 ||
                    json_add(o, mrs[i].name, json_object_new_string(b64)) < 0)
                        return NULL;
        }

        if (s->qgs != QGS_NONE) {
                json_object *a = json_object_new_object();
                if (json_add(o, "quote-generation-socket", a) < 0)
                        return NULL;
                if (s->qgs == QGS_VSOCK) {
                        /* SocketAddress vsock takes cid and port as strings (qapi/sockets.json). */
                        char cid[16], port[16];
                        snprintf(cid, sizeof(cid), "%u", s->qgs_cid);
                        snprintf(port, sizeof(port), "%u", s->qgs_port);
                        if (json_add(a, "type", json_object_new_string("vsock")) < 0 ||
                            json_add(a, "cid", json_object_new_string(cid)) < 0 ||
                            json_add(a, "port", json_object_new_string(port)) < 0)
                                return NULL;
                } else if (json_add(a, "type", json_object_new_string("unix")) < 0 ||
                           json_add(a, "path", json_object_new_string(s->qgs_path ?: QGS_DEFAULT_SOCKET)) <
                                   0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

static int read_base64_file(const char *path, char **ret);

static json_object *snp_guest_object(const VmSpec *s, int *reterr)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        *reterr = -ENOMEM;

        if (!o || json_add(o, "qom-type", json_object_new_string("sev-snp-guest")) < 0 ||
            json_add(o, "id", json_object_new_string(CGS_ID_SNP)) < 0 ||
            json_add(o, "cbitpos", json_object_new_int(s->snp_cbitpos)) < 0 ||
            json_add(o, "reduced-phys-bits", json_object_new_int(s->snp_reduced_phys_bits)) < 0 ||
            json_add(o, "policy",
                     json_object_new_uint64(s->has_snp_policy ? s->snp_policy : SNP_POLICY_DEFAULT)) < 0)
                return NULL;

        /* Measured direct boot: on by default whenever a kernel is passed (vmspawn does the same). */
        int kh = s->snp_kernel_hashes >= 0 ? s->snp_kernel_hashes : !!s->kernel;
        if (kh && json_add(o, "kernel-hashes", json_object_new_boolean(true)) < 0)
                return NULL;

        const struct {
                const char *name, *file;
        } blobs[] = {
                { "id-block", s->snp_id_block },
                { "id-auth", s->snp_id_auth },
                { "host-data", s->snp_host_data },
                { "guest-visible-workarounds", s->snp_gosvw },
        };
        for (size_t i = 0; i < ELEMENTSOF(blobs); i++) {
                if (!blobs[i].file)
                        continue;
                _cleanup_free_ char *b64 = NULL;
                int r = read_base64_file(blobs[i].file, &b64);
                if (r < 0) {
                        *reterr = r;
                        return NULL;
                }
                if (json_add(o, blobs[i].name, json_object_new_string(b64)) < 0)
                        return NULL;
        }
        if (s->snp_author_key > 0 && json_add(o, "author-key-enabled", json_object_new_boolean(true)) < 0)
                return NULL;
        if (s->snp_vcek_disabled > 0 && json_add(o, "vcek-disabled", json_object_new_boolean(true)) < 0)
                return NULL;
        *reterr = 0;
        return TAKE_PTR(o);
}

/* The blob files hold base64 text (what QEMU takes); whitespace around it is dropped. */
static int read_base64_file(const char *path, char **ret)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char buf[8192];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        if (ferror(f))
                return -EIO;
        if (!feof(f))
                return -E2BIG;
        buf[n] = 0;
        char *start = buf;
        while (*start == ' ' || *start == '\n' || *start == '\t' || *start == '\r')
                start++;
        size_t l = strcspn(start, " \n\t\r");
        start[l] = 0;
        char *s = strdup(start);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static void add_json_object(Argv *a, json_object *o)
{
        if (!o) {
                if (a->error >= 0)
                        a->error = -ENOMEM;
                return;
        }
        argv_add(a, "-object");
        argv_add(a,
                 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/* prefix + value with commas doubled + suffix. */
static void add_escaped(Argv *a, const char *prefix, const char *value, const char *suffix)
{
        _cleanup_free_ char *e = qemu_escape(value);
        if (!e) {
                a->error = -ENOMEM;
                return;
        }
        argv_addf(a, "%s%s%s", prefix, e, suffix);
}

static const char *const disk_device[_DISK_BUS_MAX] = {
        [DISK_BUS_VIRTIO] = "virtio-blk-pci",
        [DISK_BUS_NVME] = "nvme",
        [DISK_BUS_SATA] = "ide-hd",
        [DISK_BUS_SCSI] = "scsi-hd",
};

static void add_disks(Argv *a, const VmSpec *s, const char *iommu)
{
        bool scsi = false;
        unsigned sata = 0;

        for (size_t i = 0; i < s->n_disks; i++)
                scsi = scsi || s->disks[i].bus == DISK_BUS_SCSI;
        if (scsi) {
                argv_add(a, "-device");
                argv_addf(a, "virtio-scsi-pci,id=scsi0%s", iommu);
        }

        for (size_t i = 0; i < s->n_disks; i++) {
                const VmDisk *d = s->disks + i;
                /* -blockdev as JSON: no escaping of paths, and the format driver sits on a file driver. */
                _cleanup_(json_object_putp) json_object *file = json_object_new_object(),
                                                        *bd = json_object_new_object();
                char node[32];
                snprintf(node, sizeof(node), "disk%zu", i);
                if (!file || !bd || json_add(file, "driver", json_object_new_string("file")) < 0 ||
                    json_add(file, "filename", json_object_new_string(d->path)) < 0 ||
                    json_add(bd, "driver", json_object_new_string(d->format ?: "raw")) < 0 ||
                    json_add(bd, "node-name", json_object_new_string(node)) < 0 ||
                    json_add(bd, "read-only", json_object_new_boolean(d->readonly)) < 0 ||
                    json_add(bd, "file", json_object_get(file)) < 0) {
                        a->error = -ENOMEM;
                        return;
                }
                argv_add(a, "-blockdev");
                argv_add(a, json_object_to_json_string_ext(bd, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));

                char boot[32] = "";
                if (d->boot)
                        snprintf(boot, sizeof(boot), ",bootindex=1");
                argv_add(a, "-device");
                switch (d->bus) {
                case DISK_BUS_VIRTIO:
                        argv_addf(a, "%s,drive=%s%s%s", disk_device[d->bus], node, boot, iommu);
                        break;
                case DISK_BUS_NVME:
                        argv_addf(a, "%s,drive=%s,serial=cvm%zu%s", disk_device[d->bus], node, i, boot);
                        break;
                case DISK_BUS_SATA:
                        /* q35's built-in AHCI controller has six ports, ide.0 to ide.5. */
                        argv_addf(a, "%s,drive=%s,bus=ide.%u%s", disk_device[d->bus], node, sata++, boot);
                        break;
                case DISK_BUS_SCSI:
                        argv_addf(a, "%s,drive=%s,bus=scsi0.0%s", disk_device[d->bus], node, boot);
                        break;
                default:
                        a->error = -EINVAL;
                }
        }
}

static void add_network(Argv *a, const VmSpec *s, const char *iommu)
{
        if (s->net == NET_NONE)
                return;
        argv_add(a, "-netdev");
        switch (s->net) {
        case NET_USER:
                argv_add(a, "user,id=net0");
                break;
        case NET_TAP:
                /* cvm never runs the qemu-ifup scripts: the interface is the operator's. */
                argv_addf(a, "tap,id=net0,ifname=%s,script=no,downscript=no", s->net_ifname);
                break;
        case NET_BRIDGE:
                argv_addf(a, "bridge,id=net0,br=%s", s->net_ifname);
                break;
        default:
                a->error = -EINVAL;
                return;
        }
        argv_add(a, "-device");
        argv_addf(a, "virtio-net-pci,netdev=net0%s", iommu);
}

static void add_console(Argv *a, const VmSpec *s)
{
        switch (s->console) {
        case CONSOLE_SERIAL:
                /* signal=off: Ctrl-C reaches the guest; cvm itself handles SIGTERM and SIGINT from kill. */
                argv_add_many(a, "-chardev", "stdio,id=console0,signal=off", NULL);
                break;
        case CONSOLE_PTY:
                argv_add_many(a, "-chardev", "pty,id=console0", NULL);
                break;
        case CONSOLE_FILE:
                argv_add(a, "-chardev");
                /* append: a restarted QEMU (restart-process reboots) keeps the earlier boots' output. */
                add_escaped(a, "file,id=console0,path=", s->console_file, ",append=on");
                break;
        case CONSOLE_NONE:
                return;
        default:
                a->error = -EINVAL;
                return;
        }
        argv_add_many(a, "-serial", "chardev:console0", NULL);
}

int qemu_argv_build(const VmSpec *s, const QemuLaunchPaths *p, char ***ret)
{
        Argv a = {};
        bool tdx = s->coco == VM_COCO_TDX, snp = s->coco == VM_COCO_SEV_SNP, cc = tdx || snp;
        const char *accel = s->accel ?: "kvm";
        uint64_t mem = s->memory ?: VM_DEFAULT_MEMORY;
        int r;

        if (s->coco == VM_COCO_AUTO || (cc && !s->firmware) ||
            (snp && (s->snp_cbitpos < 0 || s->snp_reduced_phys_bits < 0)))
                return -EINVAL; /* not resolved */

        /* Confidential guests only reach memory through bounce buffers: virtio must use the DMA API. */
        const char *iommu = cc ? ",iommu_platform=on" : "";

        argv_add(&a, p->qemu);
        argv_add(&a, "-name");
        add_escaped(&a, "", s->name ?: "cvm", "");
        argv_add_many(&a, "-nodefaults", "-no-user-config", "-display", "none", NULL);
        argv_add(&a, "-accel");
        argv_add(&a, accel);

        /* Machine: q35 for every confidential guest (QEMU and Nova require it). */
        char machine[512];
        int n = snprintf(machine, sizeof(machine), "%s", s->machine ?: "q35");
        if (tdx)
                n += snprintf(machine + n, sizeof(machine) - (size_t) n,
                              ",kernel-irqchip=%s,confidential-guest-support=" CGS_ID_TDX
                              ",memory-backend=" MEM_ID,
                              s->irqchip ?: "split");
        else if (snp)
                n += snprintf(machine + n, sizeof(machine) - (size_t) n,
                              ",kernel-irqchip=%s,confidential-guest-support=" CGS_ID_SNP
                              ",memory-backend=" MEM_ID,
                              s->irqchip ?: "on");
        else if (s->irqchip)
                n += snprintf(machine + n, sizeof(machine) - (size_t) n, ",kernel-irqchip=%s", s->irqchip);
        if (s->smm >= 0 || cc)
                n += snprintf(machine + n, sizeof(machine) - (size_t) n, ",smm=%s",
                              s->smm > 0 ? "on" : "off");
        if (s->pic >= 0 || tdx)
                n += snprintf(machine + n, sizeof(machine) - (size_t) n, ",pic=%s",
                              s->pic > 0 ? "on" : "off");
        if (cc)
                /* HPET is emulated by the host and not usable by a TD (canonical and libvirt templates). */
                n += snprintf(machine + n, sizeof(machine) - (size_t) n, ",hpet=off");
        if ((size_t) n >= sizeof(machine))
                return -E2BIG;
        argv_add(&a, "-machine");
        argv_add(&a, machine);

        /* CPU: TDX refuses named models; TCG cannot do "host". */
        char cpu[256];
        const char *model = s->cpu_model ?: (streq(accel, "tcg") ? "max" : "host");
        n = snprintf(cpu, sizeof(cpu), "%s", model);
        if (tdx && (vm_spec_tdx_attributes(s) & TDX_ATTR_PKS))
                n += snprintf(cpu + n, sizeof(cpu) - (size_t) n, ",+pks");
        int pmu = s->pmu >= 0 ? s->pmu : (tdx ? !!(vm_spec_tdx_attributes(s) & TDX_ATTR_PERFMON) : -1);
        if (pmu >= 0)
                n += snprintf(cpu + n, sizeof(cpu) - (size_t) n, ",pmu=%s", pmu ? "on" : "off");
        if (s->tsc_frequency)
                n += snprintf(cpu + n, sizeof(cpu) - (size_t) n, ",tsc-frequency=%" PRIu64,
                              s->tsc_frequency);
        if ((size_t) n >= sizeof(cpu))
                return -E2BIG;
        argv_add(&a, "-cpu");
        argv_add(&a, cpu);

        argv_add(&a, "-smp");
        argv_addf(&a, "%u", s->cpus ?: VM_DEFAULT_CPUS);
        argv_add(&a, "-m");
        argv_addf(&a, "%" PRIu64 "M", mem >> 20);

        if (cc) {
                /*
                 * Private memory is guest_memfd either way; the backend supplies the shared half. SNP uses
                 * memfd as QEMU's own documentation does; hugepages ask the backend for hugetlbfs pages.
                 */
                argv_add(&a, "-object");
                argv_addf(&a, "%s,id=" MEM_ID ",size=%" PRIu64 "M%s",
                          snp || s->hugepages > 0 ? "memory-backend-memfd" : "memory-backend-ram", mem >> 20,
                          s->hugepages > 0 ? ",hugetlb=on"
                          : snp            ? ",share=on"
                                           : "");
                if (tdx)
                        add_json_object(&a, tdx_guest_object(s));
                else {
                        json_object *o = snp_guest_object(s, &r);
                        if (!o && r < 0 && r != -ENOMEM) {
                                argv_done(&a);
                                return r;
                        }
                        add_json_object(&a, o);
                }
                /* No S3/S4: a confidential guest's state cannot be saved (vmspawn, libvirt templates). */
                argv_add_many(&a, "-global", "ICH9-LPC.disable_s3=1", "-global", "ICH9-LPC.disable_s4=1",
                              NULL);
        } else if (s->suspend == 0)
                argv_add_many(&a, "-global", "ICH9-LPC.disable_s3=1", "-global", "ICH9-LPC.disable_s4=1",
                              NULL);

        if (s->firmware_vars && s->firmware && !cc) {
                /* A plain VM's code/variables split: the code read-only in pflash unit 0, the store in 1. */
                argv_add(&a, "-drive");
                add_escaped(&a, "if=pflash,format=raw,unit=0,readonly=on,file=", s->firmware, "");
                argv_add(&a, "-drive");
                add_escaped(&a, "if=pflash,format=raw,unit=1,file=", s->firmware_vars, "");
        } else if (s->firmware) {
                /* Raw UEFI images load with -bios: TDX and SNP forbid pflash (read-only KVM memory). */
                argv_add(&a, "-bios");
                argv_add(&a, s->firmware);
        }
        if (s->kernel) {
                argv_add_many(&a, "-kernel", s->kernel, NULL);
                if (s->initrd)
                        argv_add_many(&a, "-initrd", s->initrd, NULL);
                if (s->cmdline)
                        argv_add_many(&a, "-append", s->cmdline, NULL);
        }

        add_disks(&a, s, iommu);
        add_network(&a, s, iommu);
        if (s->vsock_cid) {
                argv_add(&a, "-device");
                argv_addf(&a, "vhost-vsock-pci,guest-cid=%u%s", s->vsock_cid, iommu);
        }
        if (s->tpm_socket) {
                argv_add(&a, "-chardev");
                add_escaped(&a, "socket,id=tpmchr0,path=", s->tpm_socket, "");
                argv_add_many(&a, "-tpmdev", "emulator,id=tpm0,chardev=tpmchr0", "-device",
                              "tpm-crb,tpmdev=tpm0", NULL);
        }
        if (s->graphics && streq(s->graphics, "vnc"))
                /* VNC on loopback only: reach it through an ssh tunnel. */
                argv_add_many(&a, "-vga", "std", "-vnc", "127.0.0.1:0", NULL);
        add_console(&a, s);

        /* -qmp rather than -chardev + -mon: QEMU 11 deprecates -mon, and -qmp works from 7.2 on. */
        if (p->qmp_socket) {
                argv_add(&a, "-qmp");
                add_escaped(&a, "unix:", p->qmp_socket, ",server=on,wait=off");
        }
        if (p->control_socket) {
                argv_add(&a, "-qmp");
                add_escaped(&a, "unix:", p->control_socket, ",server=on,wait=off");
        }

        /*
         * A guest reboot becomes a SHUTDOWN event with reason guest-reset and QEMU exits, so the supervisor
         * can start a fresh process: a TD cannot be reset in place on most QEMU/KVM versions.
         */
        OnReboot onr = s->on_reboot != ON_REBOOT_DEFAULT ? s->on_reboot
                       : cc                              ? ON_REBOOT_RESTART_PROCESS
                                                         : ON_REBOOT_RESET;
        if (onr != ON_REBOOT_RESET)
                argv_add_many(&a, "-action", "reboot=shutdown", NULL);
        /* The guest reports a panic through the ISA pvpanic device (port 0x505); QEMU then emits
         * GUEST_PANICKED and, by this action, shuts down, which the supervisor reports as exit 4. */
        argv_add_many(&a, "-device", "pvpanic", "-action", "panic=shutdown", NULL);

        return argv_finish(&a, ret);
}
