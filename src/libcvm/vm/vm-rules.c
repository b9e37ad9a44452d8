/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rules, with the system that states each. Sources: reference/launch.md §1.2 (QEMU tdx.c), §1.3
 * (QEMU sev.c), §2 (libvirt), §3 (systemd-vmspawn), §5 (Nova), §8.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "checks.h"
#include "cpuid-util.h"
#include "fileio.h"
#include "hexbase64.h"
#include "measure/ovmf.h"
#include "misc-cgroup.h"
#include "string-table.h"
#include "vm-rules.h"

static const char *const rule_severity_table[_RULE_SEVERITY_MAX] = {
        [RULE_ERROR] = "error",
        [RULE_WARNING] = "warning",
};
DEFINE_STRING_TABLE_LOOKUP_BODY(rule_severity, RuleSeverity, );

static int violation(char **ret_message, char **ret_hint, const char *hint, const char *format, ...)
        _printf_(4, 5);
static int violation(char **ret_message, char **ret_hint, const char *hint, const char *format, ...)
{
        va_list ap;
        char *m;
        va_start(ap, format);
        int k = vasprintf(&m, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        char *h = hint ? strdup(hint) : NULL;
        if (hint && !h) {
                free(m);
                return -ENOMEM;
        }
        *ret_message = m;
        *ret_hint = h;
        return 1;
}

#define TDX(c)   ((c)->spec->coco == VM_COCO_TDX)
#define SNP(c)   ((c)->spec->coco == VM_COCO_SEV_SNP)
#define CC(c)    (TDX(c) || SNP(c))
#define TEE(c)   (TDX(c) ? "TDX" : "SEV-SNP")
#define ACCEL(c) ((c)->spec->accel ?: "kvm")

static int rule_host_arch(const RuleContext *c, char **m, char **h)
{
        const char *arch;
        if (!c->facts || (!CC(c) && !streq(ACCEL(c), "kvm")))
                return 0;
        if (facts_file_text(c->facts, "/proc/sys/kernel/arch", &arch) < 0 || strneq(arch, "x86_64", 6))
                return 0;
        return violation(m, h, "Run the VM on an x86_64 host.",
                         "This host is %.*s; KVM guests of cvm need x86_64", (int) strcspn(arch, "\n"),
                         arch);
}

static int rule_host_kvm(const RuleContext *c, char **m, char **h)
{
        const char *type;
        if (!c->facts || !streq(ACCEL(c), "kvm"))
                return 0;
        int r = facts_path_type(c->facts, "/dev/kvm", &type);
        if (r != -ENOENT)
                return 0;
        return violation(m, h, "Load kvm_intel or kvm_amd, or use --accel=tcg for a plain VM.",
                         "--accel=kvm needs /dev/kvm, which does not exist");
}

static int rule_coco_accel(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || streq(ACCEL(c), "kvm"))
                return 0;
        return violation(m, h, "Drop --accel=tcg: encrypted guest memory only exists under KVM.",
                         "--coco=%s with --accel=%s: QEMU cannot set up private guest memory without KVM",
                         vm_coco_to_string(c->spec->coco), ACCEL(c));
}

static int rule_tee_ready(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || !c->facts)
                return 0;
        cvm_tee tee = TDX(c) ? CVM_TEE_TDX : CVM_TEE_SNP;
        _cleanup_(cvm_host_report_freep) cvm_host_report *rep = NULL;
        int r = cvm_host_check(c->facts, 1u << tee, &rep);
        if (r < 0)
                return r;
        if (rep->verdict[tee] != CVM_VERDICT_NOT_READY)
                return 0;

        char failed[512] = "";
        size_t l = 0;
        for (size_t i = 0; i < rep->n_findings && l < sizeof(failed) - 1; i++)
                if (rep->findings[i].status == CVM_CHECK_FAIL)
                        l += (size_t) snprintf(failed + l, sizeof(failed) - l, "%s%s", l ? ", " : "",
                                               rep->findings[i].id);
        _cleanup_free_ char *hint = NULL;
        if (asprintf(&hint, "Run 'cvm check --tee=%s' for the reasons and their fixes.",
                     cvm_tee_to_string(tee)) < 0)
                return -ENOMEM;
        return violation(m, h, hint, "This host cannot run %s guests: %s failed", TEE(c), failed);
}

