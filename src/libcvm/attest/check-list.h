/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The checks of an appraisal, in the order they ran: what tdx-verify.h, snp-verify.h and policy.h record
 * and `cvm verify` prints ({"id","ok","detail"}). Every step records a check, so a report names every
 * failure, not only the first.
 */
#include <stdarg.h>

#include "macro.h"

typedef struct AttestCheck {
        const char *id; /* static: "quote.signature", "chain.vek", "policy.mrtd", ... */
        bool ok;
        int error; /* 0, or the -errno of this check (-EPERM: the policy does not allow the value) */
        char *detail;
} AttestCheck;

typedef struct AttestChecks {
        AttestCheck *items;
        size_t n;
} AttestChecks;

void attest_checks_done(AttestChecks *l);
/* The last check with this id, or NULL. */
const AttestCheck *attest_checks_find(const AttestChecks *l, const char *id);
/* Whether every check passed (true for none). */
bool attest_checks_ok(const AttestChecks *l);

/* Appends a check whose detail is printf(fmt, ...). Returns error (0 for a passed check), or -ENOMEM. */
int attest_checks_add(AttestChecks *l, const char *id, int error, const char *fmt, ...) _printf_(4, 5);
int attest_checks_addv(AttestChecks *l, const char *id, int error, const char *fmt, va_list ap)
        _printf_(4, 0);
