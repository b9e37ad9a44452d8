/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cvm capacity: TDX KeyIDs and SEV / SEV-ES ASIDs, total, used and free, from the misc cgroup; also as the
 * OpenStack Placement resource providers nova builds for them, and as a Kubernetes node-feature-discovery
 * feature file.
 */
#include <getopt.h>
#include <inttypes.h>

#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "facts.h"
#include "checks.h"
#include "json-util.h"
#include "log.h"
#include "output.h"
#include "verbs.h"

typedef enum CapacityFormat {
        FORMAT_TEXT,
        FORMAT_JSON,
        FORMAT_PLACEMENT,
        FORMAT_NFD,
} CapacityFormat;

/* The order of cvm_host_capacity(): tdx, sev, sev_es. */
static const char *const resource_titles[3] = {
        "TDX KeyIDs",
        "SEV ASIDs",
        "SEV-ES/SNP ASIDs",
};

/*
 * Placement (launch.md §5; openstack/nova nova/virt/libvirt/driver.py _ensure_memory_encryption_providers()
 * and host.py get_mem_encryption_inventories()): one child provider "<nodename>_<model>" per memory
 * encryption model, with MEM_ENCRYPTION_CONTEXT inventory {total, reserved 0, min_unit 1, max_unit 1,
 * step_size 1, allocation_ratio 1.0} and the model's os-traits trait. SEV-ES and SEV-SNP guests share the
 * "sev_es" ASID pool, and nova gives both providers that same total (maxESGuests). Nova has no TDX code
 * yet (its spec is approved for 2026.2); "intel_tdx" follows the same naming, and HW_CPU_X86_INTEL_TDX is
 * in os-traits (os_traits/hw/cpu/x86/intel.py).
 */
static const struct {
        size_t resource; /* index into the cvm_capacity array */
        const char *model, *trait;
        const char *kvm_param; /* nova reports a model only when KVM enables it */
} placement_models[] = {
        { 0, "intel_tdx", "HW_CPU_X86_INTEL_TDX", "/sys/module/kvm_intel/parameters/tdx" },
        { 1, "amd_sev", "HW_CPU_X86_AMD_SEV", "/sys/module/kvm_amd/parameters/sev" },
        { 2, "amd_sev_es", "HW_CPU_X86_AMD_SEV_ES", "/sys/module/kvm_amd/parameters/sev_es" },
        { 2, "amd_sev_snp", "HW_CPU_X86_AMD_SEV_SNP", "/sys/module/kvm_amd/parameters/sev_snp" },
};

/*
 * The names node-feature-discovery itself uses (launch.md §6.4; source/cpu/security_amd64.go): labels
 * cpu-security.{tdx,sev,sev.es,sev.snp}.enabled from the kvm module parameters (tdx exactly "Y\n"; the
 * SEV ones starting with '1' or 'Y'), and the misc cgroup counts as attributes that are never labels
 * (tdx.total_keys, sev.asids, sev.encrypted_state_ids). So a node whose NFD cannot see /sys/module or the
 * misc cgroup gets the same features, and rules written for NFD's own names work unchanged. The free
 * counts are cvm's addition, under the same prefix, also never labels.
 */
static const struct {
        const char *label, *kvm_param;
        bool exact_y;
} nfd_labels[] = {
        { "cpu-security.tdx.enabled", "/sys/module/kvm_intel/parameters/tdx", true },
        { "cpu-security.sev.enabled", "/sys/module/kvm_amd/parameters/sev", false },
        { "cpu-security.sev.es.enabled", "/sys/module/kvm_amd/parameters/sev_es", false },
        { "cpu-security.sev.snp.enabled", "/sys/module/kvm_amd/parameters/sev_snp", false },
};
static const struct {
        const char *total, *free;
} nfd_counts[3] = {
        { "cpu-security.tdx.total_keys", "cpu-security.tdx.free_keys" },
        { "cpu-security.sev.asids", "cpu-security.sev.free_asids" },
        { "cpu-security.sev.encrypted_state_ids", "cpu-security.sev.free_encrypted_state_ids" },
};
#define NFD_PREFIX "feature.node.kubernetes.io/"

