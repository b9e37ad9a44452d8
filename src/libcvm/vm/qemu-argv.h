/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vm-spec.h"

/*
 * The QEMU command line for a resolved VM definition (coco no longer "auto", firmware a path, SNP C-bit
 * values filled in). Deterministic: the same definition gives the same argv, byte for byte, so golden
 * files can pin it. Confidential-guest objects are JSON (-object '{"qom-type":"tdx-guest",...}') because
 * the quote-generation-socket is a nested SocketAddress; other values are escaped for QEMU's comma syntax.
 */
typedef struct QemuLaunchPaths {
        const char *qemu;       /* the binary, argv[0] */
        const char *qmp_socket; /* QMP control socket QEMU listens on; NULL: none */
        /*
         * A second QMP monitor for other clients (cvm status/stop/list): QEMU serves one client per
         * monitor and the supervisor holds the first. NULL: none. QEMU creates it after qmp_socket.
         */
        const char *control_socket;
} QemuLaunchPaths;

#define VM_DEFAULT_MEMORY (UINT64_C(2) << 30)
#define VM_DEFAULT_CPUS   2

int qemu_argv_build(const VmSpec *s, const QemuLaunchPaths *p, char ***ret);
