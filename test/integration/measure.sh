#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cvm firmware and cvm measure on real firmware:
#   - Debian bookworm's OVMF.fd ($CVM_TEST_OVMF_BOOKWORM from tools/test-setup, or /usr/share/ovmf/OVMF.fd on
#     Debian 12; checked by sha256): MRTD in both orders and the SNP launch digests of
#     reference/measurement.md 2.3 (td-shim, aleph-vm, calculate-tdx-mrs, quex; sev-snp-measure and
#     sev-snp-measure-go agree on them);
#   - Debian sid's ovmf-inteltdx and ovmf-amdsev images ($CVM_TEST_SID), the AmdSev one with the Debian
#     kernel and initramfs of the launch tests ($CVM_TEST_KERNEL, $CVM_TEST_INITRAMFS) through kernel-hashes;
#   - corrupt copies of bookworm's image, ID blocks signed with fresh keys, usage errors.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
command -v jq >/dev/null || tap_skip_all "jq is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

BOOKWORM_SHA256=7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773
bookworm=
for f in "${CVM_TEST_OVMF_BOOKWORM-}" /usr/share/ovmf/OVMF.fd; do
        if [ -n "$f" ] && [ -r "$f" ] && [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$BOOKWORM_SHA256" ]; then
                bookworm=$f
                break
        fi
done

# expect_rc WANT DESCRIPTION COMMAND...: COMMAND's exit status is WANT (stdout in $tmp/out, stderr in $tmp/err).
expect_rc() {
        local want=$1 desc=$2 rc
        shift 2
        rc=$(run "$tmp/out" "$tmp/err" "$@")
        if [ "$rc" -eq "$want" ]; then
                tap_ok "$desc (exit $rc)"
        else
                tap_not_ok "$desc (exit $rc, wanted $want)"
                cat "$tmp/out" "$tmp/err" | head -n 20 | tap_diag
        fi
}

# expect_eq DESCRIPTION GOT WANTED
expect_eq() {
        if [ "$2" = "$3" ]; then
                tap_ok "$1"
        else
                tap_not_ok "$1"
                printf 'got:    %s\nwanted: %s\n' "$2" "$3" | tap_diag
        fi
}

# expect_err DESCRIPTION TEXT: stderr of the last command has TEXT.
expect_err() {
        if grep -qF -- "$2" "$tmp/err"; then
                tap_ok "$1"
        else
                tap_not_ok "$1"
                {
                        echo "wanted in stderr: $2"
                        cat "$tmp/err"
                } | tap_diag
        fi
}

# Usage errors.
expect_rc 2 "cvm measure without a TEE is a usage error" "$CVM" measure
expect_err "... and asks which one" "Which TEE: 'cvm measure tdx' or 'cvm measure snp'?"
expect_rc 2 "cvm measure sev is a usage error" "$CVM" measure sev --firmware=/dev/null
expect_rc 2 "an unknown page order is a usage error" "$CVM" measure tdx --firmware=/dev/null --order=random
expect_err "... naming the orders" "Unknown page order 'random' (per-page, two-pass)."
expect_rc 2 "snp needs --vcpu-type" "$CVM" measure snp --firmware=/dev/null --vcpus=1
expect_rc 2 "an unknown vCPU type is refused" "$CVM" measure snp --firmware=/dev/null --vcpus=1 --vcpu-type=Pentium
expect_rc 0 "cvm measure --help" "$CVM" measure --help

expect_rc 0 "cvm firmware --help" "$CVM" firmware --help

if [ -z "$bookworm" ]; then
        tap_skip "Debian bookworm's OVMF.fd (sha256 $BOOKWORM_SHA256): run tools/test-setup ovmf-bookworm"
else
        expect_rc 0 "cvm firmware parses bookworm's OVMF.fd" "$CVM" firmware --json "$bookworm"
        expect_eq "its TDVF descriptor, sections and ASEV sections are QEMU's view of it" \
                "$(jq -c '[.gpa, .tdx.status, .tdx.descriptor_offset, [.tdx.sections[] | .type_name],
                          .tdx.sections[0].attributes_flags, [.sev.sections[] | .type_name + "@" + .gpa],
                          .sev_es_reset_eip, .sev_hash_table.size]' "$tmp/out")" \
                '["0xffe00000","ok","0x1ff7c0",["BFV","CFV","TempMem","TempMem","TD_HOB","TempMem"],["MR.EXTEND"],["SNP_SEC_MEM@0x800000","SNP_SEC_MEM@0x80a000","SNP_SECRETS@0x80d000","CPUID@0x80e000","SNP_SEC_MEM@0x80f000"],"0x80b004","0x0"]'
        expect_rc 0 "cvm firmware prints it as text" "$CVM" firmware "$bookworm"
        expect_eq "the text names the BFV and the reset address" \
                "$(grep -cE '^  0  BFV +0x20000 +0x1e0000 +0xffe20000 +0x1e0000 +0x1 \(MR.EXTEND\)$|^SEV-ES reset address: 0x80b004$' "$tmp/out")" 2

        expect_rc 0 "cvm measure tdx (per-page by default)" "$CVM" measure tdx --firmware="$bookworm" --json
        expect_eq "MRTD per page, 538 PAGE.ADD and 7680 MR.EXTEND" \
                "$(jq -r '[.order, .mrtd, .page_adds, .mr_extends] | join(" ")' "$tmp/out")" \
                "per-page 4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47 538 7680"
        expect_rc 0 "cvm measure tdx --order=two-pass" "$CVM" measure tdx --firmware="$bookworm" --order=two-pass
        expect_eq "MRTD two-pass (text)" "$(sed -n 's/^MRTD   //p' "$tmp/out")" \
                acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1

        while read -r vcpus type gf vmm want; do
                expect_rc 0 "cvm measure snp, $vcpus x $type, guest features $gf, $vmm" "$CVM" measure snp \
                        --firmware="$bookworm" --vcpus="$vcpus" --vcpu-type="$type" --guest-features="$gf" \
                        --vmm-type="$vmm" --json
                expect_eq "... launch digest $want" "$(jq -r .launch_digest "$tmp/out")" "$want"
        done <<'EOF2'
