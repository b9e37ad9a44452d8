#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm domxml': the domain XML of representative definitions (plain, TDX with a unix QGS and with the
# default one, SEV-SNP with every option) equals the golden files in test/data/libvirt/, validates against
# libvirt's own RELAX NG grammar (domain.rng of sid's libvirt-common, from tools/test-setup; the only one
# with the TDX grammar) and its <launchSecurity> against the shared launchsecurity.rng. What libvirt cannot
# express (a vsock QGS) is refused. CVM_TEST_REGENERATE=1 rewrites the golden files (review the diff).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?}/libvirt
QDATA=$CVM_TEST_DATA/qemu
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENV_DIR=${CVM_TEST_ENV:-$SRC/test-env}
export NO_COLOR=1 LC_ALL=C

if [ -r "$ENV_DIR/env" ]; then
        eval "$(sed -n "s/^\(CVM_TEST_[A-Z0-9_]*\)=\(.*\)$/: \${\1:=\2}/p" "$ENV_DIR/env")"
fi
DOMAIN_RNG=${CVM_TEST_SID:-$ENV_DIR/sid}/usr/share/libvirt/schemas/domain.rng
command -v xmllint >/dev/null || tap_skip_all "xmllint is not installed (libxml2-utils, tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root"

MR1=$(printf '11%.0s' $(seq 48))
MR2=$(printf 'a2%.0s' $(seq 48))
MR3=$(printf '3c%.0s' $(seq 48))
KERNEL=(--kernel=/var/lib/cvm/vmlinuz --initrd=/var/lib/cvm/initrd.img --cmdline="console=ttyS0 root=/dev/vda1")
declare -A ARGS=(
        [plain]="--name=plain --accel=tcg --memory=512M --cpus=1 --console=file:/var/log/cvm/plain.log
                 --disk=/var/lib/cvm/plain.qcow2,format=qcow2,boot --disk=/var/lib/cvm/data.img,bus=sata,readonly
                 --network=user --vsock-cid=3 --migratable=no"
        [tdx-unix]="--name=td --coco=tdx --memory=4G --cpus=4 --firmware=/usr/share/ovmf/OVMF.inteltdx.fd
                 --mrconfigid=$MR1 --mrowner=$MR2 --mrownerconfig=$MR3 --qgs=unix:/run/tdx-qgs/qgs.socket
                 --disk=/var/lib/cvm/td.img --network=bridge:br0 --console=pty"
        [tdx-default]="--name=td2 --coco=tdx --tdx-attributes=perfmon --console=none"
        [snp-full]="--name=snp --coco=sev-snp --memory=2G --firmware=/usr/share/ovmf/OVMF.amdsev.fd
                 --snp-cbitpos=51 --snp-reduced-phys-bits=1 --snp-policy=0x30000 --snp-kernel-hashes=yes
                 --snp-id-block=$DATA/snp-id-block.b64 --snp-id-auth=$DATA/snp-id-auth.b64
                 --snp-host-data=$QDATA/snp-host-data.b64 --snp-guest-visible-workarounds=$QDATA/snp-gosvw.b64
                 --snp-author-key=yes --snp-vcek-disabled=yes
                 --console=none --disk=/var/lib/cvm/snp.img"
)

