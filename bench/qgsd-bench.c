/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Quotes per second from cvm-qgsd over its unix socket, at a given number of concurrent clients, with
 * p50/p99 latency, as a ratio to the bound measured in the same run: OpenSSL's raw ECDSA P-256 signing rate
 * on as many threads as can sign at once (min(clients, daemon threads, CPUs)). One signature per quote is
 * the bound: the QE report the soft CA puts in a quote depends only on the attestation key and is signed
 * once. Each client sends QEMU's framed GET_QUOTE_REQ (test/helpers/qgs-client.c) on a new connection per
 * quote and, like QEMU, reads the reply only as far as its length prefix says.
 *
 *   qgsd-bench SOCKET TDREPORT CLIENTS SECONDS SIGNING_THREADS
 */
#include <inttypes.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fileio.h"
#include "qgs/qgs-proto.h"
#include "time-util.h"

static const char *arg_socket;
static uint8_t *request;
static size_t request_size;
static uint64_t deadline;

typedef struct {
        uint64_t *lat;
        size_t n, cap, failed;
} Worker;

static bool one_quote(void)
{
        static _Thread_local uint8_t buf[QGS_PREFIX_SIZE + QGS_MSG_MAX];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t n = 0;
        bool ok = false;

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        strncpy(sa.sun_path, arg_socket, sizeof(sa.sun_path) - 1);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            send(fd, request, request_size, MSG_NOSIGNAL) != (ssize_t) request_size)
                goto out;
        /* As QEMU does (tdx_get_quote_read()): read until the length prefix's message is complete, then
         * close, without waiting for the daemon's end of stream. */
        for (size_t want = sizeof(buf); n < want;) {
                ssize_t k = recv(fd, buf + n, want - n, 0);
                if (k <= 0)
                        break;
                n += (size_t) k;
                if (n >= QGS_PREFIX_SIZE)
                        want = MIN(sizeof(buf),
                                   QGS_PREFIX_SIZE + ((size_t) buf[0] << 24 | (size_t) buf[1] << 16 |
                                                      (size_t) buf[2] << 8 | buf[3]));
        }
        QgsMessage m;
        ok = n > QGS_PREFIX_SIZE && qgs_msg_parse(buf + 4, n - 4, &m, NULL, NULL) >= 0 &&
             m.error_code == 0 && m.type == QGS_GET_QUOTE_RESP && m.quote_resp.quote.size > 0;
out:
        close(fd);
        return ok;
}

static void *client(void *p)
{
        Worker *w = p;
        while (now_usec() < deadline) {
                uint64_t t = now_usec();
                if (!one_quote()) {
                        w->failed++;
                        continue;
                }
                if (w->n == w->cap) {
                        w->cap = w->cap ? 2 * w->cap : 4096;
                        w->lat = realloc(w->lat, w->cap * sizeof(uint64_t));
                        if (!w->lat)
                                abort();
                }
                w->lat[w->n++] = now_usec() - t;
        }
        return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

typedef struct {
        EVP_PKEY *key;
        uint64_t until, count;
} Signer;

static void *sign_loop(void *p)
{
        Signer *s = p;
        uint8_t digest[32] = { 1 }, sig[80];
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->key, NULL);
        if (!ctx || EVP_PKEY_sign_init(ctx) <= 0)
                abort();
        while (now_usec() < s->until) {
                size_t sl = sizeof(sig);
                digest[0]++;
                if (EVP_PKEY_sign(ctx, sig, &sl, digest, sizeof(digest)) <= 0)
                        abort();
                s->count++;
        }
        EVP_PKEY_CTX_free(ctx);
        return NULL;
}

/* ECDSA P-256 signatures per second over the threads, for seconds. */
static double sign_rate(unsigned threads, double seconds)
{
        EVP_PKEY *key = EVP_EC_gen("P-256");
        Signer s[256] = {};
        pthread_t t[256];
        uint64_t start = now_usec(), total = 0;

        if (!key)
                abort();
        threads = MIN(threads, 256U);
        for (unsigned i = 0; i < threads; i++) {
                s[i] = (Signer){ .key = key, .until = start + (uint64_t) (seconds * 1e6) };
                pthread_create(&t[i], NULL, sign_loop, &s[i]);
        }
        for (unsigned i = 0; i < threads; i++) {
                pthread_join(t[i], NULL);
                total += s[i].count;
        }
        EVP_PKEY_free(key);
        return (double) total / ((double) (now_usec() - start) / 1e6);
}

int main(int argc, char *argv[])
{
        _cleanup_free_ char *report = NULL;
        size_t rs;

        if (argc != 6) {
                fprintf(stderr, "usage: qgsd-bench SOCKET TDREPORT CLIENTS SECONDS SIGNING_THREADS\n");
                return 2;
        }
        arg_socket = argv[1];
        unsigned clients = (unsigned) strtoul(argv[3], NULL, 10);
        double seconds = strtod(argv[4], NULL);
        unsigned sign_threads = (unsigned) strtoul(argv[5], NULL, 10);
        if (clients == 0 || clients > 1024 || seconds <= 0 || sign_threads == 0 ||
            read_full_file(argv[2], 4096, &report, &rs) < 0 || rs != 1024 ||
            qgs_build_quote_req((const uint8_t *) report, rs, NULL, 0, &request, &request_size) < 0) {
                fprintf(stderr, "qgsd-bench: bad arguments\n");
                return 2;
        }

        /* Warm up (first connections, page faults), then measure. */
        for (int i = 0; i < 50; i++)
                (void) one_quote();

        /* The bound is measured before and after the run and averaged, so a load that drifts during the
         * run (a shared machine) weighs on both sides alike. */
        double bound_before = sign_rate(sign_threads, MIN(seconds / 2, 1.0));

        Worker *w = calloc(clients, sizeof(Worker));
        pthread_t *t = calloc(clients, sizeof(pthread_t));
        if (!w || !t)
                return 1;
        uint64_t start = now_usec();
        deadline = start + (uint64_t) (seconds * 1e6);
        for (unsigned i = 0; i < clients; i++)
                pthread_create(&t[i], NULL, client, &w[i]);
        size_t total = 0, failed = 0;
        for (unsigned i = 0; i < clients; i++) {
                pthread_join(t[i], NULL);
                total += w[i].n;
                failed += w[i].failed;
        }
        double elapsed = (double) (now_usec() - start) / 1e6;

        uint64_t *all = malloc((total ?: 1) * sizeof(uint64_t));
        size_t k = 0;
        for (unsigned i = 0; i < clients; i++) {
                memcpy(all + k, w[i].lat, w[i].n * sizeof(uint64_t));
                k += w[i].n;
                free(w[i].lat);
        }
        qsort(all, total, sizeof(uint64_t), cmp_u64);
        double rate = (double) total / elapsed;
        double bound = (bound_before + sign_rate(sign_threads, MIN(seconds / 2, 1.0))) / 2;

        printf("clients %u: %.0f quotes/s (%zu in %.2f s, %zu failed), p50 %.3f ms, p99 %.3f ms; "
               "bound (ECDSA P-256 signs/s on %u thread%s) %.0f; ratio %.1f%%\n",
               clients, rate, total, elapsed, failed, total ? all[total / 2] / 1000.0 : 0.0,
               total ? all[total * 99 / 100] / 1000.0 : 0.0, sign_threads, sign_threads == 1 ? "" : "s",
               bound, 100.0 * rate / bound);
        free(all);
        free(w);
        free(t);
        free(request);
        return failed > 0;
}
