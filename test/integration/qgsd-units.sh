#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cvm-qgsd's packaging: `qgsd-units.sh security UNIT` measures the systemd sandbox of the service
# (`systemd-analyze security --offline=true`, systemd >= 250) and wants an exposure of at most 2.0;
# `qgsd-units.sh selinux SRCDIR` compiles the SELinux policy module with the distribution's policy
# development Makefile (Debian: selinux-policy-dev) and skips only when that Makefile is absent.
set -u
. "$(dirname "$0")/tap.sh"

case "$1" in
security)
        unit=$2
        command -v systemd-analyze >/dev/null || tap_skip_all "systemd-analyze is not installed"
        out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
        rc=$?
        level=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' <<<"$out")
        tap_check "systemd-analyze security --offline=true reads $(basename "$unit") (exit $rc)" test -n "$level"
        echo "exposure $level" | tap_diag
        tap_check "exposure $level is at most 2.0" awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'
        [ "$tap_failed" -eq 0 ] || grep '✗' <<<"$out" | tap_diag
        ;;
selinux)
        src=$2
        makefile=/usr/share/selinux/devel/Makefile
        [ -f "$makefile" ] || tap_skip_all "$makefile is absent (Debian: apt install selinux-policy-dev)"
        tmp=$(mktemp -d /tmp/cvm-qgsd-selinux-XXXXXX)
        trap 'rm -rf "$tmp"' EXIT
        cp "$src"/cvm_qgsd.te "$src"/cvm_qgsd.fc "$src"/cvm_qgsd.if "$tmp"/
        (cd "$tmp" && make -f "$makefile" cvm_qgsd.pp) >"$tmp/make.log" 2>&1
        rc=$?
        tap_check "the policy module compiles (exit $rc)" test "$rc" -eq 0 -a -s "$tmp/cvm_qgsd.pp"
        [ "$rc" -eq 0 ] || tail -20 "$tmp/make.log" | tap_diag
        # The expanded module must carry the rule that lets QEMU's sVirt domain connect.
        tap_check "the module lets svirt_t connect to cvm_qgsd_t's socket" \
                grep -q "allow svirt_t cvm_qgsd_t:unix_stream_socket connectto" "$tmp/tmp/cvm_qgsd.tmp"
        tap_check "... and write its sock_file" \
                grep -q "allow svirt_t cvm_qgsd_var_run_t:sock_file .*write" "$tmp/tmp/cvm_qgsd.tmp"
        ;;
*)
        echo "usage: $0 security UNIT | selinux SRCDIR" >&2
        exit 2
        ;;
esac
tap_done
