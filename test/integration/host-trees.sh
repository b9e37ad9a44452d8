#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fake host trees against golden output. Every directory test/data/hosts/NAME/ must have an expected.json,
# and:
#   - 'cvm check --root=NAME --json' prints exactly expected.json;
#   - its exit status is 0 when every verdict there is "ready", 1 otherwise;
#   - 'cvm facts --root=NAME' saved to a file and checked with 'cvm check --facts=FILE --json' gives the same
#     output and exit status (the two stages agree);
#   - the text output ends with the summary and verdict lines, and they agree with the JSON.
# CVM_TEST_REGENERATE=1 rewrites each expected.json from the current output instead of comparing: review
# the diff very carefully before committing it.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
HOSTS=${CVM_TEST_DATA:?CVM_TEST_DATA must name test/data}/hosts
export NO_COLOR=1 LC_ALL=C

command -v jq >/dev/null || tap_skip_all "jq is not installed (tools/install-deps)"

shopt -s nullglob
trees=("$HOSTS"/*/)
shopt -u nullglob
[ ${#trees[@]} -gt 0 ] || tap_skip_all "no host trees in $HOSTS yet"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Trees never start QEMU, but keep any cache of this run out of the user's directories all the same.
export CVM_CACHE_DIR=$tmp/cache

# The summary and verdict lines that the JSON output implies, as 'cvm check' prints them.
expected_tail() {
        jq -r '
                def n(s): [.checks[] | select(.status == s)] | length;
                "\(.checks | length) checks: \(n("pass")) passed, \(n("warn")) warnings, \(n("fail")) failed, \(n("skip")) skipped",
                (.verdict | to_entries[] | "\({tdx: "Intel TDX", snp: "AMD SEV-SNP"}[.key]): \(.value)")
        ' "$1"
}

# The last paragraph of a text output.
last_paragraph() {
        awk -v RS= 'END { print }' "$1"
}

for dir in "${trees[@]}"; do
        dir=${dir%/}
        name=${dir##*/}
        golden=$dir/expected.json
        t=$tmp/$name
        mkdir -p "$t"

        # A tree without its golden output would be tested by nothing: that is a failure, not a skip.
        if [ ! -f "$golden" ] && [ "${CVM_TEST_REGENERATE:-}" != 1 ]; then
                tap_not_ok "$name: has expected.json (create it with CVM_TEST_REGENERATE=1 and review it)"
                continue
        fi

        rc=$(run "$t/out.json" "$t/err" "$CVM" check --root="$dir" --json)
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
                tap_not_ok "$name: cvm check --root --json exits $rc"
                tap_diag <"$t/err"
                continue
        fi

        # 1. The output is the golden one.
        if [ "${CVM_TEST_REGENERATE:-}" = 1 ]; then
                cp "$t/out.json" "$golden"
                tap_ok "$name: regenerated expected.json"
        elif cmp -s "$golden" "$t/out.json"; then
                tap_ok "$name: cvm check --root --json equals expected.json"
        else
                tap_not_ok "$name: cvm check --root --json equals expected.json"
                diff -u "$golden" "$t/out.json" | tap_diag || true
        fi

        # 2. The exit status follows the verdicts.
        if jq -e '.verdict | length > 0 and all(.[]; . == "ready")' "$golden" >/dev/null; then
                want=0
        else
                want=1
        fi
        tap_check "$name: exit status $rc is $want ($(jq -c .verdict "$golden"))" [ "$rc" -eq "$want" ]

        # 3. Collecting facts and checking them elsewhere gives the same result.
        tap_check "$name: cvm facts --root, then cvm check --facts gives the same output and status" \
                facts_roundtrip "$t" "$t/out.json" "$rc" --root="$dir"

        # 4. The text output ends with the summary line and the verdicts, consistent with the JSON.
        trc=$(run "$t/out.txt" "$t/err3" "$CVM" check --root="$dir")
        expected_tail "$t/out.json" >"$t/tail.want"
        last_paragraph "$t/out.txt" >"$t/tail.got"
        if [ "$trc" -eq "$rc" ] && cmp -s "$t/tail.want" "$t/tail.got"; then
                tap_ok "$name: text output ends with \"$(head -n1 "$t/tail.want")\" and the verdicts"
        else
                tap_not_ok "$name: text output ends with the summary line and the verdicts (exit $trc)"
                diff -u "$t/tail.want" "$t/tail.got" | tap_diag || true
        fi
done

tap_done
