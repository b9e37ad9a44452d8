/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PE Authenticode and RTMR prediction. The PE parser on the Debian kernel the launch tests boot
 * (tools/test-setup: test-env/kernel/vmlinuz, a signed EFI-stub bzImage): its SHA-256 Authenticode must be
 * the digest Debian signed (inside the image's own PKCS#7 signature), its SHA-384 the value an independent
 * hashlib script computes (test/integration/eventlog.sh runs that script). RTMR building blocks against
 * reference/measurement.md §2.3 (TD HOB) and §2.5 (constant event digests); RTMR1/RTMR2 for that kernel
 * with a command line and an initrd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>

#include "fileio.h"
#include "hexbase64.h"
#include "measure/pe.h"
#include "measure/rtmr.h"

/* Computed by the hashlib script of test/integration/eventlog.sh over linux-image-6.1.0-50-amd64's vmlinuz.
 */
#define DEBIAN_KERNEL_AUTHENTICODE_SHA384                                                                   \
        "0fbfe6ff6f232d51769517123fc77f333ef225f081c049ad3427848255aa7727a89500d453ef6915c88fa66fd504c3fa"

static void assert_contains(const char *s, const char *word)
{
        if (!s || !strstr(s, word))
                fail_msg("\"%s\" does not contain \"%s\"", strna(s), word);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
        _cleanup_free_ char *h = NULL;
        assert_int_equal(hex_encode(p, n, &h), 0);
        assert_string_equal(h, want);
}

static void sha384(const void *p, size_t n, uint8_t d[48])
{
        unsigned len;
        assert_int_equal(EVP_Digest(p, n, d, &len, EVP_sha384(), NULL), 1);
}

/* Bookworm OVMF's TDVF sections (reference/measurement.md §2.2). */
static const TdvfSection bookworm[] = {
        { 0x20000, 0x1e0000, 0xffe20000, 0x1e0000, TDVF_SECTION_BFV, 1 },
        { 0x0, 0x20000, 0xffe00000, 0x20000, TDVF_SECTION_CFV, 0 },
        { 0, 0, 0x810000, 0x10000, TDVF_SECTION_TEMP_MEM, 0 },
        { 0, 0, 0x80b000, 0x2000, TDVF_SECTION_TEMP_MEM, 0 },
        { 0, 0, 0x809000, 0x2000, TDVF_SECTION_TD_HOB, 0 },
        { 0, 0, 0x800000, 0x6000, TDVF_SECTION_TEMP_MEM, 0 },
};

static void td_hob_reference_values(void **state)
{
        uint8_t d[48];
        size_t n;

        assert_int_equal(rtmr_td_hob_digest(bookworm, ELEMENTSOF(bookworm), UINT64_C(2) << 30, d, &n), 0);
        assert_int_equal(n, 440);
        assert_hex(d, 48,
                   "0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821ebaf8bc9c93"
                   "8ba8a749");
        assert_int_equal(rtmr_td_hob_digest(bookworm, ELEMENTSOF(bookworm), UINT64_C(4) << 30, d, &n), 0);
        assert_int_equal(n, 488);
        assert_hex(d, 48,
                   "5b684faf8d02a733945f821d9cdd170802e72103977acf66949c9382500283adc90cbec57f8e7653f8bee1ca"
                   "b83689de");

        /* No TD_HOB; RAM that does not reach past the firmware's ranges. */
        assert_int_equal(rtmr_td_hob_digest(bookworm, 4, UINT64_C(2) << 30, d, &n), -ENOENT);
        assert_int_equal(rtmr_td_hob_digest(bookworm, ELEMENTSOF(bookworm), 0x810000, d, &n), -ERANGE);
}

static const char *event_digest(const RtmrPrediction *p, const char *what, char buf[static 97])
{
        for (size_t i = 0; i < p->n_events; i++)
                if (streq(p->events[i].what, what)) {
                        for (size_t j = 0; j < 48; j++)
                                sprintf(buf + 2 * j, "%02x", p->events[i].digest[j]);
                        return buf;
                }
        return "(no such event)";
}

static void rtmr0_constant_events(void **state)
{
        static const uint8_t cfv[4096] = { 1, 2, 3 };
        static const uint8_t loader[] = "loader", rsdp[] = "rsdp", tables[] = "tables";
        _cleanup_(rtmr_prediction_done) RtmrPrediction p = {};
        _cleanup_free_ char *err = NULL;
        RtmrInputs in = {
                .layout = RTMR_LAYOUT_EDK2_202411,
                .sections = bookworm,
                .n_sections = ELEMENTSOF(bookworm),
                .cfv = { cfv, sizeof(cfv) },
                .memory_size = UINT64_C(2) << 30,
        };
        char buf[97];
        uint8_t d[48], r0[48] = {};

        /* Without the ACPI tables: the known events, but no value. */
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        assert_false(p.predictable[0]);
        assert_contains(p.note[0], "--acpi-tables=DIR");
        assert_int_equal(p.n_events, 8);
        assert_false(p.predictable[1]);
        assert_true(p.predictable[3]);
        rtmr_prediction_done(&p);

        in.acpi_loader = (RtmrBlob){ loader, sizeof(loader) };
        in.acpi_rsdp = (RtmrBlob){ rsdp, sizeof(rsdp) };
        in.acpi_tables = (RtmrBlob){ tables, sizeof(tables) };
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        assert_true(p.predictable[0]);
        assert_int_equal(p.n_events, 13);

        /* reference/measurement.md §2.5 */
        assert_string_equal(event_digest(&p, "SecureBoot (empty)", buf),
                            "9dc3a1f80bcec915391dcda5ffbb15e7419f77eab462bbf72b42166fb70d50325e37b36f93537a8"
                            "63769bcf9bedae6fb");
        assert_string_equal(event_digest(&p, "PK (empty)", buf),
                            "6f2e3cbc14f9def86980f5f66fd85e99d63e69a73014ed8a5633ce56eca5b64b692108c56110e22"
                            "acadcef58c3250f1b");
        assert_string_equal(event_digest(&p, "KEK (empty)", buf),
                            "d607c0efb41c0d757d69bca0615c3a9ac0b1db06c557d992e906c6b7dee40e0e031640c7bfd7bcd"
                            "35844ef9edeadc6f9");
        assert_string_equal(event_digest(&p, "db (empty)", buf),
                            "08a74f8963b337acb6c93682f934496373679dd26af1089cb4eaf0c30cf260a12e814856385ab88"
                            "43e56a9acea19e127");
        assert_string_equal(event_digest(&p, "dbx (empty)", buf),
                            "18cc6e01f0c6ea99aa23f8a280423e94ad81d96d0aeb5180504fc0f7a40cb3619dd39bd6a95ec16"
                            "80a86ed6ab0f9828d");
        assert_string_equal(event_digest(&p, "separator", buf),
                            "394341b7182cd227c5c6b07ef8000cdfd86136c4292b8e576573ad7ed9ae41019f5818b4b971c9e"
                            "ffc60e1ad9f1289f0");
        assert_string_equal(event_digest(&p, "BootOrder = 0000", buf),
                            "1dd6f7b457ad880d840d41c961283bab688e94e4b59359ea45686581e90feccea3c624b1226113f"
                            "824f315eb60ae0a7c");
        assert_string_equal(event_digest(&p, "Boot0000 = UiApp", buf),
                            "23ada07f5261f12f34a0bd8e46760962d6b4d576a416f1fea1c64bc656b1d28eacf7047ae6e967c"
                            "58fd2a98bfa74c298");
        assert_string_equal(event_digest(&p, "TD HOB: 440 bytes for 2048 MiB of RAM", buf),
                            "0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821eb"
                            "af8bc9c938ba8a749");
        sha384(tables, sizeof(tables), d);
        assert_memory_equal(p.events[10].digest, d, 48);

        /* RTMR0 is the chain of exactly these events. */
        for (size_t i = 0; i < p.n_events; i++) {
                assert_int_equal(p.events[i].rtmr, 0);
                assert_int_equal(rtmr_extend(r0, p.events[i].digest), 0);
        }
        assert_memory_equal(p.rtmr[0], r0, 48);
        rtmr_prediction_done(&p);

        /* Later layouts: not modelled, so not predicted. */
        in.layout = RTMR_LAYOUT_EDK2_202505;
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        assert_false(p.predictable[0]);
        assert_contains(p.note[0], "edk2-202505 layout adds SMBIOS");
        assert_int_equal(rtmr_layout_from_string("edk2-202508"), RTMR_LAYOUT_EDK2_202508);
        assert_int_equal(rtmr_layout_from_string("edk2-2024"), -EINVAL);
}

static void load_options_layouts(void **state)
{
        /* "console=ttyS0 initrd=initrd" as UTF-16LE with its NUL. */
        static const char old[] =
                "c\0o\0n\0s\0o\0l\0e\0=\0t\0t\0y\0S\0\060\0 \0i\0n\0i\0t\0r\0d\0=\0i\0n\0i\0t\0r\0d\0\0";
        static const char new[] =
                "i\0n\0i\0t\0r\0d\0=\0i\0n\0i\0t\0r\0d\0 \0c\0o\0n\0s\0o\0l\0e\0=\0t\0t\0y\0S\0\060\0\0";
        _cleanup_free_ uint8_t *a = NULL, *b = NULL, *c = NULL, *e = NULL;
        size_t na, nb, nc, ne;

        assert_int_equal(rtmr_load_options(RTMR_LAYOUT_EDK2_202411, "console=ttyS0", true, &a, &na), 0);
        assert_int_equal(na, sizeof(old));
        assert_memory_equal(a, old, na);
        assert_int_equal(rtmr_load_options(RTMR_LAYOUT_EDK2_202508, "console=ttyS0", true, &b, &nb), 0);
        assert_int_equal(nb, sizeof(new));
        assert_memory_equal(b, new, nb);
        assert_int_equal(rtmr_load_options(RTMR_LAYOUT_EDK2_202411, NULL, false, &c, &nc), 0);
        assert_null(c);
        assert_int_equal(nc, 0);
        /* Non-ASCII text becomes UTF-16 (a surrogate pair for U+1F600). */
        assert_int_equal(
                rtmr_load_options(RTMR_LAYOUT_EDK2_202411, "\xc3\xa9\xf0\x9f\x98\x80", false, &e, &ne), 0);
        assert_int_equal(ne, 8);
        assert_memory_equal(e, "\xe9\x00\x3d\xd8\x00\xde\0\0", 8);
}

static uint8_t *load_kernel(size_t *ret_size)
{
        const char *k = getenv("CVM_TEST_KERNEL"), *data = getenv("CVM_TEST_DATA");
        _cleanup_free_ char *path = NULL, *d = NULL;

        if (!k) {
                assert_non_null(data);
                assert_true(asprintf(&path, "%s/../../test-env/kernel/vmlinuz", data) > 0);
                k = path;
        }
        if (read_full_file(k, 64 * 1024 * 1024, &d, ret_size) < 0)
                return NULL;
        return (uint8_t *) TAKE_PTR(d);
}

static void pe_debian_kernel(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *k = load_kernel(&size);
        _cleanup_(pe_image_done) PeImage img = {};
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned n;

        if (!k)
                skip(); /* tools/test-setup has not fetched the kernel */
        assert_int_equal(pe_image_parse(k, size, &img, NULL), 0);
        assert_true(img.pe32_plus);
        assert_int_equal(img.n_sections, 4);
        assert_string_equal(img.sections[2].name, ".text");
        assert_non_null(pe_image_find_section(&img, ".setup"));
        assert_null(pe_image_find_section(&img, ".linux"));
        assert_true(img.cert_table_size > 0);

        /* The SHA-256 Authenticode is the digest in Debian's own signature (SpcIndirectDataContent). */
        assert_int_equal(pe_authenticode(k, size, &img, EVP_sha256(), d, &n, NULL), 0);
        assert_int_equal(n, 32);
        const unsigned char *der = k + img.cert_table_offset + 8; /* WIN_CERTIFICATE header */
        PKCS7 *p7 = d2i_PKCS7(NULL, &der, img.cert_table_size - 8);
        assert_non_null(p7);
        assert_true(PKCS7_type_is_signed(p7));
        ASN1_TYPE *content = p7->d.sign->contents->d.other;
        assert_non_null(content);
        assert_int_equal(content->type, V_ASN1_SEQUENCE);
        const ASN1_STRING *seq = content->value.sequence;
        uint8_t want[34] = { 0x04, 0x20 };
        memcpy(want + 2, d, 32);
        assert_non_null(memmem(seq->data, (size_t) seq->length, want, sizeof(want)));
        PKCS7_free(p7);

        assert_int_equal(pe_authenticode_sha384(k, size, &img, d, NULL), 0);
        assert_hex(d, 48, DEBIAN_KERNEL_AUTHENTICODE_SHA384);

        /* A changed byte in a section, in the checksum, in the certificate table. */
        k[0x6000] ^= 1;
        assert_int_equal(pe_authenticode_sha384(k, size, &img, d, NULL), 0);
        _cleanup_free_ char *h = NULL;
        assert_int_equal(hex_encode(d, 48, &h), 0);
        assert_string_not_equal(h, DEBIAN_KERNEL_AUTHENTICODE_SHA384);
        k[0x6000] ^= 1;
        k[img.checksum_offset] ^= 1;
        k[size - 10] ^= 1;
        assert_int_equal(pe_authenticode_sha384(k, size, &img, d, NULL), 0);
        assert_hex(d, 48, DEBIAN_KERNEL_AUTHENTICODE_SHA384);
}

static void pe_malformed(void **state)
{
        size_t size;
        _cleanup_free_ uint8_t *k = load_kernel(&size);
        _cleanup_free_ char *err = NULL;
        PeImage img = { .n_sections = 77 };

        if (!k)
                skip();
        uint32_t pe = k[0x3c] | k[0x3d] << 8;
        size_t opt = pe + 24, table = opt + (k[pe + 20] | k[pe + 21] << 8);

        assert_int_equal(pe_image_parse(k, 1, &img, &err), -EBADMSG);
        assert_contains(err, "DOS header: e_magic at offset 0");
        assert_int_equal(pe_image_parse(k, 0x3e, &img, &err), -EBADMSG);
        assert_contains(err, "e_lfanew at offset 0x3c");
        assert_int_equal(pe_image_parse(k, pe + 10, &img, &err), -EBADMSG);
        assert_contains(err, "COFF file header");
        assert_int_equal(img.n_sections, 77); /* untouched */

        k[opt] = 0x0c;
        assert_int_equal(pe_image_parse(k, size, &img, &err), -EBADMSG);
        assert_contains(err, "Magic 0x020c");
        k[opt] = 0x0b;

        k[table + 16 + 3] = 0x7f; /* section 0 SizeOfRawData */
        assert_int_equal(pe_image_parse(k, size, &img, &err), -EBADMSG);
        assert_contains(err, "section 0 \".setup\"");
        assert_contains(err, "runs past the end of the file");
        k[table + 16 + 3] = 0;

        assert_int_equal(pe_image_parse(k, size - 1, &img, &err), -EBADMSG);
        assert_contains(err, "certificate table");
        k[pe + 6] = 0xff; /* NumberOfSections */
        k[pe + 7] = 0xff;
        assert_int_equal(pe_image_parse(k, size, &img, &err), -E2BIG);
        assert_contains(err, "NumberOfSections 65535");
}

static void predict_debian_kernel(void **state)
{
        size_t size, isize;
        _cleanup_free_ uint8_t *k = load_kernel(&size);
        _cleanup_(rtmr_prediction_done) RtmrPrediction p = {};
        _cleanup_free_ char *err = NULL;
        static const uint8_t initrd[] = "an initrd, as bytes";
        static const char actions[][48] = { "Calling EFI Application from Boot Option",
                                            "Exit Boot Services Invocation",
                                            "Exit Boot Services Returned with Success" };
        uint8_t r1[48] = {}, r2[48] = {}, d[48];

        if (!k)
                skip();
        isize = sizeof(initrd) - 1;
        RtmrInputs in = {
                .layout = RTMR_LAYOUT_EDK2_202411,
                .kernel = { k, size },
                .initrd = { initrd, isize },
                .cmdline = "console=ttyS0",
        };
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        assert_false(p.predictable[0]);
        assert_true(p.predictable[1]);
        assert_true(p.predictable[2]);
        assert_non_null(p.kernel_version);
        assert_contains(p.kernel_version, "6.1.0-50-amd64");

        /* RTMR1: Authenticode, "Calling...", separator, the two ExitBootServices actions. */
        _cleanup_free_ uint8_t *auth = NULL;
        size_t an;
        assert_int_equal(hex_decode(DEBIAN_KERNEL_AUTHENTICODE_SHA384, 96, &auth, &an), 0);
        assert_int_equal(rtmr_extend(r1, auth), 0);
        sha384(actions[0], strlen(actions[0]), d);
        assert_int_equal(rtmr_extend(r1, d), 0);
        sha384("\0\0\0\0", 4, d);
        assert_int_equal(rtmr_extend(r1, d), 0);
        for (size_t i = 1; i < 3; i++) {
                sha384(actions[i], strlen(actions[i]), d);
                assert_int_equal(rtmr_extend(r1, d), 0);
        }
        assert_memory_equal(p.rtmr[1], r1, 48);

        /* Linux 6.1's EFI stub measures nothing on TDX: RTMR2 stays zero, and the note says why. */
        assert_memory_equal(p.rtmr[2], r2, 48);
        assert_contains(p.note[2], "older than 6.9");
        rtmr_prediction_done(&p);

        /* The same kernel claiming 6.9: LoadOptions, then the initrd, as EV_EVENT_TAG into RTMR2. */
        char *v = memmem(k, 0x8000, "6.1.0-50-amd64", 14);
        assert_non_null(v);
        memcpy(v, "6.9", 3);
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        assert_contains(p.kernel_version, "6.9.0-50-amd64");
        static const char opts[] =
                "c\0o\0n\0s\0o\0l\0e\0=\0t\0t\0y\0S\0\060\0 \0i\0n\0i\0t\0r\0d\0=\0i\0n\0i\0t\0r\0d\0\0";
        sha384(opts, sizeof(opts), d);
        assert_int_equal(rtmr_extend(r2, d), 0);
        sha384(initrd, isize, d);
        assert_int_equal(rtmr_extend(r2, d), 0);
        assert_memory_equal(p.rtmr[2], r2, 48);
        rtmr_prediction_done(&p);

        /* An empty initrd file: QEMU reports an initrd size of 0, so edk2 neither appends "initrd=initrd"
         * nor offers an initrd to the stub (X86QemuLoadImageLib.c: InitrdSize > 0). */
        in.initrd = (RtmrBlob){ initrd, 0 };
        assert_int_equal(rtmr_predict(&in, &p, &err), 0);
        static const char opts_only[] = "c\0o\0n\0s\0o\0l\0e\0=\0t\0t\0y\0S\0\060\0\0";
        memset(r2, 0, sizeof(r2));
        sha384(opts_only, sizeof(opts_only), d);
        assert_int_equal(rtmr_extend(r2, d), 0);
        assert_memory_equal(p.rtmr[2], r2, 48);
        rtmr_prediction_done(&p);
        in.initrd = (RtmrBlob){ initrd, isize };

        /* Combinations that cannot be. */
        in.uki = (RtmrBlob){ k, size };
        assert_int_equal(rtmr_predict(&in, &p, &err), -EINVAL);
        assert_contains(err, "a UKI excludes");
        in.uki = (RtmrBlob){};
        in.kernel = (RtmrBlob){};
        assert_int_equal(rtmr_predict(&in, &p, &err), -EINVAL);
        assert_contains(err, "needs a kernel");
        in.initrd = (RtmrBlob){};
        in.cmdline = NULL;
        in.kernel = (RtmrBlob){ (const uint8_t *) "MZ", 2 };
        assert_int_equal(rtmr_predict(&in, &p, &err), -EBADMSG);
        assert_contains(err, "kernel: PE image: DOS header: e_lfanew");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(td_hob_reference_values),
                cmocka_unit_test(rtmr0_constant_events),
                cmocka_unit_test(load_options_layouts),
                cmocka_unit_test(pe_debian_kernel),
                cmocka_unit_test(pe_malformed),
                cmocka_unit_test(predict_debian_kernel),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
