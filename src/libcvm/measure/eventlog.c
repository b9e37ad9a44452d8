/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CCEL ACPI table and TCG2 crypto-agile event log: parse, replay, decode (layouts and sources in
 * eventlog.h).
 */
#include <inttypes.h>

#include "eventlog.h"
#include "hexbase64.h"
#include "json-util.h"
#include "measure-util.h"
#include "ovmf.h"
#include "reader.h"

/* TCG_PCR_EVENT (the SHA-1 format header record): pcr, type, 20-byte digest, event size. */
#define LEGACY_HEADER_SIZE 32U
#define SPEC_ID_SIGNATURE  "Spec ID Event03"

static const char *const cc_event_type_table[] = {
        [EV_PREBOOT_CERT] = "EV_PREBOOT_CERT",
        [EV_POST_CODE] = "EV_POST_CODE",
        [EV_UNUSED] = "EV_UNUSED",
        [EV_NO_ACTION] = "EV_NO_ACTION",
        [EV_SEPARATOR] = "EV_SEPARATOR",
        [EV_ACTION] = "EV_ACTION",
        [EV_EVENT_TAG] = "EV_EVENT_TAG",
        [EV_S_CRTM_CONTENTS] = "EV_S_CRTM_CONTENTS",
        [EV_S_CRTM_VERSION] = "EV_S_CRTM_VERSION",
        [EV_CPU_MICROCODE] = "EV_CPU_MICROCODE",
        [EV_PLATFORM_CONFIG_FLAGS] = "EV_PLATFORM_CONFIG_FLAGS",
        [EV_TABLE_OF_DEVICES] = "EV_TABLE_OF_DEVICES",
        [EV_COMPACT_HASH] = "EV_COMPACT_HASH",
        [EV_IPL] = "EV_IPL",
        [EV_IPL_PARTITION_DATA] = "EV_IPL_PARTITION_DATA",
        [EV_NONHOST_CODE] = "EV_NONHOST_CODE",
        [EV_NONHOST_CONFIG] = "EV_NONHOST_CONFIG",
        [EV_NONHOST_INFO] = "EV_NONHOST_INFO",
        [EV_OMIT_BOOT_DEVICE_EVENTS] = "EV_OMIT_BOOT_DEVICE_EVENTS",
        [EV_POST_CODE2] = "EV_POST_CODE2",
};

/* The EFI types, indexed by type - EV_EFI_EVENT_BASE. */
static const char *const cc_efi_event_type_table[] = {
        [0x0] = "EV_EFI_EVENT_BASE",
        [0x1] = "EV_EFI_VARIABLE_DRIVER_CONFIG",
        [0x2] = "EV_EFI_VARIABLE_BOOT",
        [0x3] = "EV_EFI_BOOT_SERVICES_APPLICATION",
        [0x4] = "EV_EFI_BOOT_SERVICES_DRIVER",
        [0x5] = "EV_EFI_RUNTIME_SERVICES_DRIVER",
        [0x6] = "EV_EFI_GPT_EVENT",
        [0x7] = "EV_EFI_ACTION",
        [0x8] = "EV_EFI_PLATFORM_FIRMWARE_BLOB",
        [0x9] = "EV_EFI_HANDOFF_TABLES",
        [0xa] = "EV_EFI_PLATFORM_FIRMWARE_BLOB2",
        [0xb] = "EV_EFI_HANDOFF_TABLES2",
        [0xc] = "EV_EFI_VARIABLE_BOOT2",
        [0xd] = "EV_EFI_GPT_EVENT2",
        [0x10] = "EV_EFI_HCRTM_EVENT",
        [0xe0] = "EV_EFI_VARIABLE_AUTHORITY",
        [0xe1] = "EV_EFI_SPDM_FIRMWARE_BLOB",
        [0xe2] = "EV_EFI_SPDM_FIRMWARE_CONFIG",
};

const char *cc_event_type_to_string(uint32_t type)
{
        if (type < ELEMENTSOF(cc_event_type_table))
                return cc_event_type_table[type];
        if (type >= EV_EFI_EVENT_BASE && type - EV_EFI_EVENT_BASE < ELEMENTSOF(cc_efi_event_type_table))
                return cc_efi_event_type_table[type - EV_EFI_EVENT_BASE];
        return NULL;
}

