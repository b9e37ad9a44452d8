#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm run' with real QEMU: Debian's QEMU 7.2 boots a Debian kernel and a busybox initramfs under TCG
# (build-initramfs.sh: cvm.mode= picks what the guest does), supervised by cvm; 'cvm list', 'status' and
# 'stop' reach it over its control socket. With QEMU 11.1 from tools/test-setup, the TDX and SEV-SNP argv
# are accepted up to KVM, which refuses them on this host, and cvm names the check that explains it.
# Needs the kernel of tools/test-setup (else everything skips); at most two guests run at a time.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENV_DIR=${CVM_TEST_ENV:-$SRC/test-env}
export NO_COLOR=1 LC_ALL=C

if [ -r "$ENV_DIR/env" ]; then
        # What tools/test-setup found; variables given by the caller win.
        eval "$(sed -n "s/^\(CVM_TEST_[A-Z0-9_]*\)=\(.*\)$/: \${\1:=\2}/p" "$ENV_DIR/env")"
fi
KERNEL=${CVM_TEST_KERNEL:-$ENV_DIR/kernel/vmlinuz}
KMODS=${CVM_TEST_KMODS:-$ENV_DIR/kernel/lib/modules}
QEMU11=${CVM_TEST_QEMU11:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}

[ -s "$KERNEL" ] || tap_skip_all "no test kernel at $KERNEL (run tools/test-setup)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 is not installed (tools/install-deps)"
command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"
[ -x "$BUSYBOX" ] || tap_skip_all "no $BUSYBOX (busybox-static)"

tmp=$(mktemp -d)
# Our own runtime directory: parallel test runs and real VMs of this host stay apart.
export CVM_RUNTIME_DIR=$tmp/run
pids=()
cleanup() {
        local p
        for p in "${pids[@]}"; do
                kill -9 "$p" 2>/dev/null || true
        done
        # PR_SET_PDEATHSIG takes the QEMUs along; anything left would show in the last case.
        rm -rf "$tmp"
}
trap cleanup EXIT

"$(dirname "${BASH_SOURCE[0]}")/build-initramfs.sh" "$tmp/initramfs.cpio.gz" "$KMODS" "$BUSYBOX" 2>"$tmp/initramfs.err" ||
        tap_skip_all "cannot build the test initramfs: $(tail -n1 "$tmp/initramfs.err")"
have_module() {
        [ -n "$(find "$KMODS" -name "$1.ko" -print -quit 2>/dev/null)" ]
}

GUEST=(--accel=tcg --memory=256M --cpus=1 --kernel="$KERNEL" --initrd="$tmp/initramfs.cpio.gz")
t_start=$EPOCHREALTIME

# Seconds since T (an $EPOCHREALTIME), one decimal.
since() {
        local a=${EPOCHREALTIME/./} b=${1/./}
        local d=$((10#$a - 10#$b))
        printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10))
}

. "$(dirname "${BASH_SOURCE[0]}")/guest-util.sh"

gone() {
        [ ! -e "$CVM_RUNTIME_DIR/$1" ]
}

qemu_pid() {
        jq -r .pid "$CVM_RUNTIME_DIR/$1/state.json" 2>/dev/null
}

# --- 1, 2: a boot to its marker, console in a file and on cvm's own stdout (the default serial console).
t=$EPOCHREALTIME
start boot ""
p1=$started
rm -f "$tmp/tty.console"
"$CVM" run --name=tty "${GUEST[@]}" --cmdline="console=ttyS0 quiet panic=-1" >"$tmp/tty.out" 2>"$tmp/tty.err" </dev/null &
p2=$!
pids+=("$p2")
finish "$p1" 90
rc1=$rc
finish "$p2" 90
rc2=$rc
check_case boot "boot: exit 0, marker on the console file, runtime directory removed (exit $rc1, $(since "$t") s)" \
        eval '[ "$rc1" -eq 0 ] && grep -q CVM-BOOT-OK "$tmp/boot.console" && gone boot'
cp "$tmp/tty.out" "$tmp/tty.console"
check_case tty "boot: the default serial console is cvm's stdout (exit $rc2)" \
        eval '[ "$rc2" -eq 0 ] && grep -q CVM-BOOT-OK "$tmp/tty.out" && gone tty'

