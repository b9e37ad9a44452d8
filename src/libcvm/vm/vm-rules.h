/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"
#include "vm-spec.h"

/*
 * Validation: a table of rules, each stating one requirement that QEMU, KVM, libvirt, Nova or
 * systemd-vmspawn imposes on a confidential VM definition. A violated rule yields a finding with the
 * rule's id, severity, the system that states it, a message naming the offending setting and a hint.
 */
typedef enum RuleSeverity {
        RULE_ERROR,
        RULE_WARNING,
        _RULE_SEVERITY_MAX,
} RuleSeverity;

enum {
        /* Depends on this host (KVM, CPUID, key slots, the QEMU binary), not on the definition alone. */
        RULE_HOST = 1 << 0,
};

typedef struct VmFinding {
        const char *id;
        RuleSeverity severity;
        const char *source;
        char *message;
        char *hint;
} VmFinding;

typedef struct RuleContext {
        const VmSpec *spec;
        const HostFacts *facts; /* the host the VM is to run on; NULL when unknown */
        /* false when preparing a command line for another host (--dry-run): host-dependent errors warn */
        bool host_is_target;
} RuleContext;

typedef struct VmRule {
        const char *id;
        RuleSeverity severity;
        unsigned flags;
        const char *source;
        /* 0: satisfied (or not applicable); 1: violated, with message and hint set; <0: -errno */
        int (*check)(const RuleContext *c, char **ret_message, char **ret_hint);
} VmRule;

extern const VmRule vm_rules[];
extern const size_t vm_rules_count;

typedef struct VmValidation {
        VmFinding *findings;
        size_t n_findings;
        size_t n_errors;
} VmValidation;

int vm_validate(const RuleContext *c, VmValidation *ret);
void vm_validation_done(VmValidation *v);

const char *rule_severity_to_string(RuleSeverity s);
RuleSeverity rule_severity_from_string(const char *s);
