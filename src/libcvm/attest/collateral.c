/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/stat.h>

#include "attest/collateral.h"
#include "attest/openssl-util.h"
#include "fileio.h"
#include "hexbase64.h"
#include "json-util.h"
#include "string-table.h"

static const char *const tcb_status_table[_TCB_STATUS_MAX] = {
        [TCB_STATUS_UP_TO_DATE] = "UpToDate",
        [TCB_STATUS_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
        [TCB_STATUS_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
        [TCB_STATUS_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
        [TCB_STATUS_OUT_OF_DATE] = "OutOfDate",
        [TCB_STATUS_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
        [TCB_STATUS_REVOKED] = "Revoked",
        [TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED] = "TcbLevelNotSupported",
};
static_assert(ELEMENTSOF(tcb_status_table) == _TCB_STATUS_MAX, "tcb_status_table");
DEFINE_STRING_TABLE_LOOKUP(tcb_status, TcbStatus);

static const char *const collateral_part_table[_COLLATERAL_PART_MAX] = {
        [COLLATERAL_TCB_INFO] = "tcb_info",
        [COLLATERAL_TCB_INFO_ISSUER_CHAIN] = "tcb_info_issuer_chain",
        [COLLATERAL_QE_IDENTITY] = "qe_identity",
        [COLLATERAL_QE_IDENTITY_ISSUER_CHAIN] = "qe_identity_issuer_chain",
        [COLLATERAL_PCK_CRL] = "pck_crl",
        [COLLATERAL_PCK_CRL_ISSUER_CHAIN] = "pck_crl_issuer_chain",
        [COLLATERAL_ROOT_CA_CRL] = "root_ca_crl",
};
static_assert(ELEMENTSOF(collateral_part_table) == _COLLATERAL_PART_MAX, "collateral_part_table");
DEFINE_STRING_TABLE_LOOKUP(collateral_part, CollateralPart);

const char *const collateral_dir_files[_COLLATERAL_PART_MAX] = {
        [COLLATERAL_TCB_INFO] = "tcb_info.json",
        [COLLATERAL_TCB_INFO_ISSUER_CHAIN] = "tcb_info_issuer_chain.pem",
        [COLLATERAL_QE_IDENTITY] = "qe_identity.json",
        [COLLATERAL_QE_IDENTITY_ISSUER_CHAIN] = "qe_identity_issuer_chain.pem",
        [COLLATERAL_PCK_CRL] = "pck_crl.der",
        [COLLATERAL_PCK_CRL_ISSUER_CHAIN] = "pck_crl_issuer_chain.pem",
        [COLLATERAL_ROOT_CA_CRL] = "root_ca_crl.der",
};

static void signed_json_done(SignedJson *s)
{
        free(s->text);
        *s = (SignedJson){};
}

void collateral_done(Collateral *c)
{
        if (!c)
                return;
        signed_json_done(&c->tcb_info);
        signed_json_done(&c->qe_identity);
        sk_X509_pop_freep(&c->tcb_info_chain);
        sk_X509_pop_freep(&c->qe_identity_chain);
        sk_X509_pop_freep(&c->pck_crl_chain);
        X509_CRL_freep(&c->pck_crl);
        X509_CRL_freep(&c->root_ca_crl);
        *c = (Collateral){};
}

/* ---- the raw scanner ---------------------------------------------------------------------------- */

/*
 * A bounded JSON scanner that only finds where values begin and end in the original text; json-c has
 * already validated the text, so this needs to be right only for valid JSON, and must merely stay in
 * bounds for anything else.
 */
static size_t skip_ws(const char *t, size_t n, size_t i)
{
        while (i < n && strchr(" \t\r\n", t[i]) && t[i])
                i++;
        return i;
}

/* i at a '"': returns the index after the closing quote, or SIZE_MAX. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
        if (i >= n || t[i] != '"')
                return SIZE_MAX;
        for (i++; i < n; i++) {
                if (t[i] == '\\')
                        i++;
                else if (t[i] == '"')
                        return i + 1;
        }
        return SIZE_MAX;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
        size_t depth = 0;

        i = skip_ws(t, n, i);
        if (i >= n)
                return SIZE_MAX;
        if (t[i] != '{' && t[i] != '[') {
                if (t[i] == '"')
                        return skip_string(t, n, i);
                /* number, true, false, null */
                while (i < n && !strchr(",}] \t\r\n", t[i]) && t[i])
                        i++;
                return i;
        }
        for (; i < n; i++) {
                if (t[i] == '"') {
                        i = skip_string(t, n, i);
                        if (i == SIZE_MAX)
                                return SIZE_MAX;
                        i--;
                } else if (t[i] == '{' || t[i] == '[') {
                        if (++depth > COLLATERAL_JSON_DEPTH)
                                return SIZE_MAX;
                } else if (t[i] == '}' || t[i] == ']') {
                        if (--depth == 0)
                                return i + 1;
                }
        }
        return SIZE_MAX;
}

int pcs_body_split(const char *text, size_t size, const char *key, const char **ret_value,
                   size_t *ret_value_size, uint8_t ret_signature[static 64])
{
        _cleanup_(json_object_putp) json_object *body = NULL;
        const char *value = NULL;
        size_t value_size = 0;
        int r;

        if (size > COLLATERAL_JSON_MAX)
                return -E2BIG;
        r = json_parse_strict(text, size, COLLATERAL_JSON_DEPTH, &body);
        if (r < 0)
                return r;
        const char *sig = json_get_string(body, "signature");
        if (!json_get(body, key, json_type_object) || !sig || strlen(sig) != 128)
                return -EBADMSG;

        size_t i = skip_ws(text, size, 0);
        if (i >= size || text[i] != '{')
                return -EBADMSG;
        i++;
        for (;;) {
                i = skip_ws(text, size, i);
                size_t k = i;
                i = skip_string(text, size, i);
                if (i == SIZE_MAX)
                        return -EBADMSG;
                bool match = i - k - 2 == strlen(key) && memcmp(text + k + 1, key, i - k - 2) == 0;
                i = skip_ws(text, size, i);
                if (i >= size || text[i] != ':')
                        return -EBADMSG;
                size_t v = skip_ws(text, size, i + 1);
                i = skip_value(text, size, v);
                if (i == SIZE_MAX)
                        return -EBADMSG;
                if (match) {
                        /* json-c keeps the last of duplicate keys; refuse the ambiguity. */
                        if (value)
                                return -EBADMSG;
                        value = text + v;
                        value_size = i - v;
                }
                i = skip_ws(text, size, i);
                if (i < size && text[i] == ',') {
                        i++;
                        continue;
                }
                if (i < size && text[i] == '}')
                        break;
                return -EBADMSG;
        }
        if (!value || value[0] != '{')
                return -EBADMSG;

        _cleanup_free_ uint8_t *b = NULL;
        size_t l;
        if (hex_decode(sig, 128, &b, &l) < 0 || l != 64)
                return -EBADMSG;
        memcpy(ret_signature, b, 64);
        *ret_value = value;
        *ret_value_size = value_size;
        return 0;
}

int signed_json_verify(const char *text, size_t size, const uint8_t signature[static 64], X509 *signer)
{
        if (!signer || x509_require_p256(signer) < 0)
                return -EKEYREJECTED;
        return ecdsa_p256_sha256_verify(X509_get0_pubkey(signer), signature, text, size);
}

/* ---- loading ------------------------------------------------------------------------------------- */

static int signed_json_from(const char *text, size_t size, const char *sig_hex, SignedJson *ret)
{
        _cleanup_free_ uint8_t *b = NULL;
        size_t l;

        if (!sig_hex || strlen(sig_hex) != 128 || hex_decode(sig_hex, 128, &b, &l) < 0 || l != 64)
                return -EBADMSG;
        char *t = strndup(text, size);
        if (!t)
                return -ENOMEM;
        ret->text = t;
        ret->size = size;
        memcpy(ret->signature, b, 64);
        return 0;
}

/* A part given as the text of a PCS body {"tcbInfo":…,"signature":…}. */
static int signed_json_from_body(const char *text, size_t size, const char *key, SignedJson *ret)
{
        const char *v;
        size_t l;
        uint8_t sig[64];

        int r = pcs_body_split(text, size, key, &v, &l, sig);
        if (r < 0)
                return r;
        char *t = strndup(v, l);
        if (!t)
                return -ENOMEM;
        ret->text = t;
        ret->size = l;
        memcpy(ret->signature, sig, 64);
        return 0;
}

static int crl_from_hex_or_pem(const char *s, size_t l, X509_CRL **ret)
{
        if (memmem(s, l, "-----BEGIN", 10))
                return x509_crl_load(s, l, ret);
        _cleanup_free_ uint8_t *b = NULL;
        size_t n;
        if (hex_decode(s, l, &b, &n) < 0)
                return -EBADMSG;
        return x509_crl_load(b, n, ret);
}

int collateral_load_json(const char *text, size_t size, Collateral *ret, char **reterr_detail)
{
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(collateral_done) Collateral c = {};
        int r;

        if (size > COLLATERAL_JSON_MAX)
                return -E2BIG;
        r = json_parse_strict(text, size, COLLATERAL_JSON_DEPTH, &o);
        if (r < 0) {
                detail_set(reterr_detail, "collateral bundle is not valid JSON");
                return r;
        }
        if (!json_object_is_type(o, json_type_object)) {
                detail_set(reterr_detail, "collateral bundle is not a JSON object");
                return -EBADMSG;
        }

        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                const char *key = collateral_part_to_string(p);
                json_object *v;
                if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                        continue;
                if (!json_object_is_type(v, json_type_string)) {
                        detail_set(reterr_detail, "collateral bundle: \"%s\" is not a string", key);
                        return -EBADMSG;
                }
                const char *s = json_object_get_string(v);
                size_t l = (size_t) json_object_get_string_len(v);

                switch (p) {
                case COLLATERAL_TCB_INFO:
                        r = signed_json_from(s, l, json_get_string(o, "tcb_info_signature"), &c.tcb_info);
                        break;
                case COLLATERAL_QE_IDENTITY:
                        r = signed_json_from(s, l, json_get_string(o, "qe_identity_signature"),
                                             &c.qe_identity);
                        break;
                case COLLATERAL_TCB_INFO_ISSUER_CHAIN:
                        r = x509_bundle_load(s, l, &c.tcb_info_chain);
                        break;
                case COLLATERAL_QE_IDENTITY_ISSUER_CHAIN:
                        r = x509_bundle_load(s, l, &c.qe_identity_chain);
                        break;
                case COLLATERAL_PCK_CRL_ISSUER_CHAIN:
                        r = x509_bundle_load(s, l, &c.pck_crl_chain);
                        break;
                case COLLATERAL_PCK_CRL:
                        r = crl_from_hex_or_pem(s, l, &c.pck_crl);
                        break;
                default:
                        r = crl_from_hex_or_pem(s, l, &c.root_ca_crl);
                        break;
                }
                if (r < 0) {
                        detail_set(reterr_detail, "collateral bundle: \"%s\" is malformed", key);
                        return r;
                }
                c.present[p] = true;
        }
        *ret = c;
        c = (Collateral){};
        return 0;
}

static int read_part(const char *dir, const char *name, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return read_full_file(p, COLLATERAL_JSON_MAX, ret, ret_size);
}

int collateral_load_dir(const char *dir, Collateral *ret, char **reterr_detail)
{
        _cleanup_(collateral_done) Collateral c = {};
        int r;

        for (CollateralPart p = 0; p < _COLLATERAL_PART_MAX; p++) {
                _cleanup_free_ char *data = NULL;
                const char *name = collateral_dir_files[p];
                size_t size;

                r = read_part(dir, name, &data, &size);
                if (r == -ENOENT && (p == COLLATERAL_PCK_CRL || p == COLLATERAL_ROOT_CA_CRL)) {
                        /* PCS serves CRLs as DER or PEM (confidential-computing.tee.dcap#161). */
                        name = p == COLLATERAL_PCK_CRL ? "pck_crl.pem" : "root_ca_crl.pem";
                        r = read_part(dir, name, &data, &size);
                }
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        detail_set(reterr_detail, "%s/%s: cannot be read", dir, name);
                        return r;
                }
                switch (p) {
                case COLLATERAL_TCB_INFO:
                        r = signed_json_from_body(data, size, "tcbInfo", &c.tcb_info);
                        break;
                case COLLATERAL_QE_IDENTITY:
                        r = signed_json_from_body(data, size, "enclaveIdentity", &c.qe_identity);
                        break;
                case COLLATERAL_TCB_INFO_ISSUER_CHAIN:
                        r = x509_bundle_load(data, size, &c.tcb_info_chain);
                        break;
                case COLLATERAL_QE_IDENTITY_ISSUER_CHAIN:
                        r = x509_bundle_load(data, size, &c.qe_identity_chain);
                        break;
                case COLLATERAL_PCK_CRL_ISSUER_CHAIN:
                        r = x509_bundle_load(data, size, &c.pck_crl_chain);
                        break;
                case COLLATERAL_PCK_CRL:
                        r = x509_crl_load(data, size, &c.pck_crl);
                        break;
                default:
                        r = x509_crl_load(data, size, &c.root_ca_crl);
                        break;
                }
                if (r < 0) {
                        detail_set(reterr_detail, "%s/%s: malformed", dir, name);
                        return r;
                }
                c.present[p] = true;
        }
        *ret = c;
        c = (Collateral){};
        return 0;
}