# --- 3-9: cvm stop, list, status, a second run refused; SIGTERM. Both guests wait for the power button.
if have_module button && have_module evdev; then
        t=$EPOCHREALTIME
        start stopme button
        p1=$started
        start term button
        p2=$started
        if wait_for "$tmp/stopme.console" CVM-WAITING 90 && wait_for "$tmp/term.console" CVM-WAITING 90; then
                "$CVM" list >"$tmp/list.txt" 2>&1 || true
                check_case stopme "list: both VMs are running" \
                        eval 'grep -Eq "^stopme +running +running" "$tmp/list.txt" &&
                              grep -Eq "^term +running +running" "$tmp/list.txt"'
                src=0
                "$CVM" status stopme --json >"$tmp/status.json" 2>"$tmp/status.err" || src=$?
                qp=$(jq -r .pid "$tmp/status.json" 2>/dev/null || echo 0)
                diag_files=("$tmp/status.json" "$tmp/status.err")
                check_case stopme "status --json: running, QEMU pid $qp alive, exit $src" \
                        eval '[ "$src" -eq 0 ] && jq -e ".status == \"running\" and .state == \"running\" and
                              .coco == \"no\" and (.argv | index([\"-accel\", \"tcg\"]) != null)" "$tmp/status.json" \
                              >/dev/null && alive "$qp"'
                drc=0
                "$CVM" run --name=stopme "${GUEST[@]}" --console=none >/dev/null 2>"$tmp/dup.err" </dev/null || drc=$?
                check_case stopme "a second 'cvm run --name=stopme' is refused (exit $drc)" \
                        eval '[ "$drc" -eq 2 ] && grep -q "already running" "$tmp/dup.err" && alive "$qp"'

                kill -TERM "$p2"
                src=0
                "$CVM" stop stopme >"$tmp/stop.out" 2>&1 || src=$?
                finish "$p1" 60
                diag_files=("$tmp/stop.out")
                echo "# stop exit $src; QEMU $qp $(alive "$qp" && echo alive || echo gone);" \
                        "runtime dir $(gone stopme && echo removed || echo present)" >>"$tmp/stop.out"
                check_case stopme "stop: the guest powers off through the ACPI button, 'cvm stop' exit $src, run exit $rc" \
                        eval '[ "$src" -eq 0 ] && [ "$rc" -eq 0 ] && grep -q CVM-POWER-BUTTON "$tmp/stopme.console" &&
                              grep -q "reason: guest-shutdown" "$tmp/stopme.err" && gone stopme && ! alive "$qp"'
                finish "$p2" 60
                check_case term "SIGTERM: system_powerdown, the guest powers off, exit $rc ($(since "$t") s)" \
                        eval '[ "$rc" -eq 0 ] && grep -q CVM-POWER-BUTTON "$tmp/term.console" &&
                              grep -q "Asking the guest to power down" "$tmp/term.err" && gone term'
        else
                for c in list status second-run stop sigterm; do
                        tap_not_ok "$c: the guests did not come up"
                done
                show stopme
                show term
                kill -9 "$p1" "$p2" 2>/dev/null || true
        fi
else
        for c in list status second-run stop sigterm; do
                tap_skip "$c: no button/evdev modules in $KMODS (tools/test-setup kernel)"
        done
fi

# --- 8, 9: a guest deaf to the power button: quit after --shutdown-timeout; kill -9 of QEMU.
t=$EPOCHREALTIME
start deaf hang --shutdown-timeout=1
p1=$started
start k9q hang
p2=$started
if wait_for "$tmp/deaf.console" CVM-WAITING 90 && wait_for "$tmp/k9q.err" "is running" 90; then
        t1=$EPOCHREALTIME
        kill -TERM "$p1"
        qp=$(qemu_pid k9q)
        kill -9 "$qp"
        finish "$p1" 30
        check_case deaf "SIGTERM, guest ignores the button: quit after --shutdown-timeout=1, exit $rc ($(since "$t1") s)" \
                eval '[ "$rc" -eq 0 ] && grep -q "did not power down in time" "$tmp/deaf.err" &&
                      grep -q "reason: host-qmp-quit" "$tmp/deaf.err" && gone deaf'
        finish "$p2" 30
        check_case k9q "kill -9 of QEMU: reported, exit 3, runtime directory removed (exit $rc)" \
                eval '[ "$rc" -eq 3 ] && grep -q "QEMU was killed by SIGKILL" "$tmp/k9q.err" && gone k9q'
