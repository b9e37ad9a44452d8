/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <strings.h>

#include "hexbase64.h"
#include "parse-util.h"
#include "string-util.h"
#include "vm-options.h"

static int errorf(char **reterr, const char *format, ...) _printf_(2, 3);
static int errorf(char **reterr, const char *format, ...)
{
        va_list ap;
        va_start(ap, format);
        if (vasprintf(reterr, format, ap) < 0)
                *reterr = NULL;
        va_end(ap);
        return *reterr ? -EINVAL : -ENOMEM;
}

#define FIELD(s, offset, type) ((type *) ((uint8_t *) (s) + (offset)))

/* A string that may legitimately be empty (the kernel command line). */
static int parse_string_empty(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        return free_and_strdup(FIELD(s, offset, char *), v ?: "");
}

/* A word QEMU's option syntax takes as one value: no separators to inject further properties with. */
static int parse_identifier(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        size_t l = strlen(v);
        if (l == 0 || l > 64 ||
            strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != l)
                return errorf(reterr, "'%s' is not a valid name (letters, digits, '_', '.', '-')", v);
        return free_and_strdup(FIELD(s, offset, char *), v);
}

static int parse_path(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        if (isempty(v))
                return errorf(reterr, "an empty path is not allowed");
        if (strchr(v, '\n'))
                return errorf(reterr, "a path may not contain a newline");
        return free_and_strdup(FIELD(s, offset, char *), v);
}

static int parse_tristate(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        int b = parse_boolean(v ?: "yes");
        if (b < 0)
                return errorf(reterr, "'%s' is not a boolean (yes or no)", v);
        *FIELD(s, offset, int) = b;
        return 0;
}

static int parse_flag(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        int b = parse_boolean(v ?: "yes");
        if (b < 0)
                return errorf(reterr, "'%s' is not a boolean (yes or no)", v);
        *FIELD(s, offset, bool) = b;
        return 0;
}

static int parse_name(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        /* The name becomes a directory below /run/cvm and a libvirt domain name. */
        size_t l = strlen(v);
        if (l == 0 || l > 64 || v[0] == '.' || v[0] == '-' ||
            strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != l)
                return errorf(reterr,
                              "'%s' is not a valid name: use 1-64 letters, digits, '_', '.', '-', "
                              "not starting with '.' or '-'",
                              v);
        return free_and_strdup(&s->name, v);
}

static int parse_coco(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        VmCoco c = vm_coco_from_string(v);
        if (c < 0)
                return errorf(reterr, "'%s' is not one of no, tdx, sev-snp, auto", v);
        s->coco = c;
        return 0;
}

static int parse_memory(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        uint64_t m;
        /* A bare number means MiB, as QEMU's -m and virt-install's --memory read it. */
        bool bare = !isempty(v) && strspn(v, "0123456789") == strlen(v);
        if (parse_size(v, &m) < 0 || (bare && m > (UINT64_MAX >> 20)))
                return errorf(reterr, "'%s' is not a size (a number of MiB, or with a K, M, G or T suffix)",
                              v);
        if (bare)
                m <<= 20;
        /* QEMU's -m takes whole MiB here: refuse what it would silently round. */
        if (m < (UINT64_C(16) << 20) || m % (UINT64_C(1) << 20) != 0)
                return errorf(reterr, "%s is too small or not a whole number of MiB (at least 16M)", v);
        s->memory = m;
        return 0;
}

static int parse_cpus(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        unsigned n;
        if (safe_atou(v, 10, &n) < 0 || n < 1 || n > 4096)
                return errorf(reterr, "'%s' is not a vCPU count between 1 and 4096", v);
        s->cpus = n;
        return 0;
}