for name in plain tdx-unix tdx-default snp-full; do
        out=$tmp/$name.xml
        kernel=("${KERNEL[@]}")
        [ "$name" = tdx-default ] && kernel=()
        rc=0
        # shellcheck disable=SC2086 # the options are words
        "$CVM" domxml --root="$tmp/root" ${ARGS[$name]} "${kernel[@]}" >"$out" 2>"$tmp/$name.err" || rc=$?
        if [ "${CVM_TEST_REGENERATE:-}" = 1 ] && [ "$rc" -eq 0 ]; then
                cp "$out" "$DATA/$name.xml"
        fi
        if [ "$rc" -eq 0 ] && cmp -s "$out" "$DATA/$name.xml"; then
                tap_ok "$name: the XML equals test/data/libvirt/$name.xml"
        else
                tap_not_ok "$name: the XML equals test/data/libvirt/$name.xml (exit $rc)"
                { cat "$tmp/$name.err"; diff -u "$DATA/$name.xml" "$out" || true; } | tap_diag
        fi
        if [ -r "$DOMAIN_RNG" ]; then
                if xmllint --noout --relaxng "$DOMAIN_RNG" "$out" >"$tmp/$name.lint" 2>&1; then
                        tap_ok "$name: valid against libvirt's domain.rng ($DOMAIN_RNG)"
                else
                        tap_not_ok "$name: valid against libvirt's domain.rng"
                        tap_diag <"$tmp/$name.lint"
                fi
        else
                tap_skip "$name: no sid libvirt schemas at $DOMAIN_RNG (tools/test-setup sid-extras)"
        fi
        if [ "$name" = plain ]; then
                tap_check "plain: no <launchSecurity>" eval '! grep -q launchSecurity "$out"'
                continue
        fi
        xmllint --xpath /domain/launchSecurity "$out" >"$tmp/$name.ls.xml" 2>/dev/null || true
        if xmllint --noout --relaxng "$DATA/launchsecurity.rng" "$tmp/$name.ls.xml" >"$tmp/$name.ls.lint" 2>&1; then
                tap_ok "$name: <launchSecurity> valid against launchsecurity.rng"
        else
                tap_not_ok "$name: <launchSecurity> valid against launchsecurity.rng"
                tap_diag <"$tmp/$name.ls.lint"
        fi
done

# What a confidential domain needs besides <launchSecurity>, spelled out.
x() {
        xmllint --xpath "$2" "$tmp/$1.xml" 2>/dev/null
}
tap_check "tdx: stateless ROM firmware, split ioapic, SMM off, host-passthrough, no S3/S4, no HPET" \
        eval '[ "$(x tdx-unix "string(/domain/os/loader[@type=\"rom\" and @stateless=\"yes\"])")" = /usr/share/ovmf/OVMF.inteltdx.fd ] &&
              x tdx-unix "/domain/features/ioapic[@driver=\"qemu\"]" >/dev/null &&
              x tdx-unix "/domain/features/smm[@state=\"off\"]" >/dev/null &&
              x tdx-unix "/domain/cpu[@mode=\"host-passthrough\"]" >/dev/null &&
              x tdx-unix "/domain/pm/suspend-to-mem[@enabled=\"no\"]" >/dev/null &&
              x tdx-unix "/domain/clock/timer[@name=\"hpet\" and @present=\"no\"]" >/dev/null'
tap_check "tdx: policy = attributes (SEPT_VE_DISABLE), MRs in base64, the QGS socket" \
        eval '[ "$(x tdx-unix "string(/domain/launchSecurity/policy)")" = 0x10000000 ] &&
              [ "$(x tdx-unix "string(/domain/launchSecurity/mrOwner)" | base64 -d | od -An -v -tx1 | tr -d " \n")" = "$MR2" ] &&
              [ "$(x tdx-unix "string(/domain/launchSecurity/quoteGenerationService/@path)")" = /run/tdx-qgs/qgs.socket ]'
tap_check "tdx without --firmware: libvirt selects the firmware (os firmware=efi), default QGS socket, perfmon bit 63" \
        eval '[ "$(x tdx-default "string(/domain/os/@firmware)")" = efi ] && ! x tdx-default /domain/os/loader >/dev/null &&
              [ "$(x tdx-default "string(/domain/launchSecurity/quoteGenerationService/@path)")" = /var/run/tdx-qgs/qgs.socket ] &&
              [ "$(x tdx-default "string(/domain/launchSecurity/policy)")" = 0x8000000010000000 ]'