int collateral_load(const char *path, Collateral *ret, char **reterr_detail)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return collateral_load_dir(path, ret, reterr_detail);

        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_full_file(path, COLLATERAL_JSON_MAX, &data, &size);
        if (r < 0)
                return r;
        return collateral_load_json(data, size, ret, reterr_detail);
}

/* ---- TCB info v3 and QE identity v2 ------------------------------------------------------------- */

/* Field errors name the JSON path; every helper writes its output only on success. */
static int field_fail(char **reterr_detail, const char *what, const char *path, const char *why)
{
        detail_set(reterr_detail, "%s: \"%s\" %s", what, path, why);
        return -EBADMSG;
}

static int get_uint(json_object *o, const char *key, uint64_t max, uint64_t *ret)
{
        json_object *v = json_get(o, key, json_type_int);
        if (!v)
                return -EBADMSG;
        int64_t x = json_object_get_int64(v);
        if (x < 0 || (uint64_t) x > max)
                return -EBADMSG;
        *ret = (uint64_t) x;
        return 0;
}

static int get_hex(json_object *o, const char *key, size_t n, uint8_t *ret)
{
        const char *s = json_get_string(o, key);
        _cleanup_free_ uint8_t *b = NULL;
        size_t l;
        if (!s || strlen(s) != 2 * n || hex_decode(s, 2 * n, &b, &l) < 0 || l != n)
                return -EBADMSG;
        memcpy(ret, b, n);
        return 0;
}

