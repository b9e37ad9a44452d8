/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * Nova's rules for memory-encryption requests (openstack/nova nova/virt/hardware.py
 * get_mem_encryption_constraint() and its checks; nova/scheduler/utils.py for the placement request; the
 * approved spec intel-tdx-libvirt-support for TDX). A flavor's extra specs (hw:KEY) and an image's
 * properties (hw_KEY) ask for encryption and a model; conflicts between them are rejected, and the image
 * must suit the model. The image constraints that cvm validate also knows (q35, stateless firmware, no
 * SCSI boot disk for TDX) are judged by its rule table (vm-rules.c): the request is mapped to a VM
 * definition and the findings of those rules become Nova's errors.
 */

typedef enum MemEncryptionModel {
        MEM_ENCRYPTION_AMD_SEV,
        MEM_ENCRYPTION_AMD_SEV_ES,
        MEM_ENCRYPTION_AMD_SEV_SNP,
        MEM_ENCRYPTION_INTEL_TDX,
        _MEM_ENCRYPTION_MODEL_MAX,
        _MEM_ENCRYPTION_MODEL_INVALID = -EINVAL,
} MemEncryptionModel;

const char *mem_encryption_model_to_string(MemEncryptionModel m);
MemEncryptionModel mem_encryption_model_from_string(const char *s);
/* The os-traits trait placement requires for the model, e.g. "HW_CPU_X86_INTEL_TDX". */
const char *mem_encryption_model_trait(MemEncryptionModel m);

typedef struct FlavorProperty {
        const char *key, *value;
} FlavorProperty;

typedef struct FlavorInput {
        const char *flavor_name, *image_name; /* for messages; NULL: "flavor", "image" */
        const FlavorProperty *extra_specs;    /* hw:mem_encryption=true, ... */
        size_t n_extra_specs;
        const FlavorProperty *image_properties; /* hw_mem_encryption=true, ... */
        size_t n_image_properties;
        const char *image_id; /* for messages; NULL: "<no-id>", as Nova says */
} FlavorInput;

typedef struct FlavorError {
        const char *name; /* Nova's exception: FlavorImageConflict, InvalidMachineType, ... */
        const char *rule; /* the cvm validate rule that found it; NULL: a rule of Nova's own */
        char *message;
} FlavorError;

typedef struct FlavorResult {
        bool requested;           /* memory encryption asked for (by the flavor, the image or both) */
        MemEncryptionModel model; /* when requested */
        char *requesters;         /* "hw:mem_encryption extra spec in flavor F and ..." */
        FlavorError *errors;
        size_t n_errors;
} FlavorResult;

/* 0 with *ret filled (errors in ret->errors: the request is rejected), or -ENOMEM. */
int flavor_evaluate(const FlavorInput *in, FlavorResult *ret);
void flavor_result_done(FlavorResult *r);
