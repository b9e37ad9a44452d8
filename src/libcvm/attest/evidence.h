/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The public cvm_evidence (include/cvm/cvm-attest.h) from the inside: the kind detector over the three
 * parsers, and the JSON form that `cvm inspect` prints (as JSON, or rendered as text).
 */

#include "cvm/cvm-attest.h"
#include "json-util.h"
#include "snp-report.h"
#include "tdx-quote.h"
#include "tdx-report.h"

struct cvm_evidence {
        cvm_evidence_kind kind;
        size_t input_size;
        union {
                TdxQuote quote;
                TdxReport tdreport;
                SnpReport snp;
        };
};

DEFINE_TRIVIAL_CLEANUP_FUNC(cvm_evidence *, cvm_evidence_free)

/* Which parser buf is for: 0, or -EBADMSG (with *reterr) when it looks like none of them. */
int evidence_detect(const void *buf, size_t size, cvm_evidence_kind *ret, char **reterr);

/* cvm_evidence_parse() with a product hint for SNP reports that do not name their CPU (snp-report.h). */
int evidence_parse(const void *buf, size_t size, SnpProduct snp_hint, cvm_evidence **ret, char **reterr);

/* The JSON object of cvm_evidence_to_json(). */
int evidence_to_json(const cvm_evidence *e, json_object **ret);