static int get_date(json_object *o, const char *key, time_t *ret)
{
        return rfc3339_parse(json_get_string(o, key), ret) < 0 ? -EBADMSG : 0;
}

static void strv_free_n(char **l, size_t n)
{
        for (size_t i = 0; l && i < n; i++)
                free(l[i]);
        free(l);
}

/* "advisoryIDs": optional array of strings. */
static int get_advisories(json_object *o, char ***ret, size_t *ret_n)
{
        json_object *a;
        if (!json_object_object_get_ex(o, "advisoryIDs", &a)) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        size_t n = json_object_array_length(a);
        if (n > TCB_ADVISORIES_MAX)
                return -E2BIG;
        char **l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(a, i);
                if (!json_object_is_type(s, json_type_string) ||
                    !(l[i] = strdup(json_object_get_string(s)))) {
                        strv_free_n(l, n);
                        return json_object_is_type(s, json_type_string) ? -ENOMEM : -EBADMSG;
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* tcbStatus of a level: one of the seven strings Intel defines; allowed_max limits module/QE levels. */
static int get_status(json_object *o, TcbStatus *ret)
{
        TcbStatus s = tcb_status_from_string(json_get_string(o, "tcbStatus"));
        if (s < 0 || s == TCB_STATUS_TCB_LEVEL_NOT_SUPPORTED)
                return -EBADMSG;
        *ret = s;
        return 0;
}

static void isv_levels_free(IsvLevel *l, size_t n)
{
        for (size_t i = 0; l && i < n; i++)
                strv_free_n(l[i].advisory_ids, l[i].n_advisory_ids);
        free(l);
}

static int isv_cmp(const void *a, const void *b)
{
        const IsvLevel *x = a, *y = b;
        return (int) y->isvsvn - (int) x->isvsvn;
}

/* "tcbLevels": [{"tcb":{"isvsvn":N},"tcbDate":…,"tcbStatus":…,"advisoryIDs":[…]?}] */
static int parse_isv_levels(json_object *o, const char *what, IsvLevel **ret, size_t *ret_n,
                            char **reterr_detail)
{
        json_object *a = json_get(o, "tcbLevels", json_type_array);
        if (!a || json_object_array_length(a) == 0)
                return field_fail(reterr_detail, what, "tcbLevels", "is missing or empty");
        size_t n = json_object_array_length(a);
        if (n > TCB_LEVELS_MAX)
                return -E2BIG;
        IsvLevel *l = new0(IsvLevel, n);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                uint64_t svn;
                int r;
                if (get_uint(json_get(e, "tcb", json_type_object), "isvsvn", UINT16_MAX, &svn) < 0)
                        r = field_fail(reterr_detail, what, "tcbLevels[].tcb.isvsvn", "is not a u16");
                else if (get_date(e, "tcbDate", &l[i].tcb_date) < 0)
                        r = field_fail(reterr_detail, what, "tcbLevels[].tcbDate", "is not RFC 3339 UTC");
                else if (get_status(e, &l[i].status) < 0)
                        r = field_fail(reterr_detail, what, "tcbLevels[].tcbStatus", "is not a TCB status");
                else {
                        r = get_advisories(e, &l[i].advisory_ids, &l[i].n_advisory_ids);
                        if (r == -EBADMSG)
                                r = field_fail(reterr_detail, what, "tcbLevels[].advisoryIDs",
                                               "is malformed");
                }
                if (r < 0) {
                        isv_levels_free(l, n);
                        return r;
                }
                l[i].isvsvn = (uint16_t) svn;
        }
        /* Highest first, as the checks walk them ([QVL] TdxModuleCheck.cpp, EnclaveReportVerifier.cpp). */
        qsort(l, n, sizeof(IsvLevel), isv_cmp);
        *ret = l;
        *ret_n = n;
        return 0;
}

static void module_identity_done(TdxModuleIdentity *m)
{
        isv_levels_free(m->levels, m->n_levels);
        *m = (TdxModuleIdentity){};
}

static int parse_module(json_object *o, bool with_levels, TdxModuleIdentity *ret, char **reterr_detail)
{
        TdxModuleIdentity m = {};
        const char *what = "tcbInfo.tdxModule";

        if (with_levels) {
                const char *id = json_get_string(o, "id");
                what = "tcbInfo.tdxModuleIdentities[]";
                if (!id || strlen(id) >= sizeof(m.id))
                        return field_fail(reterr_detail, what, "id", "is missing or too long");
                strcpy(m.id, id);
        }
        if (get_hex(o, "mrsigner", sizeof(m.mrsigner), m.mrsigner) < 0)
                return field_fail(reterr_detail, what, "mrsigner", "is not 48 bytes of hex");
        if (get_hex(o, "attributes", sizeof(m.attributes), m.attributes) < 0)
                return field_fail(reterr_detail, what, "attributes", "is not 8 bytes of hex");
        if (get_hex(o, "attributesMask", sizeof(m.attributes_mask), m.attributes_mask) < 0)
                return field_fail(reterr_detail, what, "attributesMask", "is not 8 bytes of hex");
        if (with_levels) {
                int r = parse_isv_levels(o, what, &m.levels, &m.n_levels, reterr_detail);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < m.n_levels; i++)
                        /* [QVL] TdxModuleCheck.cpp accepts only these for a module. */
                        if (m.levels[i].status != TCB_STATUS_UP_TO_DATE &&
                            m.levels[i].status != TCB_STATUS_OUT_OF_DATE &&
                            m.levels[i].status != TCB_STATUS_REVOKED) {
                                module_identity_done(&m);
                                return field_fail(reterr_detail, what, "tcbLevels[].tcbStatus",
                                                  "is not UpToDate, OutOfDate or Revoked");
                        }
        }
        *ret = m;
        return 0;
}