1 EPYC-v4 0x1 qemu 11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3
1 EPYC-v4 0x21 qemu c32245cb607f82791b60757bf0b344d9030e5b5a107342e69c09e668ff28aca5af9ca1dc41ce74f5a4e81aeaeb5e7b54
4 EPYC-v4 0x1 qemu 32ac9d7a17d28f7cd4404a4516d2f00519668c40ada2062351c36767e908eb3f090d66c33ab10f80150e00a4385b6d0f
1 EPYC-Milan 0x1 qemu 80479ca85a2b182c026f6a3a2f2b180ab968d84b17540dd30de39039e70b8c0c33ead2cae6d34e37750035fcff60bfc8
1 EPYC-Genoa 0x1 qemu 98988ff584a1d2b80cbac0c290d592aec2caf460ca58ec34f13c29d44b84dcc3141a8571bb1747aba84fe30c36b2c757
1 EPYC-v4 0x1 ec2 0aaa035d47b06741a745a62cb88eade395f648a7383d71cc322fab9df33859ca3c188a0578534c01526f1b4c0f0b0eb6
EOF2
        expect_eq "... the OVMF hash (GCTX after the firmware pages)" "$(jq -r .ovmf_hash "$tmp/out")" \
                ba2c811512ef868474f239a21f7d7057d65a20de87a003c4f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6

        echo "stand-in-kernel" >"$tmp/kernel"
        expect_rc 2 "a kernel with bookworm's OVMF (no kernel-hashes section) is refused, as QEMU does" \
                "$CVM" measure snp --firmware="$bookworm" --vcpus=1 --vcpu-type=EPYC-v4 --kernel="$tmp/kernel"
        expect_err "... saying why" "the firmware's SEV metadata has no SNP_KERNEL_HASHES section"

        # ID block: a fresh P-384 key; the block carries the digest and QEMU's default policy.
        openssl ecparam -name secp384r1 -genkey -noout -out "$tmp/id.pem" 2>/dev/null
        openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/p256.pem" 2>/dev/null
        expect_rc 0 "cvm measure snp --id-key signs an ID block" "$CVM" measure snp --firmware="$bookworm" \
                --vcpus=1 --vcpu-type=EPYC-v4 --id-key="$tmp/id.pem" --json
        jq -r .id_block "$tmp/out" | base64 -d >"$tmp/id_block"
        jq -r .id_auth "$tmp/out" | base64 -d >"$tmp/id_auth"
        expect_eq "the ID block is 96 bytes: the launch digest, zero IDs, version 1, SVN 0, policy 0x30000" \
                "$(od -An -tx1 -v "$tmp/id_block" | tr -d ' \n')" \
                "$(jq -r .launch_digest "$tmp/out")$(printf '0%.0s' {1..64})01000000""00000000""0000030000000000"
        expect_eq "the ID auth is 4096 bytes, ECDSA P-384 (algorithm 1), no author key" \
                "$(stat -c %s "$tmp/id_auth") $(od -An -tx1 -N8 "$tmp/id_auth" | tr -d ' ')" "4096 0100000000000000"
        expect_eq "the ID key digest is SHA-384 of the 1028-byte key in the ID auth" \
                "$(dd if="$tmp/id_auth" bs=1 skip=$((0x240)) count=1028 2>/dev/null | sha384sum | cut -d' ' -f1)" \
                "$(jq -r .id_key_digest "$tmp/out")"
        expect_rc 2 "a P-256 ID key is refused" "$CVM" measure snp --firmware="$bookworm" --vcpus=1 \
                --vcpu-type=EPYC-v4 --id-key="$tmp/p256.pem"
        expect_err "... by name" "is not an ECDSA P-384 key, the only kind SNP accepts."
        expect_rc 2 "a debug policy is refused without --allow-debug" "$CVM" measure snp --firmware="$bookworm" \
                --vcpus=1 --vcpu-type=EPYC-v4 --id-key="$tmp/id.pem" --policy=0xb0000
        expect_rc 0 "... and signed with it" "$CVM" measure snp --firmware="$bookworm" --vcpus=1 \
                --vcpu-type=EPYC-v4 --id-key="$tmp/id.pem" --policy=0xb0000 --allow-debug
        expect_eq "the text output ends with QEMU's sev-snp-guest options" \
                "$(grep -c '^QEMU: -object sev-snp-guest,...,policy=0xb0000,id-block=.*,id-auth=' "$tmp/out")" 1

        # Corrupt copies: the error names the structure and its file offset, exit 2.
        cp "$bookworm" "$tmp/overlap.fd"
        # TDVF section 3 (TempMem 0x80b000) moved to 0x810000, inside section 2.
        printf '\x00\x00\x81' | dd of="$tmp/overlap.fd" bs=1 seek=$((0x1ff7c0 + 16 + 32 * 3 + 8)) conv=notrunc 2>/dev/null
        expect_rc 2 "cvm firmware on overlapping TDVF sections" "$CVM" firmware "$tmp/overlap.fd"
        expect_err "... names both sections" "Firmware '$tmp/overlap.fd', TDX metadata: TDVF section 3 (TempMem) at file offset 0x1ff830: guest range 0x810000+0x2000 overlaps section 2 (TempMem) at 0x810000+0x10000"
        expect_rc 2 "cvm measure tdx refuses it too" "$CVM" measure tdx --firmware="$tmp/overlap.fd"
        expect_rc 0 "... while its SEV part still measures" "$CVM" measure snp --firmware="$tmp/overlap.fd" \
                --vcpus=1 --vcpu-type=EPYC-v4

        head -c $((2 * 1024 * 1024 - 4096)) "$bookworm" >"$tmp/truncated.fd"
        expect_rc 2 "cvm firmware on an image cut short (no GUID table at its end)" "$CVM" firmware "$tmp/truncated.fd"
        expect_err "... says where it looked" "no GUID table: the footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d is not at file offset 0x1fefd0"

        cp "$bookworm" "$tmp/pastend.fd"
        # The TDX metadata offset entry (data at 0x1fff58) pointing 0x300000 bytes back.
        printf '\x00\x00\x30\x00' | dd of="$tmp/pastend.fd" bs=1 seek=$((0x1fff58)) conv=notrunc 2>/dev/null
        expect_rc 2 "cvm firmware on a TDX metadata offset past the start" "$CVM" firmware "$tmp/pastend.fd"
        expect_err "... names the entry" "TDX metadata offset 0x300000 (counted from the end) points outside the 0x200000-byte image"
