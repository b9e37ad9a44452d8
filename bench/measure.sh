#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/measure.sh [BUILD_DIR] [FIRMWARE] [ROUNDS]: MRTD computation time against its bound, OpenSSL SHA-384
# over the same number of bytes as the MRTD record stream, both measured in the same run (measure-bench.c).
# Default firmware: Debian bookworm's OVMF.fd ($CVM_TEST_OVMF_BOOKWORM from tools/test-setup, else
# /usr/share/ovmf/OVMF.fd). Target: ratio <= 1.3 in both page orders.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$SRC/build}
FW=${2:-${CVM_TEST_OVMF_BOOKWORM:-/usr/share/ovmf/OVMF.fd}}
ROUNDS=${3:-20}
BENCH=$BUILD/bench/measure-bench

[ -x "$BENCH" ] || {
        echo "bench/measure.sh: build first (ninja -C $BUILD bench/measure-bench)" >&2
        exit 2
}
[ -r "$FW" ] || {
        echo "bench/measure.sh: no firmware '$FW' (tools/test-setup ovmf-bookworm)" >&2
        exit 2
}

echo "firmware $FW ($(stat -c %s "$FW") bytes), $ROUNDS rounds, median ratio of paired rounds, thread CPU time"
out=$("$BENCH" "$FW" "$ROUNDS")
echo "$out"
worst=$(echo "$out" | sed -n 's/.*ratio \([0-9.]*\)$/\1/p' | sort -n | tail -n1)
if awk -v r="$worst" 'BEGIN { exit !(r <= 1.3) }'; then
        echo "ok: worst ratio $worst <= 1.3"
else
        echo "over target: worst ratio $worst > 1.3"
        exit 1
fi