static int rule_firmware_uefi(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->firmware)
                return 0;
        return violation(
                m, h,
                TDX(c) ? "Pass --firmware=PATH to a TDVF build (e.g. OVMF.inteltdx.fd), or install one "
                         "with a QEMU firmware descriptor listing 'intel-tdx' (Debian: ovmf-inteltdx)."
                       : "Pass --firmware=PATH to an SEV-capable OVMF (e.g. OVMF.amdsev.fd), or install "
                         "one with a descriptor listing 'amd-sev-snp' (Debian: ovmf-amdsev).",
                "%s guests boot UEFI firmware loaded with -bios, and none was given or found", TEE(c));
}

static int rule_firmware_metadata(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || !c->spec->firmware)
                return 0;
        _cleanup_close_ int fd = open(c->spec->firmware, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return 0; /* files.exist names it */
        _cleanup_(ovmf_image_done) OvmfImage img = {};
        int r = ovmf_image_load(fd, &img);
        if (r == -ENOMEM)
                return r;
        const OvmfStatus *st = r < 0 ? NULL : TDX(c) ? &img.tdx : &img.sev;
        if (st && st->error == 0)
                return 0;
        /* QEMU refuses the same image: "Cannot find TDX_METADATA_OFFSET_GUID", "Failed to locate SEV
         * metadata header" (hw/i386/tdvf.c, target/i386/sev.c). */
        char buf[64];
        return violation(
                m, h,
                TDX(c) ? "Use a TDVF build of OVMF (Debian: ovmf-inteltdx; Ubuntu's OVMF.fd also works)."
                       : "Use an SEV-capable OVMF (Debian: ovmf-amdsev).",
                "--firmware=%s carries no usable %s: %s", c->spec->firmware,
                TDX(c) ? "TDX metadata" : "SEV metadata",
                st ? strna(st->detail) : probe_failure_str(r, buf));
}

static int rule_firmware_pflash(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || !c->spec->firmware_vars)
                return 0;
        return violation(
                m, h, "Drop --firmware-vars: use a raw, stateless firmware image with --firmware.",
                "--firmware-vars=%s asks for a pflash code/NVRAM split, which %s guests cannot use: "
                "KVM offers them no read-only memory, and the variables would lie outside the "
                "measurement",
                c->spec->firmware_vars, TEE(c));
}

static int rule_secure_boot(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->secure_boot <= 0)
                return 0;
        return violation(
                m, h, "Drop --secure-boot=yes; verify the boot chain through the measurement instead.",
                "--secure-boot=yes: Secure Boot keys cannot be enrolled in a stateless %s firmware", TEE(c));
}

static int rule_tpm_untrusted(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || !c->spec->tpm_socket)
                return 0;
        return violation(m, h,
                         "Treat the vTPM as untrusted inside the guest; rely on the TEE's own measurements.",
                         "--tpm=%s: a vTPM emulated by the host is outside the %s trust boundary",
                         c->spec->tpm_socket, TEE(c));
}

static int rule_machine_q35(const RuleContext *c, char **m, char **h)
{
        const char *mt = c->spec->machine;
        if (!CC(c) || !mt || streq(mt, "q35") || startswith(mt, "pc-q35-"))
                return 0;
        return violation(m, h, "Use --machine=q35.", "--machine=%s: %s guests need the q35 machine type", mt,
                         TEE(c));
}

static const VmDisk *boot_disk(const VmSpec *s)
{
        for (size_t i = 0; i < s->n_disks; i++)
                if (s->disks[i].boot)
                        return s->disks + i;
        return s->n_disks > 0 ? s->disks : NULL;
}

static int rule_disk_scsi_boot(const RuleContext *c, char **m, char **h)
{
        const VmDisk *d = boot_disk(c->spec);
        if (!TDX(c) || !d || d->bus != DISK_BUS_SCSI)
                return 0;
        return violation(m, h, "Attach the boot disk with bus=virtio (or nvme, sata).",
                         "Boot disk %s is on a SCSI bus (virtio-scsi), which TDVF cannot boot from",
                         d->path);
}