int64_t cc_event_type_from_string(const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(cc_event_type_table); i++)
                if (cc_event_type_table[i] && streq(cc_event_type_table[i], s))
                        return (int64_t) i;
        for (size_t i = 0; i < ELEMENTSOF(cc_efi_event_type_table); i++)
                if (cc_efi_event_type_table[i] && streq(cc_efi_event_type_table[i], s))
                        return (int64_t) (EV_EFI_EVENT_BASE + i);
        return -EINVAL;
}

const char *tpm_alg_to_string(uint16_t alg)
{
        switch (alg) {
        case TPM_ALG_SHA1:
                return "sha1";
        case TPM_ALG_SHA256:
                return "sha256";
        case TPM_ALG_SHA384:
                return "sha384";
        case TPM_ALG_SHA512:
                return "sha512";
        case TPM_ALG_SM3_256:
                return "sm3_256";
        default:
                return NULL;
        }
}

const char *ccel_cc_type_to_string(uint8_t t)
{
        return t == CCEL_CC_TYPE_TDX ? "tdx" : t == CCEL_CC_TYPE_SEV ? "sev" : NULL;
}

int ccel_table_parse(const void *buf, size_t size, CcelTable *ret, char **reterr)
{
        Reader r = reader_init(buf, size);
        CcelTable t = {};
        const uint8_t *sig, *p;
        uint8_t sum = 0;

        if (size < 4 || reader_bytes(&r, 4, &sig) < 0 || memcmp(sig, CCEL_SIGNATURE, 4) != 0)
                return parse_error(reterr, -EBADMSG,
                                   "CCEL table: signature at offset 0 is not \"CCEL\" (%zu bytes given)",
                                   size);
        if (reader_u32le(&r, &t.length) < 0)
                return parse_error(reterr, -EBADMSG, "CCEL table: truncated at the Length field (offset 4)");
        if (t.length < CCEL_TABLE_SIZE)
                return parse_error(reterr, -EBADMSG,
                                   "CCEL table: Length %" PRIu32
                                   " at offset 4 is smaller than the %u bytes of the table's fields",
                                   t.length, CCEL_TABLE_SIZE);
        if (t.length != size)
                return parse_error(reterr, -EBADMSG,
                                   "CCEL table: Length %" PRIu32
                                   " at offset 4 does not match the %zu bytes given",
                                   t.length, size);
        if (reader_peek_at(&r, 0, size, &p) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < size; i++)
                sum = (uint8_t) (sum + p[i]);
        if (sum != 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "CCEL table: the bytes do not sum to zero (Checksum at offset 9 is 0x%02x, "
                        "the sum 0x%02x)",
                        p[9], sum);
        (void) reader_u8(&r, &t.revision);
        (void) reader_skip(&r, 1); /* checksum */
        (void) reader_copy(&r, t.oem_id, 6);
        (void) reader_copy(&r, t.oem_table_id, 8);
        (void) reader_u32le(&r, &t.oem_revision);
        (void) reader_copy(&r, t.creator_id, 4);
        (void) reader_u32le(&r, &t.creator_revision);
        (void) reader_u8(&r, &t.cc_type);
        (void) reader_u8(&r, &t.cc_subtype);
        (void) reader_skip(&r, 2);
        (void) reader_u64le(&r, &t.laml);
        (void) reader_u64le(&r, &t.lasa);
        *ret = t;
        return 0;
}

void cc_event_log_done(CcEventLog *log)
{
        if (!log)
                return;
        free(log->raw);
        free(log->events);
        *log = (CcEventLog){};
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] != v)
                        return false;
        return true;
}

