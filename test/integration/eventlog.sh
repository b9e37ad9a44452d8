#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm eventlog' on the CCEL table and log of a real TD (test/data/attest/README.md): the replay equals
# the RTMRs of that TD's quote; a tampered digest names the first differing register (exit 1); malformed
# tables and logs exit 2 naming the field and offset. Then the RTMRs of 'cvm measure tdx' for the Debian
# kernel (tools/test-setup), cross-checked with an independent Python hashlib implementation of the PE
# Authenticode hash and of the RTMR extend chain.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
DATA=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}
SRC=$(cd "$DATA/../.." && pwd)
ENV_DIR=${CVM_TEST_ENV:-$SRC/test-env}
KERNEL=${CVM_TEST_KERNEL:-$ENV_DIR/kernel/vmlinuz}
SID=${CVM_TEST_SID:-$ENV_DIR/sid}
TABLE=$DATA/attest/tdx/go-tdx-guest/ccel_table.dat
LOG=$DATA/attest/tdx/go-tdx-guest/ccel_data.dat
QUOTE=$DATA/attest/tdx/go-tdx-guest/cos-113-tdx-quote.dat
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# jq_ok FILE EXPRESSION: one case, passing when the expression is true for FILE.
jq_ok() {
        tap_check "$(tr -s ' \n' '  ' <<<"$2")" test "$(jq -r "$2" "$1")" = true
}

# fails NAME WORDS CVM-ARGS...: exits 2 and the error has WORDS.
fails() {
        local name=$1 words=$2 rc
        shift 2
        rc=$(run "$tmp/out" "$tmp/err" "$CVM" "$@")
        if [ "$rc" = 2 ] && grep -qF -- "$words" "$tmp/err"; then
                tap_ok "$name: exit 2, '$words'"
        else
                tap_not_ok "$name: exit 2, '$words' (got $rc)"
                tap_diag <"$tmp/err"
        fi
}

# The real log replays to the quote's RTMRs.
rc=$(run "$tmp/out.txt" "$tmp/err" "$CVM" eventlog --ccel="$TABLE" --log="$LOG" --quote="$QUOTE")
tap_check "real log: exit 0 (got $rc)" test "$rc" = 0
tap_check "real log: all four RTMRs match" grep -qF "All four RTMRs match" "$tmp/out.txt"
tap_check "real log: table line" grep -qF "CCEL table: tdx, OEM 'INTEL ' 'EDK2    ', log area of 262144 bytes at 0xbedbf000" "$tmp/out.txt"
tap_check "real log: 43 events" grep -qF "43 events in 18101 of 262144 bytes" "$tmp/out.txt"
tap_check "real log: decoded Boot0000" grep -qF "boot_description: UiApp" "$tmp/out.txt"
tap_check "real log: event 15 by name" grep -qE '^  \[15\] RTMR1  EV_EFI_ACTION' "$tmp/out.txt"

rc=$(run "$tmp/out.json" "$tmp/err" "$CVM" eventlog --ccel="$TABLE" --log="$LOG" --quote="$QUOTE" --json)
tap_check "real log --json: exit 0 (got $rc)" test "$rc" = 0
jq_ok "$tmp/out.json" '(.events | length) == 43'
jq_ok "$tmp/out.json" '.rtmr == .quote.rtmr and .quote.first_mismatch == null'
jq_ok "$tmp/out.json" '.quote.match == [true, true, true, true]'
jq_ok "$tmp/out.json" '.rtmr[0] == "3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6"'
jq_ok "$tmp/out.json" '.ccel.cc_type == "tdx" and .ccel.log_area_address == "0xbedbf000"'
jq_ok "$tmp/out.json" '.events[13].register == "RTMR0" and .events[13].type_name == "EV_EFI_VARIABLE_BOOT" and .events[13].data.variable_name == "Boot0000"'
jq_ok "$tmp/out.json" '[.events[] | select(.register == "RTMR2")] | length == 20'