static int rule_disk_boot_count(const RuleContext *c, char **m, char **h)
{
        unsigned n = 0;
        for (size_t i = 0; i < c->spec->n_disks; i++)
                n += c->spec->disks[i].boot;
        if (n <= 1)
                return 0;
        return violation(m, h, "Mark one disk with ',boot'.", "%u disks are marked ',boot'", n);
}

static int rule_suspend(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->suspend <= 0)
                return 0;
        return violation(m, h, "Drop --suspend=yes.",
                         "--suspend=yes: suspend and hibernation would need the host to save the %s guest's "
                         "encrypted state, which it cannot",
                         TEE(c));
}

static int rule_migration(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->migratable <= 0)
                return 0;
        return violation(m, h, "Drop --migratable=yes.",
                         "--migratable=yes: live migration and snapshots of %s guests are not supported by "
                         "QEMU/KVM",
                         TEE(c));
}

static int rule_graphics(const RuleContext *c, char **m, char **h)
{
        const char *g = c->spec->graphics;
        if (!CC(c) || !g || streq(g, "none"))
                return 0;
        return violation(
                m, h, "Use the serial console (--console=) or ssh over the network or vsock.",
                "--graphics=%s: the host cannot read a %s guest's framebuffer in private memory, so "
                "the display stays blank",
                g, TEE(c));
}

static int rule_hugepages(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->hugepages <= 0)
                return 0;
        return violation(
                m, h, "Drop --hugepages=yes unless the shared memory needs it.",
                "--hugepages=yes: private memory of %s guests comes from guest_memfd, which does not "
                "use hugetlbfs; only the small shared part is backed by huge pages",
                TEE(c));
}

static int rule_irqchip_split(const RuleContext *c, char **m, char **h)
{
        const char *i = c->spec->irqchip;
        if (!TDX(c) || !i || streq(i, "split"))
                return 0;
        return violation(m, h, "Drop --irqchip or use --irqchip=split.",
                         "--irqchip=%s: QEMU refuses it (\"TDX VM requires kernel_irqchip to be split\")",
                         i);
}

static int rule_irqchip_in_kernel(const RuleContext *c, char **m, char **h)
{
        const char *i = c->spec->irqchip;
        if (!SNP(c) || !i || streq(i, "on"))
                return 0;
        return violation(m, h, "Drop --irqchip or use --irqchip=on.",
                         "--irqchip=%s: SEV-SNP guests require the in-kernel irqchip (QEMU: \"SEV-ES guests "
                         "require in-kernel irqchip support\")",
                         i);
}

static int rule_smm(const RuleContext *c, char **m, char **h)
{
        if (!CC(c) || c->spec->smm <= 0)
                return 0;
        return violation(m, h, "Drop --smm=yes.", "--smm=yes: QEMU refuses SMM for %s guests (\"%s\")",
                         TEE(c), TDX(c) ? "TDX VM doesn't support SMM" : "SEV-SNP does not support SMM.");
}

static int rule_pic(const RuleContext *c, char **m, char **h)
{
        if (!TDX(c) || c->spec->pic <= 0)
                return 0;
        return violation(m, h, "Drop --pic=yes.",
                         "--pic=yes: QEMU refuses it (\"TDX VM doesn't support PIC\")");
}

static int rule_cpu_host(const RuleContext *c, char **m, char **h)
{
        const char *cpu = c->spec->cpu_model;
        if (!TDX(c) || !cpu || streq(cpu, "host"))
                return 0;
        return violation(
                m, h, "Drop --cpu or use --cpu=host.",
                "--cpu=%s: QEMU refuses named CPU models for TDX (\"Named cpu model is not supported "
                "for TDX yet!\")",
                cpu);
}

