/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The soft quoting CA: TDREPORT in, DCAP v4 quote out (reference/attestation.md a.1-a.5; Intel DCAP
 * QuoteGeneration/quote_wrapper/common/inc/sgx_quote_4.h). Everything but the header's QE-ID, the body and
 * the quote signature depends only on the attestation key, so it is built once at load; a quote costs one
 * ECDSA signature.
 */
#include <openssl/evp.h>
#include <sys/stat.h>

#include "attest/openssl-util.h"
#include "attest/tdx-quote.h"
#include "qgs/soft-ca.h"
#include "qgs/soft-collateral.h"
#include "qgs/soft-pki.h"
#include "qgs/soft-signer.h"

/* TDREPORT offsets (reference/attestation.md a.5). */
#define TDR_TYPE              0U
#define TDR_TEE_TCB_INFO_HASH 32U
#define TDR_TEE_INFO_HASH     80U
#define TDR_REPORT_DATA       128U
/* TEE_TCB_INFO: valid[8], then tee_tcb_svn, mrseam, mrsigner_seam, attributes: the quote body's first
 * 120 bytes. TDINFO: attributes, xfam, mrtd, mrconfigid, mrowner, mrownerconfig, rtmr0..3: its next 400. */
#define TDR_TCB_FIELDS      (TDX_TEE_TCB_INFO_OFFSET + 8U)
#define TDR_TCB_FIELDS_SIZE 120U
#define TDR_TD_FIELDS_SIZE  400U

/* Quote v4 offsets (sgx_quote4_t, sgx_ecdsa_sig_data_v4_t). */
#define Q_SIGNED      (TDX_QUOTE_HEADER_SIZE + TDX_BODY_TD10_SIZE) /* 632 */
#define Q_SIG_LEN     Q_SIGNED
#define Q_SIG         (Q_SIG_LEN + 4U)
#define Q_TAIL        (Q_SIG + TDX_ECDSA_SIG_SIZE) /* the attestation key and what follows */
#define QE_AUTH_SIZE  32U
#define QE_CERT_FIXED (TDX_QE_REPORT_SIZE + TDX_ECDSA_SIG_SIZE + 2U + QE_AUTH_SIZE + 2U + 4U)

struct SoftCa {
        SoftSigner *att_signer;
        EVP_MD *sha256, *sha384;
        uint8_t header[TDX_QUOTE_HEADER_SIZE];
        uint8_t *tail; /* attestation key, certification data type 6 with the QE report and PCK chain */
        size_t tail_size;
};

SoftCa *soft_ca_free(SoftCa *ca)
{
        if (!ca)
                return NULL;
        soft_signer_free(ca->att_signer);
        EVP_MD_free(ca->sha256);
        EVP_MD_free(ca->sha384);
        free(ca->tail);
        free(ca);
        return NULL;
}

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static int digest(const EVP_MD *md, const void *a, size_t na, const void *b, size_t nb, uint8_t *ret)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, a, na) != 1 ||
            (nb > 0 && EVP_DigestUpdate(ctx, b, nb) != 1) || EVP_DigestFinal_ex(ctx, ret, NULL) != 1)
                return openssl_error(-ENOMEM, "digest");
        return 0;
}

static int check_tdreport(const EVP_MD *sha384, const uint8_t tdreport[1024], char **reterr)
{
        uint8_t h[48];
        int r;

        if (tdreport[TDR_TYPE] != TDX_REPORT_TYPE_TDX) {
                detail_set(reterr,
                           "TDREPORT REPORTMACSTRUCT.REPORTTYPE.TYPE (offset 0) is 0x%02x, not 0x81 (TDX): "
                           "the soft CA quotes TD reports only",
                           tdreport[TDR_TYPE]);
                return -EBADMSG;
        }
        /* The MAC covers REPORTMACSTRUCT with these two hashes; they in turn bind the fields the quote
         * body copies. The MAC itself cannot be checked here (soft-ca.h). */
        if ((r = digest(sha384, tdreport + TDX_TEE_TCB_INFO_OFFSET, TDX_TEE_TCB_INFO_SIZE, NULL, 0, h)) < 0)
                return r;
        if (memcmp(h, tdreport + TDR_TEE_TCB_INFO_HASH, sizeof(h)) != 0) {
                detail_set(reterr,
                           "TDREPORT REPORTMACSTRUCT.TEE_TCB_INFO_HASH (offset %u) is not the SHA-384 "
                           "of TEE_TCB_INFO (offset %u, %u bytes)",
                           TDR_TEE_TCB_INFO_HASH, TDX_TEE_TCB_INFO_OFFSET, TDX_TEE_TCB_INFO_SIZE);
                return -EBADMSG;
        }
        if ((r = digest(sha384, tdreport + TDX_TD_INFO_OFFSET, TDX_TD_INFO_SIZE, NULL, 0, h)) < 0)
                return r;
        if (memcmp(h, tdreport + TDR_TEE_INFO_HASH, sizeof(h)) != 0) {
                detail_set(reterr,
                           "TDREPORT REPORTMACSTRUCT.TEE_INFO_HASH (offset %u) is not the SHA-384 of "
                           "TDINFO (offset %u, %u bytes)",
                           TDR_TEE_INFO_HASH, TDX_TD_INFO_OFFSET, TDX_TD_INFO_SIZE);
                return -EBADMSG;
        }
        return 0;
}

