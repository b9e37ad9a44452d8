/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS Type 17 parsing (DMTF DSP0134 7.18), locator heuristics and the DIMM symmetry analysis. Records
 * are built here field by field, as a BIOS lays them out, independently of test/data/hosts/gen-smbios.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "smbios.h"
#include "test-util.h"

typedef struct Rec {
        uint8_t b[1024];
        size_t n;
} Rec;

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/*
 * A Type 17 record of the given Length (0x15 = SMBIOS 2.1, 0x1C = 2.6, 0x22 = 2.7, 0x5C = 3.3) with Size
 * word size, Extended Size ext (when the length has it), strings 1..4 = locator, bank, manufacturer, part.
 */
static Rec rec17(uint8_t length, uint16_t size, uint32_t ext, uint16_t speed, const char *locator,
                 const char *bank, const char *manufacturer, const char *part)
{
        Rec r = {};
        const char *strs[4] = { locator, bank, manufacturer, part };
        uint8_t idx[4] = {};
        uint8_t next = 1;

        r.b[0] = 17;
        r.b[1] = length;
        put16(r.b + 2, 0x1100);
        put16(r.b + 4, 0x0041);
        put16(r.b + 6, 0xFFFE);
        put16(r.b + 8, 80);
        put16(r.b + 0x0A, 64);
        put16(r.b + 0x0C, size);
        r.b[0x0E] = 0x09; /* DIMM */
        for (size_t i = 0; i < 4; i++)
                if (strs[i] && *strs[i])
                        idx[i] = next++;
        r.b[0x10] = idx[0];
        r.b[0x11] = idx[1];
        r.b[0x12] = 0x22; /* DDR5 */
        put16(r.b + 0x13, 0x2080);
        if (length >= 0x17)
                put16(r.b + 0x15, speed);
        if (length >= 0x1B) {
                r.b[0x17] = idx[2];
                r.b[0x1A] = idx[3];
        }
        if (length >= 0x20)
                put32(r.b + 0x1C, ext);
        if (length >= 0x5C)
                put32(r.b + 0x54, speed == 0xFFFF ? 8800 : 0);
        r.n = length;
        for (size_t i = 0; i < 4; i++)
                if (idx[i] && (length >= 0x1B || i < 2)) {
                        size_t l = strlen(strs[i]) + 1;
                        memcpy(r.b + r.n, strs[i], l);
                        r.n += l;
                }
        if (r.n == length)
                r.b[r.n++] = 0; /* no strings: two NULs */
        r.b[r.n++] = 0;
        return r;
}

static void parse_ok(const Rec *r, MemoryDevice *d)
{
        assert_int_equal(smbios_memory_device_parse(r->b, r->n, d), 0);
}

static void smbios_parse_extended_size_ddr5(void **state)
{
        Rec r = rec17(0x5C, 0x7FFF, 65536, 5600, "CPU0_DIMM_A1", "P0_Node0_Channel0_Dimm0", "Samsung",
                      "M321R8GA0PB0-CWM");
        MemoryDevice d;
        char buf[32];

        parse_ok(&r, &d);
        assert_int_equal(d.handle, 0x1100);
        assert_int_equal(d.length, 0x5C);
        assert_true(d.size_known);
        assert_true(d.size_kib == UINT64_C(64) * 1024 * 1024);
        assert_string_equal(format_kib(d.size_kib, buf), "64 GiB");
        assert_int_equal(d.type, 0x22);
        assert_string_equal(smbios_memory_type_to_string(d.type), "DDR5");
        assert_int_equal(d.speed_mts, 5600);
        assert_string_equal(d.locator, "CPU0_DIMM_A1");
        assert_string_equal(d.bank_locator, "P0_Node0_Channel0_Dimm0");
        assert_string_equal(d.manufacturer, "Samsung");
        assert_string_equal(d.part_number, "M321R8GA0PB0-CWM");
}

