/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cvm/cvm.h"
#include "log.h"
#include "string-table.h"

static const char *const tee_table[_CVM_TEE_MAX] = {
        [CVM_TEE_NONE] = "common",
        [CVM_TEE_TDX] = "tdx",
        [CVM_TEE_SNP] = "snp",
};
DEFINE_PRIVATE_STRING_TABLE_LOOKUP(tee, cvm_tee);

_public_ const char *cvm_tee_to_string(cvm_tee t)
{
        return tee_to_string(t);
}

_public_ cvm_tee cvm_tee_from_string(const char *s)
{
        return tee_from_string(s);
}

_public_ const char *cvm_version(void)
{
        return PROJECT_VERSION;
}

_public_ void cvm_set_log_callback(void (*cb)(int level, const char *message, void *userdata),
                                   void *userdata)
{
        log_set_callback(cb, userdata);
        /* A library user that installs a callback wants the debug messages too. */
        log_set_max_level(cb ? LOG_DEBUG : LOG_INFO);
}
