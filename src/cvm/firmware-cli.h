/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"
#include "measure/ovmf.h"

/*
 * Reads a whole firmware image (at most OVMF_IMAGE_MAX bytes) and parses its GUID table and metadata. Logs
 * and returns -errno when the file cannot be read or has no valid GUID table; the TDX and SEV parts keep
 * their own status in *ret.
 */
int firmware_image_read(const char *path, uint8_t **ret_data, size_t *ret_size, OvmfImage *ret);

/* Logs the status of one metadata part ("TDX metadata", "SEV metadata") when it is malformed (not when
 * absent) and returns its error; 0 otherwise. */
int firmware_part_error(const char *path, const char *part, const OvmfStatus *s);
