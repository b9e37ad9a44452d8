/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "checks.h"

const FactFile snp_fact_files[] = {
        {},
};

const HostCheck snp_checks[] = {
        {}, /* PLACEHOLDER */
};
