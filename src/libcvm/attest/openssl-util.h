/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * OpenSSL glue for the attestation code: one cleanup function per OpenSSL type (style.md "Errors,
 * cleanup, logging"), the conversion of OpenSSL's error queue into -errno at the boundary (OpenSSL error
 * codes never leave this layer), and RFC 3339 <-> time_t for the "issueDate"/"nextUpdate"/"tcbDate"
 * fields of Intel PCS collateral and for the `--at` check time.
 */
#include <stdarg.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <time.h>

#include "log.h"
#include "macro.h"

/* OpenSSL's STACK_OF() under plain names (clang-format cannot tell the macro from a multiplication). */
typedef STACK_OF(X509) X509Stack;
typedef STACK_OF(X509_CRL) X509CrlStack;
typedef STACK_OF(ASN1_TYPE) Asn1TypeStack;

DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_CRL *, X509_CRL_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE *, X509_STORE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE_CTX *, X509_STORE_CTX_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ECDSA_SIG *, ECDSA_SIG_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(BIGNUM *, BN_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_TYPE *, ASN1_TYPE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_OBJECT *, ASN1_OBJECT_free)

static inline void sk_X509_pop_freep(X509Stack **p)
{
        if (*p)
                sk_X509_pop_free(*p, X509_free);
}

static inline void sk_X509_CRL_pop_freep(X509CrlStack **p)
{
        if (*p)
                sk_X509_CRL_pop_free(*p, X509_CRL_free);
}

static inline void sk_ASN1_TYPE_pop_freep(Asn1TypeStack **p)
{
        if (*p)
                sk_ASN1_TYPE_pop_free(*p, ASN1_TYPE_free);
}

/*
 * Drains OpenSSL's (thread-local) error queue into the debug log and returns the -errno the caller chose
 * for "the input was refused" (-EKEYREJECTED, -EBADMSG), or -ENOMEM when OpenSSL ran out of memory.
 */
static inline int openssl_error(int error, const char *what)
{
        unsigned long e;
        bool oom = false;

        while ((e = ERR_get_error()) != 0) {
                char buf[256];
                if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
                        oom = true;
                ERR_error_string_n(e, buf, sizeof(buf));
                log_debug("%s: %s", what, buf);
        }
        return oom ? -ENOMEM : error;
}

/* Copies what a memory BIO holds into a new NUL-terminated buffer. */
static inline int openssl_bio_take(BIO *b, char **ret, size_t *ret_size)
{
        char *p;
        long n = BIO_get_mem_data(b, &p);
        if (n < 0)
                return -ENOMEM;
        char *s = malloc((size_t) n + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, p, (size_t) n);
        s[n] = 0;
        *ret = s;
        *ret_size = (size_t) n;
        return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL. */
#define RFC3339_MAX 21

/*
 * RFC 3339 in UTC as Intel PCS writes it ("2025-06-19T10:16:03Z"; fractional seconds, which PCS does not
 * emit, are accepted and dropped). Offsets other than Z are refused: collateral is always UTC. -EINVAL.
 */
static inline int rfc3339_parse(const char *s, time_t *ret)
{
        unsigned y, mo, d, h, mi, se;
        int n = 0;

        if (!s || sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
                return -EINVAL;
        const char *p = s + n;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (!streq(p, "Z") || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
            se > 60)
                return -EINVAL;

        struct tm tm = { .tm_year = (int) y - 1900,
                         .tm_mon = (int) mo - 1,
                         .tm_mday = (int) d,
                         .tm_hour = (int) h,
                         .tm_min = (int) mi,
                         .tm_sec = (int) se };
        time_t t = timegm(&tm);
        /* timegm() normalises 2025-02-31 into March; a round trip catches such dates. */
        if (t == (time_t) -1 || tm.tm_mday != (int) d || tm.tm_mon != (int) mo - 1)
                return -EINVAL;
        *ret = t;
        return 0;
}

static inline const char *rfc3339_format(time_t t, char buf[static RFC3339_MAX])
{
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(buf, RFC3339_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, RFC3339_MAX, "@%lld", (long long) t);
        return buf;
}

/* An ASN1_TIME (certificate notBefore/notAfter, CRL thisUpdate/nextUpdate) as time_t. */
static inline int asn1_time_to_time_t(const ASN1_TIME *a, time_t *ret)
{
        struct tm tm;
        if (!a || ASN1_TIME_to_tm(a, &tm) != 1)
                return -EBADMSG;
        time_t t = timegm(&tm);
        if (t == (time_t) -1)
                return -EBADMSG;
        *ret = t;
        return 0;
}

/* Replaces *ret (if ret is not NULL) with a formatted sentence for users; NULL when out of memory. */
static inline void detail_set(char **ret, const char *fmt, ...) _printf_(2, 3);
static inline void detail_set(char **ret, const char *fmt, ...)
{
        va_list ap;
        char *s;

        if (!ret)
                return;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        free(*ret);
        *ret = s;
}
