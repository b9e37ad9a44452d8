/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SEV-SNP report verification building blocks (snp-verify.h). Facts from reference/attestation.md §c:
 * report layout and signature encoding (SEV-SNP ABI spec 56860 Table 23), TCB_VERSION layouts
 * (Milan/Genoa vs Turin), VCEK/VLEK extension OIDs, the AMD chain with RSASSA-PSS SHA-384.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdarg.h>

#include "attest/openssl-util.h"
#include "snp-verify.h"
#include "string-table.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(RSA_PSS_PARAMS *, RSA_PSS_PARAMS_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_ALGOR *, X509_ALGOR_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_INTEGER *, ASN1_INTEGER_free)

static const char *const snp_vek_type_table[_SNP_VEK_TYPE_MAX] = {
        [SNP_VEK_VCEK] = "VCEK",
        [SNP_VEK_VLEK] = "VLEK",
};
DEFINE_STRING_TABLE_LOOKUP(snp_vek_type, SnpVekType);

static void subject_cn(X509 *x, char *buf, size_t size)
{
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, (int) size) < 0)
                (void) snprintf(buf, size, "(no CN)");
}

/*
 * AMD signs ARK, ASK, ASVK, VCEK and VLEK with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48 (attestation.md
 * §c; go-sev-guest requires x509.SHA384WithRSAPSS). Accepting anything else would let a weaker algorithm
 * through the same code path, so the parameters are checked before X509_verify() applies them.
 */
static int pss_params_check(X509 *x, char *why, size_t why_size)
{
        const X509_ALGOR *alg;
        const ASN1_OBJECT *obj;
        const void *pval;
        int ptype;

        X509_get0_signature(NULL, &alg, x);
        X509_ALGOR_get0(&obj, &ptype, &pval, alg);
        if (OBJ_obj2nid(obj) != NID_rsassaPss || ptype != V_ASN1_SEQUENCE) {
                (void) snprintf(why, why_size, "signature algorithm is not RSASSA-PSS");
                return -EKEYREJECTED;
        }
        _cleanup_(RSA_PSS_PARAMS_freep) RSA_PSS_PARAMS *pss =
                ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter);
        if (!pss || !pss->hashAlgorithm || !pss->maskGenAlgorithm || !pss->saltLength) {
                (void) snprintf(why, why_size, "RSASSA-PSS parameters are missing or malformed");
                return -EKEYREJECTED;
        }
        if (OBJ_obj2nid(pss->hashAlgorithm->algorithm) != NID_sha384) {
                (void) snprintf(why, why_size, "RSASSA-PSS hash is not SHA-384");
                return -EKEYREJECTED;
        }
        if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 || !pss->maskGenAlgorithm->parameter ||
            pss->maskGenAlgorithm->parameter->type != V_ASN1_SEQUENCE) {
                (void) snprintf(why, why_size, "RSASSA-PSS mask generation is not MGF1");
                return -EKEYREJECTED;
        }
        _cleanup_(X509_ALGOR_freep) X509_ALGOR *mgf_md =
                ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter);
        if (!mgf_md || OBJ_obj2nid(mgf_md->algorithm) != NID_sha384) {
                (void) snprintf(why, why_size, "RSASSA-PSS MGF1 hash is not SHA-384");
                return -EKEYREJECTED;
        }
        if (ASN1_INTEGER_get(pss->saltLength) != 48) {
                (void) snprintf(why, why_size, "RSASSA-PSS salt length is not 48");
                return -EKEYREJECTED;
        }
        return 0;
}

/* x is signed by issuer: RSA key (AMD's CAs are RSA-4096), names chained, PSS parameters, signature. */
static int issuer_sig_verify(X509 *x, X509 *issuer, char *why, size_t why_size)
{
        EVP_PKEY *key = X509_get0_pubkey(issuer);
        int r;

        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
                (void) snprintf(why, why_size, "issuer key is not RSA");
                return -EKEYREJECTED;
        }
        if (X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(issuer)) != 0) {
                (void) snprintf(why, why_size, "issuer name does not match the issuer's subject");
                return -EKEYREJECTED;
        }
        r = pss_params_check(x, why, why_size);
        if (r < 0)
                return r;
        /* X509_verify() hashes the re-encoded TBS with the PSS parameters of the signature algorithm. */
        if (X509_verify(x, key) != 1) {
                ERR_clear_error();
                (void) snprintf(why, why_size, "signature does not verify");
                return -EKEYREJECTED;
        }
        return 0;
}

