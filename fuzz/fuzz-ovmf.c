/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OVMF GUID table / TDVF / ASEV parser (src/libcvm/measure/ovmf.c) on arbitrary bytes: once as a whole
 * image, once as the tail of a larger one (the way ovmf_image_load() feeds it).
 */
#include "fuzz.h"
#include "measure/ovmf.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        OvmfImage o;

        if (fuzz_too_big(size))
                return 0;
        if (ovmf_image_parse(data, size, size, &o) >= 0) {
                check(&o);
                ovmf_image_done(&o);
        }
        if (ovmf_image_parse(data, size, (uint64_t) size + 4 * 1024 * 1024, &o) >= 0) {
                check(&o);
                ovmf_image_done(&o);
        }
        return 0;
}