static int parse_disk(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        VmDisk d = { .bus = DISK_BUS_VIRTIO };
        const char *p = v;
        _cleanup_free_ char *item = NULL;
        int r;

        /* PATH[,format=F][,bus=B][,readonly][,boot]; ",," is a literal comma in the path (QEMU style). */
        r = split_comma_item(&p, &d.path);
        if (r < 0)
                return r;
        if (isempty(d.path)) {
                free(d.path);
                return errorf(reterr, "'%s' names no disk image", v);
        }
        while ((r = split_comma_item(&p, &item)) > 0) {
                const char *val;
                if ((val = startswith(item, "format="))) {
                        if (isempty(val) ||
                            strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(val)) {
                                r = errorf(reterr, "'%s' is not a disk image format", val);
                                goto fail;
                        }
                        if ((r = free_and_strdup(&d.format, val)) < 0)
                                goto fail;
                } else if ((val = startswith(item, "bus="))) {
                        DiskBus b = disk_bus_from_string(val);
                        if (b < 0) {
                                r = errorf(reterr, "'%s' is not a disk bus (virtio, nvme, sata, scsi)", val);
                                goto fail;
                        }
                        d.bus = b;
                } else if (streq(item, "readonly") || streq(item, "ro"))
                        d.readonly = true;
                else if (streq(item, "boot"))
                        d.boot = true;
                else {
                        r = errorf(reterr, "unknown disk option '%s' (format=, bus=, readonly, boot)", item);
                        goto fail;
                }
                item = mfree(item);
        }
        if (r < 0)
                goto fail;

        VmDisk *a = reallocarray(s->disks, s->n_disks + 1, sizeof(VmDisk));
        if (!a) {
                r = -ENOMEM;
                goto fail;
        }
        s->disks = a;
        s->disks[s->n_disks++] = d;
        return 0;
fail:
        free(d.path);
        free(d.format);
        return r;
}

static int parse_network(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        const char *ifname = NULL;
        NetMode m;

        if (streq(v, "none"))
                m = NET_NONE;
        else if (streq(v, "user"))
                m = NET_USER;
        else if ((ifname = startswith(v, "tap:")))
                m = NET_TAP;
        else if ((ifname = startswith(v, "bridge:")))
                m = NET_BRIDGE;
        else
                return errorf(reterr, "'%s' is not none, user, tap:IFNAME or bridge:BRIDGE", v);
        /* IFNAMSIZ is 16 including the NUL; no separators QEMU's option syntax would split on. */
        if (ifname && (isempty(ifname) || strlen(ifname) > 15 || strpbrk(ifname, ",=/ :")))
                return errorf(reterr, "'%s' is not a network interface name", ifname);
        s->net = m;
        return free_and_strdup(&s->net_ifname, ifname);
}

static int parse_vsock_cid(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        unsigned cid;
        if (streq(v, "none")) {
                s->vsock_cid = 0;
                return 0;
        }
        /* 0-2 are reserved (hypervisor, local, host); -1U is VMADDR_CID_ANY. */
        if (safe_atou(v, 10, &cid) < 0 || cid < 3 || cid == UINT32_MAX)
                return errorf(reterr, "'%s' is not a guest vsock CID (3 to 4294967294, or none)", v);
        s->vsock_cid = cid;
        return 0;
}

static int parse_console(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        const char *file;
        if (streq(v, "serial"))
                s->console = CONSOLE_SERIAL;
        else if (streq(v, "pty"))
                s->console = CONSOLE_PTY;
        else if (streq(v, "none"))
                s->console = CONSOLE_NONE;
        else if ((file = startswith(v, "file:")) && !isempty(file)) {
                s->console = CONSOLE_FILE;
                return free_and_strdup(&s->console_file, file);
        } else
                return errorf(reterr, "'%s' is not serial, pty, file:PATH or none", v);
        return free_and_strdup(&s->console_file, NULL);
}

static int parse_tpm(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        return free_and_strdup(&s->tpm_socket, streq(v, "none") ? NULL : v);
}

static int parse_tsc_frequency(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        /* Decimal units: frequencies are quoted in MHz and GHz. */
        static const struct {
                char suffix;
                uint64_t mult;
        } units[] = { { 'k', 1000 }, { 'K', 1000 }, { 'M', 1000000 }, { 'G', 1000000000 } };
        uint64_t mult = 1;
        char *end;

        if (!isdigit((unsigned char) v[0]))
                goto invalid;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno != 0)
                goto invalid;
        if (*end && *end != 'H' && *end != 'h') {
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (*end == units[i].suffix)
                                break;
                if (i == ELEMENTSOF(units))
                        goto invalid;
                mult = units[i].mult;
                end++;
        }
        if (*end && strcasecmp(end, "Hz") != 0)
                goto invalid;
        if (n > UINT64_MAX / mult)
                goto invalid;
        s->tsc_frequency = n * mult;
        return 0;
