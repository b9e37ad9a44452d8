/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A facts document is untrusted input: 'cvm check --facts=FILE' analyses whatever a user hands it. Parse
 * arbitrary bytes as one, and when that succeeds run every check of every TEE over it, so each check's
 * handling of hostile facts (wrong types, huge numbers, bad base64, errors in place of values) is fuzzed,
 * then format the document again and free everything.
 */
#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const unsigned masks[] = {
                (1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP),
                1u << CVM_TEE_TDX,
                1u << CVM_TEE_SNP,
                0,
        };

        if (fuzz_too_big(size))
                return 0;

        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        if (cvm_host_facts_parse((const char *) data, size, &facts) < 0)
                return 0;

        for (size_t i = 0; i < ELEMENTSOF(masks); i++) {
                _cleanup_(cvm_host_report_freep) cvm_host_report *rep = NULL;
                if (cvm_host_check(facts, masks[i], &rep) < 0)
                        continue;
                /* Every finding must be printable: an id, a status and a message. */
                for (size_t j = 0; j < rep->n_findings; j++) {
                        const cvm_finding *f = rep->findings + j;
                        if (!f->id || !f->message || !cvm_check_status_to_string(f->status))
                                abort();
                }
                for (cvm_tee t = 0; t < _CVM_TEE_MAX; t++)
                        if ((rep->tee_mask & (1u << t)) && !cvm_verdict_to_string(rep->verdict[t]))
                                abort();
        }

        _cleanup_free_ char *s = NULL;
        (void) cvm_host_facts_format(facts, &s);
        return 0;
}
