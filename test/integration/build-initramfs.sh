#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-initramfs.sh OUT KMODS [BUSYBOX]: the busybox guest of run-qemu.sh. Its /init does what the kernel
# command line's cvm.mode= says:
#   (none)       print CVM-BOOT-OK and power off
#   button       load the ACPI button and evdev drivers, print CVM-WAITING, power off when the power button
#                (QMP system_powerdown) is pressed, printing CVM-POWER-BUTTON
#   hang         print CVM-WAITING and never stop: the power button goes unheard
#   panic        print CVM-PANICKING and report a panic to the pvpanic device (ISA port 0x505, through
#                /dev/port), as the guest kernel's pvpanic driver does
#   reboot-once  load virtio_blk; on a disk without the BOOT1 mark, write it and reboot (CVM-REBOOTING);
#                with it, print CVM-SECOND-BOOT and power off. The disk is the only state that survives a
#                restart of the QEMU process.
# KMODS is the lib/modules directory of tools/test-setup's kernel step.
set -euo pipefail

out=${1:?usage: build-initramfs.sh OUT KMODS [BUSYBOX]}
kmods=${2:?usage: build-initramfs.sh OUT KMODS [BUSYBOX]}
bb=${3:-/bin/busybox}

[ -x "$bb" ] || {
        echo "no $bb (package busybox-static)" >&2
        exit 1
}

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/lib/modules"
cp "$bb" "$d/bin/busybox"
for a in sh mount cat echo uname grep sed ls sleep insmod poweroff reboot dd sync seq; do
        ln -s busybox "$d/bin/$a"
done

# Flat: /lib/modules/NAME.ko, loaded by name in dependency order.
missing=()
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk button evdev; do
        f=$(find "$kmods" -name "$m.ko" -print -quit 2>/dev/null || true)
        if [ -n "$f" ]; then
                cp "$f" "$d/lib/modules/"
        else
                missing+=("$m")
        fi
done
[ ${#missing[@]} -eq 0 ] || echo "build-initramfs: not found in $kmods: ${missing[*]}" >&2

cat >"$d/init" <<'EOF'
#!/bin/sh
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mode=$(sed -n 's/.*cvm\.mode=\([a-z-]*\).*/\1/p' /proc/cmdline)

load() {
        for m in "$@"; do
                insmod "/lib/modules/$m.ko" || echo "CVM-INSMOD-FAILED $m"
        done
}

# Blocks until /dev/$1 exists (a driver probes asynchronously), at most 10 s.
wait_dev() {
        for i in $(seq 1 100); do
                [ -e "/dev/$1" ] && return 0
                sleep 0.1
        done
        echo "CVM-NO-DEVICE $1"
        return 1
}

forever() {
        while :; do sleep 1000; done
}

case "$mode" in
button)
        load button evdev
        # q35 has two power buttons (the ACPI fixed feature and PNP0C0C); QEMU presses the first, wait on all.
        n=0
        for i in /sys/class/input/input*; do
                grep -q 'Power Button' "$i/name" 2>/dev/null || continue
                for e in "$i"/event*; do
                        [ -e "$e" ] || continue
                        ev=/dev/${e##*/}
                        [ -e "/dev/input/${e##*/}" ] && ev=/dev/input/${e##*/}
                        (dd if="$ev" of=/dev/null bs=24 count=1 2>/dev/null && echo CVM-POWER-BUTTON &&
                                poweroff -f) &
                        n=$((n + 1))
                done
        done
        echo "CVM-WAITING buttons=$n"
        forever
        ;;
hang)
        echo "CVM-WAITING buttons=0"
        forever
        ;;
panic)
        # What the kernel's pvpanic driver does on a panic: bit 0 (PANICKED) to the ISA device at port 0x505.
        echo CVM-PANICKING
        printf '\001' | dd of=/dev/port bs=1 seek=1285 2>/dev/null
        forever
        ;;
reboot-once)
        load virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk
        wait_dev vda || poweroff -f
        if [ "$(dd if=/dev/vda bs=5 count=1 2>/dev/null)" = BOOT1 ]; then
                echo CVM-SECOND-BOOT
                poweroff -f
        fi
        printf BOOT1 | dd of=/dev/vda conv=notrunc 2>/dev/null
        sync
        echo CVM-REBOOTING
        reboot -f
        ;;
*)
        echo "CVM-BOOT-OK kernel=$(uname -r) uptime=$(cat /proc/uptime)"
        poweroff -f
        ;;
esac
EOF
chmod 755 "$d/init"

cpio=(cpio)
command -v cpio >/dev/null || cpio=("$bb" cpio)
(cd "$d" && find . | "${cpio[@]}" -o -H newc -R 0:0 2>/dev/null | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
