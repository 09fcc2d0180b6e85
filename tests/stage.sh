#!/bin/sh
# Run one stage of make check: stage.sh NAME CMD...
# A stage records its own results (tests/result.sh). One that exits non-zero
# without having recorded a failure (it died before recording, or its runner
# broke) gets a FAIL of its own, so the summary line cannot read clean.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
f=${PW_RESULTS:-$top/build/results.txt}
name=$1; shift
before=$(grep -c '^FAIL ' "$f" 2>/dev/null); before=${before:-0}
"$@"; rc=$?
after=$(grep -c '^FAIL ' "$f" 2>/dev/null); after=${after:-0}
if [ "$rc" != 0 ] && [ "$after" -le "$before" ]; then
	"$top/tests/result.sh" FAIL "stage/$name" "exited $rc without recording a failure"
fi
exit 0
