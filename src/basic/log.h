/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/*
 * Logging. The library logs only at LOG_DEBUG (what it decides is returned as -errno or findings); the
 * CLI and the daemon log errors for the user. Messages go to the callback set with log_set_callback()
 * (cvm_set_log_callback() in the public API), else to stderr up to the maximum level.
 * Format strings may use %m for the error passed to the *_errno() variants.
 */
typedef void (*LogCallback)(int level, const char *message, void *userdata);

void log_set_callback(LogCallback cb, void *userdata);
void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_prefix(const char *prefix);

int log_internal(int level, int error, const char *format, ...) _printf_(3, 4);

#define log_full_errno(level, error, ...) log_internal((level), (error), __VA_ARGS__)
#define log_debug(...)                    log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)                     log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)                   log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...)                  log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)                    log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(error, ...)       log_internal(LOG_DEBUG, (error), __VA_ARGS__)
#define log_warning_errno(error, ...)     log_internal(LOG_WARNING, (error), __VA_ARGS__)
#define log_error_errno(error, ...)       log_internal(LOG_ERR, (error), __VA_ARGS__)
#define log_oom()                         log_internal(LOG_ERR, ENOMEM, "Out of memory.")

/* An error that no libc call produced: the errno value is what the caller returns. */
#define SYNTHETIC_ERRNO(e) (e)

/* "ENOENT" for 2; for unknown values "E<number>". Returns a static string or writes buf. */
const char *errno_to_name(int error, char buf[static 16]);
/* Inverse of errno_to_name(): 0 when unknown. */
int errno_from_name(const char *name);
