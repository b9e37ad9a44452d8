/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper: soft-quote CA-DIR TDREPORT QUOTE. Creates the soft quoting CA in CA-DIR unless it holds
 * one, and writes the soft CA's quote of the 1024-byte TDREPORT file to QUOTE. The integration tests use
 * it to hand the quote to `cvm verify` without the daemon.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "qgs/soft-ca.h"

int main(int argc, char *argv[])
{
        _cleanup_(soft_ca_freep) SoftCa *ca = NULL;
        _cleanup_free_ char *report = NULL;
        _cleanup_free_ uint8_t *quote = NULL;
        size_t n;
        int r;

        if (argc != 4) {
                fprintf(stderr, "Usage: %s CA-DIR TDREPORT QUOTE\n", argv[0]);
                return 2;
        }
        r = soft_ca_init(argv[1]);
        if (r < 0 && r != -EEXIST) {
                fprintf(stderr, "soft_ca_init(%s): %s\n", argv[1], strerror(-r));
                return 1;
        }
        if ((r = soft_ca_load(argv[1], &ca)) < 0) {
                fprintf(stderr, "soft_ca_load(%s): %s\n", argv[1], strerror(-r));
                return 1;
        }
        if ((r = read_full_file(argv[2], 1025, &report, &n)) < 0 || n != 1024) {
                fprintf(stderr, "%s: not a 1024-byte TDREPORT\n", argv[2]);
                return 1;
        }
        if ((r = soft_ca_quote(ca, (const uint8_t *) report, NULL, &quote, &n)) < 0) {
                _cleanup_free_ char *detail = NULL;
                (void) soft_ca_check_tdreport((const uint8_t *) report, &detail);
                fprintf(stderr, "soft_ca_quote: %s: %s\n", strerror(-r), strna(detail));
                return 1;
        }
        if ((r = write_full_file(argv[3], quote, n)) < 0) {
                fprintf(stderr, "%s: %s\n", argv[3], strerror(-r));
                return 1;
        }
        return 0;
}
