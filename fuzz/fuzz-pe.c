/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PE/COFF parser and Authenticode hash (src/libcvm/measure/pe.c) on arbitrary bytes, then the same
 * bytes as a kernel and as a UKI through the RTMR prediction (measure/rtmr.c), which reads the bzImage
 * header and a UKI's sections.
 */
#include "fuzz.h"
#include "measure/pe.h"
#include "measure/rtmr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t d[48];
        PeImage img;

        if (fuzz_too_big(size))
                return 0;
        if (pe_image_parse(data, size, &img, NULL) >= 0) {
                for (size_t i = 0; i < img.n_sections; i++)
                        assert(img.sections[i].raw_size == 0 ||
                               (size_t) img.sections[i].raw_offset + img.sections[i].raw_size <= size);
                assert(img.size_of_headers <= size);
                (void) pe_authenticode_sha384(data, size, &img, d, NULL);
                pe_image_done(&img);
        }

        RtmrPrediction p;
        RtmrInputs in = { .layout = RTMR_LAYOUT_EDK2_202411,
                          .kernel = { data, size },
                          .cmdline = "console=ttyS0" };
        if (rtmr_predict(&in, &p, NULL) >= 0)
                rtmr_prediction_done(&p);
        in = (RtmrInputs){ .layout = RTMR_LAYOUT_EDK2_202508, .uki = { data, size } };
        if (rtmr_predict(&in, &p, NULL) >= 0)
                rtmr_prediction_done(&p);
        return 0;
}
