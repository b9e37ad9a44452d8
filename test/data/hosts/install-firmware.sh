#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Puts fake confidential-VM firmware into a fake host tree, the way Debian sid's ovmf-inteltdx and
# ovmf-amdsev packages lay it out (reference/test-environment.md 4.1): an image under /usr/share/ovmf and
# its QEMU descriptor under /usr/share/qemu/firmware.
#
# Each image is 4 MiB of zeros followed by the real last 4 KiB of an edk2-stable202405 OVMF build
# (test/data/firmware/, see README.md there): the GUID table, TDVF descriptor and ASEV table are real,
# and the TDVF sections (BFV up to 0x400000) fit a 4 MiB file. The output depends on nothing but the
# suffix files, so reruns give byte-identical images.
#
# Usage: install-firmware.sh TREE tdx|snp|both
set -eu

usage() {
        echo "Usage: $0 TREE tdx|snp|both" >&2
        exit 2
}

[ $# -eq 2 ] || usage
tree=$1
what=$2
data=$(cd "$(dirname "$0")/../firmware" && pwd)
[ -d "$tree" ] || { echo "$0: $tree is not a directory" >&2; exit 1; }

size=4194304
suffix_size=4096

# image SUFFIX-FILE DEST
image() {
        [ "$(wc -c < "$1")" -eq "$suffix_size" ] || { echo "$0: $1 is not $suffix_size bytes" >&2; exit 1; }
        mkdir -p "$(dirname "$2")"
        rm -f "$2"
        # A sparse run of zeros, then the suffix: same bytes as a full write, less disk.
        truncate -s $((size - suffix_size)) "$2"
        cat "$1" >> "$2"
        chmod 0644 "$2"
}

# descriptor DEST IMAGE-PATH DESCRIPTION FEATURE...
descriptor() {
        dest=$1
        filename=$2
        description=$3
        shift 3
        mkdir -p "$(dirname "$dest")"
        {
                printf '{\n'
                printf '    "description": "%s",\n' "$description"
                printf '    "interface-types": [\n        "uefi"\n    ],\n'
                printf '    "mapping": {\n        "device": "memory",\n        "filename": "%s"\n    },\n' "$filename"
                printf '    "targets": [\n        {\n            "architecture": "x86_64",\n'
                printf '            "machines": [\n                "pc-q35-*"\n            ]\n        }\n    ],\n'
                printf '    "features": [\n'
                sep=
                for f in "$@"; do
                        printf '%s        "%s"' "$sep" "$f"
                        sep=',
'
                done
                printf '\n    ],\n    "tags": [\n\n    ]\n}\n'
        } > "$dest"
        chmod 0644 "$dest"
}

tdx() {
        image "$data/ovmf_OvmfX64_suffix.bin" "$tree/usr/share/ovmf/OVMF.inteltdx.ms.fd"
        descriptor "$tree/usr/share/qemu/firmware/60-edk2-x86_64-inteltdx.json" \
                /usr/share/ovmf/OVMF.inteltdx.ms.fd \
                "UEFI firmware for x86_64, with Intel TDX support (cvm test fake)" \
                enrolled-keys intel-tdx secure-boot verbose-dynamic
}

snp() {
        image "$data/ovmf_AmdSev_suffix.bin" "$tree/usr/share/ovmf/OVMF.amdsev.fd"
        descriptor "$tree/usr/share/qemu/firmware/60-edk2-x86_64-amdsev.json" \
                /usr/share/ovmf/OVMF.amdsev.fd \
                "UEFI firmware for x86_64, with AMD SEV support (cvm test fake)" \
                amd-sev amd-sev-es amd-sev-snp verbose-dynamic
}

case $what in
tdx) tdx ;;
snp) snp ;;
both) tdx; snp ;;
*) usage ;;
esac
