/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Evidence kind detection and the JSON form of every parsed field (shape in include/cvm/cvm-attest.h).
 *
 * Detection looks at the first bytes only; the chosen parser then checks everything:
 *   - TDREPORT: REPORTTYPE.TYPE 0x81 (TDX), SUBTYPE 0 at offset 0 (attestation.md §a.5);
 *   - TDX quote: u16 version, then a non-zero u16 attestation key type (§a.1);
 *   - SNP report: u32 version, so bytes 2-3 are zero (§c).
 * A quote's first u16 and a report's first u32 are small numbers; anything else is not evidence.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "evidence.h"
#include "hexbase64.h"
#include "parse-error.h"
#include "string-table.h"

static_assert(CVM_EVIDENCE_MAX == CVM_QUOTE_MAX, "one input cap for every kind of evidence");

static const char *const evidence_kind_table[_CVM_EVIDENCE_KIND_MAX] = {
        [CVM_EVIDENCE_TDX_QUOTE] = "tdx-quote",
        [CVM_EVIDENCE_TDREPORT] = "tdreport",
        [CVM_EVIDENCE_SNP_REPORT] = "snp-report",
};
DEFINE_PRIVATE_STRING_TABLE_LOOKUP(evidence_kind, cvm_evidence_kind);

_public_ const char *cvm_evidence_kind_to_string(cvm_evidence_kind kind)
{
        return evidence_kind_to_string(kind);
}

int evidence_detect(const void *buf, size_t size, cvm_evidence_kind *ret, char **reterr)
{
        const uint8_t *p = buf;

        if (!p || size == 0)
                return parse_error(reterr, -EBADMSG, "evidence: the input is empty");
        if (size >= 2 && p[0] == 0x81 && p[1] == 0x00) {
                *ret = CVM_EVIDENCE_TDREPORT;
                return 0;
        }
        if (size < 4)
                return parse_error(
                        reterr, -EBADMSG,
                        "evidence: the input has %zu bytes, too few to tell its kind (a TDX quote "
                        "header alone is 48 bytes, an SNP report 1184)",
                        size);

        uint16_t version = (uint16_t) (p[0] | p[1] << 8), key_type = (uint16_t) (p[2] | p[3] << 8);
        if (version < 0x100 && key_type != 0) {
                *ret = CVM_EVIDENCE_TDX_QUOTE;
                return 0;
        }
        if (version < 0x100 && key_type == 0) {
                *ret = CVM_EVIDENCE_SNP_REPORT;
                return 0;
        }
        return parse_error(
                reterr, -EBADMSG,
                "evidence: not a TDX quote, TDREPORT or SNP report: the input starts with %02x %02x "
                "%02x %02x, which is no known version field",
                p[0], p[1], p[2], p[3]);
}

