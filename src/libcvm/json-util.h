/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free)

/* Adds key -> value to obj, taking ownership of value even on failure. */
static inline int json_add(json_object *obj, const char *key, json_object *value)
{
        if (!value)
                return -ENOMEM;
        if (json_object_object_add(obj, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

static inline int json_append(json_object *array, json_object *value)
{
        if (!value)
                return -ENOMEM;
        if (json_object_array_add(array, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

/* Adds key -> s, or key -> null when s is NULL: json-c represents null as a NULL value, which json_add()
 * would take for an allocation failure. */
static inline int json_add_string_or_null(json_object *obj, const char *key, const char *s)
{
        if (s)
                return json_add(obj, key, json_object_new_string(s));
        return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

/* NULL when missing or not of the wanted type. */
static inline json_object *json_get(json_object *obj, const char *key, json_type type)
{
        json_object *v;
        if (!obj || !json_object_is_type(obj, json_type_object) ||
            !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static inline const char *json_get_string(json_object *obj, const char *key)
{
        json_object *v = json_get(obj, key, json_type_string);
        return v ? json_object_get_string(v) : NULL;
}

/* Parses a complete JSON text of at most max bytes; trailing garbage is refused. */
int json_parse_strict(const char *text, size_t size, size_t max_depth, json_object **ret);

/* {"error": "ENOENT"} for a failure, the form facts use throughout. */
json_object *json_error_new(int error);
/* -errno when obj is an {"error": NAME} object, 0 otherwise. */
int json_error_get(json_object *obj);

/* Integers as JSON numbers cannot carry 64 bits through every consumer; facts use "0x..." strings. */
json_object *json_hex_new(uint64_t v);
int json_hex_get(json_object *obj, uint64_t *ret);

/* Pretty, deterministic (insertion-ordered) text ending in a newline; free() it. */
int json_format(json_object *obj, char **ret);
