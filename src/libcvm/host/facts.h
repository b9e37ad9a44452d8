/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cvm/cvm-host.h"
#include "cvm-cleanup.h"
#include "json-util.h"

/*
 * The facts document (cvm-facts(5)). Members:
 *   "files":   absolute path -> {"text": S} | {"base64": S} | {"error": ERRNO-NAME}
 *   "paths":   absolute path -> "file" | "dir" | "char" | "block" | "socket" | "fifo" | ERRNO-NAME
 *   "kvm", "cpuid", "msr", "sev", "qemu", "kmsg", "qgs":
 *              one object per probe; absent = not collected; {"error": NAME} = the probe failed
 *   "firmware": {"descriptors": [...], "images": {path -> what its OVMF GUID table says}} (firmware.c)
 * Checks only read facts, so they run the same on the host and on a saved document.
 */
struct cvm_host_facts {
        json_object *doc;
};
typedef struct cvm_host_facts HostFacts;

#define FACTS_FORMAT_VERSION 1
/* Caps: a facts document a user hands us is untrusted input. */
#define FACTS_DOC_MAX    (16U * 1024 * 1024)
#define FACTS_FILE_MAX   (1024U * 1024)
#define FACTS_JSON_DEPTH 16

typedef enum FactKind {
        FACT_TEXT,     /* contents, as text */
        FACT_BINARY,   /* contents, base64 */
        FACT_PRESENCE, /* only the file type: device nodes, sockets */
} FactKind;

/* A file the checks read. One path component may hold a glob ("/sys/firmware/dmi/entries/17-*\/raw"). */
typedef struct FactFile {
        const char *path;
        FactKind kind;
} FactFile;

/* A probe that needs the live host (ioctl, CPUID, MSR, running QEMU, sockets). */
typedef struct FactProbe {
        const char *name;
        int (*probe)(const char *root, const char *qemu, unsigned flags, json_object **ret);
        bool host_only; /* under another root: read ROOT/cvm-facts/NAME.json instead */
} FactProbe;

/* Text content of a collected file: 0, or the -errno recorded for it, -ENOENT when not collected. */
int facts_file_text(const HostFacts *f, const char *path, const char **ret);
/* Binary content of a collected file (base64 or text), malloc'ed. */
int facts_file_bytes(const HostFacts *f, const char *path, uint8_t **ret, size_t *ret_size);
/* Collected file paths starting with prefix, in sorted order; a NULL-terminated array to free(). */
int facts_files_with_prefix(const HostFacts *f, const char *prefix, const char ***ret);
/* "char", "socket", ... for a collected path; -ENOENT (or the recorded error) when it is missing. */
int facts_path_type(const HostFacts *f, const char *path, const char **ret);
/* A probe's member: NULL when not collected. */
json_object *facts_member(const HostFacts *f, const char *name);
/* The member or its failure: 0 with *ret set, -ENODATA when not collected, -errno when it failed. */
int facts_probe_result(const HostFacts *f, const char *name, json_object **ret);
const char *facts_root(const HostFacts *f);

/* Probes, one per file in this directory. */
int probe_kvm(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_cpuid(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_msr(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_kmsg(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_sev(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_qemu(const char *root, const char *qemu, unsigned flags, json_object **ret);
int probe_qgs(const char *root, const char *qemu, unsigned flags, json_object **ret);
/* Reads firmware descriptors from the collected files and inspects the images they name. */
int probe_firmware(const HostFacts *f, const char *root, json_object **ret);

/* Files each check module reads; NULL-path terminated. */
extern const FactFile common_fact_files[];
extern const FactFile tdx_fact_files[];
extern const FactFile snp_fact_files[];
extern const FactFile platform_fact_files[];
