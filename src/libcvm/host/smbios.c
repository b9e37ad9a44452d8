/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS Memory Device (Type 17) parser and DIMM population analysis.
 *
 * Record layout, DMTF DSP0134 7.18 (offsets in the formatted area; "2.x" is the version that added it):
 *   0x00 Type (17)   0x01 Length   0x02 Handle (WORD)
 *   0x0C Size (WORD, 2.1): 0 = no device installed, 0xFFFF = unknown, bit 15 = granularity (0 MB,
 *        1 KB), 0x7FFF = the size is in Extended Size
 *   0x10 Device Locator (STRING)   0x11 Bank Locator (STRING)   0x12 Memory Type (BYTE)
 *   0x15 Speed (WORD, 2.3, MT/s; 0 unknown; 0xFFFF = see Extended Speed)
 *   0x17 Manufacturer (STRING, 2.3)   0x1A Part Number (STRING, 2.3)
 *   0x1C Extended Size (DWORD, 2.7): bits 30:0 size in MB, bit 31 reserved
 *   0x54 Extended Speed (DWORD, 3.3): bits 30:0 MT/s
 * A STRING field holds the number (1-based) of a string in the set that follows the formatted area; 0
 * means none. The set is NUL-terminated strings ended by one more NUL; with no strings the formatted area
 * is followed by two NULs (DSP0134 6.1.3). dmidecode's dmi_decode() type 17 case reads the same offsets.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "log.h"
#include "reader.h"
#include "smbios.h"

#define SMBIOS_STRINGS_MAX 255 /* string numbers are bytes */

/* Reads a field of the formatted area; fields beyond the record's Length do not exist (0). */
static uint64_t fmt_uint(const Reader *fmt, size_t off, size_t n)
{
        const uint8_t *p;
        uint64_t v = 0;
        if (reader_peek_at(fmt, off, n, &p) < 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t) p[i] << (8 * i);
        return v;
}

static bool fmt_has(const Reader *fmt, size_t off, size_t n)
{
        const uint8_t *p;
        return reader_peek_at(fmt, off, n, &p) >= 0;
}

typedef struct StringSet {
        const char *s[SMBIOS_STRINGS_MAX];
        size_t n;
} StringSet;

static int string_set_parse(Reader *r, StringSet *ret)
{
        StringSet set = {};
        const uint8_t *p;

        /* No strings: the formatted area is followed by a double NUL. */
        if (reader_peek_at(r, r->off, 1, &p) < 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "SMBIOS record ends without its string set");
        if (*p == 0) {
                if (reader_peek_at(r, r->off, 2, &p) < 0 || p[1] != 0)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "SMBIOS record's empty string set lacks the double NUL");
                *ret = set;
                return 0;
        }

        for (;;) {
                size_t left = reader_remaining(r);
                if (left == 0)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "SMBIOS string set is not terminated");
                (void) reader_peek_at(r, r->off, left, &p);
                if (*p == 0) /* the extra NUL ending the set */
                        break;
                const uint8_t *nul = memchr(p, 0, left);
                if (!nul)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "SMBIOS string %zu lacks its NUL",
                                               set.n + 1);
                if (set.n >= SMBIOS_STRINGS_MAX)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "SMBIOS record has over 255 strings");
                set.s[set.n++] = (const char *) p;
                (void) reader_skip(r, (size_t) (nul - p) + 1);
        }
        *ret = set;
        return 0;
}

/* Copies string number idx of the set, printable ASCII only, trailing blanks (vendor padding) cut. */
static int string_get(const StringSet *set, uint8_t idx, char out[static SMBIOS_STRING_MAX + 1])
{
        if (idx == 0) {
                out[0] = 0;
                return 0;
        }
        if (idx > set->n)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "SMBIOS string number %u past the %zu strings", idx, set->n);
        const char *s = set->s[idx - 1];
        size_t l = 0;
        for (; s[l] && l < SMBIOS_STRING_MAX; l++)
                out[l] = s[l] >= 0x20 && s[l] < 0x7f ? s[l] : '?';
        while (l > 0 && out[l - 1] == ' ')
                l--;
        out[l] = 0;
        return 0;
}