# The same through --root, where a guest has them.
mkdir -p "$tmp/root/sys/firmware/acpi/tables/data"
cp "$TABLE" "$tmp/root/sys/firmware/acpi/tables/CCEL"
cp "$LOG" "$tmp/root/sys/firmware/acpi/tables/data/CCEL"
rc=$(run "$tmp/root.json" "$tmp/err" "$CVM" eventlog --root="$tmp/root" --json)
tap_check "--root: exit 0 (got $rc)" test "$rc" = 0
tap_check "--root: the same replay" test "$(jq -c .rtmr "$tmp/root.json")" = "$(jq -c .rtmr "$tmp/out.json")"

# A tampered digest in event 17 (RTMR1): RTMR1 is named, exit 1.
off=$(jq '.events[16].offset + 14' "$tmp/out.json")
cp "$LOG" "$tmp/tampered"
printf '\xff' | dd of="$tmp/tampered" bs=1 seek="$off" conv=notrunc status=none
rc=$(run "$tmp/t.txt" "$tmp/err" "$CVM" eventlog --log="$tmp/tampered" --quote="$QUOTE")
tap_check "tampered: exit 1 (got $rc)" test "$rc" = 1
tap_check "tampered: names RTMR1" grep -qF "First differing register: RTMR1" "$tmp/t.txt"
tap_check "tampered: RTMR0 still matches" grep -qE '^  RTMR0  [0-9a-f]{96}  matches the quote' "$tmp/t.txt"
rc=$(run "$tmp/t.json" "$tmp/err" "$CVM" eventlog --log="$tmp/tampered" --quote="$QUOTE" --json)
tap_check "tampered --json: exit 1 (got $rc)" test "$rc" = 1
jq_ok "$tmp/t.json" '.quote.first_mismatch == "RTMR1" and .quote.match == [true, false, true, true]'

# A quote of another TD: RTMR0 differs first.
rc=$(run "$tmp/o.txt" "$tmp/err" "$CVM" eventlog --log="$LOG" --quote="$DATA/attest/tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat")
tap_check "other TD's quote: exit 1 names RTMR0" test "$rc" = 1 -a -n "$(grep -F 'First differing register: RTMR0' "$tmp/o.txt")"

# Malformed input.
head -c 100 "$LOG" >"$tmp/short"
fails "truncated log" "event 1 at offset 0x41: sha384 digest at offset 0x4f runs past the end of the log" eventlog --log="$tmp/short"
cp "$TABLE" "$tmp/table"
printf '\x01' | dd of="$tmp/table" bs=1 seek=40 conv=notrunc status=none
fails "table checksum" "CCEL table: the bytes do not sum to zero" eventlog --ccel="$tmp/table" --log="$LOG"
fails "a table as the log" "has type 0x38, not EV_NO_ACTION (field EventType, offset 4)" eventlog --log="$TABLE"
fails "no CCEL" "not a TDX guest with a CC event log" eventlog --root="$tmp"
fails "SNP report as quote" "not a TDX quote or TDREPORT" eventlog --log="$LOG" --quote="$DATA/attest/snp/go-sev-guest/attestation.bin"
fails "--ccel alone" "--ccel=FILE needs --log=FILE" eventlog --ccel="$TABLE"

# cvm measure tdx: RTMR1/RTMR2 for the Debian kernel, against Python's own Authenticode and extend chain.
cat >"$tmp/rtmr.py" <<'EOF'
import hashlib, struct, sys

def authenticode(d):
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, optsz = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
    opt = pe + 24
    dirs = opt + (112 if struct.unpack_from('<H', d, opt)[0] == 0x20b else 96)
    soh = struct.unpack_from('<I', d, opt + 60)[0]
    ck, sec = opt + 64, dirs + 4 * 8
    cert_size = struct.unpack_from('<I', d, sec + 4)[0]
    h = hashlib.sha384(d[:ck] + d[ck + 4:sec] + d[sec + 8:soh])
    n = soh
    secs = sorted(struct.unpack_from('<II', d, opt + optsz + 40 * i + 16)[::-1] for i in range(nsec))
    for off, size in secs:
        if size:
            h.update(d[off:off + size])
            n += size
    if len(d) > n:
        h.update(d[n:len(d) - cert_size])
    return h.digest()