/* RFC 3339 UTC, for details users read. */
static const char *time_format(time_t t, char buf[static 32])
{
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                (void) snprintf(buf, 32, "@%lld", (long long) t);
        return buf;
}

static int asn1_time_get(const ASN1_TIME *a, time_t *ret)
{
        struct tm tm = {};
        time_t t;

        if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
                return -EBADMSG;
        t = timegm(&tm);
        if (t == (time_t) -1)
                return -EBADMSG;
        *ret = t;
        return 0;
}

/*
 * RFC 5280 4.1.2.5: valid from notBefore to notAfter, both inclusive (X509_cmp_time() treats equality
 * with notAfter as expired, hence the conversion).
 */
static int validity_check(X509 *x, time_t at, char *why, size_t why_size)
{
        char b1[32], b2[32];
        time_t nb, na;

        if (asn1_time_get(X509_get0_notBefore(x), &nb) < 0 ||
            asn1_time_get(X509_get0_notAfter(x), &na) < 0) {
                (void) snprintf(why, why_size, "validity dates are malformed");
                return -EBADMSG;
        }
        if (at < nb) {
                (void) snprintf(why, why_size, "not yet valid at %s (valid from %s)", time_format(at, b1),
                                time_format(nb, b2));
                return -EKEYEXPIRED;
        }
        if (at > na) {
                (void) snprintf(why, why_size, "expired at %s (valid until %s)", time_format(at, b1),
                                time_format(na, b2));
                return -EKEYEXPIRED;
        }
        return 0;
}

static int cert_check(AttestChecks *res, const char *id, X509 *x, X509 *issuer, time_t at)
{
        char cn[64], why[160];
        int r;

        subject_cn(x, cn, sizeof(cn));
        r = issuer_sig_verify(x, issuer, why, sizeof(why));
        if (r == 0)
                r = validity_check(x, at, why, sizeof(why));
        if (r < 0)
                return attest_checks_add(res, id, r, "%s: %s", cn, why);
        char icn[64], b[32];
        subject_cn(issuer, icn, sizeof(icn));
        return attest_checks_add(res, id, 0, "%s signed by %s, valid at %s", cn, icn, time_format(at, b));
}

int snp_chain_verify(AmdProduct product, SnpVekType type, X509 *ark, X509 *ask, X509 *vek, time_t at,
                     AttestChecks *res)
{
        _cleanup_(X509_freep) X509 *builtin_ark = NULL, *builtin_ask = NULL;
        int r, first = 0;

        if ((int) product < 0 || product >= _AMD_PRODUCT_MAX || (int) type < 0 ||
            type >= _SNP_VEK_TYPE_MAX || !vek || !res)
                return -EINVAL;

        r = amd_root_load(product, AMD_CA_ARK, &builtin_ark);
        if (r < 0)
                return r;
        /* The ARK is the trust anchor: a caller-supplied one (cert table, KDS) must be AMD's own. */
        if (ark && X509_cmp(ark, builtin_ark) != 0) {
                char cn[64];
                subject_cn(ark, cn, sizeof(cn));
                r = attest_checks_add(res, "chain.ark", -EKEYREJECTED, "%s is not AMD's built-in ARK-%s", cn,
                                      amd_product_to_string(product));
        } else
                r = cert_check(res, "chain.ark", builtin_ark, builtin_ark, at);
        if (r == -ENOMEM)
                return r;
        first = first ?: r;

        if (!ask) {
                r = amd_root_load(product, type == SNP_VEK_VLEK ? AMD_CA_ASVK : AMD_CA_ASK, &builtin_ask);
                if (r < 0)
                        return r;
                ask = builtin_ask;
        }
        r = cert_check(res, "chain.ask", ask, builtin_ark, at);
        if (r == -ENOMEM)
                return r;
        first = first ?: r;

        /* The VEK's own key is what signs reports: ECDSA P-384 (attestation.md §c "Certificates"). */
        EVP_PKEY *key = X509_get0_pubkey(vek);
        char group[32] = "";
        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
            EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) != 1 || !streq(group, "secp384r1")) {
                ERR_clear_error();
                r = attest_checks_add(res, "chain.vek", -EKEYREJECTED, "%s key is not EC P-384",
                                      snp_vek_type_to_string(type));
        } else
                r = cert_check(res, "chain.vek", vek, ask, at);
        if (r == -ENOMEM)
                return r;
        return first ?: r;
}