int smbios_memory_device_parse(const uint8_t *data, size_t size, MemoryDevice *ret)
{
        Reader r = reader_init(data, size), fmt;
        uint8_t type, length;
        uint16_t handle;
        int k;

        if (size > SMBIOS_RECORD_MAX)
                return -E2BIG;
        if (reader_u8(&r, &type) < 0 || reader_u8(&r, &length) < 0 || reader_u16le(&r, &handle) < 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "SMBIOS record shorter than its 4-byte header");
        if (type != SMBIOS_TYPE_MEMORY_DEVICE)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "SMBIOS record of type %u, not 17", type);
        if (length < SMBIOS_TYPE17_MIN_LENGTH)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "SMBIOS Type 17 Length 0x%02x is below 0x%02x", length,
                                       SMBIOS_TYPE17_MIN_LENGTH);
        (void) reader_seek(&r, 0);
        if (reader_sub(&r, length, &fmt) < 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                       "SMBIOS Type 17 Length 0x%02x exceeds the %zu bytes given", length,
                                       size);

        StringSet set;
        k = string_set_parse(&r, &set);
        if (k < 0)
                return k;

        MemoryDevice d = { .handle = handle, .length = length, .size_known = true };

        uint16_t sz = (uint16_t) fmt_uint(&fmt, 0x0C, 2);
        if (sz == 0xFFFF)
                d.size_known = false;
        else if (sz == 0x7FFF && fmt_has(&fmt, 0x1C, 4))
                d.size_kib = (fmt_uint(&fmt, 0x1C, 4) & UINT32_C(0x7FFFFFFF)) * 1024;
        else if (sz & 0x8000)
                d.size_kib = sz & 0x7FFF;
        else
                d.size_kib = (uint64_t) sz * 1024;

        d.type = (uint8_t) fmt_uint(&fmt, 0x12, 1);

        uint16_t speed = (uint16_t) fmt_uint(&fmt, 0x15, 2);
        if (speed == 0xFFFF)
                d.speed_mts = fmt_has(&fmt, 0x54, 4) ? (uint32_t) fmt_uint(&fmt, 0x54, 4) & 0x7FFFFFFF : 0;
        else
                d.speed_mts = speed;

        if ((k = string_get(&set, (uint8_t) fmt_uint(&fmt, 0x10, 1), d.locator)) < 0 ||
            (k = string_get(&set, (uint8_t) fmt_uint(&fmt, 0x11, 1), d.bank_locator)) < 0 ||
            (k = string_get(&set, (uint8_t) fmt_uint(&fmt, 0x17, 1), d.manufacturer)) < 0 ||
            (k = string_get(&set, (uint8_t) fmt_uint(&fmt, 0x1A, 1), d.part_number)) < 0)
                return k;

        *ret = d;
        return 0;
}

static const char *const memory_type_table[] = {
        [0x01] = "Other",  [0x02] = "Unknown", [0x03] = "DRAM",   [0x04] = "EDRAM",
        [0x05] = "VRAM",   [0x06] = "SRAM",    [0x07] = "RAM",    [0x08] = "ROM",
        [0x09] = "Flash",  [0x0A] = "EEPROM",  [0x0B] = "FEPROM", [0x0C] = "EPROM",
        [0x0D] = "CDRAM",  [0x0E] = "3DRAM",   [0x0F] = "SDRAM",  [0x10] = "SGRAM",
        [0x11] = "RDRAM",  [0x12] = "DDR",     [0x13] = "DDR2",   [0x14] = "DDR2 FB-DIMM",
        [0x18] = "DDR3",   [0x19] = "FBD2",    [0x1A] = "DDR4",   [0x1B] = "LPDDR",
        [0x1C] = "LPDDR2", [0x1D] = "LPDDR3",  [0x1E] = "LPDDR4", [0x1F] = "Logical non-volatile device",
        [0x20] = "HBM",    [0x21] = "HBM2",    [0x22] = "DDR5",   [0x23] = "LPDDR5",
        [0x24] = "HBM3",
};

const char *smbios_memory_type_to_string(uint8_t type)
{
        return type < ELEMENTSOF(memory_type_table) ? memory_type_table[type] : NULL;
}

