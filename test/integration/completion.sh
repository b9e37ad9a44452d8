#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The bash completion (data/completion/cvm) against the built cvm: verbs, options and option values.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

CVM=${CVM:?CVM must name the cvm executable}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || tap_skip_all "bash-completion is not installed"

# complete LINE: what the completion offers at the end of LINE, sorted, on one line.
complete_line() {
        bash -c '
                . "$1" && . "$2" || exit 1
                compopt() { :; }
                line=$3
                COMP_LINE=$line COMP_POINT=${#line}
                read -ra COMP_WORDS <<<"${line//=/ = }"
                case $line in *" " | *=) COMP_WORDS+=("") ;; esac
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMPREPLY=()
                _cvm
                printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
                sh "$BC" "$SRC/data/completion/cvm" "$1"
}

PATH="$(dirname "$CVM"):$PATH"
export PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/adir"
touch "$tmp/afile"
cd "$tmp"

# expect LINE WANTED: the completion of LINE is exactly WANTED (sorted, space-separated).
expect() {
        local got
        got=$(complete_line "$1")
        if [ "$got" = "$2" ]; then
                tap_ok "'$1' completes to: $2"
        else
                tap_not_ok "'$1' completes to: $2"
                echo "got: $got" | tap_diag
        fi
}

verbs=$("$CVM" --help | sed -n '/^Verbs:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort | tr '\n' ' ')
expect "cvm " "$verbs"
expect "cvm --debug ch" "check "
expect "cvm help " "$verbs"
expect "cvm check --t" "--tee= "
expect "cvm check --tee=" "all snp tdx "
expect "cvm check --root=" "adir "
expect "cvm check --facts=" "adir afile "
expect "cvm facts -o " "adir afile "
# The VM verbs: options from 'cvm VERB --help' (the VM options included), values from their metavars,
# VM names from the runtime directory.
expect "cvm run --co" "--coco= --config= --connect= --console= "
expect "cvm run --coco=" "auto no sev-snp tdx "
expect "cvm run --backend=" "libvirt qemu "
expect "cvm flavor --ex" "--extra-spec= "
expect "cvm domxml --qg" "--qgs= "
expect "cvm validate --network=" "bridge: none tap: user "
expect "cvm run --on-reboot=" "poweroff reset restart-process "
expect "cvm run --disk=" "adir afile "
expect "cvm run --dr" "--dry-run "
expect "cvm list --" "--json "
expect "cvm status --" "--json "
expect "cvm stop --" "--force --timeout= "
export CVM_RUNTIME_DIR=$tmp/run
mkdir -p "$CVM_RUNTIME_DIR/web" "$CVM_RUNTIME_DIR/db"
expect "cvm status " "db web "
expect "cvm stop w" "web "
unset CVM_RUNTIME_DIR
got=$(complete_line "cvm check --")
tap_check "'cvm check --' offers --json, --root=, --facts=, --quiet (got: $got)" \
        eval '[[ " $got " == *" --json "* && " $got " == *" --root= "* && " $got " == *" --facts= "* &&
                 " $got " == *" --quiet "* ]]'

tap_done