static int parse_components(json_object *tcb, const char *key, uint8_t ret[static TCB_COMPONENTS])
{
        json_object *a = json_get(tcb, key, json_type_array);
        uint8_t v[TCB_COMPONENTS];
        if (!a || json_object_array_length(a) != TCB_COMPONENTS)
                return -EBADMSG;
        for (size_t i = 0; i < TCB_COMPONENTS; i++) {
                uint64_t x;
                if (get_uint(json_object_array_get_idx(a, i), "svn", UINT8_MAX, &x) < 0)
                        return -EBADMSG;
                v[i] = (uint8_t) x;
        }
        memcpy(ret, v, TCB_COMPONENTS);
        return 0;
}

static void tcb_levels_free(TcbLevel *l, size_t n)
{
        for (size_t i = 0; l && i < n; i++)
                strv_free_n(l[i].advisory_ids, l[i].n_advisory_ids);
        free(l);
}

/* QVL keeps levels in a std::set ordered by TcbLevel::operator< and walks it from the greatest: SGX
 * components lexicographically, then PCESVN, then the TDX components ([QVL] TcbLevel.cpp). */
static int tcb_level_cmp(const void *a, const void *b)
{
        const TcbLevel *x = a, *y = b;
        int c = memcmp(y->sgx_svn, x->sgx_svn, TCB_COMPONENTS);
        if (c != 0)
                return c;
        if (x->pcesvn != y->pcesvn)
                return (int) y->pcesvn - (int) x->pcesvn;
        return memcmp(y->tdx_svn, x->tdx_svn, TCB_COMPONENTS);
}

