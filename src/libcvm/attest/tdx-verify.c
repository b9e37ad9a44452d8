/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TDX quote verification, reference/attestation.md b.3 (Intel QVL Verifiers/QuoteVerifier.cpp order).
 */
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "attest/openssl-util.h"
#include "attest/pck-ext.h"
#include "attest/tdx-verify.h"

void tdx_verify_result_done(TdxVerifyResult *r)
{
        if (!r)
                return;
        attest_checks_done(&r->checks);
        for (size_t i = 0; i < r->n_advisory_ids; i++)
                free(r->advisory_ids[i]);
        free(r->advisory_ids);
        *r = (TdxVerifyResult){};
}

/* The raw X||Y point as an EVP_PKEY on P-256 (SEC 1 uncompressed form: 0x04 || X || Y). */
static int p256_key_from_raw(const uint8_t key[static 64], EVP_PKEY **ret)
{
        uint8_t point[65] = { 0x04 };
        memcpy(point + 1, key, 64);

        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *) "prime256v1", 0),
                OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
                OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        EVP_PKEY *pkey = NULL;
        if (!ctx)
                return openssl_error(-ENOMEM, "EVP_PKEY_CTX_new_from_name");
        int ok = EVP_PKEY_fromdata_init(ctx) == 1 &&
                 EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
        EVP_PKEY_CTX_free(ctx);
        if (!ok)
                return openssl_error(-EKEYREJECTED, "attestation key");
        /* fromdata does not check that the point lies on the curve. The quick check (on the curve, not
         * at infinity) is the whole check on P-256, whose cofactor is 1: the full one adds a scalar
         * multiplication by the order, as costly as the signature verification itself. */
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        ok = ctx && EVP_PKEY_public_check_quick(ctx) == 1;
        EVP_PKEY_CTX_free(ctx);
        if (!ok) {
                EVP_PKEY_free(pkey);
                return openssl_error(-EKEYREJECTED, "attestation key point");
        }
        *ret = pkey;
        return 0;
}

int tdx_ecdsa_p256_verify_raw(const uint8_t key[static 64], const uint8_t signature[static 64],
                              const void *data, size_t size)
{
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        int r = p256_key_from_raw(key, &pkey);
        if (r < 0)
                return r;
        return ecdsa_p256_sha256_verify(pkey, signature, data, size);
}

static bool hard_error(int r)
{
        return r == -ENOMEM;
}

#define TRY(expr)                                                                                           \
        ({                                                                                                  \
                int _t = (expr);                                                                            \
                if (hard_error(_t))                                                                         \
                        return _t;                                                                          \
                if (_t < 0 && first == 0)                                                                   \
                        first = _t;                                                                         \
                _t;                                                                                         \
        })

int tdx_verifier_init(TdxVerifier *v, const Collateral *c, X509Stack *anchors, time_t at)
{
        assert(v);
        *v = (TdxVerifier){ .collateral = c, .anchors = anchors, .at = at };
        if (!c)
                return 0;
        int r = collateral_verify(c, anchors, at, &v->cv);
        if (r == -ENOMEM) {
                tdx_verifier_done(v);
                return r;
        }
        /* The PCK CA whose CRL verified, on a chain that verified to the anchors with the root CRL. */
        if (v->cv.error[COLLATERAL_PCK_CRL] == 0 && v->cv.error[COLLATERAL_PCK_CRL_ISSUER_CHAIN] == 0 &&
            v->cv.error[COLLATERAL_ROOT_CA_CRL] == 0)
                v->pck_ca = x509_bundle_find_subject(c->pck_crl_chain, X509_CRL_get_issuer(c->pck_crl));

        /* Certificates a quote's PCK chain repeats: the anchors and the PCK CRL issuer chain. */
        v->known = sk_X509_new_null();
        if (!v->known)
                goto oom;
        X509Stack *sets[] = { anchors, c->pck_crl_chain };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                for (int j = 0; j < sk_X509_num(sets[i]); j++) {
                        X509 *x = sk_X509_value(sets[i], j);
                        if (X509_up_ref(x) != 1)
                                goto oom;
                        if (!sk_X509_push(v->known, x)) {
                                X509_free(x);
                                goto oom;
                        }
                }
        return 0;
oom:
        tdx_verifier_done(v);
        return -ENOMEM;
}

void tdx_verifier_done(TdxVerifier *v)
{
        if (!v)
                return;
        collateral_verification_done(&v->cv);
        sk_X509_pop_freep(&v->known);
        for (size_t i = 0; i < TDX_VERIFIER_LEAVES; i++)
                X509_free(v->leaves[i]);
        *v = (TdxVerifier){};
}

