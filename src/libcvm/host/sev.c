/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The AMD Secure Processor's view of SEV and SEV-SNP, from the SEV_ISSUE_CMD ioctl on /dev/sev
 * (include/uapi/linux/psp-sev.h; drivers/crypto/ccp/sev-dev.c sev_ioctl()). Two read-only commands are
 * issued; neither needs /dev/sev opened for writing, but QEMU opens it O_RDWR, so writability is recorded.
 *
 * The "sev" member of the facts document (and of ROOT/cvm-facts/sev.json in a fake tree):
 *
 *   {
 *     "readable": true, "writable": true, ["write_error": "EACCES",]
 *     "platform_status": {
 *       "api_major": 1, "api_minor": 55, "build": 39, "state": 1, "state_name": "INIT",
 *       "flags": "0x100", "es_initialized": true, "guest_count": 0
 *     },
 *     "snp_platform_status": {
 *       "api_major": 1, "api_minor": 55, "build": 39, "state": 1, "state_name": "INIT",
 *       "init_flags": "0x3", "is_rmp_initialized": true, "alias_check_complete": true,
 *       "config_flags": "0x0", "mask_chip_id": false, "mask_chip_key": false, "vlek_en": false,
 *       "guest_count": 2, "tcb_layout": "milan-genoa",
 *       "current_tcb": {"raw": "0x4817000000000009", "bootloader": 9, "tee": 0, "snp": 23, "microcode": 72},
 *       "reported_tcb": {"raw": "0x4817000000000009", ...}
 *     }
 *   }
 *
 * readable/writable: open(O_RDWR) worked; after EACCES, EPERM or EROFS open(O_RDONLY) is tried and
 *   write_error tells why read-write was refused.
 * platform_status: PLATFORM_STATUS (command 1), struct sev_user_data_status. state: SEV API spec (AMD 55766)
 *   0 UNINIT, 1 INIT, 2 WORKING. flags: the raw 32-bit platform flags; es_initialized is bit 8,
 *   SEV_STATUS_FLAGS_CONFIG_ES (0x0100).
 * snp_platform_status: SNP_PLATFORM_STATUS (command 9, Linux >= 6.11), struct sev_user_data_snp_status.
 *   state: SEV-SNP firmware ABI (AMD 56860) 0 UNINIT, 1 INIT. init_flags: byte 3, whose bit 0 is IS_RMP_INIT
 *   and bit 1 ALIAS_CHECK_COMPLETE (firmware from Milan 1.55.22 / Genoa 1.55.38; virtee/sev PlatformInit).
 *   config_flags: bytes 8-11 (bit 0 mask_chip_id, 1 mask_chip_key, 2 vlek_en, 3 feature_info, 4 rapl_dis,
 *   5/6 ciphertext hiding capable/enabled). The TCB_VERSIONs are decoded by CPU family: "milan-genoa"
 *   (19h) gives bootloader/tee/snp/microcode, "turin" (1Ah) adds fmc, "unknown" keeps only "raw".
 *
 * A failed command is recorded in place of its object as {"error": "EINVAL", "fw_error": N}, N being the
 * firmware status the kernel returned in sev_issue_cmd.error: 0 when the kernel refused the command itself,
 * as it does for SNP_PLATFORM_STATUS before SNP is initialised and on kernels older than 6.11; -1 is
 * SEV_RET_NO_FW_CALL. When /dev/sev cannot be opened at all the whole probe fails with that errno.
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "facts.h"
#include "fileio.h"
#include "log.h"
#include "reader.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* The command numbers of include/uapi/linux/psp-sev.h's anonymous enum (SEV_FACTORY_RESET = 0, ...). */
enum {
        SEV_CMD_PLATFORM_STATUS = 1,
        SEV_CMD_SNP_PLATFORM_STATUS = 9,
};

/*
 * struct sev_issue_cmd: { __u32 cmd; __u64 data; __u32 error; } __packed, 16 bytes. This is the argument we
 * hand to the kernel, not input we parse; the kernel writes only .error into it.
 */
