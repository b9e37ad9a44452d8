/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS Type 17 records (/sys/firmware/dmi/entries/17-N/raw) come from firmware and, through a facts
 * document, from whoever hands one over. Parse the input as one record; when that works, locate it and
 * analyse a two-socket layout made of copies of it (sizes varied by the input) so the locator heuristics
 * and the symmetry analysis see hostile strings too. Also feed the raw bytes to the locator as NUL-split
 * strings.
 */
#include "fuzz.h"
#include "smbios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (fuzz_too_big(size))
                return 0;

        /* Locator heuristics on raw strings: "locator\0bank". */
        char loc[SMBIOS_STRING_MAX + 1] = "", bank[SMBIOS_STRING_MAX + 1] = "";
        size_t l = strnlen((const char *) data, MIN(size, (size_t) SMBIOS_STRING_MAX));
        memcpy(loc, data, l);
        if (l + 1 < size) {
                size_t b =
                        strnlen((const char *) data + l + 1, MIN(size - l - 1, (size_t) SMBIOS_STRING_MAX));
                memcpy(bank, data + l + 1, b);
        }
        DimmLocation where;
        (void) dimm_locate(loc, bank, &where);

        MemoryDevice d;
        if (smbios_memory_device_parse(data, size, &d) < 0)
                return 0;
        (void) smbios_memory_type_to_string(d.type);
        if (strlen(d.locator) > SMBIOS_STRING_MAX || strlen(d.part_number) > SMBIOS_STRING_MAX)
                abort();

        MemoryDevice many[8];
        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                many[i] = d;
                many[i].size_kib = d.size_kib >> (data[i % size] & 3);
        }
        DimmLayout *layout = malloc(sizeof(DimmLayout));
        if (!layout)
                return 0;
        dimm_layout_analyze(many, ELEMENTSOF(many), layout);
        if (layout->symmetry >= _DIMM_SYMMETRY_MAX || !memchr(layout->reason, 0, sizeof(layout->reason)))
                abort();
        free(layout);
        return 0;
}
