#!/bin/sh
# kernels: 6.1 6.12
# timeout: 150
# Live mode (`sudo pinwatch`): io_uring registered buffers held past --max-age
# are reported as long-term pins while held, through the io_uring API; the
# report is written on SIGINT, SIGTERM and SIGHUP alike.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}

for sig in INT TERM HUP; do
	PW_CASES=$((PW_CASES + 1))
	rm -f /tmp/live.json
	pinwatch --attach "$mode" --max-age 1s --interval 200ms --json /tmp/live.json >/tmp/live.out 2>&1 &
	lp=$!
	i=0; until grep -q 'Ctrl-C' /tmp/live.out || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
	pwtest uring --pages 16 --hold-ms 3000 >/dev/null || pw_fail "uring workload failed"
	sleep 1
	kill -$sig $lp; wait $lp; rc=$?
	got=$(pw_json_findings /tmp/live.json "io_uring" "")
	echo "SIG$sig: exit $rc, findings: $(echo "$got" | tr '\n' ';')"
	echo "$got" | grep -q '^leak 16 true io_uring 1' ||
		{ pw_fail "SIG$sig: no long-term io_uring leak of 16 pins while held"; cat /tmp/live.out; }
	[ "$rc" = 0 ] || pw_fail "SIG$sig: live mode exit $rc"
	grep -q '^SUMMARY: pinwatch' /tmp/live.out || pw_fail "SIG$sig: no SUMMARY line"
done
pw_done
