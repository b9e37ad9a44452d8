/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm measure tdx|snp: the measurements a confidential guest must show, predicted from the firmware (and
 * for SNP the kernel, initrd and command line QEMU hashes), before it is launched:
 *
 *   tdx  MRTD (src/libcvm/measure/mrtd.h), in the page order of the host stack (--order)
 *   snp  the launch digest (measure/snp-digest.h), and with --id-key a signed ID block (measure/id-block.h)
 *
 * Each result is built once as a JSON object; the text output is printed from that object.
 */
#include <getopt.h>
#include <inttypes.h>
#include <openssl/pem.h>

#include "fileio.h"
#include "firmware-cli.h"
#include "hexbase64.h"
#include "log.h"
#include "measure/id-block.h"
#include "measure/mrtd.h"
#include "measure/snp-digest.h"
#include "output.h"
#include "parse-util.h"
#include "rtmr-cli.h"
#include "verbs.h"

/* A guest kernel or initrd read for hashing; a multi-GiB initrd is a mistake, not a guest. */
#define BOOT_FILE_MAX (1024U * 1024 * 1024)

static void help(void)
{
        size_t n;
        const VcpuType *t = vcpu_types(&n);

        printf("Usage: cvm measure tdx --firmware=FILE [--order=per-page|two-pass] [--memory=SIZE]\n"
               "           [--acpi-tables=DIR] [--kernel=FILE [--initrd=FILE] [--cmdline=TEXT] |\n"
               "           --uki=FILE] [--event-layout=NAME] [--json]\n"
               "       cvm measure snp --firmware=FILE --vcpus=N --vcpu-type=NAME [OPTIONS...] [--json]\n\n"
               "Predict the measurement of a confidential guest from its firmware: the MRTD (and RTMRs)\n"
               "of a TDX guest, or the launch digest of an SEV-SNP guest (with --id-key, also its signed\n"
               "ID block).\n\n"
               "Common options:\n"
               "  --firmware=FILE          The OVMF/TDVF image QEMU is given (-bios)\n"
               "  --json                   Print one JSON object\n"
               "  -h, --help               Show this help\n\n"
               "tdx:\n"
               "  --order=per-page|two-pass\n"
               "                           The host's TDH.MEM.PAGE.ADD/TDH.MR.EXTEND order:\n"
               "                           per-page (Linux >= 6.16, QEMU >= 10.1; the default)\n"
               "                           or two-pass (the KVM TDX v19 stacks: Intel QEMU\n"
               "                           8.2.50, Canonical noble QEMU 8.2.2)\n" RTMR_CLI_HELP "\n"
               "snp:\n"
               "  --vcpus=N                Number of vCPUs (one VMSA each)\n"
               "  --vcpu-type=NAME         QEMU -cpu model, for the CPUID signature in the VMSA\n"
               "  --guest-features=X       VMSA SEV_FEATURES (default 0x1 SNPActive; 0x21 with DebugSwap)\n"
               "  --vmm-type=qemu|ec2      Who builds the VMSAs (default qemu)\n"
               "  --kernel=FILE            Direct kernel boot with kernel-hashes=on (AmdSev OVMF)\n"
               "  --initrd=FILE            Its initrd\n"
               "  --cmdline=TEXT           Its command line (QEMU -append)\n"
               "  --id-key=PEM             Sign an ID block for this digest with this ECDSA P-384 key\n"
               "  --author-key=PEM         Also sign the ID key with this author key\n"
               "  --policy=X               Guest policy in the ID block (default 0x30000, QEMU's)\n"
               "  --family-id=HEX          ID block FAMILY_ID (16 bytes, default zeros)\n"
               "  --image-id=HEX           ID block IMAGE_ID (16 bytes, default zeros)\n"
               "  --guest-svn=N            ID block GUEST_SVN (default 0)\n"
               "  --allow-debug            Accept a policy that allows debugging\n\n"
               "vCPU types:");
        for (size_t i = 0; i < n; i++)
                printf("%s %s", i % 6 == 0 ? "\n " : "", t[i].name);
        printf("\n\nExit status: 0 measured, 2 bad usage, unreadable or unsuitable firmware\n"
               "(the error says why).\n");
}