tap_check "snp: attributes, policy and the blobs as given" \
        eval '[ "$(x snp-full "string(/domain/launchSecurity/@vcek)")" = no ] &&
              [ "$(x snp-full "string(/domain/launchSecurity/@authorKey)")" = yes ] &&
              [ "$(x snp-full "string(/domain/launchSecurity/@kernelHashes)")" = yes ] &&
              [ "$(x snp-full "string(/domain/launchSecurity/policy)")" = 0x30000 ] &&
              [ "$(x snp-full "string(/domain/launchSecurity/idAuth)")" = "$(tr -d "\n" <"$DATA/snp-id-auth.b64")" ]'

# Refusals.
rc=0
"$CVM" domxml --root="$tmp/root" --coco=tdx --qgs=vsock:2:4050 >"$tmp/vsock.xml" 2>"$tmp/vsock.err" || rc=$?
tap_check "tdx vsock QGS: refused, libvirt takes only a unix path (exit $rc)" \
        eval '[ "$rc" -eq 2 ] && [ ! -s "$tmp/vsock.xml" ] &&
              grep -q "quoteGenerationService> only takes a unix socket path" "$tmp/vsock.err"'
rc=0
"$CVM" domxml --root="$tmp/root" --coco=tdx --cpu=Skylake-Server >"$tmp/bad.xml" 2>"$tmp/bad.err" || rc=$?
tap_check "an invalid definition gives no XML (exit $rc, rule tdx.cpu-host)" \
        eval '[ "$rc" -eq 1 ] && [ ! -s "$tmp/bad.xml" ] && grep -q "tdx.cpu-host" "$tmp/bad.err"'
rc=0
"$CVM" domxml --root="$tmp/root" --coco=sev-snp --snp-cbitpos=51 --snp-reduced-phys-bits=1 \
        --snp-host-data="$tmp/missing.b64" >/dev/null 2>"$tmp/blob.err" || rc=$?
tap_check "a missing SNP blob file is named (exit $rc)" \
        eval '[ "$rc" -ne 0 ] && grep -q "missing.b64" "$tmp/blob.err"'

# Options libvirt's XML has no place for are refused, never left out.
refused() {
        # shellcheck disable=SC2034 # msg is read by the eval'ed check
        local what=$1 msg=$2
        shift 2
        rc=0
        "$CVM" domxml --root="$tmp/root" --accel=tcg "$@" >"$tmp/refused.xml" 2>"$tmp/refused.err" || rc=$?
        tap_check "$what: refused, naming the option (exit $rc)" \
                eval '[ "$rc" -eq 2 ] && [ ! -s "$tmp/refused.xml" ] && grep -qF -- "$msg" "$tmp/refused.err"'
}
refused "--irqchip=off" "--irqchip=off: libvirt's <ioapic> has no setting" --irqchip=off
refused "--pic=yes" "--pic=yes: libvirt's domain XML has no setting for the legacy PIC" --pic=yes
refused "--qemu=NAME" "--qemu=qemu-system-x86_64: libvirt's <emulator> takes an absolute path" \
        --qemu=qemu-system-x86_64
refused "--firmware-vars without --firmware" "--firmware-vars=/var/lib/cvm/vars.fd without --firmware=" \
        --firmware-vars=/var/lib/cvm/vars.fd
refused "--migratable with a named CPU" "--migratable=yes with --cpu=Skylake-Server" --cpu=Skylake-Server \
        --migratable=yes
rc=0
"$CVM" domxml --root="$tmp/root" --name=rel --accel=tcg --qemu=bin/qemu-system-x86_64 >"$tmp/rel.xml" 2>/dev/null || rc=$?
tap_check "a relative --qemu= path becomes absolute in <emulator> (exit $rc)" \
        eval '[ "$rc" -eq 0 ] && [ "$(x rel "string(/domain/devices/emulator)")" = "$PWD/bin/qemu-system-x86_64" ]'
tap_check "every domain has a pvpanic device, so a guest panic reaches libvirt (on_crash destroy)" \
        eval '[ "$(x plain "count(/domain/devices/panic[@model=\"isa\"])")" = 1 ] &&
              [ "$(x tdx-unix "count(/domain/devices/panic[@model=\"isa\"])")" = 1 ] &&
              [ "$(x snp-full "string(/domain/on_crash)")" = destroy ]'

tap_done
