/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "checks.h"

const FactFile tdx_fact_files[] = {
        {},
};

const HostCheck tdx_checks[] = {
        {}, /* PLACEHOLDER */
};
