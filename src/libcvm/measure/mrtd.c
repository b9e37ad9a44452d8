/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MRTD from a TDVF image (algorithm and sources in mrtd.h; the page orders in reference/measurement.md 1a).
 *
 * The stream is never materialised: each page's records are assembled in one buffer (one PAGE.ADD record
 * plus sixteen 384-byte EXTEND triples, 6272 bytes) and handed to a single SHA-384 context, so the cost is
 * SHA-384 over the stream plus a 4 KiB copy per page.
 */
#include <inttypes.h>
#include <openssl/evp.h>

#include "log.h"
#include "measure/measure-util.h"
#include "measure/mrtd.h"
#include "string-table.h"

#define RECORD_SIZE     128U
#define CHUNK_SIZE      256U
#define CHUNKS_PER_PAGE (OVMF_PAGE_SIZE / CHUNK_SIZE)
#define EXTEND_SIZE     (RECORD_SIZE + CHUNK_SIZE)
#define PAGE_EXTENDS    (CHUNKS_PER_PAGE * EXTEND_SIZE)
/* Two-pass ADD records go to the hash in batches of this many. */
#define ADD_BATCH 64U

static const char *const mrtd_order_table[_MRTD_ORDER_MAX] = {
        [MRTD_ORDER_PER_PAGE] = "per-page",
        [MRTD_ORDER_TWO_PASS] = "two-pass",
};
DEFINE_STRING_TABLE_LOOKUP(mrtd_order, MrtdOrder);

static inline void evp_md_ctx_freep(EVP_MD_CTX **p)
{
        EVP_MD_CTX_free(*p);
}

static void put_le64(uint8_t *p, uint64_t v)
{
        for (size_t i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/* A 128-byte operation record: the ASCII name, zeros, the GPA at byte 16. */
static void record(uint8_t *p, const char *op, uint64_t gpa)
{
        memset(p, 0, RECORD_SIZE);
        memcpy(p, op, strlen(op));
        put_le64(p + 16, gpa);
}

/* The 16 EXTEND triples of the page at gpa whose content is src. */
static void page_extends(uint8_t *p, uint64_t gpa, const uint8_t *src)
{
        for (size_t c = 0; c < CHUNKS_PER_PAGE; c++, p += EXTEND_SIZE) {
                record(p, "MR.EXTEND", gpa + c * CHUNK_SIZE);
                memcpy(p + RECORD_SIZE, src + c * CHUNK_SIZE, CHUNK_SIZE);
        }
}

static int update(EVP_MD_CTX *ctx, MrtdResult *res, const void *p, size_t n)
{
        res->hashed_bytes += n;
        return EVP_DigestUpdate(ctx, p, n) == 1 ? 0 : -EIO;
}

static int section_per_page(EVP_MD_CTX *ctx, const TdvfSection *s, const uint8_t *content, MrtdResult *res)
{
        uint8_t buf[RECORD_SIZE + PAGE_EXTENDS];
        uint64_t pages = s->mem_size / OVMF_PAGE_SIZE;

        for (uint64_t i = 0; i < pages; i++) {
                uint64_t gpa = s->gpa + i * OVMF_PAGE_SIZE;
                size_t n = RECORD_SIZE;

                record(buf, "MEM.PAGE.ADD", gpa);
                res->page_adds++;
                if (content) {
                        page_extends(buf + RECORD_SIZE, gpa, content + i * OVMF_PAGE_SIZE);
                        n += PAGE_EXTENDS;
                        res->mr_extends += CHUNKS_PER_PAGE;
                }
                int r = update(ctx, res, buf, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int section_two_pass(EVP_MD_CTX *ctx, const TdvfSection *s, const uint8_t *content, MrtdResult *res)
{
        uint8_t buf[MAX(ADD_BATCH * RECORD_SIZE, PAGE_EXTENDS)];
        uint64_t pages = s->mem_size / OVMF_PAGE_SIZE;
        int r;

        for (uint64_t i = 0; i < pages;) {
                size_t k = 0;
                for (; k < ADD_BATCH && i < pages; k++, i++)
                        record(buf + k * RECORD_SIZE, "MEM.PAGE.ADD", s->gpa + i * OVMF_PAGE_SIZE);
                res->page_adds += k;
                if ((r = update(ctx, res, buf, k * RECORD_SIZE)) < 0)
                        return r;
        }
        if (!content)
                return 0;
        for (uint64_t i = 0; i < pages; i++) {
                page_extends(buf, s->gpa + i * OVMF_PAGE_SIZE, content + i * OVMF_PAGE_SIZE);
                res->mr_extends += CHUNKS_PER_PAGE;
                if ((r = update(ctx, res, buf, PAGE_EXTENDS)) < 0)
                        return r;
        }
        return 0;
}

int mrtd_compute(const OvmfImage *img, const uint8_t *data, size_t size, MrtdOrder order, MrtdResult *ret,
                 char **reterr)
{
        MrtdResult res = {};

        if (img->tdx.error < 0 || img->n_tdvf_sections == 0 || img->size != size || order < 0 ||
            order >= _MRTD_ORDER_MAX)
                return -EINVAL;

        /* Bounds first: every measured section's content must come from the file, and the pages must be
         * few enough to hash (TDVF sections are firmware memory below 4 GiB, not the guest's RAM). */
        uint64_t total = 0;
        for (size_t i = 0; i < img->n_tdvf_sections; i++) {
                const TdvfSection *s = img->tdvf_sections + i;
                total += s->mem_size / OVMF_PAGE_SIZE;
                if (total > MRTD_PAGES_MAX)
                        return parse_error(reterr, -E2BIG,
                                           "TDVF sections 0..%zu cover more than %u pages (4 GiB) of guest "
                                           "memory: not a firmware image",
                                           i, MRTD_PAGES_MAX);
                if (!(s->attributes & TDVF_ATTR_MR_EXTEND))
                        continue;
                if (s->raw_size != s->mem_size || (uint64_t) s->data_offset + s->raw_size > size)
                        return parse_error(
                                reterr, -EOPNOTSUPP,
                                "TDVF section %zu (%s): MR.EXTEND over 0x%" PRIx64
                                " bytes of guest memory but 0x%" PRIx32 " bytes of file data at 0x%" PRIx32
                                "; the content of the rest is up to the VMM, the MRTD is not predictable",
                                i, tdvf_section_type_to_string(s->type) ?: "unknown", s->mem_size,
                                s->raw_size, s->data_offset);
        }

        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) != 1)
                return -EIO;

        for (size_t i = 0; i < img->n_tdvf_sections; i++) {
                const TdvfSection *s = img->tdvf_sections + i;
                const uint8_t *content = s->attributes & TDVF_ATTR_MR_EXTEND ? data + s->data_offset : NULL;
                int r = order == MRTD_ORDER_PER_PAGE ? section_per_page(ctx, s, content, &res)
                                                     : section_two_pass(ctx, s, content, &res);
                if (r < 0)
                        return r;
        }

        unsigned len = 0;
        if (EVP_DigestFinal_ex(ctx, res.mrtd, &len) != 1 || len != MRTD_SIZE)
                return -EIO;
        *ret = res;
        return 0;
}
