/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/fetch-cache.h"
#include "attest/openssl-util.h"
#include "fileio.h"
#include "hexbase64.h"

int fetch_cache_dir(const char *kind, char **ret)
{
        const char *e = getenv("CVM_CACHE_DIR");
        int k;

        if (e && e[0] == '/')
                k = asprintf(ret, "%s/%s", e, kind);
        else if ((e = getenv("XDG_CACHE_HOME")) && e[0] == '/')
                k = asprintf(ret, "%s/cvm/%s", e, kind);
        else if ((e = getenv("HOME")) && e[0] == '/')
                k = asprintf(ret, "%s/.cache/cvm/%s", e, kind);
        else
                return -ENOENT;
        if (k < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int fetch_cache_path(const char *dir, const char *const *parts, const char *suffix, char **ret)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        _cleanup_free_ char *hex = NULL;

        if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        for (size_t i = 0; parts[i]; i++)
                if ((i > 0 && EVP_DigestUpdate(md, "\n", 1) != 1) ||
                    EVP_DigestUpdate(md, parts[i], strlen(parts[i])) != 1)
                        return -ENOMEM;
        if (EVP_DigestFinal_ex(md, digest, &n) != 1 || hex_encode(digest, n, &hex) < 0)
                return -ENOMEM;
        if (asprintf(ret, "%s/%s%s", dir, hex, strempty(suffix)) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int fetch_cache_read(const char *path, char **ret, size_t *ret_size)
{
        return read_full_file(path, FETCH_CACHE_ENTRY_MAX, ret, ret_size);
}

int fetch_cache_write(const char *path, const void *data, size_t size)
{
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        int r = mkdir_p(dirname(dir), 0700);
        if (r < 0)
                return r;
        return write_file_atomic(path, data, size, 0600);
}
