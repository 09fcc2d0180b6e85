#!/bin/sh
# Record one test result: result.sh PASS|FAIL NAME [REASON]
# Appends to $PW_RESULTS (default build/results.txt); tests/summary.sh counts them.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
f=${PW_RESULTS:-$top/build/results.txt}
mkdir -p "$(dirname "$f")"
st=$1; name=$2; shift 2
case "$st" in PASS|FAIL) ;; *) echo "result.sh: bad status '$st'" >&2; exit 2;; esac
printf '%s %s%s\n' "$st" "$name" "${1:+ - $*}" >> "$f"
[ "$st" = PASS ] && echo "PASS $name" || echo "FAIL $name${1:+ - $*}"
