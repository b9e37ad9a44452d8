/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/openssl-util.h"
#include "attest/pck-ext.h"

/* Enough for "1.2.840.113741.1.13.1.2.18" and for any OID an attacker could make us print. */
#define OID_TEXT_MAX 128

static int fail(char **reterr_detail, const char *fmt, ...) _printf_(2, 3);

static int fail(char **reterr_detail, const char *fmt, ...)
{
        if (reterr_detail) {
                va_list ap;
                char *s;
                va_start(ap, fmt);
                if (vasprintf(&s, fmt, ap) < 0)
                        s = NULL;
                va_end(ap);
                free(*reterr_detail);
                *reterr_detail = s;
        }
        (void) openssl_error(0, "PCK extension");
        return -EBADMSG;
}

/* d2i of a whole SEQUENCE of anything; every byte must be consumed. */
static Asn1TypeStack *seq_parse(const uint8_t *p, size_t size)
{
        const unsigned char *q = p;
        if (size == 0 || size > PCK_EXT_MAX)
                return NULL;
        Asn1TypeStack *sk = d2i_ASN1_SEQUENCE_ANY(NULL, &q, (long) size);
        if (sk && (size_t) (q - p) != size) {
                sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
                return NULL;
        }
        return sk;
}

/* One {OID, value} entry: the sub-OID as dotted text relative to `prefix` ("4" for FMSPC). */
static int entry_split(const ASN1_TYPE *t, const char *prefix, char suffix[static OID_TEXT_MAX],
                       Asn1TypeStack **ret_pair, const ASN1_TYPE **ret_value, char **reterr_detail)
{
        if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
                return fail(reterr_detail, "entry under %s is not a SEQUENCE", prefix);
        const ASN1_STRING *s = t->value.sequence;
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *pair =
                seq_parse(ASN1_STRING_get0_data(s), (size_t) ASN1_STRING_length(s));
        if (!pair || sk_ASN1_TYPE_num(pair) != 2 ||
            ASN1_TYPE_get(sk_ASN1_TYPE_value(pair, 0)) != V_ASN1_OBJECT)
                return fail(reterr_detail, "entry under %s is not {OID, value}", prefix);

        char text[OID_TEXT_MAX];
        int n = OBJ_obj2txt(text, sizeof(text), sk_ASN1_TYPE_value(pair, 0)->value.object, 1);
        if (n <= 0 || (size_t) n >= sizeof(text))
                return fail(reterr_detail, "entry under %s has an unreadable OID", prefix);
        const char *rest = startswith(text, prefix);
        if (!rest || *rest != '.' || isempty(rest + 1))
                return fail(reterr_detail, "entry %s is not under %s", text, prefix);
        strcpy(suffix, rest + 1);
        *ret_value = sk_ASN1_TYPE_value(pair, 1);
        *ret_pair = TAKE_PTR(pair);
        return 0;
}

static int get_octets(const ASN1_TYPE *v, size_t n, uint8_t *ret, const char *name, char **reterr_detail)
{
        if (ASN1_TYPE_get(v) != V_ASN1_OCTET_STRING ||
            (size_t) ASN1_STRING_length(v->value.octet_string) != n)
                return fail(reterr_detail, "%s.%s: expected an OCTET STRING of %zu bytes",
                            PCK_SGX_EXTENSION_OID, name, n);
        memcpy(ret, ASN1_STRING_get0_data(v->value.octet_string), n);
        return 0;
}

static int get_int(const ASN1_TYPE *v, int type, int64_t max, int64_t *ret, const char *name,
                   char **reterr_detail)
{
        int64_t x;
        int ok = 0;

        if (ASN1_TYPE_get(v) == type && type == V_ASN1_INTEGER)
                ok = ASN1_INTEGER_get_int64(&x, v->value.integer);
        else if (ASN1_TYPE_get(v) == type && type == V_ASN1_ENUMERATED)
                ok = ASN1_ENUMERATED_get_int64(&x, v->value.enumerated);
        if (ok != 1 || x < 0 || x > max)
                return fail(reterr_detail, "%s.%s: expected an %s in 0..%lld", PCK_SGX_EXTENSION_OID, name,
                            type == V_ASN1_INTEGER ? "INTEGER" : "ENUMERATED", (long long) max);
        *ret = x;
        return 0;
}

