/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>

#include "parse-util.h"

int safe_atou64(const char *s, int base, uint64_t *ret)
{
        char *end;

        if (isempty(s) || isspace((unsigned char) s[0]) || s[0] == '-' || s[0] == '+')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, base);
        if (errno != 0)
                return -errno;
        if (*end != 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atou(const char *s, int base, unsigned *ret)
{
        uint64_t v;
        int r = safe_atou64(s, base, &v);
        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int safe_atoi(const char *s, int *ret)
{
        char *end;
        if (isempty(s) || isspace((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (*end != 0)
                return -EINVAL;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_boolean(const char *s)
{
        static const char *const yes[] = { "Y", "y", "1", "yes", "true", "on" };
        static const char *const no[] = { "N", "n", "0", "no", "false", "off" };

        if (!s)
                return -EINVAL;
        size_t l = strlen(s);
        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == ' '))
                l--;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strlen(yes[i]) == l && strneq(yes[i], s, l))
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strlen(no[i]) == l && strneq(no[i], s, l))
                        return 0;
        return -EINVAL;
}

int version_compare(const char *a, const char *b)
{
        while (*a || *b) {
                unsigned long x = 0, y = 0;
                while (*a && !isdigit((unsigned char) *a))
                        a++;
                while (*b && !isdigit((unsigned char) *b))
                        b++;
                if (!*a && !*b)
                        break;
                while (isdigit((unsigned char) *a))
                        x = x * 10 + (unsigned long) (*a++ - '0');
                while (isdigit((unsigned char) *b))
                        y = y * 10 + (unsigned long) (*b++ - '0');
                if (x != y)
                        return x < y ? -1 : 1;
                /* Only dotted components count: "6.16.0-rc1" compares as 6.16.0. */
                if (*a != '.' && *b != '.')
                        break;
        }
        return 0;
}

char *strstrip_trailing(char *s)
{
        size_t l = strlen(s);
        while (l > 0 && isspace((unsigned char) s[l - 1]))
                s[--l] = 0;
        return s;
}

int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                char suffix;
                unsigned shift;
        } units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 } };
        char *end;

        if (isempty(s) || !isdigit((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -errno;
        unsigned shift = 0;
        if (*end) {
                char c = (char) toupper((unsigned char) *end);
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (units[i].suffix == c)
                                break;
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                shift = units[i].shift;
                end++;
                /* "4G", "4GB", "4GiB" */
                if (*end == 'i' && end[1] == 'B')
                        end += 2;
                else if (*end == 'B')
                        end++;
                if (*end)
                        return -EINVAL;
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t) v << shift;
        return 0;
}