static void print_text(const cvm_capacity c[static 3])
{
        printf("%-18s %-7s %6s %6s %6s  %s\n", "RESOURCE", "MISC", "TOTAL", "USED", "FREE", "SOURCE");
        for (size_t i = 0; i < 3; i++) {
                if (!c[i].present) {
                        printf("%-18s %-7s %6s %6s %6s  %s\n", resource_titles[i], c[i].resource, "-", "-",
                               "-",
                               c[i].source ? "not listed: the kernel does not offer it" : "no misc cgroup");
                        continue;
                }
                char used[24] = "?", free_[24] = "?";
                if (c[i].used_known) {
                        snprintf(used, sizeof(used), "%" PRIu64, c[i].used);
                        snprintf(free_, sizeof(free_), "%" PRIu64,
                                 c[i].total > c[i].used ? c[i].total - c[i].used : 0);
                }
                printf("%-18s %-7s %6" PRIu64 " %6s %6s  %s%s\n", resource_titles[i], c[i].resource,
                       c[i].total, used, free_, c[i].source,
                       c[i].used_known ? "" : " (no misc.current: usage unknown)");
        }
}

/* json-c represents null as a NULL value, which json_add() would take for an allocation failure. */
static int json_add_u64_or_null(json_object *o, const char *key, bool known, uint64_t v)
{
        if (known)
                return json_add(o, key, json_object_new_uint64(v));
        return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
}

static int print_json(const cvm_capacity c[static 3], const char *misc)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        if (!o || json_add_string_or_null(o, "misc_cgroup", misc) < 0 || json_add(o, "resources", a) < 0)
                return log_oom();

        for (size_t i = 0; i < 3; i++) {
                json_object *e = json_object_new_object();
                bool p = c[i].present, u = p && c[i].used_known;
                uint64_t free_ = c[i].total > c[i].used ? c[i].total - c[i].used : 0;
                if (json_append(a, e) < 0 ||
                    json_add(e, "resource", json_object_new_string(c[i].resource)) < 0 ||
                    json_add(e, "description", json_object_new_string(resource_titles[i])) < 0 ||
                    json_add(e, "present", json_object_new_boolean(p)) < 0 ||
                    json_add_u64_or_null(e, "total", p, c[i].total) < 0 ||
                    json_add_u64_or_null(e, "used", u, c[i].used) < 0 ||
                    json_add_u64_or_null(e, "free", u, free_) < 0 ||
                    json_add_string_or_null(e, "source", c[i].source) < 0)
                        return log_oom();
        }
        return output_json(o);
}

static int print_placement(const cvm_host_facts *facts, const cvm_capacity c[static 3], const char *nodename)
{
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        if (!o || json_add(o, "root_provider", json_object_new_string(nodename)) < 0 ||
            json_add(o, "resource_providers", a) < 0)
                return log_oom();

        for (size_t i = 0; i < ELEMENTSOF(placement_models); i++) {
                const cvm_capacity *r = c + placement_models[i].resource;
                /* Nova drops a provider whose total is 0, and a model KVM has switched off. */
                if (!r->present || r->total == 0 ||
                    facts_file_bool(facts, placement_models[i].kvm_param) == 0)
                        continue;

                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "%s_%s", nodename, placement_models[i].model) < 0)
                        return log_oom();
                json_object *p = json_object_new_object(), *inv = json_object_new_object(),
                            *mec = json_object_new_object(), *traits = json_object_new_array(),
                            *usages = json_object_new_object();
                if (json_append(a, p) < 0 || json_add(p, "name", json_object_new_string(name)) < 0 ||
                    json_add(p, "parent_provider", json_object_new_string(nodename)) < 0 ||
                    json_add(p, "inventories", inv) < 0 ||
                    json_add(inv, "MEM_ENCRYPTION_CONTEXT", mec) < 0 ||
                    json_add(mec, "total", json_object_new_uint64(r->total)) < 0 ||
                    json_add(mec, "reserved", json_object_new_int(0)) < 0 ||
                    json_add(mec, "min_unit", json_object_new_int(1)) < 0 ||
                    json_add(mec, "max_unit", json_object_new_int(1)) < 0 ||
                    json_add(mec, "step_size", json_object_new_int(1)) < 0 ||
                    json_add(mec, "allocation_ratio", json_object_new_double(1.0)) < 0 ||
                    json_add(p, "traits", traits) < 0 ||
                    json_append(traits, json_object_new_string(placement_models[i].trait)) < 0 ||
                    json_add(p, "usages", usages) < 0 ||
                    json_add_u64_or_null(usages, "MEM_ENCRYPTION_CONTEXT", r->used_known, r->used) < 0 ||
                    json_add(p, "source", json_object_new_string(r->source)) < 0 ||
                    json_add(p, "misc_resource", json_object_new_string(r->resource)) < 0)
                        return log_oom();
        }
        return output_json(o);
}

