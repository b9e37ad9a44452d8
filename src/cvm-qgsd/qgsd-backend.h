/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where quotes come from. A backend is loaded at start (so a host without what it needs fails then, not at
 * the first request) and again on SIGHUP; its quote function is called from several worker threads at
 * once and must be thread-safe.
 */
#include "macro.h"
#include "qgsd-config.h"

typedef struct QgsdPlatformInfo {
        uint16_t tdqe_isvsvn, pce_isvsvn;
        uint8_t platform_id[16], cpusvn[16];
} QgsdPlatformInfo;

typedef struct QgsdBackendOps {
        const char *name;
        /* Logs what is wrong. */
        int (*load)(const QgsdConfig *c, void **ret_state);
        void (*free)(void *state);
        /* A quote for the report (a 1024-byte TDREPORT). 0 / -errno, logs at debug only. */
        int (*quote)(void *state, const uint8_t *report, size_t report_size, uint8_t **ret,
                     size_t *ret_size);
        /* NULL when the backend has no platform to describe. */
        int (*platform_info)(void *state, QgsdPlatformInfo *ret);
        /* Optional: one step of work ahead of requests (tens of microseconds at most), called by a worker
         * that has nothing else to do; returns whether there is more. Thread-safe. */
        bool (*prepare)(void *state);
} QgsdBackendOps;

extern const QgsdBackendOps qgsd_backend_soft;
extern const QgsdBackendOps qgsd_backend_dcap;

const QgsdBackendOps *qgsd_backend_find(const char *name);

/* A loaded backend, shared by the workers; the last unref frees it (SIGHUP swaps in a new one). */
typedef struct QgsdBackend {
        const QgsdBackendOps *ops;
        void *state;
        _Atomic unsigned n_ref;
} QgsdBackend;

int qgsd_backend_load(const QgsdConfig *c, QgsdBackend **ret);
QgsdBackend *qgsd_backend_ref(QgsdBackend *b);
QgsdBackend *qgsd_backend_unref(QgsdBackend *b);