static void smbios_parse_size_encodings(void **state)
{
        MemoryDevice d;
        Rec r;

        /* MB granularity. */
        r = rec17(0x5C, 16384, 0, 4800, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_true(d.size_kib == UINT64_C(16384) * 1024);
        /* Bit 15 set: KB granularity. */
        r = rec17(0x5C, 0x8000 | 512, 0, 0, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_int_equal(d.size_kib, 512);
        /* 0: no device installed. */
        r = rec17(0x5C, 0, 0, 0, "DIMM_A2", "", "NO DIMM", "NO DIMM");
        parse_ok(&r, &d);
        assert_true(d.size_known);
        assert_int_equal(d.size_kib, 0);
        /* 0xFFFF: unknown. */
        r = rec17(0x5C, 0xFFFF, 0, 0, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_false(d.size_known);
        /* Extended Size bit 31 is reserved. */
        r = rec17(0x5C, 0x7FFF, 0x80000000u | 131072, 0, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_true(d.size_kib == UINT64_C(131072) * 1024);
        /* 0x7FFF in a record too short for Extended Size (2.6, Length 0x1C) is 32767 MB. */
        r = rec17(0x1C, 0x7FFF, 0, 0, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_true(d.size_kib == UINT64_C(32767) * 1024);
        /* Speed 0xFFFF: Extended Speed (3.3). */
        r = rec17(0x5C, 0x7FFF, 65536, 0xFFFF, "DIMM_A1", "", "", "");
        parse_ok(&r, &d);
        assert_int_equal(d.speed_mts, 8800);
}

static void smbios_parse_old_and_odd_records(void **state)
{
        MemoryDevice d;
        Rec r;

        /* SMBIOS 2.1: no speed, manufacturer or part number. */
        r = rec17(0x15, 4096, 0, 0, "DIMM0", "BANK 0", "ignored", "ignored");
        parse_ok(&r, &d);
        assert_true(d.size_kib == UINT64_C(4096) * 1024);
        assert_int_equal(d.speed_mts, 0);
        assert_string_equal(d.locator, "DIMM0");
        assert_string_equal(d.bank_locator, "BANK 0");
        assert_string_equal(d.manufacturer, "");
        assert_string_equal(d.part_number, "");

        /* No strings at all: the formatted area is followed by a double NUL. */
        r = rec17(0x5C, 1024, 0, 0, NULL, NULL, NULL, NULL);
        parse_ok(&r, &d);
        assert_string_equal(d.locator, "");

        /* Vendor padding is trimmed, control bytes shown as '?', long strings cut. */
        char longs[200];
        memset(longs, 'x', sizeof(longs) - 1);
        longs[sizeof(longs) - 1] = 0;
        r = rec17(0x5C, 1024, 0, 0, "CPU0\x01_DIMM_A1   ", "P0  ", "Micron Technology          ", longs);
        parse_ok(&r, &d);
        assert_string_equal(d.locator, "CPU0?_DIMM_A1");
        assert_string_equal(d.bank_locator, "P0");
        assert_string_equal(d.manufacturer, "Micron Technology");
        assert_int_equal(strlen(d.part_number), SMBIOS_STRING_MAX);

        /* Trailing bytes after the string set (none in sysfs, but harmless) are not read. */
        r = rec17(0x5C, 1024, 0, 0, "A1", "", "", "");
        r.b[r.n++] = 0xEE;
        parse_ok(&r, &d);
}

static void expect_bad(const uint8_t *p, size_t n, int error)
{
        MemoryDevice d, before;
        memset(&d, 0x5a, sizeof(d));
        before = d;
        assert_int_equal(smbios_memory_device_parse(p, n, &d), error);
        assert_memory_equal(&d, &before, sizeof(d));
}

static void smbios_parse_rejects_malformed(void **state)
{
        Rec good =
                rec17(0x5C, 0x7FFF, 65536, 5600, "CPU0_DIMM_A1", "P0_Node0_Channel0_Dimm0", "Samsung", "X");

        /* Every truncation fails: the record ends with the string set's double NUL. */
        for (size_t n = 0; n < good.n; n++)
                expect_bad(good.b, n, -EBADMSG);
        expect_bad(NULL, 0, -EBADMSG);

        /* Length below the 4-byte header, below SMBIOS 2.1's 0x15, and past the data. */
        Rec r = good;
        r.b[1] = 2;
        expect_bad(r.b, r.n, -EBADMSG);
        r.b[1] = 0x14;
        expect_bad(r.b, r.n, -EBADMSG);
        r.b[1] = 0xFF;
        expect_bad(r.b, 0x80, -EBADMSG);

        /* Another structure type. */
        r = good;
        r.b[0] = 16;
        expect_bad(r.b, r.n, -EBADMSG);

        /* A string without its NUL, and a set without the extra NUL. */
        static const char tail[] = "CPU0_DIMM_A1";
        uint8_t buf[0x5C + sizeof(tail)];
        memcpy(buf, good.b, 0x5C);
        memcpy(buf + 0x5C, tail, sizeof(tail) - 1);
        expect_bad(buf, 0x5C + sizeof(tail) - 1, -EBADMSG);
        memcpy(buf + 0x5C, tail, sizeof(tail)); /* with its NUL, no second one */
        expect_bad(buf, 0x5C + sizeof(tail), -EBADMSG);
        /* An empty set needs two NULs. */
        buf[0x5C] = 0;
        expect_bad(buf, 0x5C + 1, -EBADMSG);

        /* A string number past the set. */
        r = good;
        r.b[0x10] = 5;
        expect_bad(r.b, r.n, -EBADMSG);
        r = rec17(0x5C, 1024, 0, 0, NULL, NULL, NULL, NULL);
        r.b[0x11] = 1;
        expect_bad(r.b, r.n, -EBADMSG);

        /* Over the size cap. */
        uint8_t *big = calloc(1, SMBIOS_RECORD_MAX + 1);
        assert_non_null(big);
        memcpy(big, good.b, good.n);
        expect_bad(big, SMBIOS_RECORD_MAX + 1, -E2BIG);
        free(big);
}

static void smbios_parse_string_count_limit(void **state)
{
        /* String numbers are bytes: 255 strings are fine, a 256th cannot be addressed and is refused. */
        static uint8_t buf[0x5C + 256 * 5 + 1];
        Rec r = rec17(0x5C, 1024, 0, 0, NULL, NULL, NULL, NULL);
        for (unsigned count = 255; count <= 256; count++) {
                size_t n = 0x5C;
                memcpy(buf, r.b, 0x5C);
                for (unsigned i = 0; i < count; i++)
                        n += (size_t) sprintf((char *) buf + n, "s%u", i) + 1;
                buf[n++] = 0;
                buf[0x10] = 255;
                MemoryDevice d;
                int k = smbios_memory_device_parse(buf, n, &d);
                if (count == 255) {
                        assert_int_equal(k, 0);
                        assert_string_equal(d.locator, "s254");
                } else
                        assert_int_equal(k, -EBADMSG);
        }
}

typedef struct LocCase {
        const char *locator, *bank;
        int socket;          /* -1: cannot tell */
        const char *channel; /* "" socket only */
} LocCase;

static void dimm_locate_schemes(void **state)
{
        static const LocCase cases[] = {
                { "CPU0_DIMM_A1", "", 0, "A" },
                { "CPU1_DIMM_B2", "NODE 1", 1, "B" },
                { "cpu1_dimm_h1", "", 1, "H" },
                { "P1-DIMMA1", "", 1, "A" },
                { "P2-DIMMF2", "", 2, "F" },
                { "P2_DIMMA1", "Node1", 2, "A" },
                { "DIMM_P0_A0", "BANK 0", 0, "A" },
                { "DIMM_P1_L1", "BANK 23", 1, "L" },
                { "CPU0_C0D0", "", 0, "0" },
                { "CPU1_C11D1", "", 1, "11" },
                { "PROC 1 DIMM 1", "Not Specified", 1, "" },
                { "PROC 2 DIMM 16", "", 2, "" },
                { "DIMMA1", "NODE 1", 1, "A" },
                { "A1", "Node0", 0, "A" },
                { "DIMM_B2", "CPU1", 1, "B" },
                { "CPU0_DIMM_A1", "P0_Node0_Channel3_Dimm0", 0, "3" },
                { "whatever", "P1_Node1_Channel7_Dimm1", 1, "7" },
                /* Cannot tell: Dell ("A1" = CPU A slot 1), Lenovo, desktops, odd spellings. */
                { "A1", "Not Specified", -1, NULL },
                { "B12", "", -1, NULL },
                { "DIMM 1", "Not Specified", -1, NULL },
                { "ChannelA-DIMM0", "BANK 0", -1, NULL },
                { "Controller0-ChannelA", "BANK 0", -1, NULL },
                { "", "", -1, NULL },
                { "CPU0_DIMM_A100", "", -1, NULL },
                { "CPU0_DIMM_AA1", "", -1, NULL },
                { "CPU999_DIMM_A1", "", -1, NULL },
                { "CPU0_DIMM_A1_X", "", -1, NULL },
                { "PROC 1 DIMM", "", -1, NULL },
                { "CPU0_C0D", "", -1, NULL },
                { "CPU0_CXD0", "", -1, NULL },
                { "CPU0_C+1D0", "", -1, NULL },
                { "P1-DIMM1", "", -1, NULL },
                { "A1", "NODE", -1, NULL },
                { "a_b_c_d_e_f_g_h", "", -1, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                DimmLocation l = { .socket = 99 };
                int r = dimm_locate(cases[i].locator, cases[i].bank, &l);
                if (cases[i].socket < 0) {
                        if (r != -ENXIO)
                                fail_msg("'%s' / '%s' should not be located (got socket %u channel '%s')",
                                         cases[i].locator, cases[i].bank, l.socket, l.channel);
                        assert_int_equal(l.socket, 99);
                        continue;
                }
                if (r < 0)
                        fail_msg("'%s' / '%s' not located", cases[i].locator, cases[i].bank);
                assert_int_equal(l.socket, cases[i].socket);
                assert_string_equal(l.channel, cases[i].channel);
                assert_non_null(l.scheme);
        }
}

/* 2 sockets x 8 channels x 2 slots; slot 1 of channel c on socket s holds dimms[s] > c ? size : 0. */
static size_t xeon_2s(MemoryDevice *d, const unsigned populated[2], const uint64_t kib[2][8], bool hpe)
{
        size_t n = 0;
        for (unsigned s = 0; s < 2; s++)
                for (unsigned c = 0; c < 8; c++)
                        for (unsigned slot = 0; slot < 2; slot++) {
                                MemoryDevice m = { .size_known = true, .type = 0x22 };
                                if (slot == 0 && c < populated[s])
                                        m.size_kib = kib ? kib[s][c] : UINT64_C(64) << 20;
                                if (hpe)
                                        snprintf(m.locator, sizeof(m.locator), "PROC %u DIMM %u", s + 1,
                                                 c * 2 + slot + 1);
                                else
                                        snprintf(m.locator, sizeof(m.locator), "CPU%u_DIMM_%c%u", s, 'A' + c,
                                                 slot + 1);
                                d[n++] = m;
                        }
        return n;
}

static void dimm_layout_symmetric_2s_16(void **state)
{
        MemoryDevice d[32];
        DimmLayout *l = malloc(sizeof(DimmLayout));
        size_t n = xeon_2s(d, (const unsigned[]){ 8, 8 }, NULL, false);

        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRIC);
        assert_int_equal(l->n_slots, 32);
        assert_int_equal(l->n_populated, 16);
        assert_true(l->total_kib == UINT64_C(1024) << 20);
        assert_true(l->sockets_known);
        assert_true(l->channels_known);
        assert_int_equal(l->n_sockets, 2);
        assert_int_equal(l->n_channels, 16);
        assert_int_equal(l->sockets[1].socket, 1);
        assert_int_equal(l->sockets[1].dimms, 8);
        assert_int_equal(l->sockets[1].slots, 16);
        assert_int_equal(l->sockets[1].channels, 8);
        assert_string_equal(l->scheme, "CPU<s>_DIMM_<ch><n>");
        assert_non_null(strstr(l->reason, "each with 8 DIMMs (512 GiB) in 8 channels"));
        free(l);
}

static void dimm_layout_asymmetric_sockets(void **state)
{
        MemoryDevice d[32];
        DimmLayout *l = malloc(sizeof(DimmLayout));
        size_t n = xeon_2s(d, (const unsigned[]){ 8, 6 }, NULL, false);

        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_non_null(strstr(l->reason, "socket 0 has 8 DIMMs (512 GiB) in 8 channels"));
        assert_non_null(strstr(l->reason, "socket 1 has 6 DIMMs (384 GiB) in 6 channels"));

        /* Same count, one smaller DIMM: the socket totals differ. */
        uint64_t kib[2][8];
        for (unsigned s = 0; s < 2; s++)
                for (unsigned c = 0; c < 8; c++)
                        kib[s][c] = UINT64_C(64) << 20;
        kib[1][3] = UINT64_C(32) << 20;
        n = xeon_2s(d, (const unsigned[]){ 8, 8 }, kib, false);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_non_null(strstr(l->reason, "(480 GiB)"));

        /* HPE names no channel, but sockets still compare. */
        n = xeon_2s(d, (const unsigned[]){ 8, 4 }, NULL, true);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_false(l->channels_known);
        assert_non_null(strstr(l->reason, "socket 2 has 4 DIMMs (256 GiB)"));
        free(l);
}

static void dimm_layout_asymmetric_channels(void **state)
{
        MemoryDevice d[32];
        DimmLayout *l = malloc(sizeof(DimmLayout));

        /* Both sockets: 4 DIMMs, 256 GiB, but on socket 1 as 2 DIMMs in each of 2 channels. */
        size_t n = xeon_2s(d, (const unsigned[]){ 4, 2 }, NULL, false);
        d[16 + 1].size_kib = UINT64_C(64) << 20; /* CPU1_DIMM_A2 */
        d[16 + 3].size_kib = UINT64_C(64) << 20; /* CPU1_DIMM_B2 */
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_non_null(strstr(l->reason, "in 4 channels"));
        assert_non_null(strstr(l->reason, "in 2 channels"));

        /* Within one socket: channel A holds 2 DIMMs, channel B one (both sockets alike). */
        n = xeon_2s(d, (const unsigned[]){ 2, 2 }, NULL, false);
        d[1].size_kib = d[17].size_kib = UINT64_C(64) << 20;
        d[2].size_kib = d[18].size_kib = UINT64_C(128) << 20;
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_non_null(strstr(l->reason,
                               "socket 0: channel A has 2 DIMM(s) (128 GiB), channel B has 1 DIMM(s) "
                               "(128 GiB)"));
        free(l);
}

static void dimm_layout_cannot_tell(void **state)
{
        MemoryDevice d[32];
        DimmLayout *l = malloc(sizeof(DimmLayout));
        size_t n;

        /* HPE, symmetric sockets: channels unknown. */
        n = xeon_2s(d, (const unsigned[]){ 8, 8 }, NULL, true);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRY_UNKNOWN);
        assert_true(l->sockets_known);
        assert_non_null(strstr(l->reason, "do not name the memory channel"));

        /* Dell: "A1".."B16", bank "Not Specified". */
        n = xeon_2s(d, (const unsigned[]){ 8, 8 }, NULL, false);
        for (size_t i = 0; i < n; i++) {
                snprintf(d[i].locator, sizeof(d[i].locator), "%c%zu", i < 16 ? 'A' : 'B', i % 16 + 1);
                snprintf(d[i].bank_locator, sizeof(d[i].bank_locator), "Not Specified");
        }
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRY_UNKNOWN);
        assert_non_null(strstr(l->reason, "cannot tell the socket of the DIMM at locator 'A1'"));

        /* Two schemes at once. */
        n = xeon_2s(d, (const unsigned[]){ 8, 8 }, NULL, false);
        snprintf(d[18].locator, sizeof(d[18].locator), "P2-DIMMB1");
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRY_UNKNOWN);
        assert_non_null(strstr(l->reason, "two schemes"));

        /* An empty slot with an odd name is ignored. */
        n = xeon_2s(d, (const unsigned[]){ 8, 8 }, NULL, false);
        snprintf(d[31].locator, sizeof(d[31].locator), "Spare slot");
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRIC);

        /* Unknown size. */
        d[5].size_known = false;
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRY_UNKNOWN);
        assert_non_null(strstr(l->reason, "unknown (0xFFFF)"));

        /* Nothing populated. */
        n = xeon_2s(d, (const unsigned[]){ 0, 0 }, NULL, false);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRY_UNKNOWN);
        assert_int_equal(l->n_populated, 0);

        /* One socket is symmetric with itself. */
        n = xeon_2s(d, (const unsigned[]){ 8, 0 }, NULL, false);
        dimm_layout_analyze(d, 16, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRIC);
        assert_int_equal(l->n_sockets, 1);
        free(l);
}

