/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The INI VM definition loader and every value parser behind it; a definition that loads is also turned
 * into a QEMU argv, which must succeed or fail cleanly. */
#include "argv-util.h"
#include "fuzz.h"
#include "vm/qemu-argv.h"
#include "vm/vm-options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (fuzz_too_big(size))
                return 0;
        _cleanup_free_ char *text = strndup((const char *) data, size);
        if (!text)
                return 0;

        VmSpec s;
        _cleanup_free_ char *e = NULL;
        vm_spec_init(&s);
        if (vm_spec_load_string(&s, text, "fuzz.conf", &e) >= 0) {
                char **argv = NULL;
                QemuLaunchPaths p = { .qemu = "qemu-system-x86_64", .qmp_socket = "/run/cvm/x/qmp.sock" };
                /* Unresolved definitions (auto, SNP without C-bit values) are refused with -EINVAL. */
                if (s.coco == VM_COCO_SEV_SNP) {
                        s.snp_cbitpos = s.snp_cbitpos < 0 ? 51 : s.snp_cbitpos;
                        s.snp_reduced_phys_bits = s.snp_reduced_phys_bits < 0 ? 1 : s.snp_reduced_phys_bits;
                }
                /* Never read the blob files a fuzzed definition may name. */
                s.snp_id_block = mfree(s.snp_id_block);
                s.snp_id_auth = mfree(s.snp_id_auth);
                s.snp_host_data = mfree(s.snp_host_data);
                if (qemu_argv_build(&s, &p, &argv) >= 0)
                        strv_free(argv);
        }
        vm_spec_done(&s);
        return 0;
}
