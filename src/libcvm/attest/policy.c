/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reference-value policy (policy.h; the format is cvm-verify-policy(5)). The JSON is parsed strictly with a
 * table of known keys per section, so a typo is an error naming the closest key rather than a constraint
 * silently dropped: a verifier that ignores "mrdt" accepts every MRTD.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "parse-error.h"
#include "attest/policy.h"
#include "fileio.h"
#include "hexbase64.h"
#include "json-util.h"
#include "string-table.h"
#include "string-util.h"

static const char *const snp_tcb_kind_table[_SNP_TCB_KIND_MAX] = {
        [SNP_TCB_REPORTED] = "reported",
        [SNP_TCB_LAUNCH] = "launch",
        [SNP_TCB_CURRENT] = "current",
        [SNP_TCB_COMMITTED] = "committed",
};
DEFINE_STRING_TABLE_LOOKUP(snp_tcb_kind, SnpTcbKind);

/* The report's field names, for details. */
static const char *const snp_tcb_field_table[_SNP_TCB_KIND_MAX] = {
        [SNP_TCB_REPORTED] = "REPORTED_TCB",
        [SNP_TCB_LAUNCH] = "LAUNCH_TCB",
        [SNP_TCB_CURRENT] = "CURRENT_TCB",
        [SNP_TCB_COMMITTED] = "COMMITTED_TCB",
};

static const struct {
        const char *name;
        size_t offset; /* in SnpTcb */
} snp_tcb_components[_SNP_TCB_COMPONENT_MAX] = {
        [SNP_TCB_BOOTLOADER] = { "bootloader", offsetof(SnpTcb, bootloader) },
        [SNP_TCB_TEE] = { "tee", offsetof(SnpTcb, tee) },
        [SNP_TCB_SNP] = { "snp", offsetof(SnpTcb, snp) },
        [SNP_TCB_MICROCODE] = { "microcode", offsetof(SnpTcb, microcode) },
        [SNP_TCB_FMC] = { "fmc", offsetof(SnpTcb, fmc) },
};

static uint8_t snp_tcb_get(const SnpTcb *t, SnpTcbComponent c)
{
        return *((const uint8_t *) t + snp_tcb_components[c].offset);
}

void verify_policy_init(VerifyPolicy *p)
{
        *p = (VerifyPolicy){
                .has_tdx = true,
                .has_snp = true,
                .tdx.accept_tcb[TCB_STATUS_UP_TO_DATE] = true,
                .snp.min_tcb_applies_to = 1U << SNP_TCB_REPORTED | 1U << SNP_TCB_LAUNCH,
        };
}

static void values_done(PolicyValues *v)
{
        v->values = mfree(v->values);
        v->n = 0;
}

void verify_policy_done(VerifyPolicy *p)
{
        if (!p)
                return;
        PolicyValues *tdx[] = { &p->tdx.mrseam,     &p->tdx.mrtd,    &p->tdx.rtmr[0],
                                &p->tdx.rtmr[1],    &p->tdx.rtmr[2], &p->tdx.rtmr[3],
                                &p->tdx.mrconfigid, &p->tdx.mrowner, &p->tdx.mrownerconfig };
        PolicyValues *snp[] = { &p->snp.measurement,       &p->snp.host_data, &p->snp.id_key_digest,
                                &p->snp.author_key_digest, &p->snp.family_id, &p->snp.image_id };
        for (size_t i = 0; i < ELEMENTSOF(tdx); i++)
                values_done(tdx[i]);
        for (size_t i = 0; i < ELEMENTSOF(snp); i++)
                values_done(snp[i]);
}

/* ---- parsing ---- */

/* "'PATH': MESSAGE" into *reterr; -EBADMSG. */
_printf_(3, 4) static int bad(char **reterr, const char *path, const char *fmt, ...)
{
        _cleanup_free_ char *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        if (!m)
                return -ENOMEM;
        return parse_error(reterr, -EBADMSG, "'%s': %s", path, m);
}

/* "a string", "an array", ... for "got ..." in messages. */
static const char *got(json_object *v)
{
        switch (v ? json_object_get_type(v) : json_type_null) {
        case json_type_boolean:
                return "a boolean";
        case json_type_int:
        case json_type_double:
                return "a number";
        case json_type_string:
                return "a string";
        case json_type_array:
                return "an array";
        case json_type_object:
                return "an object";
        default:
                return "null";
        }
}

/* The closest of n names (each a `const char *` at the start of an element of `stride` bytes; NULL ones
 * skipped), or NULL when none is plausibly what was meant (vm_option_suggest()'s rule). */
static const char *closest(const char *name, const void *base, size_t stride, size_t n)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
                const char *c = *(const char *const *) ((const uint8_t *) base + i * stride);
                if (!c)
                        continue;
                size_t d = edit_distance(name, c);
                if (d < best_d) {
                        best_d = d;
                        best = c;
                }
        }
        return best && best_d <= MAX(2u, strlen(name) / 3) ? best : NULL;
}

/* The names as "a, b, c"; NULL for none, or on allocation failure. */
static char *names_join(const void *base, size_t stride, size_t n)
{
        char *list = NULL;
        for (size_t i = 0; i < n; i++) {
                const char *c = *(const char *const *) ((const uint8_t *) base + i * stride);
                char *l;
                if (!c)
                        continue;
                if (asprintf(&l, "%s%s%s", strempty(list), list ? ", " : "", c) < 0)
                        return mfree(list);
                free(list);
                list = l;
        }
        return list;
}