/* One DER value filling an extension exactly: a trailing byte is as malformed as a missing one. */
static int ext_integer(const ASN1_OCTET_STRING *v, uint8_t *ret)
{
        const unsigned char *p = ASN1_STRING_get0_data(v), *start = p;
        long len = ASN1_STRING_length(v);
        int64_t i;

        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *n = d2i_ASN1_INTEGER(NULL, &p, len);
        if (!n || p - start != len || ASN1_INTEGER_get_int64(&i, n) != 1 || i < 0 || i > UINT8_MAX)
                return -EBADMSG;
        *ret = (uint8_t) i;
        return 0;
}

static int ext_string(const ASN1_OCTET_STRING *v, char *ret, size_t size)
{
        const unsigned char *p = ASN1_STRING_get0_data(v), *start = p;
        long len = ASN1_STRING_length(v);

        _cleanup_(ASN1_TYPE_freep) ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, len);
        if (!t || p - start != len || (t->type != V_ASN1_IA5STRING && t->type != V_ASN1_UTF8STRING))
                return -EBADMSG;
        const unsigned char *s = ASN1_STRING_get0_data(t->value.asn1_string);
        int l = ASN1_STRING_length(t->value.asn1_string);
        if (l < 0 || (size_t) l >= size)
                return -EBADMSG;
        for (int i = 0; i < l; i++)
                if (s[i] < 0x20 || s[i] > 0x7e)
                        return -EBADMSG;
        memcpy(ret, s, l);
        ret[l] = 0;
        return 0;
}

/*
 * hwID (1.3.6.1.4.1.3704.1.4): the public VCEKs hold the raw 64 (Milan/Genoa) or 8 (Turin) bytes as the
 * extension value; a DER OCTET STRING wrapping them exactly is accepted too.
 */
static int ext_hwid(const ASN1_OCTET_STRING *v, uint8_t ret[static SNP_VERIFY_CHIP_ID_SIZE],
                    size_t *ret_size)
{
        const unsigned char *p = ASN1_STRING_get0_data(v);
        int len = ASN1_STRING_length(v);

        if (len == SNP_VERIFY_CHIP_ID_SIZE || len == SNP_VERIFY_HWID_TURIN) {
                memcpy(ret, p, len);
                *ret_size = len;
                return 0;
        }
        if ((len == SNP_VERIFY_CHIP_ID_SIZE + 2 || len == SNP_VERIFY_HWID_TURIN + 2) &&
            p[0] == V_ASN1_OCTET_STRING && p[1] == len - 2) {
                memcpy(ret, p + 2, len - 2);
                *ret_size = len - 2;
                return 0;
        }
        return -EBADMSG;
}

static const struct {
        const char *oid;
        const char *name;
        SnpVekExtFlag flag;
        size_t offset; /* of the uint8_t field, for SPLs */
} vek_ext_table[] = {
        { "1.3.6.1.4.1.3704.1.1", "structVersion", SNP_VEK_EXT_STRUCT_VERSION,
          offsetof(SnpVekExt, struct_version) },
        { "1.3.6.1.4.1.3704.1.2", "productName", SNP_VEK_EXT_PRODUCT_NAME, 0 },
        { "1.3.6.1.4.1.3704.1.3.1", "blSPL", SNP_VEK_EXT_BL_SPL, offsetof(SnpVekExt, bl_spl) },
        { "1.3.6.1.4.1.3704.1.3.2", "teeSPL", SNP_VEK_EXT_TEE_SPL, offsetof(SnpVekExt, tee_spl) },
        { "1.3.6.1.4.1.3704.1.3.3", "snpSPL", SNP_VEK_EXT_SNP_SPL, offsetof(SnpVekExt, snp_spl) },
        { "1.3.6.1.4.1.3704.1.3.8", "ucodeSPL", SNP_VEK_EXT_UCODE_SPL, offsetof(SnpVekExt, ucode_spl) },
        { "1.3.6.1.4.1.3704.1.3.9", "fmcSPL", SNP_VEK_EXT_FMC_SPL, offsetof(SnpVekExt, fmc_spl) },
        { "1.3.6.1.4.1.3704.1.4", "hwID", SNP_VEK_EXT_HWID, 0 },
        { "1.3.6.1.4.1.3704.1.5", "cspId", SNP_VEK_EXT_CSP_ID, 0 },
};

