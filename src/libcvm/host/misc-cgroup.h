/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"

/*
 * The misc cgroup controller's key-slot accounting (Documentation/admin-guide/cgroup-v2.rst, "Misc"):
 * misc.capacity and misc.current hold lines "RESOURCE VALUE". KVM registers "tdx" (TDX private KeyIDs
 * usable by TDs), "sev" and "sev_es" (SEV and SEV-ES/SNP ASIDs); each running guest charges one.
 */
typedef struct MiscEntry {
        char name[32];
        uint64_t value;
} MiscEntry;

/*
 * Parses misc.capacity / misc.current text: lines "NAME VALUE" with NAME [a-z0-9_]{1,31} and VALUE a
 * decimal u64 (the kernel prints "%s %llu\n"; "max" appears only in misc.max and is refused here). Empty
 * text is valid and gives no entries. -EBADMSG (the bad line number logged at debug) on malformed input,
 * -E2BIG over 64 entries. *ret is malloc'ed (NULL when there are no entries).
 */
int misc_cgroup_parse(const char *text, MiscEntry **ret, size_t *ret_n);

/*
 * Capacity and usage of one resource from the facts, trying cgroup v2 (/sys/fs/cgroup/misc.capacity) then
 * v1 (/sys/fs/cgroup/misc/misc.capacity), then the v2 tree of systemd's hybrid layout
 * (/sys/fs/cgroup/unified/misc.capacity). 0 on success, with the misc.capacity path used in *ret_source;
 * -ENOENT when no misc cgroup file was found; -ENODATA when the resource is not listed (the kernel or KVM
 * does not offer it); -EBADMSG when a file is malformed; another -errno when it could not be read. On
 * every failure but -ENOENT *ret_source names the file concerned.
 * ret_current is 0 when misc.current is absent (the root cgroup of v2 has none before kernel 6.x).
 */
int facts_misc_resource(const HostFacts *f, const char *resource, uint64_t *ret_capacity,
                        uint64_t *ret_current, const char **ret_source);

/* Whether the misc.current next to the misc.capacity at source was read, i.e. usage is known. */
bool facts_misc_current_known(const HostFacts *f, const char *source);
