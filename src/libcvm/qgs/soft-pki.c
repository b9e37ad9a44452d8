/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keys and certificates of the soft quoting CA. The PCK certificate's SGX extension follows Intel's "SGX
 * PCK Certificate and CRL Profile" as attest/pck-ext.c reads it (reference/attestation.md b.2): PPID,
 * TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type; a Processor-CA PCK has neither
 * PlatformInstanceID nor Configuration.
 */
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/openssl-util.h"
#include "attest/pck-ext.h"
#include "fileio.h"
#include "qgs/soft-pki.h"
#include "qgs/soft-signer.h"

/* Values of a made-up platform; the FMSPC's first byte 0x5f ("soft") matches no Intel CPU family. */
const uint8_t soft_fmspc[6] = { 0x5f, 0x0f, 0x7e, 0x00, 0x00, 0x00 };
const uint8_t soft_pce_id[2] = { 0x00, 0x00 };
const uint8_t soft_cpusvn[16] = { 0x05, 0x05, 0x0f, 0x11, 0x03, 0xff, 0x00, 0x04 };
/* SHA-256("cvm INSECURE soft TD_QE mrsigner") and ("... mrenclave"): not Intel's QE signer. */
const uint8_t soft_qe_mrsigner[32] = { 0x69, 0x9c, 0x84, 0x21, 0x0a, 0xaa, 0xaa, 0xa2, 0xba, 0x57, 0x56,
                                       0x22, 0x63, 0x4a, 0xe9, 0x85, 0xc4, 0x82, 0xb0, 0xb6, 0x1b, 0xc3,
                                       0x48, 0x22, 0x1a, 0x56, 0xac, 0x1b, 0x3e, 0xb9, 0xe0, 0xcb };
const uint8_t soft_qe_mrenclave[32] = { 0x76, 0xaa, 0xf0, 0xc9, 0xbc, 0x52, 0xc4, 0xd7, 0xb6, 0x14, 0x51,
                                        0xc5, 0x31, 0x9b, 0x83, 0x0c, 0x59, 0x16, 0x10, 0xef, 0xe7, 0x24,
                                        0x1b, 0xd0, 0xe2, 0xad, 0x74, 0x6d, 0x5a, 0xfd, 0x28, 0x57 };
/* INIT | PROVISIONKEY, as Intel's TD QE (QE identity "attributes": "11000000000000000000000000000000"). */
const uint8_t soft_qe_attributes[16] = { 0x11 };
/* Intel's QE sends 00 01 .. 1f as its authentication data (reference/attestation.md a.4). */
const uint8_t soft_qe_auth_data[32] = { 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };

#define SOFT_ORG            "cvm INSECURE software test CA (not for production)"
#define SOFT_VALIDITY       (10LL * 365 * 24 * 3600)
#define SOFT_SKEW           (24 * 3600)
#define SOFT_FILE_MAX       (64U * 1024)
#define PEM_CERT_BUNDLE_MAX 4U

DEFINE_TRIVIAL_CLEANUP_FUNC(X509_NAME *, X509_NAME_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_EXTENSION *, X509_EXTENSION_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_INTEGER *, ASN1_INTEGER_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_OCTET_STRING *, ASN1_OCTET_STRING_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_TIME *, ASN1_TIME_free)

void soft_pki_done(SoftPki *p)
{
        if (!p)
                return;
        X509_free(p->root);
        X509_free(p->pck_ca);
        X509_free(p->pck);
        X509_free(p->tcb);
        EVP_PKEY_free(p->root_key);
        EVP_PKEY_free(p->pck_ca_key);
        EVP_PKEY_free(p->pck_key);
        EVP_PKEY_free(p->tcb_key);
        EVP_PKEY_free(p->att_key);
        *p = (SoftPki){};
}

static int key_new(EVP_PKEY **ret)
{
        EVP_PKEY *k = EVP_EC_gen("P-256");
        if (!k)
                return openssl_error(-ENOMEM, "EVP_EC_gen");
        *ret = k;
        return 0;
}

static bool key_is_p256(EVP_PKEY *k)
{
        char group[32];
        return EVP_PKEY_is_a(k, "EC") &&
               EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ==
                       1 &&
               streq(group, "prime256v1");
}

/* ---- the SGX extension -------------------------------------------------------------------------------- */

