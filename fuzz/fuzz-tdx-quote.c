/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TDX quote parser (src/libcvm/attest/tdx-quote.c) on arbitrary bytes, then the evidence detector and
 * the JSON form `cvm inspect` prints. Every region the parser records must lie inside the quote it claims.
 */
#include "attest/evidence.h"
#include "fuzz.h"

static void check(const TdxQuote *q, const uint8_t *data, size_t size)
{
        assert(q->size + q->trailing == size);
        assert(memcmp(q->raw, data, q->size) == 0);
        assert(q->version == 4 || q->version == 5);
        assert(q->body_offset + q->body_size == q->signed_size);
        assert(q->sig_data_offset == q->signed_size + 4);
        assert(q->sig_data_offset + q->sig_data_size == q->size);
        assert(q->cert.offset + q->cert.size <= q->size);
        assert(q->cert.data == q->raw + q->cert.offset);
        assert(q->cert.size <= TDX_CERT_DATA_MAX);
        if (q->has_qe_report) {
                assert(q->cert.type == TDX_CERT_QE_REPORT);
                assert(q->qe_report_offset == q->cert.offset);
                assert(q->qe_auth_offset + q->qe_auth_size <= q->size);
                assert(q->qe_cert.offset + q->qe_cert.size == q->cert.offset + q->cert.size);
                assert(q->qe_cert.type >= 1 && q->qe_cert.type <= 5);
        } else
                assert(q->cert.type != TDX_CERT_QE_REPORT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *err = NULL;
        TdxQuote q;

        if (fuzz_too_big(size))
                return 0;
        int r = tdx_quote_parse(data, size, &q, &err);
        if (r >= 0) {
                assert(!err);
                check(&q, data, size);
                tdx_quote_done(&q);
        } else
                assert(r == -EBADMSG || r == -E2BIG || r == -EOPNOTSUPP || r == -ENOMEM);

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = NULL;
        if (evidence_parse(data, size, SNP_PRODUCT_UNKNOWN, &e, NULL) >= 0) {
                _cleanup_(json_object_putp) json_object *o = NULL;
                if (evidence_to_json(e, &o) >= 0)
                        assert(json_object_is_type(o, json_type_object));
        }
        return 0;
}
