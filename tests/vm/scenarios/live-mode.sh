#!/bin/sh
# kernels: 6.1 6.12 6.18 7.3 7.3-rt
# timeout: 180
# Live mode (`sudo pinwatch`): long-term pins held past --max-age are reported
# while held, with their API: io_uring registered buffers (FOLL_LONGTERM) and,
# on 6.12, udmabuf's memfd_pin_folios (long-term by design, no FOLL_LONGTERM
# flag). The report is written on SIGINT, SIGTERM and SIGHUP alike.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}

# live_case SIG EXPECTED-FINDING-LINE FRAME -- WORKLOAD...
live_case() {
	sig=$1 want=$2 frame=$3; shift 4
	PW_CASES=$((PW_CASES + 1))
	rm -f /tmp/live.json
	pw_live_start /tmp/live.out --attach "$mode" --max-age 1s --interval 200ms --json /tmp/live.json ||
		{ pw_fail "SIG$sig: pinwatch did not attach within 60s: $(cat /tmp/live.out)"; kill $PW_LIVE_PID; return; }
	lp=$PW_LIVE_PID
	"$@" >/dev/null || pw_fail "workload $* failed"
	sleep 1
	kill -"$sig" $lp; wait $lp; rc=$?
	got=$(pw_json_findings /tmp/live.json "$frame" "")
	echo "SIG$sig, $*: exit $rc, findings: $(echo "$got" | tr '\n' ';')"
	# exactly the one finding: an extra one fails too
	[ "$(echo "$got" | grep -c .)" = 1 ] && echo "$got" | grep -q "^$want" ||
		{ pw_fail "SIG$sig: expected only '$want' while held"; cat /tmp/live.out; }
	[ "$rc" = 0 ] || pw_fail "SIG$sig: live mode exit $rc"
	grep -q '^SUMMARY: pinwatch' /tmp/live.out || pw_fail "SIG$sig: no SUMMARY line"
}

for sig in INT TERM HUP; do
	live_case $sig "leak 16 true io_uring 1" io_pin_pages -- pwtest uring --pages 16 --hold-ms 3000
done
case "$PW_KVER" in 6.1) ;; *)	# udmabuf pins with memfd_pin_folios since 6.11
	live_case INT "leak 16 true udmabuf 1" udmabuf_ioctl -- pwtest udmabuf --pages 16 --hold-ms 3000 ;;
esac
pw_done
