/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The download cache of collateral and certificates (PCS/PCCS, AMD KDS): one file per entry, named by the
 * SHA-256 of what identifies it (URL, FMSPC, CA), written through a temporary file and rename() so a
 * reader never sees half an entry. Whether an entry is still fresh is the caller's business (nextUpdate,
 * notAfter); an entry that does not parse is refetched, never trusted.
 */
#include <stddef.h>

#include "macro.h"

/* Entries are a few KB; anything larger is not one of ours. */
#define FETCH_CACHE_ENTRY_MAX (4U * 1024 * 1024)

/*
 * The cache directory for one kind of entry ("collateral", "kds"): $CVM_CACHE_DIR/<kind>, else
 * $XDG_CACHE_HOME/cvm/<kind>, else $HOME/.cache/cvm/<kind>. Relative variables are ignored, as the XDG
 * base directory specification says. -ENOENT when none is set.
 */
int fetch_cache_dir(const char *kind, char **ret);

/* "<dir>/<hex SHA-256 of the parts joined by newlines><suffix>". parts is NULL-terminated. */
int fetch_cache_path(const char *dir, const char *const *parts, const char *suffix, char **ret);

/* Reads an entry: 0, -ENOENT, or another -errno. NUL-terminated. */
int fetch_cache_read(const char *path, char **ret, size_t *ret_size);

/* Writes an entry (mode 0600), creating the directories (0700) on the way. */
int fetch_cache_write(const char *path, const void *data, size_t size);
