/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a PCS/PCCS answer hands cvm besides the signed JSON (fuzz-collateral has that): an issuer chain
 * header (percent-decoding, then PEM certificates; src/libcvm/attest/pcs-client.c, http-fetch.c), a CRL
 * body in DER, PEM or hex, and a download cache entry (a collateral bundle) with its nextUpdate.
 */
#include "attest/collateral.h"
#include "attest/http-fetch.h"
#include "attest/pcs-client.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (fuzz_too_big(size))
                return 0;

        char *s = NULL;
        size_t n;
        int r = url_unescape((const char *) data, size, &s, &n);
        if (r >= 0) {
                assert(n <= size && s[n] == 0);
                free(s);
        } else
                assert(r == -EBADMSG || r == -ENOMEM);

        /* A header value is a C string. */
        char *header = strndup((const char *) data, size);
        if (header) {
                X509Stack *sk = NULL;
                if (pcs_chain_from_header(header, &sk) >= 0) {
                        assert(sk_X509_num(sk) > 0);
                        sk_X509_pop_free(sk, X509_free);
                }
                free(header);
        }

        X509_CRL *crl = NULL;
        if (pcs_crl_from_body((const char *) data, size, &crl) >= 0)
                X509_CRL_free(crl);

        Collateral c = {};
        time_t next;
        if (collateral_load_json((const char *) data, size, &c, NULL) >= 0) {
                (void) collateral_next_update(&c, &next);
                collateral_done(&c);
        }
        ERR_clear_error();
        return 0;
}
