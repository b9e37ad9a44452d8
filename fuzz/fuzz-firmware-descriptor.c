/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU firmware descriptor parser (src/libcvm/host/firmware.c) on arbitrary bytes. */
#include "firmware.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FirmwareDescriptor d;
        char *detail = NULL;

        if (fuzz_too_big(size))
                return 0;
        int r = firmware_descriptor_parse((const char *) data, size, &d, &detail);
        if (r >= 0) {
                assert(!detail);
                assert(d.device && d.filename && d.features && d.interface_types && d.targets);
                (void) firmware_descriptor_has_feature(&d, "intel-tdx");
                firmware_descriptor_done(&d);
        } else if (r == -EBADMSG)
                assert(detail);
        free(detail);
        return 0;
}
