/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sources: libvirt's domaincommon.rng (libvirt-common 12.8, <launchSecurity> defines launchSecuritySEVSNP
 * and launchSecurityTDX, <os>/<loader>, <features>, <devices>), reference/launch.md §2.1 (what a TD domain
 * needs besides <launchSecurity>) and §2.4 (libvirt's mapping to QEMU properties).
 */
#include <inttypes.h>
#include <stdarg.h>

#include "domxml.h"
#include "fileio.h"
#include "hexbase64.h"
#include "string-util.h"
#include "vm/libxml-dl.h"

/* xmlTextWriter calls whose failures are collected and checked once, at the end (as Argv does). */
typedef struct Writer {
        xmlTextWriterPtr w;
        int error;
} Writer;

static void check(Writer *w, int rc)
{
        if (rc < 0 && w->error >= 0)
                w->error = -ENOMEM;
}

static void start(Writer *w, const char *element)
{
        check(w, sym_xmlTextWriterStartElement(w->w, BAD_CAST element));
}

static void end(Writer *w)
{
        check(w, sym_xmlTextWriterEndElement(w->w));
}

static void attr(Writer *w, const char *name, const char *value)
{
        check(w, sym_xmlTextWriterWriteAttribute(w->w, BAD_CAST name, BAD_CAST value));
}

/* Formats a short value (numbers, hex) into buf; a value that does not fit fails the whole document. */
static bool vformat(Writer *w, char buf[static 64], const char *format, va_list ap)
        __attribute__((format(printf, 3, 0)));
static bool vformat(Writer *w, char buf[static 64], const char *format, va_list ap)
{
        int n = vsnprintf(buf, 64, format, ap);
        if (n < 0 || n >= 64) {
                w->error = -E2BIG;
                return false;
        }
        return true;
}

static void attrf(Writer *w, const char *name, const char *format, ...) _printf_(3, 4);
static void attrf(Writer *w, const char *name, const char *format, ...)
{
        char buf[64];
        va_list ap;
        va_start(ap, format);
        bool ok = vformat(w, buf, format, ap);
        va_end(ap);
        if (ok)
                attr(w, name, buf);
}

/* <element>text</element> */
static void text_element(Writer *w, const char *element, const char *text)
{
        check(w, sym_xmlTextWriterWriteElement(w->w, BAD_CAST element, BAD_CAST text));
}

static void text_elementf(Writer *w, const char *element, const char *format, ...) _printf_(3, 4);
static void text_elementf(Writer *w, const char *element, const char *format, ...)
{
        char buf[64];
        va_list ap;
        va_start(ap, format);
        bool ok = vformat(w, buf, format, ap);
        va_end(ap);
        if (ok)
                text_element(w, element, buf);
}

/* <element a="v"/> */
static void empty_element(Writer *w, const char *element, const char *a, const char *v)
{
        start(w, element);
        if (a)
                attr(w, a, v);
        end(w);
}

static int fail(char **reterr, int r, const char *format, ...) _printf_(3, 4);
static int fail(char **reterr, int r, const char *format, ...)
{
        va_list ap;
        va_start(ap, format);
        int k = vasprintf(reterr, format, ap);
        va_end(ap);
        return k < 0 ? -ENOMEM : r;
}

const char *domxml_domain_type(const VmSpec *s)
{
        return s->accel && streq(s->accel, "tcg") ? "qemu" : "kvm";
}

static bool is_tcg(const VmSpec *s)
{
        return streq(domxml_domain_type(s), "qemu");
}

/* The SNP blob files hold the base64 text QEMU and libvirt take; it must decode (rule snp.* checks sizes).
 */
static int read_blob(const char *path, const char *opt, char **ret, char **reterr)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ uint8_t *bin = NULL;
        size_t n;
        int r = read_full_file(path, 16384, &text, NULL);
        if (r < 0)
                return fail(reterr, r, "%s=%s: %s", opt, path, strerror(-r));
        char *b = text + strspn(text, " \t\r\n");
        b[strcspn(b, " \t\r\n")] = 0;
        r = base64_decode(b, SIZE_MAX, &bin, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || n == 0)
                return fail(reterr, -EINVAL, "%s=%s does not hold base64 text", opt, path);
        *ret = strdup(b);
        return *ret ? 0 : -ENOMEM;
}

