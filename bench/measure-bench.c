/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure-bench FIRMWARE [ROUNDS]: the time mrtd_compute() takes for FIRMWARE in each page order, as a ratio
 * to its bound measured in the same run: one OpenSSL SHA-384 over a buffer of as many bytes as the MRTD
 * stream hashes (538 * 128 + 7680 * 384 bytes for Debian bookworm's OVMF.fd). The MRTD cannot be faster than
 * that hash; what it adds is building the records. Each round times the MRTD and then the bound, in thread
 * CPU time (time the thread was preempted by the other processes of a shared machine does not count); the
 * ratio reported is the median of the rounds' ratios, so a round disturbed on one side only does not decide.
 *
 * Output: one line per order, "order per-page: mrtd 4.18 ms, sha384 4.00 ms over 3017984 bytes, ratio 1.04"
 * (the times are the fastest rounds).
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <time.h>

#include "fileio.h"
#include "measure/mrtd.h"

/* Microseconds of CPU time this thread used. */
static double cpu_usec(void)
{
        struct timespec ts;
        (void) clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double time_mrtd(const OvmfImage *img, const uint8_t *data, size_t size, MrtdOrder order,
                        MrtdResult *m)
{
        double t0 = cpu_usec();
        if (mrtd_compute(img, data, size, order, m, NULL) < 0) {
                fprintf(stderr, "measure-bench: MRTD failed\n");
                exit(2);
        }
        return cpu_usec() - t0;
}

static double time_sha384(const uint8_t *buf, size_t n)
{
        uint8_t md[48];
        unsigned len;
        double t0 = cpu_usec();
        if (EVP_Digest(buf, n, md, &len, EVP_sha384(), NULL) != 1) {
                fprintf(stderr, "measure-bench: SHA-384 failed\n");
                exit(2);
        }
        return cpu_usec() - t0;
}

int main(int argc, char *argv[])
{
        _cleanup_free_ char *data = NULL;
        OvmfImage img;
        size_t size;
        unsigned rounds = argc > 2 ? (unsigned) atoi(argv[2]) : 20;

        if (argc < 2 || rounds == 0) {
                fprintf(stderr, "Usage: measure-bench FIRMWARE [ROUNDS]\n");
                return 2;
        }
        if (read_full_file(argv[1], OVMF_IMAGE_MAX, &data, &size) < 0 ||
            ovmf_image_parse(data, size, size, &img) < 0 || img.tdx.error < 0) {
                fprintf(stderr, "measure-bench: '%s' is not a firmware image with TDX metadata\n", argv[1]);
                return 2;
        }

        for (MrtdOrder order = 0; order < _MRTD_ORDER_MAX; order++) {
                MrtdResult m;
                double best_m = 1e18, best_s = 1e18;

                /* One round to learn the stream size and to warm the caches. */
                (void) time_mrtd(&img, (const uint8_t *) data, size, order, &m);
                _cleanup_free_ uint8_t *buf = malloc(m.hashed_bytes);
                if (!buf)
                        return 2;
                /* Not zeros: the same kind of bytes as the image, so nothing gets a shortcut. */
                for (size_t i = 0; i < m.hashed_bytes; i++)
                        buf[i] = (uint8_t) data[i % size];

                _cleanup_free_ double *ratios = calloc(rounds, sizeof(double));
                if (!ratios)
                        return 2;
                for (unsigned i = 0; i < rounds; i++) {
                        double tm = time_mrtd(&img, (const uint8_t *) data, size, order, &m);
                        double ts = time_sha384(buf, m.hashed_bytes);
                        best_m = MIN(best_m, tm);
                        best_s = MIN(best_s, ts);
                        ratios[i] = tm / MAX(ts, 1.0);
                }
                qsort(ratios, rounds, sizeof(double), cmp_double);
                printf("order %s: mrtd %.2f ms, sha384 %.2f ms over %" PRIu64 " bytes, ratio %.2f\n",
                       mrtd_order_to_string(order), best_m / 1000, best_s / 1000, m.hashed_bytes,
                       ratios[rounds / 2]);
        }
        ovmf_image_done(&img);
        return 0;
}