/* .2: TCB, {.2.1 .. .2.16 component SVNs, .2.17 PCESVN, .2.18 CPUSVN}, each exactly once. */
static int parse_tcb(const ASN1_TYPE *v, PckExtension *e, char **reterr_detail)
{
        const char *prefix = PCK_SGX_EXTENSION_OID ".2";
        uint32_t seen = 0;

        if (ASN1_TYPE_get(v) != V_ASN1_SEQUENCE)
                return fail(reterr_detail, "%s: expected a SEQUENCE", prefix);
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *sk = seq_parse(
                ASN1_STRING_get0_data(v->value.sequence), (size_t) ASN1_STRING_length(v->value.sequence));
        if (!sk)
                return fail(reterr_detail, "%s: malformed SEQUENCE", prefix);

        for (int i = 0; i < sk_ASN1_TYPE_num(sk); i++) {
                _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *pair = NULL;
                const ASN1_TYPE *val;
                char suffix[OID_TEXT_MAX], name[OID_TEXT_MAX + 4];
                int r = entry_split(sk_ASN1_TYPE_value(sk, i), prefix, suffix, &pair, &val, reterr_detail);
                if (r < 0)
                        return r;
                snprintf(name, sizeof(name), "2.%s", suffix);

                char *end;
                unsigned long k = strtoul(suffix, &end, 10);
                if (*end || k < 1 || k > 18)
                        continue; /* a future TCB part */
                if (seen & (1U << k))
                        return fail(reterr_detail, "%s.%s: appears twice", PCK_SGX_EXTENSION_OID, name);
                seen |= 1U << k;

                int64_t x;
                if (k <= 16) {
                        r = get_int(val, V_ASN1_INTEGER, 255, &x, name, reterr_detail);
                        if (r < 0)
                                return r;
                        e->sgx_tcb_svn[k - 1] = (uint8_t) x;
                } else if (k == 17) {
                        r = get_int(val, V_ASN1_INTEGER, 65535, &x, name, reterr_detail);
                        if (r < 0)
                                return r;
                        e->pcesvn = (uint16_t) x;
                } else {
                        r = get_octets(val, sizeof(e->cpusvn), e->cpusvn, name, reterr_detail);
                        if (r < 0)
                                return r;
                }
        }
        for (unsigned k = 1; k <= 18; k++)
                if (!(seen & (1U << k)))
                        return fail(reterr_detail, "%s.2.%u: missing", PCK_SGX_EXTENSION_OID, k);
        return 0;
}

static int parse_bool(const ASN1_TYPE *v, bool *ret, const char *name, char **reterr_detail)
{
        if (ASN1_TYPE_get(v) != V_ASN1_BOOLEAN)
                return fail(reterr_detail, "%s.%s: expected a BOOLEAN", PCK_SGX_EXTENSION_OID, name);
        *ret = v->value.boolean != 0;
        return 0;
}

/* .7: Configuration {.7.1 dynamicPlatform, .7.2 cachedKeys, .7.3 SMTEnabled}, each optional. */
static int parse_configuration(const ASN1_TYPE *v, PckExtension *e, char **reterr_detail)
{
        const char *prefix = PCK_SGX_EXTENSION_OID ".7";

        if (ASN1_TYPE_get(v) != V_ASN1_SEQUENCE)
                return fail(reterr_detail, "%s: expected a SEQUENCE", prefix);
        const ASN1_STRING *s = v->value.sequence;
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *sk = NULL;
        /* An empty SEQUENCE is two bytes 30 00, which d2i turns into an empty stack. */
        sk = seq_parse(ASN1_STRING_get0_data(s), (size_t) ASN1_STRING_length(s));
        if (!sk)
                return fail(reterr_detail, "%s: malformed SEQUENCE", prefix);

        for (int i = 0; i < sk_ASN1_TYPE_num(sk); i++) {
                _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *pair = NULL;
                const ASN1_TYPE *val;
                char suffix[OID_TEXT_MAX], name[OID_TEXT_MAX + 4];
                int r = entry_split(sk_ASN1_TYPE_value(sk, i), prefix, suffix, &pair, &val, reterr_detail);
                if (r < 0)
                        return r;
                snprintf(name, sizeof(name), "7.%s", suffix);
                bool *has, *value;
                if (streq(suffix, "1"))
                        has = &e->has_dynamic_platform, value = &e->dynamic_platform;
                else if (streq(suffix, "2"))
                        has = &e->has_cached_keys, value = &e->cached_keys;
                else if (streq(suffix, "3"))
                        has = &e->has_smt_enabled, value = &e->smt_enabled;
                else
                        continue;
                if (*has)
                        return fail(reterr_detail, "%s.%s: appears twice", PCK_SGX_EXTENSION_OID, name);
                r = parse_bool(val, value, name, reterr_detail);
                if (r < 0)
                        return r;
                *has = true;
        }
        return 0;
}

