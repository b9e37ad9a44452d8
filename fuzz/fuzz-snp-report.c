/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SEV-SNP report parser (src/libcvm/attest/snp-report.c) on arbitrary bytes, with each product hint,
 * then the evidence detector and its JSON form.
 */
#include "attest/evidence.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ SnpReport *s = new0(SnpReport, 1);

        if (fuzz_too_big(size) || !s)
                return 0;
        for (SnpProduct hint = SNP_PRODUCT_UNKNOWN; hint < _SNP_PRODUCT_MAX; hint++) {
                _cleanup_free_ char *err = NULL;
                int r = snp_report_parse(data, size, hint, s, &err);
                if (r < 0) {
                        assert(r == -EBADMSG || r == -EOPNOTSUPP);
                        continue;
                }
                assert(!err);
                assert(size >= SNP_REPORT_SIZE && s->trailing == size - SNP_REPORT_SIZE);
                assert(s->version >= SNP_REPORT_VERSION_MIN && s->version <= SNP_REPORT_VERSION_MAX);
                assert(memcmp(s->raw, data, SNP_REPORT_SIZE) == 0);
                assert(snp_product_to_string(s->product) && snp_tcb_layout_to_string(s->tcb_layout) &&
                       snp_product_source_to_string(s->product_source));
                assert(s->has_cpuid == (s->version >= 3));
        }

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        if (evidence_parse(data, size, SNP_PRODUCT_UNKNOWN, &e, NULL) >= 0) {
                _cleanup_(json_object_putp) json_object *o = NULL;
                if (evidence_to_json(e, &o) >= 0)
                        assert(json_object_is_type(o, json_type_object));
        }
        return 0;
}
