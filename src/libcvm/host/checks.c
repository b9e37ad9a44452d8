/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdarg.h>

#include "checks.h"
#include "log.h"
#include "parse-util.h"
#include "string-table.h"

static const char *const check_status_table[_CVM_CHECK_STATUS_MAX] = {
        [CVM_CHECK_PASS] = "pass",
        [CVM_CHECK_WARN] = "warn",
        [CVM_CHECK_FAIL] = "fail",
        [CVM_CHECK_SKIP] = "skip",
};
DEFINE_PRIVATE_STRING_TABLE_LOOKUP(check_status, cvm_check_status);

static const char *const verdict_table[_CVM_VERDICT_MAX] = {
        [CVM_VERDICT_READY] = "ready",
        [CVM_VERDICT_NOT_READY] = "not-ready",
        [CVM_VERDICT_UNKNOWN] = "unknown",
};
DEFINE_PRIVATE_STRING_TABLE_LOOKUP(verdict, cvm_verdict);

_public_ const char *cvm_check_status_to_string(cvm_check_status s)
{
        return check_status_to_string(s);
}

_public_ const char *cvm_verdict_to_string(cvm_verdict v)
{
        return verdict_to_string(v);
}

static _printf_(4, 0) int finding_setv(cvm_finding *out, cvm_check_status status, const char *hint,
                                       const char *format, va_list ap)
{
        char *m = NULL, *h = NULL;
        if (vasprintf(&m, format, ap) < 0)
                return -ENOMEM;
        if (hint && !(h = strdup(hint))) {
                free(m);
                return -ENOMEM;
        }
        free(out->message);
        free(out->hint);
        out->status = status;
        out->message = m;
        out->hint = h;
        return 0;
}

#define DEFINE_FINDING(name, status)                                                                        \
        int finding_##name(cvm_finding *out, const char *format, ...)                                       \
        {                                                                                                   \
                va_list ap;                                                                                 \
                va_start(ap, format);                                                                       \
                int r = finding_setv(out, status, NULL, format, ap);                                        \
                va_end(ap);                                                                                 \
                return r;                                                                                   \
        }
#define DEFINE_FINDING_HINT(name, status)                                                                   \
        int finding_##name(cvm_finding *out, const char *hint, const char *format, ...)                     \
        {                                                                                                   \
                va_list ap;                                                                                 \
                va_start(ap, format);                                                                       \
                int r = finding_setv(out, status, hint, format, ap);                                        \
                va_end(ap);                                                                                 \
                return r;                                                                                   \
        }

DEFINE_FINDING(pass, CVM_CHECK_PASS)
DEFINE_FINDING(skip, CVM_CHECK_SKIP)
DEFINE_FINDING_HINT(warn, CVM_CHECK_WARN)
DEFINE_FINDING_HINT(fail, CVM_CHECK_FAIL)

static const HostCheck *const check_tables[] = { common_checks, tdx_checks, snp_checks, platform_checks };

_public_ int cvm_host_check(const cvm_host_facts *facts, unsigned tee_mask, cvm_host_report **ret)
{
        _cleanup_(cvm_host_report_freep) cvm_host_report *rep = new0(cvm_host_report, 1);
        if (!rep)
                return -ENOMEM;
        rep->tee_mask = tee_mask & ((1u << CVM_TEE_TDX) | (1u << CVM_TEE_SNP));

        bool skipped_required[_CVM_TEE_MAX] = {}, failed[_CVM_TEE_MAX] = {};

        /* Common checks first, then each TEE in order, so output groups read top to bottom. */
        for (cvm_tee tee = CVM_TEE_NONE; tee < _CVM_TEE_MAX; tee++) {
                if (tee != CVM_TEE_NONE && !(rep->tee_mask & (1u << tee)))
                        continue;
                for (size_t t = 0; t < ELEMENTSOF(check_tables); t++)
                        for (const HostCheck *c = check_tables[t]; c->id; c++) {
                                if (c->tee != tee)
                                        continue;
                                cvm_finding *a = reallocarray(rep->findings, rep->n_findings + 1,
                                                              sizeof(cvm_finding));
                                if (!a)
                                        return -ENOMEM;
                                rep->findings = a;
                                cvm_finding *out = rep->findings + rep->n_findings++;
                                *out = (cvm_finding){ .id = c->id, .tee = c->tee, .status = CVM_CHECK_SKIP };

                                int r = c->func(facts, out);
                                if (r < 0)
                                        return r;
                                assert(out->message); /* every check says what it saw */

                                if (out->status == CVM_CHECK_FAIL)
                                        failed[tee] = true;
                                if (out->status == CVM_CHECK_SKIP && (c->flags & CHECK_REQUIRED))
                                        skipped_required[tee] = true;
                        }
        }

        for (cvm_tee tee = CVM_TEE_TDX; tee < _CVM_TEE_MAX; tee++)
                rep->verdict[tee] = failed[CVM_TEE_NONE] || failed[tee] ? CVM_VERDICT_NOT_READY
                                    : skipped_required[CVM_TEE_NONE] || skipped_required[tee]
                                            ? CVM_VERDICT_UNKNOWN
                                            : CVM_VERDICT_READY;

        *ret = TAKE_PTR(rep);
        return 0;
}