static void launch_security_tdx(Writer *w, const VmSpec *s)
{
        start(w, "launchSecurity");
        attr(w, "type", "tdx");
        /* <policy> is TDCS.ATTRIBUTES; libvirt passes it to tdx-guest's "attributes" (hexuint: lower case).
         */
        text_elementf(w, "policy", "0x%" PRIx64, vm_spec_tdx_attributes(s));
        const struct {
                const char *name;
                const uint8_t *v;
                bool set;
        } mrs[] = {
                { "mrConfigId", s->mrconfigid, s->has_mrconfigid },
                { "mrOwner", s->mrowner, s->has_mrowner },
                { "mrOwnerConfig", s->mrownerconfig, s->has_mrownerconfig },
        };
        for (size_t i = 0; i < ELEMENTSOF(mrs); i++) {
                _cleanup_free_ char *b64 = NULL;
                if (!mrs[i].set)
                        continue;
                if (base64_encode(mrs[i].v, MR_SIZE, &b64) < 0) {
                        w->error = -ENOMEM;
                        return;
                }
                text_element(w, mrs[i].name, b64);
        }
        if (s->qgs == QGS_UNIX || s->qgs == QGS_DEFAULT)
                empty_element(w, "quoteGenerationService", "path", s->qgs_path ?: QGS_DEFAULT_SOCKET);
        end(w);
}

static int launch_security_snp(Writer *w, const VmSpec *s, char **reterr)
{
        const struct {
                const char *element, *opt, *file;
        } blobs[] = {
                { "idBlock", "--snp-id-block", s->snp_id_block },
                { "idAuth", "--snp-id-auth", s->snp_id_auth },
                { "hostData", "--snp-host-data", s->snp_host_data },
                { "guestVisibleWorkarounds", "--snp-guest-visible-workarounds", s->snp_gosvw },
        };
        char *text[ELEMENTSOF(blobs)] = {};
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(blobs) && r >= 0; i++)
                if (blobs[i].file)
                        r = read_blob(blobs[i].file, blobs[i].opt, &text[i], reterr);

        if (r >= 0) {
                start(w, "launchSecurity");
                attr(w, "type", "sev-snp");
                /* Measured direct boot: on by default whenever a kernel is passed, as for QEMU. */
                int kh = s->snp_kernel_hashes >= 0 ? s->snp_kernel_hashes : !!s->kernel;
                attr(w, "kernelHashes", yes_no(kh));
                if (s->snp_author_key >= 0)
                        attr(w, "authorKey", yes_no(s->snp_author_key));
                if (s->snp_vcek_disabled >= 0)
                        attr(w, "vcek", yes_no(!s->snp_vcek_disabled));
                /* Unset: libvirt takes the host's values from its domain capabilities. */
                if (s->snp_cbitpos >= 0)
                        text_elementf(w, "cbitpos", "%d", s->snp_cbitpos);
                if (s->snp_reduced_phys_bits >= 0)
                        text_elementf(w, "reducedPhysBits", "%d", s->snp_reduced_phys_bits);
                text_elementf(w, "policy", "0x%" PRIx64,
                              s->has_snp_policy ? s->snp_policy : SNP_POLICY_DEFAULT);
                for (size_t i = 0; i < ELEMENTSOF(blobs); i++)
                        if (text[i])
                                text_element(w, blobs[i].element, text[i]);
                end(w);
        }
        for (size_t i = 0; i < ELEMENTSOF(blobs); i++)
                free(text[i]);
        return r;
}

