#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/qgsd.sh [BUILD_DIR] [SECONDS]: cvm-qgsd's soft backend over its unix socket, quotes per second at 1
# and 64 concurrent clients with p50/p99 latency, each as a ratio to OpenSSL's raw ECDSA P-256 signing rate
# measured in the same run on as many threads as can sign at once (one signature per quote is the bound).
# Target: at least 40% of the bound.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$SRC/build}
SECONDS_PER_RUN=${2:-5}
QGSD=$BUILD/src/cvm-qgsd/cvm-qgsd
BENCH=$BUILD/bench/qgsd-bench
REPORT=$SRC/test/data/attest/tdx/dcap-misc/tdreport_for_test.dat

[ -x "$QGSD" ] && [ -x "$BENCH" ] || {
        echo "bench/qgsd.sh: build first (ninja -C $BUILD)" >&2
        exit 2
}

tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cpus=$(nproc)
threads=$cpus
"$QGSD" --init-soft-ca="$tmp/ca" >/dev/null
"$QGSD" --soft-ca="$tmp/ca" --listen=unix:"$tmp/qgs.socket" --threads="$threads" --max-connections=128 \
        2>"$tmp/log" &
pid=$!
# Ready once the socket accepts; the bench client's warm-up requests retry nothing, so wait for the file.
for _ in $(seq 100); do
        [ -S "$tmp/qgs.socket" ] && break
        sleep 0.05
done

echo "cvm-qgsd soft backend, $threads worker threads, $cpus CPUs (clients share them)"
"$BENCH" "$tmp/qgs.socket" "$REPORT" 1 "$SECONDS_PER_RUN" 1
"$BENCH" "$tmp/qgs.socket" "$REPORT" 64 "$SECONDS_PER_RUN" "$threads"
