/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Collateral as `cvm verify --collateral` takes it (src/libcvm/attest/collateral.c, x509-chain.c) on
 * arbitrary bytes, past where fuzz-tcb-info stops: a JSON bundle that loads is verified part by part
 * (issuer chains, CRLs, TCB info and QE identity signatures, windows) against the built-in Intel SGX Root
 * CA at a fixed time, and the same bytes go through the certificate bundle (PEM with padding, or DER) and
 * CRL loaders. The verification's report must agree with its return value.
 */
#include "attest/collateral.h"
#include "attest/intel-root.h"
#include "fuzz.h"

static X509Stack *anchors;
static time_t check_time;

static void verify(const Collateral *c)
{
        CollateralVerification v;
        int r = collateral_verify(c, anchors, check_time, &v);
        assert(r <= 0);
        if (r != -ENOMEM) {
                int first = 0;
                for (size_t p = 0; p < _COLLATERAL_PART_MAX; p++) {
                        assert(v.error[p] <= 0);
                        /* A part that failed says why; a missing one is never a pass. */
                        assert(v.error[p] == 0 || v.detail[p]);
                        if (!c->present[p])
                                assert(v.error[p] == -ENODATA);
                        if (v.error[p] < 0 && first == 0)
                                first = v.error[p];
                }
                assert(r == first);
                if (r == 0)
                        assert(v.have_tcb_info && v.have_qe_identity);
                for (size_t i = 0; i < v.n_windows; i++)
                        assert(v.windows[i].name);
        }
        collateral_verification_done(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *detail = NULL;

        if (fuzz_too_big(size))
                return 0;
        if (!anchors &&
            (intel_sgx_root_load(&anchors) < 0 || rfc3339_parse("2025-07-01T00:00:00Z", &check_time) < 0))
                abort();

        Collateral c;
        if (collateral_load_json((const char *) data, size, &c, &detail) >= 0) {
                verify(&c);
                collateral_done(&c);
        }

        X509Stack *sk = NULL;
        int r = x509_bundle_load(data, size, &sk);
        if (r >= 0) {
                assert(sk_X509_num(sk) >= 1 && sk_X509_num(sk) <= (int) X509_BUNDLE_CERTS_MAX);
                assert(x509_bundle_leaf(sk));
                X509ChainResult res = {};
                (void) x509_bundle_verify(sk, anchors, NULL, check_time, X509_CHAIN_REQUIRE_P256, &res);
                x509_chain_result_done(&res);
                sk_X509_pop_free(sk, X509_free);
        } else
                assert(!sk && (r == -EBADMSG || r == -E2BIG || r == -ENOMEM));

        X509_CRL *crl = NULL;
        if (x509_crl_load(data, size, &crl) >= 0) {
                _cleanup_free_ char *d = NULL;
                (void) x509_crl_check(crl, sk_X509_value(anchors, 0), check_time, &d);
                X509_CRL_free(crl);
        }
        return 0;
}