struct sev_issue_cmd_arg {
        uint32_t cmd;
        uint64_t data;
        uint32_t error;
} __attribute__((packed));
static_assert(sizeof(struct sev_issue_cmd_arg) == 16, "struct sev_issue_cmd is 16 bytes");

#define SEV_IOC_TYPE     'S'
#define SEV_ISSUE_CMD_NR _IOWR(SEV_IOC_TYPE, 0x0, struct sev_issue_cmd_arg)

/* Sizes the kernel copies out: struct sev_user_data_status (packed) and struct sev_user_data_snp_status. */
#define SEV_STATUS_SIZE 12
#define SNP_STATUS_SIZE 32
/* The kernel copies sizeof(its struct); a page leaves room should a later kernel grow either struct. */
#define SEV_STATUS_BUF_SIZE 4096

#define SEV_STATUS_FLAGS_CONFIG_ES UINT32_C(0x0100)

#define SNP_INIT_IS_RMP_INIT          (1u << 0)
#define SNP_INIT_ALIAS_CHECK_COMPLETE (1u << 1) /* virtee/snphost#108: test the bit, not the byte */
#define SNP_CONFIG_MASK_CHIP_ID       (1u << 0)
#define SNP_CONFIG_MASK_CHIP_KEY      (1u << 1)
#define SNP_CONFIG_VLEK_EN            (1u << 2)

static const char *sev_state_name(uint8_t state)
{
        /* SEV API spec (AMD 55766) PLATFORM_STATUS: 0 UNINIT, 1 INIT, 2 WORKING. */
        static const char *const names[] = { "UNINIT", "INIT", "WORKING" };
        return state < ELEMENTSOF(names) ? names[state] : "unknown";
}

static const char *snp_state_name(uint8_t state)
{
        /* SEV-SNP firmware ABI (AMD 56860) SNP_PLATFORM_STATUS: 0 UNINIT, 1 INIT. */
        static const char *const names[] = { "UNINIT", "INIT" };
        return state < ELEMENTSOF(names) ? names[state] : "unknown";
}

typedef enum TcbLayout {
        TCB_LAYOUT_MILAN_GENOA, /* 19h: byte 0 BL, 1 TEE, 2-5 reserved, 6 SNP, 7 UCODE */
        TCB_LAYOUT_TURIN,       /* 1Ah: byte 0 FMC, 1 BL, 2 TEE, 3 SNP, 4-6 reserved, 7 UCODE */
        TCB_LAYOUT_UNKNOWN,
} TcbLayout;

static const char *const tcb_layout_names[] = {
        [TCB_LAYOUT_MILAN_GENOA] = "milan-genoa",
        [TCB_LAYOUT_TURIN] = "turin",
        [TCB_LAYOUT_UNKNOWN] = "unknown",
};

/*
 * TCB_VERSION's byte layout depends on the CPU generation (SEV-SNP firmware ABI, TCB_VERSION; virtee/sev
 * from_legacy_bytes / from_turin_bytes): family 19h (Milan, Genoa) and family 1Ah (Turin) differ.
 */
static TcbLayout tcb_layout_for_family(unsigned family)
{
        if (family == 0x19)
                return TCB_LAYOUT_MILAN_GENOA;
        if (family == 0x1a)
                return TCB_LAYOUT_TURIN;
        return TCB_LAYOUT_UNKNOWN;
}

typedef struct TcbField {
        const char *name;
        unsigned byte;
} TcbField;

static const TcbField tcb_fields_milan_genoa[] = {
        { "bootloader", 0 },
        { "tee", 1 },
        { "snp", 6 },
        { "microcode", 7 },
};
static const TcbField tcb_fields_turin[] = {
        { "fmc", 0 }, { "bootloader", 1 }, { "tee", 2 }, { "snp", 3 }, { "microcode", 7 },
};

