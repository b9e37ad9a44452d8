/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TDREPORT parser (src/libcvm/attest/tdx-report.c) on arbitrary bytes, then the evidence detector and
 * its JSON form.
 */
#include "attest/evidence.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ TdxReport *t = new0(TdxReport, 1);
        _cleanup_free_ char *err = NULL;

        if (fuzz_too_big(size) || !t)
                return 0;
        int r = tdx_report_parse(data, size, t, &err);
        if (r >= 0) {
                assert(size == TDX_REPORT_SIZE && !err);
                assert(memcmp(t->raw, data, size) == 0);
                assert(t->report_type == TDX_REPORT_TYPE_TDX);
                assert(memcmp(t->body.report_data, data + 128, 64) == 0);
        } else
                assert((r == -EBADMSG && size != TDX_REPORT_SIZE) || r == -EOPNOTSUPP);

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        if (evidence_parse(data, size, SNP_PRODUCT_UNKNOWN, &e, NULL) >= 0) {
                _cleanup_(json_object_putp) json_object *o = NULL;
                if (evidence_to_json(e, &o) >= 0)
                        assert(json_object_is_type(o, json_type_object));
        }
        return 0;
}
