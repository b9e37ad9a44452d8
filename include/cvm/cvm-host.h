/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/**
 * @file cvm-host.h
 * Host facts and readiness checks: can this host run TDX / SEV-SNP guests, and if not, why.
 *
 * Two stages keep the analysis portable: cvm_host_facts_collect() gathers raw facts (file contents,
 * ioctl results, CPUID, MSRs, the QEMU binary's capabilities) into a JSON document; cvm_host_check() turns
 * facts into findings without touching the host. A facts document saved on one machine therefore gives
 * the same findings anywhere (cvm facts / cvm check --facts=FILE).
 */

#include "cvm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cvm_host_facts cvm_host_facts;

/** Status of one check. */
typedef enum cvm_check_status {
        CVM_CHECK_PASS,
        CVM_CHECK_WARN,
        CVM_CHECK_FAIL,
        CVM_CHECK_SKIP,
        _CVM_CHECK_STATUS_MAX,
} cvm_check_status;

/** Readiness of one TEE. */
typedef enum cvm_verdict {
        CVM_VERDICT_READY,
        CVM_VERDICT_NOT_READY,
        CVM_VERDICT_UNKNOWN, /**< nothing failed, but a required fact could not be read */
        _CVM_VERDICT_MAX,
} cvm_verdict;

/** One finding: a stable id, the TEE it concerns, a status, what was seen and where, and how to fix it. */
typedef struct cvm_finding {
        const char *id;
        cvm_tee tee;
        cvm_check_status status;
        char *message;
        char *hint; /**< NULL when there is nothing to do */
} cvm_finding;

typedef struct cvm_host_report {
        cvm_finding *findings;
        size_t n_findings;
        unsigned tee_mask;                 /**< (1 << CVM_TEE_TDX) | (1 << CVM_TEE_SNP): the TEEs checked */
        cvm_verdict verdict[_CVM_TEE_MAX]; /**< meaningful for the TEEs in tee_mask */
} cvm_host_report;

/** Flags for cvm_host_facts_collect(). */
enum {
        CVM_FACTS_NO_QEMU = 1 << 0, /**< do not start QEMU to probe its capabilities */
        CVM_FACTS_NO_QGS = 1 << 1, /**< do not try to reach a Quote Generation Service (it may take 0.5 s) */
        CVM_FACTS_COMMON_ONLY =
                1 << 2, /**< only what the common checks read (architecture, /dev/kvm, KVM) */
};

/**
 * Collects the facts of the host below root (NULL or "/" for this host). Under another root, facts that
 * need an ioctl, CPUID, an MSR or running QEMU are read from ROOT/cvm-facts/NAME.json when present (see
 * cvm-facts(5)), else recorded as not collected.
 * @param qemu the QEMU binary to probe, or NULL to search $CVM_QEMU, PATH and /usr/libexec/qemu-kvm
 * @return 0, or -ENOMEM; unreadable host files are facts, not errors
 */
int cvm_host_facts_collect(const char *root, const char *qemu, unsigned flags, cvm_host_facts **ret);

/** Parses a facts document; -EBADMSG when it is not one (details at debug level). */
int cvm_host_facts_parse(const char *json, size_t size, cvm_host_facts **ret);
/** Serialises facts as pretty-printed JSON (free() the result). */
int cvm_host_facts_format(const cvm_host_facts *facts, char **ret);
cvm_host_facts *cvm_host_facts_free(cvm_host_facts *facts);

/**
 * Runs the readiness checks of the TEEs in tee_mask (a bit mask of 1 << cvm_tee) against facts.
 * Common checks always run.
 */
int cvm_host_check(const cvm_host_facts *facts, unsigned tee_mask, cvm_host_report **ret);
cvm_host_report *cvm_host_report_free(cvm_host_report *report);

const char *cvm_check_status_to_string(cvm_check_status s);
const char *cvm_verdict_to_string(cvm_verdict v);

/**
 * Key-slot capacity of one TEE resource in the misc cgroup: "tdx" (TDX private KeyIDs for guests), "sev"
 * (SEV ASIDs), "sev_es" (SEV-ES ASIDs, which SEV-SNP guests use too). Free slots are total - used.
 */
typedef struct cvm_capacity {
        const char *resource;
        bool present;       /**< the kernel advertises the resource (KVM set a capacity) */
        uint64_t total;     /**< misc.capacity */
        uint64_t used;      /**< misc.current; 0 when unknown (see used_known) */
        const char *source; /**< the misc.capacity file the numbers come from; NULL when none was read.
                               Valid as long as the facts are. */
        bool used_known;    /**< misc.current was read (old kernels lack it in the root cgroup) */
} cvm_capacity;

/**
 * Reads TDX KeyIDs and SEV / SEV-ES ASIDs from the facts' misc cgroup files (v2, then v1, then the v2 tree
 * of a hybrid layout, /sys/fs/cgroup/unified).
 * @param ret array of 3 entries, one per resource in the order tdx, sev, sev_es; written only on success
 * @return 0; -ENOENT when no misc cgroup is mounted; -EBADMSG when its files are malformed; another -errno
 *         when they could not be read
 */
int cvm_host_capacity(const cvm_host_facts *facts, cvm_capacity ret[static 3]);

#ifdef __cplusplus
}
#endif
