/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * Where a running VM keeps its pid, QMP socket and state: /run/cvm/NAME/ for root, else
 * $XDG_RUNTIME_DIR/cvm/NAME/; $CVM_RUNTIME_DIR replaces the /run/cvm or $XDG_RUNTIME_DIR/cvm part.
 */
int runtime_dir_base(char **ret);
int runtime_path(const char *name, const char *file, char **ret);
