/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPUID leaves the checks read: vendor (0), family/model (1), structured features (7), extended range
 * (0x80000000), brand (0x80000002-4), address sizes (0x80000008) and AMD's memory-encryption leaf
 * (0x8000001F: SME/SEV/SEV-ES/SNP/VMPL bits, C-bit position, physical-address reduction, ASID counts;
 * AMD APM vol. 3, CPUID Fn8000_001F). Stored as hex strings [eax, ebx, ecx, edx] under "0xLEAF.SUB".
 */
#include "facts.h"
#include "cpuid-util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static int add_leaf(json_object *o, uint32_t leaf, uint32_t sub)
{
        uint32_t r[4];
        char key[32];

        __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
        json_object *a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < 4; i++)
                if (json_append(a, json_hex_new(r[i])) < 0) {
                        json_object_put(a);
                        return -ENOMEM;
                }
        cpuid_key(leaf, sub, key);
        return json_add(o, key, a);
}

int probe_cpuid(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        static const uint32_t basic[][2] = { { 0, 0 }, { 1, 0 }, { 7, 0 } };
        static const uint32_t ext[][2] = {
                { 0x80000000, 0 }, { 0x80000002, 0 }, { 0x80000003, 0 },
                { 0x80000004, 0 }, { 0x80000008, 0 }, { 0x8000001f, 0 },
        };
        uint32_t a, b, c, d;
        (void) root;
        (void) qemu;
        (void) flags;

        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        __cpuid(0, a, b, c, d);
        uint32_t max_basic = a;
        for (size_t i = 0; i < ELEMENTSOF(basic); i++)
                if (basic[i][0] <= max_basic && add_leaf(o, basic[i][0], basic[i][1]) < 0)
                        return -ENOMEM;

        __cpuid(0x80000000, a, b, c, d);
        uint32_t max_ext = a;
        for (size_t i = 0; i < ELEMENTSOF(ext); i++)
                if (ext[i][0] <= max_ext && add_leaf(o, ext[i][0], ext[i][1]) < 0)
                        return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}
#else
int probe_cpuid(const char *root, const char *qemu, unsigned flags, json_object **ret)
{
        return -EOPNOTSUPP;
}
#endif

void cpuid_key(uint32_t leaf, uint32_t sub, char key[static 32])
{
        snprintf(key, 32, "0x%08x.%u", leaf, sub);
}

int facts_cpuid(const HostFacts *f, uint32_t leaf, uint32_t sub, uint32_t ret[static 4])
{
        json_object *cpuid;
        char key[32];
        int r = facts_probe_result(f, "cpuid", &cpuid);
        if (r < 0)
                return r;
        cpuid_key(leaf, sub, key);
        json_object *a = json_get(cpuid, key, json_type_array);
        if (!a)
                return -ENOENT; /* leaf beyond the CPU's maximum */
        if (json_object_array_length(a) != 4)
                return -EBADMSG;
        uint32_t v[4];
        for (size_t i = 0; i < 4; i++) {
                uint64_t x;
                if (json_hex_get(json_object_array_get_idx(a, i), &x) < 0 || x > UINT32_MAX)
                        return -EBADMSG;
                v[i] = (uint32_t) x;
        }
        memcpy(ret, v, sizeof(v));
        return 0;
}

const char *cpuid_vendor_string(const uint32_t r[static 4], char vendor[static 13])
{
        /* The vendor string is EBX, EDX, ECX, four little-endian bytes each. */
        const uint32_t order[3] = { r[CPUID_EBX], r[CPUID_EDX], r[CPUID_ECX] };
        for (size_t i = 0; i < 3; i++)
                for (size_t b = 0; b < 4; b++) {
                        char c = (char) (order[i] >> (8 * b));
                        vendor[i * 4 + b] = c >= 0x20 && c < 0x7f ? c : '?';
                }
        vendor[12] = 0;
        return vendor;
}