/*
 * An unknown name among n known ones. A key of object `parent` gives "unknown key 'PARENT.NAME'; did you
 * mean 'PARENT.KNOWN'?"; a value (kind "bit", "TCB status", ...) at `parent` gives "'PARENT': unknown KIND
 * 'NAME'; did you mean 'KNOWN'?". When nothing is close, the known names are listed instead.
 */
static int unknown_name(char **reterr, const char *parent, const char *kind, const char *name,
                        const void *base, size_t stride, size_t n)
{
        const char *sug = closest(name, base, stride, n);
        bool key = streq(kind, "key");
        const char *dot = isempty(parent) ? "" : ".";
        _cleanup_free_ char *list = NULL;

        if (!sug && !(list = names_join(base, stride, n)))
                return -ENOMEM;
        if (key && sug)
                return parse_error(reterr, -EBADMSG, "unknown key '%s%s%s'; did you mean '%s%s%s'?", parent,
                                   dot, name, parent, dot, sug);
        if (key)
                return parse_error(reterr, -EBADMSG, "unknown key '%s%s%s' (known: %s)", parent, dot, name,
                                   list);
        if (sug)
                return bad(reterr, parent, "unknown %s '%s'; did you mean '%s'?", kind, name, sug);
        return bad(reterr, parent, "unknown %s '%s' (known: %s)", kind, name, list);
}

static int join_path(const char *path, const char *key, char **ret)
{
        return asprintf(ret, "%s%s%s", strempty(path), isempty(path) ? "" : ".", key) < 0 ? -ENOMEM : 0;
}

/* Exactly `size` bytes in hex, upper or lower case. */
static int parse_hex_exact(json_object *v, const char *path, size_t size, uint8_t *ret, char **reterr)
{
        if (!json_object_is_type(v, json_type_string))
                return bad(reterr, path, "expected %zu bytes in hex (%zu digits), got %s", size, 2 * size,
                           got(v));
        const char *s = json_object_get_string(v);
        size_t l = (size_t) json_object_get_string_len(v);
        for (size_t i = 0; i < l; i++)
                if (unhex_char(s[i]) < 0)
                        return bad(reterr, path, "expected %zu bytes in hex, got a non-hex character at %zu",
                                   size, i);
        if (l != 2 * size)
                return bad(reterr, path, "expected %zu bytes in hex (%zu digits), got %zu digits", size,
                           2 * size, l);
        for (size_t i = 0; i < size; i++)
                ret[i] = (uint8_t) (unhex_char(s[2 * i]) << 4 | unhex_char(s[2 * i + 1]));
        return 0;
}

/* A 64-bit number in hex: 1 to 16 digits, "0x" optional. */
static int parse_u64_hex(json_object *v, const char *path, uint64_t *ret, char **reterr)
{
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (s && (startswith(s, "0x") || startswith(s, "0X")))
                s += 2;
        size_t l = s ? strlen(s) : 0;
        bool ok = l > 0 && l <= 16;
        uint64_t x = 0;
        for (size_t i = 0; ok && i < l; i++) {
                int d = unhex_char(s[i]);
                ok = d >= 0;
                x = x << 4 | (uint64_t) (d & 0xf);
        }
        if (!ok)
                return bad(reterr, path,
                           "expected a 64-bit number in hex (1 to 16 digits, \"0x\" optional)%s%s",
                           s ? "" : ", got ", s ? "" : got(v));
        *ret = x;
        return 0;
}

static int parse_int(json_object *v, const char *path, int64_t min, int64_t max, int64_t *ret, char **reterr)
{
        if (!json_object_is_type(v, json_type_int))
                return bad(reterr, path, "expected an integer %" PRIi64 "-%" PRIi64 ", got %s", min, max,
                           got(v));
        /* json-c saturates what does not fit 64 bits (to INT64_MIN, INT64_MAX or UINT64_MAX); no policy
         * value is that large, so those are simply out of range. */
        int64_t x = json_object_get_int64(v);
        if (x == INT64_MIN || x == INT64_MAX)
                return bad(reterr, path,
                           "expected an integer %" PRIi64 "-%" PRIi64 ", got a number out of range", min,
                           max);
        if (x < min || x > max)
                return bad(reterr, path, "expected an integer %" PRIi64 "-%" PRIi64 ", got %" PRIi64, min,
                           max, x);
        *ret = x;
        return 0;
}

typedef struct PolicyField PolicyField;
typedef int (*PolicyParseFn)(json_object *v, const char *path, void *field, const PolicyField *f,
                             char **reterr);
struct PolicyField {
        const char *name; /* first: closest() reads it */
        PolicyParseFn parse;
        size_t offset;                         /* in VerifyPolicy */
        size_t size;                           /* bytes of a hex field */
        const char *(*bit_name)(unsigned bit); /* flag words */
};

/* One value or a non-empty list of them, each exactly f->size bytes. */
static int parse_values(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        PolicyValues *pv = field;
        bool list = json_object_is_type(v, json_type_array);
        size_t n = list ? json_object_array_length(v) : 1;
        int r;

        if (!list && !json_object_is_type(v, json_type_string))
                return bad(reterr, path, "expected %zu bytes in hex (%zu digits) or a list of them, got %s",
                           f->size, 2 * f->size, got(v));
        if (n == 0)
                return bad(reterr, path, "an empty list allows no value; leave the key out instead");
        _cleanup_free_ uint8_t *values = calloc(n, f->size);
        if (!values)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;
                if (list && asprintf(&p, "%s[%zu]", path, i) < 0)
                        return -ENOMEM;
                r = parse_hex_exact(list ? json_object_array_get_idx(v, i) : v, p ?: path, f->size,
                                    values + i * f->size, reterr);
                if (r < 0)
                        return r;
        }
        free(pv->values);
        *pv = (PolicyValues){ .values = TAKE_PTR(values), .n = n, .size = f->size };
        return 0;
}

