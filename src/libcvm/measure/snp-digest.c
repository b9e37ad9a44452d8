/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SEV-SNP launch digest (order, layouts and sources in snp-digest.h). */
#include <inttypes.h>
#include <openssl/evp.h>

#include "measure/measure-util.h"
#include "measure/snp-digest.h"
#include "reader.h"

#define PAGE_INFO_SIZE 0x70U
/* KVM accepts at most this many vCPUs (KVM_MAX_VCPUS on x86); more is a typo, not a guest. */
#define SNP_VCPUS_MAX 4096U

static const EfiGuid SEV_HASH_TABLE_HEADER =
        EFI_GUID_INIT(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const EfiGuid SEV_HASH_CMDLINE =
        EFI_GUID_INIT(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const EfiGuid SEV_HASH_INITRD =
        EFI_GUID_INIT(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const EfiGuid SEV_HASH_KERNEL =
        EFI_GUID_INIT(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

int snp_gctx_update(SnpGctx *g, SnpPageType type, uint64_t gpa, const uint8_t contents[SNP_LD_SIZE])
{
        uint8_t info[PAGE_INFO_SIZE] = {};

        memcpy(info, g->ld, SNP_LD_SIZE);
        if (contents)
                memcpy(info + 48, contents, SNP_LD_SIZE);
        put_le(info + 96, PAGE_INFO_SIZE, 2);
        info[98] = (uint8_t) type;
        /* 99 IS_IMI, 100..102 VMPL3/2/1 permissions, 103 reserved: all 0 for a launch by the host. */
        put_le(info + 104, gpa, 8);
        g->pages++;
        return sha384_buf(info, sizeof(info), g->ld);
}

int snp_gctx_update_normal(SnpGctx *g, uint64_t gpa, const uint8_t *data, size_t n)
{
        uint8_t h[SNP_LD_SIZE];

        if (n % OVMF_PAGE_SIZE != 0)
                return -EINVAL;
        for (size_t off = 0; off < n; off += OVMF_PAGE_SIZE) {
                int r = sha384_buf(data + off, OVMF_PAGE_SIZE, h);
                if (r < 0)
                        return r;
                r = snp_gctx_update(g, SNP_PAGE_NORMAL, gpa + off, h);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int update_pages(SnpGctx *g, SnpPageType type, uint64_t gpa, uint64_t size)
{
        for (uint64_t off = 0; off < size; off += OVMF_PAGE_SIZE) {
                int r = snp_gctx_update(g, type, gpa + off, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int sha256(const void *p, size_t n, uint8_t ret[static 32])
{
        unsigned len = 0;
        return EVP_Digest(p, n, ret, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -EIO;
}

int sev_hashes_compute(const void *kernel, size_t kernel_size, const void *initrd, size_t initrd_size,
                       const char *cmdline, SevHashes *ret)
{
        SevHashes h;
        int r;

        if (!kernel || (!initrd && initrd_size > 0))
                return -EINVAL;
        cmdline = strempty(cmdline);
        if ((r = sha256(kernel, kernel_size, h.kernel)) < 0 ||
            (r = sha256(initrd ?: "", initrd ? initrd_size : 0, h.initrd)) < 0 ||
            (r = sha256(cmdline, strlen(cmdline) + 1, h.cmdline)) < 0)
                return r;
        *ret = h;
        return 0;
}

static uint8_t *table_entry(uint8_t *p, const EfiGuid *guid, uint16_t len, const uint8_t *hash)
{
        memcpy(p, guid->bytes, 16);
        put_le(p + 16, len, 2);
        if (hash)
                memcpy(p + 18, hash, 32);
        return p + (hash ? 50 : 18);
}

void sev_hashes_table(const SevHashes *h, uint8_t ret[static SEV_HASH_TABLE_PADDED_SIZE])
{
        uint8_t *p = ret;

        memset(ret, 0, SEV_HASH_TABLE_PADDED_SIZE);
        p = table_entry(p, &SEV_HASH_TABLE_HEADER, SEV_HASH_TABLE_SIZE, NULL);
        p = table_entry(p, &SEV_HASH_CMDLINE, 50, h->cmdline);
        p = table_entry(p, &SEV_HASH_INITRD, 50, h->initrd);
        (void) table_entry(p, &SEV_HASH_KERNEL, 50, h->kernel);
}

/*
 * The kernel-hashes section's pages: zeros with the hashes table at the offset within a page that the
 * firmware's SEV hash table entry names, counted from the start of the section; only that offset of the
 * entry's base counts (target/i386/sev.c: kernel_hashes_offset = base & ~TARGET_PAGE_MASK, copied to the
 * section's start in snp_launch_update_kernel_hashes()). QEMU's refusals: "SEV: kernel specified but guest
 * firmware has no hashes table GUID", "SEV: guest firmware hashes table area is invalid (base=0x%x
 * size=0x%x)".
 */
static int kernel_hashes_pages(SnpGctx *g, const OvmfImage *img, const SevSection *s, const SevHashes *h,
                               char **reterr)
{
        const OvmfGuidEntry *e = ovmf_image_find(img, &OVMF_GUID_SEV_HASH_TABLE);
        uint32_t base, area;

        if (!e)
                return parse_error(reterr, -ENOENT,
                                   "a kernel was given but the firmware has no SEV hash table entry "
                                   "(GUID 7255371f-3a3b-4b04-927b-1da6efa8d454) in its GUID table");
        Reader r = reader_init(e->data, e->size);
        if (reader_u32le(&r, &base) < 0 || reader_u32le(&r, &area) < 0)
                return parse_error(reterr, -EBADMSG,
                                   "SEV hash table entry at file offset 0x%" PRIx64
                                   ": %zu data bytes, need 8 (u32 base, u32 size)",
                                   e->offset, e->size);
        if (base == 0 || area < SEV_HASH_TABLE_PADDED_SIZE)
                return parse_error(reterr, -EBADMSG,
                                   "the firmware's SEV hashes table area (base 0x%" PRIx32 " size 0x%" PRIx32
                                   ") is invalid: QEMU needs a base and room for the %u-byte table",
                                   base, area, SEV_HASH_TABLE_PADDED_SIZE);
        uint32_t offset = base % OVMF_PAGE_SIZE;
        if ((uint64_t) offset + SEV_HASH_TABLE_PADDED_SIZE > s->size)
                return parse_error(reterr, -EBADMSG,
                                   "the firmware's SEV hashes table (base 0x%" PRIx32
                                   ") at offset 0x%" PRIx32 " does not fit the %u-byte table into its "
                                   "SNP_KERNEL_HASHES section 0x%" PRIx32 "+0x%" PRIx32,
                                   base, offset, SEV_HASH_TABLE_PADDED_SIZE, s->gpa, s->size);

        /* The table may straddle a page boundary; all pages after it are zero pages, hashed once. */
        uint8_t table[SEV_HASH_TABLE_PADDED_SIZE], page[OVMF_PAGE_SIZE], d[SNP_LD_SIZE], zero[SNP_LD_SIZE];
        int k;
        sev_hashes_table(h, table);
        memset(page, 0, sizeof(page));
        if ((k = sha384_buf(page, sizeof(page), zero)) < 0)
                return k;
        for (uint64_t at = 0; at < s->size; at += OVMF_PAGE_SIZE) {
                uint64_t lo = MAX(at, (uint64_t) offset),
                         hi = MIN(at + OVMF_PAGE_SIZE, offset + sizeof(table));
                if (lo < hi) {
                        memset(page, 0, sizeof(page));
                        memcpy(page + (lo - at), table + (lo - offset), hi - lo);
                        if ((k = sha384_buf(page, sizeof(page), d)) < 0)
                                return k;
                }
                if ((k = snp_gctx_update(g, SNP_PAGE_NORMAL, s->gpa + at, lo < hi ? d : zero)) < 0)
                        return k;
        }
        return 0;
}

int snp_launch_digest(const OvmfImage *img, const uint8_t *data, size_t size, const SnpLaunchParams *p,
                      SnpLaunchDigest *ret, char **reterr)
{
        SnpLaunchDigest res = {};
        SnpGctx g = {};
        int r;

        if (img->size != size || p->vcpus == 0 || p->vcpus > SNP_VCPUS_MAX || p->vmm < 0 ||
            p->vmm >= _VMM_TYPE_MAX)
                return -EINVAL;
        if (size % OVMF_PAGE_SIZE != 0 || size > UINT64_C(0x100000000))
                return parse_error(reterr, -EBADMSG,
                                   "firmware image of 0x%zx bytes is not a whole number of 4 KiB pages "
                                   "below 4 GiB",
                                   size);
        if (img->sev.error < 0)
                return parse_error(reterr, img->sev.error, "%s", img->sev.detail);
        if (!img->has_sev_es_reset_eip)
                return parse_error(reterr, -ENOENT,
                                   "no SEV-ES reset block (GUID 00f771de-1a7e-4fcb-890e-68c77e2fb44e) in "
                                   "the firmware's GUID table: QEMU cannot start the vCPUs");
        if (img->sev_es_reset_eip == 0)
                return parse_error(reterr, -EBADMSG,
                                   "the firmware's SEV-ES reset block holds the AP reset address 0: QEMU "
                                   "refuses it (\"SEV-ES reset address is zero\")");

        bool has_hashes_section = false;
        uint64_t pages = size / OVMF_PAGE_SIZE;
        for (size_t i = 0; i < img->n_sev_sections; i++) {
                const SevSection *s = img->sev_sections + i;
                pages += s->size / OVMF_PAGE_SIZE;
                if (pages > SNP_PAGES_MAX)
                        return parse_error(
                                reterr, -E2BIG,
                                "the firmware and SEV metadata sections 0..%zu cover more than %u "
                                "pages (4 GiB): not a firmware image",
                                i, SNP_PAGES_MAX);
                has_hashes_section |= s->type == SEV_SECTION_SNP_KERNEL_HASHES;
                if (s->size == 0)
                        return parse_error(reterr, -EOPNOTSUPP,
                                           "SEV metadata section %zu (%s) at GPA 0x%" PRIx32
                                           " is empty: QEMU refuses it (\"SNP_LAUNCH_UPDATE called with "
                                           "invalid address / length\"), this firmware is not built for SNP",
                                           i, sev_section_type_to_string(s->type) ?: "unknown", s->gpa);
        }
        if (p->hashes && !has_hashes_section)
                return parse_error(reterr, -EOPNOTSUPP,
                                   "a kernel was given but the firmware's SEV metadata has no "
                                   "SNP_KERNEL_HASHES section: QEMU's kernel-hashes=on needs an AmdSev "
                                   "build of OVMF");

        res.firmware_gpa = UINT64_C(0x100000000) - size;
        res.ap_eip = img->sev_es_reset_eip;
        if ((r = snp_gctx_update_normal(&g, res.firmware_gpa, data, size)) < 0)
                return r;
        memcpy(res.ovmf_hash, g.ld, SNP_LD_SIZE);

        for (size_t i = 0; i < img->n_sev_sections; i++) {
                const SevSection *s = img->sev_sections + i;
                switch (s->type) {
                case SEV_SECTION_SNP_SECRETS:
                        r = update_pages(&g, SNP_PAGE_SECRETS, s->gpa, s->size);
                        break;
                case SEV_SECTION_CPUID:
                        r = p->vmm == VMM_TYPE_EC2 ? 0 : update_pages(&g, SNP_PAGE_CPUID, s->gpa, s->size);
                        break;
                case SEV_SECTION_SNP_KERNEL_HASHES:
                        r = p->hashes ? kernel_hashes_pages(&g, img, s, p->hashes, reterr)
                                      : update_pages(&g, SNP_PAGE_ZERO, s->gpa, s->size);
                        break;
                default: /* SNP_SEC_MEM, SVSM_CAA, and what QEMU does not know */
                        r = update_pages(&g, SNP_PAGE_ZERO, s->gpa, s->size);
                        break;
                }
                if (r < 0)
                        return r;
        }
        /* EC2 measures the CPUID pages after all other sections. */
        if (p->vmm == VMM_TYPE_EC2)
                for (size_t i = 0; i < img->n_sev_sections; i++)
                        if (img->sev_sections[i].type == SEV_SECTION_CPUID &&
                            (r = update_pages(&g, SNP_PAGE_CPUID, img->sev_sections[i].gpa,
                                              img->sev_sections[i].size)) < 0)
                                return r;

        uint8_t vmsa[VMSA_SIZE], h[SNP_LD_SIZE];
        for (unsigned i = 0; i < p->vcpus; i++) {
                /* Only the page differs between the BSP and the APs; all APs are alike. */
                if (i <= 1) {
                        vmsa_build(vmsa, i == 0 ? VMSA_BSP_EIP : res.ap_eip, p->guest_features, p->vcpu_sig,
                                   p->vmm);
                        if ((r = sha384_buf(vmsa, sizeof(vmsa), h)) < 0)
                                return r;
                }
                if ((r = snp_gctx_update(&g, SNP_PAGE_VMSA, VMSA_GPA, h)) < 0)
                        return r;
        }

        memcpy(res.ld, g.ld, SNP_LD_SIZE);
        res.pages = g.pages;
        *ret = res;
        return 0;
}