invalid:
        return errorf(reterr, "'%s' is not a frequency (Hz, or with a k, M or G suffix)", v);
}

static const struct {
        const char *name;
        uint64_t bit;
} tdx_attribute_names[] = {
        { "debug", TDX_ATTR_DEBUG },
        { "sept-ve-disable", TDX_ATTR_SEPT_VE_DISABLE },
        { "pks", TDX_ATTR_PKS },
        { "perfmon", TDX_ATTR_PERFMON },
};

static int parse_tdx_attributes(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        uint64_t set = 0, cleared = 0;
        const char *p = v;
        int r;

        /* Names, each optionally prefixed with '-' to turn a default off: "debug,-sept-ve-disable". */
        for (;;) {
                _cleanup_free_ char *item = NULL;
                r = split_comma_item(&p, &item);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                bool off = item[0] == '-';
                const char *n = item + off;
                size_t i;
                for (i = 0; i < ELEMENTSOF(tdx_attribute_names); i++)
                        if (streq(n, tdx_attribute_names[i].name))
                                break;
                if (i == ELEMENTSOF(tdx_attribute_names))
                        return errorf(reterr,
                                      "unknown TD attribute '%s' (debug, sept-ve-disable, pks, perfmon)", n);
                if (off)
                        cleared |= tdx_attribute_names[i].bit;
                else
                        set |= tdx_attribute_names[i].bit;
        }
        s->tdx_attributes = set;
        s->tdx_attributes_cleared = cleared;
        return 0;
}