static int rule_pmu(const RuleContext *c, char **m, char **h)
{
        if (!TDX(c) || c->spec->pmu < 0)
                return 0;
        bool perfmon = vm_spec_tdx_attributes(c->spec) & TDX_ATTR_PERFMON;
        if (c->spec->pmu > 0 && !perfmon)
                return violation(m, h, "Add perfmon to --tdx-attributes, or drop --pmu=yes.",
                                 "--pmu=yes: a TD gets a PMU only with the PERFMON attribute");
        if (c->spec->pmu == 0 && perfmon)
                return violation(m, h, "Drop --pmu=no or the perfmon attribute.",
                                 "--pmu=no contradicts --tdx-attributes=perfmon");
        return 0;
}

static int rule_tsc(const RuleContext *c, char **m, char **h)
{
        uint64_t f = c->spec->tsc_frequency;
        /* QEMU tdx.c: cpu_frequency in [100000, 10000000] kHz and a multiple of 25 MHz. */
        if (!TDX(c) || f == 0)
                return 0;
        if (f < UINT64_C(100000000) || f > UINT64_C(10000000000) || f % UINT64_C(25000000) != 0)
                return violation(m, h, "Use a multiple of 25 MHz between 100 MHz and 10 GHz, e.g. 2400M.",
                                 "--tsc-frequency=%" PRIu64
                                 " Hz is not a multiple of 25 MHz within [100 MHz, 10 GHz]",
                                 f);
        return 0;
}

static int rule_tdx_only_options(const RuleContext *c, char **m, char **h)
{
        const VmSpec *s = c->spec;
        if (TDX(c))
                return 0;
        const char *opt = s->has_mrconfigid                                 ? "--mrconfigid"
                          : s->has_mrowner                                  ? "--mrowner"
                          : s->has_mrownerconfig                            ? "--mrownerconfig"
                          : (s->tdx_attributes | s->tdx_attributes_cleared) ? "--tdx-attributes"
                                                                            : NULL;
        if (!opt)
                return 0;
        return violation(m, h, "Use --coco=tdx, or drop the option.",
                         "%s only applies to TDX guests (--coco=%s)", opt, vm_coco_to_string(s->coco));
}

static int rule_snp_only_options(const RuleContext *c, char **m, char **h)
{
        const VmSpec *s = c->spec;
        if (SNP(c))
                return 0;
        const char *opt = s->has_snp_policy               ? "--snp-policy"
                          : s->snp_cbitpos >= 0           ? "--snp-cbitpos"
                          : s->snp_reduced_phys_bits >= 0 ? "--snp-reduced-phys-bits"
                          : s->snp_kernel_hashes >= 0     ? "--snp-kernel-hashes"
                          : s->snp_id_block               ? "--snp-id-block"
                          : s->snp_id_auth                ? "--snp-id-auth"
                          : s->snp_host_data              ? "--snp-host-data"
                          : s->snp_gosvw                  ? "--snp-guest-visible-workarounds"
                          : s->snp_vcek_disabled >= 0     ? "--snp-vcek-disabled"
                          : s->snp_author_key >= 0        ? "--snp-author-key"
                                                          : NULL;
        if (!opt)
                return 0;
        return violation(m, h, "Use --coco=sev-snp, or drop the option.",
                         "%s only applies to SEV-SNP guests (--coco=%s)", opt, vm_coco_to_string(s->coco));
}

static int rule_tdx_debug(const RuleContext *c, char **m, char **h)
{
        if (!TDX(c) || !(vm_spec_tdx_attributes(c->spec) & TDX_ATTR_DEBUG) || c->spec->allow_debug)
                return 0;
        return violation(m, h,
                         "Drop 'debug' from --tdx-attributes, or pass --allow-debug if you really want it.",
                         "The DEBUG attribute lets the host read and change the TD's memory and registers");
}

static int rule_snp_debug(const RuleContext *c, char **m, char **h)
{
        if (!SNP(c) || !c->spec->has_snp_policy || !(c->spec->snp_policy & SNP_POLICY_DEBUG) ||
            c->spec->allow_debug)
                return 0;
        return violation(m, h, "Clear policy bit 19, or pass --allow-debug if you really want it.",
                         "--snp-policy=0x%" PRIx64 " sets DEBUG (bit 19): the host can decrypt the guest",
                         c->spec->snp_policy);
}