static int bit_from_name(const PolicyField *f, const char *name, const char *path, unsigned *ret,
                         char **reterr)
{
        const char *names[64];
        for (unsigned b = 0; b < 64; b++) {
                names[b] = f->bit_name(b);
                if (names[b] && streq(names[b], name)) {
                        *ret = b;
                        return 0;
                }
        }
        return unknown_name(reterr, path, "bit", name, names, sizeof(names[0]), ELEMENTSOF(names));
}

static int parse_bit_list(json_object *v, const char *path, const PolicyField *f, uint64_t *ret,
                          char **reterr)
{
        uint64_t bits = 0;
        int r;

        if (!json_object_is_type(v, json_type_array))
                return bad(reterr, path, "expected a list of bit names, got %s", got(v));
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                _cleanup_free_ char *p = NULL;
                unsigned b;
                if (asprintf(&p, "%s[%zu]", path, i) < 0)
                        return -ENOMEM;
                if (!json_object_is_type(e, json_type_string))
                        return bad(reterr, p, "expected a bit name, got %s", got(e));
                r = bit_from_name(f, json_object_get_string(e), p, &b, reterr);
                if (r < 0)
                        return r;
                bits |= UINT64_C(1) << b;
        }
        *ret = bits;
        return 0;
}

static const char *const bits_keys[] = { "value", "mask", "require", "forbid" };

/* A flag word: a hex number (exact match) or {"value", "mask", "require": [NAME...], "forbid": [NAME...]}.
 */
static int parse_bits(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        PolicyBits *pb = field;
        uint64_t value = 0, mask = 0, require = 0, forbid = 0;
        bool have_value = false, have_mask = false;
        int r;

        if (json_object_is_type(v, json_type_string)) {
                r = parse_u64_hex(v, path, &value, reterr);
                if (r < 0)
                        return r;
                *pb = (PolicyBits){ .value = value, .mask = UINT64_MAX };
                return 0;
        }
        if (!json_object_is_type(v, json_type_object))
                return bad(reterr, path,
                           "expected a hex number or an object with \"value\", \"mask\", \"require\", "
                           "\"forbid\", got %s",
                           got(v));

        json_object_object_foreach (v, key, val) {
                _cleanup_free_ char *p = NULL;
                if (join_path(path, key, &p) < 0)
                        return -ENOMEM;
                if (streq(key, "value")) {
                        r = parse_u64_hex(val, p, &value, reterr);
                        have_value = true;
                } else if (streq(key, "mask")) {
                        r = parse_u64_hex(val, p, &mask, reterr);
                        have_mask = true;
                } else if (streq(key, "require"))
                        r = parse_bit_list(val, p, f, &require, reterr);
                else if (streq(key, "forbid"))
                        r = parse_bit_list(val, p, f, &forbid, reterr);
                else
                        r = unknown_name(reterr, path, "key", key, bits_keys, sizeof(bits_keys[0]),
                                         ELEMENTSOF(bits_keys));
                if (r < 0)
                        return r;
        }
        if (have_value && !have_mask)
                mask = UINT64_MAX;
        if (value & ~mask)
                return bad(reterr, path,
                           "\"value\" 0x%016" PRIx64 " has bits outside \"mask\" 0x%016" PRIx64, value,
                           mask);
        /* require and forbid add to value/mask; they must not contradict it or each other. */
        uint64_t clash = (require & mask & ~value) | (forbid & mask & value) | (require & forbid);
        if (clash) {
                unsigned b = (unsigned) __builtin_ctzll(clash);
                const char *n = f->bit_name(b);
                return bad(reterr, path, "bit %u%s%s%s is both required and forbidden", b, n ? " (" : "",
                           strempty(n), n ? ")" : "");
        }
        mask |= require | forbid;
        value |= require;
        if (mask == 0)
                return bad(reterr, path,
                           "constrains no bit (give \"value\", \"mask\", \"require\" or \"forbid\")");
        *pb = (PolicyBits){ .value = value, .mask = mask };
        return 0;
}

static int parse_bool(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        (void) f;
        if (!json_object_is_type(v, json_type_boolean))
                return bad(reterr, path, "expected true or false, got %s", got(v));
        *(bool *) field = json_object_get_boolean(v);
        return 0;
}

/* A report data value: 1 to 64 bytes in hex, zero-padded. */
int policy_report_data_parse(const char *hex, uint8_t ret[static 64])
{
        _cleanup_free_ uint8_t *b = NULL;
        size_t n;

        if (hex_decode(hex, strlen(hex), &b, &n) < 0 || n == 0 || n > 64)
                return -EINVAL;
        memset(ret, 0, 64);
        memcpy(ret, b, n);
        return 0;
}

static int parse_report_data(json_object *v, const char *path, void *field, const PolicyField *f,
                             char **reterr)
{
        PolicyReportData *rd = field;
        (void) f;
        if (!json_object_is_type(v, json_type_string) ||
            policy_report_data_parse(json_object_get_string(v), rd->data) < 0)
                return bad(reterr, path, "expected 1 to 64 bytes in hex (zero-padded to 64)");
        rd->set = true;
        return 0;
}

static int parse_min_tee_tcb_svn(json_object *v, const char *path, void *field, const PolicyField *f,
                                 char **reterr)
{
        TdxPolicy *t = field;
        (void) f;
        int r = parse_hex_exact(v, path, sizeof(t->min_tee_tcb_svn), t->min_tee_tcb_svn, reterr);
        if (r < 0)
                return r;
        t->has_min_tee_tcb_svn = true;
        return 0;
}