void tcb_info_done(TcbInfo *t)
{
        if (!t)
                return;
        module_identity_done(&t->tdx_module);
        for (size_t i = 0; i < t->n_module_identities; i++)
                module_identity_done(&t->module_identities[i]);
        free(t->module_identities);
        tcb_levels_free(t->levels, t->n_levels);
        *t = (TcbInfo){};
}

/*
 * The members both signed PCS documents open with: id, version, issueDate, nextUpdate. Parses the text and
 * checks them; the caller reads the rest from *ret.
 */
static int signed_body_header(const char *text, size_t size, const char *what, const char *want_id,
                              unsigned want_version, json_object **ret, time_t *ret_issue, time_t *ret_next,
                              char **reterr_detail)
{
        _cleanup_(json_object_putp) json_object *o = NULL;
        char expect[32];
        uint64_t x;
        int r;

        if (size > COLLATERAL_JSON_MAX)
                return -E2BIG;
        r = json_parse_strict(text, size, COLLATERAL_JSON_DEPTH, &o);
        if (r < 0 || !json_object_is_type(o, json_type_object)) {
                detail_set(reterr_detail, "%s is not a JSON object", what);
                return -EBADMSG;
        }
        const char *id = json_get_string(o, "id");
        snprintf(expect, sizeof(expect), "is not \"%s\"", want_id);
        if (!id || !streq(id, want_id))
                return field_fail(reterr_detail, what, "id", expect);
        snprintf(expect, sizeof(expect), "is not %u", want_version);
        if (get_uint(o, "version", UINT32_MAX, &x) < 0 || x != want_version)
                return field_fail(reterr_detail, what, "version", expect);
        if (get_date(o, "issueDate", ret_issue) < 0)
                return field_fail(reterr_detail, what, "issueDate", "is not RFC 3339 UTC");
        if (get_date(o, "nextUpdate", ret_next) < 0)
                return field_fail(reterr_detail, what, "nextUpdate", "is not RFC 3339 UTC");
        *ret = TAKE_PTR(o);
        return 0;
}

int tcb_info_parse(const char *text, size_t size, TcbInfo *ret, char **reterr_detail)
{
        static const char what[] = "tcbInfo";
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(tcb_info_done) TcbInfo t = {};
        uint64_t x;
        int r;

        /* TDX TCB info is version 3 with id "TDX" ([QVL] TcbInfo.cpp; attestation.md b.3 step 5). */
        r = signed_body_header(text, size, what, "TDX", 3, &o, &t.issue_date, &t.next_update, reterr_detail);
        if (r < 0)
                return r;
        strcpy(t.id, "TDX");
        t.version = 3;
        if (get_hex(o, "fmspc", sizeof(t.fmspc), t.fmspc) < 0)
                return field_fail(reterr_detail, what, "fmspc", "is not 6 bytes of hex");
        if (get_hex(o, "pceId", sizeof(t.pce_id), t.pce_id) < 0)
                return field_fail(reterr_detail, what, "pceId", "is not 2 bytes of hex");
        if (get_uint(o, "tcbType", UINT32_MAX, &x) < 0)
                return field_fail(reterr_detail, what, "tcbType", "is not an unsigned integer");
        t.tcb_type = (unsigned) x;
        if (get_uint(o, "tcbEvaluationDataNumber", UINT32_MAX, &x) < 0)
                return field_fail(reterr_detail, what, "tcbEvaluationDataNumber",
                                  "is not an unsigned integer");
        t.tcb_evaluation_data_number = (unsigned) x;

        json_object *m = json_get(o, "tdxModule", json_type_object);
        if (m) {
                r = parse_module(m, false, &t.tdx_module, reterr_detail);
                if (r < 0)
                        return r;
                t.has_tdx_module = true;
        }
        json_object *ids;
        if (json_object_object_get_ex(o, "tdxModuleIdentities", &ids)) {
                if (!json_object_is_type(ids, json_type_array))
                        return field_fail(reterr_detail, what, "tdxModuleIdentities", "is not an array");
                size_t n = json_object_array_length(ids);
                if (n > TDX_MODULE_IDENTITIES_MAX)
                        return -E2BIG;
                t.module_identities = new0(TdxModuleIdentity, n);
                if (!t.module_identities)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        r = parse_module(json_object_array_get_idx(ids, i), true, &t.module_identities[i],
                                         reterr_detail);
                        if (r < 0)
                                return r;
                        t.n_module_identities++;
                }
        }

        json_object *a = json_get(o, "tcbLevels", json_type_array);
        if (!a || json_object_array_length(a) == 0)
                return field_fail(reterr_detail, what, "tcbLevels", "is missing or empty");
        size_t n = json_object_array_length(a);
        if (n > TCB_LEVELS_MAX)
                return -E2BIG;
        t.levels = new0(TcbLevel, n);
        if (!t.levels)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                json_object *tcb = json_get(e, "tcb", json_type_object);
                TcbLevel *l = &t.levels[i];
                t.n_levels++;
                if (parse_components(tcb, "sgxtcbcomponents", l->sgx_svn) < 0)
                        return field_fail(reterr_detail, what, "tcbLevels[].tcb.sgxtcbcomponents",
                                          "is not 16 {\"svn\": u8}");
                if (get_uint(tcb, "pcesvn", UINT16_MAX, &x) < 0)
                        return field_fail(reterr_detail, what, "tcbLevels[].tcb.pcesvn", "is not a u16");
                l->pcesvn = (uint16_t) x;
                if (parse_components(tcb, "tdxtcbcomponents", l->tdx_svn) < 0)
                        return field_fail(reterr_detail, what, "tcbLevels[].tcb.tdxtcbcomponents",
                                          "is not 16 {\"svn\": u8}");
                if (get_date(e, "tcbDate", &l->tcb_date) < 0)
                        return field_fail(reterr_detail, what, "tcbLevels[].tcbDate", "is not RFC 3339 UTC");
                if (get_status(e, &l->status) < 0)
                        return field_fail(reterr_detail, what, "tcbLevels[].tcbStatus",
                                          "is not a TCB status");
                r = get_advisories(e, &l->advisory_ids, &l->n_advisory_ids);
                if (r == -EBADMSG)
                        return field_fail(reterr_detail, what, "tcbLevels[].advisoryIDs", "is malformed");
                if (r < 0)
                        return r;
        }
        qsort(t.levels, t.n_levels, sizeof(TcbLevel), tcb_level_cmp);
        *ret = t;
        t = (TcbInfo){};
        return 0;
}

