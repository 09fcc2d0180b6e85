#!/bin/sh
# Run one cmocka test binary and record each of its test cases:
#   run.sh build/unit/test_ksyms  ->  "PASS unit/ksyms/<case>" lines
# cmocka's TAP output ("ok N - case", "not ok N - case", "# diag") is parsed;
# a binary that dies early (fewer results than its "1..N" plan), exits
# non-zero with every case passing (sanitizer report at exit), or hangs,
# gets an extra FAIL line so the breakage is counted.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$1
suite=$(basename "$bin"); suite=${suite#test_}
log=$(mktemp); trap 'rm -f "$log"' EXIT

# A sanitizer error ends the binary early or with a non-zero status; both
# are caught by the checks below.
CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$bin" >"$log" 2>&1
rc=$?

# One "STATUS<TAB>case<TAB>reason" line per case; the reason of a failure is
# its first diagnostic line(s).
awk '
function flush() { if (st != "") printf "%s\t%s\t%s\n", st, name, why; st = "" }
/^ok [0-9]+ - / { flush(); n_why = 0; st = "PASS"; name = $0; sub(/^ok [0-9]+ - /, "", name); why = ""; next }
/^not ok [0-9]+ # SKIP / { flush(); n_why = 0; st = "FAIL"; name = $0; sub(/^not ok [0-9]+ # SKIP /, "", name);
	why = "skipped: could not run here"; next }
/^not ok [0-9]+ - / { flush(); n_why = 0; st = "FAIL"; name = $0; sub(/^not ok [0-9]+ - /, "", name); why = ""; next }
/^# / { if (st == "FAIL" && n_why < 2 && $0 !~ /^# (not )?ok - /) {
		line = substr($0, 3); why = why (why == "" ? "" : "; ") line; n_why++ } next }
{ }
END { flush() }
' "$log" >"$log.cases"

fails=0
while IFS='	' read -r st name why; do
	[ -n "$name" ] || continue
	"$top/tests/result.sh" "$st" "unit/$suite/$name" ${why:+"$why"}
	[ "$st" = PASS ] || fails=$((fails + 1))
done <"$log.cases"

planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
seen=$(wc -l <"$log.cases")
rm -f "$log.cases"
bad=""
if [ -z "$planned" ] || [ "$seen" -lt "$planned" ]; then
	bad="ran ${seen} of ${planned:-?} cases, exit status $rc (crash or hang?)"
elif [ "$fails" -eq 0 ] && [ "$rc" -ne 0 ]; then
	bad="all cases passed but exit status $rc (sanitizer error?)"
fi
if [ -n "$bad" ]; then
	"$top/tests/result.sh" FAIL "unit/$suite" "$bad"
	fails=$((fails + 1))
fi
# Show the whole log when anything failed: that is where the reason is.
[ "$fails" -eq 0 ] || sed 's/^/  | /' "$log"
[ "$fails" -eq 0 ]
