/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The misc cgroup controller's interface files (Documentation/admin-guide/cgroup-v2.rst, "Misc";
 * kernel/cgroup/misc.c). misc.capacity (root cgroup only) and misc.current are flat-keyed files that
 * misc_cg_capacity_show() / misc_cg_current_show() print as seq_printf("%s %llu\n", misc_res_name[i], v)
 * for each resource whose capacity is set; the names come from misc_res_name[] ("sev", "sev_es", "tdx").
 * Only misc.max prints the word "max" (for U64_MAX), so in the two files read here anything but a
 * decimal u64 is garbage and refused.
 */
#include <ctype.h>

#include "log.h"
#include "misc-cgroup.h"

/* kernel/cgroup/misc.c knows three names; a cap keeps a hostile facts document from costing much. */
#define MISC_ENTRIES_MAX 64U

static bool misc_name_valid(const char *s, size_t n)
{
        if (n == 0 || n >= sizeof(((MiscEntry *) NULL)->name))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= '0' && s[i] <= '9') && s[i] != '_')
                        return false;
        return true;
}

/* A decimal u64 as "%llu" prints it: digits only, no sign, no leading zeros, no overflow. */
static int misc_value_parse(const char *s, size_t n, uint64_t *ret)
{
        uint64_t v = 0;

        if (n == 0 || (n > 1 && s[0] == '0'))
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EBADMSG;
                unsigned d = (unsigned) (s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EBADMSG;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int misc_cgroup_parse(const char *text, MiscEntry **ret, size_t *ret_n)
{
        _cleanup_free_ MiscEntry *entries = NULL;
        size_t n = 0;
        unsigned line_no = 0;

        assert(text);

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n');
                size_t len = (size_t) (eol - p);
                line_no++;

                const char *sp = memchr(p, ' ', len);
                if (!sp)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "misc cgroup line %u: no \"NAME VALUE\" separator", line_no);
                size_t name_len = (size_t) (sp - p);
                if (!misc_name_valid(p, name_len))
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "misc cgroup line %u: invalid resource name", line_no);

                uint64_t v;
                if (misc_value_parse(sp + 1, (size_t) (eol - sp - 1), &v) < 0)
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                               "misc cgroup line %u: value is not a decimal u64", line_no);

                for (size_t i = 0; i < n; i++)
                        if (strlen(entries[i].name) == name_len && strneq(entries[i].name, p, name_len))
                                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG),
                                                       "misc cgroup line %u: resource listed twice",
                                                       line_no);
                if (n >= MISC_ENTRIES_MAX)
                        return log_debug_errno(SYNTHETIC_ERRNO(E2BIG),
                                               "misc cgroup file has more than %u resources",
                                               MISC_ENTRIES_MAX);

                MiscEntry *a = reallocarray(entries, n + 1, sizeof(MiscEntry));
                if (!a)
                        return -ENOMEM;
                entries = a;
                entries[n] = (MiscEntry){ .value = v };
                memcpy(entries[n].name, p, name_len);
                n++;

                /* The kernel ends every line with '\n'; a missing one on the last line is tolerated. */
                p = *eol ? eol + 1 : eol;
        }

        *ret = TAKE_PTR(entries);
        *ret_n = n;
        return 0;
}

/*
 * Where the root cgroup's files live: the unified (v2) hierarchy at /sys/fs/cgroup; a v1 "misc" hierarchy
 * mounted at /sys/fs/cgroup/misc (what NFD also tries, launch.md §6.1 item 6); and systemd's hybrid layout,
 * whose v2 tree sits at /sys/fs/cgroup/unified (test-environment.md §6) and gets the controllers no v1
 * hierarchy took, misc included.
 */
static const struct {
        const char *capacity, *current;
} misc_paths[] = {
        { "/sys/fs/cgroup/misc.capacity", "/sys/fs/cgroup/misc.current" },
        { "/sys/fs/cgroup/misc/misc.capacity", "/sys/fs/cgroup/misc/misc.current" },
        { "/sys/fs/cgroup/unified/misc.capacity", "/sys/fs/cgroup/unified/misc.current" },
};

static int misc_lookup(const char *text, const char *resource, uint64_t *ret)
{
        _cleanup_free_ MiscEntry *e = NULL;
        size_t n;
        int r = misc_cgroup_parse(text, &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (streq(e[i].name, resource)) {
                        *ret = e[i].value;
                        return 0;
                }
        return -ENODATA;
}

int facts_misc_resource(const HostFacts *f, const char *resource, uint64_t *ret_capacity,
                        uint64_t *ret_current, const char **ret_source)
{
        for (size_t i = 0; i < ELEMENTSOF(misc_paths); i++) {
                const char *text;
                uint64_t cap, cur = 0;

                int r = facts_file_text(f, misc_paths[i].capacity, &text);
                if (r == -ENOENT)
                        continue;
                if (r < 0 || (r = misc_lookup(text, resource, &cap)) < 0) {
                        if (ret_source)
                                *ret_source = misc_paths[i].capacity;
                        return r;
                }

                /*
                 * Older kernels do not show misc.current in the root cgroup (kernel/cgroup/misc.c had
                 * CFTYPE_NOT_ON_ROOT on it); nothing charged is the only reading then.
                 */
                r = facts_file_text(f, misc_paths[i].current, &text);
                if (r >= 0)
                        r = misc_lookup(text, resource, &cur);
                if (r == -ENODATA || r == -ENOENT)
                        cur = 0;
                else if (r < 0) {
                        if (ret_source)
                                *ret_source = misc_paths[i].current;
                        return r;
                }

                if (ret_capacity)
                        *ret_capacity = cap;
                if (ret_current)
                        *ret_current = cur;
                if (ret_source)
                        *ret_source = misc_paths[i].capacity;
                return 0;
        }
        return -ENOENT;
}

bool facts_misc_current_known(const HostFacts *f, const char *source)
{
        const char *text;
        for (size_t i = 0; i < ELEMENTSOF(misc_paths); i++)
                if (streq(misc_paths[i].capacity, source))
                        return facts_file_text(f, misc_paths[i].current, &text) >= 0;
        return false;
}
