#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/qgsd.sh [BUILD_DIR] [SECONDS]: cvm-qgsd's soft backend over its unix socket, quotes per second at 1
# and 64 concurrent clients with p50/p99 latency, each as a ratio to OpenSSL's raw ECDSA P-256 signing rate
# measured in the same run (one signature per quote is the bound). Target: at least 40% of the bound.
#
# The measured layout gives the daemon its own CPUs (the upper half, at least one) with one worker per CPU,
# and the clients the others, as on a host where guests and the quote service do not share cores: clients
# on the daemon's CPUs would charge it their own connection costs. The bound is the signing rate of as many
# threads as can sign at once (one for one client, else the daemon's CPUs). A second run with everything
# on all CPUs is printed for comparison; no target applies to it.
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
"$QGSD" --init-soft-ca="$tmp/ca" >/dev/null

# run DAEMON_CPUS CLIENT_CPUS THREADS: both client counts against one daemon.
run() {
        rm -f "$tmp/qgs.socket"
        taskset -c "$1" "$QGSD" --soft-ca="$tmp/ca" --listen=unix:"$tmp/qgs.socket" --threads="$3" \
                --max-connections=128 2>"$tmp/log" &
        pid=$!
        # Ready once the socket exists: cvm-qgsd binds and listens before it creates its workers.
        for _ in $(seq 100); do
                [ -S "$tmp/qgs.socket" ] && break
                sleep 0.05
        done
        taskset -c "$2" "$BENCH" "$tmp/qgs.socket" "$REPORT" 1 "$SECONDS_PER_RUN" 1
        taskset -c "$2" "$BENCH" "$tmp/qgs.socket" "$REPORT" 64 "$SECONDS_PER_RUN" "$3"
        kill "$pid"
        wait "$pid" || true
        pid=
}

cpus=$(nproc)
range() { [ "$1" = "$2" ] && echo "$1" || echo "$1-$2"; }
all=$(range 0 $((cpus - 1)))
if [ "$cpus" -ge 2 ]; then
        own=$((cpus / 2))
        daemon=$(range $((cpus - own)) $((cpus - 1)))
        clients=$(range 0 $((cpus - own - 1)))
        echo "cvm-qgsd soft backend on CPU $daemon with $own worker thread(s), clients on CPU $clients:"
        run "$daemon" "$clients" "$own"
        echo "For comparison, cvm-qgsd ($cpus worker threads) and clients sharing CPU $all (no target):"
fi
run "$all" "$all" "$cpus"