static int rule_debug_not_confidential(const RuleContext *c, char **m, char **h)
{
        bool debug = (TDX(c) && (vm_spec_tdx_attributes(c->spec) & TDX_ATTR_DEBUG)) ||
                     (SNP(c) && c->spec->has_snp_policy && (c->spec->snp_policy & SNP_POLICY_DEBUG));
        if (!debug || !c->spec->allow_debug)
                return 0;
        return violation(
                m, h, "Never use a debug guest for confidential data; its quotes show the debug flag.",
                "--allow-debug: this %s guest is debuggable and therefore NOT confidential", TEE(c));
}

static int rule_snp_policy_reserved(const RuleContext *c, char **m, char **h)
{
        if (!SNP(c) || !c->spec->has_snp_policy || (c->spec->snp_policy & SNP_POLICY_RESERVED))
                return 0;
        return violation(m, h, "Set bit 17, e.g. --snp-policy=0x30000.",
                         "--snp-policy=0x%" PRIx64
                         " clears bit 17, which the SEV-SNP ABI requires to be one",
                         c->spec->snp_policy);
}

static int rule_snp_reduced_phys_bits(const RuleContext *c, char **m, char **h)
{
        int b = c->spec->snp_reduced_phys_bits;
        if (!SNP(c) || b < 0 || (b >= 1 && b <= 63))
                return 0;
        return violation(
                m, h, "Use the host's value (omit the option) or one in 1..63.",
                "--snp-reduced-phys-bits=%d is outside 1..63 (QEMU: \"reduced_phys_bits check failed\")", b);
}

static int rule_snp_cbitpos(const RuleContext *c, char **m, char **h)
{
        uint32_t r[4];
        if (!SNP(c) || c->spec->snp_cbitpos < 0 || !c->facts || facts_cpuid(c->facts, 0x8000001f, 0, r) < 0)
                return 0;
        int host = (int) (r[CPUID_EBX] & 0x3f);
        if (host == 0 || host == c->spec->snp_cbitpos)
                return 0;
        return violation(
                m, h, "Omit --snp-cbitpos; cvm takes the host's value from CPUID.",
                "--snp-cbitpos=%d differs from this host's C-bit position %d (CPUID 0x8000001F EBX[5:0])",
                c->spec->snp_cbitpos, host);
}

static int check_blob(const char *file, size_t want, bool at_most, const char *opt, char **m, char **h)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ uint8_t *b = NULL;
        size_t n;
        int r = read_full_file(file, 16384, &text, NULL);
        if (r < 0)
                return violation(m, h, "Give a readable file holding the base64 text QEMU takes.",
                                 "%s=%s: %s", opt, file, strerror(-r));
        r = base64_decode(text, SIZE_MAX, &b, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return violation(m, h, "The file must hold base64 text.", "%s=%s is not base64", opt, file);
        if (at_most ? n > want : n != want)
                return violation(m, h, NULL, "%s=%s decodes to %zu bytes; QEMU requires %s%zu", opt, file, n,
                                 at_most ? "at most " : "", want);
        return 0;
}

static int rule_snp_id_block(const RuleContext *c, char **m, char **h)
{
        return SNP(c) && c->spec->snp_id_block
                       ? check_blob(c->spec->snp_id_block, 96, false, "--snp-id-block", m, h)
                       : 0;
}

static int rule_snp_id_auth(const RuleContext *c, char **m, char **h)
{
        return SNP(c) && c->spec->snp_id_auth
                       ? check_blob(c->spec->snp_id_auth, 4096, true, "--snp-id-auth", m, h)
                       : 0;
}

static int rule_snp_host_data(const RuleContext *c, char **m, char **h)
{
        return SNP(c) && c->spec->snp_host_data
                       ? check_blob(c->spec->snp_host_data, 32, false, "--snp-host-data", m, h)
                       : 0;
}

static int rule_snp_gosvw(const RuleContext *c, char **m, char **h)
{
        return SNP(c) && c->spec->snp_gosvw
                       ? check_blob(c->spec->snp_gosvw, 16, true, "--snp-guest-visible-workarounds", m, h)
                       : 0;
}