/*
 * Locator schemes. DSP0134 only says the Device Locator is "the string number of the string that
 * identifies the physically-labeled socket or board position" and the Bank Locator "the physically
 * labeled bank"; vendors spell them as they like. The schemes below are spellings seen on dual-socket
 * Xeon servers; each must match the whole string, so an unknown spelling stays unknown:
 *   bank "P<s>_Node<n>_Channel<c>_Dimm<d>"     AMI Aptio on Intel Xeon (socket s, channel c)
 *   "CPU<s>_DIMM_<ch><n>"                      Intel reference and OEM boards ("CPU1_DIMM_B2")
 *   "P<s>-DIMM<ch><n>", "P<s>_DIMM<ch><n>"      Supermicro ("P1-DIMMA1")
 *   "DIMM_P<s>_<ch><n>"                        Gigabyte ("DIMM_P0_A0")
 *   "CPU<s>_C<c>D<n>"                          Inspur and other ODMs ("CPU0_C0D0")
 *   "PROC <s> DIMM <n>"                        HPE ProLiant: the socket only, DIMM numbers do not name
 *                                              a channel without the board's slot map
 *   "DIMM<ch><n>", "DIMM_<ch><n>", "<ch><n>"   with bank "Node<s>", "NODE <s>", "CPU<s>": the socket from
 *                                              the bank, the channel letter from the locator
 * Dell's "A1".."B16" (letter = CPU, number = slot) and Lenovo's "DIMM 1".."DIMM 32" carry no channel, and
 * their bank locators no socket, so they are not matched: "cannot tell" beats a wrong answer.
 */
#define TOKENS_MAX 6

typedef struct Tokens {
        char t[TOKENS_MAX][SMBIOS_STRING_MAX + 1];
        size_t n;
} Tokens;

/* Upper-cases and splits at '-', '_' and ' '; false when there are too many parts. */
static bool tokenize(const char *s, Tokens *ret)
{
        Tokens t = {};
        size_t l = 0;
        for (const char *p = s;; p++) {
                if (*p == 0 || *p == '-' || *p == '_' || *p == ' ') {
                        if (l > 0) {
                                t.t[t.n][l] = 0;
                                t.n++;
                                l = 0;
                        }
                        if (*p == 0)
                                break;
                        continue;
                }
                /* Bounds first: a new token needs a free slot, a longer one room in its slot. */
                if (t.n >= TOKENS_MAX || l >= SMBIOS_STRING_MAX)
                        return false;
                char c = *p >= 'a' && *p <= 'z' ? (char) (*p - 'a' + 'A') : *p;
                t.t[t.n][l++] = c;
        }
        *ret = t;
        return true;
}

/* 1 or 2 decimal digits, the whole rest of the token. */
static bool parse_small(const char *s, unsigned *ret)
{
        if (!(s[0] >= '0' && s[0] <= '9'))
                return false;
        unsigned v = (unsigned) (s[0] - '0');
        if (s[1]) {
                if (!(s[1] >= '0' && s[1] <= '9') || s[2])
                        return false;
                v = v * 10 + (unsigned) (s[1] - '0');
        }
        *ret = v;
        return true;
}

/* tok == prefix followed by a small number. */
static bool prefix_num(const char *tok, const char *prefix, unsigned *ret)
{
        const char *rest = startswith(tok, prefix);
        return rest && parse_small(rest, ret);
}

/* tok == prefix, one channel letter, a small DIMM number: "DIMMA1" with prefix "DIMM", "A1" with "". */
static bool prefix_letter_num(const char *tok, const char *prefix, char channel[static 8])
{
        const char *rest = startswith(tok, prefix);
        unsigned n;
        if (!rest || !(rest[0] >= 'A' && rest[0] <= 'Z') || !parse_small(rest + 1, &n))
                return false;
        channel[0] = rest[0];
        channel[1] = 0;
        return true;
}

static bool tok_eq(const Tokens *t, size_t i, const char *s)
{
        return i < t->n && streq(t->t[i], s);
}