static void print_nfd(const cvm_host_facts *facts, const cvm_capacity c[static 3], const char *misc)
{
        /*
         * Format: kubernetes-sigs/node-feature-discovery docs/usage/customization-guide.md "Local feature
         * source" and source/local/local.go: "<namespace>/<name>[=<value>]" per line, '#' comments, and
         * "# +no-label" directives that keep the next line out of node labels while it stays a feature
         * (local.feature) for NodeFeatureRules. A comment must not start with "# +" unless it is one.
         */
        printf("# Node Feature Discovery feature file written by 'cvm capacity --nfd' (cvm %s)\n"
               "# Misc cgroup: %s.\n"
               "# Install it as /etc/kubernetes/node-feature-discovery/features.d/cvm-capacity:\n"
               "# write .cvm-capacity first and rename it, as NFD ignores dot files. The counts\n"
               "# change with every guest, so, as in NFD itself, they are features for\n"
               "# NodeFeatureRules only, never labels.\n",
               cvm_version(), misc ?: "none on this host");
        for (size_t i = 0; i < ELEMENTSOF(nfd_labels); i++) {
                const char *t;
                if (facts_file_text(facts, nfd_labels[i].kvm_param, &t) < 0)
                        continue;
                if (nfd_labels[i].exact_y ? streq(t, "Y\n") : (t[0] == '1' || t[0] == 'Y'))
                        printf(NFD_PREFIX "%s=true\n", nfd_labels[i].label);
        }
        for (size_t i = 0; i < 3; i++) {
                if (!c[i].present)
                        continue;
                printf("# +no-label\n" NFD_PREFIX "%s=%" PRIu64 "\n", nfd_counts[i].total, c[i].total);
                if (c[i].used_known)
                        printf("# +no-label\n" NFD_PREFIX "%s=%" PRIu64 "\n", nfd_counts[i].free,
                               c[i].total > c[i].used ? c[i].total - c[i].used : 0);
        }
}

static void help(void)
{
        printf("Usage: cvm capacity [OPTIONS...]\n\n"
               "Show how many confidential guests this host can still start: TDX private KeyIDs\n"
               "and SEV / SEV-ES ASIDs (SEV-SNP guests use the SEV-ES ones), total, used and free,\n"
               "as the kernel counts them in the misc cgroup (misc.capacity, misc.current).\n\n"
               "  --json            Print {\"misc_cgroup\":...,\"resources\":[...]}\n"
               "  --placement       Print the OpenStack Placement view as JSON: one child resource\n"
               "                    provider <nodename>_<model> per TEE, with MEM_ENCRYPTION_CONTEXT\n"
               "                    inventory and its HW_CPU_X86_* trait\n"
               "  --nodename=NAME   Root provider for --placement (default: this machine's host name)\n"
               "  --nfd             Print a Kubernetes node-feature-discovery feature file\n"
               "  --root=DIR        Read /sys below DIR\n"
               "  --facts=FILE      Use a saved 'cvm facts' document instead of this host\n"
               "  -h, --help        Show this help\n\n"
               "Exit status: 0 the kernel offers at least one of these resources; 1 it offers none,\n"
               "or there is no misc cgroup to ask (the output says which); 2 error, e.g. malformed\n"
               "misc cgroup files.\n");
}