static int parse_header(Reader *r, CcEventLog *log, CcEvent *ev, char **reterr)
{
        uint32_t pcr, type, size;
        const uint8_t *sig;
        Reader s;

        if (reader_u32le(r, &pcr) < 0 || reader_u32le(r, &type) < 0 || reader_skip(r, 20) < 0 ||
            reader_u32le(r, &size) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: header record (event 0) truncated: %zu bytes, need %u",
                                   r->size, LEGACY_HEADER_SIZE);
        if (type != EV_NO_ACTION)
                return parse_error(reterr, -EBADMSG,
                                   "event log: header record (event 0) at offset 0 has type 0x%" PRIx32
                                   ", not EV_NO_ACTION (field EventType, offset 4)",
                                   type);
        if (reader_sub(r, size, &s) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: header record (event 0): EventSize %" PRIu32
                                   " at offset 28 runs past the end of the log (%zu bytes)",
                                   size, r->size);
        if (reader_bytes(&s, 16, &sig) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: header record (event 0): Spec ID event of %" PRIu32
                                   " bytes is too short for its signature (offset 32)",
                                   size);
        if (memcmp(sig, SPEC_ID_SIGNATURE, sizeof(SPEC_ID_SIGNATURE)) != 0)
                return parse_error(
                        reterr, -EOPNOTSUPP,
                        "event log: header record (event 0): signature at offset 32 is not \"%s\": "
                        "not a crypto-agile (TCG2) log",
                        SPEC_ID_SIGNATURE);

        uint32_t n_alg;
        if (reader_u32le(&s, &log->platform_class) < 0 || reader_u8(&s, &log->spec_version_minor) < 0 ||
            reader_u8(&s, &log->spec_version_major) < 0 || reader_u8(&s, &log->spec_errata) < 0 ||
            reader_u8(&s, &log->uintn_size) < 0 || reader_u32le(&s, &n_alg) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: Spec ID event (event 0) truncated before numberOfAlgorithms "
                                   "(offset 56)");
        if (n_alg == 0 || n_alg > CC_ALGORITHMS_MAX)
                return parse_error(reterr, -EBADMSG,
                                   "event log: Spec ID event (event 0): numberOfAlgorithms %" PRIu32
                                   " at offset 56 is not 1..%u",
                                   n_alg, CC_ALGORITHMS_MAX);
        bool sha384 = false;
        for (uint32_t i = 0; i < n_alg; i++) {
                CcSpecAlgorithm *a = log->algorithms + i;
                if (reader_u16le(&s, &a->alg) < 0 || reader_u16le(&s, &a->digest_size) < 0)
                        return parse_error(reterr, -EBADMSG,
                                           "event log: Spec ID event (event 0): algorithm %" PRIu32
                                           " at offset 0x%zx is truncated",
                                           i, LEGACY_HEADER_SIZE + s.off);
                if (a->digest_size == 0 || a->digest_size > 64)
                        return parse_error(reterr, -EBADMSG,
                                           "event log: Spec ID event (event 0): algorithm 0x%04x has digest "
                                           "size %u (offset 0x%zx), not 1..64",
                                           a->alg, a->digest_size, LEGACY_HEADER_SIZE + s.off - 2);
                if (a->alg == TPM_ALG_SHA384) {
                        if (a->digest_size != CC_MR_DIGEST_SIZE)
                                return parse_error(reterr, -EBADMSG,
                                                   "event log: Spec ID event (event 0): SHA-384 digest size "
                                                   "is %u (offset 0x%zx), not 48",
                                                   a->digest_size, LEGACY_HEADER_SIZE + s.off - 2);
                        sha384 = true;
                }
        }
        log->n_algorithms = n_alg;
        if (!sha384)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "event log: Spec ID event (event 0) lists no SHA-384 digests: not a TDX "
                                   "RTMR log");
        uint8_t vendor;
        if (reader_u8(&s, &vendor) < 0 || reader_skip(&s, vendor) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: Spec ID event (event 0): vendorInfo runs past its EventSize "
                                   "%" PRIu32,
                                   size);

        *ev = (CcEvent){ .index = 0,
                         .offset = 0,
                         .size = r->off,
                         .mr_index = pcr,
                         .type = type,
                         .data_size = size,
                         .data_offset = LEGACY_HEADER_SIZE,
                         .data = r->p + LEGACY_HEADER_SIZE };
        return 0;
}

