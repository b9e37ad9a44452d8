/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <pthread.h>
#include <strings.h>

#include "attest/curl-dl.h"
#include "attest/http-fetch.h"
#include "attest/openssl-util.h"
#include "hexbase64.h"
#include "log.h"

static void curl_easy_cleanupp(CURL **h)
{
        if (*h)
                sym_curl_easy_cleanup(*h);
}

void http_response_done(HttpResponse *r)
{
        if (!r)
                return;
        free(r->body);
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        free(r->headers);
        *r = (HttpResponse){};
}

const char *http_response_header(const HttpResponse *r, const char *name)
{
        for (size_t i = 0; r && i < r->n_headers; i++)
                if (strcasecmp(r->headers[i].name, name) == 0)
                        return r->headers[i].value;
        return NULL;
}

int url_unescape(const char *s, size_t l, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *o = malloc(l + 1);
        size_t n = 0;

        if (!o)
                return -ENOMEM;
        for (size_t i = 0; i < l; i++) {
                if (s[i] != '%') {
                        o[n++] = s[i];
                        continue;
                }
                if (l - i < 3)
                        return -EBADMSG;
                int hi = unhex_char(s[i + 1]), lo = unhex_char(s[i + 2]);
                if (hi < 0 || lo < 0)
                        return -EBADMSG;
                o[n++] = (char) (hi << 4 | lo);
                i += 2;
        }
        o[n] = 0;
        if (ret_size)
                *ret_size = n;
        *ret = TAKE_PTR(o);
        return 0;
}

typedef struct Transfer {
        HttpResponse resp;
        size_t max_body;
        size_t header_bytes;
        const char *too_big; /* which cap was hit, for the message */
} Transfer;

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
        Transfer *t = userdata;
        size_t n = size * nmemb;

        if (n > t->max_body - t->resp.size) {
                t->too_big = "body";
                return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
        }
        char *b = realloc(t->resp.body, t->resp.size + n + 1);
        if (!b)
                return 0;
        memcpy(b + t->resp.size, p, n);
        t->resp.size += n;
        b[t->resp.size] = 0;
        t->resp.body = b;
        return n;
}

static void headers_clear(HttpResponse *r)
{
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        r->n_headers = 0;
}

/* One header line, "Name: value\r\n", or a status line that starts the headers of a new response. */
static size_t on_header(char *p, size_t size, size_t nmemb, void *userdata)
{
        Transfer *t = userdata;
        size_t n = size * nmemb, l = n;

        if (n > HTTP_HEADER_BYTES_MAX - t->header_bytes) {
                t->too_big = "headers";
                return 0;
        }
        t->header_bytes += n;
        while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r'))
                l--;
        if (l >= 5 && memcmp(p, "HTTP/", 5) == 0) {
                /* After a redirect or a 100 Continue only the last response's headers count. */
                headers_clear(&t->resp);
                t->header_bytes = n;
                return n;
        }
        const char *colon = memchr(p, ':', l);
        if (!colon)
                return n; /* the empty line ending the headers */
        if (t->resp.n_headers >= HTTP_HEADERS_MAX) {
                t->too_big = "headers";
                return 0;
        }
        const char *v = colon + 1, *e = p + l;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;

        HttpHeader *h = reallocarray(t->resp.headers, t->resp.n_headers + 1, sizeof(HttpHeader));
        if (!h)
                return 0;
        t->resp.headers = h;
        h += t->resp.n_headers;
        h->name = strndup(p, (size_t) (colon - p));
        h->value = strndup(v, (size_t) (e - v));
        if (!h->name || !h->value) {
                free(h->name);
                free(h->value);
                return 0;
        }
        t->resp.n_headers++;
        return n;
}

static void curl_init_once(void)
{
        (void) sym_curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int curl_error_to_errno(CURLcode c)
{
        switch (c) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
                return -EINVAL;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
                return -EKEYREJECTED;
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
                return -EPROTO;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

int http_get(const char *url, size_t max_body, HttpResponse *ret, char **reterr)
{
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        char errbuf[CURL_ERROR_SIZE] = "";
        Transfer t = { .max_body = max_body ?: HTTP_BODY_MAX };
        CURLcode c;

        if (!url || !(startswith(url, "http://") || startswith(url, "https://"))) {
                detail_set(reterr, "'%s' is not an http:// or https:// URL", strna(url));
                return -EINVAL;
        }
        int r = dlopen_libcurl(reterr);
        if (r < 0)
                return r;
        (void) pthread_once(&once, curl_init_once);

        _cleanup_(curl_easy_cleanupp) CURL *h = sym_curl_easy_init();
        if (!h)
                return -ENOMEM;
        /* Verification of the peer and its name is libcurl's default; set it anyway so no environment or
         * build default can turn it off. */
        if (sym_curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_TIMEOUT, HTTP_TIMEOUT_SEC) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_USERAGENT, "cvm/" PROJECT_VERSION) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_WRITEDATA, &t) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
            sym_curl_easy_setopt(h, CURLOPT_HEADERDATA, &t) != CURLE_OK)
                return -ENOMEM;

        log_debug("GET %s", url);
        c = sym_curl_easy_perform(h);
        if (c != CURLE_OK) {
                /* A write error that is not a cap is a failed allocation in on_body()/on_header(). */
                r = t.too_big ? -E2BIG : c == CURLE_WRITE_ERROR ? -ENOMEM : curl_error_to_errno(c);
                if (streq(strempty(t.too_big), "body"))
                        detail_set(reterr, "GET %s: the response body is larger than %zu bytes", url,
                                   t.max_body);
                else if (t.too_big)
                        detail_set(reterr, "GET %s: more than %u response headers or %u bytes of them", url,
                                   HTTP_HEADERS_MAX, HTTP_HEADER_BYTES_MAX);
                else if (c == CURLE_PARTIAL_FILE)
                        detail_set(reterr, "GET %s: the body ended early (%zu bytes received): %s", url,
                                   t.resp.size, errbuf[0] ? errbuf : sym_curl_easy_strerror(c));
                else
                        detail_set(reterr, "GET %s: %s", url,
                                   errbuf[0] ? errbuf : sym_curl_easy_strerror(c));
                http_response_done(&t.resp);
                return r;
        }
        (void) sym_curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.resp.status);
        if (!t.resp.body) {
                t.resp.body = strdup("");
                if (!t.resp.body) {
                        http_response_done(&t.resp);
                        return -ENOMEM;
                }
        }
        log_debug("GET %s: HTTP %ld, %zu bytes", url, t.resp.status, t.resp.size);
        *ret = t.resp;
        return 0;
}
