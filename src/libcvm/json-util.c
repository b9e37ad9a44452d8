/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>

#include "json-util.h"
#include "log.h"
#include "parse-util.h"

int json_parse_strict(const char *text, size_t size, size_t max_depth, json_object **ret)
{
        if (size > INT32_MAX)
                return -E2BIG;
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new_ex((int) max_depth);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

        json_object *o = json_tokener_parse_ex(tok, text, (int) size);
        enum json_tokener_error e = json_tokener_get_error(tok);
        if (!o || e != json_tokener_success) {
                json_object_put(o);
                return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "JSON error at byte %zu: %s",
                                       json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
        }
        /* Only whitespace may follow the value. */
        for (size_t i = json_tokener_get_parse_end(tok); i < size; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        json_object_put(o);
                        return log_debug_errno(SYNTHETIC_ERRNO(EBADMSG), "Trailing data at byte %zu", i);
                }
        *ret = o;
        return 0;
}

json_object *json_error_new(int error)
{
        char buf[16];
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        if (json_add(o, "error", json_object_new_string(errno_to_name(error, buf))) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

int json_error_get(json_object *obj)
{
        const char *name = json_get_string(obj, "error");
        if (!name)
                return 0;
        int e = errno_from_name(name);
        return e > 0 ? -e : -EIO;
}

json_object *json_hex_new(uint64_t v)
{
        char buf[2 + 16 + 1];
        snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
        return json_object_new_string(buf);
}

int json_hex_get(json_object *obj, uint64_t *ret)
{
        if (!obj || !json_object_is_type(obj, json_type_string))
                return -EBADMSG;
        const char *s = json_object_get_string(obj);
        if (!startswith(s, "0x") || strlen(s) > 18)
                return -EBADMSG;
        return safe_atou64(s, 16, ret) < 0 ? -EBADMSG : 0;
}

int json_format(json_object *obj, char **ret)
{
        const char *s = json_object_to_json_string_ext(
                obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        char *p;
        if (asprintf(&p, "%s\n", s) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}
