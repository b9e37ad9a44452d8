/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The keys and certificates of the INSECURE soft quoting CA, shaped like Intel's SGX/TDX PKI so that the
 * DCAP verifier (attest/tdx-verify.h) treats them as it treats Intel's (reference/attestation.md b.1-b.3):
 *   root          "cvm INSECURE soft quoting root", self-signed, signs the root CA CRL
 *   pck_ca        "cvm INSECURE soft PCK Processor CA", issued by root, signs the PCK CRL
 *   pck           "cvm INSECURE soft SGX PCK Certificate" with the SGX extension
 * (OID 1.2.840.113741.1.13.1), issued by pck_ca; its key signs the QE report tcb           "cvm INSECURE
 * soft SGX TCB Signing", issued by root; signs TCB info and QE identity att_key       the attestation key;
 * signs quotes All keys are EC P-256, all signatures ECDSA with SHA-256, as Intel's.
 */
#include <openssl/x509.h>
#include <time.h>

#include "macro.h"

/* The soft platform and QE, as the PCK certificate, the QE report and the collateral state them. */
#define SOFT_PCE_SVN     13U
#define SOFT_QE_PROD_ID  2U /* Intel's TD QE ISVPRODID */
#define SOFT_QE_SVN      1U
#define SOFT_TCB_EVAL_NR 1U
extern const uint8_t soft_fmspc[6];
extern const uint8_t soft_pce_id[2];
extern const uint8_t soft_cpusvn[16]; /* also the 16 SGX TCB component SVNs */
extern const uint8_t soft_qe_mrsigner[32];
extern const uint8_t soft_qe_mrenclave[32];
extern const uint8_t soft_qe_attributes[16];
extern const uint8_t soft_qe_auth_data[32];

typedef struct SoftPki {
        X509 *root, *pck_ca, *pck, *tcb;
        EVP_PKEY *root_key, *pck_ca_key, *pck_key, *tcb_key, *att_key;
        uint8_t ppid[16];
} SoftPki;

void soft_pki_done(SoftPki *p);

/* New keys and certificates valid from `now` (minus a day of clock skew) for ten years. */
int soft_pki_generate(time_t now, SoftPki *ret);
/* Writes every key (mode 0600) and certificate into dir, root.pem last: 0 / -errno. */
int soft_pki_save(const SoftPki *p, const char *dir);
/* Reads them back and checks that keys and certificates belong together: 0, -ENOENT, -EBADMSG. */
int soft_pki_load(const char *dir, SoftPki *ret);

/* ECDSA P-256 / SHA-256 over data as Intel structures carry it: r || s, 32 bytes each, big-endian. */
int soft_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t ret[static 64]);
/* The public key as X || Y (64 bytes), the form of the quote's attestation key field. */
int soft_public_key_raw(EVP_PKEY *key, uint8_t ret[static 64]);

/* Serialisation into memory; free() the result. */
int soft_cert_pem(X509 *cert, char **ret, size_t *ret_size);
int soft_crl_der(X509_CRL *crl, uint8_t **ret, size_t *ret_size);

/* An empty version 2 CRL of issuer, thisUpdate now, nextUpdate next. */
int soft_crl_new(X509 *issuer, EVP_PKEY *key, time_t now, time_t next, X509_CRL **ret);

/* Writes data to dir/name through a temporary file and rename(), with mode: 0 / -errno. */
int soft_write_file(const char *dir, const char *name, const void *data, size_t size, mode_t mode);
