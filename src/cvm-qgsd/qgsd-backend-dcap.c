/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real TDX quotes through Intel's TD quoting library, loaded at run time so cvm-qgsd has no build
 * dependency on DCAP. The library and its API are those Intel's own QGS uses:
 * intel/SGXDataCenterAttestationPrimitives QuoteGeneration/quote_wrapper/tdx_quote/inc/td_ql_wrapper.h
 * (libsgx_tdx_logic.so.1, exports in tdx_quote/linux/td_ql_logic.lds) and qgs/qgs_ql_logic.cpp (the call
 * sequence: create a context, init_quote, get_quote_size, get_quote; re-init once on
 * TEE_ATT_ATT_KEY_NOT_INITIALIZED). The TD QE runs in an SGX enclave, so the library needs /dev/sgx_enclave
 * and /dev/sgx_provision and the PCK certificate from a PCCS (/etc/sgx_default_qcnl.conf).
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>

#include "log.h"
#include "qgsd-backend.h"

#define DCAP_LIBRARY                    "libsgx_tdx_logic.so.1"
#define TEE_ATT_SUCCESS                 0x0000U
#define TEE_ATT_ATT_KEY_NOT_INITIALIZED 0x1100fU /* TEE_ATT_MK_ERROR(0x000f) = 0x00011000 | x */
#define SGX_TARGET_INFO_SIZE            512U

typedef struct tee_att_config_t tee_att_config_t;
/* tee_platform_info_t, #pragma pack(1): platform_id[16], cpu_svn[16], tdqe_isv_svn, pce_isv_svn. */
typedef struct __attribute__((packed)) {
        uint8_t platform_id[16];
        uint8_t cpu_svn[16];
        uint16_t tdqe_isv_svn;
        uint16_t pce_isv_svn;
} TeePlatformInfo;
static_assert(sizeof(TeePlatformInfo) == 36, "tee_platform_info_t");

typedef struct Dcap {
        void *dl;
        uint32_t (*create_context)(const void *att_key_id, const char *qe_path, tee_att_config_t **ret);
        uint32_t (*free_context)(tee_att_config_t *ctx);
        uint32_t (*init_quote)(const tee_att_config_t *ctx, void *qe_target_info, bool refresh_att_key,
                               size_t *pub_key_id_size, uint8_t *pub_key_id);
        uint32_t (*get_quote_size)(const tee_att_config_t *ctx, uint32_t *ret);
        uint32_t (*get_quote)(const tee_att_config_t *ctx, const uint8_t *report, uint32_t report_size,
                              void *qe_report_info, uint8_t *quote, uint32_t quote_size);
        uint32_t (*get_platform_info)(const tee_att_config_t *ctx, TeePlatformInfo *ret);
        tee_att_config_t *ctx;
        /* One context, one TD QE enclave: calls into it are serialized (Intel's QGS keeps a context per
         * thread, but they share the one enclave and its attestation key). */
        pthread_mutex_t lock;
} Dcap;

static void dcap_free(void *state)
{
        Dcap *d = state;
        if (!d)
                return;
        if (d->ctx)
                (void) d->free_context(d->ctx);
        if (d->dl)
                (void) dlclose(d->dl);
        pthread_mutex_destroy(&d->lock);
        free(d);
}

static int init_quote(Dcap *d, bool refresh)
{
        uint8_t target_info[SGX_TARGET_INFO_SIZE], hash[32];
        size_t hash_size = sizeof(hash);
        uint32_t e = d->init_quote(d->ctx, target_info, refresh, &hash_size, hash);
        if (e != TEE_ATT_SUCCESS)
                return log_debug_errno(SYNTHETIC_ERRNO(EIO), "tee_att_init_quote() returned 0x%" PRIx32, e);
        return 0;
}