void qe_identity_done(QeIdentity *q)
{
        if (!q)
                return;
        isv_levels_free(q->levels, q->n_levels);
        *q = (QeIdentity){};
}

int qe_identity_parse(const char *text, size_t size, QeIdentity *ret, char **reterr_detail)
{
        static const char what[] = "enclaveIdentity";
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_(qe_identity_done) QeIdentity q = {};
        uint8_t b4[4];
        uint64_t x;
        int r;

        /* A TDX quote needs the TD_QE identity, version 2 ([QVL] EnclaveIdentityV2.cpp). */
        r = signed_body_header(text, size, what, "TD_QE", 2, &o, &q.issue_date, &q.next_update,
                               reterr_detail);
        if (r < 0)
                return r;
        strcpy(q.id, "TD_QE");
        q.version = 2;
        if (get_uint(o, "tcbEvaluationDataNumber", UINT32_MAX, &x) < 0)
                return field_fail(reterr_detail, what, "tcbEvaluationDataNumber",
                                  "is not an unsigned integer");
        q.tcb_evaluation_data_number = (unsigned) x;
        /* miscselect is written as a big-endian hex number ("0000000F"); the QE report holds it as a
         * little-endian u32, so both are compared as integers. */
        if (get_hex(o, "miscselect", 4, b4) < 0)
                return field_fail(reterr_detail, what, "miscselect", "is not 4 bytes of hex");
        q.miscselect = (uint32_t) b4[0] << 24 | (uint32_t) b4[1] << 16 | (uint32_t) b4[2] << 8 | b4[3];
        if (get_hex(o, "miscselectMask", 4, b4) < 0)
                return field_fail(reterr_detail, what, "miscselectMask", "is not 4 bytes of hex");
        q.miscselect_mask = (uint32_t) b4[0] << 24 | (uint32_t) b4[1] << 16 | (uint32_t) b4[2] << 8 | b4[3];
        if (get_hex(o, "attributes", sizeof(q.attributes), q.attributes) < 0)
                return field_fail(reterr_detail, what, "attributes", "is not 16 bytes of hex");
        if (get_hex(o, "attributesMask", sizeof(q.attributes_mask), q.attributes_mask) < 0)
                return field_fail(reterr_detail, what, "attributesMask", "is not 16 bytes of hex");
        if (get_hex(o, "mrsigner", sizeof(q.mrsigner), q.mrsigner) < 0)
                return field_fail(reterr_detail, what, "mrsigner", "is not 32 bytes of hex");
        if (get_uint(o, "isvprodid", UINT16_MAX, &x) < 0)
                return field_fail(reterr_detail, what, "isvprodid", "is not a u16");
        q.isvprodid = (uint16_t) x;
        r = parse_isv_levels(o, what, &q.levels, &q.n_levels, reterr_detail);
        if (r < 0)
                return r;
        *ret = q;
        q = (QeIdentity){};
        return 0;
}

/* ---- verification -------------------------------------------------------------------------------- */

void collateral_verification_done(CollateralVerification *v)
{
        if (!v)
                return;
        for (size_t i = 0; i < _COLLATERAL_PART_MAX; i++)
                free(v->detail[i]);
        for (size_t i = 0; i < v->n_windows; i++)
                free(v->windows[i].name);
        free(v->windows);
        tcb_info_done(&v->tcb_info);
        qe_identity_done(&v->qe_identity);
        *v = (CollateralVerification){};
}

static int part_fail(CollateralVerification *v, CollateralPart p, int error, char *detail)
{
        /* The first problem of a part is the one reported. */
        if (v->error[p] == 0) {
                v->error[p] = error;
                v->detail[p] = detail;
        } else
                free(detail);
        return error;
}

static bool window_known(const CollateralVerification *v, const X509Window *w)
{
        for (size_t i = 0; i < v->n_windows; i++)
                if (v->windows[i].is_crl == w->is_crl && v->windows[i].not_before == w->not_before &&
                    v->windows[i].not_after == w->not_after && streq(v->windows[i].name, w->name))
                        return true;
        return false;
}

/* Moves a chain's windows over, once each: the root and the root CRL appear in every chain. */
static int windows_take(CollateralVerification *v, X509ChainResult *res)
{
        X509Window *w = reallocarray(v->windows, v->n_windows + res->n_windows, sizeof(X509Window));
        if (!w)
                return -ENOMEM;
        v->windows = w;
        for (size_t i = 0; i < res->n_windows; i++) {
                if (window_known(v, &res->windows[i]))
                        continue;
                w[v->n_windows++] = res->windows[i];
                res->windows[i].name = NULL;
        }
        return 0;
}