int soft_ca_nonce(SoftCa *ca, SoftNonce **ret)
{
        return soft_signer_nonce(ca->att_signer, ret);
}

int soft_ca_quote(SoftCa *ca, const uint8_t tdreport[1024], SoftNonce *nonce, uint8_t **ret,
                  size_t *ret_size)
{
        _cleanup_(soft_nonce_freep) SoftNonce *n = nonce; /* consumed on every path */
        _cleanup_free_ char *detail = NULL;
        int r;

        assert(ca);
        r = check_tdreport(ca->sha384, tdreport, &detail);
        if (r < 0)
                return log_debug_errno(r, "%s", strna(detail));

        size_t size = Q_TAIL + ca->tail_size;
        _cleanup_free_ uint8_t *q = malloc(size);
        if (!q)
                return -ENOMEM;
        memcpy(q, ca->header, TDX_QUOTE_HEADER_SIZE);
        uint8_t *body = q + TDX_QUOTE_HEADER_SIZE;
        memcpy(body, tdreport + TDR_TCB_FIELDS, TDR_TCB_FIELDS_SIZE);
        memcpy(body + TDR_TCB_FIELDS_SIZE, tdreport + TDX_TD_INFO_OFFSET, TDR_TD_FIELDS_SIZE);
        memcpy(body + TDR_TCB_FIELDS_SIZE + TDR_TD_FIELDS_SIZE, tdreport + TDR_REPORT_DATA,
               TDX_REPORT_DATA_SIZE);
        put32(q + Q_SIG_LEN, (uint32_t) (TDX_ECDSA_SIG_SIZE + ca->tail_size));
        uint8_t h[32];
        if ((r = digest(ca->sha256, q, Q_SIGNED, NULL, 0, h)) < 0 ||
            (r = soft_signer_sign(ca->att_signer, h, TAKE_PTR(n), q + Q_SIG)) < 0)
                return r;
        memcpy(q + Q_TAIL, ca->tail, ca->tail_size);

        *ret = TAKE_PTR(q);
        *ret_size = size;
        return 0;
}

int soft_ca_check_tdreport(const uint8_t tdreport[1024], char **reterr)
{
        return check_tdreport(EVP_sha384(), tdreport, reterr);
}

/* The QE report (sgx_report_body_t) of the soft QE, its signature by the PCK key, the QE auth data and
 * the PCK chain (leaf, PCK CA, root), behind the attestation key. */
static int tail_build(SoftCa *ca, const SoftPki *p)
{
        _cleanup_free_ char *leaf = NULL, *inter = NULL, *root = NULL;
        size_t nl, ni, nr;
        int r;

        if ((r = soft_cert_pem(p->pck, &leaf, &nl)) < 0 || (r = soft_cert_pem(p->pck_ca, &inter, &ni)) < 0 ||
            (r = soft_cert_pem(p->root, &root, &nr)) < 0)
                return r;
        size_t chain = nl + ni + nr;
        size_t cert_size = QE_CERT_FIXED + chain;
        size_t size = TDX_ECDSA_KEY_SIZE + 2 + 4 + cert_size;
        _cleanup_free_ uint8_t *t = calloc(1, size);
        if (!t)
                return -ENOMEM;

        uint8_t *key = t;
        if ((r = soft_public_key_raw(p->att_key, key)) < 0)
                return r;
        put16(t + 64, TDX_CERT_QE_REPORT);
        put32(t + 66, (uint32_t) cert_size);

        uint8_t *qe = t + 70;
        memcpy(qe + 0, soft_cpusvn, 16); /* CPUSVN; MISCSELECT (16) and the reserved bytes stay zero */
        memcpy(qe + 48, soft_qe_attributes, 16);
        memcpy(qe + 64, soft_qe_mrenclave, 32);
        memcpy(qe + 128, soft_qe_mrsigner, 32);
        put16(qe + 256, SOFT_QE_PROD_ID);
        put16(qe + 258, SOFT_QE_SVN);
        /* REPORTDATA = SHA-256(attestation key || QE auth data) || 32 zero bytes. */
        if ((r = digest(EVP_sha256(), key, TDX_ECDSA_KEY_SIZE, soft_qe_auth_data, QE_AUTH_SIZE, qe + 320)) <
                    0 ||
            (r = soft_sign(p->pck_key, qe, TDX_QE_REPORT_SIZE, qe + TDX_QE_REPORT_SIZE)) < 0)
                return r;

        uint8_t *o = qe + TDX_QE_REPORT_SIZE + TDX_ECDSA_SIG_SIZE;
        put16(o, QE_AUTH_SIZE);
        memcpy(o + 2, soft_qe_auth_data, QE_AUTH_SIZE);
        o += 2 + QE_AUTH_SIZE;
        put16(o, TDX_CERT_PCK_CERT_CHAIN);
        put32(o + 2, (uint32_t) chain);
        o += 6;
        memcpy(o, leaf, nl);
        memcpy(o + nl, inter, ni);
        memcpy(o + nl + ni, root, nr);
        assert(o + chain == t + size);

        /* Header: version 4, ECDSA P-256, TDX, Intel's QE vendor ID (the verifier accepts no other), and
         * a QE-ID in user data, here derived from the attestation key. */
        uint8_t h[32];
        if ((r = digest(EVP_sha256(), key, TDX_ECDSA_KEY_SIZE, NULL, 0, h)) < 0)
                return r;
        memset(ca->header, 0, sizeof(ca->header));
        put16(ca->header + 0, 4);
        put16(ca->header + 2, TDX_ATT_KEY_ECDSA_P256);
        put32(ca->header + 4, TDX_QUOTE_TEE_TDX);
        memcpy(ca->header + 12, TDX_QE_VENDOR_INTEL, 16);
        memcpy(ca->header + 28, h, 16);

        ca->tail = TAKE_PTR(t);
        ca->tail_size = size;
        return 0;
}