static int dcap_load(const QgsdConfig *c, void **ret_state)
{
        Dcap *d = new0(Dcap, 1);
        if (!d)
                return log_oom();
        pthread_mutex_init(&d->lock, NULL);

        d->dl = dlopen(DCAP_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!d->dl) {
                log_error("Backend 'dcap' needs Intel's TD quoting library " DCAP_LIBRARY
                          " (Debian/Ubuntu package libsgx-tdx-logic1 from Intel's SGX repository): %s",
                          dlerror());
                dcap_free(d);
                return -ELIBACC;
        }
        static const struct {
                const char *name;
                size_t offset;
        } syms[] = {
                { "tee_att_create_context", offsetof(Dcap, create_context) },
                { "tee_att_free_context", offsetof(Dcap, free_context) },
                { "tee_att_init_quote", offsetof(Dcap, init_quote) },
                { "tee_att_get_quote_size", offsetof(Dcap, get_quote_size) },
                { "tee_att_get_quote", offsetof(Dcap, get_quote) },
                { "tee_att_get_platform_info", offsetof(Dcap, get_platform_info) },
        };
        for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
                void *f = dlsym(d->dl, syms[i].name);
                if (!f) {
                        log_error("%s lacks %s(): %s", DCAP_LIBRARY, syms[i].name, dlerror());
                        dcap_free(d);
                        return -ELIBBAD;
                }
                memcpy((uint8_t *) d + syms[i].offset, &f, sizeof(f));
        }

        uint32_t e = d->create_context(NULL, NULL, &d->ctx);
        if (e != TEE_ATT_SUCCESS || !d->ctx) {
                log_error("tee_att_create_context() failed with 0x%" PRIx32
                          " (are /dev/sgx_enclave and /dev/sgx_provision accessible?)",
                          e);
                d->ctx = NULL;
                dcap_free(d);
                return -EIO;
        }
        /* The attestation key is made now, so that a host without a PCK certificate fails at start. */
        int r = init_quote(d, false);
        if (r < 0) {
                log_error("The TD quoting enclave could not make its attestation key (tee_att_init_quote "
                          "failed; check the PCCS in /etc/sgx_default_qcnl.conf)");
                dcap_free(d);
                return r;
        }
        *ret_state = d;
        return 0;
}

static int dcap_quote(void *state, const uint8_t *report, size_t report_size, uint8_t **ret,
                      size_t *ret_size)
{
        Dcap *d = state;
        uint32_t size = 0, e = TEE_ATT_SUCCESS;
        _cleanup_free_ uint8_t *q = NULL;

        pthread_mutex_lock(&d->lock);
        for (int attempt = 0; attempt < 2; attempt++) {
                if (attempt > 0 && init_quote(d, true) < 0)
                        break;
                e = d->get_quote_size(d->ctx, &size);
                if (e == TEE_ATT_SUCCESS) {
                        free(q);
                        q = size > 0 ? malloc(size) : NULL;
                        if (!q) {
                                pthread_mutex_unlock(&d->lock);
                                return -ENOMEM;
                        }
                        e = d->get_quote(d->ctx, report, (uint32_t) report_size, NULL, q, size);
                }
                if (e != TEE_ATT_ATT_KEY_NOT_INITIALIZED)
                        break;
        }
        pthread_mutex_unlock(&d->lock);
        if (e != TEE_ATT_SUCCESS)
                return log_debug_errno(SYNTHETIC_ERRNO(EIO), "tee_att_get_quote() returned 0x%" PRIx32, e);
        *ret = TAKE_PTR(q);
        *ret_size = size;
        return 0;
}

static int dcap_platform_info(void *state, QgsdPlatformInfo *ret)
{
        Dcap *d = state;
        TeePlatformInfo p;

        pthread_mutex_lock(&d->lock);
        uint32_t e = d->get_platform_info(d->ctx, &p);
        pthread_mutex_unlock(&d->lock);
        if (e != TEE_ATT_SUCCESS)
                return log_debug_errno(SYNTHETIC_ERRNO(EIO),
                                       "tee_att_get_platform_info() returned 0x%" PRIx32, e);
        ret->tdqe_isvsvn = p.tdqe_isv_svn;
        ret->pce_isvsvn = p.pce_isv_svn;
        memcpy(ret->platform_id, p.platform_id, 16);
        memcpy(ret->cpusvn, p.cpu_svn, 16);
        return 0;
}

const QgsdBackendOps qgsd_backend_dcap = {
        .name = "dcap",
        .load = dcap_load,
        .free = dcap_free,
        .quote = dcap_quote,
        .platform_info = dcap_platform_info,
};