fi

SID=${CVM_TEST_SID:-}
if [ -z "$SID" ] || [ ! -r "$SID/usr/share/ovmf/OVMF.inteltdx.ms.fd" ] || [ ! -r "$SID/usr/share/ovmf/OVMF.amdsev.fd" ]; then
        tap_skip "Debian sid's ovmf-inteltdx and ovmf-amdsev: run tools/test-setup sid-extras"
else
        tdx=$SID/usr/share/ovmf/OVMF.inteltdx.ms.fd amdsev=$SID/usr/share/ovmf/OVMF.amdsev.fd
        for fw in "$tdx" "$amdsev"; do
                expect_rc 0 "cvm firmware parses ${fw##*/}" "$CVM" firmware --json "$fw"
                cp "$tmp/out" "$tmp/fw.json"
                expect_rc 0 "cvm measure tdx measures ${fw##*/}" "$CVM" measure tdx --firmware="$fw" --json
                # The counts follow from the sections cvm firmware lists: every page added, the BFV extended.
                expect_eq "... one PAGE.ADD per section page, 16 MR.EXTEND per BFV page" \
                        "$(jq -r '[.page_adds, .mr_extends] | join(" ")' "$tmp/out")" \
                        "$(jq -r '[([.tdx.sections[].memory_size | ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end))] | add / 4096),
                                   ([.tdx.sections[] | select(.attributes_flags | index("MR.EXTEND")) | .memory_size | ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end))] | add / 256)] | join(" ")' "$tmp/fw.json")"
                expect_eq "... an MRTD of 48 bytes" "$(jq -r '.mrtd | test("^[0-9a-f]{96}$")' "$tmp/out")" true
        done
        expect_rc 2 "the IntelTdx image is refused for SNP (empty SVSM_CAA section)" "$CVM" measure snp \
                --firmware="$tdx" --vcpus=1 --vcpu-type=EPYC-v4
        expect_err "... with QEMU's reason" "SEV metadata section 4 (SVSM_CAA) at GPA 0x0 is empty"

        expect_rc 0 "the AmdSev image measures for SNP without a kernel" "$CVM" measure snp --firmware="$amdsev" \
                --vcpus=2 --vcpu-type=EPYC-Milan --json
        plain=$(jq -r .launch_digest "$tmp/out")

        # Values virtee/sev-snp-measure v0.0.13 (8f2b337e) computes for sid's ovmf-amdsev 2026.08+ds-2 and
        # the Debian 12 kernel of tools/test-setup; checked only for those exact files (sid moves).
        if [ "$(sha256sum <"$amdsev" | cut -d' ' -f1)" != 3e4fd0b3fe3b2dbe481c3d9e99418a034174f26cbe1f55aa212b0f18c12d2d6f ]; then
                tap_skip "sev-snp-measure's digests for ovmf-amdsev 2026.08+ds-2: $amdsev is another build"
        else
                expect_rc 0 "ovmf-amdsev 2026.08+ds-2, 4 x EPYC-Genoa, guest features 0x21, EC2" "$CVM" measure snp \
                        --firmware="$amdsev" --vcpus=4 --vcpu-type=EPYC-Genoa --guest-features=0x21 --vmm-type=ec2 --json
                expect_eq "... equals sev-snp-measure's digest" "$(jq -r .launch_digest "$tmp/out")" \
                        6cfcd14cde950994b3d9f3bd76860007d00e8e004e083c7f0f91a2d125e666cd3f58fd80da816281b69f6f99388246b8
                if [ "$(sha256sum <"${CVM_TEST_KERNEL:-/dev/null}" | cut -d' ' -f1)" != d8808aa4ca188560da1e6d749dcb930c87a5fd8b11ebff1f3fa6d728af35203d ]; then
                        tap_skip "sev-snp-measure's kernel-hashes digest: \$CVM_TEST_KERNEL is not the Debian kernel it was computed for"
                else
                        expect_rc 0 "... 2 x EPYC-Milan with the Debian kernel and 'console=ttyS0'" "$CVM" measure snp \
                                --firmware="$amdsev" --vcpus=2 --vcpu-type=EPYC-Milan --kernel="$CVM_TEST_KERNEL" \
                                --cmdline=console=ttyS0 --json
                        expect_eq "... equals sev-snp-measure's digest" "$(jq -r .launch_digest "$tmp/out")" \
                                51741385abf9dc09f38aec604e4d5e4e929889d119452fcd5c10dd6bfef998fb36faf86f49585f50f41c8062fd7f5d62
                fi
        fi
        if [ -z "${CVM_TEST_KERNEL-}" ] || [ ! -r "$CVM_TEST_KERNEL" ] || [ ! -r "${CVM_TEST_INITRAMFS-}" ]; then
                tap_skip "the Debian kernel and initramfs: run tools/test-setup kernel initramfs"
        else
                cmdline="console=ttyS0 panic=-1"
                expect_rc 0 "the AmdSev image with the Debian kernel, initramfs and a command line (kernel-hashes)" \
                        "$CVM" measure snp --firmware="$amdsev" --vcpus=2 --vcpu-type=EPYC-Milan \
                        --kernel="$CVM_TEST_KERNEL" --initrd="$CVM_TEST_INITRAMFS" --cmdline="$cmdline" --json
                expect_eq "... hashes the files as they are and the command line with its NUL" \
                        "$(jq -r '.kernel_hashes | [.kernel, .initrd, .cmdline] | join(" ")' "$tmp/out")" \
                        "$(sha256sum <"$CVM_TEST_KERNEL" | cut -d' ' -f1) $(sha256sum <"$CVM_TEST_INITRAMFS" | cut -d' ' -f1) $(printf '%s\0' "$cmdline" | sha256sum | cut -d' ' -f1)"
                withkernel=$(jq -r .launch_digest "$tmp/out")
                expect_eq "... and the hashes page changes the digest" "$([ "$withkernel" != "$plain" ] && echo differs)" differs
                expect_rc 0 "the same without an initrd or command line" "$CVM" measure snp --firmware="$amdsev" \
                        --vcpus=2 --vcpu-type=EPYC-Milan --kernel="$CVM_TEST_KERNEL" --json
                expect_eq "... hashes no initrd as SHA-256('') and no command line as SHA-256(NUL)" \
                        "$(jq -r '.kernel_hashes | [.initrd, .cmdline] | join(" ")' "$tmp/out")" \
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        fi
fi

# An ID block over a policy the firmware refuses (reserved bit 17 clear) is not signed.
openssl ecparam -name secp384r1 -genkey -noout -out "$tmp/id.pem" 2>/dev/null
expect_rc 2 "measure snp --id-key with policy bit 17 clear is refused" "$CVM" measure snp \
        --firmware="${bookworm:-/dev/null}" --vcpus=1 --vcpu-type=EPYC-v4 --id-key="$tmp/id.pem" --policy=0x10000
grep -q "bit 17 clear" "$tmp/err" && tap_ok "... naming bit 17" || tap_not_ok "... naming bit 17"

tap_done
