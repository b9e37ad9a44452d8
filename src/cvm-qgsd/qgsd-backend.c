/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdatomic.h>

#include "log.h"
#include "qgsd-backend.h"

const QgsdBackendOps *qgsd_backend_find(const char *name)
{
        static const QgsdBackendOps *const table[] = { &qgsd_backend_soft, &qgsd_backend_dcap };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i]->name, name))
                        return table[i];
        return NULL;
}

int qgsd_backend_load(const QgsdConfig *c, QgsdBackend **ret)
{
        const QgsdBackendOps *ops = qgsd_backend_find(c->backend);
        void *state = NULL;

        if (!ops)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Unknown backend '%s'", c->backend);
        int r = ops->load(c, &state);
        if (r < 0)
                return r;
        QgsdBackend *b = new0(QgsdBackend, 1);
        if (!b) {
                ops->free(state);
                return log_oom();
        }
        *b = (QgsdBackend){ .ops = ops, .state = state, .n_ref = 1 };
        *ret = b;
        return 0;
}

QgsdBackend *qgsd_backend_ref(QgsdBackend *b)
{
        if (b)
                (void) atomic_fetch_add_explicit(&b->n_ref, 1, memory_order_relaxed);
        return b;
}

QgsdBackend *qgsd_backend_unref(QgsdBackend *b)
{
        if (b && atomic_fetch_sub_explicit(&b->n_ref, 1, memory_order_acq_rel) == 1) {
                b->ops->free(b->state);
                free(b);
        }
        return NULL;
}
