/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "attest/curl-dl.h"

static void *curl_dl;

DLSYM_PROTOTYPE(curl_easy_cleanup);
DLSYM_PROTOTYPE(curl_easy_getinfo);
DLSYM_PROTOTYPE(curl_easy_init);
DLSYM_PROTOTYPE(curl_easy_perform);
DLSYM_PROTOTYPE(curl_easy_setopt);
DLSYM_PROTOTYPE(curl_easy_strerror);
DLSYM_PROTOTYPE(curl_global_init);

int dlopen_libcurl(char **reterr)
{
        return dlopen_many_sym(&curl_dl, "libcurl.so.4", reterr, DLSYM_ARG(curl_easy_cleanup),
                               DLSYM_ARG(curl_easy_getinfo), DLSYM_ARG(curl_easy_init),
                               DLSYM_ARG(curl_easy_perform), DLSYM_ARG(curl_easy_setopt),
                               DLSYM_ARG(curl_easy_strerror), DLSYM_ARG(curl_global_init), NULL);
}