static int firmware_load(const char *path, const char *part, uint8_t **ret_data, size_t *ret_size,
                         OvmfImage *ret)
{
        OvmfImage img;
        int r;

        if (!path)
                return usage_error("measure", "--firmware=FILE is required.");
        r = firmware_image_read(path, ret_data, ret_size, &img);
        if (r < 0)
                return r;
        const OvmfStatus *s = streq(part, "TDX metadata") ? &img.tdx : &img.sev;
        if (s->error < 0) {
                r = log_error_errno(s->error, "Firmware '%s', %s: %s", path, part, s->detail);
                ovmf_image_done(&img);
                *ret_data = mfree(*ret_data);
                return r;
        }
        *ret = img;
        return 0;
}

static json_object *hex_string(const uint8_t *p, size_t n)
{
        _cleanup_free_ char *s = NULL;
        return hex_encode(p, n, &s) < 0 ? NULL : json_object_new_string(s);
}

/* The TDX result: {"firmware", "order", "mrtd", "page_adds", "mr_extends"}; the RTMRs join it here. */
static int tdx_json(const char *firmware, MrtdOrder order, const MrtdResult *m, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        int r;

        if (!o || (r = json_add(o, "firmware", json_object_new_string(firmware))) < 0 ||
            (r = json_add(o, "order", json_object_new_string(mrtd_order_to_string(order)))) < 0 ||
            (r = json_add(o, "mrtd", hex_string(m->mrtd, sizeof(m->mrtd)))) < 0 ||
            (r = json_add(o, "page_adds", json_object_new_int64((int64_t) m->page_adds))) < 0 ||
            (r = json_add(o, "mr_extends", json_object_new_int64((int64_t) m->mr_extends))) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static void tdx_print(json_object *o)
{
        static const char *const stacks[_MRTD_ORDER_MAX] = {
                [MRTD_ORDER_PER_PAGE] = "Linux >= 6.16, QEMU >= 10.1",
                [MRTD_ORDER_TWO_PASS] = "KVM TDX v19: Intel QEMU 8.2.50, Canonical noble QEMU 8.2.2",
        };
        const char *order = json_get_string(o, "order");
        MrtdOrder k = mrtd_order_from_string(order);

        printf("MRTD   %s\n", strna(json_get_string(o, "mrtd")));
        printf("       order %s (%s): %s TDH.MEM.PAGE.ADD, %s TDH.MR.EXTEND\n", order,
               k >= 0 ? stacks[k] : "?", json_object_get_string(json_get(o, "page_adds", json_type_int)),
               json_object_get_string(json_get(o, "mr_extends", json_type_int)));
}

static int measure_tdx(int argc, char *argv[])
{
        enum {
                ARG_JSON = 0x100,
                ARG_FIRMWARE,
                ARG_ORDER,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "firmware", required_argument, NULL, ARG_FIRMWARE },
                { "order", required_argument, NULL, ARG_ORDER },
                RTMR_CLI_OPTIONS,
                {},
        };
        RtmrCli rtmr = RTMR_CLI_INIT;
        MrtdOrder order = MRTD_ORDER_PER_PAGE;
        const char *firmware = NULL;
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_FIRMWARE:
                        firmware = optarg;
                        break;
                case ARG_ORDER:
                        order = mrtd_order_from_string(optarg);
                        if (order < 0)
                                return usage_error("measure",
                                                   "Unknown page order '%s' (per-page, two-pass).", optarg);
                        break;
                default:
                        if ((r = rtmr_cli_option(&rtmr, c, optarg)) == 1)
                                break;
                        return r != 0 ? r : usage_error("measure", "Invalid option.");
                }
        if (optind < argc)
                return usage_error("measure", "Unexpected argument '%s'.", argv[optind]);

        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_(ovmf_image_done) OvmfImage img = {};
        size_t size;
        if ((r = firmware_load(firmware, "TDX metadata", &data, &size, &img)) != 0)
                return r < 0 ? CVM_EXIT_ERROR : r;

        MrtdResult m;
        _cleanup_free_ char *err = NULL;
        r = mrtd_compute(&img, data, size, order, &m, &err);
        if (r < 0 && err)
                return log_error_errno(r, "Firmware '%s': %s", firmware, err);
        if (r < 0)
                return log_error_errno(r, "Firmware '%s': cannot compute the MRTD: %m", firmware);

        _cleanup_(json_object_putp) json_object *o = NULL;
        if (tdx_json(firmware, order, &m, &o) < 0)
                return log_oom();
        if (rtmr_cli_add(&rtmr, &img, data, size, o) < 0)
                return CVM_EXIT_ERROR;
        if (json)
                return output_json(o) < 0 ? CVM_EXIT_ERROR : CVM_EXIT_SUCCESS;
        tdx_print(o);
        rtmr_cli_print(o);
        return CVM_EXIT_SUCCESS;
}

