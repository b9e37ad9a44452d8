/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * Exit codes, frozen: scripts rely on them (cvm(1) EXIT STATUS). Verbs return one of these, or a negative
 * errno which main() reports and maps to CVM_EXIT_ERROR.
 */
enum {
        CVM_EXIT_SUCCESS = 0,  /* yes: ready, valid, accepted, done */
        CVM_EXIT_NEGATIVE = 1, /* a well-formed "no": not ready, invalid, rejected */
        CVM_EXIT_ERROR = 2,    /* bad usage, unreadable or malformed input, or the job could not be done */
        /* cvm run only: how the VM ended (0: the guest powered off, or it was stopped on request). */
        CVM_EXIT_QEMU_FAILED = 3,    /* QEMU could not start, or ended without the guest shutting down */
        CVM_EXIT_GUEST_PANICKED = 4, /* the guest panicked (GUEST_PANICKED, e.g. a TDX fatal error) */
        CVM_EXIT_RESTART_LIMIT = 5,  /* the guest rebooted more often than --max-restarts allows */
};

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* positional arguments after the verb; -1: any */
        int (*fn)(int argc, char *argv[]);
        const char *synopsis;
        const char *help;
} Verb;

#define VERB_ANY (-1)

int verb_check(int argc, char *argv[]);
int verb_facts(int argc, char *argv[]);
int verb_capacity(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
int verb_validate(int argc, char *argv[]);
int verb_domxml(int argc, char *argv[]);
int verb_flavor(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_stop(int argc, char *argv[]);
int verb_inspect(int argc, char *argv[]);
int verb_verify(int argc, char *argv[]);
int verb_collateral(int argc, char *argv[]);
int verb_quote(int argc, char *argv[]);
int verb_firmware(int argc, char *argv[]);
int verb_measure(int argc, char *argv[]);
int verb_eventlog(int argc, char *argv[]);

/*
 * cvm domxml and cvm run --backend=libvirt: vm_cli_prepare(), findings to stderr, CVM_EXIT_NEGATIVE for an
 * invalid definition; a firmware found on this host is dropped again so that libvirt selects its own.
 */
typedef struct VmSpec VmSpec;
typedef struct VmValidation VmValidation;
int domxml_prepare(VmSpec *spec, const char *root, const char *facts_file, bool host_is_target,
                   VmValidation *v);

/* Shared option handling. */
int parse_tee_mask(const char *s, unsigned *ret);
/* Prints "Try 'cvm VERB --help'." and returns CVM_EXIT_ERROR. */
int usage_error(const char *verb, const char *format, ...) _printf_(2, 3);
/* Loads facts from --facts=FILE or collects them under root. */
struct cvm_host_facts;
int load_or_collect_facts(const char *facts_file, const char *root, const char *qemu, unsigned flags,
                          struct cvm_host_facts **ret);
/* Whether stdout gets colours (a terminal, and $NO_COLOR unset). */
bool use_color(void);
/* Checks the number of positional arguments left after option parsing against the verb table. */
int verb_positional(const char *verb, int n);