/* ASN1_TYPE of V_ASN1_SEQUENCE holds the whole DER encoding of the SEQUENCE, tag included. */
static ASN1_TYPE *seq_type(Asn1TypeStack *items)
{
        unsigned char *der = NULL;
        int n = i2d_ASN1_SEQUENCE_ANY(items, &der);
        if (n <= 0)
                return NULL;
        ASN1_STRING *s = ASN1_STRING_new();
        ASN1_TYPE *t = ASN1_TYPE_new();
        if (!s || !t || ASN1_STRING_set(s, der, n) != 1) {
                OPENSSL_free(der);
                ASN1_STRING_free(s);
                ASN1_TYPE_free(t);
                return NULL;
        }
        OPENSSL_free(der);
        ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
        return t;
}

/* Pushes SEQUENCE { OID prefix.suffix, value } onto sk, taking value. */
static int push_entry(Asn1TypeStack *sk, const char *prefix, unsigned suffix, ASN1_TYPE *value)
{
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *pair = sk_ASN1_TYPE_new_null();
        _cleanup_(ASN1_TYPE_freep) ASN1_TYPE *v = value, *o = ASN1_TYPE_new();
        char oid[64];

        snprintf(oid, sizeof(oid), "%s.%u", prefix, suffix);
        ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        if (!pair || !v || !o || !obj) {
                ASN1_OBJECT_free(obj);
                return -ENOMEM;
        }
        ASN1_TYPE_set(o, V_ASN1_OBJECT, obj);
        if (!sk_ASN1_TYPE_push(pair, o))
                return -ENOMEM;
        TAKE_PTR(o);
        if (!sk_ASN1_TYPE_push(pair, v))
                return -ENOMEM;
        TAKE_PTR(v);

        ASN1_TYPE *t = seq_type(pair);
        if (!t || !sk_ASN1_TYPE_push(sk, t)) {
                ASN1_TYPE_free(t);
                return -ENOMEM;
        }
        return 0;
}

static ASN1_TYPE *octets_type(const uint8_t *p, size_t n)
{
        ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
        ASN1_TYPE *t = ASN1_TYPE_new();
        if (!s || !t || ASN1_OCTET_STRING_set(s, p, (int) n) != 1) {
                ASN1_OCTET_STRING_free(s);
                ASN1_TYPE_free(t);
                return NULL;
        }
        ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, s);
        return t;
}

static ASN1_TYPE *int_type(int type, long v)
{
        ASN1_INTEGER *i = type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_new() : ASN1_INTEGER_new();
        ASN1_TYPE *t = ASN1_TYPE_new();
        int ok = i && t &&
                 (type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_set(i, v) : ASN1_INTEGER_set(i, v)) == 1;
        if (!ok) {
                ASN1_STRING_free(i);
                ASN1_TYPE_free(t);
                return NULL;
        }
        ASN1_TYPE_set(t, type, i);
        return t;
}

static int sgx_extension(const uint8_t ppid[static 16], X509_EXTENSION **ret)
{
        const char *root = PCK_SGX_EXTENSION_OID, *tcb_prefix = PCK_SGX_EXTENSION_OID ".2";
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *ext = sk_ASN1_TYPE_new_null(),
                                                        *tcb = sk_ASN1_TYPE_new_null();
        int r;

        if (!ext || !tcb)
                return -ENOMEM;
        for (unsigned k = 1; k <= PCK_TCB_COMPONENTS; k++)
                if ((r = push_entry(tcb, tcb_prefix, k, int_type(V_ASN1_INTEGER, soft_cpusvn[k - 1]))) < 0)
                        return r;
        if ((r = push_entry(tcb, tcb_prefix, 17, int_type(V_ASN1_INTEGER, SOFT_PCE_SVN))) < 0 ||
            (r = push_entry(tcb, tcb_prefix, 18, octets_type(soft_cpusvn, sizeof(soft_cpusvn)))) < 0)
                return r;

        if ((r = push_entry(ext, root, 1, octets_type(ppid, 16))) < 0 ||
            (r = push_entry(ext, root, 2, seq_type(tcb))) < 0 ||
            (r = push_entry(ext, root, 3, octets_type(soft_pce_id, sizeof(soft_pce_id)))) < 0 ||
            (r = push_entry(ext, root, 4, octets_type(soft_fmspc, sizeof(soft_fmspc)))) < 0 ||
            (r = push_entry(ext, root, 5, int_type(V_ASN1_ENUMERATED, PCK_SGX_TYPE_SCALABLE))) < 0)
                return r;

        unsigned char *der = NULL;
        int n = i2d_ASN1_SEQUENCE_ANY(ext, &der);
        if (n <= 0)
                return openssl_error(-ENOMEM, "i2d_ASN1_SEQUENCE_ANY");
        _cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *obj = OBJ_txt2obj(PCK_SGX_EXTENSION_OID, 1);
        bool ok = value && obj && ASN1_OCTET_STRING_set(value, der, n) == 1;
        OPENSSL_free(der);
        if (!ok)
                return -ENOMEM;
        X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, value);
        if (!e)
                return openssl_error(-ENOMEM, "X509_EXTENSION_create_by_OBJ");
        *ret = e;
        return 0;
}