static void pkey_freep(EVP_PKEY **p)
{
        EVP_PKEY_free(*p);
}

static int load_key(const char *path, const char *what, EVP_PKEY **ret)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return log_error_errno(errno, "Failed to open the %s '%s': %m", what, path);
        _cleanup_(pkey_freep) EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        if (!k)
                return log_error_errno(EBADMSG, "The %s '%s' is not a PEM private key.", what, path);
        uint8_t pub[SNP_PUBKEY_SIZE];
        if (snp_pubkey_marshal(k, pub) < 0)
                return log_error_errno(EKEYREJECTED,
                                       "The %s '%s' is not an ECDSA P-384 key, the only kind SNP accepts.",
                                       what, path);
        *ret = TAKE_PTR(k);
        return 0;
}

static int parse_id(const char *s, const char *opt, uint8_t ret[static 16])
{
        _cleanup_free_ uint8_t *b = NULL;
        size_t n;
        if (hex_decode(s, strlen(s), &b, &n) < 0 || n != 16)
                return usage_error("measure", "%s wants 32 hex digits (16 bytes), not '%s'.", opt, s);
        memcpy(ret, b, 16);
        return 0;
}

typedef struct SnpArgs {
        const char *firmware, *kernel, *initrd, *cmdline, *id_key, *author_key;
        const VcpuType *vcpu_type;
        SnpLaunchParams params;
        SnpIdBlockParams id;
        bool allow_debug, json;
} SnpArgs;

