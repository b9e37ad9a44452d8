/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VCEK/VLEK extension parser (src/libcvm/attest/snp-verify.c snp_vek_ext_parse_der()) on arbitrary
 * DER, then the TCB and hwID comparisons on whatever it accepted, for every product layout.
 */
#include "attest/snp-verify.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *err = NULL;
        SnpVekExt ext;
        int r;

        if (fuzz_too_big(size))
                return 0;
        r = snp_vek_ext_parse_der(data, size, &ext, &err);
        if (r < 0) {
                assert(r == -EBADMSG || r == -ENOMEM);
                return 0;
        }
        assert(!err);
        /* What was accepted must be in range and terminated: these feed detail strings and KDS URLs. */
        assert(ext.hwid_size == 0 || ext.hwid_size == SNP_VERIFY_HWID_TURIN ||
               ext.hwid_size == SNP_VERIFY_CHIP_ID_SIZE);
        assert(!!(ext.present & SNP_VEK_EXT_HWID) == (ext.hwid_size > 0));
        assert(memchr(ext.product_name, 0, sizeof(ext.product_name)));
        assert(memchr(ext.csp_id, 0, sizeof(ext.csp_id)));
        assert((ext.present & ~0x1ffU) == 0);

        /* The first 8 input bytes as REPORTED_TCB: equal or not, both paths run across the corpus. */
        uint64_t tcb = 0;
        memcpy(&tcb, data, MIN(size, sizeof(tcb)));
        uint8_t chip[SNP_VERIFY_CHIP_ID_SIZE] = {};
        memcpy(chip, ext.hwid, ext.hwid_size);
        for (AmdProduct p = 0; p < _AMD_PRODUCT_MAX; p++) {
                AttestChecks res = {};
                r = snp_tcb_check(p, tcb, &ext, &res);
                assert(r == 0 || r == -EKEYREJECTED || r == -ENOMEM);
                r = snp_hwid_check(p, chip, &ext, &res);
                assert(r == 0 || r == -EKEYREJECTED || r == -ENOMEM);
                for (size_t i = 0; i < res.n; i++)
                        assert(res.items[i].detail && res.items[i].ok == (res.items[i].error == 0));
                attest_checks_done(&res);
        }
        return 0;
}