/* "C<c>D<n>": channel c, DIMM n, both small numbers. */
static bool parse_c_d(const char *tok, unsigned *ret_channel)
{
        char c[4], n[4];
        const char *d = strchr(tok, 'D');
        unsigned x, y;
        if (tok[0] != 'C' || !d || d - tok - 1 < 1 || d - tok - 1 > 2 || strlen(d + 1) > 2)
                return false;
        snprintf(c, sizeof(c), "%.*s", (int) (d - tok - 1), tok + 1);
        snprintf(n, sizeof(n), "%s", d + 1);
        if (!parse_small(c, &x) || !parse_small(n, &y))
                return false;
        *ret_channel = x;
        return true;
}

int dimm_locate(const char *locator, const char *bank_locator, DimmLocation *ret)
{
        Tokens l, b;
        DimmLocation d = {};
        unsigned s, node, ch, n;

        if (!tokenize(strempty(locator), &l))
                l.n = 0;
        if (!tokenize(strempty(bank_locator), &b))
                b.n = 0;

        if (b.n == 4 && prefix_num(b.t[0], "P", &s) && prefix_num(b.t[1], "NODE", &node) &&
            prefix_num(b.t[2], "CHANNEL", &ch) && prefix_num(b.t[3], "DIMM", &n)) {
                d.scheme = "bank P<s>_Node<n>_Channel<c>_Dimm<d>";
                snprintf(d.channel, sizeof(d.channel), "%u", ch);
        } else if (l.n == 3 && prefix_num(l.t[0], "CPU", &s) && tok_eq(&l, 1, "DIMM") &&
                   prefix_letter_num(l.t[2], "", d.channel))
                d.scheme = "CPU<s>_DIMM_<ch><n>";
        else if (l.n == 2 && prefix_num(l.t[0], "P", &s) && prefix_letter_num(l.t[1], "DIMM", d.channel))
                d.scheme = "P<s>-DIMM<ch><n>";
        else if (l.n == 3 && tok_eq(&l, 0, "DIMM") && prefix_num(l.t[1], "P", &s) &&
                 prefix_letter_num(l.t[2], "", d.channel))
                d.scheme = "DIMM_P<s>_<ch><n>";
        else if (l.n == 2 && prefix_num(l.t[0], "CPU", &s) && parse_c_d(l.t[1], &ch)) {
                d.scheme = "CPU<s>_C<c>D<n>";
                snprintf(d.channel, sizeof(d.channel), "%u", ch);
        } else if (l.n == 4 && tok_eq(&l, 0, "PROC") && parse_small(l.t[1], &s) && tok_eq(&l, 2, "DIMM") &&
                   parse_small(l.t[3], &n))
                d.scheme = "PROC <s> DIMM <n>";
        else if (((b.n == 1 && (prefix_num(b.t[0], "NODE", &s) || prefix_num(b.t[0], "CPU", &s))) ||
                  (b.n == 2 && tok_eq(&b, 0, "NODE") && parse_small(b.t[1], &s))) &&
                 ((l.n == 1 && (prefix_letter_num(l.t[0], "DIMM", d.channel) ||
                                prefix_letter_num(l.t[0], "", d.channel))) ||
                  (l.n == 2 && tok_eq(&l, 0, "DIMM") && prefix_letter_num(l.t[1], "", d.channel))))
                d.scheme = "DIMM<ch><n> with bank Node<s>";
        else
                return -ENXIO;

        d.socket = s;
        *ret = d;
        return 0;
}

const char *format_kib(uint64_t kib, char buf[static 32])
{
        static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
        size_t u = 0;
        while (u + 1 < ELEMENTSOF(units) && kib >= 1024 && kib % 1024 == 0) {
                kib /= 1024;
                u++;
        }
        snprintf(buf, 32, "%" PRIu64 " %s", kib, units[u]);
        return buf;
}

static DimmSocket *layout_socket(DimmLayout *l, unsigned socket)
{
        for (size_t i = 0; i < l->n_sockets; i++)
                if (l->sockets[i].socket == socket)
                        return l->sockets + i;
        if (l->n_sockets >= DIMM_SOCKETS_MAX)
                return NULL;
        DimmSocket *s = l->sockets + l->n_sockets++;
        *s = (DimmSocket){ .socket = socket };
        return s;
}