static int snp_json(const SnpArgs *a, const SnpLaunchDigest *d, const SnpIdBlock *id, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        const SnpLaunchParams *p = &a->params;
        int r;

        if (!o || (r = json_add(o, "firmware", json_object_new_string(a->firmware))) < 0 ||
            (r = json_add(o, "launch_digest", hex_string(d->ld, sizeof(d->ld)))) < 0 ||
            (r = json_add(o, "ovmf_hash", hex_string(d->ovmf_hash, sizeof(d->ovmf_hash)))) < 0 ||
            (r = json_add(o, "firmware_gpa", json_hex_new(d->firmware_gpa))) < 0 ||
            (r = json_add(o, "ap_reset_eip", json_hex_new(d->ap_eip))) < 0 ||
            (r = json_add(o, "vcpus", json_object_new_int64(p->vcpus))) < 0 ||
            (r = json_add_string_or_null(o, "vcpu_type", a->vcpu_type ? a->vcpu_type->name : NULL)) < 0 ||
            (r = json_add(o, "vcpu_signature", json_hex_new(p->vmm == VMM_TYPE_EC2 ? 0x600 : p->vcpu_sig))) <
                    0 ||
            (r = json_add(o, "guest_features", json_hex_new(p->guest_features))) < 0 ||
            (r = json_add(o, "vmm_type", json_object_new_string(vmm_type_to_string(p->vmm)))) < 0 ||
            (r = json_add(o, "pages", json_object_new_int64((int64_t) d->pages))) < 0)
                return -ENOMEM;

        if (p->hashes) {
                json_object *h = json_object_new_object();
                if ((r = json_add(o, "kernel_hashes", h)) < 0 ||
                    (r = json_add(h, "cmdline", hex_string(p->hashes->cmdline, 32))) < 0 ||
                    (r = json_add(h, "initrd", hex_string(p->hashes->initrd, 32))) < 0 ||
                    (r = json_add(h, "kernel", hex_string(p->hashes->kernel, 32))) < 0)
                        return r;
        } else if ((r = json_add_string_or_null(o, "kernel_hashes", NULL)) < 0)
                return r;

        if (id) {
                _cleanup_free_ char *block = NULL, *auth = NULL;
                if (base64_encode(id->block, sizeof(id->block), &block) < 0 ||
                    base64_encode(id->auth, sizeof(id->auth), &auth) < 0 ||
                    (r = json_add(o, "policy", json_hex_new(a->id.policy))) < 0 ||
                    (r = json_add(o, "id_block", json_object_new_string(block))) < 0 ||
                    (r = json_add(o, "id_auth", json_object_new_string(auth))) < 0 ||
                    (r = json_add(o, "id_key_digest", hex_string(id->id_key_digest, 48))) < 0)
                        return -ENOMEM;
                r = a->author_key ? json_add(o, "author_key_digest", hex_string(id->author_key_digest, 48))
                                  : json_add_string_or_null(o, "author_key_digest", NULL);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static void snp_print(json_object *o)
{
        json_object *h = json_get(o, "kernel_hashes", json_type_object);
        const char *type = json_get_string(o, "vcpu_type");

        printf("Launch digest   %s\n", strna(json_get_string(o, "launch_digest")));
        printf("OVMF hash       %s\n", strna(json_get_string(o, "ovmf_hash")));
        printf("Firmware        %s at %s, AP reset EIP %s\n", json_get_string(o, "firmware"),
               json_get_string(o, "firmware_gpa"), json_get_string(o, "ap_reset_eip"));
        printf("vCPUs           %s x %s (signature %s), guest features %s, VMM %s\n",
               json_object_get_string(json_get(o, "vcpus", json_type_int)), type ?: "-",
               json_get_string(o, "vcpu_signature"), json_get_string(o, "guest_features"),
               json_get_string(o, "vmm_type"));
        if (h) {
                printf("Kernel hashes   cmdline %s\n", json_get_string(h, "cmdline"));
                printf("                initrd  %s\n", json_get_string(h, "initrd"));
                printf("                kernel  %s\n", json_get_string(h, "kernel"));
        } else
                printf("Kernel hashes   none (kernel-hashes=off)\n");
        if (!json_get_string(o, "id_block"))
                return;
        printf("Policy          %s\n", json_get_string(o, "policy"));
        printf("ID key digest   %s\n", json_get_string(o, "id_key_digest"));
        const char *author = json_get_string(o, "author_key_digest");
        if (author)
                printf("Author key      %s\n", author);
        printf("\nQEMU: -object sev-snp-guest,...,policy=%s,id-block=%s,id-auth=%s%s\n",
               json_get_string(o, "policy"), json_get_string(o, "id_block"), json_get_string(o, "id_auth"),
               author ? ",author-key-enabled=on" : "");
}

static int snp_parse(int argc, char *argv[], SnpArgs *a)
{
        enum {
                ARG_JSON = 0x100,
                ARG_FIRMWARE,
                ARG_VCPUS,
                ARG_VCPU_TYPE,
                ARG_GUEST_FEATURES,
                ARG_VMM_TYPE,
                ARG_KERNEL,
                ARG_INITRD,
                ARG_CMDLINE,
                ARG_ID_KEY,
                ARG_AUTHOR_KEY,
                ARG_POLICY,
                ARG_FAMILY_ID,
                ARG_IMAGE_ID,
                ARG_GUEST_SVN,
                ARG_ALLOW_DEBUG,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "firmware", required_argument, NULL, ARG_FIRMWARE },
                { "vcpus", required_argument, NULL, ARG_VCPUS },
                { "vcpu-type", required_argument, NULL, ARG_VCPU_TYPE },
                { "guest-features", required_argument, NULL, ARG_GUEST_FEATURES },
                { "vmm-type", required_argument, NULL, ARG_VMM_TYPE },
                { "kernel", required_argument, NULL, ARG_KERNEL },
                { "initrd", required_argument, NULL, ARG_INITRD },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "id-key", required_argument, NULL, ARG_ID_KEY },
                { "author-key", required_argument, NULL, ARG_AUTHOR_KEY },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "family-id", required_argument, NULL, ARG_FAMILY_ID },
                { "image-id", required_argument, NULL, ARG_IMAGE_ID },
                { "guest-svn", required_argument, NULL, ARG_GUEST_SVN },
                { "allow-debug", no_argument, NULL, ARG_ALLOW_DEBUG },
                {},
        };
        bool have_vcpus = false, id_options = false;
        uint64_t u;
        int c;

        a->params.guest_features = 0x1;
        a->params.vmm = VMM_TYPE_QEMU;
        a->id.policy = SNP_POLICY_DEFAULT;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 1;
                case ARG_JSON:
                        a->json = true;
                        break;
                case ARG_FIRMWARE:
                        a->firmware = optarg;
                        break;
                case ARG_VCPUS:
                        if (safe_atou(optarg, 10, &a->params.vcpus) < 0 || a->params.vcpus == 0 ||
                            a->params.vcpus > 4096)
                                return usage_error("measure",
                                                   "--vcpus wants a number from 1 to 4096, not '%s'.",
                                                   optarg);
                        have_vcpus = true;
                        break;
                case ARG_VCPU_TYPE:
                        a->vcpu_type = vcpu_type_find(optarg);
                        if (!a->vcpu_type)
                                return usage_error("measure",
                                                   "Unknown vCPU type '%s' (see 'cvm measure --help').",
                                                   optarg);
                        a->params.vcpu_sig = vcpu_signature(a->vcpu_type->family, a->vcpu_type->model,
                                                            a->vcpu_type->stepping);
                        break;
                case ARG_GUEST_FEATURES:
                        if (safe_atou64(optarg, 0, &a->params.guest_features) < 0)
                                return usage_error("measure", "--guest-features wants a number, not '%s'.",
                                                   optarg);
                        break;
                case ARG_VMM_TYPE:
                        a->params.vmm = vmm_type_from_string(optarg);
                        if (a->params.vmm < 0)
                                return usage_error("measure", "Unknown VMM type '%s' (qemu, ec2).", optarg);
                        break;
                case ARG_KERNEL:
                        a->kernel = optarg;
                        break;
                case ARG_INITRD:
                        a->initrd = optarg;
                        break;
                case ARG_CMDLINE:
                        a->cmdline = optarg;
                        break;
                case ARG_ID_KEY:
                        a->id_key = optarg;
                        break;
                case ARG_AUTHOR_KEY:
                        a->author_key = optarg;
                        break;
                case ARG_POLICY:
                        if (safe_atou64(optarg, 0, &a->id.policy) < 0)
                                return usage_error("measure", "--policy wants a number, not '%s'.", optarg);
                        /* SNP ABI: policy bit 17 is reserved and must be one; SNP_LAUNCH_START refuses it
                         * clear, so an ID block signed over such a policy could never be used. */
                        if (!(a->id.policy & (UINT64_C(1) << 17)))
                                return usage_error("measure",
                                                   "--policy=%s has bit 17 clear; the SEV-SNP firmware "
                                                   "requires it set (e.g. 0x30000).",
                                                   optarg);
                        id_options = true;
                        break;
                case ARG_FAMILY_ID:
                        if (parse_id(optarg, "--family-id", a->id.family_id) != 0)
                                return CVM_EXIT_ERROR;
                        id_options = true;
                        break;
                case ARG_IMAGE_ID:
                        if (parse_id(optarg, "--image-id", a->id.image_id) != 0)
                                return CVM_EXIT_ERROR;
                        id_options = true;
                        break;
                case ARG_GUEST_SVN:
                        if (safe_atou64(optarg, 0, &u) < 0 || u > UINT32_MAX)
                                return usage_error("measure", "--guest-svn wants a 32-bit number, not '%s'.",
                                                   optarg);
                        a->id.guest_svn = (uint32_t) u;
                        id_options = true;
                        break;
                case ARG_ALLOW_DEBUG:
                        a->allow_debug = true;
                        break;
                default:
                        return usage_error("measure", "Invalid option.");
                }
        if (optind < argc)
                return usage_error("measure", "Unexpected argument '%s'.", argv[optind]);
        if (!have_vcpus)
                return usage_error("measure", "--vcpus=N is required for snp.");
        if (!a->vcpu_type && a->params.vmm != VMM_TYPE_EC2)
                return usage_error("measure", "--vcpu-type=NAME is required for snp (its CPUID signature is "
                                              "in every VMSA).");
        if (!a->kernel && (a->initrd || a->cmdline))
                return usage_error("measure", "--initrd and --cmdline are measured only with --kernel.");
        if (!a->id_key && (a->author_key || id_options))
                return usage_error("measure",
                                   "--author-key, --policy, --family-id, --image-id and --guest-svn "
                                   "go into the ID block: they need --id-key.");
        if (a->id_key && (a->id.policy & SNP_POLICY_DEBUG) && !a->allow_debug)
                return usage_error("measure",
                                   "Policy 0x%" PRIx64 " allows debugging the guest (bit 19), "
                                   "which exposes its memory to the host; pass --allow-debug to "
                                   "sign it anyway.",
                                   a->id.policy);
        return 0;
}

