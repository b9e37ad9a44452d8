/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The INSECURE software quoting backend: quotes signed by the soft CA in --soft-ca=DIR (qgs/soft-ca.h).
 *
 * Most of a quote's cost is its ECDSA signature, and most of that does not depend on the TDREPORT
 * (qgs/soft-signer.h). Idle workers keep a small pool of such nonces made ahead; a quote takes one and
 * finishes its signature in under a microsecond, or signs in full when the pool is empty (a burst, or a
 * busy host: the pool fills only from time no request wanted).
 */
#include <pthread.h>

#include "log.h"
#include "qgs/soft-ca.h"
#include "qgsd-backend.h"

#define NONCE_POOL 32U

typedef struct Soft {
        SoftCa *ca;
        pthread_mutex_t lock;
        SoftNonce *pool[NONCE_POOL];
        size_t n;
} Soft;

static void soft_free(void *state)
{
        Soft *s = state;
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                soft_nonce_free(s->pool[i]);
        soft_ca_free(s->ca);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

static int soft_load(const QgsdConfig *c, void **ret_state)
{
        if (!c->soft_ca)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "The soft backend needs --soft-ca=DIR (create one with "
                                       "--init-soft-ca=DIR)");
        Soft *s = new0(Soft, 1);
        if (!s)
                return log_oom();
        pthread_mutex_init(&s->lock, NULL);
        int r = soft_ca_load(c->soft_ca, &s->ca);
        if (r < 0) {
                soft_free(s);
                return log_error_errno(r, "Failed to load the soft CA in '%s': %m", c->soft_ca);
        }
        log_warning("Backend 'soft': quotes are signed by the INSECURE software CA in '%s', for development "
                    "and tests only; no Intel root accepts them",
                    c->soft_ca);
        *ret_state = s;
        return 0;
}

static int soft_quote(void *state, const uint8_t *report, size_t report_size, uint8_t **ret,
                      size_t *ret_size)
{
        Soft *s = state;
        SoftNonce *nonce = NULL;

        if (report_size != 1024)
                return -EBADMSG;
        pthread_mutex_lock(&s->lock);
        if (s->n > 0)
                nonce = s->pool[--s->n];
        pthread_mutex_unlock(&s->lock);
        return soft_ca_quote(s->ca, report, nonce, ret, ret_size);
}

static bool soft_prepare(void *state)
{
        Soft *s = state;
        SoftNonce *nonce = NULL;

        pthread_mutex_lock(&s->lock);
        bool full = s->n == NONCE_POOL;
        pthread_mutex_unlock(&s->lock);
        if (full || soft_ca_nonce(s->ca, &nonce) < 0)
                return false; /* a failure here only means full signatures later */

        pthread_mutex_lock(&s->lock);
        if (s->n < NONCE_POOL) {
                s->pool[s->n++] = TAKE_PTR(nonce);
                full = s->n == NONCE_POOL;
        }
        pthread_mutex_unlock(&s->lock);
        soft_nonce_free(nonce); /* another worker filled the last place meanwhile */
        return !full;
}

const QgsdBackendOps qgsd_backend_soft = {
        .name = "soft",
        .load = soft_load,
        .free = soft_free,
        .quote = soft_quote,
        .prepare = soft_prepare,
};