static DimmChannel *layout_channel(DimmLayout *l, unsigned socket, const char *channel)
{
        for (size_t i = 0; i < l->n_channels; i++)
                if (l->channels[i].socket == socket && streq(l->channels[i].channel, channel))
                        return l->channels + i;
        if (l->n_channels >= DIMM_CHANNELS_MAX)
                return NULL;
        DimmChannel *c = l->channels + l->n_channels++;
        *c = (DimmChannel){ .socket = socket };
        snprintf(c->channel, sizeof(c->channel), "%s", channel);
        return c;
}

static int compare_sockets(const void *a, const void *b)
{
        const DimmSocket *x = a, *y = b;
        return x->socket < y->socket ? -1 : x->socket > y->socket;
}

static int compare_channels(const void *a, const void *b)
{
        const DimmChannel *x = a, *y = b;
        if (x->socket != y->socket)
                return x->socket < y->socket ? -1 : 1;
        if (strlen(x->channel) != strlen(y->channel)) /* "2" before "10" */
                return strlen(x->channel) < strlen(y->channel) ? -1 : 1;
        return strcmp(x->channel, y->channel);
}

static void layout_unknown(DimmLayout *l, const char *format, ...) _printf_(2, 3);
static void layout_unknown(DimmLayout *l, const char *format, ...)
{
        va_list ap;
        va_start(ap, format);
        vsnprintf(l->reason, sizeof(l->reason), format, ap);
        va_end(ap);
        l->symmetry = DIMM_SYMMETRY_UNKNOWN;
}

/* Groups slots by socket and channel; false (with the reason set) when the locators do not allow it. */
static bool layout_group(const MemoryDevice *devices, size_t n, DimmLayout *l)
{
        for (size_t i = 0; i < n; i++) {
                const MemoryDevice *d = devices + i;
                bool populated = d->size_kib > 0;
                DimmLocation loc;

                if (dimm_locate(d->locator, d->bank_locator, &loc) < 0) {
                        if (!populated)
                                continue; /* an empty slot with an odd name changes nothing */
                        layout_unknown(l, "cannot tell the socket of the DIMM at locator '%s' (bank '%s')",
                                       d->locator, d->bank_locator);
                        return false;
                }
                if (!l->scheme)
                        l->scheme = loc.scheme;
                else if (!streq(l->scheme, loc.scheme)) {
                        layout_unknown(l, "locators follow two schemes ('%s' and '%s', e.g. '%s')",
                                       l->scheme, loc.scheme, d->locator);
                        l->scheme = NULL;
                        return false;
                }

                DimmSocket *s = layout_socket(l, loc.socket);
                if (!s) {
                        layout_unknown(l, "more than %d sockets in the locators", DIMM_SOCKETS_MAX);
                        return false;
                }
                s->slots++;
                s->dimms += populated;
                s->size_kib += d->size_kib;

                if (isempty(loc.channel))
                        continue;
                DimmChannel *c = layout_channel(l, loc.socket, loc.channel);
                if (!c) {
                        layout_unknown(l, "more than %d channels in the locators", DIMM_CHANNELS_MAX);
                        return false;
                }
                c->slots++;
                c->dimms += populated;
                c->size_kib += d->size_kib;
        }
        return true;
}

