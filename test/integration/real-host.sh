#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 'cvm check' on the machine the tests run on, and the CLI contract around it. The CI machine is a KVM host
# without TDX or SEV-SNP (a nested guest), so both TEEs must be reported not ready, and the KVM VM types the
# kernel offers must be among the reasons. On a real TDX or SNP host those two cases are skipped.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The QEMU capability cache of this run only: nothing outside the temporary directory is written.
export CVM_CACHE_DIR=$tmp/cache

# jq_true FILE FILTER: whether FILTER is true for the JSON in FILE (quietly).
jq_true() {
        jq -e "$2" "$1" >/dev/null 2>&1
}

# Whether this machine might really run TDX or SNP guests: then "not ready" is not the right answer.
tee_host() {
        local p
        for p in /sys/module/kvm_intel/parameters/tdx /sys/module/kvm_amd/parameters/sev_snp; do
                if [ -r "$p" ] && grep -q '^[Y1]' "$p"; then
                        return 0
                fi
        done
        return 1
}

# 1-2. The verdicts, and why.
rc=$(run "$tmp/check.json" "$tmp/check.err" "$CVM" check --json)
if ! jq -e . "$tmp/check.json" >/dev/null 2>&1; then
        tap_not_ok "cvm check --json prints JSON (exit $rc)"
        tap_diag <"$tmp/check.err"
elif tee_host; then
        tap_skip "TDX or SEV-SNP is enabled in KVM here: not-ready is not expected"
        tap_skip "KVM_CAP_VM_TYPES among the reasons: this is a TDX/SNP host"
else
        verdict=$(jq -c .verdict "$tmp/check.json")
        tap_check "cvm check: TDX and SEV-SNP both not-ready (got $verdict)" \
                jq_true "$tmp/check.json" '.verdict == {"tdx": "not-ready", "snp": "not-ready"}'
        tap_check "cvm check exits 1 when not ready (exit $rc)" [ "$rc" -eq 1 ]
        if jq -e '[.checks[] | select(.status == "fail" and (.message | contains("KVM_CAP_VM_TYPES")))]
                  | length > 0' "$tmp/check.json" >/dev/null; then
                tap_ok "a failed check names KVM_CAP_VM_TYPES"
        else
                tap_not_ok "a failed check names KVM_CAP_VM_TYPES"
                jq -r '.checks[] | "\(.status) \(.id): \(.message)"' "$tmp/check.json" | tap_diag
        fi
fi

# 3. A snapshot taken and checked on the same host gives the same result as a direct check.
rc1=$(run "$tmp/direct.json" "$tmp/direct.err" "$CVM" check --json)
tap_check "cvm facts > F; cvm check --facts=F equals cvm check (exit $rc1)" \
        facts_roundtrip "$tmp" "$tmp/direct.json" "$rc1"

# 4. --tee selects the checks and the verdicts.
for tee in tdx snp; do
        rc=$(run "$tmp/$tee.json" "$tmp/$tee.err" "$CVM" check --tee="$tee" --json)
        if [ "$rc" -le 1 ] && jq -e --arg t "$tee" '
                        (.verdict | keys) == [$t] and
                        all(.checks[]; .tee == "common" or .tee == $t) and
                        any(.checks[]; .tee == "common") and any(.checks[]; .tee == $t)' \
                "$tmp/$tee.json" >/dev/null 2>&1; then
                tap_ok "cvm check --tee=$tee: common and $tee checks only, one verdict"
        else
                tap_not_ok "cvm check --tee=$tee: common and $tee checks only, one verdict (exit $rc)"
                { jq -c '[.checks[] | "\(.tee)/\(.id)"], .verdict' "$tmp/$tee.json" || cat "$tmp/$tee.err"; } |
                        tap_diag
        fi
done

# 5. Usage errors exit 2 and say what was wrong.
rc=$(run "$tmp/o" "$tmp/e" "$CVM" check --tee=bogus)
tap_check "cvm check --tee=bogus exits 2 naming 'bogus' (exit $rc)" \
        eval '[ "$rc" -eq 2 ] && grep -q bogus "$tmp/e" && [ ! -s "$tmp/o" ]'
rc=$(run "$tmp/o" "$tmp/e" "$CVM" no-such-verb)
tap_check "cvm no-such-verb exits 2 (exit $rc)" eval '[ "$rc" -eq 2 ] && grep -q no-such-verb "$tmp/e"'
rc=$(run "$tmp/o" "$tmp/e" "$CVM" check --root=/ --facts=/dev/null)
tap_check "cvm check --root with --facts exits 2 (exit $rc)" [ "$rc" -eq 2 ]

# 6. Version and help.
rc=$(run "$tmp/o" "$tmp/e" "$CVM" --version)
tap_check "cvm --version prints 'cvm X.Y.Z' (exit $rc: $(head -c 80 "$tmp/o"))" \
        eval '[ "$rc" -eq 0 ] && grep -Eqx "cvm [0-9]+\.[0-9]+\.[0-9]+.*" "$tmp/o"'