int pck_ext_parse(const uint8_t *der, size_t size, PckExtension *ret, char **reterr_detail)
{
        const char *prefix = PCK_SGX_EXTENSION_OID;
        PckExtension e = { .sgx_type = -1 };
        bool seen[8] = {};

        if (size > PCK_EXT_MAX)
                return -E2BIG;
        _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *sk = seq_parse(der, size);
        if (!sk)
                return fail(reterr_detail, "%s: not a DER SEQUENCE", prefix);

        for (int i = 0; i < sk_ASN1_TYPE_num(sk); i++) {
                _cleanup_(sk_ASN1_TYPE_pop_freep) Asn1TypeStack *pair = NULL;
                const ASN1_TYPE *val;
                char suffix[OID_TEXT_MAX];
                int r = entry_split(sk_ASN1_TYPE_value(sk, i), prefix, suffix, &pair, &val, reterr_detail);
                if (r < 0)
                        return r;

                char *end;
                unsigned long k = strtoul(suffix, &end, 10);
                if (*end || k < 1 || k > 7)
                        continue;
                if (seen[k])
                        return fail(reterr_detail, "%s.%s: appears twice", prefix, suffix);
                seen[k] = true;

                int64_t x;
                switch (k) {
                case 1:
                        r = get_octets(val, sizeof(e.ppid), e.ppid, suffix, reterr_detail);
                        break;
                case 2:
                        r = parse_tcb(val, &e, reterr_detail);
                        break;
                case 3:
                        r = get_octets(val, sizeof(e.pce_id), e.pce_id, suffix, reterr_detail);
                        break;
                case 4:
                        r = get_octets(val, sizeof(e.fmspc), e.fmspc, suffix, reterr_detail);
                        break;
                case 5:
                        r = get_int(val, V_ASN1_ENUMERATED, INT32_MAX, &x, suffix, reterr_detail);
                        e.sgx_type = (int) x;
                        break;
                case 6:
                        r = get_octets(val, sizeof(e.platform_instance_id), e.platform_instance_id, suffix,
                                       reterr_detail);
                        e.has_platform_instance_id = true;
                        break;
                default:
                        r = parse_configuration(val, &e, reterr_detail);
                        e.has_configuration = true;
                        break;
                }
                if (r < 0)
                        return r;
        }

        static const char *const mandatory[] = {
                [1] = "PPID", [2] = "TCB", [3] = "PCE-ID", [4] = "FMSPC", [5] = "SGX Type"
        };
        for (size_t k = 1; k <= 5; k++)
                if (!seen[k])
                        return fail(reterr_detail, "%s.%zu (%s): missing", prefix, k, mandatory[k]);
        *ret = e;
        return 0;
}

int pck_ext_from_cert(X509 *cert, PckExtension *ret, char **reterr_detail)
{
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *oid = OBJ_txt2obj(PCK_SGX_EXTENSION_OID, 1);
        PckExtension e;

        if (!oid)
                return -ENOMEM;
        int i = X509_get_ext_by_OBJ(cert, oid, -1);
        if (i < 0) {
                if (reterr_detail)
                        *reterr_detail = strdup("certificate has no SGX extension " PCK_SGX_EXTENSION_OID);
                return -ENOENT;
        }
        if (X509_get_ext_by_OBJ(cert, oid, i) >= 0)
                return fail(reterr_detail, "%s: the certificate carries it twice", PCK_SGX_EXTENSION_OID);
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(cert, i));
        int r = pck_ext_parse(ASN1_STRING_get0_data(v), (size_t) ASN1_STRING_length(v), &e, reterr_detail);
        if (r < 0)
                return r;

        _cleanup_free_ char *issuer_cn = NULL;
        {
                const X509_NAME *n = X509_get_issuer_name(cert);
                int j = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
                if (j >= 0) {
                        unsigned char *u = NULL;
                        int l = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, j)));
                        if (l >= 0)
                                issuer_cn = strndup((const char *) u, (size_t) l);
                        OPENSSL_free(u);
                }
        }
        if (issuer_cn && strstr(issuer_cn, "Platform CA") &&
            (!e.has_platform_instance_id || !e.has_configuration))
                return fail(reterr_detail, "%s.%s: missing in a certificate issued by '%s'",
                            PCK_SGX_EXTENSION_OID,
                            e.has_platform_instance_id ? "7 (Configuration)" : "6 (PlatformInstanceID)",
                            issuer_cn);
        *ret = e;
        return 0;
}