static void os_section(Writer *w, const VmSpec *s, bool cc)
{
        start(w, "os");
        /*
         * No firmware named: let libvirt choose one from the QEMU firmware descriptors. With a
         * <launchSecurity> it picks a descriptor listing the feature (intel-tdx / amd-sev-snp) with a
         * memory mapping, i.e. a stateless image.
         */
        if (!s->firmware && (cc || s->secure_boot > 0))
                attr(w, "firmware", "efi");
        start(w, "type");
        attr(w, "arch", "x86_64");
        attr(w, "machine", s->machine ?: "q35");
        check(w, sym_xmlTextWriterWriteString(w->w, BAD_CAST "hvm"));
        end(w);
        if (!s->firmware && !cc && s->secure_boot > 0) {
                start(w, "firmware");
                start(w, "feature");
                attr(w, "enabled", "yes");
                attr(w, "name", "secure-boot");
                end(w);
                end(w);
        }
        if (s->firmware) {
                start(w, "loader");
                attr(w, "readonly", "yes");
                if (s->firmware_vars && !cc) {
                        /* A plain VM's code/variables split: code in pflash, the store as NVRAM. */
                        attr(w, "type", "pflash");
                        if (s->secure_boot > 0)
                                attr(w, "secure", "yes");
                } else {
                        /* TDX and SNP forbid pflash (no read-only KVM memory): the image is ROM, no NVRAM.
                         */
                        attr(w, "type", "rom");
                        if (cc)
                                attr(w, "stateless", "yes");
                }
                check(w, sym_xmlTextWriterWriteString(w->w, BAD_CAST s->firmware));
                end(w);
                if (s->firmware_vars && !cc)
                        text_element(w, "nvram", s->firmware_vars);
        }
        if (s->kernel) {
                text_element(w, "kernel", s->kernel);
                if (s->initrd)
                        text_element(w, "initrd", s->initrd);
                if (s->cmdline)
                        text_element(w, "cmdline", s->cmdline);
        }
        end(w);
}

static void features_section(Writer *w, const VmSpec *s, bool tdx, bool cc)
{
        start(w, "features");
        /* Without <acpi/> libvirt passes -no-acpi: no power button, so no orderly shutdown. */
        empty_element(w, "acpi", NULL, NULL);
        empty_element(w, "apic", NULL, NULL);
        const char *irqchip = s->irqchip ?: (tdx ? "split" : NULL);
        if (irqchip && streq(irqchip, "split"))
                empty_element(w, "ioapic", "driver", "qemu"); /* kernel_irqchip=split */
        else if (irqchip && streq(irqchip, "on"))
                empty_element(w, "ioapic", "driver", "kvm");
        if (cc || s->smm >= 0)
                empty_element(w, "smm", "state", s->smm > 0 ? "on" : "off");
        int pmu = s->pmu >= 0 ? s->pmu : (tdx ? !!(vm_spec_tdx_attributes(s) & TDX_ATTR_PERFMON) : -1);
        if (pmu >= 0)
                empty_element(w, "pmu", "state", pmu ? "on" : "off");
        end(w);
}

static void cpu_section(Writer *w, const VmSpec *s, bool tdx)
{
        bool custom = false;

        start(w, "cpu");
        /* TDX refuses named models; TCG cannot pass the host through, and "maximum" is QEMU's -cpu max. */
        if (tdx || (s->cpu_model && streq(s->cpu_model, "host")) || (!s->cpu_model && !is_tcg(s)))
                attr(w, "mode", "host-passthrough");
        else if (!s->cpu_model || streq(s->cpu_model, "max"))
                attr(w, "mode", "maximum");
        else
                custom = true;
        /* QEMU's "migratable" property of -cpu host and -cpu max (domxml_build refuses it for a model). */
        if (!custom && s->migratable >= 0)
                attr(w, "migratable", s->migratable ? "on" : "off");
        if (custom) {
                attr(w, "mode", "custom");
                attr(w, "match", "exact");
                start(w, "model");
                attr(w, "fallback", "forbid");
                check(w, sym_xmlTextWriterWriteString(w->w, BAD_CAST s->cpu_model));
                end(w);
        }
        end(w);
}

/* A virtio device's <driver iommu='on'/>: confidential guests reach memory only through the DMA API. */
static void iommu_driver(Writer *w, bool cc)
{
        if (cc)
                empty_element(w, "driver", "iommu", "on");
}