static int parse_mr(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        _cleanup_free_ uint8_t *b = NULL;
        size_t n = 0;
        int r;

        /* Hex (96 digits) or base64 (64 characters): both spellings are in use for these digests. */
        if (strlen(v) == 2 * MR_SIZE)
                r = hex_decode(v, SIZE_MAX, &b, &n);
        else
                r = base64_decode(v, SIZE_MAX, &b, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return errorf(reterr, "'%s' is neither hex nor base64", v);
        if (n != MR_SIZE)
                return errorf(reterr, "the value decodes to %zu bytes; a SHA-384 digest is exactly %d", n,
                              MR_SIZE);

        memcpy(FIELD(s, offset, uint8_t), b, MR_SIZE);
        /* The has_* flag follows its array: see the offsets in the table. */
        if (offset == offsetof(VmSpec, mrconfigid))
                s->has_mrconfigid = true;
        else if (offset == offsetof(VmSpec, mrowner))
                s->has_mrowner = true;
        else
                s->has_mrownerconfig = true;
        return 0;
}

static int parse_qgs(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        const char *rest;
        if (streq(v, "none")) {
                s->qgs = QGS_NONE;
                return free_and_strdup(&s->qgs_path, NULL);
        }
        if ((rest = startswith(v, "unix:"))) {
                if (rest[0] != '/')
                        return errorf(reterr, "'%s': the socket path must be absolute", v);
                s->qgs = QGS_UNIX;
                return free_and_strdup(&s->qgs_path, rest);
        }
        if ((rest = startswith(v, "vsock:"))) {
                unsigned cid, port;
                const char *colon = strchr(rest, ':');
                _cleanup_free_ char *c = colon ? strndup(rest, (size_t) (colon - rest)) : NULL;
                if (colon && !c)
                        return -ENOMEM;
                if (!colon || safe_atou(c, 10, &cid) < 0 || safe_atou(colon + 1, 10, &port) < 0 || port == 0)
                        return errorf(reterr, "'%s' is not vsock:CID:PORT", v);
                s->qgs = QGS_VSOCK;
                s->qgs_cid = cid;
                s->qgs_port = port;
                return free_and_strdup(&s->qgs_path, NULL);
        }
        return errorf(reterr, "'%s' is not unix:PATH, vsock:CID:PORT or none", v);
}

static int parse_snp_policy(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        uint64_t p;
        if (safe_atou64(v, 0, &p) < 0)
                return errorf(reterr, "'%s' is not a number (use 0x for hex)", v);
        s->snp_policy = p;
        s->has_snp_policy = true;
        return 0;
}

static int parse_bits(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        unsigned n;
        if (safe_atou(v, 10, &n) < 0 || n > 63)
                return errorf(reterr, "'%s' is not a bit number between 0 and 63", v);
        *FIELD(s, offset, int) = (int) n;
        return 0;
}

static int parse_on_reboot(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        OnReboot r = on_reboot_from_string(v);
        if (r < 0 || r == ON_REBOOT_DEFAULT)
                return errorf(reterr, "'%s' is not restart-process, reset or poweroff", v);
        s->on_reboot = r;
        return 0;
}

static int parse_unsigned(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        unsigned n;
        if (safe_atou(v, 10, &n) < 0)
                return errorf(reterr, "'%s' is not a non-negative number", v);
        *FIELD(s, offset, unsigned) = n;
        return 0;
}

static int parse_seconds(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        unsigned n;
        _cleanup_free_ char *t = strdup(v);
        if (!t)
                return -ENOMEM;
        size_t l = strlen(t);
        if (l > 1 && t[l - 1] == 's')
                t[l - 1] = 0;
        if (safe_atou(t, 10, &n) < 0 || n > 24 * 3600)
                return errorf(reterr, "'%s' is not a number of seconds (at most a day)", v);
        *FIELD(s, offset, uint64_t) = (uint64_t) n * 1000000;
        return 0;
}

static int parse_graphics(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        if (!streq(v, "none") && !streq(v, "vnc"))
                return errorf(reterr, "'%s' is not none or vnc", v);
        return free_and_strdup(&s->graphics, v);
}

static int parse_accel(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        if (!streq(v, "kvm") && !streq(v, "tcg"))
                return errorf(reterr, "'%s' is not kvm or tcg", v);
        return free_and_strdup(&s->accel, v);
}

static int parse_irqchip(VmSpec *s, const char *v, size_t offset, char **reterr)
{
        if (!streq(v, "split") && !streq(v, "on") && !streq(v, "off"))
                return errorf(reterr, "'%s' is not split, on or off", v);
        return free_and_strdup(&s->irqchip, v);
}

#define O(n, a, fn, field, h)                                                                               \
        {                                                                                                   \
                n, a, fn, offsetof(VmSpec, field), h                                                        \
        }

const VmOption vm_options[] = {
        O("name", "NAME", parse_name, name, "Name of the VM (default: the config file's or 'cvm')"),
        O("coco", "no|tdx|sev-snp|auto", parse_coco, coco, "Confidential computing technology"),
        O("memory", "SIZE", parse_memory, memory, "Guest memory (MiB, or with K/M/G/T; default 2G)"),
        O("cpus", "N", parse_cpus, cpus, "Number of vCPUs (default 2)"),
        O("firmware", "PATH", parse_path, firmware,
          "UEFI firmware image (default: from the QEMU firmware descriptors)"),
        O("kernel", "PATH", parse_path, kernel, "Kernel for direct boot"),
        O("initrd", "PATH", parse_path, initrd, "Initrd for direct boot"),
        O("cmdline", "STRING", parse_string_empty, cmdline, "Kernel command line for direct boot"),
        O("disk", "PATH[,format=F][,bus=B][,readonly][,boot]", parse_disk, disks, "Add a disk (repeatable)"),
        O("network", "none|user|tap:IF|bridge:BR", parse_network, net, "Network (default none)"),
        O("vsock-cid", "CID|none", parse_vsock_cid, vsock_cid,
          "Give the guest a vsock device with this CID"),
        O("console", "serial|pty|file:PATH|none", parse_console, console,
          "Serial console (default: this terminal)"),
        O("tpm", "SOCKET|none", parse_tpm, tpm_socket, "Attach a vTPM served by swtpm on SOCKET"),
        O("secure-boot", "yes|no", parse_tristate, secure_boot, "Require UEFI Secure Boot"),
        O("cpu", "MODEL", parse_identifier, cpu_model, "CPU model (default host)"),
        O("machine", "TYPE", parse_identifier, machine, "QEMU machine type (default q35)"),
        O("accel", "kvm|tcg", parse_accel, accel, "Accelerator (default kvm)"),
        O("qemu", "PATH", parse_path, qemu, "QEMU binary"),
        O("firmware-vars", "PATH", parse_path, firmware_vars,
          "UEFI variable store (pflash split; plain VMs only)"),
        O("suspend", "yes|no", parse_tristate, suspend, "Offer ACPI S3/S4 to the guest"),
        O("migratable", "yes|no", parse_tristate, migratable, "Allow live migration"),
        O("hugepages", "yes|no", parse_tristate, hugepages, "Back guest memory with huge pages"),
        O("graphics", "none|vnc", parse_graphics, graphics,
          "Graphical console: VNC on 127.0.0.1:5900 (default none)"),
        O("irqchip", "split|on|off", parse_irqchip, irqchip, "KVM irqchip mode"),
        O("smm", "yes|no", parse_tristate, smm, "System Management Mode"),
        O("pic", "yes|no", parse_tristate, pic, "Legacy 8259 PIC"),
        O("pmu", "yes|no", parse_tristate, pmu, "Virtual performance monitoring unit"),
        O("tsc-frequency", "HZ", parse_tsc_frequency, tsc_frequency, "Guest TSC frequency (Hz, k, M, G)"),
        O("tdx-attributes", "LIST", parse_tdx_attributes, tdx_attributes,
          "TD attributes: debug, sept-ve-disable, pks, perfmon; '-NAME' clears a default"),
        O("mrconfigid", "HEX|BASE64", parse_mr, mrconfigid, "TD MRCONFIGID (48 bytes)"),
        O("mrowner", "HEX|BASE64", parse_mr, mrowner, "TD MROWNER (48 bytes)"),
        O("mrownerconfig", "HEX|BASE64", parse_mr, mrownerconfig, "TD MROWNERCONFIG (48 bytes)"),
        O("qgs", "unix:PATH|vsock:CID:PORT|none", parse_qgs, qgs,
          "Quote Generation Service for TD quotes (default unix:" QGS_DEFAULT_SOCKET ", cvm-qgsd's socket)"),
        O("snp-policy", "POLICY", parse_snp_policy, snp_policy, "SEV-SNP guest policy (default 0x30000)"),
        O("snp-cbitpos", "BIT", parse_bits, snp_cbitpos, "C-bit position (default: the host's)"),
        O("snp-reduced-phys-bits", "BITS", parse_bits, snp_reduced_phys_bits,
          "Physical address bits lost to encryption (default: the host's)"),
        O("snp-kernel-hashes", "yes|no", parse_tristate, snp_kernel_hashes,
          "Measure kernel, initrd and command line (default yes with --kernel)"),
        O("snp-id-block", "FILE", parse_path, snp_id_block, "ID block (base64 of 96 bytes)"),
        O("snp-id-auth", "FILE", parse_path, snp_id_auth,
          "ID authentication structure (base64, <= 4096 bytes)"),
        O("snp-host-data", "FILE", parse_path, snp_host_data, "Host data (base64 of 32 bytes)"),
        O("snp-guest-visible-workarounds", "FILE", parse_path, snp_gosvw,
          "Guest OS visible workarounds (GOSVW; base64 of at most 16 bytes)"),
        O("snp-vcek-disabled", "yes|no", parse_tristate, snp_vcek_disabled,
          "Sign reports with the VLEK only"),
        O("snp-author-key", "yes|no", parse_tristate, snp_author_key, "The ID auth carries an author key"),
        O("allow-debug", NULL, parse_flag, allow_debug, "Allow a debuggable (not confidential) guest"),
        O("on-reboot", "restart-process|reset|poweroff", parse_on_reboot, on_reboot,
          "What a guest reboot does (default: restart-process for confidential guests)"),
        O("max-restarts", "N", parse_unsigned, max_restarts,
          "Bound on reboots handled by restarting QEMU (default 10)"),
        O("shutdown-timeout", "SECONDS", parse_seconds, shutdown_timeout_usec,
          "Time a guest gets to power down before QEMU is stopped (default 60)"),
};
const size_t vm_options_count = ELEMENTSOF(vm_options);

const VmOption *vm_option_find(const char *name)
{
        for (size_t i = 0; i < vm_options_count; i++)
                if (streq(vm_options[i].name, name))
                        return vm_options + i;
        return NULL;
}

const char *vm_option_suggest(const char *name)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < vm_options_count; i++) {
                size_t d = edit_distance(name, vm_options[i].name);
                if (d < best_d) {
                        best_d = d;
                        best = vm_options[i].name;
                }
        }
        /* A suggestion only helps when it is plausibly what was meant. */
        return best && best_d <= MAX(2u, strlen(name) / 3) ? best : NULL;
}

