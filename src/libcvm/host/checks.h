/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "facts.h"

/*
 * A readiness check: reads facts, fills one finding. Each sets the status with exactly one finding_*()
 * call, naming what was seen and where in the message, and how to fix it in the hint.
 */
typedef int (*CheckFunc)(const HostFacts *f, cvm_finding *out);

enum {
        /* The TEE's verdict is "unknown" rather than "ready" when this check could not run. */
        CHECK_REQUIRED = 1 << 0,
};

typedef struct HostCheck {
        const char *id;
        cvm_tee tee;
        unsigned flags;
        CheckFunc func;
} HostCheck;

/* Tables of the check modules, each terminated by an entry with id == NULL. */
extern const HostCheck common_checks[];
extern const HostCheck tdx_checks[];
extern const HostCheck snp_checks[];
extern const HostCheck platform_checks[];

int finding_pass(cvm_finding *out, const char *format, ...) _printf_(2, 3);
int finding_skip(cvm_finding *out, const char *format, ...) _printf_(2, 3);
int finding_warn(cvm_finding *out, const char *hint, const char *format, ...) _printf_(3, 4);
int finding_fail(cvm_finding *out, const char *hint, const char *format, ...) _printf_(3, 4);

/*
 * Shared helpers for check modules.
 * Reads a sysfs boolean-ish file ("Y", "1", "N", "0"): 1/0, or -errno (-ENOENT when absent, -EINVAL when
 * the content is not a boolean).
 */
int facts_file_bool(const HostFacts *f, const char *path);
/* The first value of "key : value" in the first processor stanza of /proc/cpuinfo, or NULL. */
const char *cpuinfo_value(const HostFacts *f, const char *key, char *buf, size_t size);
/* Whether /proc/cpuinfo's flags line holds flag: 1/0, or -errno. */
int cpuinfo_has_flag(const HostFacts *f, const char *flag);
/* Kernel release (/proc/sys/kernel/osrelease) compared with "6.16": <0, 0, >0; -errno when unknown. */
int kernel_version_at_least(const HostFacts *f, const char *min, const char **ret_release);
/* A line of the kernel log containing needle (NULL when none or the log was unreadable). */
const char *kmsg_find(const HostFacts *f, const char *needle);
/* The same for a line containing both needles (needle2 NULL: only the first). */
const char *kmsg_find2(const HostFacts *f, const char *needle, const char *needle2);
/* The first line of s, without its newline, copied into buf (truncated to size). */
const char *first_line(const char *s, char *buf, size_t size);
/* Human words for a probe that was not collected or failed: "not collected", "EACCES (Permission...)". */
const char *probe_failure_str(int r, char buf[static 64]);