static const char *const disk_bus_libvirt[_DISK_BUS_MAX] = {
        [DISK_BUS_VIRTIO] = "virtio",
        [DISK_BUS_SATA] = "sata",
        [DISK_BUS_SCSI] = "scsi",
};

static int disks_section(Writer *w, const VmSpec *s, bool cc, char **reterr)
{
        unsigned n_vd = 0, n_sd = 0;
        bool scsi = false;

        for (size_t i = 0; i < s->n_disks; i++) {
                const VmDisk *d = s->disks + i;
                if (!disk_bus_libvirt[d->bus])
                        return fail(reterr, -EOPNOTSUPP,
                                    "--disk=%s,bus=%s: cvm domxml has no libvirt mapping for this bus; use "
                                    "bus=virtio",
                                    d->path, disk_bus_to_string(d->bus));
                /* vda, vdb... for virtio; SATA and SCSI share the sd namespace. */
                unsigned k = d->bus == DISK_BUS_VIRTIO ? n_vd++ : n_sd++;
                if (k >= 26)
                        return fail(reterr, -E2BIG, "More than 26 disks on one bus");
                char dev[8];
                snprintf(dev, sizeof(dev), "%s%c", d->bus == DISK_BUS_VIRTIO ? "vd" : "sd", 'a' + k);
                scsi = scsi || d->bus == DISK_BUS_SCSI;

                start(w, "disk");
                attr(w, "type", "file");
                attr(w, "device", "disk");
                start(w, "driver");
                attr(w, "name", "qemu");
                attr(w, "type", d->format ?: "raw");
                if (cc && d->bus == DISK_BUS_VIRTIO)
                        attr(w, "iommu", "on");
                end(w);
                empty_element(w, "source", "file", d->path);
                start(w, "target");
                attr(w, "dev", dev);
                attr(w, "bus", disk_bus_libvirt[d->bus]);
                end(w);
                if (d->readonly)
                        empty_element(w, "readonly", NULL, NULL);
                if (d->boot)
                        empty_element(w, "boot", "order", "1");
                end(w);
        }
        if (scsi) {
                start(w, "controller");
                attr(w, "type", "scsi");
                attr(w, "index", "0");
                attr(w, "model", "virtio-scsi");
                iommu_driver(w, cc);
                end(w);
        }
        return 0;
}

static void network_section(Writer *w, const VmSpec *s, bool cc)
{
        static const char *const type[_NET_MODE_MAX] = {
                [NET_USER] = "user",
                [NET_TAP] = "ethernet",
                [NET_BRIDGE] = "bridge",
        };
        if (s->net == NET_NONE || !type[s->net])
                return;
        start(w, "interface");
        attr(w, "type", type[s->net]);
        if (s->net == NET_BRIDGE)
                empty_element(w, "source", "bridge", s->net_ifname);
        else if (s->net == NET_TAP) {
                /* An interface the operator made: libvirt neither creates nor configures it. */
                start(w, "target");
                attr(w, "dev", s->net_ifname);
                attr(w, "managed", "no");
                end(w);
        }
        empty_element(w, "model", "type", "virtio");
        iommu_driver(w, cc);
        end(w);
}

static void console_section(Writer *w, const VmSpec *s)
{
        /* libvirt cannot hand a guest console to the caller's terminal: "serial" becomes a pty there. */
        switch (s->console) {
        case CONSOLE_SERIAL:
        case CONSOLE_PTY:
                start(w, "serial");
                attr(w, "type", "pty");
                empty_element(w, "target", "port", "0");
                end(w);
                break;
        case CONSOLE_FILE:
                start(w, "serial");
                attr(w, "type", "file");
                start(w, "source");
                attr(w, "path", s->console_file);
                /* append: a restarted guest keeps the earlier boots' output, as with the QEMU backend. */
                attr(w, "append", "on");
                end(w);
                empty_element(w, "target", "port", "0");
                end(w);
                break;
        default:
                return;
        }
        start(w, "console");
        attr(w, "type", s->console == CONSOLE_FILE ? "file" : "pty");
        if (s->console == CONSOLE_FILE) {
                start(w, "source");
                attr(w, "path", s->console_file);
                attr(w, "append", "on");
                end(w);
        }
        start(w, "target");
        attr(w, "type", "serial");
        attr(w, "port", "0");
        end(w);
        end(w);
}