static int window_add(CollateralVerification *v, const char *name, bool is_crl, time_t from, time_t to)
{
        char *n = strdup(name);
        X509Window *w = reallocarray(v->windows, v->n_windows + 1, sizeof(X509Window));
        if (!n || !w) {
                free(n);
                if (w)
                        v->windows = w;
                return -ENOMEM;
        }
        v->windows = w;
        w[v->n_windows++] = (X509Window){ .name = n, .is_crl = is_crl, .not_before = from, .not_after = to };
        return 0;
}

static int chain_check(CollateralVerification *v, CollateralPart chain_part, X509Stack *chain,
                       X509_CRL *root_crl, X509Stack *anchors, time_t at)
{
        _cleanup_(sk_X509_CRL_pop_freep) X509CrlStack *crls = sk_X509_CRL_new_null();
        X509ChainResult res = {};

        if (!crls)
                return -ENOMEM;
        unsigned flags = X509_CHAIN_REQUIRE_P256;
        if (root_crl) {
                if (!sk_X509_CRL_push(crls, root_crl))
                        return -ENOMEM;
                X509_CRL_up_ref(root_crl);
                flags |= X509_CHAIN_CRL_CHECK;
        }
        int r = x509_bundle_verify(chain, anchors, crls, at, flags, &res);
        int k = windows_take(v, &res);
        if (r < 0) {
                part_fail(v, chain_part, r, TAKE_PTR(res.detail));
                x509_chain_result_done(&res);
                return r;
        }
        x509_chain_result_done(&res);
        return k;
}

/* TCB info or QE identity: chain, signature by the chain's leaf, then issueDate..nextUpdate. */
static int signed_part_check(CollateralVerification *v, const Collateral *c, CollateralPart part,
                             CollateralPart chain_part, const SignedJson *sj, X509Stack *chain,
                             X509Stack *anchors, time_t at)
{
        const char *name = collateral_part_to_string(part);
        char t1[RFC3339_MAX], t2[RFC3339_MAX], t3[RFC3339_MAX];
        char *d = NULL;
        time_t from, to;
        int r;

        /* A part whose signer cannot be trusted is not verified either: it fails with its chain's error,
         * so that no part is ever reported as verifying when it was not. */
        if (!c->present[part])
                part_fail(v, part, -ENODATA, strdup("missing"));
        if (!c->present[chain_part]) {
                part_fail(v, chain_part, -ENODATA, strdup("missing"));
                detail_set(&d, "%s not verified: its issuer chain is missing", name);
                return part_fail(v, part, -ENODATA, d);
        }
        r = chain_check(v, chain_part, chain, c->root_ca_crl, anchors, at);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                detail_set(&d, "%s not verified: its issuer chain does not verify", name);
                return part_fail(v, part, r, d);
        }
        if (!c->present[part])
                return -ENODATA;

        X509 *signer = x509_bundle_leaf(chain);
        _cleanup_free_ char *cn = x509_common_name(signer);
        /* [QVL] TCBSigningChain.cpp: the signer is the "Intel SGX TCB Signing" certificate. */
        if (!cn || !strstr(cn, "TCB Signing")) {
                detail_set(&d, "%s is signed by '%s', not by an Intel SGX TCB Signing certificate", name,
                           strna(cn));
                return part_fail(v, part, -EKEYREJECTED, d);
        }
        r = signed_json_verify(sj->text, sj->size, sj->signature, signer);
        if (r < 0) {
                detail_set(&d, "%s: signature does not verify with '%s'", name, cn);
                return part_fail(v, part, r, d);
        }

        if (part == COLLATERAL_TCB_INFO) {
                r = tcb_info_parse(sj->text, sj->size, &v->tcb_info, &d);
                if (r < 0)
                        return part_fail(v, part, r, d);
                v->have_tcb_info = true;
                from = v->tcb_info.issue_date;
                to = v->tcb_info.next_update;
        } else {
                r = qe_identity_parse(sj->text, sj->size, &v->qe_identity, &d);
                if (r < 0)
                        return part_fail(v, part, r, d);
                v->have_qe_identity = true;
                from = v->qe_identity.issue_date;
                to = v->qe_identity.next_update;
        }
        r = window_add(v, part == COLLATERAL_TCB_INFO ? "tcbInfo" : "enclaveIdentity", false, from, to);
        if (r < 0)
                return r;
        /* [QVL] STATUS_SGX_TCB_INFO_EXPIRED / ENCLAVE_IDENTITY_EXPIRED: nextUpdate is the expiry. */
        if (at < from || at > to) {
                detail_set(&d, "%s is valid %s..%s (issueDate..nextUpdate), not at %s", name,
                           rfc3339_format(from, t1), rfc3339_format(to, t2), rfc3339_format(at, t3));
                return part_fail(v, part, -EKEYEXPIRED, d);
        }
        return 0;
}

