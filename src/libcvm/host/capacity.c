/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Key-slot capacity of the confidential-VM technologies, from the misc cgroup: KVM sets the capacity of
 * "tdx" to the TDX private KeyIDs left for guests (tdx_get_nr_guest_keyids(): the BIOS range minus the TDX
 * module's global KeyID), of "sev" and "sev_es" to the SEV and SEV-ES ASIDs (SEV-SNP guests draw from the
 * "sev_es" pool); each running guest charges one (launch.md §6.1 item 6).
 */
#include "misc-cgroup.h"

static const char *const capacity_resources[3] = { "tdx", "sev", "sev_es" };

_public_ int cvm_host_capacity(const cvm_host_facts *facts, cvm_capacity ret[static 3])
{
        cvm_capacity c[3] = {};
        bool any = false;

        for (size_t i = 0; i < ELEMENTSOF(capacity_resources); i++) {
                const char *source = NULL;
                uint64_t total, used;

                c[i].resource = capacity_resources[i];
                int r = facts_misc_resource(facts, capacity_resources[i], &total, &used, &source);
                if (r == -ENOENT)
                        continue;
                any = true;
                c[i].source = source;
                if (r == -ENODATA)
                        continue;
                if (r < 0)
                        return r;
                c[i].present = true;
                c[i].total = total;
                c[i].used = used;
                c[i].used_known = facts_misc_current_known(facts, source);
        }
        if (!any)
                return -ENOENT;

        memcpy(ret, c, sizeof(c));
        return 0;
}