static int devices_section(Writer *w, const VmSpec *s, bool cc, char **reterr)
{
        start(w, "devices");
        if (s->qemu)
                text_element(w, "emulator", s->qemu);
        int r = disks_section(w, s, cc, reterr);
        if (r < 0)
                return r;
        network_section(w, s, cc);
        console_section(w, s);
        if (s->tpm_socket) {
                /* swtpm started by the operator (--tpm=SOCKET): libvirt's "external" backend connects to it.
                 */
                start(w, "tpm");
                attr(w, "model", "tpm-crb");
                start(w, "backend");
                attr(w, "type", "external");
                start(w, "source");
                attr(w, "type", "unix");
                attr(w, "path", s->tpm_socket);
                attr(w, "mode", "connect");
                end(w);
                end(w);
                end(w);
        }
        if (s->graphics && streq(s->graphics, "vnc")) {
                /* VNC on loopback only: reach it through an ssh tunnel. */
                start(w, "graphics");
                attr(w, "type", "vnc");
                attr(w, "listen", "127.0.0.1");
                end(w);
                start(w, "video");
                empty_element(w, "model", "type", "vga");
                end(w);
        }
        if (s->vsock_cid) {
                start(w, "vsock");
                attr(w, "model", "virtio");
                start(w, "cid");
                attr(w, "auto", "no");
                attrf(w, "address", "%u", s->vsock_cid);
                end(w);
                iommu_driver(w, cc);
                end(w);
        }
        /*
         * pvpanic (ISA port 0x505): how a guest kernel reports its panic. With on_crash='destroy' libvirt
         * then sends crashed/panicked and stopped/crashed, which cvm run turns into exit status 4.
         */
        empty_element(w, "panic", "model", "isa");
        /* No balloon: -nodefaults gives the QEMU backend none, and a confidential guest cannot share pages.
         */
        empty_element(w, "memballoon", "model", "none");
        end(w);
        return 0;
}