_printf_(3, 4) static int seterr(char **reterr, int r, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (!reterr)
                return r;
        va_start(ap, fmt);
        k = vasprintf(reterr, fmt, ap);
        va_end(ap);
        if (k < 0) {
                *reterr = NULL;
                return -ENOMEM;
        }
        return r;
}

int snp_vek_ext_parse(X509 *vek, SnpVekExt *ret, char **reterr)
{
        SnpVekExt e = {};
        int n;

        if (!vek || !ret)
                return -EINVAL;
        n = X509_get_ext_count(vek);
        for (int i = 0; i < n; i++) {
                X509_EXTENSION *x = X509_get_ext(vek, i);
                char oid[80];
                int l = OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(x), 1);
                if (l <= 0 || (size_t) l >= sizeof(oid))
                        continue;

                for (size_t k = 0; k < ELEMENTSOF(vek_ext_table); k++) {
                        const ASN1_OCTET_STRING *v;
                        int r;

                        if (!streq(oid, vek_ext_table[k].oid))
                                continue;
                        if (e.present & vek_ext_table[k].flag)
                                return seterr(reterr, -EBADMSG, "VEK extension %s appears twice",
                                              vek_ext_table[k].name);
                        v = X509_EXTENSION_get_data(x);
                        switch (vek_ext_table[k].flag) {
                        case SNP_VEK_EXT_PRODUCT_NAME:
                                r = ext_string(v, e.product_name, sizeof(e.product_name));
                                break;
                        case SNP_VEK_EXT_CSP_ID:
                                r = ext_string(v, e.csp_id, sizeof(e.csp_id));
                                break;
                        case SNP_VEK_EXT_HWID:
                                r = ext_hwid(v, e.hwid, &e.hwid_size);
                                break;
                        default:
                                r = ext_integer(v, (uint8_t *) &e + vek_ext_table[k].offset);
                        }
                        if (r < 0) {
                                ERR_clear_error(); /* d2i_*() leave their reasons queued */
                                return seterr(reterr, r, "VEK extension %s is malformed",
                                              vek_ext_table[k].name);
                        }
                        e.present |= vek_ext_table[k].flag;
                }
        }
        *ret = e;
        return 0;
}

int snp_vek_ext_parse_der(const uint8_t *der, size_t size, SnpVekExt *ret, char **reterr)
{
        const unsigned char *p = der;

        if (!der || size > LONG_MAX)
                return -EINVAL;
        _cleanup_(X509_freep) X509 *x = d2i_X509(NULL, &p, (long) size);
        if (!x) {
                ERR_clear_error();
                return seterr(reterr, -EBADMSG, "not a DER X.509 certificate");
        }
        return snp_vek_ext_parse(x, ret, reterr);
}

/* The TCB components both REPORTED_TCB and the VEK name, with their byte in TCB_VERSION per layout. */
static const struct {
        const char *name;
        SnpVekExtFlag flag;
        size_t offset;
        int byte_legacy; /* Milan, Genoa: BL 0, TEE 1, SNP 6, UCODE 7; -1 = absent */
        int byte_turin;  /* Turin: FMC 0, BL 1, TEE 2, SNP 3, UCODE 7 */
} tcb_table[] = {
        { "FMC", SNP_VEK_EXT_FMC_SPL, offsetof(SnpVekExt, fmc_spl), -1, 0 },
        { "bootloader", SNP_VEK_EXT_BL_SPL, offsetof(SnpVekExt, bl_spl), 0, 1 },
        { "TEE", SNP_VEK_EXT_TEE_SPL, offsetof(SnpVekExt, tee_spl), 1, 2 },
        { "SNP", SNP_VEK_EXT_SNP_SPL, offsetof(SnpVekExt, snp_spl), 6, 3 },
        { "microcode", SNP_VEK_EXT_UCODE_SPL, offsetof(SnpVekExt, ucode_spl), 7, 7 },
};

