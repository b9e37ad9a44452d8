/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * misc.capacity / misc.current text reaches cvm from sysfs or from a facts document. Parse the input as
 * such a file; then put it in a facts document as both misc.capacity and (split at the first NUL, if any)
 * misc.current and read the TEE capacities through the public API, as 'cvm capacity' does.
 */
#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "fuzz.h"
#include "misc-cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (fuzz_too_big(size))
                return 0;

        _cleanup_free_ char *text = strndup((const char *) data, size);
        if (!text)
                return 0;
        size_t first = strlen(text);
        const char *current = first + 1 < size ? (const char *) data + first + 1 : "";
        _cleanup_free_ char *cur = strndup(current, first + 1 < size ? size - first - 1 : 0);
        if (!cur)
                return 0;

        _cleanup_free_ MiscEntry *e = NULL;
        size_t n;
        if (misc_cgroup_parse(text, &e, &n) >= 0)
                for (size_t i = 0; i < n; i++)
                        if (!e[i].name[0] || strlen(e[i].name) >= sizeof(e[i].name))
                                abort();

        _cleanup_(json_object_putp) json_object *doc = json_object_new_object();
        json_object *files = json_object_new_object(), *cap = json_object_new_object(),
                    *curo = json_object_new_object();
        if (!doc || json_add(doc, "cvm-facts", json_object_new_int(FACTS_FORMAT_VERSION)) < 0 ||
            json_add(doc, "files", files) < 0 || json_add(doc, "paths", json_object_new_object()) < 0 ||
            json_add(files, "/sys/fs/cgroup/misc.capacity", cap) < 0 ||
            json_add(cap, "text", json_object_new_string(text)) < 0 ||
            json_add(files, "/sys/fs/cgroup/misc.current", curo) < 0 ||
            json_add(curo, "text", json_object_new_string(cur)) < 0)
                return 0;

        HostFacts facts = { .doc = doc };
        cvm_capacity c[3];
        if (cvm_host_capacity(&facts, c) == 0)
                for (size_t i = 0; i < 3; i++)
                        if (!c[i].resource || (c[i].present && !c[i].source))
                                abort();
        return 0;
}