static const CcSpecAlgorithm *find_algorithm(const CcEventLog *log, uint16_t alg)
{
        for (size_t i = 0; i < log->n_algorithms; i++)
                if (log->algorithms[i].alg == alg)
                        return log->algorithms + i;
        return NULL;
}

static int parse_event(Reader *r, const CcEventLog *log, size_t index, CcEvent *ev, char **reterr)
{
        size_t start = r->off;
        uint32_t count;

        *ev = (CcEvent){ .index = index, .offset = start };
        if (reader_u32le(r, &ev->mr_index) < 0 || reader_u32le(r, &ev->type) < 0 ||
            reader_u32le(r, &count) < 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "event log: event %zu at offset 0x%zx is truncated in its header (%zu bytes "
                        "left)",
                        index, start, r->size - start);
        if (count == 0 || count > log->n_algorithms)
                return parse_error(reterr, -EBADMSG,
                                   "event log: event %zu at offset 0x%zx: digest count %" PRIu32
                                   " (offset 0x%zx) is not 1..%zu, the algorithms of the Spec ID event",
                                   index, start, count, start + 8, log->n_algorithms);
        for (uint32_t i = 0; i < count; i++) {
                size_t at = r->off;
                uint16_t alg;
                if (reader_u16le(r, &alg) < 0)
                        return parse_error(reterr, -EBADMSG,
                                           "event log: event %zu at offset 0x%zx: digest %" PRIu32
                                           " truncated at offset 0x%zx",
                                           index, start, i, at);
                const CcSpecAlgorithm *a = find_algorithm(log, alg);
                if (!a)
                        return parse_error(
                                reterr, -EBADMSG,
                                "event log: event %zu at offset 0x%zx: digest %" PRIu32
                                " has algorithm 0x%04x (offset 0x%zx), which the Spec ID event does "
                                "not list",
                                index, start, i, alg, at);
                for (uint32_t j = 0; j < i; j++)
                        if (ev->digests[j].alg == alg)
                                return parse_error(reterr, -EBADMSG,
                                                   "event log: event %zu at offset 0x%zx: algorithm 0x%04x "
                                                   "appears twice (offset 0x%zx)",
                                                   index, start, alg, at);
                CcDigest *d = ev->digests + i;
                d->alg = alg;
                d->size = a->digest_size;
                if (reader_bytes(r, d->size, &d->bytes) < 0)
                        return parse_error(
                                reterr, -EBADMSG,
                                "event log: event %zu at offset 0x%zx: %s digest at offset 0x%zx runs "
                                "past the end of the log",
                                index, start, strna(tpm_alg_to_string(alg)), at + 2);
                if (alg == TPM_ALG_SHA384)
                        ev->sha384 = d->bytes;
        }
        ev->n_digests = count;
        if (!ev->sha384)
                return parse_error(reterr, -EBADMSG,
                                   "event log: event %zu at offset 0x%zx has no SHA-384 digest", index,
                                   start);

        size_t at = r->off;
        if (reader_u32le(r, &ev->data_size) < 0)
                return parse_error(
                        reterr, -EBADMSG,
                        "event log: event %zu at offset 0x%zx: EventSize at offset 0x%zx is truncated",
                        index, start, at);
        if (ev->data_size > CC_EVENT_DATA_MAX)
                return parse_error(reterr, -E2BIG,
                                   "event log: event %zu at offset 0x%zx: EventSize %" PRIu32
                                   " (offset 0x%zx) is over the %u-byte cap",
                                   index, start, ev->data_size, at, CC_EVENT_DATA_MAX);
        ev->data_offset = r->off;
        if (reader_bytes(r, ev->data_size, &ev->data) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "event log: event %zu at offset 0x%zx: EventSize %" PRIu32
                                   " (offset 0x%zx) runs past the end of the log (%zu bytes left)",
                                   index, start, ev->data_size, at, r->size - ev->data_offset);
        ev->size = r->off - start;
        return 0;
}

