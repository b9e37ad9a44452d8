#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/verify.sh [BUILD_DIR] [SECONDS]: TDX and SEV-SNP verifications per second on one core, warm
# (collateral or certificates parsed once per platform) and cold (parsed each time), each as a ratio to
# OpenSSL's raw ECDSA P-256 (TDX) / P-384 (SNP) verify rate measured in the same run (verify-bench.c; the
# real vectors of test/data/attest). SECONDS per figure, default 2. Target: warm TDX >= 1/3 of raw P-256.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$SRC/build}
SECONDS_EACH=${2:-2}
BENCH=$BUILD/bench/verify-bench

[ -x "$BENCH" ] || {
        echo "bench/verify.sh: build first (ninja -C $BUILD bench/verify-bench)" >&2
        exit 2
}

echo "figure ops/s ratio (TDX to raw-p256, SNP to raw-p384), $SECONDS_EACH s each, one core"
out=$("$BENCH" "$SRC/test/data/attest" "$SECONDS_EACH")
echo "$out"
ratio=$(echo "$out" | sed -n 's/^tdx-warm [0-9]* \([0-9.]*\)$/\1/p')
if awk -v r="$ratio" 'BEGIN { exit !(r >= 1 / 3) }'; then
        echo "ok: warm TDX at $ratio of raw P-256 >= 0.333"
else
        echo "under target: warm TDX at $ratio of raw P-256 < 0.333"
        exit 1
fi
