/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>

#include "vm-spec.h"

/*
 * One table serves the command line and the INI file: every VM definition key is a long option
 * ("--memory=4G") and the same key in the file's [VM] section ("memory=4G"). Errors are returned as text
 * in *reterr (malloc'ed), to be prefixed with "FILE:LINE: " or the option name by the caller.
 */
typedef struct VmOption {
        const char *name;
        const char *arg; /* placeholder for --help; NULL: a flag (INI: yes/no) */
        int (*parse)(VmSpec *s, const char *value, size_t offset, char **reterr);
        size_t offset;
        const char *help;
} VmOption;

extern const VmOption vm_options[];
extern const size_t vm_options_count;

const VmOption *vm_option_find(const char *name);
/* The closest known key to name, or NULL when nothing is close. */
const char *vm_option_suggest(const char *name);

/* Sets key=value (value NULL for a flag given without argument). -ENOENT: unknown key; -EINVAL: bad value.
 */
int vm_spec_set(VmSpec *s, const char *key, const char *value, char **reterr);

/*
 * Loads an INI file. Keys may stand in a [VM] section or before any section. Errors: -EINVAL with
 * "PATH:LINE: what is wrong" in *reterr (unknown keys name the closest valid key); -errno for I/O.
 */
int vm_spec_load_file(VmSpec *s, const char *path, char **reterr);
/* The same for INI text in memory; name stands for the path in error messages. */
int vm_spec_load_string(VmSpec *s, const char *text, const char *name, char **reterr);

/*
 * Appends the table's long options to options (capacity n), with val = first_val + index; returns how
 * many were added. Lets each verb that takes a VM definition share the same spellings.
 */
size_t vm_options_to_getopt(struct option *options, size_t n, int first_val);

/* Prints the option list for --help. */
void vm_options_help(FILE *f);