static int parse_accept_tcb(json_object *v, const char *path, void *field, const PolicyField *f,
                            char **reterr)
{
        bool *accept = field, set[_TCB_STATUS_MAX] = {};
        const char *names[_TCB_STATUS_MAX];
        (void) f;

        for (size_t i = 0; i < _TCB_STATUS_MAX; i++)
                names[i] = tcb_status_to_string((TcbStatus) i);
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return bad(reterr, path, "expected a non-empty list of TCB statuses");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s[%zu]", path, i) < 0)
                        return -ENOMEM;
                if (!json_object_is_type(e, json_type_string))
                        return bad(reterr, p, "expected a TCB status, got %s", got(e));
                const char *s = json_object_get_string(e);
                TcbStatus st = tcb_status_from_string(s);
                if (st < 0)
                        return unknown_name(reterr, p, "TCB status", s, names, sizeof(names[0]),
                                            ELEMENTSOF(names));
                /* A revoked TCB or one Intel does not know is never an acceptable platform. */
                if (st == TCB_STATUS_REVOKED || st == TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED)
                        return bad(reterr, p, "TCB status '%s' cannot be accepted", s);
                set[st] = true;
        }
        memcpy(accept, set, sizeof(set));
        return 0;
}

static int parse_min_tcb(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        SnpPolicy *s = field;
        uint8_t min[_SNP_TCB_COMPONENT_MAX] = {};
        int r;
        (void) f;

        if (!json_object_is_type(v, json_type_object))
                return bad(reterr, path,
                           "expected an object of \"bootloader\", \"tee\", \"snp\", \"microcode\", \"fmc\", "
                           "got %s",
                           got(v));
        json_object_object_foreach (v, key, val) {
                _cleanup_free_ char *p = NULL;
                size_t c;
                int64_t x;
                if (join_path(path, key, &p) < 0)
                        return -ENOMEM;
                for (c = 0; c < _SNP_TCB_COMPONENT_MAX; c++)
                        if (streq(key, snp_tcb_components[c].name))
                                break;
                if (c == _SNP_TCB_COMPONENT_MAX)
                        return unknown_name(reterr, path, "key", key, snp_tcb_components,
                                            sizeof(snp_tcb_components[0]), _SNP_TCB_COMPONENT_MAX);
                r = parse_int(val, p, 0, 255, &x, reterr);
                if (r < 0)
                        return r;
                min[c] = (uint8_t) x;
        }
        memcpy(s->min_tcb, min, sizeof(min));
        s->has_min_tcb = true;
        return 0;
}

static int parse_tcb_kinds(json_object *v, const char *path, void *field, const PolicyField *f,
                           char **reterr)
{
        unsigned kinds = 0;
        (void) f;

        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return bad(reterr, path,
                           "expected a non-empty list of \"reported\", \"launch\", \"current\", "
                           "\"committed\"");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s[%zu]", path, i) < 0)
                        return -ENOMEM;
                const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
                SnpTcbKind k = snp_tcb_kind_from_string(s);
                if (k < 0)
                        return unknown_name(reterr, p, "TCB", s, snp_tcb_kind_table,
                                            sizeof(snp_tcb_kind_table[0]), ELEMENTSOF(snp_tcb_kind_table));
                kinds |= 1U << k;
        }
        *(unsigned *) field = kinds;
        return 0;
}

/* "MAJOR.MINOR" or "MAJOR.MINOR.BUILD", each 0-255. */
static int parse_firmware(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        SnpPolicy *s = field;
        unsigned part[3] = {};
        int n = 0, used = 0;
        (void) f;

        const char *t = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (t)
                n = sscanf(t, "%3u.%3u%n.%3u%n", &part[0], &part[1], &used, &part[2], &used);
        if (!t || n < 2 || (size_t) used != strlen(t) || strspn(t, "0123456789.") != strlen(t) ||
            part[0] > 255 || part[1] > 255 || part[2] > 255)
                return bad(reterr, path,
                           "expected a firmware version \"MAJOR.MINOR\" or \"MAJOR.MINOR.BUILD\"");
        for (size_t i = 0; i < 3; i++)
                s->min_firmware[i] = (uint8_t) part[i];
        s->has_min_firmware = true;
        return 0;
}

/* An integer 0 to f->size. */
static int parse_u32(json_object *v, const char *path, void *field, const PolicyField *f, char **reterr)
{
        PolicyU32 *u = field;
        int64_t x;
        int r = parse_int(v, path, 0, (int64_t) f->size, &x, reterr);
        if (r < 0)
                return r;
        *u = (PolicyU32){ .set = true, .value = (uint32_t) x };
        return 0;
}

#define TDX(f) offsetof(VerifyPolicy, tdx.f)
#define SNP(f) offsetof(VerifyPolicy, snp.f)

/* cvm-verify-policy(5), in the order of the man page. */
static const PolicyField tdx_fields[] = {
        { "mrseam", parse_values, TDX(mrseam), 48, NULL },
        { "mrtd", parse_values, TDX(mrtd), 48, NULL },
        { "rtmr0", parse_values, TDX(rtmr[0]), 48, NULL },
        { "rtmr1", parse_values, TDX(rtmr[1]), 48, NULL },
        { "rtmr2", parse_values, TDX(rtmr[2]), 48, NULL },
        { "rtmr3", parse_values, TDX(rtmr[3]), 48, NULL },
        { "mrconfigid", parse_values, TDX(mrconfigid), 48, NULL },
        { "mrowner", parse_values, TDX(mrowner), 48, NULL },
        { "mrownerconfig", parse_values, TDX(mrownerconfig), 48, NULL },
        { "attributes", parse_bits, TDX(attributes), 0, tdx_td_attribute_to_string },
        { "xfam", parse_bits, TDX(xfam), 0, tdx_xfam_to_string },
        { "min_tee_tcb_svn", parse_min_tee_tcb_svn, offsetof(VerifyPolicy, tdx), 0, NULL },
        { "accept_tcb", parse_accept_tcb, TDX(accept_tcb), 0, NULL },
        { "allow_debug", parse_bool, TDX(allow_debug), 0, NULL },
        { "report_data", parse_report_data, TDX(report_data), 0, NULL },
};

