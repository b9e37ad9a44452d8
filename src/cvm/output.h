/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"

/* Prints o on standard output in json_format()'s form: 0, or log_oom()'s error when it cannot. */
int output_json(json_object *o);

/* The bytes of evidence read from path: data as it is (*ret_encoding NULL, *ret == data), or decoded
 * when the whole file is hex or base64 text (*ret_encoding "hex" or "base64", *ret newly allocated).
 * Logs and returns -errno when the text does not decode. */
int input_decode(char *data, size_t size, const char *path, uint8_t **ret, size_t *ret_size,
                 const char **ret_encoding);

/*
 * Reads evidence from path ('-': standard input), decodes hex or base64 text and parses it. Logs what is
 * wrong (the file, the encoding, the structure, field and offset) and returns -errno. *ret_encoding (may be
 * NULL) tells "hex", "base64" or NULL for raw bytes.
 */
struct cvm_evidence;
int evidence_load(const char *path, int snp_hint, struct cvm_evidence **ret, const char **ret_encoding);
