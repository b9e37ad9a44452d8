/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/*
 * How the evidence parsers report what is wrong: a negative errno for the program (-EBADMSG malformed,
 * -E2BIG over a cap, -EOPNOTSUPP unknown version or type) and one sentence for the user, naming the
 * structure, the field and its offset in the input. The sentence is also logged at debug level.
 *
 * Stores the formatted sentence in *reterr (replacing what was there) when reterr is not NULL, and returns
 * error, so a parser can `return parse_error(reterr, -EBADMSG, "...")`. On allocation failure the sentence
 * is lost but error is still returned: the errno is the contract, the sentence a courtesy.
 */
int parse_error(char **reterr, int error, const char *format, ...) _printf_(3, 4);