static int collateral_dir(const char *dir, char **ret)
{
        return asprintf(ret, "%s/collateral", dir) < 0 ? -ENOMEM : 0;
}

int soft_ca_init(const char *dir)
{
        _cleanup_(soft_pki_done) SoftPki p = {};
        _cleanup_free_ char *root = NULL, *coll = NULL;
        struct stat st;
        time_t now = time(NULL);
        int r;

        if (asprintf(&root, "%s/root.pem", dir) < 0 || collateral_dir(dir, &coll) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_debug_errno(errno, "Cannot create %s: %m", dir);
        if (stat(root, &st) == 0)
                return log_debug_errno(SYNTHETIC_ERRNO(EEXIST), "%s already holds a CA", dir);
        if (mkdir(coll, 0755) < 0 && errno != EEXIST)
                return log_debug_errno(errno, "Cannot create %s: %m", coll);

        static const char readme[] =
                "This directory holds an INSECURE software quoting CA made by cvm (cvm-qgsd "
                "--init-soft-ca).\n"
                "Its quotes prove nothing about hardware: it signs any TDREPORT it is given. Use it for\n"
                "development and tests only. root.pem is its root certificate, collateral/ the collateral "
                "for\n"
                "'cvm verify --root-ca=root.pem --collateral=collateral QUOTE'; *.key are private keys.\n";
        if ((r = soft_pki_generate(now, &p)) < 0 || (r = soft_collateral_write(&p, coll, now)) < 0 ||
            (r = soft_write_file(dir, "README", readme, strlen(readme), 0644)) < 0 ||
            (r = soft_pki_save(&p, dir)) < 0)
                return log_debug_errno(r, "Cannot write the soft CA into %s: %m", dir);
        return 0;
}

/* Re-signs the collateral when it runs out within SOFT_COLLATERAL_REFRESH (soft-ca.h). */
static int collateral_refresh(const SoftPki *p, const char *dir, time_t now)
{
        _cleanup_free_ char *coll = NULL;
        time_t next = 0;

        if (collateral_dir(dir, &coll) < 0)
                return -ENOMEM;
        int k = soft_collateral_next_update(coll, &next);
        if (k == 0 && next - now >= SOFT_COLLATERAL_REFRESH)
                return 0;
        int r = mkdir(coll, 0755) < 0 && errno != EEXIST ? -errno : 0;
        if (r == 0)
                r = soft_collateral_write(p, coll, now);
        if (r < 0 && k == 0 && next > now) {
                log_debug_errno(r, "Cannot re-sign the collateral in %s, keeping it until %lld: %m", coll,
                                (long long) next);
                return 0;
        }
        if (r < 0)
                return log_debug_errno(r, "The collateral in %s is %s and cannot be re-signed: %m", coll,
                                       k < 0 ? "missing or malformed" : "expired");
        return 0;
}

int soft_ca_load(const char *dir, SoftCa **ret)
{
        _cleanup_(soft_pki_done) SoftPki p = {};
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        int r;

        if ((r = soft_pki_load(dir, &p)) < 0 || (r = collateral_refresh(&p, dir, time(NULL))) < 0)
                return r;
        ca = new0(SoftCa, 1);
        if (!ca)
                return -ENOMEM;
        if ((r = tail_build(ca, &p)) < 0)
                return r;
        if ((r = soft_signer_new(p.att_key, &ca->att_signer)) < 0)
                return r;
        ca->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        ca->sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
        if (!ca->sha256 || !ca->sha384)
                return openssl_error(-ENOMEM, "SHA-256 and SHA-384");
        *ret = TAKE_PTR(ca);
        return 0;
}