static const PolicyField snp_fields[] = {
        { "measurement", parse_values, SNP(measurement), 48, NULL },
        { "host_data", parse_values, SNP(host_data), 32, NULL },
        { "id_key_digest", parse_values, SNP(id_key_digest), 48, NULL },
        { "author_key_digest", parse_values, SNP(author_key_digest), 48, NULL },
        { "family_id", parse_values, SNP(family_id), 16, NULL },
        { "image_id", parse_values, SNP(image_id), 16, NULL },
        { "policy", parse_bits, SNP(policy), 0, snp_policy_to_string },
        { "allow_debug", parse_bool, SNP(allow_debug), 0, NULL },
        { "min_tcb", parse_min_tcb, offsetof(VerifyPolicy, snp), 0, NULL },
        { "min_tcb_applies_to", parse_tcb_kinds, SNP(min_tcb_applies_to), 0, NULL },
        { "allow_provisional_firmware", parse_bool, SNP(allow_provisional_firmware), 0, NULL },
        { "min_firmware", parse_firmware, offsetof(VerifyPolicy, snp), 0, NULL },
        { "vmpl", parse_u32, SNP(vmpl), 3, NULL },
        { "min_guest_svn", parse_u32, SNP(min_guest_svn), UINT32_MAX, NULL },
        { "report_data", parse_report_data, SNP(report_data), 0, NULL },
};

static const struct {
        const char *name;
        const PolicyField *fields;
        size_t n_fields;
        size_t has_offset; /* the has_tdx / has_snp flag */
} sections[] = {
        { "tdx", tdx_fields, ELEMENTSOF(tdx_fields), offsetof(VerifyPolicy, has_tdx) },
        { "snp", snp_fields, ELEMENTSOF(snp_fields), offsetof(VerifyPolicy, has_snp) },
};

static int parse_section(json_object *o, size_t s, VerifyPolicy *p, char **reterr)
{
        const char *name = sections[s].name;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(reterr, name, "expected an object, got %s", got(o));
        json_object_object_foreach (o, key, val) {
                _cleanup_free_ char *path = NULL;
                const PolicyField *f = NULL;
                if (join_path(name, key, &path) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < sections[s].n_fields; i++)
                        if (streq(sections[s].fields[i].name, key))
                                f = &sections[s].fields[i];
                if (!f)
                        return unknown_name(reterr, name, "key", key, sections[s].fields,
                                            sizeof(PolicyField), sections[s].n_fields);
                r = f->parse(val, path, (uint8_t *) p + f->offset, f, reterr);
                if (r < 0)
                        return r;
        }
        *(bool *) ((uint8_t *) p + sections[s].has_offset) = true;
        return 0;
}

int verify_policy_parse(const char *text, size_t size, VerifyPolicy *ret, char **reterr)
{
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_(verify_policy_done) VerifyPolicy p;
        int r;

        verify_policy_init(&p);
        p.has_tdx = p.has_snp = false;

        if (size > VERIFY_POLICY_MAX)
                return parse_error(reterr, -E2BIG, "the policy is larger than %u bytes", VERIFY_POLICY_MAX);
        r = json_parse_strict(text, size, VERIFY_POLICY_MAX_DEPTH, &root);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return parse_error(reterr, -EBADMSG, "not valid JSON (RFC 8259, at most %u levels deep)",
                                   VERIFY_POLICY_MAX_DEPTH);
        if (!json_object_is_type(root, json_type_object))
                return parse_error(reterr, -EBADMSG,
                                   "expected an object with \"tdx\" and/or \"snp\", got %s", got(root));

        json_object_object_foreach (root, key, val) {
                size_t s;
                for (s = 0; s < ELEMENTSOF(sections); s++)
                        if (streq(sections[s].name, key))
                                break;
                if (s == ELEMENTSOF(sections))
                        return unknown_name(reterr, "", "key", key, sections, sizeof(sections[0]),
                                            ELEMENTSOF(sections));
                r = parse_section(val, s, &p, reterr);
                if (r < 0)
                        return r;
        }
        if (!p.has_tdx && !p.has_snp)
                return parse_error(reterr, -EBADMSG,
                                   "the policy has neither a \"tdx\" nor an \"snp\" section");
        *ret = p;
        p = (VerifyPolicy){};
        return 0;
}

int verify_policy_load(const char *path, VerifyPolicy *ret, char **reterr)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = read_full_file(path, VERIFY_POLICY_MAX, &text, &size);
        if (r == -E2BIG)
                return parse_error(reterr, -E2BIG, "the policy is larger than %u bytes", VERIFY_POLICY_MAX);
        if (r < 0)
                return r;
        return verify_policy_parse(text, size, ret, reterr);
}

/* ---- evaluation ---- */

/* A policy check: a value the policy does not allow is a verdict (-EPERM in the check), not an error.
 * Returns 0 or -ENOMEM. */
_printf_(4, 5) static int check_add(AttestChecks *res, const char *id, bool ok, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = attest_checks_addv(res, id, ok ? 0 : -EPERM, fmt, ap);
        va_end(ap);
        return r == -ENOMEM ? r : 0;
}

