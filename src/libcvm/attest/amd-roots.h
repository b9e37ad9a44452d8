/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The AMD SEV-SNP certificate authorities built into cvm: per product line the ARK (AMD Root Key,
 * self-signed), the ASK (AMD SEV Key, signs VCEKs) and the ASVK (AMD SEV VLEK Key, signs VLEKs), all
 * RSA-4096 with RSASSA-PSS SHA-384 (reference/attestation.md §c "Certificates"). They are the public
 * certificates AMD's KDS serves at /vcek/v1/{product}/cert_chain and /vlek/v1/{product}/cert_chain,
 * byte-identical in go-sev-guest verify/trust/, virtee/sev and trustee (vectors/MANIFEST.md §2).
 */
#include <openssl/x509.h>

#include "macro.h"

typedef enum AmdProduct {
        AMD_PRODUCT_MILAN,
        AMD_PRODUCT_GENOA,
        AMD_PRODUCT_TURIN,
        _AMD_PRODUCT_MAX,
        _AMD_PRODUCT_INVALID = -EINVAL,
} AmdProduct;

typedef enum AmdCaCert {
        AMD_CA_ARK,
        AMD_CA_ASK,
        AMD_CA_ASVK,
        _AMD_CA_MAX,
        _AMD_CA_INVALID = -EINVAL,
} AmdCaCert;

/* "Milan", "Genoa", "Turin": the names KDS URLs and the ARK/ASK subjects use. */
const char *amd_product_to_string(AmdProduct p);
/*
 * Case-insensitive; also accepts a VCEK productName with a stepping suffix ("Milan-B0", "Genoa-A1"), since
 * the product line is what selects the roots. Unknown names give -EINVAL.
 */
AmdProduct amd_product_from_string(const char *s);

/* "ARK", "ASK", "ASVK". */
const char *amd_ca_cert_to_string(AmdCaCert c);
AmdCaCert amd_ca_cert_from_string(const char *s);

/* The built-in PEM text of one CA certificate, or NULL for an invalid product or certificate. */
const char *amd_root_pem(AmdProduct p, AmdCaCert c);

/* Parses the built-in certificate: 0, -EINVAL (bad arguments) or -ENOMEM. */
int amd_root_load(AmdProduct p, AmdCaCert c, X509 **ret);