int cc_event_log_parse(const void *buf, size_t size, CcEventLog *ret, char **reterr)
{
        _cleanup_(cc_event_log_done) CcEventLog log = {};
        size_t allocated = 0;
        int r;

        if (size > CC_EVENTLOG_MAX)
                return parse_error(reterr, -E2BIG, "event log: %zu bytes is over the %u-byte cap", size,
                                   CC_EVENTLOG_MAX);
        log.raw = malloc(size ?: 1);
        if (!log.raw)
                return -ENOMEM;
        if (size > 0)
                memcpy(log.raw, buf, size);
        log.size = size;

        Reader rd = reader_init(log.raw, size);
        for (;;) {
                if (log.n_events == allocated) {
                        size_t n = allocated ? allocated * 2 : 64;
                        CcEvent *e = reallocarray(log.events, n, sizeof(CcEvent));
                        if (!e)
                                return -ENOMEM;
                        log.events = e;
                        allocated = n;
                }
                if (log.n_events == 0) {
                        r = parse_header(&rd, &log, log.events, reterr);
                        if (r < 0)
                                return r;
                        log.n_events = 1;
                        continue;
                }

                size_t left = reader_remaining(&rd);
                if (left == 0)
                        break;
                const uint8_t *p;
                (void) reader_peek_at(&rd, rd.off, MIN(left, (size_t) 8), &p);
                /* edk2 leaves the rest of the log area 0xFF; other producers zero it. */
                if (all_bytes(p, MIN(left, (size_t) 8), 0xff) || all_bytes(p, MIN(left, (size_t) 8), 0)) {
                        log.terminated = true;
                        break;
                }
                r = parse_event(&rd, &log, log.n_events, log.events + log.n_events, reterr);
                if (r < 0)
                        return r;
                log.n_events++;
        }
        log.used = rd.off;
        *ret = log;
        log = (CcEventLog){};
        return 0;
}

int rtmr_extend(uint8_t rtmr[static CC_MR_DIGEST_SIZE], const uint8_t digest[static CC_MR_DIGEST_SIZE])
{
        uint8_t buf[2 * CC_MR_DIGEST_SIZE];

        memcpy(buf, rtmr, CC_MR_DIGEST_SIZE);
        memcpy(buf + CC_MR_DIGEST_SIZE, digest, CC_MR_DIGEST_SIZE);
        return sha384_buf(buf, sizeof(buf), rtmr);
}

int cc_event_log_replay(const CcEventLog *log, uint8_t ret[static CC_RTMR_COUNT][CC_MR_DIGEST_SIZE],
                        char **reterr)
{
        uint8_t rtmr[CC_RTMR_COUNT][CC_MR_DIGEST_SIZE] = {};
        int r;

        for (size_t i = 1; i < log->n_events; i++) {
                const CcEvent *ev = log->events + i;
                if (ev->type == EV_NO_ACTION)
                        continue;
                if (ev->mr_index < 1 || ev->mr_index > CC_RTMR_COUNT)
                        return parse_error(reterr, -EBADMSG,
                                           "event log: event %zu at offset 0x%zx: MR index %" PRIu32
                                           " is not 1..4 (RTMR0..3); MR index 0 (MRTD) cannot be extended",
                                           ev->index, ev->offset, ev->mr_index);
                r = rtmr_extend(rtmr[ev->mr_index - 1], ev->sha384);
                if (r < 0)
                        return r;
        }
        memcpy(ret, rtmr, sizeof(rtmr));
        return 0;
}

/* Decoding, for display. Structures that do not fit are reported in the object, never as errors. */

static bool is_text(const uint8_t *p, size_t n)
{
        if (n > 0 && p[n - 1] == 0)
                n--;
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\n' && p[i] != '\t')
                        return false;
        return true;
}

static int add_text(json_object *o, const char *key, const uint8_t *p, size_t n)
{
        if (n > 0 && p[n - 1] == 0)
                n--;
        return json_add(o, key, json_object_new_string_len((const char *) p, (int) n));
}

static int add_hex(json_object *o, const char *key, const uint8_t *p, size_t n)
{
        _cleanup_free_ char *h = NULL;
        int r = hex_encode(p, n, &h);
        if (r < 0)
                return r;
        return json_add(o, key, json_object_new_string(h));
}