static int read_boot_file(const char *path, const char *what, char **ret, size_t *ret_size)
{
        int r = read_full_file(path, BOOT_FILE_MAX, ret, ret_size);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s '%s': %m", what, path);
        return 0;
}

static int measure_snp(int argc, char *argv[])
{
        SnpArgs a = {};
        int r;

        if ((r = snp_parse(argc, argv, &a)) != 0)
                return r == 1 ? CVM_EXIT_SUCCESS : r;

        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_(ovmf_image_done) OvmfImage img = {};
        size_t size;
        if ((r = firmware_load(a.firmware, "SEV metadata", &data, &size, &img)) != 0)
                return r < 0 ? CVM_EXIT_ERROR : r;

        SevHashes hashes;
        if (a.kernel) {
                _cleanup_free_ char *kernel = NULL, *initrd = NULL;
                size_t kn, in = 0;
                if (read_boot_file(a.kernel, "kernel", &kernel, &kn) < 0 ||
                    (a.initrd && read_boot_file(a.initrd, "initrd", &initrd, &in) < 0))
                        return CVM_EXIT_ERROR;
                if ((r = sev_hashes_compute(kernel, kn, initrd, in, a.cmdline, &hashes)) < 0)
                        return log_error_errno(r, "Failed to hash the kernel, initrd and command line: %m");
                a.params.hashes = &hashes;
        }

        _cleanup_(pkey_freep) EVP_PKEY *id_key = NULL, *author_key = NULL;
        if ((a.id_key && load_key(a.id_key, "ID key", &id_key) < 0) ||
            (a.author_key && load_key(a.author_key, "author key", &author_key) < 0))
                return CVM_EXIT_ERROR;

        SnpLaunchDigest d;
        _cleanup_free_ char *err = NULL;
        r = snp_launch_digest(&img, data, size, &a.params, &d, &err);
        if (r < 0 && err)
                return log_error_errno(r, "Firmware '%s': %s", a.firmware, err);
        if (r < 0)
                return log_error_errno(r, "Firmware '%s': cannot compute the launch digest: %m", a.firmware);

        SnpIdBlock id;
        if (id_key) {
                r = snp_id_block_sign(d.ld, &a.id, id_key, author_key, &id);
                if (r < 0)
                        return log_error_errno(r, "Failed to sign the ID block: %m");
        }

        _cleanup_(json_object_putp) json_object *o = NULL;
        if (snp_json(&a, &d, id_key ? &id : NULL, &o) < 0)
                return log_oom();
        if (a.json)
                return output_json(o) < 0 ? CVM_EXIT_ERROR : CVM_EXIT_SUCCESS;
        snp_print(o);
        return CVM_EXIT_SUCCESS;
}

int verb_measure(int argc, char *argv[])
{
        if (argc >= 2 && streq(argv[1], "tdx"))
                return measure_tdx(argc - 1, argv + 1);
        if (argc >= 2 && streq(argv[1], "snp"))
                return measure_snp(argc - 1, argv + 1);
        if (argc >= 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
                help();
                return CVM_EXIT_SUCCESS;
        }
        if (argc < 2)
                return usage_error("measure", "Which TEE: 'cvm measure tdx' or 'cvm measure snp'?");
        return usage_error("measure", "Unknown TEE '%s' (tdx, snp).", argv[1]);
}
