/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>

#include "cvm/cvm-host.h"
#include "json-util.h"
#include "vm/vm-rules.h"
#include "vm/vm-spec.h"

/*
 * Command-line handling shared by the verbs that take a VM definition (validate, run, domxml): the VM
 * option table of vm-options.c plus --config=FILE, with options on the command line overriding the file.
 * Verb-specific options are passed in extra[] and handed back through on_extra().
 */
/* Options every such verb has: where the host facts come from, and JSON output. */
typedef struct VmCliCommon {
        bool json;
        const char *root;  /* --root=DIR */
        const char *facts; /* --facts=FILE */
} VmCliCommon;

typedef struct VmCli {
        const char *verb;
        VmCliCommon *common;        /* filled from --json, --root=, --facts= */
        const struct option *extra; /* terminated by a zeroed entry */
        const char *extra_short;    /* getopt short options of the verb, e.g. "hq" */
        int (*on_extra)(int c, const char *arg, void *userdata); /* NULL: no extra options */
        void (*help)(void);
        void *userdata;
} VmCli;

/*
 * Parses argv into spec (initialised by the caller). Returns 1 to go on, 0 when the verb is done (help
 * shown), or -errno after reporting the problem. on_extra() follows the same convention; 'h' (--help) is
 * handled here through help().
 */
int vm_cli_parse(const VmCli *cli, int argc, char *argv[], VmSpec *spec);

/*
 * Collects host facts (probing spec->qemu), resolves the definition against them and validates it.
 * host_is_target false (--dry-run): what this host lacks is reported as warnings. Returns 0, a CVM_EXIT_*
 * code > 0 after reporting why the definition cannot be completed, or -errno.
 */
int vm_cli_prepare(VmSpec *spec, const char *root, const char *facts_file, bool host_is_target,
                   cvm_host_facts **ret_facts, VmValidation *ret);

void vm_validation_print(const VmValidation *v, FILE *f);
int vm_validation_to_json(const VmValidation *v, json_object **ret);