def extend(events):
    r = bytes(48)
    for e in events:
        r = hashlib.sha384(r + e).digest()
    return r.hex()

kernel = open(sys.argv[1], 'rb').read()
a = authenticode(kernel)
s = lambda b: hashlib.sha384(b).digest()
print(a.hex())
print(extend([a, s(b'Calling EFI Application from Boot Option'), s(bytes(4)),
              s(b'Exit Boot Services Invocation'), s(b'Exit Boot Services Returned with Success')]))
EOF
FW=$SID/usr/share/ovmf/OVMF.inteltdx.ms.fd
if [ ! -f "$KERNEL" ] || [ ! -f "$FW" ]; then
        tap_skip "measure tdx RTMRs: no Debian kernel or sid OVMF.inteltdx.ms.fd (tools/test-setup)"
else
        mapfile -t want < <(python3 "$tmp/rtmr.py" "$KERNEL")
        printf 'initrd bytes' >"$tmp/initrd"
        rc=$(run "$tmp/m.json" "$tmp/err" "$CVM" measure tdx --firmware="$FW" --memory=2G --kernel="$KERNEL" \
                --initrd="$tmp/initrd" --cmdline="console=ttyS0" --json)
        tap_check "measure tdx --kernel: exit 0 (got $rc)" test "$rc" = 0
        tap_diag <"$tmp/err"
        jq_ok "$tmp/m.json" ".events[] | select(.type == \"EV_EFI_BOOT_SERVICES_APPLICATION\") | .digest == \"${want[0]}\""
        jq_ok "$tmp/m.json" ".rtmr[1].predictable and .rtmr[1].value == \"${want[1]}\""
        jq_ok "$tmp/m.json" '.kernel_version == "6.1.0-50-amd64" and .rtmr[2].value == ("0" * 96) and (.rtmr[2].note | test("older than 6.9"))'
        jq_ok "$tmp/m.json" '(.rtmr[0].predictable | not) and .rtmr[0].value == null and (.rtmr[0].note | test("--acpi-tables=DIR"))'
        jq_ok "$tmp/m.json" '.events[0].digest == "0b8772e5b0b41b83e6044a68397e02f49fb47066b4fbe4917ea2c45c64f323fdacbb37948f821ebaf8bc9c938ba8a749"'
        cfv=$(head -c $((0x84000)) "$FW" | sha384sum | cut -d' ' -f1)
        jq_ok "$tmp/m.json" ".events[1].digest == \"$cfv\""

        mkdir -p "$tmp/acpi"
        printf 'loader' >"$tmp/acpi/table-loader"
        printf 'rsdp' >"$tmp/acpi/rsdp"
        printf 'tables' >"$tmp/acpi/tables"
        rc=$(run "$tmp/a.json" "$tmp/err" "$CVM" measure tdx --firmware="$FW" --memory=2G --acpi-tables="$tmp/acpi" --json)
        tap_check "measure tdx --acpi-tables: exit 0 (got $rc)" test "$rc" = 0
        jq_ok "$tmp/a.json" '.rtmr[0].predictable and (.events | length) == 13 and (.rtmr[1].predictable | not)'
        rc=$(run "$tmp/a.txt" "$tmp/err" "$CVM" measure tdx --firmware="$FW" --memory=2G --acpi-tables="$tmp/acpi")
        tap_check "measure tdx text: RTMR0 value and events" grep -qE '^RTMR0  [0-9a-f]{96}$' "$tmp/a.txt"
        fails "measure tdx --event-layout" "Unknown event layout 'edk2-2023'" measure tdx --firmware="$FW" --event-layout=edk2-2023
        fails "measure tdx --uki with --kernel" "a UKI excludes a separate kernel" measure tdx --firmware="$FW" --uki="$KERNEL" --kernel="$KERNEL"
        fails "measure tdx --kernel not PE" "kernel: PE image: DOS header: e_magic at offset 0" measure tdx --firmware="$FW" --kernel="$tmp/initrd"
fi

tap_done