_public_ cvm_host_report *cvm_host_report_free(cvm_host_report *report)
{
        if (!report)
                return NULL;
        for (size_t i = 0; i < report->n_findings; i++) {
                free(report->findings[i].message);
                free(report->findings[i].hint);
        }
        free(report->findings);
        free(report);
        return NULL;
}

int facts_file_bool(const HostFacts *f, const char *path)
{
        const char *t;
        int r = facts_file_text(f, path, &t);
        if (r < 0)
                return r;
        return parse_boolean(t);
}

const char *cpuinfo_value(const HostFacts *f, const char *key, char *buf, size_t size)
{
        const char *t;
        if (facts_file_text(f, "/proc/cpuinfo", &t) < 0)
                return NULL;
        size_t kl = strlen(key);
        for (const char *line = t; line && *line;
             line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                if (*line == '\n') /* end of the first processor stanza */
                        return NULL;
                if (!strneq(line, key, kl) || (line[kl] != ' ' && line[kl] != '\t' && line[kl] != ':'))
                        continue;
                const char *colon = strchr(line, ':'), *eol = strchrnul(line, '\n');
                if (!colon || colon > eol)
                        continue;
                colon++;
                while (colon < eol && isblank((unsigned char) *colon))
                        colon++;
                snprintf(buf, size, "%.*s", (int) (eol - colon), colon);
                return buf;
        }
        return NULL;
}

int cpuinfo_has_flag(const HostFacts *f, const char *flag)
{
        char buf[8192];
        const char *flags = cpuinfo_value(f, "flags", buf, sizeof(buf));
        if (!flags)
                return -ENOENT;
        size_t l = strlen(flag);
        for (const char *p = flags; (p = strstr(p, flag)); p += l)
                if ((p == flags || p[-1] == ' ') && (p[l] == ' ' || p[l] == 0))
                        return 1;
        return 0;
}

int kernel_version_at_least(const HostFacts *f, const char *min, const char **ret_release)
{
        const char *t;
        int r = facts_file_text(f, "/proc/sys/kernel/osrelease", &t);
        if (r < 0)
                return r;
        if (ret_release)
                *ret_release = t;
        return version_compare(t, min) >= 0;
}

const char *kmsg_find2(const HostFacts *f, const char *needle, const char *needle2)
{
        json_object *k;
        if (facts_probe_result(f, "kmsg", &k) < 0)
                return NULL;
        json_object *lines = json_get(k, "lines", json_type_array);
        size_t n = lines ? json_object_array_length(lines) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *l = json_object_get_string(json_object_array_get_idx(lines, i));
                if (l && strstr(l, needle) && (!needle2 || strstr(l, needle2)))
                        return l;
        }
        return NULL;
}

const char *kmsg_find(const HostFacts *f, const char *needle)
{
        return kmsg_find2(f, needle, NULL);
}

const char *first_line(const char *s, char *buf, size_t size)
{
        snprintf(buf, size, "%.*s", (int) strcspn(s, "\n"), s);
        return buf;
}

const char *probe_failure_str(int r, char buf[static 64])
{
        char name[16];
        if (r == -ENODATA)
                return "not collected";
        snprintf(buf, 64, "%s (%s)", errno_to_name(r, name), strerror(-r));
        return buf;
}
