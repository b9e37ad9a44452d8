/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The user-space half of the platform: a QEMU that has the confidential-guest object, and firmware that
 * QEMU can load for it (reference/launch.md 1.1-1.4, 6.1 item 8, 8). Facts: "qemu" (qemu-probe.c) and
 * "firmware" (firmware.c), whose layouts those files document.
 */
#include <string.h>

#include "checks.h"
#include "firmware.h"
#include "parse-util.h"

const FactFile platform_fact_files[] = {
        { "/usr/share/qemu/firmware/*.json", FACT_TEXT },
        { "/etc/qemu/firmware/*.json", FACT_TEXT },
        {},
};

typedef struct QemuRequirement {
        const char *type;    /* the QOM type of the confidential-guest object */
        const char *since;   /* the upstream release that added it */
        const char *tee;     /* for messages */
        const char *install; /* hint */
} QemuRequirement;

static const QemuRequirement qemu_tdx = {
        .type = "tdx-guest",
        .since = "10.1",
        .tee = "TDX",
        .install =
                "Install QEMU >= 10.1 (Debian trixie-backports qemu-system-x86, Fedora 43 / Ubuntu 25.10 or "
                "newer), or name one with --qemu= or $CVM_QEMU.",
};

static const QemuRequirement qemu_snp = {
        .type = "sev-snp-guest",
        .since = "9.1",
        .tee = "SEV-SNP",
        .install =
                "Install QEMU >= 9.1 (Debian 13 trixie qemu-system-x86, Fedora 41 / Ubuntu 25.04 or newer), "
                "or name one with --qemu= or $CVM_QEMU.",
};

static bool json_array_has_string(json_object *a, const char *s)
{
        size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (json_object_is_type(e, json_type_string) && streq(json_object_get_string(e), s))
                        return true;
        }
        return false;
}

static int check_qemu(const HostFacts *f, cvm_finding *out, const QemuRequirement *req)
{
        json_object *q;
        char buf[64];
        int r = facts_probe_result(f, "qemu", &q);

        if (r == -ENODATA)
                return finding_skip(out,
                                    "QEMU capabilities not collected (probe disabled with --no-qemu, or no "
                                    "cvm-facts/qemu.json below --root)");
        if (r < 0) {
                json_object *m = facts_member(f, "qemu");
                const char *path = json_get_string(m, "path");
                const char *stderr_text = json_get_string(m, "stderr");
                char line[512];
                /* The first line of what QEMU printed on stderr, for a message. */
                const char *err = isempty(stderr_text) ? NULL : first_line(stderr_text, line, sizeof(line));

                if (r == -ENOENT && !path)
                        return finding_fail(
                                out, req->install,
                                "No QEMU binary found ($CVM_QEMU unset, no qemu-system-x86_64 in PATH, "
                                "no /usr/libexec/qemu-kvm or /usr/bin/qemu-kvm)");
                if (r == -ETIMEDOUT)
                        return finding_skip(out, "QEMU %s did not answer over QMP within 10 s", strna(path));
                if (r == -EBADMSG && !path)
                        return finding_skip(out, "QEMU facts are unreadable: %s", probe_failure_str(r, buf));
                if (r == -ENOENT || r == -EACCES || r == -ENOEXEC)
                        return finding_fail(out, req->install, "QEMU %s cannot be started: %s", strna(path),
                                            probe_failure_str(r, buf));

                /* It started but did not answer: what it printed says why (a bad option, a module, ...). */
                _cleanup_free_ char *hint = NULL, *how = NULL;
                json_object *code = json_get(m, "exit_status", json_type_int),
                            *sig = json_get(m, "signal", json_type_int);
                if (asprintf(&hint,
                             "Run '%s -machine none -nodefaults -display none -qmp stdio' to see QEMU's own "
                             "error; reinstall QEMU if it does not start.",
                             strna(path)) < 0)
                        return -ENOMEM;
                if (code && asprintf(&how, " (exit status %d)", json_object_get_int(code)) < 0)
                        return -ENOMEM;
                if (!code && sig &&
                    asprintf(&how, " (killed by signal %d, %s)", json_object_get_int(sig),
                             strsignal(json_object_get_int(sig))) < 0)
                        return -ENOMEM;
                if (r == -ECONNRESET)
                        return finding_fail(out, hint, "QEMU %s exited before answering over QMP%s%s%s",
                                            strna(path), how ?: "", err ? ": " : "", err ?: "");
                if (r == -EPROTO)
                        return finding_fail(out, hint, "QEMU %s does not speak QMP on -qmp stdio%s%s%s",
                                            strna(path), how ?: "", err ? ": " : "", err ?: "");
                return finding_fail(out, hint, "QEMU %s cannot be probed: %s%s%s%s", strna(path),
                                    probe_failure_str(r, buf), how ?: "", err ? ": " : "", err ?: "");
        }

        const char *path = json_get_string(q, "path"), *version = json_get_string(q, "version"),
                   *package = json_get_string(q, "package");
        if (!version)
                return finding_skip(out, "QEMU facts lack \"version\"");
        char pkg[256] = "";
        if (!isempty(package))
                snprintf(pkg, sizeof(pkg), " (%s)", package);

        bool old = version_compare(version, req->since) < 0;
        bool has = json_array_has_string(json_get(q, "types", json_type_array), req->type);
        if (!has && old)
                return finding_fail(out, req->install,
                                    "QEMU %s%s at %s has no %s object: %s needs QEMU >= %s", version, pkg,
                                    strna(path), req->type, req->tee, req->since);
        if (!has)
                return finding_fail(
                        out,
                        "Use a QEMU built for x86_64 with KVM and confidential-guest support; the "
                        "distribution's qemu-system-x86 package has it.",
                        "QEMU %s%s at %s has no %s object (built without %s support?)", version, pkg,
                        strna(path), req->type, req->tee);
        if (old)
                /* Downstream trees (Canonical's 8.2 for TDX, AMD's for SNP) had the object with other
                 * options. */
                return finding_warn(
                        out, req->install,
                        "QEMU %s%s at %s has %s but predates upstream support (%s): a downstream "
                        "build whose options may differ from what cvm emits",
                        version, pkg, strna(path), req->type, req->since);
        return finding_pass(out, "QEMU %s%s at %s provides %s", version, pkg, strna(path), req->type);
}