int domxml_build(const VmSpec *s, char **ret, char **reterr)
{
        bool tdx = s->coco == VM_COCO_TDX, snp = s->coco == VM_COCO_SEV_SNP, cc = tdx || snp;
        int r;

        *reterr = NULL;
        r = dlopen_libxml2(reterr);
        if (r < 0)
                return r;
        if (s->coco == VM_COCO_AUTO)
                return fail(reterr, -EINVAL, "--coco=auto is not resolved");
        /* What libvirt's domain XML has no element for is refused rather than left out. */
        if (s->irqchip && streq(s->irqchip, "off"))
                return fail(
                        reterr, -EOPNOTSUPP,
                        "--irqchip=off: libvirt's <ioapic> has no setting for QEMU's kernel-irqchip=off; "
                        "use --irqchip=on or --irqchip=split");
        if (s->pic >= 0 && !(tdx && s->pic == 0))
                return fail(reterr, -EOPNOTSUPP,
                            "--pic=%s: libvirt's domain XML has no setting for the legacy PIC; drop --pic",
                            yes_no(s->pic));
        if (s->qemu && s->qemu[0] != '/')
                return fail(reterr, -EOPNOTSUPP, "--qemu=%s: libvirt's <emulator> takes an absolute path",
                            s->qemu);
        if (s->firmware_vars && !s->firmware)
                return fail(reterr, -EOPNOTSUPP,
                            "--firmware-vars=%s without --firmware=: libvirt's <nvram> needs the <loader> "
                            "it belongs to",
                            s->firmware_vars);
        if (s->migratable >= 0 && s->cpu_model && !streq(s->cpu_model, "host") &&
            !streq(s->cpu_model, "max") && !tdx)
                return fail(
                        reterr, -EOPNOTSUPP,
                        "--migratable=%s with --cpu=%s: libvirt takes migratable only for host-passthrough "
                        "and maximum CPUs",
                        yes_no(s->migratable), s->cpu_model);
        if (tdx && s->qgs == QGS_VSOCK)
                return fail(reterr, -EOPNOTSUPP,
                            "--qgs=vsock:%u:%u: libvirt's <quoteGenerationService> only takes a unix socket "
                            "path; use --qgs=unix:PATH",
                            s->qgs_cid, s->qgs_port);

        xmlBufferPtr buf = sym_xmlBufferCreate();
        if (!buf)
                return -ENOMEM;
        Writer w = { .w = sym_xmlNewTextWriterMemory(buf, 0) };
        if (!w.w) {
                sym_xmlBufferFree(buf);
                return -ENOMEM;
        }
        check(&w, sym_xmlTextWriterSetIndent(w.w, 1));
        check(&w, sym_xmlTextWriterSetIndentString(w.w, BAD_CAST "  "));

        uint64_t mem = s->memory ?: (UINT64_C(2) << 30);
        OnReboot onr = s->on_reboot;
        start(&w, "domain");
        attr(&w, "type", domxml_domain_type(s));
        text_element(&w, "name", s->name ?: "cvm");
        start(&w, "memory");
        attr(&w, "unit", "KiB");
        check(&w, sym_xmlTextWriterWriteFormatString(w.w, "%" PRIu64, mem >> 10));
        end(&w);
        text_elementf(&w, "vcpu", "%u", s->cpus ?: 2);
        if (s->hugepages > 0) {
                start(&w, "memoryBacking");
                empty_element(&w, "hugepages", NULL, NULL);
                end(&w);
        }
        os_section(&w, s, cc);
        features_section(&w, s, tdx, cc);
        cpu_section(&w, s, tdx);
        if (cc || s->tsc_frequency) {
                start(&w, "clock");
                attr(&w, "offset", "utc");
                /* HPET is emulated by the host and useless to a TD; libvirt and canonical templates drop it.
                 */
                if (cc) {
                        start(&w, "timer");
                        attr(&w, "name", "hpet");
                        attr(&w, "present", "no");
                        end(&w);
                }
                if (s->tsc_frequency) {
                        start(&w, "timer");
                        attr(&w, "name", "tsc");
                        attrf(&w, "frequency", "%" PRIu64, s->tsc_frequency);
                        end(&w);
                }
                end(&w);
        }
        /*
         * The guest's reboot: libvirt restarts the domain (for a TD it kills QEMU and starts a new one, its
         * "fake reboot"); poweroff ends it. A panic ends it too, so the supervisor can report it.
         */
        text_element(&w, "on_poweroff", "destroy");
        text_element(&w, "on_reboot", onr == ON_REBOOT_POWEROFF ? "destroy" : "restart");
        text_element(&w, "on_crash", "destroy");
        if (cc || s->suspend == 0) {
                /* No S3/S4: a confidential guest's state cannot be saved. */
                start(&w, "pm");
                empty_element(&w, "suspend-to-mem", "enabled", "no");
                empty_element(&w, "suspend-to-disk", "enabled", "no");
                end(&w);
        }
        r = devices_section(&w, s, cc, reterr);
        if (r >= 0 && tdx)
                launch_security_tdx(&w, s);
        else if (r >= 0 && snp)
                r = launch_security_snp(&w, s, reterr);
        if (r >= 0) {
                end(&w); /* domain */
                check(&w, sym_xmlTextWriterEndDocument(w.w));
        }
        sym_xmlFreeTextWriter(w.w); /* flushes into buf */
        if (r >= 0 && w.error < 0)
                r = w.error;
        if (r >= 0) {
                /* Ends in a newline, as a text file does. */
                if (asprintf(ret, "%s\n", (const char *) sym_xmlBufferContent(buf)) < 0)
                        r = -ENOMEM;
        }
        sym_xmlBufferFree(buf);
        return r;
}