rc=$(run "$tmp/o2" "$tmp/e" "$CVM" version)
tap_check "cvm version prints the same (exit $rc)" eval '[ "$rc" -eq 0 ] && cmp -s "$tmp/o" "$tmp/o2"'
rc=$(run "$tmp/o" "$tmp/e" "$CVM" --help)
tap_check "cvm --help lists the verbs check, facts, capacity (exit $rc)" \
        eval '[ "$rc" -eq 0 ] && grep -qw check "$tmp/o" && grep -qw facts "$tmp/o" && grep -qw capacity "$tmp/o"'
rc=$(run "$tmp/o" "$tmp/e" "$CVM" help check)
tap_check "cvm help check shows the check options (exit $rc)" \
        eval '[ "$rc" -eq 0 ] && grep -q -- --tee "$tmp/o" && grep -q -- --facts "$tmp/o" && grep -q -- --json "$tmp/o"'
rc=$(run "$tmp/o2" "$tmp/e" "$CVM" check --help)
tap_check "cvm help check equals cvm check --help" eval '[ "$rc" -eq 0 ] && cmp -s "$tmp/o" "$tmp/o2"'

# 7. Broken facts files: exit 2, and the message names the file.
printf '{' >"$tmp/truncated.json"
printf '{"cvm-facts": 99, "files": {}, "paths": {}}\n' >"$tmp/version-99.json"
printf '[1, 2, 3]\n' >"$tmp/not-facts.json"
for f in truncated.json version-99.json not-facts.json does-not-exist.json; do
        rc=$(run "$tmp/o" "$tmp/e" "$CVM" check --facts="$tmp/$f")
        if [ "$rc" -eq 2 ] && grep -qF "$tmp/$f" "$tmp/e" && [ ! -s "$tmp/o" ]; then
                tap_ok "cvm check --facts=$f exits 2 naming the file: $(head -n1 "$tmp/e")"
        else
                tap_not_ok "cvm check --facts=$f exits 2 naming the file (exit $rc)"
                tap_diag <"$tmp/e"
        fi
done
rc=$(run "$tmp/o" "$tmp/e" "$CVM" check --facts="$tmp/version-99.json")
tap_check "a facts file of format version 99 is refused for its version" grep -q 'version' "$tmp/e"

# 8. --quiet prints nothing and keeps the exit status.
rc=$(run "$tmp/o" "$tmp/e" "$CVM" check --facts="$tmp/facts.json" -q)
tap_check "cvm check -q prints nothing and exits like cvm check ($rc)" \
        eval '[ "$rc" -eq "$facts_check_rc" ] && [ ! -s "$tmp/o" ]'

# 9. A QEMU that knows tdx-guest (QEMU >= 10.1, tools/test-setup provides 11.1 as CVM_TEST_QEMU11).
if [ -n "${CVM_TEST_QEMU11:-}" ] && [ -x "$CVM_TEST_QEMU11" ]; then
        rc=$(run "$tmp/q.json" "$tmp/q.err" "$CVM" facts --qemu="$CVM_TEST_QEMU11")
        if [ "$rc" -eq 0 ] && jq -e '.qemu | type == "object" and (has("error") | not) and
                                      (tostring | contains("tdx-guest"))' "$tmp/q.json" >/dev/null; then
                tap_ok "cvm facts --qemu=QEMU 11.1 records a QEMU that knows tdx-guest"
        else
                tap_not_ok "cvm facts --qemu=QEMU 11.1 records a QEMU that knows tdx-guest (exit $rc)"
                { jq -c .qemu "$tmp/q.json" || cat "$tmp/q.err"; } 2>&1 | head -c 2000 | tap_diag
        fi
        rc=$(run "$tmp/q.json" "$tmp/q.err" "$CVM" check --qemu="$CVM_TEST_QEMU11" --json)
        if jq_true "$tmp/q.json" '[.checks[] | select(.id | endswith(".qemu"))] |
                                  length > 0 and all(.status == "pass")'; then
                tap_ok "cvm check --qemu=QEMU 11.1: the QEMU checks pass"
        else
                tap_not_ok "cvm check --qemu=QEMU 11.1: the QEMU checks pass (exit $rc)"
                { jq -r '.checks[] | select(.id | endswith(".qemu")) | "\(.status) \(.id): \(.message)"' \
                        "$tmp/q.json" || cat "$tmp/q.err"; } 2>&1 | tap_diag
        fi
else
        tap_skip "CVM_TEST_QEMU11 is not set (tools/test-setup provides QEMU 11.1)"
        tap_skip "CVM_TEST_QEMU11 is not set (tools/test-setup provides QEMU 11.1)"
fi

tap_done