/* ---- certificates and CRLs -------------------------------------------------------------------------- */

typedef enum CertKind {
        CERT_ROOT,
        CERT_CA,
        CERT_LEAF,
        CERT_PCK,
} CertKind;

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
        if (!e || X509_add_ext(cert, e, -1) != 1)
                return openssl_error(-ENOMEM, "X509_add_ext");
        return 0;
}

static int random_serial(ASN1_INTEGER **ret)
{
        _cleanup_(BN_freep) BIGNUM *bn = BN_new();
        /* 127 random bits: positive and at most 16 bytes, as RFC 5280 wants. */
        if (!bn || BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
                return openssl_error(-ENOMEM, "BN_rand");
        ASN1_INTEGER *i = BN_to_ASN1_INTEGER(bn, NULL);
        if (!i)
                return -ENOMEM;
        *ret = i;
        return 0;
}

static int cert_new(const char *cn, CertKind kind, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                    const uint8_t *ppid, time_t now, X509 **ret)
{
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(X509_NAME_freep) X509_NAME *name = X509_NAME_new();
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
        int r;

        if (!x || !name)
                return -ENOMEM;
        if ((r = random_serial(&serial)) < 0)
                return r;
        if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0) !=
                    1 ||
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *) SOFT_ORG, -1, -1,
                                       0) != 1 ||
            X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial) != 1 ||
            X509_set_subject_name(x, name) != 1 ||
            X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1 ||
            !ASN1_TIME_set(X509_getm_notBefore(x), now - SOFT_SKEW) ||
            !ASN1_TIME_set(X509_getm_notAfter(x), now + SOFT_VALIDITY) || X509_set_pubkey(x, key) != 1)
                return openssl_error(-ENOMEM, "X509 fields");

        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer ?: x, x, NULL, NULL, 0);
        bool ca = kind == CERT_ROOT || kind == CERT_CA;
        if ((r = add_ext(x, &ctx, NID_basic_constraints,
                         kind == CERT_ROOT ? "critical,CA:TRUE,pathlen:1"
                         : ca              ? "critical,CA:TRUE,pathlen:0"
                                           : "critical,CA:FALSE")) < 0 ||
            (r = add_ext(x, &ctx, NID_key_usage,
                         ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation")) <
                    0 ||
            (r = add_ext(x, &ctx, NID_subject_key_identifier, "hash")) < 0 ||
            (r = add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always")) < 0)
                return r;
        if (kind == CERT_PCK) {
                _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *e = NULL;
                if ((r = sgx_extension(ppid, &e)) < 0)
                        return r;
                if (X509_add_ext(x, e, -1) != 1)
                        return openssl_error(-ENOMEM, "X509_add_ext");
        }
        if (X509_sign(x, issuer_key ?: key, EVP_sha256()) <= 0)
                return openssl_error(-ENOMEM, "X509_sign");
        *ret = TAKE_PTR(x);
        return 0;
}

int soft_pki_generate(time_t now, SoftPki *ret)
{
        _cleanup_(soft_pki_done) SoftPki p = {};
        int r;

        if ((r = key_new(&p.root_key)) < 0 || (r = key_new(&p.pck_ca_key)) < 0 ||
            (r = key_new(&p.pck_key)) < 0 || (r = key_new(&p.tcb_key)) < 0 || (r = key_new(&p.att_key)) < 0)
                return r;
        if (RAND_bytes(p.ppid, sizeof(p.ppid)) != 1)
                return openssl_error(-EIO, "RAND_bytes");
        if ((r = cert_new("cvm INSECURE soft quoting root", CERT_ROOT, p.root_key, NULL, NULL, NULL, now,
                          &p.root)) < 0 ||
            (r = cert_new("cvm INSECURE soft PCK Processor CA", CERT_CA, p.pck_ca_key, p.root, p.root_key,
                          NULL, now, &p.pck_ca)) < 0 ||
            (r = cert_new("cvm INSECURE soft SGX PCK Certificate", CERT_PCK, p.pck_key, p.pck_ca,
                          p.pck_ca_key, p.ppid, now, &p.pck)) < 0 ||
            (r = cert_new("cvm INSECURE soft SGX TCB Signing", CERT_LEAF, p.tcb_key, p.root, p.root_key,
                          NULL, now, &p.tcb)) < 0)
                return r;
        *ret = p;
        p = (SoftPki){};
        return 0;
}

int soft_crl_new(X509 *issuer, EVP_PKEY *key, time_t now, time_t next, X509_CRL **ret)
{
        _cleanup_(X509_CRL_freep) X509_CRL *crl = X509_CRL_new();
        _cleanup_(ASN1_TIME_freep) ASN1_TIME *t1 = ASN1_TIME_set(NULL, now), *t2 = ASN1_TIME_set(NULL, next);
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *number = ASN1_INTEGER_new();

        /* The CRL number grows with time, as RFC 5280 5.2.3 asks of a sequence of CRLs. */
        if (!crl || !t1 || !t2 || !number || ASN1_INTEGER_set_int64(number, (int64_t) now) != 1 ||
            X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
            X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) != 1 ||
            X509_CRL_set1_lastUpdate(crl, t1) != 1 || X509_CRL_set1_nextUpdate(crl, t2) != 1 ||
            X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1)
                return openssl_error(-ENOMEM, "X509_CRL fields");

        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer, NULL, NULL, crl, 0);
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *aki =
                X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
        if (!aki || X509_CRL_add_ext(crl, aki, -1) != 1)
                return openssl_error(-ENOMEM, "X509_CRL_add_ext");
        if (X509_CRL_sign(crl, key, EVP_sha256()) <= 0)
                return openssl_error(-ENOMEM, "X509_CRL_sign");
        *ret = TAKE_PTR(crl);
        return 0;
}

/* ---- signatures --------------------------------------------------------------------------------------- */

int soft_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t ret[static 64])
{
        _cleanup_(soft_signer_freep) SoftSigner *s = NULL;
        uint8_t md[32];
        int r;

        if (EVP_Digest(data, size, md, NULL, EVP_sha256(), NULL) != 1)
                return openssl_error(-ENOMEM, "SHA-256");
        if ((r = soft_signer_new(key, &s)) < 0)
                return r;
        return soft_signer_sign(s, md, NULL, ret);
}

