#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cvm validate and cvm run --dry-run as a user drives them: definitions from options and INI files, the
# errors a bad definition gets (file:line, the closest key), the argv on stdout and the warnings on
# stderr, and that nothing is started.
set -euo pipefail
. "$(dirname "$0")/tap.sh"

: "${CVM:?}"
command -v jq >/dev/null || tap_skip_all "jq is not installed"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export CVM_RUNTIME_DIR=$t/run CVM_CACHE_DIR=$t/cache
printf 'MZ' >"$t/vmlinuz"
printf 'x' >"$t/disk, one.img"

# A plain VM that can run anywhere under TCG is valid.
rc=$(run "$t/out" "$t/err" "$CVM" validate --accel=tcg --kernel="$t/vmlinuz" --no-such-option-first 2>/dev/null)
tap_check "unknown option: exit 2" test "$rc" = 2
rc=$(run "$t/out" "$t/err" "$CVM" validate --accel=tcg --kernel="$t/vmlinuz" --disk="${t//,/,,}/disk,, one.img" --json)
tap_check "plain TCG VM is valid (exit 0)" test "$rc" = 0
tap_check "validate --json says valid" test "$(jq -r .valid "$t/out")" = true

# The INI file: keys of the long options, file:line errors with a suggestion.
cat >"$t/web.conf" <<CONF
# a plain test VM
[VM]
accel=tcg
memory=256M
kernel=$t/vmlinuz
memroy=1G
CONF
rc=$(run "$t/out" "$t/err" "$CVM" validate --config="$t/web.conf")
tap_check "typo in the file: exit 2" test "$rc" = 2
tap_check "the error names file:line and the closest key" \
        grep -q "web.conf:6: unknown key 'memroy'; did you mean 'memory'?" "$t/err"
sed -i '/memroy/d' "$t/web.conf"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --config="$t/web.conf" --json --qemu=/usr/bin/qemu-system-x86_64)
tap_check "dry-run of the file: exit 0" test "$rc" = 0
tap_check "the file names the VM (web)" test "$(jq -r '.[2]' "$t/out")" = web
tap_check "-m comes from the file" grep -qx '  "256M",' "$t/out"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --config="$t/web.conf" --memory=512M --json)
tap_check "the command line overrides the file" grep -qx '  "512M",' "$t/out"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --config="$t/missing.conf")
tap_check "a missing config file: exit 2 naming it" sh -c "test $rc = 2 && grep -q missing.conf '$t/err'"

# Commas and spaces in paths survive into the argv (JSON -blockdev, doubled commas elsewhere).
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --accel=tcg --kernel="$t/vmlinuz" \
        --disk="$t/disk,, one.img,format=raw" --console=file:"$t/con,sole.log" --json)
tap_check "paths with commas and spaces: exit 0" test "$rc" = 0
tap_check "the disk path is intact in -blockdev" grep -qF "\"filename\\\":\\\"$t/disk, one.img\\\"" "$t/out"
tap_check "the console path has its comma doubled" grep -qF "path=$t/con,,sole.log" "$t/out"

# A plain VM's UEFI code/variables split goes to pflash (code read-only); VNC listens on loopback only.
printf 'x' >"$t/code.fd"
printf 'x' >"$t/vars.fd"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --accel=tcg --firmware="$t/code.fd" --firmware-vars="$t/vars.fd" \
        --graphics=vnc --json)
tap_check "pflash split: exit 0" test "$rc" = 0
tap_check "code in pflash unit 0, read-only" grep -qF "if=pflash,format=raw,unit=0,readonly=on,file=$t/code.fd" "$t/out"
tap_check "variables in pflash unit 1" grep -qF "if=pflash,format=raw,unit=1,file=$t/vars.fd" "$t/out"
tap_check "no -bios with a pflash split" sh -c "! jq -r '.[]' '$t/out' | grep -qx -- -bios"
tap_check "VNC on 127.0.0.1 only" sh -c "jq -r '.[]' '$t/out' | grep -qx 127.0.0.1:0"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --accel=tcg --graphics=spice)
tap_check "an unsupported graphics value: exit 2" test "$rc" = 2

# Configuration errors: refused before anything starts.
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --coco=tdx --firmware=/usr/share/ovmf/OVMF.fd --cpu=Skylake-Server)
tap_check "TDX with a named CPU model: exit 1" test "$rc" = 1
tap_check "the rule id and QEMU's words are given" grep -q "tdx.cpu-host.*Named cpu model" "$t/err"
tap_check "no argv is printed for an invalid definition" test ! -s "$t/out"
rc=$(run "$t/out" "$t/err" "$CVM" validate --accel=tcg --kernel=/nonexistent/vmlinuz)
tap_check "a missing kernel: exit 1 naming the file" sh -c "test $rc = 1 && grep -q /nonexistent/vmlinuz '$t/out'"
rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --accel=tcg --kernel=/nonexistent/vmlinuz)
tap_check "dry-run for another host: a missing local file only warns" \
        sh -c "test $rc = 0 && grep -q '^warning  files.exist' '$t/err'"

# Host-dependent findings: errors for validate on this (non-TDX) host, warnings for a dry run.
if [ -e /usr/share/ovmf/OVMF.fd ]; then
        rc=$(run "$t/out" "$t/err" "$CVM" validate --coco=tdx --firmware=/usr/share/ovmf/OVMF.fd --json)
        tap_check "validate TDX on this host: exit 1" test "$rc" = 1
        tap_check "host.tee-ready is an error" \
                test "$(jq -r '.findings[] | select(.id=="host.tee-ready") | .severity' "$t/out")" = error
        rc=$(run "$t/out" "$t/err" "$CVM" run --dry-run --coco=tdx --firmware=/usr/share/ovmf/OVMF.fd --json)
        tap_check "dry-run TDX on this host: exit 0" test "$rc" = 0
        tap_check "host findings are warnings on stderr" grep -q "^warning  host.tee-ready" "$t/err"
        tap_check "the tdx-guest object is JSON" \
                sh -c "jq -r '.[]' '$t/out' | grep -q '^{\"qom-type\":\"tdx-guest\",\"id\":\"tdx0\"'"
        tap_check "the default QGS socket is set" grep -qF '/var/run/tdx-qgs/qgs.socket' "$t/out"
        tap_check "the firmware is loaded with -bios" sh -c "jq -r '.[]' '$t/out' | grep -qx -- -bios"
else
        for i in 1 2 3 4 5 6 7; do tap_skip "no /usr/share/ovmf/OVMF.fd"; done
fi
tap_check "nothing was left in the runtime directory" test ! -e "$t/run"

tap_done
