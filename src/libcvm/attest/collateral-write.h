/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Writing collateral back out: the directory form that collateral_load_dir() reads (what
 * `cvm collateral fetch -o DIR` writes) and the JSON bundle form of collateral_load_json() (the download
 * cache). Either reloads into the same Collateral: the signed JSON text is written byte for byte, chains
 * as PEM, CRLs as DER (hex DER in a bundle).
 */
#include "attest/collateral.h"

/* The bytes of one present part in the directory form (its collateral_dir_files[] file). -ENODATA when the
 * part is missing. */
int collateral_part_encode(const Collateral *c, CollateralPart p, char **ret, size_t *ret_size);

/* Writes every present part into dir (created if needed) and removes the files of missing parts, so the
 * directory never mixes two downloads. */
int collateral_write_dir(const Collateral *c, const char *dir);

/* The JSON bundle text. */
int collateral_to_bundle(const Collateral *c, char **ret, size_t *ret_size);
