/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Soft collateral in the shape of Intel PCS v4 responses (reference/attestation.md b.1): a body
 * {"tcbInfo":{...},"signature":"<hex r||s>"} whose signature covers the exact bytes of the value, written
 * compact as PCS writes it.
 */
#include <openssl/pem.h>

#include "attest/collateral.h"
#include "attest/openssl-util.h"
#include "hexbase64.h"
#include "json-util.h"
#include "qgs/soft-collateral.h"

#define SOFT_MODULE_MAJORS 15U

static json_object *hex_new(const void *p, size_t n)
{
        _cleanup_free_ char *s = NULL;
        if (hex_encode(p, n, &s) < 0)
                return NULL;
        return json_object_new_string(s);
}

static json_object *date_new(time_t t)
{
        char buf[RFC3339_MAX];
        return json_object_new_string(rfc3339_format(t, buf));
}

/* [{"svn": v[0]}, ...] */
static json_object *components_new(const uint8_t *v)
{
        _cleanup_(json_object_putp) json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (size_t i = 0; i < TCB_COMPONENTS; i++) {
                json_object *c = json_object_new_object();
                if (json_append(a, c) < 0 || json_add(c, "svn", json_object_new_int(v ? v[i] : 0)) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

/* [{"tcb":{"isvsvn":svn},"tcbDate":...,"tcbStatus":"UpToDate"}] */
static json_object *isv_levels_new(unsigned svn, time_t date)
{
        _cleanup_(json_object_putp) json_object *a = json_object_new_array();
        json_object *l, *tcb;
        if (!a || json_append(a, (l = json_object_new_object())) < 0 ||
            json_add(l, "tcb", (tcb = json_object_new_object())) < 0 ||
            json_add(tcb, "isvsvn", json_object_new_int((int) svn)) < 0 ||
            json_add(l, "tcbDate", date_new(date)) < 0 ||
            json_add(l, "tcbStatus", json_object_new_string("UpToDate")) < 0)
                return NULL;
        return TAKE_PTR(a);
}

/* A TDX module identity: Intel's MRSIGNERSEAM (zero) and SEAMATTRIBUTES (zero, all bits compared). */
static int module_fill(json_object *m, const char *id, time_t date)
{
        static const uint8_t zero[48] = {};
        static const uint8_t mask[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        if (id && json_add(m, "id", json_object_new_string(id)) < 0)
                return -ENOMEM;
        if (json_add(m, "mrsigner", hex_new(zero, 48)) < 0 ||
            json_add(m, "attributes", hex_new(zero, 8)) < 0 ||
            json_add(m, "attributesMask", hex_new(mask, 8)) < 0)
                return -ENOMEM;
        if (id && json_add(m, "tcbLevels", isv_levels_new(0, date)) < 0)
                return -ENOMEM;
        return 0;
}

static int header_fill(json_object *o, const char *id, unsigned version, time_t now)
{
        if (json_add(o, "id", json_object_new_string(id)) < 0 ||
            json_add(o, "version", json_object_new_int((int) version)) < 0 ||
            json_add(o, "issueDate", date_new(now)) < 0 ||
            json_add(o, "nextUpdate", date_new(now + SOFT_COLLATERAL_LIFETIME)) < 0)
                return -ENOMEM;
        return 0;
}

static int tcb_info_new(time_t now, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *module, *ids, *levels, *level, *tcb;
        int r;

        /* Each container is added to its parent as soon as it exists, so that nothing leaks on failure. */
        if (!o)
                return -ENOMEM;
        if ((r = header_fill(o, "TDX", 3, now)) < 0)
                return r;
        if (json_add(o, "fmspc", hex_new(soft_fmspc, 6)) < 0 ||
            json_add(o, "pceId", hex_new(soft_pce_id, 2)) < 0 ||
            json_add(o, "tcbType", json_object_new_int(0)) < 0 ||
            json_add(o, "tcbEvaluationDataNumber", json_object_new_int(SOFT_TCB_EVAL_NR)) < 0 ||
            json_add(o, "tdxModule", (module = json_object_new_object())) < 0 ||
            json_add(o, "tdxModuleIdentities", (ids = json_object_new_array())) < 0 ||
            json_add(o, "tcbLevels", (levels = json_object_new_array())) < 0 ||
            json_append(levels, (level = json_object_new_object())) < 0 ||
            json_add(level, "tcb", (tcb = json_object_new_object())) < 0)
                return -ENOMEM;
        if ((r = module_fill(module, NULL, now)) < 0)
                return r;
        for (unsigned major = 1; major <= SOFT_MODULE_MAJORS; major++) {
                char id[8];
                json_object *m;
                snprintf(id, sizeof(id), "TDX_%02X", major);
                if (json_append(ids, (m = json_object_new_object())) < 0 ||
                    (r = module_fill(m, id, now)) < 0)
                        return -ENOMEM;
        }
        if (json_add(tcb, "sgxtcbcomponents", components_new(soft_cpusvn)) < 0 ||
            json_add(tcb, "pcesvn", json_object_new_int(SOFT_PCE_SVN)) < 0 ||
            json_add(tcb, "tdxtcbcomponents", components_new(NULL)) < 0 ||
            json_add(level, "tcbDate", date_new(now)) < 0 ||
            json_add(level, "tcbStatus", json_object_new_string("UpToDate")) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int qe_identity_new(time_t now, json_object **ret)
{
        static const uint8_t misc_mask[4] = { 0xff, 0xff, 0xff, 0xff }, zero[4] = {};
        /* Intel's TD_QE identity mask: every attribute flag but MODE64BIT (bit 2) counts, DEBUG (bit 1) too.
         */
        static const uint8_t attr_mask[16] = { 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        if (!o || header_fill(o, "TD_QE", 2, now) < 0 ||
            json_add(o, "tcbEvaluationDataNumber", json_object_new_int(SOFT_TCB_EVAL_NR)) < 0 ||
            json_add(o, "miscselect", hex_new(zero, 4)) < 0 ||
            json_add(o, "miscselectMask", hex_new(misc_mask, 4)) < 0 ||
            json_add(o, "attributes", hex_new(soft_qe_attributes, 16)) < 0 ||
            json_add(o, "attributesMask", hex_new(attr_mask, 16)) < 0 ||
            json_add(o, "mrsigner", hex_new(soft_qe_mrsigner, 32)) < 0 ||
            json_add(o, "isvprodid", json_object_new_int(SOFT_QE_PROD_ID)) < 0 ||
            json_add(o, "tcbLevels", isv_levels_new(SOFT_QE_SVN, now)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* {"<key>":<compact value>,"signature":"<hex r||s>"}, signed over the value's exact bytes. */
static int signed_body_write(const char *dir, const char *name, const char *key, json_object *value,
                             EVP_PKEY *signer)
{
        const char *text = json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        uint8_t sig[64];
        _cleanup_free_ char *hex = NULL, *body = NULL;
        int r;

        if (!text)
                return -ENOMEM;
        if ((r = soft_sign(signer, text, strlen(text), sig)) < 0 ||
            (r = hex_encode(sig, sizeof(sig), &hex)) < 0)
                return r;
        int n = asprintf(&body, "{\"%s\":%s,\"signature\":\"%s\"}", key, text, hex);
        if (n < 0)
                return -ENOMEM;
        return soft_write_file(dir, name, body, (size_t) n, 0644);
}

static int chain_write(const char *dir, const char *name, X509 *first, X509 *root)
{
        _cleanup_free_ char *a = NULL, *b = NULL, *both = NULL;
        size_t na, nb;
        int r;
        if ((r = soft_cert_pem(first, &a, &na)) < 0 || (r = soft_cert_pem(root, &b, &nb)) < 0)
                return r;
        int n = asprintf(&both, "%s%s", a, b);
        if (n < 0)
                return -ENOMEM;
        return soft_write_file(dir, name, both, (size_t) n, 0644);
}

static int crl_write(const char *dir, const char *name, X509 *issuer, EVP_PKEY *key, time_t now)
{
        _cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        size_t n;
        int r;
        if ((r = soft_crl_new(issuer, key, now, now + SOFT_COLLATERAL_LIFETIME, &crl)) < 0 ||
            (r = soft_crl_der(crl, &der, &n)) < 0)
                return r;
        return soft_write_file(dir, name, der, n, 0644);
}

int soft_collateral_write(const SoftPki *p, const char *dir, time_t now)
{
        const char *const *f = collateral_dir_files;
        _cleanup_(json_object_putp) json_object *tcb_info = NULL, *qe_identity = NULL;
        int r;

        if ((r = tcb_info_new(now, &tcb_info)) < 0 || (r = qe_identity_new(now, &qe_identity)) < 0)
                return r;
        if ((r = signed_body_write(dir, f[COLLATERAL_TCB_INFO], "tcbInfo", tcb_info, p->tcb_key)) < 0 ||
            (r = signed_body_write(dir, f[COLLATERAL_QE_IDENTITY], "enclaveIdentity", qe_identity,
                                   p->tcb_key)) < 0 ||
            (r = chain_write(dir, f[COLLATERAL_TCB_INFO_ISSUER_CHAIN], p->tcb, p->root)) < 0 ||
            (r = chain_write(dir, f[COLLATERAL_QE_IDENTITY_ISSUER_CHAIN], p->tcb, p->root)) < 0 ||
            (r = chain_write(dir, f[COLLATERAL_PCK_CRL_ISSUER_CHAIN], p->pck_ca, p->root)) < 0 ||
            (r = crl_write(dir, f[COLLATERAL_PCK_CRL], p->pck_ca, p->pck_ca_key, now)) < 0 ||
            (r = crl_write(dir, f[COLLATERAL_ROOT_CA_CRL], p->root, p->root_key, now)) < 0)
                return r;
        return 0;
}

static time_t crl_next(X509_CRL *crl)
{
        time_t t = 0;
        (void) asn1_time_to_time_t(X509_CRL_get0_nextUpdate(crl), &t);
        return t;
}

int soft_collateral_next_update(const char *dir, time_t *ret)
{
        _cleanup_(collateral_done) Collateral c = {};
        _cleanup_(tcb_info_done) TcbInfo t = {};
        _cleanup_(qe_identity_done) QeIdentity q = {};
        _cleanup_free_ char *detail = NULL;

        int r = collateral_load_dir(dir, &c, &detail);
        if (r < 0)
                return log_debug_errno(r, "%s: %s", dir, strna(detail));
        for (CollateralPart i = 0; i < _COLLATERAL_PART_MAX; i++)
                if (!c.present[i])
                        return log_debug_errno(SYNTHETIC_ERRNO(ENOENT), "%s/%s: missing", dir,
                                               collateral_dir_files[i]);
        if ((r = tcb_info_parse(c.tcb_info.text, c.tcb_info.size, &t, &detail)) < 0 ||
            (r = qe_identity_parse(c.qe_identity.text, c.qe_identity.size, &q, &detail)) < 0)
                return log_debug_errno(r, "%s: %s", dir, strna(detail));

        time_t next =
                MIN(MIN(t.next_update, q.next_update), MIN(crl_next(c.pck_crl), crl_next(c.root_ca_crl)));
        *ret = next;
        return 0;
}
