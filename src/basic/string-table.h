/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Enum <-> string over a designated-initialiser table NAME_table[]. Unknown strings give -EINVAL. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type) DEFINE_STRING_TABLE_LOOKUP_BODY(name, type, )

/* The same, both functions static (and allowed to be unused) for tables private to one file. */
#define DEFINE_PRIVATE_STRING_TABLE_LOOKUP(name, type)                                                      \
        _unused_ static const char *name##_to_string(type i);                                               \
        _unused_ static type name##_from_string(const char *s);                                             \
        DEFINE_STRING_TABLE_LOOKUP_BODY(name, type, static)

#define DEFINE_STRING_TABLE_LOOKUP_BODY(name, type, scope)                                                  \
        scope const char *name##_to_string(type i)                                                          \
        {                                                                                                   \
                if ((int) i < 0 || (size_t) i >= ELEMENTSOF(name##_table))                                  \
                        return NULL;                                                                        \
                return name##_table[i];                                                                     \
        }                                                                                                   \
        scope type name##_from_string(const char *s)                                                        \
        {                                                                                                   \
                if (!s)                                                                                     \
                        return (type) -EINVAL;                                                              \
                for (size_t i = 0; i < ELEMENTSOF(name##_table); i++)                                       \
                        if (name##_table[i] && streq(name##_table[i], s))                                   \
                                return (type) i;                                                            \
                return (type) -EINVAL;                                                                      \
        }