int evidence_parse(const void *buf, size_t size, SnpProduct snp_hint, cvm_evidence **ret, char **reterr)
{
        cvm_evidence_kind kind;
        int k;

        if (size > CVM_EVIDENCE_MAX)
                return parse_error(reterr, -E2BIG,
                                   "evidence: the input has %zu bytes, over the cap of %u bytes", size,
                                   CVM_EVIDENCE_MAX);
        k = evidence_detect(buf, size, &kind, reterr);
        if (k < 0)
                return k;

        _cleanup_(cvm_evidence_freep) cvm_evidence *e = new0(cvm_evidence, 1);
        if (!e)
                return -ENOMEM;
        e->kind = kind;
        e->input_size = size;
        switch (kind) {
        case CVM_EVIDENCE_TDX_QUOTE:
                k = tdx_quote_parse(buf, size, &e->quote, reterr);
                break;
        case CVM_EVIDENCE_TDREPORT:
                k = tdx_report_parse(buf, size, &e->tdreport, reterr);
                break;
        case CVM_EVIDENCE_SNP_REPORT:
                k = snp_report_parse(buf, size, snp_hint, &e->snp, reterr);
                break;
        default:
                assert(!"unreachable");
                k = -EINVAL;
        }
        if (k < 0) {
                e->kind = _CVM_EVIDENCE_KIND_MAX; /* nothing to free in the union */
                return k;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

_public_ int cvm_evidence_parse(const void *buf, size_t size, cvm_evidence **ret, char **reterr_detail)
{
        _cleanup_free_ char *detail = NULL;
        int k = evidence_parse(buf, size, SNP_PRODUCT_UNKNOWN, ret, reterr_detail ? &detail : NULL);
        if (k < 0 && reterr_detail)
                *reterr_detail = TAKE_PTR(detail);
        return k;
}

_public_ cvm_evidence_kind cvm_evidence_get_kind(const cvm_evidence *e)
{
        return e->kind;
}

_public_ unsigned cvm_evidence_get_version(const cvm_evidence *e)
{
        switch (e->kind) {
        case CVM_EVIDENCE_TDX_QUOTE:
                return e->quote.version;
        case CVM_EVIDENCE_TDREPORT:
                return e->tdreport.report_version;
        case CVM_EVIDENCE_SNP_REPORT:
                return e->snp.version;
        default:
                return 0;
        }
}

static size_t evidence_size(const cvm_evidence *e)
{
        switch (e->kind) {
        case CVM_EVIDENCE_TDX_QUOTE:
                return e->quote.size;
        case CVM_EVIDENCE_TDREPORT:
                return TDX_REPORT_SIZE;
        case CVM_EVIDENCE_SNP_REPORT:
                return SNP_REPORT_SIZE;
        default:
                return 0;
        }
}

_public_ size_t cvm_evidence_get_trailing(const cvm_evidence *e)
{
        return e->input_size - evidence_size(e);
}

_public_ cvm_evidence *cvm_evidence_free(cvm_evidence *e)
{
        if (!e)
                return NULL;
        if (e->kind == CVM_EVIDENCE_TDX_QUOTE)
                tdx_quote_done(&e->quote);
        free(e);
        return NULL;
}

/* JSON building: the first error sticks in *err and every later call does nothing, so a function adds all
 * its members and checks once. */

static void add(json_object *o, const char *key, json_object *v, int *err)
{
        if (*err < 0 || !o) {
                json_object_put(v);
                if (*err >= 0)
                        *err = -ENOMEM;
                return;
        }
        *err = json_add(o, key, v);
}

static void add_null(json_object *o, const char *key, int *err)
{
        if (*err >= 0 && json_object_object_add(o, key, NULL) < 0)
                *err = -ENOMEM;
}

static void add_int(json_object *o, const char *key, int64_t v, int *err)
{
        add(o, key, json_object_new_int64(v), err);
}

static void add_bool(json_object *o, const char *key, bool v, int *err)
{
        add(o, key, json_object_new_boolean(v), err);
}

static void add_str(json_object *o, const char *key, const char *s, int *err)
{
        if (s)
                add(o, key, json_object_new_string(s), err);
        else
                add_null(o, key, err);
}

static void add_fmt(json_object *o, const char *key, int *err, const char *format, ...) _printf_(4, 5);
static void add_fmt(json_object *o, const char *key, int *err, const char *format, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;

        if (*err < 0)
                return;
        va_start(ap, format);
        int k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0) {
                *err = -ENOMEM;
                return;
        }
        add(o, key, json_object_new_string(s), err);
}

static void add_hex(json_object *o, const char *key, const void *p, size_t n, int *err)
{
        _cleanup_free_ char *h = NULL;

        if (*err < 0)
                return;
        if (hex_encode(p, n, &h) < 0) {
                *err = -ENOMEM;
                return;
        }
        add(o, key, json_object_new_string(h), err);
}

static void add_u64(json_object *o, const char *key, uint64_t v, int *err)
{
        add_fmt(o, key, err, "0x%016" PRIx64, v);
}

static void add_u32(json_object *o, const char *key, uint32_t v, int *err)
{
        add_fmt(o, key, err, "0x%08" PRIx32, v);
}

/* The names of the set bits of v from bit first on ("bit N" when the table has none). */
static void add_flags(json_object *o, const char *key, uint64_t v, unsigned first,
                      const char *(*name)(unsigned bit), int *err)
{
        json_object *a = json_object_new_array();

        add(o, key, a, err);
        for (unsigned bit = first; bit < 64 && *err >= 0; bit++) {
                if (!(v & (UINT64_C(1) << bit)))
                        continue;
                const char *n = name(bit);
                if (n)
                        *err = json_append(a, json_object_new_string(n));
                else {
                        char buf[16];
                        snprintf(buf, sizeof(buf), "bit %u", bit);
                        *err = json_append(a, json_object_new_string(buf));
                }
        }
}

/* A new object under key; NULL (and *err set) on failure. */
static json_object *add_object(json_object *o, const char *key, int *err)
{
        json_object *c = json_object_new_object();
        add(o, key, c, err);
        return *err < 0 ? NULL : c;
}

static void add_region(json_object *o, const char *key, size_t offset, size_t size, int *err)
{
        json_object *c = add_object(o, key, err);
        add_int(c, "offset", (int64_t) offset, err);
        add_int(c, "size", (int64_t) size, err);
}

static void td_body_to_json(json_object *o, const TdxTdBody *b, int *err)
{
        add_hex(o, "tee_tcb_svn", b->tee_tcb_svn, sizeof(b->tee_tcb_svn), err);
        add_hex(o, "mr_seam", b->mr_seam, sizeof(b->mr_seam), err);
        add_hex(o, "mr_signer_seam", b->mr_signer_seam, sizeof(b->mr_signer_seam), err);
        add_u64(o, "seam_attributes", b->seam_attributes, err);
        add_u64(o, "td_attributes", b->td_attributes, err);
        add_flags(o, "td_attributes_flags", b->td_attributes, 0, tdx_td_attribute_to_string, err);
        add_u64(o, "xfam", b->xfam, err);
        add_flags(o, "xfam_flags", b->xfam, 0, tdx_xfam_to_string, err);
        add_hex(o, "mr_td", b->mr_td, sizeof(b->mr_td), err);
        add_hex(o, "mr_config_id", b->mr_config_id, sizeof(b->mr_config_id), err);
        add_hex(o, "mr_owner", b->mr_owner, sizeof(b->mr_owner), err);
        add_hex(o, "mr_owner_config", b->mr_owner_config, sizeof(b->mr_owner_config), err);
        for (unsigned i = 0; i < TDX_RTMR_COUNT; i++) {
                char key[8];
                snprintf(key, sizeof(key), "rtmr%u", i);
                add_hex(o, key, b->rtmr[i], sizeof(b->rtmr[i]), err);
        }
        add_hex(o, "report_data", b->report_data, sizeof(b->report_data), err);
        if (b->has_td15) {
                add_hex(o, "tee_tcb_svn2", b->tee_tcb_svn2, sizeof(b->tee_tcb_svn2), err);
                add_hex(o, "mr_servicetd", b->mr_servicetd, sizeof(b->mr_servicetd), err);
        } else {
                add_null(o, "tee_tcb_svn2", err);
                add_null(o, "mr_servicetd", err);
        }
}

static void cert_data_to_json(json_object *o, const TdxCertData *c, int *err)
{
        add_int(o, "type", c->type, err);
        add_str(o, "type_name", tdx_cert_type_to_string(c->type), err);
        add_int(o, "offset", (int64_t) c->offset, err);
        add_int(o, "size", c->size, err);
        if (c->type == TDX_CERT_QE_REPORT)
                return; /* its parts follow in the caller's object */
        if (c->type == TDX_CERT_PCK_CERT_CHAIN) {
                add_int(o, "pem_certificates", c->n_pem_certificates, err);
                add_int(o, "trailing_nul_bytes", (int64_t) c->trailing_nuls, err);
        }
        /* A PEM chain is text; anything else (DER, PPIDs) is shown as hex. */
        if (c->type == TDX_CERT_PCK_CERT_CHAIN && c->n_pem_certificates > 0) {
                size_t n = c->size - c->trailing_nuls;
                bool text = true;
                for (size_t i = 0; i < n && text; i++)
                        text = c->data[i] == '\n' || c->data[i] == '\r' ||
                               (c->data[i] >= 0x20 && c->data[i] < 0x7f);
                if (text) {
                        add(o, "pem", json_object_new_string_len((const char *) c->data, (int) n), err);
                        return;
                }
        }
        add_hex(o, "data", c->data, c->size, err);
}

static void qe_report_to_json(json_object *o, const TdxQuote *q, int *err)
{
        const TdxQeReport *e = &q->qe_report;

        add_int(o, "offset", (int64_t) q->qe_report_offset, err);
        add_int(o, "size", TDX_QE_REPORT_SIZE, err);
        add_hex(o, "cpu_svn", e->cpu_svn, sizeof(e->cpu_svn), err);
        add_u32(o, "misc_select", e->misc_select, err);
        add_hex(o, "isv_ext_prod_id", e->isv_ext_prod_id, sizeof(e->isv_ext_prod_id), err);
        add_hex(o, "attributes", e->attributes, sizeof(e->attributes), err);
        add_hex(o, "mr_enclave", e->mr_enclave, sizeof(e->mr_enclave), err);
        add_hex(o, "mr_signer", e->mr_signer, sizeof(e->mr_signer), err);
        add_hex(o, "config_id", e->config_id, sizeof(e->config_id), err);
        add_int(o, "isv_prod_id", e->isv_prod_id, err);
        add_int(o, "isv_svn", e->isv_svn, err);
        add_int(o, "config_svn", e->config_svn, err);
        add_hex(o, "isv_family_id", e->isv_family_id, sizeof(e->isv_family_id), err);
        add_hex(o, "report_data", e->report_data, sizeof(e->report_data), err);
}

static void quote_to_json(json_object *o, const TdxQuote *q, int *err)
{
        json_object *h = add_object(o, "header", err);
        add_int(h, "version", q->version, err);
        add_int(h, "att_key_type", q->att_key_type, err);
        add_str(h, "att_key_type_name", "ecdsa-256-with-p-256", err); /* the only one the parser accepts */
        add_u32(h, "tee_type", q->tee_type, err);
        add_str(h, "tee_type_name", "tdx", err);
        add_hex(h, "reserved", q->reserved, sizeof(q->reserved), err);
        add_hex(h, "qe_vendor_id", q->qe_vendor_id, sizeof(q->qe_vendor_id), err);
        add_str(h, "qe_vendor",
                memcmp(q->qe_vendor_id, TDX_QE_VENDOR_INTEL, sizeof(q->qe_vendor_id)) == 0 ? "intel" : NULL,
                err);
        add_hex(h, "user_data", q->user_data, sizeof(q->user_data), err);

        json_object *b = add_object(o, "body", err);
        add_int(b, "type", q->body_type, err);
        add_str(b, "type_name", tdx_body_type_to_string(q->body_type), err);
        add_int(b, "offset", (int64_t) q->body_offset, err);
        add_int(b, "size", q->body_size, err);
        if (*err >= 0)
                td_body_to_json(b, &q->body, err);

        add_region(o, "signed_region", 0, q->signed_size, err);

        json_object *s = add_object(o, "signature_data", err);
        add_int(s, "offset", (int64_t) q->sig_data_offset, err);
        add_int(s, "size", q->sig_data_size, err);
        add_hex(s, "signature", q->signature, sizeof(q->signature), err);
        add_hex(s, "attestation_key", q->attestation_key, sizeof(q->attestation_key), err);
        json_object *c = add_object(s, "certification_data", err);
        if (*err >= 0)
                cert_data_to_json(c, &q->cert, err);
        if (!q->has_qe_report || *err < 0)
                return;

        json_object *r = add_object(c, "qe_report", err);
        if (*err >= 0)
                qe_report_to_json(r, q, err);
        add_hex(c, "qe_report_signature", q->qe_report_signature, sizeof(q->qe_report_signature), err);
        json_object *a = add_object(c, "qe_auth_data", err);
        add_int(a, "offset", (int64_t) q->qe_auth_offset, err);
        add_int(a, "size", q->qe_auth_size, err);
        add_hex(a, "data", q->qe_auth_data, q->qe_auth_size, err);
        json_object *n = add_object(c, "certification_data", err);
        if (*err >= 0)
                cert_data_to_json(n, &q->qe_cert, err);
}

static void tdreport_to_json(json_object *o, const TdxReport *t, int *err)
{
        json_object *m = add_object(o, "report_mac", err);
        add_int(m, "offset", 0, err);
        add_int(m, "size", TDX_REPORT_MAC_SIZE, err);
        add_int(m, "report_type", t->report_type, err);
        add_str(m, "report_type_name", "tdx", err);
        add_int(m, "report_subtype", t->report_subtype, err);
        add_int(m, "report_version", t->report_version, err);
        add_hex(m, "cpu_svn", t->cpu_svn, sizeof(t->cpu_svn), err);
        add_hex(m, "tee_tcb_info_hash", t->tee_tcb_info_hash, sizeof(t->tee_tcb_info_hash), err);
        add_hex(m, "tee_info_hash", t->tee_info_hash, sizeof(t->tee_info_hash), err);
        add_hex(m, "mac", t->mac, sizeof(t->mac), err);

        json_object *i = add_object(o, "tee_tcb_info", err);
        add_int(i, "offset", TDX_TEE_TCB_INFO_OFFSET, err);
        add_int(i, "size", TDX_TEE_TCB_INFO_SIZE, err);
        add_u64(i, "valid", t->tee_tcb_info_valid, err);

        add_region(o, "td_info", TDX_TD_INFO_OFFSET, TDX_TD_INFO_SIZE, err);

        json_object *b = add_object(o, "body", err);
        if (*err >= 0)
                td_body_to_json(b, &t->body, err);
}

static void snp_tcb_to_json(json_object *o, const char *key, const SnpTcb *t, SnpTcbLayout layout, int *err)
{
        json_object *c = add_object(o, key, err);
        add_u64(c, "raw", t->raw, err);
        if (layout == SNP_TCB_LAYOUT_TURIN)
                add_int(c, "fmc", t->fmc, err);
        else
                add_null(c, "fmc", err);
        add_int(c, "bootloader", t->bootloader, err);
        add_int(c, "tee", t->tee, err);
        add_int(c, "snp", t->snp, err);
        add_int(c, "microcode", t->microcode, err);
}

static void snp_to_json(json_object *o, const SnpReport *s, int *err)
{
        add_str(o, "product", s->product == SNP_PRODUCT_UNKNOWN ? NULL : snp_product_to_string(s->product),
                err);
        add_str(o, "product_source", snp_product_source_to_string(s->product_source), err);
        add_str(o, "tcb_layout", snp_tcb_layout_to_string(s->tcb_layout), err);

        add_int(o, "guest_svn", s->guest_svn, err);
        add_u64(o, "policy", s->policy, err);
        add_int(o, "policy_abi_minor", s->policy & 0xff, err);
        add_int(o, "policy_abi_major", (s->policy >> 8) & 0xff, err);
        add_flags(o, "policy_flags", s->policy, 16, snp_policy_to_string, err);
        add_hex(o, "family_id", s->family_id, sizeof(s->family_id), err);
        add_hex(o, "image_id", s->image_id, sizeof(s->image_id), err);
        add_int(o, "vmpl", s->vmpl, err);
        add_int(o, "signature_algo", s->signature_algo, err);
        add_str(o, "signature_algo_name",
                s->signature_algo == SNP_SIG_ALGO_ECDSA_P384_SHA384 ? "ecdsa-p384-sha384" : NULL, err);
        snp_tcb_to_json(o, "current_tcb", &s->current_tcb, s->tcb_layout, err);
        add_u64(o, "platform_info", s->platform_info, err);
        add_flags(o, "platform_info_flags", s->platform_info, 0, snp_platform_info_to_string, err);
        add_u32(o, "signer_info", s->signer_info, err);
        add_bool(o, "author_key_en", s->author_key_en, err);
        add_bool(o, "mask_chip_key", s->mask_chip_key, err);
        add_int(o, "signing_key", s->signing_key, err);
        add_str(o, "signing_key_name", snp_signing_key_to_string(s->signing_key), err);
        add_hex(o, "report_data", s->report_data, sizeof(s->report_data), err);
        add_hex(o, "measurement", s->measurement, sizeof(s->measurement), err);
        add_hex(o, "host_data", s->host_data, sizeof(s->host_data), err);
        add_hex(o, "id_key_digest", s->id_key_digest, sizeof(s->id_key_digest), err);
        add_hex(o, "author_key_digest", s->author_key_digest, sizeof(s->author_key_digest), err);
        add_hex(o, "report_id", s->report_id, sizeof(s->report_id), err);
        add_hex(o, "report_id_ma", s->report_id_ma, sizeof(s->report_id_ma), err);
        snp_tcb_to_json(o, "reported_tcb", &s->reported_tcb, s->tcb_layout, err);
        if (s->has_cpuid) {
                add_int(o, "cpuid_fam_id", s->cpuid_fam_id, err);
                add_int(o, "cpuid_mod_id", s->cpuid_mod_id, err);
                add_int(o, "cpuid_step", s->cpuid_step, err);
        } else {
                add_null(o, "cpuid_fam_id", err);
                add_null(o, "cpuid_mod_id", err);
                add_null(o, "cpuid_step", err);
        }
        add_hex(o, "chip_id", s->chip_id, sizeof(s->chip_id), err);
        snp_tcb_to_json(o, "committed_tcb", &s->committed_tcb, s->tcb_layout, err);
        add_fmt(o, "current_version", err, "%u.%u.%u", s->current_major, s->current_minor, s->current_build);
        add_fmt(o, "committed_version", err, "%u.%u.%u", s->committed_major, s->committed_minor,
                s->committed_build);
        snp_tcb_to_json(o, "launch_tcb", &s->launch_tcb, s->tcb_layout, err);
        if (s->has_mit_vectors) {
                add_u64(o, "launch_mit_vector", s->launch_mit_vector, err);
                add_u64(o, "current_mit_vector", s->current_mit_vector, err);
        } else {
                add_null(o, "launch_mit_vector", err);
                add_null(o, "current_mit_vector", err);
        }
        add_region(o, "signed_region", 0, SNP_REPORT_SIGNED_SIZE, err);
        json_object *g = add_object(o, "signature", err);
        add_int(g, "offset", SNP_REPORT_SIGNED_SIZE, err);
        add_hex(g, "r", s->signature_r, sizeof(s->signature_r), err);
        add_hex(g, "s", s->signature_s, sizeof(s->signature_s), err);
}

int evidence_to_json(const cvm_evidence *e, json_object **ret)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        int err = o ? 0 : -ENOMEM;

        add_str(o, "kind", cvm_evidence_kind_to_string(e->kind), &err);
        add_int(o, "version", cvm_evidence_get_version(e), &err);
        add_int(o, "size", (int64_t) evidence_size(e), &err);
        add_int(o, "input_size", (int64_t) e->input_size, &err);
        add_int(o, "trailing_bytes", (int64_t) cvm_evidence_get_trailing(e), &err);
        switch (e->kind) {
        case CVM_EVIDENCE_TDX_QUOTE:
                add_bool(o, "trailing_all_zero", e->quote.trailing_all_zero, &err);
                if (err >= 0)
                        quote_to_json(o, &e->quote, &err);
                break;
        case CVM_EVIDENCE_TDREPORT:
                add_bool(o, "trailing_all_zero", true, &err);
                if (err >= 0)
                        tdreport_to_json(o, &e->tdreport, &err);
                break;
        case CVM_EVIDENCE_SNP_REPORT:
                add_bool(o, "trailing_all_zero", e->snp.trailing_all_zero, &err);
                if (err >= 0)
                        snp_to_json(o, &e->snp, &err);
                break;
        default:
                return -EINVAL;
        }
        if (err < 0)
                return err;
        *ret = TAKE_PTR(o);
        return 0;
}

_public_ int cvm_evidence_to_json(const cvm_evidence *e, char **ret)
{
        _cleanup_(json_object_putp) json_object *o = NULL;
        int k = evidence_to_json(e, &o);
        if (k < 0)
                return k;
        return json_format(o, ret);
}