static int rule_snp_direct_boot(const RuleContext *c, char **m, char **h)
{
        if (!SNP(c) || (c->spec->kernel && c->spec->snp_kernel_hashes != 0))
                return 0;
        return violation(
                m, h, "Boot with --kernel (and --initrd, --cmdline) so kernel-hashes measures them.",
                c->spec->kernel ? "--snp-kernel-hashes=no: the kernel, initrd and command line are not "
                                  "part of the launch measurement"
                                : "Without direct kernel boot the kernel is not part of the SEV-SNP launch "
                                  "measurement");
}

static int rule_boot_kernel(const RuleContext *c, char **m, char **h)
{
        if (c->spec->kernel || (!c->spec->initrd && !c->spec->cmdline))
                return 0;
        return violation(m, h, "Add --kernel=PATH, or drop the option.", "%s without --kernel has no effect",
                         c->spec->initrd ? "--initrd" : "--cmdline");
}

static int rule_files_exist(const RuleContext *c, char **m, char **h)
{
        const VmSpec *s = c->spec;
        const struct {
                const char *opt, *path;
        } files[] = {
                { "--firmware", s->firmware },
                { "--kernel", s->kernel },
                { "--initrd", s->initrd },
                { "--firmware-vars", s->firmware_vars },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (files[i].path && access(files[i].path, R_OK) < 0)
                        return violation(m, h, "Check the path.", "%s=%s: %m", files[i].opt, files[i].path);
        for (size_t i = 0; i < s->n_disks; i++)
                if (access(s->disks[i].path, s->disks[i].readonly ? R_OK : R_OK | W_OK) < 0)
                        return violation(m, h, "Check the path and its permissions.", "--disk=%s: %m",
                                         s->disks[i].path);
        struct stat st;
        if (s->tpm_socket && (stat(s->tpm_socket, &st) < 0 || !S_ISSOCK(st.st_mode)))
                return violation(m, h,
                                 "Start swtpm first: swtpm socket --tpm2 --ctrl type=unixio,path=SOCKET.",
                                 "--tpm=%s is not a listening socket", s->tpm_socket);
        return 0;
}

/* The QEMU binary's own description of itself (cvm facts' "qemu" member). */
static bool qemu_has_type(json_object *q, const char *type)
{
        json_object *types = json_get(q, "types", json_type_array);
        for (size_t i = 0; types && i < json_object_array_length(types); i++) {
                const char *t = json_object_get_string(json_object_array_get_idx(types, i));
                if (t && streq(t, type))
                        return true;
        }
        return false;
}

static bool qemu_has_property(json_object *q, const char *type, const char *prop)
{
        json_object *props = json_get(json_get(q, "properties", json_type_object), type, json_type_array);
        for (size_t i = 0; props && i < json_object_array_length(props); i++) {
                json_object *p = json_object_array_get_idx(props, i);
                const char *n = json_object_is_type(p, json_type_string) ? json_object_get_string(p)
                                                                         : json_get_string(p, "name");
                if (n && streq(n, prop))
                        return true;
        }
        return false;
}

static int rule_qemu_capabilities(const RuleContext *c, char **m, char **h)
{
        json_object *q;
        if (!CC(c) || !c->facts || facts_probe_result(c->facts, "qemu", &q) < 0)
                return 0;
        const char *type = TDX(c) ? "tdx-guest" : "sev-snp-guest";
        const char *path = json_get_string(q, "path") ?: "QEMU",
                   *version = json_get_string(q, "version") ?: "?";
        if (!qemu_has_type(q, type))
                return violation(m, h,
                                 TDX(c) ? "Install QEMU >= 10.1 or pass --qemu=PATH to one."
                                        : "Install QEMU >= 9.1 or pass --qemu=PATH to one.",
                                 "%s (version %s) has no '%s' object type", path, version, type);

        const VmSpec *s = c->spec;
        const char *need[8];
        size_t n = 0;
        if (TDX(c)) {
                if (s->has_mrconfigid)
                        need[n++] = "mrconfigid";
                if (s->has_mrowner)
                        need[n++] = "mrowner";
                if (s->has_mrownerconfig)
                        need[n++] = "mrownerconfig";
                if (s->qgs != QGS_NONE)
                        need[n++] = "quote-generation-socket";
                if (vm_spec_tdx_attributes(s) & TDX_ATTR_DEBUG)
                        need[n++] = "debug";
        } else {
                if (s->snp_id_block)
                        need[n++] = "id-block";
                if (s->snp_host_data)
                        need[n++] = "host-data";
                if (s->snp_gosvw)
                        need[n++] = "guest-visible-workarounds";
                if (s->snp_vcek_disabled > 0)
                        need[n++] = "vcek-disabled";
        }
        json_object *props = json_get(json_get(q, "properties", json_type_object), type, json_type_array);
        for (size_t i = 0; props && i < n; i++)
                if (!qemu_has_property(q, type, need[i]))
                        return violation(
                                m, h,
                                streq(need[i], "debug")
                                        ? "Upstream QEMU cannot create debug TDs; drop the debug attribute."
                                        : "Use a newer QEMU, or drop the setting.",
                                "%s (version %s): '%s' has no '%s' property", path, version, type, need[i]);
        return 0;
}

static int rule_keys_free(const RuleContext *c, char **m, char **h)
{
        uint64_t cap, cur;
        const char *src;
        if (!CC(c) || !c->facts)
                return 0;
        const char *res = TDX(c) ? "tdx" : "sev_es";
        if (facts_misc_resource(c->facts, res, &cap, &cur, &src) < 0 || cap == 0 || cur < cap)
                return 0;
        return violation(m, h,
                         "Stop another confidential guest first; each holds one key slot while it runs.",
                         "No free %s left: %s says %" PRIu64 " of %" PRIu64 " in use",
                         TDX(c) ? "TDX KeyID" : "SEV-ES/SNP ASID", src, cur, cap);
}

#define R(id, sev, flags, src, fn)                                                                          \
        {                                                                                                   \
                id, sev, flags, src, fn                                                                     \
        }
const VmRule vm_rules[] = {
        R("host.x86_64", RULE_ERROR, RULE_HOST, "KVM", rule_host_arch),
        R("host.kvm", RULE_ERROR, RULE_HOST, "KVM", rule_host_kvm),
        R("host.tee-ready", RULE_ERROR, RULE_HOST, "cvm check", rule_tee_ready),
        R("host.qemu", RULE_ERROR, RULE_HOST, "QEMU", rule_qemu_capabilities),
        R("host.key-slots", RULE_ERROR, RULE_HOST, "KVM misc cgroup", rule_keys_free),
        R("coco.accel", RULE_ERROR, 0, "QEMU", rule_coco_accel),
        /* Files are looked at on this machine: a command line prepared for another host only warns. */
        R("files.exist", RULE_ERROR, RULE_HOST, "cvm", rule_files_exist),
        R("firmware.uefi", RULE_ERROR, RULE_HOST, "systemd-vmspawn, QEMU", rule_firmware_uefi),
        R("firmware.metadata", RULE_ERROR, RULE_HOST, "QEMU", rule_firmware_metadata),
        R("boot.kernel", RULE_ERROR, 0, "QEMU", rule_boot_kernel),
        R("firmware.stateless", RULE_ERROR, 0, "QEMU, systemd-vmspawn, Nova", rule_firmware_pflash),
        R("firmware.secure-boot", RULE_ERROR, 0, "systemd-vmspawn", rule_secure_boot),
        R("tpm.untrusted", RULE_WARNING, 0, "systemd-vmspawn", rule_tpm_untrusted),
        R("machine.q35", RULE_ERROR, 0, "QEMU, Nova", rule_machine_q35),
        R("disk.boot-count", RULE_ERROR, 0, "cvm", rule_disk_boot_count),
        R("disk.scsi-boot", RULE_ERROR, 0, "Nova", rule_disk_scsi_boot),
        R("lifecycle.suspend", RULE_ERROR, 0, "libvirt, systemd-vmspawn", rule_suspend),
        R("lifecycle.migration", RULE_ERROR, 0, "QEMU, Nova", rule_migration),
        R("graphics.unusable", RULE_WARNING, 0, "libvirt", rule_graphics),
        R("memory.hugepages", RULE_WARNING, 0, "KVM guest_memfd", rule_hugepages),
        R("tdx.irqchip-split", RULE_ERROR, 0, "QEMU", rule_irqchip_split),
        R("snp.irqchip-in-kernel", RULE_ERROR, 0, "QEMU", rule_irqchip_in_kernel),
        R("cc.no-smm", RULE_ERROR, 0, "QEMU", rule_smm),
        R("tdx.no-pic", RULE_ERROR, 0, "QEMU", rule_pic),
        R("tdx.cpu-host", RULE_ERROR, 0, "QEMU", rule_cpu_host),
        R("tdx.pmu-perfmon", RULE_ERROR, 0, "QEMU", rule_pmu),
        R("tdx.tsc-frequency", RULE_ERROR, 0, "QEMU", rule_tsc),
        R("tdx.only", RULE_ERROR, 0, "cvm", rule_tdx_only_options),
        R("tdx.debug", RULE_ERROR, 0, "cvm", rule_tdx_debug),
        R("snp.only", RULE_ERROR, 0, "cvm", rule_snp_only_options),
        R("snp.debug", RULE_ERROR, 0, "cvm", rule_snp_debug),
        R("cc.debug-not-confidential", RULE_WARNING, 0, "cvm", rule_debug_not_confidential),
        R("snp.policy-reserved", RULE_ERROR, 0, "AMD SEV-SNP ABI", rule_snp_policy_reserved),
        R("snp.reduced-phys-bits", RULE_ERROR, 0, "QEMU", rule_snp_reduced_phys_bits),
        R("snp.cbitpos", RULE_ERROR, RULE_HOST, "QEMU", rule_snp_cbitpos),
        R("snp.id-block", RULE_ERROR, 0, "QEMU", rule_snp_id_block),
        R("snp.id-auth", RULE_ERROR, 0, "QEMU", rule_snp_id_auth),
        R("snp.host-data", RULE_ERROR, 0, "QEMU", rule_snp_host_data),
        R("snp.guest-visible-workarounds", RULE_ERROR, 0, "QEMU", rule_snp_gosvw),
        R("snp.direct-boot", RULE_WARNING, 0, "systemd-vmspawn", rule_snp_direct_boot),
};
const size_t vm_rules_count = ELEMENTSOF(vm_rules);

int vm_validate(const RuleContext *c, VmValidation *ret)
{
        VmValidation v = {};
        int r = 0;

        for (size_t i = 0; i < vm_rules_count; i++) {
                const VmRule *rule = vm_rules + i;
                char *msg = NULL, *hint = NULL;
                if ((rule->flags & RULE_HOST) && !c->facts)
                        continue;
                r = rule->check(c, &msg, &hint);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;
                VmFinding *a = reallocarray(v.findings, v.n_findings + 1, sizeof(VmFinding));
                if (!a) {
                        free(msg);
                        free(hint);
                        r = -ENOMEM;
                        break;
                }
                v.findings = a;
                /* Preparing a command line for another host: what this host lacks is only a warning. */
                RuleSeverity sev = rule->severity;
                if ((rule->flags & RULE_HOST) && !c->host_is_target)
                        sev = RULE_WARNING;
                v.findings[v.n_findings++] = (VmFinding){
                        .id = rule->id,
                        .severity = sev,
                        .source = rule->source,
                        .message = msg,
                        .hint = hint,
                };
                v.n_errors += sev == RULE_ERROR;
                r = 0;
        }
        if (r < 0) {
                vm_validation_done(&v);
                return r;
        }
        *ret = v;
        return 0;
}

void vm_validation_done(VmValidation *v)
{
        for (size_t i = 0; i < v->n_findings; i++) {
                free(v->findings[i].message);
                free(v->findings[i].hint);
        }
        free(v->findings);
        *v = (VmValidation){};
}