else
        tap_not_ok "shutdown timeout: the guest did not come up"
        tap_not_ok "kill -9 of QEMU: the guest did not come up"
        show deaf
        show k9q
fi

# --- 10-13: kill -9 of cvm: its QEMU follows within a second (PR_SET_PDEATHSIG); the directory it left
# is stale, and the next run of that name cleans it. Also a fabricated stale directory.
start k9c hang
p1=$started
if wait_for "$tmp/k9c.err" "is running" 90; then
        qp=$(qemu_pid k9c)
        # bash reports the killed job ("Killed") whenever it happens to reap it: keep that out of the log.
        exec 3>&2 2>/dev/null
        kill -9 "$p1"
        t1=$EPOCHREALTIME
        for ((i = 0; i < 100; i++)); do
                alive "$qp" || break
                sleep 0.01
        done
        el=$(since "$t1")
        wait "$p1" || true
        exec 2>&3 3>&-
        check_case k9c "kill -9 of cvm: QEMU pid $qp gone after $el s (bound 1 s)" eval '! alive "$qp"'
        "$CVM" list --json >"$tmp/list.json" 2>&1 || true
        src=0
        "$CVM" status k9c >/dev/null 2>&1 || src=$?
        check_case k9c "list shows the killed run as stale; status exits 1 (exit $src)" \
                eval 'jq -e ".[] | select(.name == \"k9c\") | .state == \"stale\"" "$tmp/list.json" >/dev/null &&
                      [ "$src" -eq 1 ]'
else
        tap_not_ok "kill -9 of cvm: the guest did not come up"
        tap_not_ok "stale after kill -9 of cvm"
        show k9c
        kill -9 "$p1" 2>/dev/null || true
fi

mkdir -p "$CVM_RUNTIME_DIR/fake"
sh -c 'exit 0' &
dead=$!
wait "$dead" || true
printf '{"name": "fake", "pid": %d, "supervisor_pid": %d, "coco": "no", "restarts": 0}\n' "$dead" "$dead" \
        >"$CVM_RUNTIME_DIR/fake/state.json"
touch "$CVM_RUNTIME_DIR/fake/qmp.sock"
start k9c ""
p1=$started
start fake ""
p2=$started
finish "$p1" 90
check_case k9c "a run of the killed name cleans the stale directory and boots (exit $rc)" \
        eval '[ "$rc" -eq 0 ] && grep -q "Removed what a previous run" "$tmp/k9c.err" && grep -q CVM-BOOT-OK "$tmp/k9c.console"'
finish "$p2" 90
check_case fake "a fabricated stale directory (dead pid) is cleaned (exit $rc)" \
        eval '[ "$rc" -eq 0 ] && grep -q "Removed what a previous run" "$tmp/fake.err" && gone fake'

# --- a guest panic reported through pvpanic ends the run with exit 4.
start panicky panic
finish "$started" 90
check_case panicky "guest panic (pvpanic): GUEST_PANICKED, exit $rc, runtime directory removed" \
        eval '[ "$rc" -eq 4 ] && grep -q CVM-PANICKING "$tmp/panicky.console" && gone panicky'

# --- 14, 15: reboot with --on-reboot=restart-process: one restart, the second boot powers off; and the
# restart limit. The disk carries the guest's "rebooted once" mark across the QEMU processes.
if have_module virtio_blk; then
        t=$EPOCHREALTIME
        truncate -s 1M "$tmp/disk1.img" "$tmp/disk2.img"
        start reboot reboot-once --disk="$tmp/disk1.img" --on-reboot=restart-process --max-restarts=3
        p1=$started
        start limit reboot-once --disk="$tmp/disk2.img" --on-reboot=restart-process --max-restarts=0
        p2=$started
        finish "$p1" 150
        n=$(grep -c "starting a new QEMU" "$tmp/reboot.err" || true)
        check_case reboot "reboot: QEMU restarted exactly once ($n), the second boot powers off, exit $rc ($(since "$t") s)" \
                eval '[ "$rc" -eq 0 ] && [ "$n" -eq 1 ] && grep -q "reason: guest-reset" "$tmp/reboot.err" &&
                      grep -q CVM-SECOND-BOOT "$tmp/reboot.console" && gone reboot'
        finish "$p2" 150
        check_case limit "reboot with --max-restarts=0: exit 5, no restart (exit $rc)" \
                eval '[ "$rc" -eq 5 ] && ! grep -q "starting a new QEMU" "$tmp/limit.err" && gone limit'
