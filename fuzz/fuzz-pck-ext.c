/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PCK certificate SGX extension parser (src/libcvm/attest/pck-ext.c) on arbitrary DER, and the
 * certificate bundle loader (x509-chain.c) that feeds it certificates from a quote's certification data.
 */
#include "attest/openssl-util.h"
#include "attest/pck-ext.h"
#include "attest/x509-chain.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        PckExtension e;
        char *detail = NULL;

        if (fuzz_too_big(size))
                return 0;

        int r = pck_ext_parse(data, size, &e, &detail);
        if (r >= 0)
                assert(e.sgx_type >= 0);
        else
                assert(r == -EBADMSG || r == -E2BIG || r == -ENOMEM);
        free(detail);
        detail = NULL;

        X509Stack *sk = NULL;
        if (x509_bundle_load(data, size, &sk) >= 0) {
                assert(sk_X509_num(sk) > 0 && sk_X509_num(sk) <= (int) X509_BUNDLE_CERTS_MAX);
                for (int i = 0; i < sk_X509_num(sk); i++) {
                        if (pck_ext_from_cert(sk_X509_value(sk, i), &e, &detail) >= 0)
                                assert(e.sgx_type >= 0);
                        free(detail);
                        detail = NULL;
                }
                sk_X509_pop_free(sk, X509_free);
        }
        X509_CRL *crl = NULL;
        if (x509_crl_load(data, size, &crl) >= 0)
                X509_CRL_free(crl);
        ERR_clear_error();
        return 0;
}