int vm_spec_set(VmSpec *s, const char *key, const char *value, char **reterr)
{
        const VmOption *o = vm_option_find(key);
        if (!o) {
                const char *sug = vm_option_suggest(key);
                int k = sug ? asprintf(reterr, "unknown key '%s'; did you mean '%s'?", key, sug)
                            : asprintf(reterr, "unknown key '%s'", key);
                return k < 0 ? -ENOMEM : -ENOENT;
        }
        if (!value && o->arg)
                return errorf(reterr, "'%s' needs a value", key);

        _cleanup_free_ char *e = NULL;
        int r = o->parse(s, value, o->offset, &e);
        if (r == -EINVAL && e && asprintf(reterr, "%s: %s", key, e) < 0)
                return -ENOMEM;
        return r;
}

typedef struct IniState {
        VmSpec *spec;
        char *error; /* the first error */
} IniState;

static int vm_ini_handler(void *userdata, const char *section, const char *name, const char *value)
{
        IniState *st = userdata;
        if (st->error)
                return 0;
        if (!isempty(section) && !streq(section, "VM")) {
                if (asprintf(&st->error, "unknown section [%s]; keys go in [VM]", section) < 0)
                        st->error = strdup("out of memory");
                return 0;
        }
        if (!name) /* a section header alone */
                return 1;
        char *e = NULL;
        int r = vm_spec_set(st->spec, name, value, &e);
        if (r < 0) {
                if (e)
                        st->error = e;
                else if (asprintf(&st->error, "%s: %s", name, strerror(-r)) < 0)
                        st->error = strdup("out of memory");
                return 0;
        }
        return 1;
}

