/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Cleanup handlers for the public types, for code inside the project (the API itself stays plain C). */
#include "cvm/cvm-host.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cvm_host_facts *, cvm_host_facts_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(cvm_host_report *, cvm_host_report_free)