static int add_guid(json_object *o, const char *key, const uint8_t *p)
{
        char buf[EFI_GUID_STRING_MAX];
        EfiGuid g;
        memcpy(g.bytes, p, sizeof(g.bytes));
        return json_add(o, key, json_object_new_string(efi_guid_to_string(&g, buf)));
}

static int add_utf16(json_object *o, const char *key, const uint8_t *p, size_t n)
{
        _cleanup_free_ char *s = NULL;
        int r = utf16le_to_utf8(p, n, &s);
        if (r < 0)
                return r;
        return json_add(o, key, json_object_new_string(s));
}

static int add_u64(json_object *o, const char *key, uint64_t v)
{
        return json_add(o, key, json_hex_new(v));
}

#define DEVICE_PATH_NODES_MAX 32U

/* UEFI 2.10 §10.3 device path nodes, the few firmware logs carry, as UEFI's text forms. */
static int device_path_text(const uint8_t *p, size_t n, char **ret)
{
        Reader r = reader_init(p, n);
        _cleanup_free_ char *out = strdup("");

        if (!out)
                return -ENOMEM;
        for (size_t n_nodes = 0; reader_remaining(&r) > 0; n_nodes++) {
                uint8_t type, subtype;
                uint16_t len;
                const uint8_t *body;
                _cleanup_free_ char *node = NULL;
                char g[EFI_GUID_STRING_MAX];
                EfiGuid guid;

                if (reader_u8(&r, &type) < 0 || reader_u8(&r, &subtype) < 0 || reader_u16le(&r, &len) < 0 ||
                    len < 4 || reader_bytes(&r, len - 4U, &body) < 0)
                        return -EBADMSG;
                size_t bl = len - 4U;
                if (type == 0x7f)
                        break;
                if (n_nodes == DEVICE_PATH_NODES_MAX) {
                        /* Real paths have a handful of nodes; do not let a crafted one cost O(n^2). */
                        char *joined;
                        if (asprintf(&joined, "%s/...", out) < 0)
                                return -ENOMEM;
                        free(out);
                        out = joined;
                        break;
                }
                if (type == 4 && subtype == 4) {
                        if (utf16le_to_utf8(body, bl & ~(size_t) 1, &node) < 0)
                                return -ENOMEM;
                } else if (type == 4 && (subtype == 6 || subtype == 7 || subtype == 3) && bl >= 16) {
                        memcpy(guid.bytes, body, 16);
                        if (asprintf(&node, "%s(%s)",
                                     subtype == 6   ? "FvFile"
                                     : subtype == 7 ? "Fv"
                                                    : "VenMedia",
                                     efi_guid_to_string(&guid, g)) < 0)
                                return -ENOMEM;
                } else if (type == 4 && subtype == 1 && bl >= 4) {
                        uint32_t part = (uint32_t) body[0] | (uint32_t) body[1] << 8 |
                                        (uint32_t) body[2] << 16 | (uint32_t) body[3] << 24;
                        if (asprintf(&node, "HD(%" PRIu32 ")", part) < 0)
                                return -ENOMEM;
                } else if (asprintf(&node, "Path(%u,%u)", type, subtype) < 0)
                        return -ENOMEM;

                char *joined;
                if (asprintf(&joined, "%s%s%s", out, *out ? "/" : "", node) < 0)
                        return -ENOMEM;
                free(out);
                out = joined;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static int decode_variable(const CcEvent *ev, json_object *o, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        const uint8_t *guid, *name, *data;
        uint64_t name_len, data_len;
        _cleanup_free_ char *n = NULL;
        int k;

        if (reader_bytes(&r, 16, &guid) < 0 || reader_u64le(&r, &name_len) < 0 ||
            reader_u64le(&r, &data_len) < 0 || name_len > ev->data_size / 2 ||
            reader_bytes(&r, name_len * 2, &name) < 0 || data_len > reader_remaining(&r) ||
            reader_bytes(&r, data_len, &data) < 0) {
                *malformed = "UEFI_VARIABLE_DATA: lengths do not fit the event data";
                return 0;
        }
        if ((k = add_guid(o, "variable_guid", guid)) < 0 ||
            (k = utf16le_to_utf8(name, name_len * 2, &n)) < 0 ||
            (k = json_add(o, "variable_name", json_object_new_string(n))) < 0 ||
            (k = json_add(o, "variable_data_size", json_object_new_int64((int64_t) data_len))) < 0)
                return k;

        /* BootOrder: u16 option numbers; Boot####: an EFI_LOAD_OPTION with its description. */
        if (streq(n, "BootOrder") && data_len % 2 == 0) {
                json_object *a = json_object_new_array();
                if ((k = json_add(o, "boot_order", a)) < 0)
                        return k;
                for (size_t i = 0; i < data_len; i += 2) {
                        char b[8];
                        snprintf(b, sizeof(b), "%04X", (unsigned) (data[i] | data[i + 1] << 8));
                        if ((k = json_append(a, json_object_new_string(b))) < 0)
                                return k;
                }
        } else if (startswith(n, "Boot") && strlen(n) == 8 && data_len >= 6) {
                size_t e = 6;
                while (e + 1 < data_len && (data[e] || data[e + 1]))
                        e += 2;
                if ((k = add_utf16(o, "boot_description", data + 6, e - 6)) < 0)
                        return k;
        }
        return add_hex(o, "variable_data", data, data_len);
}

static int decode_image(const CcEvent *ev, json_object *o, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        uint64_t loc, len, link, dp_len;
        const uint8_t *dp;
        _cleanup_free_ char *text = NULL;
        int k;

        if (reader_u64le(&r, &loc) < 0 || reader_u64le(&r, &len) < 0 || reader_u64le(&r, &link) < 0 ||
            reader_u64le(&r, &dp_len) < 0 || dp_len > reader_remaining(&r) ||
            reader_bytes(&r, dp_len, &dp) < 0) {
                *malformed = "UEFI_IMAGE_LOAD_EVENT: lengths do not fit the event data";
                return 0;
        }
        if ((k = add_u64(o, "image_location", loc)) < 0 || (k = add_u64(o, "image_length", len)) < 0 ||
            (k = add_u64(o, "link_time_address", link)) < 0)
                return k;
        if (device_path_text(dp, dp_len, &text) >= 0)
                return json_add(o, "device_path", json_object_new_string(text));
        return add_hex(o, "device_path_hex", dp, dp_len);
}

static int decode_blob(const CcEvent *ev, json_object *o, bool with_description, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        uint8_t dl = 0;
        const uint8_t *desc = NULL;
        uint64_t base, len;
        int k;

        if ((with_description && (reader_u8(&r, &dl) < 0 || reader_bytes(&r, dl, &desc) < 0)) ||
            reader_u64le(&r, &base) < 0 || reader_u64le(&r, &len) < 0) {
                *malformed = "UEFI_PLATFORM_FIRMWARE_BLOB: lengths do not fit the event data";
                return 0;
        }
        if (desc && (k = add_text(o, "description", desc, dl)) < 0)
                return k;
        if ((k = add_u64(o, "blob_base", base)) < 0)
                return k;
        return add_u64(o, "blob_length", len);
}

static int decode_handoff(const CcEvent *ev, json_object *o, bool with_description, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        uint8_t dl = 0;
        const uint8_t *desc = NULL;
        uint64_t count;
        int k;

        if ((with_description && (reader_u8(&r, &dl) < 0 || reader_bytes(&r, dl, &desc) < 0)) ||
            reader_u64le(&r, &count) < 0 || count > reader_remaining(&r) / 24) {
                *malformed = "UEFI_HANDOFF_TABLE_POINTERS: the table count does not fit the event data";
                return 0;
        }
        if (desc && (k = add_text(o, "description", desc, dl)) < 0)
                return k;
        json_object *a = json_object_new_array();
        if ((k = json_add(o, "tables", a)) < 0)
                return k;
        for (uint64_t i = 0; i < count; i++) {
                const uint8_t *g;
                uint64_t ptr;
                (void) reader_bytes(&r, 16, &g);
                (void) reader_u64le(&r, &ptr);
                json_object *t = json_object_new_object();
                if ((k = json_append(a, t)) < 0 || (k = add_guid(t, "guid", g)) < 0 ||
                    (k = add_u64(t, "address", ptr)) < 0)
                        return k;
        }
        return 0;
}

static int decode_tag(const CcEvent *ev, json_object *o, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        uint32_t id, size;
        const uint8_t *p;
        char buf[16];
        int k;

        if (reader_u32le(&r, &id) < 0 || reader_u32le(&r, &size) < 0 || reader_bytes(&r, size, &p) < 0) {
                *malformed = "TCG_PCClientTaggedEvent: taggedEventDataSize does not fit the event data";
                return 0;
        }
        snprintf(buf, sizeof(buf), "0x%08" PRIx32, id);
        if ((k = json_add(o, "tag_id", json_object_new_string(buf))) < 0)
                return k;
        return is_text(p, size) ? add_text(o, "text", p, size) : add_hex(o, "tag_data", p, size);
}

static int decode_gpt(const CcEvent *ev, json_object *o, const char **malformed)
{
        Reader r = reader_init(ev->data, ev->data_size);
        const uint8_t *hdr;
        uint64_t n;

        if (reader_bytes(&r, 92, &hdr) < 0 || memcmp(hdr, "EFI PART", 8) != 0 || reader_u64le(&r, &n) < 0) {
                *malformed = "UEFI_GPT_DATA: no \"EFI PART\" header and partition count";
                return 0;
        }
        int k = add_guid(o, "disk_guid", hdr + 56);
        if (k < 0)
                return k;
        return json_add(o, "partitions", json_object_new_int64((int64_t) MIN(n, (uint64_t) INT64_MAX)));
}

int cc_event_decode(const CcEvent *ev, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        const char *malformed = NULL;
        int k = 0;

        if (!o)
                return -ENOMEM;
        switch (ev->type) {
        case EV_EFI_VARIABLE_DRIVER_CONFIG:
        case EV_EFI_VARIABLE_BOOT:
        case EV_EFI_VARIABLE_BOOT2:
        case EV_EFI_VARIABLE_AUTHORITY:
                k = decode_variable(ev, o, &malformed);
                break;
        case EV_EFI_BOOT_SERVICES_APPLICATION:
        case EV_EFI_BOOT_SERVICES_DRIVER:
        case EV_EFI_RUNTIME_SERVICES_DRIVER:
                k = decode_image(ev, o, &malformed);
                break;
        case EV_EFI_PLATFORM_FIRMWARE_BLOB:
        case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
                k = decode_blob(ev, o, ev->type == EV_EFI_PLATFORM_FIRMWARE_BLOB2, &malformed);
                break;
        case EV_EFI_HANDOFF_TABLES:
        case EV_EFI_HANDOFF_TABLES2:
                k = decode_handoff(ev, o, ev->type == EV_EFI_HANDOFF_TABLES2, &malformed);
                break;
        case EV_EVENT_TAG:
                k = decode_tag(ev, o, &malformed);
                break;
        case EV_EFI_GPT_EVENT:
        case EV_EFI_GPT_EVENT2:
                k = decode_gpt(ev, o, &malformed);
                break;
        default:
                if (ev->type == EV_SEPARATOR && ev->data_size == 4) {
                        char buf[16];
                        snprintf(buf, sizeof(buf), "0x%02x%02x%02x%02x", ev->data[3], ev->data[2],
                                 ev->data[1], ev->data[0]);
                        k = json_add(o, "separator", json_object_new_string(buf));
                } else if (is_text(ev->data, ev->data_size))
                        k = add_text(o, "text", ev->data, ev->data_size);
                else
                        k = add_hex(o, "hex", ev->data, ev->data_size);
                break;
        }
        if (k < 0)
                return k;
        if (malformed) {
                if ((k = json_add(o, "malformed", json_object_new_string(malformed))) < 0 ||
                    (k = add_hex(o, "hex", ev->data, ev->data_size)) < 0)
                        return k;
        }
        *ret = TAKE_PTR(o);
        return 0;
}