static int check_tdx_qemu(const HostFacts *f, cvm_finding *out)
{
        return check_qemu(f, out, &qemu_tdx);
}

static int check_snp_qemu(const HostFacts *f, cvm_finding *out)
{
        return check_qemu(f, out, &qemu_snp);
}

typedef struct FirmwareRequirement {
        const char *feature;  /* docs/interop/firmware.json FirmwareFeature */
        const char *part;     /* member of an image in the facts: "tdx" or "sev" */
        const char *metadata; /* for messages */
        const char *sections; /* for messages */
        const char *install;  /* hint */
} FirmwareRequirement;

static const FirmwareRequirement firmware_tdx = {
        .feature = "intel-tdx",
        .part = "tdx",
        .metadata = "TDX metadata",
        .sections = "TDVF sections",
        .install =
                "Install a TDVF build with its descriptor (Debian sid ovmf-inteltdx: OVMF.inteltdx.ms.fd; "
                "Fedora edk2-ovmf: OVMF.inteltdx.secboot.fd), or pass --firmware= an OVMF.fd that carries "
                "TDX "
                "metadata (Ubuntu's does).",
};

static const FirmwareRequirement firmware_snp = {
        .feature = "amd-sev-snp",
        .part = "sev",
        .metadata = "SEV metadata",
        .sections = "sections",
        .install = "Install an SEV-SNP OVMF with its descriptor (Debian sid ovmf-amdsev: OVMF.amdsev.fd; "
                   "Fedora "
                   "edk2-ovmf: OVMF.amdsev.fd), or pass --firmware= an OVMF.fd that carries SEV metadata.",
};

static bool descriptor_usable(json_object *d)
{
        return json_get_string(d, "filename") && !json_get(d, "error", json_type_string) &&
               !json_get(d, "overridden_by", json_type_string) && !json_get(d, "empty", json_type_boolean);
}

/* Why an image cannot serve: NULL when its metadata part is valid. */
static const char *image_problem(json_object *img, const FirmwareRequirement *req, char *buf, size_t size)
{
        char name[64];
        int r;

        if (!img)
                return "not inspected";
        r = json_error_get(img);
        if (r < 0) {
                snprintf(buf, size, "cannot be read: %s", probe_failure_str(r, name));
                return buf;
        }
        json_object *part = json_get(img, req->part, json_type_object);
        if (!part)
                return "not inspected";
        r = json_error_get(part);
        if (r < 0) {
                const char *d = json_get_string(part, "detail");
                snprintf(buf, size, "%s", d ?: probe_failure_str(r, name));
                return buf;
        }
        return NULL;
}

static int part_sections(json_object *img, const FirmwareRequirement *req)
{
        json_object *n = json_get(json_get(img, req->part, json_type_object), "sections", json_type_int);
        return n ? json_object_get_int(n) : 0;
}

