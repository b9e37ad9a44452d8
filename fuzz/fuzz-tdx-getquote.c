/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a TD reads back without configfs-tsm (src/libcvm/guest/tdx-getquote.c), on arbitrary bytes: the
 * GetQuote buffer as the VMM leaves it (header, then a framed QGS reply), the same bytes as a bare QGS
 * reply, and as the text of /etc/tdx-attest.conf.
 */
#include "fuzz.h"
#include "guest/tdx-getquote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *quote;
        size_t n;

        if (fuzz_too_big(size))
                return 0;

        _cleanup_free_ char *err = NULL;
        if (tdx_getquote_buf_parse(data, size, &quote, &n, &err) >= 0)
                assert(n > 0 && quote >= data + TDX_GETQUOTE_HDR_SIZE && quote + n <= data + size);
        else
                assert(err);

        _cleanup_free_ char *err2 = NULL;
        if (tdx_qgs_reply_parse(data, size, &quote, &n, &err2) >= 0)
                assert(n > 0 && quote >= data && quote + n <= data + size);
        else
                assert(err2);

        _cleanup_free_ char *text = malloc(size + 1);
        assert(text);
        memcpy(text, data, size);
        text[size] = 0;
        unsigned port;
        int r = tdx_attest_conf_parse(text, &port);
        assert(r == 0 || r == -ENOENT || r == -ERANGE);
        return 0;
}
