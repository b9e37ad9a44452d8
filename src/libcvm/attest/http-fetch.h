/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small HTTP(S) GET over libcurl for attestation collateral (Intel PCS/PCCS, AMD KDS): the body is capped
 * (a server cannot make cvm allocate without bound), the response headers are kept for case-insensitive
 * lookup (PCS sends issuer chains in headers), HTTPS peers and host names are always verified, and every
 * failure comes with a sentence naming the URL and what went wrong.
 */
#include "macro.h"

/* PCS and KDS bodies are a few KB (the largest, a PCK CRL, about 30 KB). */
#define HTTP_BODY_MAX          (4U * 1024 * 1024)
#define HTTP_HEADERS_MAX       128U
#define HTTP_HEADER_BYTES_MAX  (256U * 1024)
#define HTTP_TIMEOUT_SEC       60L
#define HTTP_CONNECT_TIMEOUT_S 15L

typedef struct HttpHeader {
        char *name;
        char *value; /* without leading and trailing white space */
} HttpHeader;

typedef struct HttpResponse {
        long status; /* of the last response (after redirects) */
        char *body;  /* NUL-terminated; size excludes the NUL */
        size_t size;
        HttpHeader *headers;
        size_t n_headers;
} HttpResponse;

void http_response_done(HttpResponse *r);

/* The value of the first header of that name (case-insensitive), or NULL. */
const char *http_response_header(const HttpResponse *r, const char *name);

/*
 * GETs url (http or https only; up to 5 redirects). Any complete HTTP response returns 0 with its status,
 * whatever the status is: the caller decides what 404 means. Failures: -EINVAL (not an http(s) URL),
 * -E2BIG (body over max_body, or headers over the caps), -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH (name
 * not resolved), -EKEYREJECTED (TLS certificate not trusted), -EPROTO (truncated body, bad response),
 * -EIO (other transfer errors), -ENOMEM; *reterr (optional; free() it) then names the URL and the reason.
 * max_body 0 means HTTP_BODY_MAX.
 */
int http_get(const char *url, size_t max_body, HttpResponse *ret, char **reterr);

/*
 * RFC 3986 percent-decoding ("%0A" -> newline), as PCS encodes certificate chains in headers. '+' stays
 * '+' (a base64 character; PCS writes spaces as %20). A '%' not followed by two hex digits gives -EBADMSG.
 * The result is NUL-terminated; *ret_size (optional) excludes the NUL.
 */
int url_unescape(const char *s, size_t l, char **ret, size_t *ret_size);
