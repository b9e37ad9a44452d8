/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The libcurl functions of http-fetch.c, loaded from libcurl.so.4 by dlopen_libcurl() on the first
 * download (dlopen-util.h says why). */
#include <curl/curl.h>

#include "dlopen-util.h"

extern DLSYM_PROTOTYPE(curl_easy_cleanup);
extern DLSYM_PROTOTYPE(curl_easy_getinfo);
extern DLSYM_PROTOTYPE(curl_easy_init);
extern DLSYM_PROTOTYPE(curl_easy_perform);
extern DLSYM_PROTOTYPE(curl_easy_setopt);
extern DLSYM_PROTOTYPE(curl_easy_strerror);
extern DLSYM_PROTOTYPE(curl_global_init);

/* 0, or -EOPNOTSUPP with *reterr naming the library and why it could not be loaded. */
int dlopen_libcurl(char **reterr);