/* The slot of leaf among the verified leaves (the same object: x509_bundle_load_known() hands it out for
 * identical bytes), or -1. */
static int leaf_cached(const TdxVerifier *v, X509 *leaf)
{
        for (size_t i = 0; i < TDX_VERIFIER_LEAVES; i++)
                if (v->leaves[i] && v->leaves[i] == leaf)
                        return (int) i;
        return -1;
}

/* Remembers a PCK leaf whose chain verified at v->at, with its extension, in the next slot (evicting
 * what was there); returns the slot. Only a cache: failing to remember (-1) is not an error. */
static int leaf_remember(TdxVerifier *v, X509 *leaf, const PckExtension *ext)
{
        if (!v->known || leaf_cached(v, leaf) >= 0)
                return -1;
        size_t i = v->next_leaf;
        v->next_leaf = (i + 1) % TDX_VERIFIER_LEAVES;
        if (v->leaves[i]) {
                for (int j = 0; j < sk_X509_num(v->known); j++)
                        if (sk_X509_value(v->known, j) == v->leaves[i]) {
                                X509_free(sk_X509_delete(v->known, j));
                                break;
                        }
                X509_free(v->leaves[i]);
                v->leaves[i] = NULL;
                v->leaf_qe_valid[i] = false;
        }
        if (X509_up_ref(leaf) != 1)
                return -1;
        if (!sk_X509_push(v->known, leaf)) {
                X509_free(leaf);
                return -1;
        }
        if (X509_up_ref(leaf) != 1)
                return -1; /* still in `known`: only parsed once more, never trusted as verified */
        v->leaves[i] = leaf;
        v->leaf_ext[i] = *ext;
        return (int) i;
}

/* Remembers the QE report and signature that the leaf of this slot was just seen to sign. */
static void leaf_remember_qe(TdxVerifier *v, int slot, const TdxQuote *q)
{
        memcpy(v->leaf_qe[slot], q->raw + q->qe_report_offset, TDX_QE_REPORT_SIZE);
        memcpy(v->leaf_qe[slot] + TDX_QE_REPORT_SIZE, q->qe_report_signature, TDX_ECDSA_SIG_SIZE);
        v->leaf_qe_valid[slot] = true;
}

/*
 * Whether the quote's chain is the one the full verification can only build: besides the leaf, the
 * verifier's PCK CA and trust anchors, nothing else. A chain with other certificates (another CA of the
 * same name, say) goes the full way, so that the warm path never decides what chain building would.
 */
static bool chain_is_prepared(const TdxVerifier *v, X509Stack *pck_chain, X509 *leaf)
{
        bool have_ca = false;

        if (!v->pck_ca)
                return false;
        for (int i = 0; i < sk_X509_num(pck_chain); i++) {
                X509 *x = sk_X509_value(pck_chain, i);
                if (x == leaf)
                        continue;
                if (X509_cmp(x, v->pck_ca) == 0) {
                        have_ca = true;
                        continue;
                }
                bool anchor = false;
                for (int j = 0; j < sk_X509_num(v->anchors) && !anchor; j++)
                        anchor = X509_cmp(x, sk_X509_value(v->anchors, j)) == 0;
                if (!anchor)
                        return false;
        }
        return have_ca;
}

/*
 * The warm path of step 4: 0 when the PCK leaf is issued by the verifier's verified PCK CA (the same
 * certificate is in the quote's chain, with nothing but anchors besides), its signature by that CA verifies,
 * it is valid at `at` as OpenSSL judges validity, its key is P-256, it has no unhandled critical extension,
 * it is a PCK certificate, and the verified PCK CRL (which must carry no critical extension) does not list
 * it. Anything else is -EAGAIN (or -ENOMEM): the caller then runs the full chain verification, which accepts
 * or explains.
 */
