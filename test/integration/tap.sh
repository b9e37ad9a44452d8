# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# TAP helpers for the integration tests (sourced). The plan is printed last, by tap_done.

tap_n=0
tap_failed=0

tap_ok() {
        tap_n=$((tap_n + 1))
        echo "ok $tap_n - $*"
}

tap_not_ok() {
        tap_n=$((tap_n + 1))
        tap_failed=1
        echo "not ok $tap_n - $*"
}

tap_skip() {
        tap_n=$((tap_n + 1))
        echo "ok $tap_n # SKIP $*"
}

# Diagnostics: stdin, every line prefixed with "# ".
tap_diag() {
        sed -e 's/^/# /'
}

# tap_check DESCRIPTION COMMAND...: one case, passing when COMMAND succeeds.
tap_check() {
        local desc=$1
        shift
        # The command's own output is diagnostics, never TAP.
        if "$@" >&2; then
                tap_ok "$desc"
        else
                tap_not_ok "$desc"
        fi
}

# The whole script has nothing to test here: a TAP skip of everything.
tap_skip_all() {
        echo "1..0 # SKIP $*"
        exit 0
}

tap_done() {
        echo "1..$tap_n"
        exit "$tap_failed"
}

# run OUT ERR COMMAND...: runs COMMAND with stdout and stderr into files and prints its exit status.
run() {
        local out=$1 err=$2 rc=0
        shift 2
        "$@" >"$out" 2>"$err" </dev/null || rc=$?
        echo "$rc"
}

# facts_roundtrip DIR DIRECT_JSON DIRECT_RC [FACTS_OPTION...]: 'cvm facts' into DIR/facts.json, then
# 'cvm check --facts=DIR/facts.json --json' into DIR/snap.json (exit status left in $facts_check_rc).
# Succeeds when both work and the check prints DIRECT_JSON and exits DIRECT_RC, as checking the host
# directly did; otherwise says what differed as diagnostics.
facts_roundtrip() {
        local dir=$1 direct=$2 rc=$3 frc
        shift 3
        frc=$(run "$dir/facts.json" "$dir/facts.err" "$CVM" facts "$@")
        facts_check_rc=$(run "$dir/snap.json" "$dir/snap.err" "$CVM" check --facts="$dir/facts.json" --json)
        if [ "$frc" -eq 0 ] && [ "$facts_check_rc" -eq "$rc" ] && cmp -s "$direct" "$dir/snap.json"; then
                return 0
        fi
        echo "facts exit $frc, check --facts exit $facts_check_rc (direct: $rc)" | tap_diag
        cat "$dir/facts.err" "$dir/snap.err" | tap_diag
        diff -u "$direct" "$dir/snap.json" | tap_diag || true
        return 1
}