else
        tap_skip "reboot: no virtio_blk module in $KMODS (tools/test-setup kernel)"
        tap_skip "restart limit: no virtio_blk module in $KMODS (tools/test-setup kernel)"
fi

# --- 16-18: QEMU 11.1 takes cvm's TDX and SEV-SNP argv up to KVM, which refuses the VM type here.
tee_host() {
        local p
        for p in /sys/module/kvm_intel/parameters/tdx /sys/module/kvm_amd/parameters/sev_snp; do
                [ -r "$p" ] && grep -q '^[Y1]' "$p" && return 0
        done
        return 1
}
fw=""
for f in "${CVM_TEST_QEMU11_ROOT:-/nonexistent}/usr/share/ovmf/OVMF.fd" /usr/share/ovmf/OVMF.fd; do
        [ -s "$f" ] && fw=$f && break
done
if [ -z "$QEMU11" ] || [ ! -x "$QEMU11" ]; then
        for c in tdx sev-snp tdx-validation; do
                tap_skip "$c: no QEMU 11.1 (CVM_TEST_QEMU11; tools/test-setup qemu11)"
        done
elif [ ! -e /dev/kvm ] || tee_host || [ -z "$fw" ]; then
        for c in tdx sev-snp tdx-validation; do
                tap_skip "$c: needs /dev/kvm on a host without TDX/SNP, and an OVMF"
        done
else
        TEE=(--qemu="$QEMU11" --accel=kvm --memory=512M --cpus=1 --console=none --firmware="$fw")
        rc=0
        "$CVM" run --name=td "${TEE[@]}" --force --coco=tdx >/dev/null 2>"$tmp/td.err" </dev/null || rc=$?
        check_case td "TDX: exit 3 with QEMU's 'vm-type TDX not supported by KVM' and the hint (exit $rc)" \
                eval '[ "$rc" -eq 3 ] && grep -q "^qemu-system-x86_64: -accel kvm: vm-type TDX not supported by KVM$" "$tmp/td.err" &&
                      grep -q "hint: .*cvm check.*tdx.vm-type" "$tmp/td.err" && gone td'
        rc=0
        "$CVM" run --name=snp "${TEE[@]}" --force --coco=sev-snp --snp-cbitpos=51 --snp-reduced-phys-bits=1 >/dev/null \
                2>"$tmp/snp.err" </dev/null || rc=$?
        check_case snp "SEV-SNP: exit 3 with QEMU's 'vm-type SEV-SNP not supported by KVM' and the hint (exit $rc)" \
                eval '[ "$rc" -eq 3 ] && grep -q "vm-type SEV-SNP not supported by KVM$" "$tmp/snp.err" &&
                      grep -q "hint: .*cvm check.*snp.kvm-vm-type" "$tmp/snp.err" && gone snp'
        rc=0
        "$CVM" run --name=td2 "${TEE[@]}" --coco=tdx >/dev/null 2>"$tmp/td2.err" </dev/null || rc=$?
        check_case td2 "TDX without --force: the host findings are errors, exit 1, QEMU not started (exit $rc)" \
                eval '[ "$rc" -eq 1 ] && grep -q "host.tee-ready" "$tmp/td2.err" && ! grep -q "not supported by KVM" "$tmp/td2.err"'
fi

# --- 19, 20: no such VM; nothing left behind.
src=0
"$CVM" status nosuch >/dev/null 2>&1 || src=$?
stc=0
"$CVM" stop nosuch >/dev/null 2>&1 || stc=$?
tap_check "status/stop of an unknown VM: exit 1 / 2 (got $src / $stc)" eval '[ "$src" -eq 1 ] && [ "$stc" -eq 2 ]'
left=$(pgrep -f -- "$tmp/" | grep -v "^$$\$" || true)
tap_check "no QEMU or cvm of this test is left running${left:+: $left}; runtime base empty" \
        eval '[ -z "$left" ] && [ -z "$(ls -A "$CVM_RUNTIME_DIR")" ]'
echo "# total $(since "$t_start") s"
tap_done