/* Appends "SEP TEXT" to *s (no separator when *s is empty); -ENOMEM. */
_printf_(3, 4) static int append(char **s, const char *sep, const char *fmt, ...)
{
        _cleanup_free_ char *t = NULL;
        char *n;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&t, fmt, ap) < 0)
                t = NULL;
        va_end(ap);
        if (!t || asprintf(&n, "%s%s%s", strempty(*s), isempty(*s) ? "" : sep, t) < 0)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

static int check_values(AttestChecks *res, const char *id, const char *label, const PolicyValues *want,
                        const uint8_t *seen)
{
        _cleanup_free_ char *seen_hex = NULL, *list = NULL;
        bool ok = false;

        if (want->n == 0)
                return 0;
        if (hex_encode(seen, want->size, &seen_hex) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < want->n; i++) {
                _cleanup_free_ char *h = NULL;
                ok = ok || memcmp(want->values + i * want->size, seen, want->size) == 0;
                if (hex_encode(want->values + i * want->size, want->size, &h) < 0 ||
                    append(&list, ", ", "%s", h) < 0)
                        return -ENOMEM;
        }
        if (ok)
                return check_add(res, id, true, "%s %s is an expected value", label, seen_hex);
        return check_add(res, id, false, "%s is %s, expected %s%s", label, seen_hex,
                         want->n > 1 ? "one of " : "", list);
}

static int check_bits(AttestChecks *res, const char *id, const char *label, const PolicyBits *want,
                      uint64_t seen, const char *(*bit_name)(unsigned bit))
{
        _cleanup_free_ char *wrong = NULL;
        uint64_t diff = (seen ^ want->value) & want->mask;

        if (want->mask == 0)
                return 0;
        for (unsigned b = 0; b < 64; b++) {
                if (!(diff >> b & 1))
                        continue;
                const char *n = bit_name(b);
                bool set = seen >> b & 1;
                if ((n ? append(&wrong, "; ", "%s is %s", n,
                                set ? "set but forbidden" : "clear but required")
                       : append(&wrong, "; ", "bit %u is %s", b,
                                set ? "set but forbidden" : "clear but required")) < 0)
                        return -ENOMEM;
        }
        if (!wrong)
                return check_add(res, id, true,
                                 "%s 0x%016" PRIx64 " has the expected bits (mask 0x%016" PRIx64
                                 ", value 0x%016" PRIx64 ")",
                                 label, seen, want->mask, want->value);
        return check_add(res, id, false,
                         "%s 0x%016" PRIx64 ": %s (mask 0x%016" PRIx64 ", value 0x%016" PRIx64 ")", label,
                         seen, wrong, want->mask, want->value);
}

static int check_report_data(AttestChecks *res, const char *label, const PolicyReportData *want,
                             const uint8_t seen[static 64])
{
        _cleanup_free_ char *w = NULL, *s = NULL;

        if (!want->set)
                return 0;
        if (memcmp(want->data, seen, 64) == 0)
                return check_add(res, "policy.report_data", true, "%s is the expected one", label);
        if (hex_encode(want->data, 64, &w) < 0 || hex_encode(seen, 64, &s) < 0)
                return -ENOMEM;
        return check_add(res, "policy.report_data", false, "%s is %s, expected %s", label, s, w);
}

static int check_debug(AttestChecks *res, bool allow, bool debug, const char *what)
{
        return check_add(res, "policy.debug", !debug || allow, "%s%s", what,
                         !debug  ? " is not set"
                         : allow ? " is set (allowed by allow_debug)"
                                 : " is set: a debug guest's memory is not confidential");
}

static int check_tcb_status(AttestChecks *res, const TdxPolicy *t, TcbStatus st)
{
        _cleanup_free_ char *accepted = NULL;
        for (size_t i = 0; i < _TCB_STATUS_MAX; i++)
                if (t->accept_tcb[i] &&
                    append(&accepted, ", ", "%s", tcb_status_to_string((TcbStatus) i)) < 0)
                        return -ENOMEM;
        bool ok = st >= 0 && st < _TCB_STATUS_MAX && t->accept_tcb[st];
        if (ok)
                return check_add(res, "policy.tcb_status", true, "TCB status %s is accepted",
                                 tcb_status_to_string(st));
        return check_add(res, "policy.tcb_status", false,
                         "TCB status %s is not accepted (accepted: %s; see accept_tcb or --accept-tcb)",
                         strna(tcb_status_to_string(st)), strempty(accepted));
}