static int pck_leaf_check_prepared(const TdxVerifier *v, X509Stack *pck_chain, X509 *leaf)
{
        X509 *ca = v->pck_ca;
        X509_CRL *crl = v->collateral ? v->collateral->pck_crl : NULL;

        if (!ca || !crl || !leaf)
                return -EAGAIN;
        if (!chain_is_prepared(v, pck_chain, leaf) || X509_check_issued(ca, leaf) != X509_V_OK)
                return -EAGAIN;
        if (X509_get_extension_flags(leaf) & (EXFLAG_INVALID | EXFLAG_CRITICAL))
                return -EAGAIN;
        for (int i = 0; i < X509_CRL_get_ext_count(crl); i++)
                if (X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, i)))
                        return -EAGAIN;
        if (x509_require_p256(leaf) < 0)
                return -EAGAIN;
        _cleanup_free_ char *cn = x509_common_name(leaf);
        if (!cn || !strstr(cn, "SGX PCK Certificate"))
                return -EAGAIN;
        /* As X509_verify_cert() judges it: notBefore > at is not yet valid, notAfter <= at expired. */
        time_t at = v->at;
        if (X509_cmp_time(X509_get0_notBefore(leaf), &at) >= 0 ||
            X509_cmp_time(X509_get0_notAfter(leaf), &at) <= 0)
                return -EAGAIN;
        X509_REVOKED *revoked = NULL;
        if (X509_CRL_get0_by_cert(crl, &revoked, leaf) != 0)
                return -EAGAIN;
        EVP_PKEY *k = X509_get0_pubkey(ca);
        if (!k || X509_verify(leaf, k) != 1) {
                (void) openssl_error(0, "X509_verify");
                return -EAGAIN;
        }
        return 0;
}

int tdx_quote_verify(const TdxQuote *q, const Collateral *c, X509Stack *anchors, time_t at,
                     TdxVerifyResult *res)
{
        _cleanup_(tdx_verifier_done) TdxVerifier v = {};

        assert(res);
        *res = (TdxVerifyResult){};
        int r = tdx_verifier_init(&v, c, anchors, at);
        if (r < 0)
                return r;
        return tdx_verifier_verify(&v, q, res);
}

