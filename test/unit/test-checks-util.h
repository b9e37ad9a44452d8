/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Harness of the readiness-check tests: a fake host tree built from a per-TEE base (one fact changed at a
 * time by overrides), the facts collected and checked in it, and assertions on single findings. The base
 * tree and the check table to look ids up in stay in each test and are passed in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "checks.h"
#include "test-util.h"

typedef struct Entry {
        const char *path;
        const char *content; /* NULL in an override: remove the base entry */
} Entry;

#define TREE_BASE_MAX 32
#define TREE_OVER_MAX 32

/* The base tree with overrides applied: same path replaces (NULL content removes), new paths are added. */
static inline char *tree_with(const Entry *base, size_t n_base, const Entry *over, size_t n_over)
{
        const char *pairs[2 * (TREE_BASE_MAX + TREE_OVER_MAX) + 1];
        size_t n = 0;

        assert_true(n_base <= TREE_BASE_MAX);
        assert_true(n_over <= TREE_OVER_MAX);
        for (size_t i = 0; i < n_base; i++) {
                const char *content = base[i].content;
                for (size_t j = 0; j < n_over; j++)
                        if (streq(over[j].path, base[i].path))
                                content = over[j].content;
                if (!content)
                        continue;
                pairs[n++] = base[i].path;
                pairs[n++] = content;
        }
        for (size_t j = 0; j < n_over; j++) {
                bool known = false;
                for (size_t i = 0; i < n_base; i++)
                        known = known || streq(over[j].path, base[i].path);
                if (!known && over[j].content) {
                        pairs[n++] = over[j].path;
                        pairs[n++] = over[j].content;
                }
        }
        pairs[n] = NULL;
        return make_tree(pairs);
}

typedef struct Result {
        char *root;    /* freed by result_done(), or NULL */
        bool own_root; /* result_done() also removes the tree */
        cvm_host_facts *facts;
        cvm_host_report *report;
} Result;

static inline void result_done(Result *r)
{
        cvm_host_report_free(r->report);
        cvm_host_facts_free(r->facts);
        if (r->own_root)
                rm_rf_freep(&r->root);
        else
                free(r->root);
}

/* Collects the facts below root (no QEMU) and checks them for the TEEs in tee_mask; takes root. */
static inline Result checks_run(char *root, bool own_root, unsigned tee_mask)
{
        Result r = { .root = root, .own_root = own_root };
        assert_int_equal(cvm_host_facts_collect(r.root, NULL, CVM_FACTS_NO_QEMU, &r.facts), 0);
        assert_int_equal(cvm_host_check(r.facts, tee_mask, &r.report), 0);
        return r;
}

/* Both call the test's own Result run(const Entry *over, size_t n_over), which builds its base tree. */
#define RUN(...)                                                                                            \
        _cleanup_(result_done) Result res =                                                                 \
                run((const Entry[]){ __VA_ARGS__ }, sizeof((const Entry[]){ __VA_ARGS__ }) / sizeof(Entry))
#define RUN_READY() _cleanup_(result_done) Result res = run(NULL, 0)

static inline const cvm_finding *finding(const Result *r, const char *id)
{
        for (size_t i = 0; i < r->report->n_findings; i++)
                if (streq(r->report->findings[i].id, id))
                        return r->report->findings + i;
        fail_msg("no finding %s", id);
        return NULL;
}

static const char *const status_names[] = { "PASS", "WARN", "FAIL", "SKIP" };

/* Status, and words the message and the hint must contain (NULL: not checked). */
static inline void expect(const Result *r, const char *id, cvm_check_status status, const char *in_message,
                          const char *in_hint)
{
        const cvm_finding *x = finding(r, id);
        if (x->status != status)
                fail_msg("%s: %s, expected %s: %s (hint: %s)", id, status_names[x->status],
                         status_names[status], x->message, strna(x->hint));
        if (in_message && !strstr(x->message, in_message))
                fail_msg("%s: message \"%s\" lacks \"%s\"", id, x->message, in_message);
        if (in_hint && (!x->hint || !strstr(x->hint, in_hint)))
                fail_msg("%s: hint \"%s\" lacks \"%s\"", id, strna(x->hint), in_hint);
        /* Every fail and warn tells what to do. */
        if (status == CVM_CHECK_FAIL || status == CVM_CHECK_WARN)
                assert_non_null(x->hint);
}

/* Every check of the table passes, except those listed (NULL-terminated) with another status. */
static inline void expect_all_pass_but(const Result *r, const HostCheck *table, const char *const *others)
{
        for (const HostCheck *c = table; c->id; c++) {
                bool listed = false;
                STRV_FOREACH (o, others)
                        listed = listed || streq(*o, c->id);
                const cvm_finding *x = finding(r, c->id);
                if (!listed && x->status != CVM_CHECK_PASS)
                        fail_msg("%s: %s: %s", x->id, status_names[x->status], x->message);
        }
}

/* Whether the check id of the table is CHECK_REQUIRED; fails the test when the table lacks it. */
static inline bool check_required(const HostCheck *table, const char *id)
{
        for (const HostCheck *c = table; c->id; c++)
                if (streq(c->id, id))
                        return c->flags & CHECK_REQUIRED;
        fail_msg("no check %s", id);
        return false;
}
