/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Optional libraries loaded when first needed (systemd's dlopen pattern): libvirt and libcurl run
 * constructors that cost more than the 3 ms `cvm run` may add to a QEMU start, and most invocations never
 * use them. A module declares one pointer per function with DLSYM_PROTOTYPE(), calls them as sym_NAME, and
 * loads them all at once with dlopen_many_sym(); the build takes only the headers of such a library.
 */
#include "macro.h"

#define DLSYM_PROTOTYPE(symbol) typeof(symbol) *sym_##symbol
#define DLSYM_ARG(symbol)       (void **) &sym_##symbol, #symbol

/*
 * Opens `filename` once (a later call returns 0 at once) and resolves the NULL-terminated list of
 * (void **pointer, const char *name) pairs given with DLSYM_ARG(). All or nothing: on failure every
 * pointer stays NULL, the library is closed and -EOPNOTSUPP is returned with *reterr (if given) naming
 * the library or symbol and dlerror()'s reason. Serialised by a lock, so threads may race to it.
 */
int dlopen_many_sym(void **dlp, const char *filename, char **reterr, ...) _sentinel_;