int tdx_verifier_verify(TdxVerifier *v, const TdxQuote *q, TdxVerifyResult *res)
{
        const Collateral *c = v->collateral;
        X509Stack *anchors = v->anchors;
        time_t at = v->at;
        int first = 0, r;

        assert(q);
        assert(res);
        *res = (TdxVerifyResult){};

        /* 0. The QE vendor: Intel's QE is the only one Intel's collateral describes ([QVL] Quote.cpp). */
        bool intel = memcmp(q->qe_vendor_id, TDX_QE_VENDOR_INTEL, sizeof(q->qe_vendor_id)) == 0;
        TRY(attest_checks_add(&res->checks, "quote.qe-vendor", intel ? 0 : -EKEYREJECTED,
                              intel ? "the quoting enclave is Intel's" : "the QE vendor ID is not Intel's"));

        /* 1. Quote signature: ECDSA P-256 by the attestation key over header + body ([QVL]
         * QuoteVerifier.cpp verifyQuote, "quote.signature"). */
        r = tdx_ecdsa_p256_verify_raw(q->attestation_key, q->signature, q->raw, q->signed_size);
        if (r == -ENOMEM)
                return r;
        TRY(attest_checks_add(
                &res->checks, "quote.signature", r,
                r == 0 ? "ECDSA P-256 signature by the attestation key over bytes [0, %zu) verifies"
                       : "ECDSA P-256 signature by the attestation key over bytes [0, %zu) does not "
                         "verify",
                q->signed_size));

        /* The PCK chain: the nested certification data (type 5) of the QE report certification data. */
        _cleanup_(sk_X509_pop_freep) X509Stack *pck_chain = NULL;
        X509 *pck = NULL;
        if (!q->has_qe_report || q->qe_cert.type != TDX_CERT_PCK_CERT_CHAIN)
                r = attest_checks_add(
                        &res->checks, "pck.certificates", -ENODATA,
                        "the quote carries no PCK certificate chain (certification data type %u)",
                        q->has_qe_report ? q->qe_cert.type : q->cert.type);
        else {
                r = x509_bundle_load_known(q->qe_cert.data, q->qe_cert.size, v->known, &pck_chain);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        pck = x509_bundle_leaf(pck_chain);
                        r = attest_checks_add(&res->checks, "pck.certificates", 0,
                                              "%d certificates in the quote", sk_X509_num(pck_chain));
                } else
                        r = attest_checks_add(&res->checks, "pck.certificates", r,
                                              "the PCK certificate chain in the quote is malformed");
        }
        TRY(r);

        /* 2. QE report signature by the PCK leaf key over the 384 QE report bytes. The QE signs one
         * report per attestation key: a verified leaf's last verified report is not verified again. */
        int cached = pck ? leaf_cached(v, pck) : -1;
        bool qe_ok = false;
        if (!pck)
                r = attest_checks_add(&res->checks, "qe-report.signature", -ENODATA,
                                      "no PCK certificate to verify it with");
        else if (x509_require_p256(pck) < 0)
                r = attest_checks_add(&res->checks, "qe-report.signature", -EKEYREJECTED,
                                      "the PCK key is not EC P-256");
        else {
                if (cached >= 0 && v->leaf_qe_valid[cached] &&
                    memcmp(v->leaf_qe[cached], q->raw + q->qe_report_offset, TDX_QE_REPORT_SIZE) == 0 &&
                    memcmp(v->leaf_qe[cached] + TDX_QE_REPORT_SIZE, q->qe_report_signature,
                           TDX_ECDSA_SIG_SIZE) == 0)
                        r = 0;
                else
                        r = ecdsa_p256_sha256_verify(X509_get0_pubkey(pck), q->qe_report_signature,
                                                     q->raw + q->qe_report_offset, TDX_QE_REPORT_SIZE);
                if (r == -ENOMEM)
                        return r;
                qe_ok = r == 0;
                if (qe_ok && cached >= 0)
                        leaf_remember_qe(v, cached, q);
                r = attest_checks_add(&res->checks, "qe-report.signature", r,
                                      r == 0 ? "the QE report signature by the PCK key verifies"
                                             : "the QE report signature by the PCK key does not verify");
        }
        TRY(r);

        /* 3. QE report data = SHA-256(attestation key || QE auth data) || 32 zero bytes. */
        if (!q->has_qe_report)
                r = attest_checks_add(&res->checks, "qe-report.data", -ENODATA,
                                      "the quote carries no QE report");
        else {
                uint8_t digest[SHA256_DIGEST_LENGTH];
                static const uint8_t zero[32] = {};
                _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
                if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
                    EVP_DigestUpdate(md, q->attestation_key, TDX_ECDSA_KEY_SIZE) != 1 ||
                    EVP_DigestUpdate(md, q->qe_auth_data, q->qe_auth_size) != 1 ||
                    EVP_DigestFinal_ex(md, digest, NULL) != 1)
                        return openssl_error(-ENOMEM, "SHA-256");
                bool ok = memcmp(q->qe_report.report_data, digest, 32) == 0 &&
                          memcmp(q->qe_report.report_data + 32, zero, 32) == 0;
                r = attest_checks_add(
                        &res->checks, "qe-report.data", ok ? 0 : -EKEYREJECTED,
                        ok ? "the QE report data binds the attestation key and QE auth data"
                           : "the QE report data is not SHA-256(attestation key || QE auth data) "
                             "followed by 32 zero bytes");
        }
        TRY(r);

        /* 4. PCK chain to the anchors with the root CA CRL and the PCK CRL. A leaf this verifier verified
         * before (same bytes, same CA, CRLs and time) is not verified again. */
        bool chain_ok = false;
        if (!pck)
                r = attest_checks_add(&res->checks, "pck.chain", -ENODATA, "no PCK certificate chain");
        else if (!c)
                r = attest_checks_add(&res->checks, "pck.chain", -ENODATA,
                                      "collateral missing: the PCK and root CA CRLs");
        else {
                X509ChainResult cr = {};
                if (cached >= 0 && chain_is_prepared(v, pck_chain, pck))
                        r = 0;
                else
                        r = pck_leaf_check_prepared(v, pck_chain, pck);
                if (r < 0 && r != -ENOMEM)
                        r = collateral_verify_pck_chain(c, pck_chain, anchors, at, &cr);
                if (r == -ENOMEM) {
                        x509_chain_result_done(&cr);
                        return r;
                }
                chain_ok = r == 0;
                if (r == 0)
                        r = attest_checks_add(&res->checks, "pck.chain", 0,
                                              "the PCK chain verifies to the Intel SGX Root CA");
                else if (r == -ENODATA)
                        r = attest_checks_add(&res->checks, "pck.chain", r, "collateral missing: %s",
                                              cr.detail ?: "a CRL for the PCK chain");
                else
                        r = attest_checks_add(&res->checks, "pck.chain", r, "%s",
                                              cr.detail ?: "the PCK chain does not verify");
                x509_chain_result_done(&cr);
        }
        TRY(r);

        /* 5. The PCK SGX extension (FMSPC, PCE-ID, TCB components). */
        PckExtension ext;
        bool have_ext = false;
        if (!pck)
                r = attest_checks_add(&res->checks, "pck.extension", -ENODATA, "no PCK certificate");
        else {
                _cleanup_free_ char *detail = NULL;
                if (cached >= 0) {
                        ext = v->leaf_ext[cached];
                        r = 0;
                } else
                        r = pck_ext_from_cert(pck, &ext, &detail);
                if (r == -ENOMEM)
                        return r;
                have_ext = r == 0;
                if (have_ext && chain_ok && cached < 0) {
                        int slot = leaf_remember(v, pck, &ext);
                        if (slot >= 0 && qe_ok)
                                leaf_remember_qe(v, slot, q);
                }
                if (r == 0)
                        r = attest_checks_add(&res->checks, "pck.extension", 0,
                                              "FMSPC %02x%02x%02x%02x%02x%02x, PCE-ID %02x%02x",
                                              ext.fmspc[0], ext.fmspc[1], ext.fmspc[2], ext.fmspc[3],
                                              ext.fmspc[4], ext.fmspc[5], ext.pce_id[0], ext.pce_id[1]);
                else
                        r = attest_checks_add(&res->checks, "pck.extension", r, "%s",
                                              detail ?: "the PCK certificate has no SGX extension");
        }
        TRY(r);

        /* 6. Collateral, part by part (verified once, by tdx_verifier_init()); a missing part is a failed
         * check. */
        const CollateralVerification *cv = &v->cv;
        if (!c) {
                r = attest_checks_add(&res->checks, "collateral", -ENODATA, "collateral missing");
                TRY(r);
        } else {
                static const char *const ids[_COLLATERAL_PART_MAX] = {
                        [COLLATERAL_TCB_INFO] = "collateral.tcb_info",
                        [COLLATERAL_TCB_INFO_ISSUER_CHAIN] = "collateral.tcb_info_issuer_chain",
                        [COLLATERAL_QE_IDENTITY] = "collateral.qe_identity",
                        [COLLATERAL_QE_IDENTITY_ISSUER_CHAIN] = "collateral.qe_identity_issuer_chain",
                        [COLLATERAL_PCK_CRL] = "collateral.pck_crl",
                        [COLLATERAL_PCK_CRL_ISSUER_CHAIN] = "collateral.pck_crl_issuer_chain",
                        [COLLATERAL_ROOT_CA_CRL] = "collateral.root_ca_crl",
                };
                for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                        int e = cv->error[p];
                        if (e == 0)
                                r = attest_checks_add(&res->checks, ids[p], 0, "%s verifies",
                                                      collateral_part_to_string(p));
                        else if (e == -ENODATA)
                                r = attest_checks_add(&res->checks, ids[p], e, "collateral missing: %s",
                                                      collateral_part_to_string(p));
                        else
                                r = attest_checks_add(&res->checks, ids[p], e, "%s: %s",
                                                      collateral_part_to_string(p),
                                                      cv->detail[p] ?: "does not verify");
                        if (r == -ENOMEM)
                                return r;
                        TRY(r);
                }
        }

        /* 7. TCB appraisal, only on verified TCB info and QE identity. */
        if (!cv->have_tcb_info || !cv->have_qe_identity || !have_ext)
                r = attest_checks_add(&res->checks, "tcb", -ENODATA, "no TCB status: %s",
                                      !c          ? "collateral missing"
                                      : !have_ext ? "the PCK extension is not available"
                                                  : "TCB info or QE identity did not verify");
        else {
                TcbEvalQuote f = {
                        .qe_miscselect = q->qe_report.misc_select,
                        .qe_isv_prod_id = q->qe_report.isv_prod_id,
                        .qe_isv_svn = q->qe_report.isv_svn,
                };
                memcpy(f.tee_tcb_svn, q->body.tee_tcb_svn, 16);
                memcpy(f.mr_signer_seam, q->body.mr_signer_seam, 48);
                for (size_t i = 0; i < 8; i++) /* SEAMATTRIBUTES as its little-endian bytes */
                        f.seam_attributes[i] = (uint8_t) (q->body.seam_attributes >> (8 * i));
                memcpy(f.qe_attributes, q->qe_report.attributes, 16);
                memcpy(f.qe_mr_signer, q->qe_report.mr_signer, 32);

                TcbEvalResult t = {};
                r = tcb_evaluate(&cv->tcb_info, &cv->qe_identity, &ext, &f, &t);
                if (r == -ENOMEM) {
                        tcb_eval_result_done(&t);
                        return r;
                }
                if (r == 0) {
                        res->have_tcb_status = true;
                        res->tcb_status = t.status;
                        res->advisory_ids = TAKE_PTR(t.advisory_ids);
                        res->n_advisory_ids = t.n_advisory_ids;
                        t.n_advisory_ids = 0;
                        r = attest_checks_add(&res->checks, "tcb", 0, "%s%s%s",
                                              tcb_status_to_string(t.status), t.detail ? ": " : "",
                                              strempty(t.detail));
                } else
                        r = attest_checks_add(&res->checks, "tcb", r, "%s",
                                              t.detail ?: "the collateral does not match the quote");
                tcb_eval_result_done(&t);
        }
        TRY(r);

        return first;
}
