/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "checks.h"

const FactFile platform_fact_files[] = {
        {},
};

const HostCheck platform_checks[] = {
        {}, /* PLACEHOLDER */
};