int verb_capacity(int argc, char *argv[])
{
        enum {
                ARG_JSON = 0x100,
                ARG_PLACEMENT,
                ARG_NFD,
                ARG_NODENAME,
                ARG_ROOT,
                ARG_FACTS
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "placement", no_argument, NULL, ARG_PLACEMENT },
                { "nfd", no_argument, NULL, ARG_NFD },
                { "nodename", required_argument, NULL, ARG_NODENAME },
                { "root", required_argument, NULL, ARG_ROOT },
                { "facts", required_argument, NULL, ARG_FACTS },
                {},
        };
        CapacityFormat format = FORMAT_TEXT;
        const char *root = NULL, *facts_file = NULL, *nodename = NULL;
        unsigned n_formats = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CVM_EXIT_SUCCESS;
                case ARG_JSON:
                        format = FORMAT_JSON;
                        n_formats++;
                        break;
                case ARG_PLACEMENT:
                        format = FORMAT_PLACEMENT;
                        n_formats++;
                        break;
                case ARG_NFD:
                        format = FORMAT_NFD;
                        n_formats++;
                        break;
                case ARG_NODENAME:
                        if (isempty(optarg))
                                return usage_error("capacity", "--nodename= needs a name.");
                        nodename = optarg;
                        break;
                case ARG_ROOT:
                        root = optarg;
                        break;
                case ARG_FACTS:
                        facts_file = optarg;
                        break;
                default:
                        return usage_error("capacity", "Invalid option.");
                }
        if ((r = verb_positional("capacity", argc - optind)) != 0)
                return r;
        if (n_formats > 1)
                return usage_error("capacity", "--json, --placement and --nfd exclude each other.");
        if (root && facts_file)
                return usage_error("capacity", "--root= and --facts= exclude each other.");
        if (nodename && format != FORMAT_PLACEMENT)
                return usage_error("capacity", "--nodename= only applies to --placement.");

        char host[256];
        if (format == FORMAT_PLACEMENT && !nodename) {
                if (gethostname(host, sizeof(host)) < 0)
                        return log_error_errno(errno, "Failed to get the host name, use --nodename=: %m");
                host[sizeof(host) - 1] = 0;
                nodename = host;
        }

        /* Capacity needs no QEMU. */
        _cleanup_(cvm_host_facts_freep) cvm_host_facts *facts = NULL;
        r = load_or_collect_facts(facts_file, root, NULL, CVM_FACTS_NO_QEMU | CVM_FACTS_NO_QGS, &facts);
        if (r < 0)
                return r;

        cvm_capacity cap[3] = {
                { .resource = "tdx" },
                { .resource = "sev" },
                { .resource = "sev_es" },
        };
        const char *misc = NULL;
        r = cvm_host_capacity(facts, cap);
        if (r == -ENOENT)
                log_error("No misc cgroup: neither /sys/fs/cgroup/misc.capacity (cgroup v2) nor "
                          "/sys/fs/cgroup/misc/misc.capacity (v1) exists, so key capacity is unknown. "
                          "The kernel needs CONFIG_CGROUP_MISC.");
        else if (r == -EBADMSG)
                return log_error_errno(
                        r, "The misc cgroup files are malformed (run with --debug for the line).");
        else if (r < 0)
                return log_error_errno(r, "Failed to read the misc cgroup: %m");
        else
                for (size_t i = 0; i < 3 && !misc; i++)
                        misc = cap[i].source;

        switch (format) {
        case FORMAT_TEXT:
                print_text(cap);
                break;
        case FORMAT_JSON:
                if ((r = print_json(cap, misc)) < 0)
                        return r;
                break;
        case FORMAT_PLACEMENT:
                if ((r = print_placement(facts, cap, nodename)) < 0)
                        return r;
                break;
        case FORMAT_NFD:
                print_nfd(facts, cap, misc);
                break;
        }

        for (size_t i = 0; i < 3; i++)
                if (cap[i].present)
                        return CVM_EXIT_SUCCESS;
        if (misc)
                log_error("%s lists none of tdx, sev, sev_es: KVM offers no confidential-guest keys "
                          "on this host (see 'cvm check').",
                          misc);
        return CVM_EXIT_NEGATIVE;
}