int snp_tcb_check(AmdProduct product, uint64_t reported_tcb, const SnpVekExt *ext, AttestChecks *res)
{
        char diff[256] = "";
        size_t l = 0;

        if ((int) product < 0 || product >= _AMD_PRODUCT_MAX || !ext || !res)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(tcb_table); i++) {
                int byte = product == AMD_PRODUCT_TURIN ? tcb_table[i].byte_turin : tcb_table[i].byte_legacy;
                if (byte < 0 || l >= sizeof(diff))
                        continue;
                uint8_t reported = (uint8_t) (reported_tcb >> (8 * byte));
                if (!(ext->present & tcb_table[i].flag)) {
                        l += snprintf(diff + l, sizeof(diff) - l, "%s%s: VEK lacks it", l ? ", " : "",
                                      tcb_table[i].name);
                        continue;
                }
                uint8_t vek = *((const uint8_t *) ext + tcb_table[i].offset);
                if (vek != reported)
                        l += snprintf(diff + l, sizeof(diff) - l, "%s%s: reported %u, VEK %u", l ? ", " : "",
                                      tcb_table[i].name, reported, vek);
        }
        if (l > 0)
                return attest_checks_add(res, "tcb.reported", -EKEYREJECTED,
                                         "REPORTED_TCB differs from the VEK: %s", diff);
        return attest_checks_add(res, "tcb.reported", 0,
                                 "REPORTED_TCB 0x%016llx matches the VEK (%s layout)",
                                 (unsigned long long) reported_tcb, amd_product_to_string(product));
}

int snp_hwid_check(AmdProduct product, const uint8_t *chip_id, const SnpVekExt *ext, AttestChecks *res)
{
        size_t want = product == AMD_PRODUCT_TURIN ? SNP_VERIFY_HWID_TURIN : SNP_VERIFY_CHIP_ID_SIZE;

        if ((int) product < 0 || product >= _AMD_PRODUCT_MAX || !ext || !res)
                return -EINVAL;
        if (!chip_id)
                return attest_checks_add(res, "hwid", 0, "CHIP_ID not compared (masked, or a VLEK)");
        if (!(ext->present & SNP_VEK_EXT_HWID))
                return attest_checks_add(res, "hwid", -EKEYREJECTED, "VCEK has no hwID extension");
        if (ext->hwid_size != want)
                return attest_checks_add(res, "hwid", -EKEYREJECTED, "VCEK hwID has %zu bytes, %s uses %zu",
                                         ext->hwid_size, amd_product_to_string(product), want);
        /* Turin reports fill only CHIP_ID[0..8) (attestation.md §c); the rest must then be zero. */
        for (size_t i = want; i < SNP_VERIFY_CHIP_ID_SIZE; i++)
                if (chip_id[i] != 0)
                        return attest_checks_add(res, "hwid", -EKEYREJECTED,
                                                 "CHIP_ID byte %zu is non-zero on %s", i,
                                                 amd_product_to_string(product));
        if (memcmp(chip_id, ext->hwid, want) != 0)
                return attest_checks_add(res, "hwid", -EKEYREJECTED, "CHIP_ID differs from the VCEK hwID");
        return attest_checks_add(res, "hwid", 0, "CHIP_ID equals the VCEK hwID (%zu bytes)", want);
}

