/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared by test-collateral.c and test-tcb-eval.c: collateral test data under
 * $CVM_TEST_DATA/attest/tdx (test/data/attest/README.md), check times, and the few
 * quote fields the TCB appraisal needs, read at the offsets of reference/attestation.md a.1-a.4 so these
 * tests do not depend on the quote parser.
 */
#include "attest/collateral.h"
#include "attest/openssl-util.h"
#include "attest/pck-ext.h"
#include "attest/tcb-eval.h"
#include "attest/x509-chain.h"
#include "test-attest-util.h"

#define COLL "tdx/"

static inline time_t at(const char *s)
{
        time_t t;
        assert_int_equal(rfc3339_parse(s, &t), 0);
        return t;
}

static inline X509Stack *load_certs(const char *name)
{
        size_t n;
        _cleanup_free_ uint8_t *b = attest_load(name, &n);
        X509Stack *sk = NULL;
        assert_int_equal(x509_bundle_load(b, n, &sk), 0);
        return sk;
}

static inline X509Stack *intel_root(void)
{
        return load_certs(COLL "intel-common/Intel_SGX_Root_CA.pem");
}

/* The PCK chain PEM of a quote: from the first "-----BEGIN CERTIFICATE-----" to the end of the file
 * (the loader ignores the trailing zero padding and junk real quotes carry). */
static inline X509Stack *quote_pck_chain(const char *name)
{
        size_t n;
        _cleanup_free_ uint8_t *q = attest_load(name, &n);
        const uint8_t *p = memmem(q, n, "-----BEGIN CERTIFICATE-----", 27);
        X509Stack *sk = NULL;
        assert_non_null(p);
        assert_int_equal(x509_bundle_load(p, n - (size_t) (p - q), &sk), 0);
        assert_int_equal(sk_X509_num(sk), 3);
        return sk;
}

static inline void quote_pck_ext(const char *name, PckExtension *ret)
{
        _cleanup_(sk_X509_pop_freep) X509Stack *chain = quote_pck_chain(name);
        _cleanup_free_ char *detail = NULL;
        assert_int_equal(pck_ext_from_cert(sk_X509_value(chain, 0), ret, &detail), 0);
}

/* TEE_TCB_SVN, MRSIGNERSEAM, SEAMATTRIBUTES from the TD report body; the QE report fields from the
 * certification data (v4: body @48, signature data @636; v5: body @54, length u32 @54+size). */
static inline void quote_eval_fields(const char *name, TcbEvalQuote *ret)
{
        size_t n;
        _cleanup_free_ uint8_t *q = attest_load(name, &n);
        size_t body, sig;
        assert_true(n > 1024);
        if (q[0] == 4) {
                body = 48;
                sig = 636;
        } else {
                assert_int_equal(q[0], 5);
                uint32_t size = get32(q + 50);
                body = 54;
                sig = 54 + size + 4;
        }
        const uint8_t *qe = q + sig + 134;
        *ret = (TcbEvalQuote){};
        memcpy(ret->tee_tcb_svn, q + body, 16);
        memcpy(ret->mr_signer_seam, q + body + 64, 48);
        memcpy(ret->seam_attributes, q + body + 112, 8);
        ret->qe_miscselect = get32(qe + 16);
        memcpy(ret->qe_attributes, qe + 48, 16);
        memcpy(ret->qe_mr_signer, qe + 128, 32);
        ret->qe_isv_prod_id = (uint16_t) (qe[256] | qe[257] << 8);
        ret->qe_isv_svn = (uint16_t) (qe[258] | qe[259] << 8);
}

static inline void load_collateral(const char *name, Collateral *ret)
{
        size_t n;
        _cleanup_free_ char *detail = NULL;
        _cleanup_free_ char *b = (char *) attest_load(name, &n);
        int r = collateral_load_json(b, n, ret, &detail);
        if (r < 0)
                fail_msg("%s: %s", name, strna(detail));
}

static inline void load_collateral_dir(const char *name, Collateral *ret)
{
        _cleanup_free_ char *path = NULL, *detail = NULL;
        assert_true(asprintf(&path, "%s/attest/%s", getenv("CVM_TEST_DATA"), name) > 0);
        int r = collateral_load_dir(path, ret, &detail);
        if (r < 0)
                fail_msg("%s: %s", name, strna(detail));
}

/* A PCS body file, split into its signed text. */
static inline void load_signed(const char *name, const char *key, SignedJson *ret)
{
        size_t n, l;
        const char *v;
        _cleanup_free_ char *b = (char *) attest_load(name, &n);
        *ret = (SignedJson){};
        assert_int_equal(pcs_body_split(b, n, key, &v, &l, ret->signature), 0);
        ret->text = strndup(v, l);
        ret->size = l;
        assert_non_null(ret->text);
}