static void facts_memory_devices_from_trees(void **state)
{
        const char *data = getenv("CVM_TEST_DATA");
        _cleanup_free_ char *ready = NULL, *asym = NULL;
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *fr = NULL, *fa = NULL;
        _cleanup_free_ MemoryDevice *d = NULL;
        DimmLayout *l = malloc(sizeof(DimmLayout));
        size_t n;

        if (!data)
                skip();
        assert_true(asprintf(&ready, "%s/hosts/tdx-emr-2s-ready", data) > 0);
        assert_true(asprintf(&asym, "%s/hosts/tdx-asymmetric-dimms", data) > 0);
        assert_int_equal(cvm_host_facts_collect(ready, NULL, CVM_FACTS_NO_QEMU, &fr), 0);
        assert_int_equal(cvm_host_facts_collect(asym, NULL, CVM_FACTS_NO_QEMU, &fa), 0);

        assert_int_equal(facts_memory_devices(fr, &d, &n, NULL), 0);
        assert_int_equal(n, 32);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_SYMMETRIC);
        assert_int_equal(l->n_populated, 16);
        d = mfree(d);

        assert_int_equal(facts_memory_devices(fa, &d, &n, NULL), 0);
        dimm_layout_analyze(d, n, l);
        assert_int_equal(l->symmetry, DIMM_ASYMMETRIC);
        assert_int_equal(l->n_populated, 14);
        free(l);
}

