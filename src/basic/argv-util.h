/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * An argv under construction. As with libvirt's virCommand, adding never fails visibly: the first error
 * is remembered and reported once by argv_finish(), so builders read as a plain list of arguments.
 */
typedef struct Argv {
        char **v;
        size_t n;
        int error;
} Argv;

void argv_add(Argv *a, const char *s);
void argv_addf(Argv *a, const char *format, ...) _printf_(2, 3);
void argv_add_many(Argv *a, ...) _sentinel_;
/* Hands over a NULL-terminated vector, or returns the first error. */
int argv_finish(Argv *a, char ***ret);
void argv_done(Argv *a);

char **strv_free(char **l);
size_t strv_length(char *const *l);

/* QEMU's option syntax splits on ',': a comma inside a value is written ",,". */
char *qemu_escape(const char *s);

/* One shell word: unquoted when safe, else in single quotes. */
char *shell_quote(const char *s);
/* The whole vector as one shell line. */
int argv_to_shell_line(char *const *argv, char **ret);

DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
