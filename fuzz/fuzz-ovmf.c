/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OVMF GUID table / TDVF / ASEV parser (src/libcvm/measure/ovmf.c) on arbitrary bytes: once as a whole
 * image, once as the tail of a larger one (the way ovmf_image_load() feeds it). A whole image that parses is
 * also measured (MRTD in both orders, the SNP launch digest with and without kernel hashes), as cvm
 * measure would, when its sections are small enough to keep the fuzzer fast.
 */
#include "fuzz.h"
#include "measure/mrtd.h"
#include "measure/snp-digest.h"

static void check(const OvmfImage *o)
{
        /* Entries and sections must lie inside what the parser was given and claims to have kept. */
        for (size_t i = 0; i < o->n_entries; i++) {
                assert(o->entries[i].data >= o->table_bytes);
                assert(o->entries[i].data + o->entries[i].size <= o->table_bytes + o->table_size);
                assert(o->entries[i].offset + o->entries[i].size <= o->size);
        }
        assert((o->tdx.error == 0) == (o->tdx.detail == NULL));
        assert((o->sev.error == 0) == (o->sev.detail == NULL));
        for (size_t i = 0; i < o->n_tdvf_sections; i++)
                assert(tdvf_section_type_to_string(o->tdvf_sections[i].type));
}

/* Pages the measurements would hash; the fuzzer skips images above a few thousand. */
static uint64_t pages(const OvmfImage *o)
{
        uint64_t n = o->size / OVMF_PAGE_SIZE;
        for (size_t i = 0; i < o->n_tdvf_sections; i++)
                n += o->tdvf_sections[i].mem_size / OVMF_PAGE_SIZE;
        for (size_t i = 0; i < o->n_sev_sections; i++)
                n += o->sev_sections[i].size / OVMF_PAGE_SIZE;
        return n;
}

static void measure(const OvmfImage *o, const uint8_t *data, size_t size)
{
        SevHashes h = {};
        SnpLaunchParams p = { .vcpus = 2, .vcpu_sig = 0x800f12, .guest_features = 1, .vmm = VMM_TYPE_QEMU };
        MrtdResult m;
        SnpLaunchDigest d;

        if (pages(o) > 4096)
                return;
        for (int order = 0; order < _MRTD_ORDER_MAX; order++) {
                char *err = NULL;
                if (mrtd_compute(o, data, size, (MrtdOrder) order, &m, &err) >= 0)
                        assert(m.page_adds <= MRTD_PAGES_MAX && m.hashed_bytes > 0);
                free(err);
        }
        for (int k = 0; k < 2 * _VMM_TYPE_MAX; k++) {
                char *err = NULL;
                p.vmm = (VmmType) (k % _VMM_TYPE_MAX);
                p.hashes = k >= _VMM_TYPE_MAX ? &h : NULL;
                if (snp_launch_digest(o, data, size, &p, &d, &err) >= 0)
                        assert(d.pages >= size / OVMF_PAGE_SIZE + p.vcpus);
                free(err);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        OvmfImage o;

        if (fuzz_too_big(size))
                return 0;
        if (ovmf_image_parse(data, size, size, &o) >= 0) {
                check(&o);
                measure(&o, data, size);
                ovmf_image_done(&o);
        }
        if (ovmf_image_parse(data, size, (uint64_t) size + 4 * 1024 * 1024, &o) >= 0) {
                check(&o);
                ovmf_image_done(&o);
        }
        return 0;
}