static json_object *tcb_to_json(uint64_t raw, TcbLayout layout)
{
        const TcbField *fields = NULL;
        size_t n = 0;

        if (layout == TCB_LAYOUT_MILAN_GENOA) {
                fields = tcb_fields_milan_genoa;
                n = ELEMENTSOF(tcb_fields_milan_genoa);
        } else if (layout == TCB_LAYOUT_TURIN) {
                fields = tcb_fields_turin;
                n = ELEMENTSOF(tcb_fields_turin);
        }

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o || json_add(o, "raw", json_hex_new(raw)) < 0)
                return NULL;
        /* TCB_VERSION is a little-endian u64: byte i is bits 8i+7..8i. */
        for (size_t i = 0; i < n; i++)
                if (json_add(o, fields[i].name,
                             json_object_new_int((int) ((raw >> (8 * fields[i].byte)) & 0xff))) < 0)
                        return NULL;
        return TAKE_PTR(o);
}

/* Decodes the PLATFORM_STATUS output (struct sev_user_data_status, packed, 12 bytes). */
static int sev_status_decode(const uint8_t *buf, size_t size, json_object **ret)
{
        Reader rd = reader_init(buf, size);
        uint8_t api_major, api_minor, state, build;
        uint32_t flags, guests;

        if (reader_u8(&rd, &api_major) < 0 || reader_u8(&rd, &api_minor) < 0 || reader_u8(&rd, &state) < 0 ||
            reader_u32le(&rd, &flags) < 0 || reader_u8(&rd, &build) < 0 || reader_u32le(&rd, &guests) < 0)
                return -EBADMSG;

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o || json_add(o, "api_major", json_object_new_int(api_major)) < 0 ||
            json_add(o, "api_minor", json_object_new_int(api_minor)) < 0 ||
            json_add(o, "build", json_object_new_int(build)) < 0 ||
            json_add(o, "state", json_object_new_int(state)) < 0 ||
            json_add(o, "state_name", json_object_new_string(sev_state_name(state))) < 0 ||
            json_add(o, "flags", json_hex_new(flags)) < 0 ||
            json_add(o, "es_initialized", json_object_new_boolean(!!(flags & SEV_STATUS_FLAGS_CONFIG_ES))) <
                    0 ||
            json_add(o, "guest_count", json_object_new_int64(guests)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* Decodes the SNP_PLATFORM_STATUS output (struct sev_user_data_snp_status, 32 bytes). */
static int snp_status_decode(const uint8_t *buf, size_t size, unsigned cpu_family, json_object **ret)
{
        Reader rd = reader_init(buf, size);
        uint8_t api_major, api_minor, state, init;
        uint32_t build, config, guests;
        uint64_t current_tcb, reported_tcb;

        if (reader_u8(&rd, &api_major) < 0 || reader_u8(&rd, &api_minor) < 0 || reader_u8(&rd, &state) < 0 ||
            reader_u8(&rd, &init) < 0 || reader_u32le(&rd, &build) < 0 || reader_u32le(&rd, &config) < 0 ||
            reader_u32le(&rd, &guests) < 0 || reader_u64le(&rd, &current_tcb) < 0 ||
            reader_u64le(&rd, &reported_tcb) < 0)
                return -EBADMSG;

        TcbLayout layout = tcb_layout_for_family(cpu_family);
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o || json_add(o, "api_major", json_object_new_int(api_major)) < 0 ||
            json_add(o, "api_minor", json_object_new_int(api_minor)) < 0 ||
            json_add(o, "build", json_object_new_int64(build)) < 0 ||
            json_add(o, "state", json_object_new_int(state)) < 0 ||
            json_add(o, "state_name", json_object_new_string(snp_state_name(state))) < 0 ||
            json_add(o, "init_flags", json_hex_new(init)) < 0 ||
            json_add(o, "is_rmp_initialized", json_object_new_boolean(!!(init & SNP_INIT_IS_RMP_INIT))) <
                    0 ||
            json_add(o, "alias_check_complete",
                     json_object_new_boolean(!!(init & SNP_INIT_ALIAS_CHECK_COMPLETE))) < 0 ||
            json_add(o, "config_flags", json_hex_new(config)) < 0 ||
            json_add(o, "mask_chip_id", json_object_new_boolean(!!(config & SNP_CONFIG_MASK_CHIP_ID))) < 0 ||
            json_add(o, "mask_chip_key", json_object_new_boolean(!!(config & SNP_CONFIG_MASK_CHIP_KEY))) <
                    0 ||
            json_add(o, "vlek_en", json_object_new_boolean(!!(config & SNP_CONFIG_VLEK_EN))) < 0 ||
            json_add(o, "guest_count", json_object_new_int64(guests)) < 0 ||
            json_add(o, "tcb_layout", json_object_new_string(tcb_layout_names[layout])) < 0 ||
            json_add(o, "current_tcb", tcb_to_json(current_tcb, layout)) < 0 ||
            json_add(o, "reported_tcb", tcb_to_json(reported_tcb, layout)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* {"error": NAME, "fw_error": N}: the form a failed command takes in the facts. */
static json_object *sev_cmd_error_new(int error, uint32_t fw_error)
{
        _cleanup_(json_object_putp) json_object *o = json_error_new(error);
        /* SEV_RET_NO_FW_CALL is -1 in a u32 field; keep its sign so it reads as the header spells it. */
        if (!o || json_add(o, "fw_error", json_object_new_int64((int32_t) fw_error)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

/* Issues one status command; on failure the result is the error object, not a -errno. */
static int sev_issue_status(int fd, uint32_t cmd, unsigned cpu_family, json_object **ret)
{
        _cleanup_free_ uint8_t *buf = calloc(1, SEV_STATUS_BUF_SIZE);
        if (!buf)
                return -ENOMEM;

        struct sev_issue_cmd_arg arg = {
                .cmd = cmd,
                .data = (uint64_t) (uintptr_t) buf,
        };
        if (ioctl(fd, SEV_ISSUE_CMD_NR, &arg) < 0) {
                int e = negative_errno();
                log_debug_errno(
                        e, "SEV_ISSUE_CMD %" PRIu32 " on /dev/sev failed, firmware error %#" PRIx32 ": %m",
                        cmd, arg.error);
                *ret = sev_cmd_error_new(e, arg.error);
                return *ret ? 0 : -ENOMEM;
        }

        int r = cmd == SEV_CMD_PLATFORM_STATUS ? sev_status_decode(buf, SEV_STATUS_SIZE, ret)
                                               : snp_status_decode(buf, SNP_STATUS_SIZE, cpu_family, ret);
        if (r == -EBADMSG) { /* cannot happen with the fixed sizes above; keep the fact honest if it does */
                *ret = sev_cmd_error_new(r, 0);
                return *ret ? 0 : -ENOMEM;
        }
        return r;
}

/* The CPU family of CPUID leaf 1 (base family, plus extended family when the base is 0xF). */
static unsigned host_cpu_family(void)
{
#if defined(__x86_64__) || defined(__i386__)
        uint32_t a, b, c, d;
        __cpuid(1, a, b, c, d);
        unsigned family = (a >> 8) & 0xf;
        if (family == 0xf)
                family += (a >> 20) & 0xff;
        return family;
#else
        return 0;
#endif
}

int probe_sev(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        (void) qemu;
        (void) flags;
        char name[16];

        int write_error = 0;
        _cleanup_close_ int fd = open_at_root(root, "/dev/sev", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd == -EACCES || fd == -EPERM || fd == -EROFS) {
                write_error = fd;
                fd = open_at_root(root, "/dev/sev", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        }
        if (fd < 0)
                return log_debug_errno(fd, "Cannot open /dev/sev: %m");

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o || json_add(o, "readable", json_object_new_boolean(true)) < 0 ||
            json_add(o, "writable", json_object_new_boolean(write_error == 0)) < 0)
                return -ENOMEM;
        if (write_error < 0 &&
            json_add(o, "write_error", json_object_new_string(errno_to_name(write_error, name))) < 0)
                return -ENOMEM;

        unsigned family = host_cpu_family();
        json_object *st = NULL;
        int r = sev_issue_status(fd, SEV_CMD_PLATFORM_STATUS, family, &st);
        if (r < 0)
                return r;
        if (json_add(o, "platform_status", st) < 0)
                return -ENOMEM;

        r = sev_issue_status(fd, SEV_CMD_SNP_PLATFORM_STATUS, family, &st);
        if (r < 0)
                return r;
        if (json_add(o, "snp_platform_status", st) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}