static void layout_compare(DimmLayout *l)
{
        char a[32], b[32];

        qsort(l->sockets, l->n_sockets, sizeof(DimmSocket), compare_sockets);
        qsort(l->channels, l->n_channels, sizeof(DimmChannel), compare_channels);

        for (size_t i = 0; i < l->n_channels; i++)
                if (l->channels[i].dimms > 0)
                        layout_socket(l, l->channels[i].socket)->channels++;

        const DimmSocket *s0 = l->sockets;
        for (size_t i = 1; i < l->n_sockets; i++) {
                const DimmSocket *s = l->sockets + i;
                if (s->dimms != s0->dimms || s->size_kib != s0->size_kib ||
                    (l->channels_known && s->channels != s0->channels)) {
                        l->symmetry = DIMM_ASYMMETRIC;
                        snprintf(l->reason, sizeof(l->reason),
                                 "socket %u has %u DIMMs (%s) in %u channels, socket %u has %u DIMMs (%s) "
                                 "in %u "
                                 "channels",
                                 s0->socket, s0->dimms, format_kib(s0->size_kib, a), s0->channels, s->socket,
                                 s->dimms, format_kib(s->size_kib, b), s->channels);
                        if (!l->channels_known)
                                /* The channel counts are unknown: say less rather than print zeros. */
                                snprintf(l->reason, sizeof(l->reason),
                                         "socket %u has %u DIMMs (%s), socket %u has %u DIMMs (%s)",
                                         s0->socket, s0->dimms, format_kib(s0->size_kib, a), s->socket,
                                         s->dimms, format_kib(s->size_kib, b));
                        return;
                }
        }

        if (!l->channels_known) {
                layout_unknown(
                        l,
                        "%zu socket(s) hold %u DIMMs (%s) each, but locators like '%s' do not name the "
                        "memory channel",
                        l->n_sockets, s0->dimms, format_kib(s0->size_kib, a), l->scheme);
                return;
        }

        /* Within a socket every populated channel must hold the same DIMMs. */
        const DimmChannel *ref = NULL;
        for (size_t i = 0; i < l->n_channels; i++) {
                const DimmChannel *c = l->channels + i;
                if (c->dimms == 0)
                        continue;
                if (!ref || ref->socket != c->socket) {
                        ref = c;
                        continue;
                }
                if (c->dimms != ref->dimms || c->size_kib != ref->size_kib) {
                        l->symmetry = DIMM_ASYMMETRIC;
                        snprintf(l->reason, sizeof(l->reason),
                                 "socket %u: channel %s has %u DIMM(s) (%s), channel %s has %u DIMM(s) (%s)",
                                 c->socket, ref->channel, ref->dimms, format_kib(ref->size_kib, a),
                                 c->channel, c->dimms, format_kib(c->size_kib, b));
                        return;
                }
        }

        l->symmetry = DIMM_SYMMETRIC;
        snprintf(l->reason, sizeof(l->reason), "%zu socket(s), each with %u DIMMs (%s) in %u channels",
                 l->n_sockets, s0->dimms, format_kib(s0->size_kib, a), s0->channels);
}

void dimm_layout_analyze(const MemoryDevice *devices, size_t n, DimmLayout *ret)
{
        DimmLayout *l = ret;
        *l = (DimmLayout){ .n_slots = n, .symmetry = DIMM_SYMMETRY_UNKNOWN };

        for (size_t i = 0; i < n; i++) {
                if (!devices[i].size_known) {
                        layout_unknown(l,
                                       "the size of the memory device at locator '%s' is unknown (0xFFFF)",
                                       devices[i].locator);
                        return;
                }
                if (devices[i].size_kib > 0) {
                        l->n_populated++;
                        l->total_kib += devices[i].size_kib;
                }
        }
        if (l->n_populated == 0) {
                layout_unknown(l, "no populated memory device among %zu Type 17 records", n);
                return;
        }

        if (!layout_group(devices, n, l))
                return;
        l->sockets_known = true;
        l->channels_known = l->n_channels > 0;
        layout_compare(l);
}

int facts_memory_devices(const HostFacts *f, MemoryDevice **ret, size_t *ret_n, const char **ret_bad)
{
        _cleanup_free_ const char **paths = NULL;
        _cleanup_free_ MemoryDevice *devs = NULL;
        size_t n = 0;

        int r = facts_files_with_prefix(f, "/sys/firmware/dmi/entries/17-", &paths);
        if (r < 0)
                return r;
        for (const char **p = paths; *p; p++) {
                const char *slash = strrchr(*p, '/');
                if (!slash || !streq(slash, "/raw"))
                        continue;

                _cleanup_free_ uint8_t *data = NULL;
                size_t size;
                r = facts_file_bytes(f, *p, &data, &size);
                if (r == -ENOMEM)
                        return r;
                MemoryDevice d;
                if (r >= 0)
                        r = smbios_memory_device_parse(data, size, &d);
                if (r < 0) {
                        if (ret_bad)
                                *ret_bad = *p;
                        return r;
                }
                MemoryDevice *a = reallocarray(devs, n + 1, sizeof(MemoryDevice));
                if (!a)
                        return -ENOMEM;
                devs = a;
                devs[n++] = d;
        }
        if (n == 0)
                return -ENOENT;
        *ret = TAKE_PTR(devs);
        *ret_n = n;
        return 0;
}