int collateral_verify(const Collateral *c, X509Stack *anchors, time_t at, CollateralVerification *ret)
{
        CollateralVerification *v = ret;
        char *d = NULL;
        int r, first = 0;

        *v = (CollateralVerification){};
        if (!anchors || sk_X509_num(anchors) == 0)
                return -EINVAL;

        /* The root CRL: signed by the trust anchor, valid at `at`. Without it, chains are still checked
         * (and the CRL recorded as missing). */
        if (!c->present[COLLATERAL_ROOT_CA_CRL])
                part_fail(v, COLLATERAL_ROOT_CA_CRL, -ENODATA, strdup("missing"));
        else {
                X509 *issuer = NULL;
                for (int i = 0; i < sk_X509_num(anchors) && !issuer; i++)
                        if (X509_NAME_cmp(X509_CRL_get_issuer(c->root_ca_crl),
                                          X509_get_subject_name(sk_X509_value(anchors, i))) == 0)
                                issuer = sk_X509_value(anchors, i);
                r = issuer ? x509_crl_check(c->root_ca_crl, issuer, at, &d) : -EKEYREJECTED;
                if (!issuer)
                        d = strdup("root CA CRL is not issued by a trust anchor");
                if (r < 0)
                        part_fail(v, COLLATERAL_ROOT_CA_CRL, r, TAKE_PTR(d));
        }

        r = signed_part_check(v, c, COLLATERAL_TCB_INFO, COLLATERAL_TCB_INFO_ISSUER_CHAIN, &c->tcb_info,
                              c->tcb_info_chain, anchors, at);
        if (r == -ENOMEM)
                return r;
        r = signed_part_check(v, c, COLLATERAL_QE_IDENTITY, COLLATERAL_QE_IDENTITY_ISSUER_CHAIN,
                              &c->qe_identity, c->qe_identity_chain, anchors, at);
        if (r == -ENOMEM)
                return r;

        /* The PCK CRL issuer chain (PCK Platform/Processor CA -> root), then the CRL itself. */
        if (!c->present[COLLATERAL_PCK_CRL_ISSUER_CHAIN]) {
                part_fail(v, COLLATERAL_PCK_CRL_ISSUER_CHAIN, -ENODATA, strdup("missing"));
                if (c->present[COLLATERAL_PCK_CRL])
                        part_fail(v, COLLATERAL_PCK_CRL, -ENODATA,
                                  strdup("PCK CRL not verified: its issuer chain is missing"));
        } else {
                r = chain_check(v, COLLATERAL_PCK_CRL_ISSUER_CHAIN, c->pck_crl_chain, c->root_ca_crl,
                                anchors, at);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -ENOMEM && c->present[COLLATERAL_PCK_CRL])
                        part_fail(v, COLLATERAL_PCK_CRL, r,
                                  strdup("PCK CRL not verified: its issuer chain does not verify"));
                if (r >= 0 && c->present[COLLATERAL_PCK_CRL]) {
                        /* The PCK CRL is signed by the PCK CA of its issuer chain. */
                        X509 *ca =
                                x509_bundle_find_subject(c->pck_crl_chain, X509_CRL_get_issuer(c->pck_crl));
                        r = ca ? x509_crl_check(c->pck_crl, ca, at, &d) : -EKEYREJECTED;
                        if (!ca)
                                d = strdup("PCK CRL is not issued by a certificate of its issuer chain");
                        if (r < 0)
                                part_fail(v, COLLATERAL_PCK_CRL, r, TAKE_PTR(d));
                }
        }
        if (!c->present[COLLATERAL_PCK_CRL])
                part_fail(v, COLLATERAL_PCK_CRL, -ENODATA, strdup("missing"));
        else {
                time_t from = 0, to = 0;
                (void) asn1_time_to_time_t(X509_CRL_get0_lastUpdate(c->pck_crl), &from);
                (void) asn1_time_to_time_t(X509_CRL_get0_nextUpdate(c->pck_crl), &to);
                if (window_add(v, "PCK CRL", true, from, to) < 0)
                        return -ENOMEM;
        }
        /* The root CRL's window came with the chains (X509_CHAIN_CRL_CHECK). */
        for (size_t p = 0; p < _COLLATERAL_PART_MAX; p++) {
                if (v->error[p] == -ENOMEM)
                        return -ENOMEM;
                if (v->error[p] < 0 && first == 0)
                        first = v->error[p];
        }
        return first;
}

int collateral_verify_pck_chain(const Collateral *c, X509Stack *pck_chain, X509Stack *anchors, time_t at,
                                X509ChainResult *result)
{
        if (result)
                *result = (X509ChainResult){ .depth = -1 };
        if (!pck_chain || sk_X509_num(pck_chain) == 0)
                return -EINVAL;
        if (!c->present[COLLATERAL_ROOT_CA_CRL] || !c->present[COLLATERAL_PCK_CRL]) {
                if (result)
                        result->detail = strdup(!c->present[COLLATERAL_PCK_CRL] ? "PCK CRL is missing"
                                                                                : "root CA CRL is missing");
                return -ENODATA;
        }

        _cleanup_(sk_X509_CRL_pop_freep) X509CrlStack *crls = sk_X509_CRL_new_null();
        if (!crls)
                return -ENOMEM;
        X509_CRL *both[] = { c->root_ca_crl, c->pck_crl };
        for (size_t i = 0; i < ELEMENTSOF(both); i++) {
                if (!sk_X509_CRL_push(crls, both[i]))
                        return -ENOMEM;
                X509_CRL_up_ref(both[i]);
        }
        /* [QVL] PckCertVerifier.cpp: the leaf is a PCK certificate (CN "Intel SGX PCK Certificate"). */
        _cleanup_free_ char *cn = x509_common_name(x509_bundle_leaf(pck_chain));
        if (!cn || !strstr(cn, "SGX PCK Certificate")) {
                if (result)
                        detail_set(&result->detail, "leaf certificate '%s' is not an SGX PCK Certificate",
                                   strna(cn));
                return -EKEYREJECTED;
        }
        /* CRL_CHECK_ALL: the leaf against the PCK CRL (its issuer's), the intermediate against the root
         * CRL ([QVL] PckCertVerifier.cpp); OpenSSL also checks both CRLs' signatures and validity. */
        return x509_bundle_verify(pck_chain, anchors, crls, at,
                                  X509_CHAIN_CRL_CHECK | X509_CHAIN_REQUIRE_P256, result);
}
