#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/launch.sh [BUILD_DIR] [RUNS]: the time from starting `cvm run` to QMP ready (cvm's READY=1), as a
# ratio to starting the same QEMU argv directly and waiting for its QMP socket and handshake. Both QEMUs
# start paused (-S, through one wrapper) so that guest boot does not weigh in; the median of RUNS (default
# 7) of each is taken, runs interleaved. Target: ratio <= 1.1.
#
# Two cvm figures: the default (cvm collects the host facts itself, as `cvm run` does) and with
# --facts=FILE (a facts snapshot taken once, as an orchestrator that probes a host once would pass).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$SRC/build}
RUNS=${2:-7}
CVM=$BUILD/src/cvm/cvm
TIMER=$BUILD/bench/launch-timer
QEMU=${CVM_QEMU:-$(command -v qemu-system-x86_64 || true)}

[ -x "$CVM" ] && [ -x "$TIMER" ] || {
        echo "bench/launch.sh: build first (ninja -C $BUILD)" >&2
        exit 2
}
[ -n "$QEMU" ] || {
        echo "bench/launch.sh: no qemu-system-x86_64" >&2
        exit 2
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CVM_RUNTIME_DIR=$tmp/run
mkdir -p "$CVM_RUNTIME_DIR"

# One wrapper for both: the same exec chain, and -S keeps the guest from running.
cat >"$tmp/qemu-paused" <<EOF
#!/bin/sh
exec '$QEMU' -S "\$@"
EOF
chmod +x "$tmp/qemu-paused"

VM=(--name=bench --qemu="$tmp/qemu-paused" --accel=tcg --memory=256M --cpus=1 --console=none --shutdown-timeout=0)

# The direct argv is cvm's own (dry run), with the sockets in a directory of ours.
mapfile -t QARGV < <("$CVM" run --dry-run --json "${VM[@]}" 2>/dev/null | jq -r '.[]')
mkdir -p "$CVM_RUNTIME_DIR/bench"
QMP=$CVM_RUNTIME_DIR/bench/qmp.sock

# Warm-up: the first run probes the wrapper's QEMU capabilities (cached per binary afterwards).
"$TIMER" qemu "$QMP" "${QARGV[@]}" >/dev/null
rmdir "$CVM_RUNTIME_DIR/bench"
"$TIMER" cvm "$tmp/notify" "$CVM" run "${VM[@]}" >/dev/null 2>&1
"$CVM" facts >"$tmp/facts.json" 2>/dev/null

median() {
        sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

: >"$tmp/direct"
: >"$tmp/cvm"
: >"$tmp/cvm-facts"
for ((i = 0; i < RUNS; i++)); do
        mkdir -p "$CVM_RUNTIME_DIR/bench"
        "$TIMER" qemu "$QMP" "${QARGV[@]}" >>"$tmp/direct"
        rm -rf "$CVM_RUNTIME_DIR/bench"
        "$TIMER" cvm "$tmp/notify" "$CVM" run "${VM[@]}" >>"$tmp/cvm" 2>/dev/null
        "$TIMER" cvm "$tmp/notify" "$CVM" run --facts="$tmp/facts.json" "${VM[@]}" >>"$tmp/cvm-facts" 2>/dev/null
done

d=$(median <"$tmp/direct")
c=$(median <"$tmp/cvm")
f=$(median <"$tmp/cvm-facts")
printf 'runs: %d each (QEMU %s, paused with -S)\n' "$RUNS" "$("$QEMU" --version | head -n1)"
printf 'direct QEMU to QMP ready:             median %7.1f ms\n' "$(echo "$d / 1000" | bc -l)"
printf 'cvm run to READY=1:                   median %7.1f ms   ratio %.2f\n' "$(echo "$c / 1000" | bc -l)" \
        "$(echo "$c / $d" | bc -l)"
printf 'cvm run --facts=FILE to READY=1:      median %7.1f ms   ratio %.2f\n' "$(echo "$f / 1000" | bc -l)" \
        "$(echo "$f / $d" | bc -l)"
echo "target: ratio <= 1.10"