int soft_public_key_raw(EVP_PKEY *key, uint8_t ret[static 64])
{
        uint8_t point[65];
        size_t n = 0;
        if (!key_is_p256(key) ||
            EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &n) != 1 ||
            n != sizeof(point) || point[0] != 0x04)
                return openssl_error(-EBADMSG, "P-256 public key");
        memcpy(ret, point + 1, 64);
        return 0;
}

/* ---- files -------------------------------------------------------------------------------------------- */

int soft_cert_pem(X509 *cert, char **ret, size_t *ret_size)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        if (!b || PEM_write_bio_X509(b, cert) != 1)
                return openssl_error(-ENOMEM, "PEM_write_bio_X509");
        return openssl_bio_take(b, ret, ret_size);
}

static int key_pem(EVP_PKEY *key, char **ret, size_t *ret_size)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        if (!b || PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1)
                return openssl_error(-ENOMEM, "PEM_write_bio_PrivateKey");
        return openssl_bio_take(b, ret, ret_size);
}

int soft_crl_der(X509_CRL *crl, uint8_t **ret, size_t *ret_size)
{
        unsigned char *der = NULL;
        int n = i2d_X509_CRL(crl, &der);
        if (n <= 0)
                return openssl_error(-ENOMEM, "i2d_X509_CRL");
        uint8_t *p = malloc((size_t) n);
        if (p)
                memcpy(p, der, (size_t) n);
        OPENSSL_free(der);
        if (!p)
                return -ENOMEM;
        *ret = p;
        *ret_size = (size_t) n;
        return 0;
}

int soft_write_file(const char *dir, const char *name, const void *data, size_t size, mode_t mode)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return write_file_atomic(path, data, size, mode);
}

/* File names in dir; root.pem comes last when saving, so a directory with root.pem holds a whole CA. */
static const char *const key_files[] = { "root.key", "pck-ca.key", "pck.key", "tcb-signing.key",
                                         "attestation.key" };