static void facts_memory_devices_errors(void **state)
{
        _cleanup_(rm_rf_freep) char *empty = make_tree((const char *[]){ "/proc/cmdline", "x\n", NULL });
        _cleanup_(rm_rf_freep) char *bad = make_tree(
                (const char *[]){ "/sys/firmware/dmi/entries/17-0/raw", "not an SMBIOS record", NULL });
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *fe = NULL, *fb = NULL;
        MemoryDevice *d = (MemoryDevice *) 0x1;
        const char *where = NULL;
        size_t n;

        assert_int_equal(cvm_host_facts_collect(empty, NULL, CVM_FACTS_NO_QEMU, &fe), 0);
        assert_int_equal(cvm_host_facts_collect(bad, NULL, CVM_FACTS_NO_QEMU, &fb), 0);
        assert_int_equal(facts_memory_devices(fe, &d, &n, &where), -ENOENT);
        assert_int_equal(facts_memory_devices(fb, &d, &n, &where), -EBADMSG);
        assert_string_equal(where, "/sys/firmware/dmi/entries/17-0/raw");
        assert_ptr_equal(d, (MemoryDevice *) 0x1);
}

static void format_kib_units(void **state)
{
        char b[32];
        assert_string_equal(format_kib(0, b), "0 KiB");
        assert_string_equal(format_kib(768, b), "768 KiB");
        assert_string_equal(format_kib(1024, b), "1 MiB");
        assert_string_equal(format_kib(1536 * 1024, b), "1536 MiB");
        assert_string_equal(format_kib(UINT64_C(896) << 20, b), "896 GiB");
        assert_string_equal(format_kib(UINT64_C(1) << 30, b), "1 TiB");
        assert_string_equal(format_kib(UINT64_C(1) << 40, b), "1024 TiB");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(smbios_parse_extended_size_ddr5),
                cmocka_unit_test(smbios_parse_size_encodings),
                cmocka_unit_test(smbios_parse_old_and_odd_records),
                cmocka_unit_test(smbios_parse_rejects_malformed),
                cmocka_unit_test(smbios_parse_string_count_limit),
                cmocka_unit_test(dimm_locate_schemes),
                cmocka_unit_test(dimm_layout_symmetric_2s_16),
                cmocka_unit_test(dimm_layout_asymmetric_sockets),
                cmocka_unit_test(dimm_layout_asymmetric_channels),
                cmocka_unit_test(dimm_layout_cannot_tell),
                cmocka_unit_test(facts_memory_devices_from_trees),
                cmocka_unit_test(facts_memory_devices_errors),
                cmocka_unit_test(format_kib_units),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
