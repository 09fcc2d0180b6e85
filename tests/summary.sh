#!/bin/sh
# Print failures and the one closing line "N passed, N failed"; exit 1 on any
# failure or when no test ran at all (a run that tested nothing is not green).
f=${1:-build/results.txt}
[ -f "$f" ] || { echo "no results recorded ($f missing)"; echo "0 passed, 1 failed"; exit 1; }
p=$(grep -c '^PASS ' "$f"); n=$(grep -c '^FAIL ' "$f")
if [ "$n" -gt 0 ]; then echo "failed tests:"; grep '^FAIL ' "$f" | sed 's/^/  /'; fi
if [ "$p" -eq 0 ] && [ "$n" -eq 0 ]; then echo "0 passed, 1 failed"; exit 1; fi
echo "$p passed, $n failed"
[ "$n" -eq 0 ]
