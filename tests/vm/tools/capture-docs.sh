#!/bin/sh
# timeout: 200
# memory: 2G
# Not a test: records one document of each type pinwatch writes (a run
# report, why's, a line of serve's stream) from a 6.12 guest, for the unit
# tests' schema checks (tests/unit/data/vm-*.json). Refresh them with
#   PW_SCENARIO_DIRS=tests/vm/tools tests/vm/run-vm.sh 6.12 capture-docs@fentry > log
# and the documents between the @@DOC/@@END lines of log.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pinwatch run --attach fentry --settle 500ms --json /tmp/report.json -- pwtest pin --api fast --pages 4 --release put >/dev/null 2>&1
pw_serve_start fentry
pwtest pin --api plain --longterm --pages 8 --release never --hold-ms 3000 >/dev/null &
pp=$!
sleep 2
pinwatch why --json /tmp/why.json --pfn 0-0xffff >/dev/null 2>&1
sleep 1
wait $pp
for f in /tmp/report.json /tmp/why.json; do echo "@@DOC $f"; cat "$f"; echo "@@END"; done
echo "@@DOC /tmp/stream.json"; tail -n1 /tmp/serve.jsonl; echo "@@END"
PW_CASES=1
pw_done