int verify_policy_evaluate_tdx(const VerifyPolicy *p, const TdxQuote *q, const TcbStatus *tcb_status,
                               AttestChecks *res)
{
        const TdxPolicy *t = &p->tdx;
        const TdxTdBody *b = &q->body;
        int r;

        if (!p->has_tdx)
                return -EMEDIUMTYPE;
        if (tcb_status && (r = check_tcb_status(res, t, *tcb_status)) < 0)
                return r;
        if ((r = check_debug(res, t->allow_debug, b->td_attributes & TDX_TD_ATTR_DEBUG,
                             "TD attribute DEBUG")) < 0)
                return r;

        const struct {
                const char *id, *label;
                const PolicyValues *want;
                const uint8_t *seen;
        } values[] = {
                { "policy.mrseam", "MRSEAM", &t->mrseam, b->mr_seam },
                { "policy.mrtd", "MRTD", &t->mrtd, b->mr_td },
                { "policy.rtmr0", "RTMR0", &t->rtmr[0], b->rtmr[0] },
                { "policy.rtmr1", "RTMR1", &t->rtmr[1], b->rtmr[1] },
                { "policy.rtmr2", "RTMR2", &t->rtmr[2], b->rtmr[2] },
                { "policy.rtmr3", "RTMR3", &t->rtmr[3], b->rtmr[3] },
                { "policy.mrconfigid", "MRCONFIGID", &t->mrconfigid, b->mr_config_id },
                { "policy.mrowner", "MROWNER", &t->mrowner, b->mr_owner },
                { "policy.mrownerconfig", "MROWNERCONFIG", &t->mrownerconfig, b->mr_owner_config },
        };
        for (size_t i = 0; i < ELEMENTSOF(values); i++)
                if ((r = check_values(res, values[i].id, values[i].label, values[i].want, values[i].seen)) <
                    0)
                        return r;
        if ((r = check_bits(res, "policy.attributes", "TD attributes", &t->attributes, b->td_attributes,
                            tdx_td_attribute_to_string)) < 0 ||
            (r = check_bits(res, "policy.xfam", "XFAM", &t->xfam, b->xfam, tdx_xfam_to_string)) < 0)
                return r;

        if (t->has_min_tee_tcb_svn) {
                _cleanup_free_ char *low = NULL, *seen = NULL, *min = NULL;
                for (size_t i = 0; i < sizeof(t->min_tee_tcb_svn); i++)
                        if (b->tee_tcb_svn[i] < t->min_tee_tcb_svn[i] &&
                            append(&low, ", ", "byte %zu is %u < %u", i, b->tee_tcb_svn[i],
                                   t->min_tee_tcb_svn[i]) < 0)
                                return -ENOMEM;
                if (hex_encode(b->tee_tcb_svn, 16, &seen) < 0 ||
                    hex_encode(t->min_tee_tcb_svn, 16, &min) < 0)
                        return -ENOMEM;
                r = low ? check_add(res, "policy.min_tee_tcb_svn", false,
                                    "TEE_TCB_SVN %s is below the minimum %s: %s", seen, min, low)
                        : check_add(res, "policy.min_tee_tcb_svn", true, "TEE_TCB_SVN %s is at least %s",
                                    seen, min);
                if (r < 0)
                        return r;
        }
        return check_report_data(res, "REPORTDATA", &t->report_data, b->report_data);
}

static const SnpTcb *snp_tcb_of(const SnpReport *s, SnpTcbKind k)
{
        switch (k) {
        case SNP_TCB_REPORTED:
                return &s->reported_tcb;
        case SNP_TCB_LAUNCH:
                return &s->launch_tcb;
        case SNP_TCB_CURRENT:
                return &s->current_tcb;
        default:
                return &s->committed_tcb;
        }
}