static int check_firmware(const HostFacts *f, cvm_finding *out, const FirmwareRequirement *req)
{
        json_object *fw;
        char buf[64];
        int r = facts_probe_result(f, "firmware", &fw);
        if (r < 0)
                return finding_skip(out, "Firmware facts: %s", probe_failure_str(r, buf));

        json_object *descriptors = json_get(fw, "descriptors", json_type_array),
                    *images = json_get(fw, "images", json_type_object);
        if (!descriptors || !images)
                return finding_skip(out, "Firmware facts lack \"descriptors\" or \"images\"");
        size_t n = descriptors ? json_object_array_length(descriptors) : 0;
        _cleanup_free_ char *first_failure = NULL;
        size_t n_feature = 0;

        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(descriptors, i);
                if (!descriptor_usable(d) ||
                    !json_array_has_string(json_get(d, "features", json_type_array), req->feature))
                        continue;
                n_feature++;

                const char *path = json_get_string(d, "path"), *filename = json_get_string(d, "filename"),
                           *device = json_get_string(d, "device");
                json_object *img = json_get(images, filename, json_type_object);
                char why[1024];
                const char *problem = NULL;

                /* Confidential guests cannot use pflash: QEMU maps the firmware as private RAM (-bios). */
                if (!streq(strna(device), "memory"))
                        snprintf(why, sizeof(why),
                                 "it maps %s as %s; a confidential guest's firmware must be loaded with "
                                 "-bios "
                                 "(device \"memory\")",
                                 filename, strna(device));
                else if ((problem = image_problem(img, req, why, sizeof(why))))
                        ;
                else
                        return finding_pass(
                                out,
                                "Firmware descriptor %s maps %s (-bios), which carries valid %s (%d %s)",
                                strna(path), filename, req->metadata, part_sections(img, req),
                                req->sections);

                if (!first_failure &&
                    asprintf(&first_failure, "%s declares %s, but %s%s%s", strna(path), req->feature,
                             problem ? filename : "", problem ? ": " : "", problem ?: why) < 0)
                        return -ENOMEM;
        }

        if (n_feature > 0)
                return finding_fail(
                        out, req->install, "No usable %s firmware: %s%s", req->feature, first_failure,
                        n_feature > 1 ? " (and the other descriptors declaring it fail too)" : "");

        /* A descriptor that does not parse may be the one that was meant to declare the feature. */
        _cleanup_free_ char *broken = NULL;
        for (size_t i = 0; i < n && !broken; i++) {
                json_object *d = json_object_array_get_idx(descriptors, i);
                int e = json_error_get(d);
                if (e < 0 &&
                    asprintf(&broken, "; descriptor %s is unusable: %s", strna(json_get_string(d, "path")),
                             json_get_string(d, "detail") ?: probe_failure_str(e, buf)) < 0)
                        return -ENOMEM;
        }

        /* No descriptor claims the feature; an image may still carry the metadata (Debian's OVMF.fd does).
         */
        json_object_object_foreach (images, filename, img) {
                char ignored[8];
                if (image_problem(img, req, ignored, sizeof(ignored)))
                        continue;
                _cleanup_free_ char *hint = NULL;
                if (asprintf(&hint,
                             "Pass --firmware=%s to use it, or install firmware whose QEMU descriptor "
                             "declares %s.",
                             filename, req->feature) < 0)
                        return -ENOMEM;
                return finding_warn(out, hint,
                                    "No firmware descriptor declares %s, but %s carries valid %s (%d %s)%s",
                                    req->feature, filename, req->metadata, part_sections(img, req),
                                    req->sections, broken ?: "");
        }

        return finding_fail(
                out, req->install,
                "No firmware for %s: none of the %zu firmware descriptors declares it and none of the "
                "%d firmware images inspected carries valid %s%s",
                req->feature, n, images ? json_object_object_length(images) : 0, req->metadata,
                broken ?: "");
}

int firmware_select(const HostFacts *f, const char *feature, char **ret)
{
        const FirmwareRequirement *req = streq(feature, firmware_tdx.feature)   ? &firmware_tdx
                                         : streq(feature, firmware_snp.feature) ? &firmware_snp
                                                                                : NULL;
        json_object *fw;
        if (!req)
                return -EINVAL;
        if (facts_probe_result(f, "firmware", &fw) < 0)
                return -ENOENT;
        json_object *descriptors = json_get(fw, "descriptors", json_type_array),
                    *images = json_get(fw, "images", json_type_object);
        size_t n = descriptors ? json_object_array_length(descriptors) : 0;

        /* The same choice libvirt makes: descriptor order, the feature, a -bios mapping, valid metadata. */
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(descriptors, i);
                char why[8];
                if (!descriptor_usable(d) ||
                    !json_array_has_string(json_get(d, "features", json_type_array), req->feature) ||
                    !streq(strna(json_get_string(d, "device")), "memory"))
                        continue;
                const char *filename = json_get_string(d, "filename");
                if (image_problem(json_get(images, filename, json_type_object), req, why, sizeof(why)))
                        continue;
                char *p = strdup(filename);
                if (!p)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }
        return -ENOENT;
}

static int check_tdx_firmware(const HostFacts *f, cvm_finding *out)
{
        return check_firmware(f, out, &firmware_tdx);
}

static int check_snp_firmware(const HostFacts *f, cvm_finding *out)
{
        return check_firmware(f, out, &firmware_snp);
}

/* All four are required: without QEMU's object or loadable firmware no guest starts. */
const HostCheck platform_checks[] = {
        { "tdx.qemu", CVM_TEE_TDX, CHECK_REQUIRED, check_tdx_qemu },
        { "tdx.firmware", CVM_TEE_TDX, CHECK_REQUIRED, check_tdx_firmware },
        { "snp.qemu", CVM_TEE_SNP, CHECK_REQUIRED, check_snp_qemu },
        { "snp.firmware", CVM_TEE_SNP, CHECK_REQUIRED, check_snp_firmware },
        {},
};