static int vm_ini_result(IniState *st, int line, const char *path, char **reterr)
{
        if (line == 0 && !st->error)
                return 0;
        if (line == -2)
                return -ENOMEM;
        _cleanup_free_ char *e = st->error;
        if (asprintf(reterr, "%s:%d: %s", path, line > 0 ? line : 0, e ?: "syntax error") < 0)
                return -ENOMEM;
        return -EINVAL;
}

int vm_spec_load_file(VmSpec *s, const char *path, char **reterr)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        IniState st = { .spec = s };
        return vm_ini_result(&st, ini_parse_file(f, vm_ini_handler, &st), path, reterr);
}

int vm_spec_load_string(VmSpec *s, const char *text, const char *name, char **reterr)
{
        IniState st = { .spec = s };
        return vm_ini_result(&st, ini_parse_string(text, vm_ini_handler, &st), name, reterr);
}

size_t vm_options_to_getopt(struct option *options, size_t n, int first_val)
{
        size_t k = 0;
        for (size_t i = 0; i < vm_options_count && k < n; i++)
                options[k++] = (struct option){
                        .name = vm_options[i].name,
                        .has_arg = vm_options[i].arg ? required_argument : optional_argument,
                        .val = first_val + (int) i,
                };
        return k;
}

void vm_options_help(FILE *f)
{
        for (size_t i = 0; i < vm_options_count; i++) {
                char opt[80];
                snprintf(opt, sizeof(opt), "--%s%s%s", vm_options[i].name, vm_options[i].arg ? "=" : "",
                         strempty(vm_options[i].arg));
                fprintf(f, "  %-40s %s\n", opt, vm_options[i].help);
        }
}
