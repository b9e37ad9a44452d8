/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The INSECURE software quoting backend: quotes signed by the soft CA in --soft-ca=DIR (qgs/soft-ca.h). */
#include "log.h"
#include "qgs/soft-ca.h"
#include "qgsd-backend.h"

static int soft_load(const QgsdConfig *c, void **ret_state)
{
        SoftCa *ca = NULL;

        if (!c->soft_ca)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "The soft backend needs --soft-ca=DIR (create one with "
                                       "--init-soft-ca=DIR)");
        int r = soft_ca_load(c->soft_ca, &ca);
        if (r < 0)
                return log_error_errno(r, "Failed to load the soft CA in '%s': %m", c->soft_ca);
        log_warning("Backend 'soft': quotes are signed by the INSECURE software CA in '%s', for development "
                    "and tests only; no Intel root accepts them",
                    c->soft_ca);
        *ret_state = ca;
        return 0;
}

static void soft_free(void *state)
{
        soft_ca_free(state);
}

static int soft_quote(void *state, const uint8_t *report, size_t report_size, uint8_t **ret,
                      size_t *ret_size)
{
        if (report_size != 1024)
                return -EBADMSG;
        return soft_ca_quote(state, report, ret, ret_size);
}

const QgsdBackendOps qgsd_backend_soft = {
        .name = "soft",
        .load = soft_load,
        .free = soft_free,
        .quote = soft_quote,
};
