#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm run --backend=libvirt' with a real libvirtd (Debian 12's libvirt 9.0 and QEMU 7.2, TCG): the test
# starts its own libvirtd in a private mount namespace (its /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/cache/libvirt, /var/log/libvirt and a passwd/group with the libvirt-qemu user it insists on are
# directories of this test; the host's stay untouched) and reaches it with a ?socket= URI. A plain VM boots
# the test initramfs and powers off (exit 0); SIGTERM and 'cvm stop' press the ACPI power button; 'cvm list'
# and 'cvm status' show libvirt's state. Needs root, libvirtd (tools/install-deps) and the kernel of
# tools/test-setup, else everything skips.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENV_DIR=${CVM_TEST_ENV:-$SRC/test-env}
export NO_COLOR=1 LC_ALL=C

if [ -r "$ENV_DIR/env" ]; then
        eval "$(sed -n "s/^\(CVM_TEST_[A-Z0-9_]*\)=\(.*\)$/: \${\1:=\2}/p" "$ENV_DIR/env")"
fi
KERNEL=${CVM_TEST_KERNEL:-$ENV_DIR/kernel/vmlinuz}
KMODS=${CVM_TEST_KMODS:-$ENV_DIR/kernel/lib/modules}
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (a private libvirtd in a mount namespace)"
command -v libvirtd >/dev/null || tap_skip_all "libvirtd is not installed (tools/install-deps)"
command -v virsh >/dev/null || tap_skip_all "virsh is not installed (libvirt-clients)"
command -v unshare >/dev/null || tap_skip_all "no unshare"
[ -x /usr/lib/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
        [ -n "$(find /usr/lib -name 'libvirt_driver_qemu.so' -print -quit 2>/dev/null)" ] ||
        tap_skip_all "no libvirt QEMU driver (libvirt-daemon-driver-qemu)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 is not installed"
command -v jq >/dev/null || tap_skip_all "jq is not installed"
[ -s "$KERNEL" ] || tap_skip_all "no test kernel at $KERNEL (run tools/test-setup)"
[ -x "$BUSYBOX" ] || tap_skip_all "no $BUSYBOX (busybox-static)"

tmp=$(mktemp -d)
L=$tmp/libvirt
daemon=
pids=()
cleanup() {
        local p
        for p in "${pids[@]}"; do
                kill -9 "$p" 2>/dev/null || true
        done
        if [ -n "$daemon" ]; then
                # libvirtd ends its domains' QEMUs only when told; AUTODESTROY did when cvm's connection closed.
                kill -TERM "$daemon" 2>/dev/null || true
                wait "$daemon" 2>/dev/null || true
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT

"$(dirname "${BASH_SOURCE[0]}")/build-initramfs.sh" "$tmp/initramfs.cpio.gz" "$KMODS" "$BUSYBOX" 2>"$tmp/initramfs.err" ||
        tap_skip_all "cannot build the test initramfs: $(tail -n1 "$tmp/initramfs.err")"

# --- the private libvirtd (reference/test-environment.md §5.1: root as QEMU user, no security driver, no
# virtlogd: QEMU's output goes to files).
mkdir -p "$L/etc" "$L/run" "$L/lib" "$L/log" "$L/cache"
cat >"$L/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
EOF
cat >"$L/etc/libvirtd.conf" <<'EOF'
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
EOF
cp /etc/passwd "$L/passwd"
cp /etc/group "$L/group"
getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin' >>"$L/passwd"
getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>"$L/group"
getent group kvm >/dev/null || echo 'kvm:x:64056:' >>"$L/group"
# The capability probe costs ~8 s; its cache is kept in test-env/ between runs when that is writable.
if mkdir -p "$ENV_DIR/libvirt-cache" 2>/dev/null && [ -w "$ENV_DIR/libvirt-cache" ]; then
        CACHE=$ENV_DIR/libvirt-cache
else
        CACHE=$L/cache
fi
# Mount points of the private directories (empty directories, as libvirt-daemon-system would create).
mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
URI="qemu:///system?socket=$L/run/libvirt-sock"
# start_daemon: libvirtd in its private mount namespace with its own pid file (another libvirtd on this
# machine keeps /run/libvirtd.pid), $daemon its pid; true once its socket answers
# (bounded; libvirtd probes QEMU first, ~8 s without a cache).
start_daemon() {
        local i
        unshare -m --propagation private sh -c '
                L=$1 C=$2
                mount --bind "$L/etc" /etc/libvirt && mount --bind "$L/run" /run/libvirt &&
                mount --bind "$L/lib" /var/lib/libvirt && mount --bind "$C" /var/cache/libvirt &&
                mount --bind "$L/log" /var/log/libvirt && mount --bind "$L/passwd" /etc/passwd &&
                mount --bind "$L/group" /etc/group || exit 1
                exec libvirtd --pid-file="$L/libvirtd.pid"' sh "$L" "$CACHE" >>"$L/libvirtd.log" 2>&1 &
        daemon=$!
        for ((i = 0; i < 600; i++)); do
                kill -0 "$daemon" 2>/dev/null || return 1
                if [ -S "$L/run/libvirt-sock" ] && virsh -q -c "$URI" version >/dev/null 2>&1; then
                        return 0
                fi
                sleep 0.1
        done
        return 1
}
up=false
start_daemon && up=true
if ! $up; then
        tail -n 20 "$L/libvirtd.log" | tap_diag
        tap_skip_all "the private libvirtd did not come up (see above)"
fi

export CVM_RUNTIME_DIR=$tmp/run
GUEST=(--backend=libvirt --connect="$URI" --accel=tcg --memory=256M --cpus=1 --kernel="$KERNEL"
        --initrd="$tmp/initramfs.cpio.gz")

. "$(dirname "${BASH_SOURCE[0]}")/guest-util.sh"

# Whether libvirtd still knows a domain of this name (a transient domain vanishes when it stops).
domain_known() {
        virsh -q -c "$URI" list --all --name 2>/dev/null | grep -qx "$1"
}

# --- 1: a plain VM boots through libvirtd and powers off.
start boot ""
finish "$started" 120
check_case boot "boot: CVM-BOOT-OK, the guest powers off, exit $rc" \
        eval '[ "$rc" -eq 0 ] && grep -q CVM-BOOT-OK "$tmp/boot.console" &&
              grep -q "VM .boot. is off (stopped/shutdown)" "$tmp/boot.err" &&
              ! domain_known boot && [ ! -e "$CVM_RUNTIME_DIR/boot" ]'

# --- 2-6: list, status, stop and SIGTERM on guests waiting for the power button.
have_module() {
        [ -n "$(find "$KMODS" -name "$1.ko" -print -quit 2>/dev/null)" ]
}
if have_module button && have_module evdev; then
        start term button
        p1=$started
        start stopme button
        p2=$started
        if wait_for "$tmp/term.console" CVM-WAITING 120 && wait_for "$tmp/stopme.console" CVM-WAITING 120; then
                "$CVM" list >"$tmp/list.txt" 2>&1 || true
                check_case term "list: both libvirt VMs are running" \
                        eval 'grep -Eq "^term +running +running" "$tmp/list.txt" &&
                              grep -Eq "^stopme +running +running" "$tmp/list.txt"'
                src=0
                "$CVM" status term --json >"$tmp/status.json" 2>"$tmp/status.err" || src=$?
                check_case term "status --json: backend libvirt, libvirt state running, exit $src" \
                        eval '[ "$src" -eq 0 ] && jq -e --arg u "$URI" ".status == \"running\" and
                              .backend == \"libvirt\" and .connect == \$u and .coco == \"no\"" "$tmp/status.json" >/dev/null'
                "$CVM" status term >"$tmp/status.txt" 2>&1 || true
                check_case term "status: names the backend" grep -q "^Backend: *libvirt, qemu:///system" "$tmp/status.txt"

                kill -TERM "$p1"
                finish "$p1" 60
                check_case term "SIGTERM: ACPI power button through libvirt, the guest powers off, exit $rc" \
                        eval '[ "$rc" -eq 0 ] && grep -q CVM-POWER-BUTTON "$tmp/term.console" &&
                              grep -q "Asking the guest to power down" "$tmp/term.err" &&
                              grep -q "is off (stopped/shutdown)" "$tmp/term.err" && ! domain_known term'

                src=0
                "$CVM" stop stopme >"$tmp/stop.out" 2>&1 || src=$?
                finish "$p2" 60
                check_case stopme "cvm stop: virDomainShutdown, the guest powers off, stop exit $src, run exit $rc" \
                        eval '[ "$src" -eq 0 ] && [ "$rc" -eq 0 ] && grep -q CVM-POWER-BUTTON "$tmp/stopme.console" &&
                              grep -q "stopped" "$tmp/stop.out" && ! domain_known stopme'
        else
                for c in list status status-text sigterm stop; do
                        tap_not_ok "$c: the guests did not come up"
                done
                show term
                show stopme
        fi
else
        for c in list status status-text sigterm stop; do
                tap_skip "$c: no button/evdev modules in $KMODS (tools/test-setup kernel)"
        done
fi

# --- 7: a guest deaf to the button is destroyed after --shutdown-timeout (still exit 0: stopped on request).
start deaf hang --shutdown-timeout=1
p=$started
if wait_for "$tmp/deaf.console" CVM-WAITING 120; then
        kill -TERM "$p"
        finish "$p" 60
        check_case deaf "SIGTERM, guest ignores the button: destroyed after --shutdown-timeout=1, exit $rc" \
                eval '[ "$rc" -eq 0 ] && grep -q "did not power down in time" "$tmp/deaf.err" &&
                      grep -q "stopped/destroyed" "$tmp/deaf.err" && ! domain_known deaf'
else
        tap_not_ok "shutdown timeout: the guest did not come up"
        show deaf
fi

# --- 8: a guest panic (pvpanic) ends the domain (on_crash destroy): exit 4.
start panicky panic
finish "$started" 120
check_case panicky "guest panic: libvirt crashed/panicked then stopped/crashed, exit $rc" \
        eval '[ "$rc" -eq 4 ] && grep -q CVM-PANICKING "$tmp/panicky.console" &&
              grep -q "domain crashed/panicked" "$tmp/panicky.err" &&
              grep -q "Guest panicked (libvirt: stopped/crashed)" "$tmp/panicky.err" && ! domain_known panicky'

# --- 9-10: libvirtd restarts under a running domain: cvm run reconnects and goes on supervising it; a
# domain that vanished is reported by cvm status.
start survivor hang
p=$started
if wait_for "$tmp/survivor.console" CVM-WAITING 120; then
        kill -9 "$daemon"
        wait "$daemon" 2>/dev/null || true
        wait_for "$tmp/survivor.err" "connection to libvirtd was closed" 30 || true
        if start_daemon && wait_for "$tmp/survivor.err" "reconnected to libvirtd" 30; then
                "$CVM" status survivor >"$tmp/survivor.status" 2>&1 || true
                check_case survivor "libvirtd restarted: cvm run reconnected, status shows the domain running" \
                        eval 'alive "$p" && grep -q "^State: *running (libvirt: running)" "$tmp/survivor.status"'
                # Gone behind cvm's back (virsh undefine cannot: transient; destroy sends an event, so the
                # status of a vanished domain is looked at while its cvm run has not yet seen the end).
                kill -STOP "$p"
                virsh -q -c "$URI" destroy survivor >/dev/null 2>&1 || true
                "$CVM" status survivor --json >"$tmp/survivor.json" 2>&1 || true
                kill -CONT "$p"
                finish "$p" 60
                check_case survivor "a vanished domain: status says no-domain; cvm run ends with exit $rc" \
                        eval 'jq -e ".status == \"no-domain\" and .state == \"running\"" "$tmp/survivor.json" >/dev/null &&
                              [ "$rc" -eq 0 ] && grep -q "stopped/destroyed" "$tmp/survivor.err"'
        else
                tap_not_ok "libvirtd restarted: cvm run reconnected"
                tap_not_ok "a vanished domain: status says no-domain"
                show survivor
                start_daemon || true
        fi
else
        tap_not_ok "libvirtd restart: the guest did not come up"
        tap_not_ok "a vanished domain: the guest did not come up"
        show survivor
fi

# --- 11: no libvirtd at the URI: libvirt's error, exit 3, nothing left behind.
rc=0
"$CVM" run --name=nodaemon --backend=libvirt --connect="qemu:///system?socket=$tmp/none.sock" --accel=tcg \
        --memory=256M --kernel="$KERNEL" --console=none >"$tmp/nodaemon.out" 2>"$tmp/nodaemon.err" </dev/null || rc=$?
check_case nodaemon "no libvirtd: libvirt's connection error, exit $rc" \
        eval '[ "$rc" -eq 3 ] && grep -q "libvirt (qemu:///system?socket=$tmp/none.sock): .*none.sock" "$tmp/nodaemon.err" &&
              [ ! -e "$CVM_RUNTIME_DIR/nodaemon" ]'

# --- 12: --connect= without the libvirt backend is a usage error.
rc=0
"$CVM" run --connect="$URI" --accel=tcg --kernel="$KERNEL" --dry-run >/dev/null 2>"$tmp/usage.err" || rc=$?
tap_check "--connect= without --backend=libvirt: usage error, exit $rc" \
        eval '[ "$rc" -eq 2 ] && grep -q "needs --backend=libvirt" "$tmp/usage.err"'

tap_done