/* The components of a in which it is above b ("snp 28 > 27, ..."), appended to *s; a, b named. */
static int tcb_above(const SnpReport *s, SnpTcbKind a, SnpTcbKind b, char **out)
{
        for (SnpTcbComponent c = 0; c < _SNP_TCB_COMPONENT_MAX; c++) {
                uint8_t x = snp_tcb_get(snp_tcb_of(s, a), c), y = snp_tcb_get(snp_tcb_of(s, b), c);
                if (x > y && append(out, "; ", "%s %s %u is above %s %s %u", snp_tcb_field_table[a],
                                    snp_tcb_components[c].name, x, snp_tcb_field_table[b],
                                    snp_tcb_components[c].name, y) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int fw_cmp(const uint8_t a[3], const uint8_t b[3])
{
        for (size_t i = 0; i < 3; i++)
                if (a[i] != b[i])
                        return a[i] < b[i] ? -1 : 1;
        return 0;
}

/* go-sev-guest validateTcb/validateVersion: REPORTED_TCB may be lower than CURRENT_TCB (a fleet-wide
 * floor) but never above it, nor above COMMITTED_TCB, the level the firmware cannot roll back below;
 * COMMITTED above CURRENT is impossible, and COMMITTED below CURRENT means the running firmware is
 * provisional (it may be rolled back), which needs allow_provisional_firmware. */
static int check_tcb_consistency(AttestChecks *res, const SnpPolicy *sp, const SnpReport *s)
{
        _cleanup_free_ char *wrong = NULL;
        const uint8_t cur[3] = { s->current_major, s->current_minor, s->current_build },
                      com[3] = { s->committed_major, s->committed_minor, s->committed_build };
        int r;

        if ((r = tcb_above(s, SNP_TCB_REPORTED, SNP_TCB_CURRENT, &wrong)) < 0 ||
            (r = tcb_above(s, SNP_TCB_REPORTED, SNP_TCB_COMMITTED, &wrong)) < 0 ||
            (r = tcb_above(s, SNP_TCB_COMMITTED, SNP_TCB_CURRENT, &wrong)) < 0)
                return r;
        if (fw_cmp(com, cur) > 0 &&
            append(&wrong, "; ", "the committed firmware %u.%u.%u is above the current %u.%u.%u", com[0],
                   com[1], com[2], cur[0], cur[1], cur[2]) < 0)
                return -ENOMEM;
        bool provisional = s->committed_tcb.raw != s->current_tcb.raw || fw_cmp(com, cur) != 0;
        if (!wrong && provisional && !sp->allow_provisional_firmware &&
            append(&wrong, "; ",
                   "COMMITTED_TCB 0x%016" PRIx64
                   " (firmware %u.%u.%u) differs from CURRENT_TCB 0x%016" PRIx64
                   " (firmware %u.%u.%u): the firmware is provisional and may be rolled back "
                   "(allow_provisional_firmware)",
                   s->committed_tcb.raw, com[0], com[1], com[2], s->current_tcb.raw, cur[0], cur[1],
                   cur[2]) < 0)
                return -ENOMEM;
        if (wrong)
                return check_add(res, "policy.tcb_consistency", false, "%s", wrong);
        return check_add(
                res, "policy.tcb_consistency", true,
                "REPORTED_TCB is not above CURRENT_TCB or COMMITTED_TCB; COMMITTED_TCB %s CURRENT_TCB",
                provisional ? "is below (provisional firmware allowed)" : "equals");
}

static int check_min_tcb(AttestChecks *res, const SnpPolicy *sp, const SnpReport *s)
{
        _cleanup_free_ char *low = NULL, *which = NULL, *min = NULL;

        if (!sp->has_min_tcb)
                return 0;
        for (SnpTcbComponent c = 0; c < _SNP_TCB_COMPONENT_MAX; c++)
                if (append(&min, ", ", "%s %u", snp_tcb_components[c].name, sp->min_tcb[c]) < 0)
                        return -ENOMEM;
        for (SnpTcbKind k = 0; k < _SNP_TCB_KIND_MAX; k++) {
                if (!(sp->min_tcb_applies_to >> k & 1))
                        continue;
                if (append(&which, " and ", "%s", snp_tcb_field_table[k]) < 0)
                        return -ENOMEM;
                for (SnpTcbComponent c = 0; c < _SNP_TCB_COMPONENT_MAX; c++) {
                        uint8_t x = snp_tcb_get(snp_tcb_of(s, k), c);
                        /* The Milan/Genoa TCB_VERSION has no FMC_SPL: a minimum for it cannot be met. */
                        if (c == SNP_TCB_FMC && s->tcb_layout != SNP_TCB_LAYOUT_TURIN) {
                                if (sp->min_tcb[c] > 0 &&
                                    append(&low, "; ", "%s has no fmc component (%s TCB layout), minimum %u",
                                           snp_tcb_field_table[k], snp_tcb_layout_to_string(s->tcb_layout),
                                           sp->min_tcb[c]) < 0)
                                        return -ENOMEM;
                                continue;
                        }
                        if (x < sp->min_tcb[c] &&
                            append(&low, "; ", "%s %s %u is below the minimum %u", snp_tcb_field_table[k],
                                   snp_tcb_components[c].name, x, sp->min_tcb[c]) < 0)
                                return -ENOMEM;
                }
        }
        if (low)
                return check_add(res, "policy.min_tcb", false, "%s", low);
        return check_add(res, "policy.min_tcb", true, "%s meet the minimum (%s)", strempty(which), min);
}

int verify_policy_evaluate_snp(const VerifyPolicy *p, const SnpReport *s, AttestChecks *res)
{
        const SnpPolicy *sp = &p->snp;
        int r;

        if (!p->has_snp)
                return -EMEDIUMTYPE;
        if ((r = check_debug(res, sp->allow_debug, s->policy & SNP_POLICY_DEBUG, "guest policy DEBUG")) <
                    0 ||
            (r = check_tcb_consistency(res, sp, s)) < 0)
                return r;

        const struct {
                const char *id, *label;
                const PolicyValues *want;
                const uint8_t *seen;
        } values[] = {
                { "policy.measurement", "MEASUREMENT", &sp->measurement, s->measurement },
                { "policy.host_data", "HOST_DATA", &sp->host_data, s->host_data },
                { "policy.id_key_digest", "ID_KEY_DIGEST", &sp->id_key_digest, s->id_key_digest },
                { "policy.author_key_digest", "AUTHOR_KEY_DIGEST", &sp->author_key_digest,
                  s->author_key_digest },
                { "policy.family_id", "FAMILY_ID", &sp->family_id, s->family_id },
                { "policy.image_id", "IMAGE_ID", &sp->image_id, s->image_id },
        };
        for (size_t i = 0; i < ELEMENTSOF(values); i++)
                if ((r = check_values(res, values[i].id, values[i].label, values[i].want, values[i].seen)) <
                    0)
                        return r;
        if ((r = check_bits(res, "policy.policy", "POLICY", &sp->policy, s->policy, snp_policy_to_string)) <
                    0 ||
            (r = check_min_tcb(res, sp, s)) < 0)
                return r;

        if (sp->has_min_firmware) {
                const uint8_t cur[3] = { s->current_major, s->current_minor, s->current_build },
                              com[3] = { s->committed_major, s->committed_minor, s->committed_build };
                const uint8_t *m = sp->min_firmware;
                bool ok = fw_cmp(cur, m) >= 0 && fw_cmp(com, m) >= 0;
                r = check_add(res, "policy.min_firmware", ok,
                              "current firmware %u.%u.%u and committed %u.%u.%u %s the minimum %u.%u.%u",
                              cur[0], cur[1], cur[2], com[0], com[1], com[2],
                              ok ? "meet" : "do not both meet", m[0], m[1], m[2]);
                if (r < 0)
                        return r;
        }
        if (sp->vmpl.set &&
            (r = check_add(res, "policy.vmpl", s->vmpl == sp->vmpl.value, "VMPL is %" PRIu32 ", %s %" PRIu32,
                           s->vmpl, s->vmpl == sp->vmpl.value ? "as expected:" : "expected",
                           sp->vmpl.value)) < 0)
                return r;
        if (sp->min_guest_svn.set &&
            (r = check_add(res, "policy.min_guest_svn", s->guest_svn >= sp->min_guest_svn.value,
                           "GUEST_SVN %" PRIu32 " is %s the minimum %" PRIu32, s->guest_svn,
                           s->guest_svn >= sp->min_guest_svn.value ? "at least" : "below",
                           sp->min_guest_svn.value)) < 0)
                return r;
        return check_report_data(res, "REPORT_DATA", &sp->report_data, s->report_data);
}
