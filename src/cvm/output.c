/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "attest/evidence.h"
#include "fileio.h"
#include "hexbase64.h"
#include "log.h"
#include "output.h"

int output_json(json_object *o)
{
        _cleanup_free_ char *s = NULL;
        if (json_format(o, &s) < 0)
                return log_oom();
        fputs(s, stdout);
        return 0;
}

static bool all_of(const char *s, size_t n, const char *set)
{
        bool any = false;
        for (size_t i = 0; i < n; i++) {
                if (strchr(" \t\r\n", s[i]))
                        continue;
                if (!s[i] || !strchr(set, s[i]))
                        return false;
                any = true;
        }
        return any;
}

int input_decode(char *data, size_t size, const char *path, uint8_t **ret, size_t *ret_size,
                 const char **ret_encoding)
{
        int r;

        if (all_of(data, size, "0123456789abcdefABCDEF")) {
                size_t n = 0;
                for (size_t i = 0; i < size; i++)
                        if (!strchr(" \t\r\n", data[i]))
                                data[n++] = data[i];
                r = hex_decode(data, n, ret, ret_size);
                if (r < 0)
                        return log_error_errno(r, "Failed to decode the hex text in '%s': %s", path,
                                               r == -EINVAL ? "odd number of digits" : "out of memory");
                *ret_encoding = "hex";
                return 0;
        }
        if (all_of(data, size, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")) {
                r = base64_decode(data, size, ret, ret_size);
                if (r < 0)
                        return log_error_errno(r, "Failed to decode the base64 text in '%s': %m", path);
                *ret_encoding = "base64";
                return 0;
        }
        *ret = (uint8_t *) data;
        *ret_size = size;
        *ret_encoding = NULL;
        return 0;
}

/* Hex or base64 text of the largest evidence, with line breaks, stays below this. */
#define EVIDENCE_READ_MAX (3U * CVM_EVIDENCE_MAX)

int evidence_load(const char *path, int snp_hint, cvm_evidence **ret, const char **ret_encoding)
{
        _cleanup_free_ char *data = NULL, *detail = NULL;
        size_t size, n;
        uint8_t *bytes;
        const char *encoding;
        int r;

        r = read_full_file(path, EVIDENCE_READ_MAX, &data, &size);
        if (r == -E2BIG)
                return log_error_errno(r, "'%s' is larger than any evidence (%u bytes at most).", path,
                                       EVIDENCE_READ_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        r = input_decode(data, size, path, &bytes, &n, &encoding);
        if (r < 0)
                return r;
        /* Owns the decoded copy when the input was hex or base64 text. */
        _unused_ _cleanup_free_ uint8_t *decoded = encoding ? bytes : NULL;

        r = evidence_parse(bytes, n, (SnpProduct) snp_hint, ret, &detail);
        if (r < 0) {
                if (detail)
                        return log_error_errno(r, "Failed to parse '%s'%s%s%s: %s", path,
                                               encoding ? " (as " : "", strempty(encoding),
                                               encoding ? " text)" : "", detail);
                return log_error_errno(r, "Failed to parse '%s': %m", path);
        }
        if (ret_encoding)
                *ret_encoding = encoding;
        return 0;
}
