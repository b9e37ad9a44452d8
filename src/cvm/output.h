/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"

/* Prints o on standard output in json_format()'s form: 0, or log_oom()'s error when it cannot. */
int output_json(json_object *o);