int snp_kds_vcek_url(AmdProduct product, const uint8_t chip_id[static SNP_VERIFY_CHIP_ID_SIZE],
                     uint64_t reported_tcb, char **ret)
{
        size_t n = product == AMD_PRODUCT_TURIN ? SNP_VERIFY_HWID_TURIN : SNP_VERIFY_CHIP_ID_SIZE;
        char hex[2 * SNP_VERIFY_CHIP_ID_SIZE + 1], fmc[16] = "";
        uint8_t bl, tee, snp, ucode;
        bool zero = true;
        int k;

        if ((int) product < 0 || product >= _AMD_PRODUCT_MAX || !chip_id || !ret)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                (void) snprintf(hex + 2 * i, 3, "%02x", chip_id[i]);
                zero = zero && chip_id[i] == 0;
        }
        if (zero)
                return -EINVAL;
        /* TCB_VERSION layouts as in tcb_table. */
        if (product == AMD_PRODUCT_TURIN) {
                (void) snprintf(fmc, sizeof(fmc), "fmcSPL=%u&", (unsigned) (uint8_t) reported_tcb);
                bl = (uint8_t) (reported_tcb >> 8);
                tee = (uint8_t) (reported_tcb >> 16);
                snp = (uint8_t) (reported_tcb >> 24);
        } else {
                bl = (uint8_t) reported_tcb;
                tee = (uint8_t) (reported_tcb >> 8);
                snp = (uint8_t) (reported_tcb >> 48);
        }
        ucode = (uint8_t) (reported_tcb >> 56);
        k = asprintf(ret, "https://kdsintf.amd.com/vcek/v1/%s/%s?%sblSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
                     amd_product_to_string(product), hex, fmc, bl, tee, snp, ucode);
        if (k < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int snp_report_signature_verify(const uint8_t *report, size_t size, X509 *vek, AttestChecks *res)
{
        static const uint8_t zero[SNP_VERIFY_SIG_COMPONENT - 48] = {};
        const uint8_t *r_le, *s_le;
        unsigned char *der = NULL;
        int der_len, ok;

        if (!report || !vek || !res)
                return -EINVAL;
        if (size < SNP_VERIFY_REPORT_SIZE)
                return attest_checks_add(res, "signature", -EBADMSG, "report is %zu bytes, shorter than %u",
                                         size, SNP_VERIFY_REPORT_SIZE);
        r_le = report + SNP_VERIFY_SIG_OFFSET;
        s_le = r_le + SNP_VERIFY_SIG_COMPONENT;
        /* P-384 scalars fill 48 of the 72 bytes; the upper 24 are zero (attestation.md §c). */
        if (memcmp(r_le + 48, zero, sizeof(zero)) != 0 || memcmp(s_le + 48, zero, sizeof(zero)) != 0)
                return attest_checks_add(res, "signature", -EKEYREJECTED,
                                         "signature R or S exceeds 384 bits");

        EVP_PKEY *key = X509_get0_pubkey(vek);
        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
                return attest_checks_add(res, "signature", -EKEYREJECTED, "VEK key is not EC");

        _cleanup_(BN_freep) BIGNUM *r = BN_lebin2bn(r_le, SNP_VERIFY_SIG_COMPONENT, NULL);
        _cleanup_(BN_freep) BIGNUM *s = BN_lebin2bn(s_le, SNP_VERIFY_SIG_COMPONENT, NULL);
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = ECDSA_SIG_new();
        if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1)
                return -ENOMEM;
        r = s = NULL; /* owned by sig now */
        der_len = i2d_ECDSA_SIG(sig, &der);
        if (der_len <= 0)
                return -ENOMEM;

        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx) {
                OPENSSL_free(der);
                return -ENOMEM;
        }
        ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, key) == 1 &&
             EVP_DigestVerify(ctx, der, der_len, report, SNP_VERIFY_SIGNED_SIZE) == 1;
        OPENSSL_free(der);
        if (!ok) {
                ERR_clear_error();
                return attest_checks_add(res, "signature", -EKEYREJECTED,
                                         "ECDSA P-384 signature over bytes 0x000..0x29F does not verify");
        }
        return attest_checks_add(res, "signature", 0, "ECDSA P-384 SHA-384 signature verifies with the VEK");
}

int snp_verify(const SnpVerifyInput *in, AttestChecks *res)
{
        _cleanup_free_ char *err = NULL;
        SnpVekExt ext;
        int r, first;

        if (!in || !res || !in->report || !in->vek)
                return -EINVAL;

        first = snp_chain_verify(in->product, in->vek_type, in->ark, in->ask, in->vek, in->at, res);
        if (first == -ENOMEM || first == -EINVAL)
                return first;

        r = snp_vek_ext_parse(in->vek, &ext, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                r = attest_checks_add(res, "vek.extensions", r, "%s", err);
                return first ?: r;
        }
        r = attest_checks_add(res, "vek.extensions", 0, "structVersion %u, productName '%s'",
                              ext.struct_version, ext.product_name);
        if (r < 0)
                return r;

        /* The VEK's product line must be the one whose roots were used and whose TCB layout decodes. */
        if (amd_product_from_string(ext.product_name) != in->product)
                r = attest_checks_add(res, "vek.product", -EKEYREJECTED, "VEK productName '%s' is not %s",
                                      ext.product_name, amd_product_to_string(in->product));
        else
                r = attest_checks_add(res, "vek.product", 0, "VEK productName '%s'", ext.product_name);
        if (r == -ENOMEM)
                return r;
        first = first ?: r;

        r = snp_tcb_check(in->product, in->reported_tcb, &ext, res);
        if (r == -ENOMEM)
                return r;
        first = first ?: r;

        if (in->vek_type == SNP_VEK_VCEK) {
                r = snp_hwid_check(in->product, in->chip_id, &ext, res);
                if (r == -ENOMEM)
                        return r;
                first = first ?: r;
        }

        r = snp_report_signature_verify(in->report, in->report_size, in->vek, res);
        if (r == -ENOMEM)
                return r;
        return first ?: r;
}