static const char *const cert_files[] = { "pck-ca.pem", "pck.pem", "tcb-signing.pem", "root.pem" };

static EVP_PKEY **pki_key(SoftPki *p, size_t i)
{
        EVP_PKEY **k[] = { &p->root_key, &p->pck_ca_key, &p->pck_key, &p->tcb_key, &p->att_key };
        return k[i];
}

static X509 **pki_cert(SoftPki *p, size_t i)
{
        X509 **c[] = { &p->pck_ca, &p->pck, &p->tcb, &p->root };
        return c[i];
}

int soft_pki_save(const SoftPki *p, const char *dir)
{
        SoftPki *q = (SoftPki *) p;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(key_files); i++) {
                _cleanup_free_ char *s = NULL;
                size_t n;
                if ((r = key_pem(*pki_key(q, i), &s, &n)) < 0)
                        return r;
                r = soft_write_file(dir, key_files[i], s, n, 0600);
                explicit_bzero(s, n);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(cert_files); i++) {
                _cleanup_free_ char *s = NULL;
                size_t n;
                if ((r = soft_cert_pem(*pki_cert(q, i), &s, &n)) < 0 ||
                    (r = soft_write_file(dir, cert_files[i], s, n, 0644)) < 0)
                        return r;
        }
        return 0;
}

static int read_file(const char *dir, const char *name, BIO **ret)
{
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t size;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        int r = read_full_file(path, SOFT_FILE_MAX, &data, &size);
        if (r < 0)
                return r;
        BIO *b = BIO_new(BIO_s_mem());
        if (!b || BIO_write(b, data, (int) size) != (int) size) {
                BIO_free(b);
                explicit_bzero(data, size);
                return -ENOMEM;
        }
        explicit_bzero(data, size);
        *ret = b;
        return 0;
}

int soft_pki_load(const char *dir, SoftPki *ret)
{
        _cleanup_(soft_pki_done) SoftPki p = {};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(key_files); i++) {
                _cleanup_(BIO_freep) BIO *b = NULL;
                if ((r = read_file(dir, key_files[i], &b)) < 0)
                        return log_debug_errno(r, "%s/%s: %m", dir, key_files[i]);
                EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
                if (!k || !key_is_p256(k)) {
                        EVP_PKEY_free(k);
                        r = openssl_error(-EBADMSG, key_files[i]);
                        return log_debug_errno(r, "%s/%s: not an EC P-256 private key in PEM", dir,
                                               key_files[i]);
                }
                *pki_key(&p, i) = k;
        }
        for (size_t i = 0; i < ELEMENTSOF(cert_files); i++) {
                _cleanup_(BIO_freep) BIO *b = NULL;
                if ((r = read_file(dir, cert_files[i], &b)) < 0)
                        return log_debug_errno(r, "%s/%s: %m", dir, cert_files[i]);
                X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
                if (!x)
                        return log_debug_errno(openssl_error(-EBADMSG, cert_files[i]),
                                               "%s/%s: not a PEM certificate", dir, cert_files[i]);
                *pki_cert(&p, i) = x;
        }

        /* Each certificate holds its key's public half and is signed by its issuer's key. */
        struct {
                X509 *cert, *issuer;
                EVP_PKEY *key;
                const char *name;
        } pairs[] = {
                { p.root, p.root, p.root_key, "root" },
                { p.pck_ca, p.root, p.pck_ca_key, "pck-ca" },
                { p.pck, p.pck_ca, p.pck_key, "pck" },
                { p.tcb, p.root, p.tcb_key, "tcb-signing" },
        };
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++)
                if (X509_check_private_key(pairs[i].cert, pairs[i].key) != 1 ||
                    X509_verify(pairs[i].cert, X509_get0_pubkey(pairs[i].issuer)) != 1)
                        return log_debug_errno(openssl_error(-EBADMSG, pairs[i].name),
                                               "%s: %s.pem and %s.key do not belong together or to the CA",
                                               dir, pairs[i].name, pairs[i].name);

        PckExtension ext;
        _cleanup_free_ char *detail = NULL;
        r = pck_ext_from_cert(p.pck, &ext, &detail);
        if (r < 0)
                return log_debug_errno(r == -ENOMEM ? r : -EBADMSG, "%s/pck.pem: %s", dir, strna(detail));
        memcpy(p.ppid, ext.ppid, sizeof(p.ppid));
        *ret = p;
        p = (SoftPki){};
        return 0;
}
