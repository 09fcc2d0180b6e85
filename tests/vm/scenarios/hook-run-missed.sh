#!/bin/sh
# kernels: 6.1 6.12
# timeout: 600
# modes: fentry kprobe:6.12
# An interrupt that unpins while the same hook is running on that CPU: the
# kernel skips the nested run of pinwatch's program (its recursion_misses,
# or a kprobe's own miss count), so those unpins never reach the mirror.
# pinwatch must say so (hook_runs in the report, the report incomplete,
# run's exit 23), never give a clean report over a wrong mirror. The module
# unpins a 64-page buffer from an hrtimer while the task unpins one page
# pinned 16384 times, unpin_user_pages() both times. Whether the timer lands
# inside pinwatch's program or in the kernel's own loop after it is timing
# (a third or more land inside), so one `pinwatch run` repeats that 12
# times; at most 3 such runs, each checked either way. kprobes: 6.12 only
# (6.7+ counts a kprobe's misses; 6.1 counts none, see pinwatch(8)).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
[ -n "${PW_TRACE:-}" ] || pw_die "run it under pinwatch: hook-run-missed@fentry"

PW_CASES=1
n=12
want=$((n * (64 + 16384)))
cat > /tmp/hrm.sh <<EOS
for i in \$(seq $n); do
	pwtest irq-unpin --pages 64 --release timer --busy 16384 || exit 1
done
EOS
tries=0 missed=0
while [ $tries -lt 3 ] && [ $missed = 0 ]; do
	tries=$((tries + 1))
	pw_run_counted /tmp/hrm.out sh /tmp/hrm.sh
	rc=$PW_RC da=$PW_DA dr=$PW_DR got=$PW_FOUND
	runs=$(pw_json_num "$PW_JSON" hook_runs)
	inc=$(pw_json_bool "$PW_JSON" incomplete)
	grep -E '^pwtest|INCOMPLETE' /tmp/hrm.out
	echo "try $tries: pinwatch exit $rc, hook_runs ${runs:-?}, incomplete ${inc:-?}, findings [$got], vmstat +$da +$dr"
	[ "$da" = $want ] && [ "$dr" = $want ] || pw_fail "try $tries: vmstat +$da +$dr, expected +$want +$want"
	case "$runs" in ''|*[!0-9]*) pw_fail "try $tries: no hook_runs in the JSON report"; continue ;; esac
	if [ "$runs" -gt 0 ]; then
		missed=1
		[ "$inc" = true ] || pw_fail "try $tries: $runs hook runs missed but the report is not incomplete"
		[ "$rc" = 23 ] || pw_fail "try $tries: $runs hook runs missed but pinwatch run exited $rc, not 23"
		grep -q "INCOMPLETE: the kernel skipped $runs run" /tmp/hrm.out ||
			pw_fail "try $tries: the text report does not name the skipped runs"
	else
		[ "$inc" = false ] && [ "$rc" = 0 ] && [ -z "$got" ] ||
			pw_fail "try $tries: no run missed, yet exit $rc, incomplete $inc, findings [$got]"
		[ "$(pw_json_num "$PW_JSON" drift_released)" = 0 ] ||
			pw_fail "try $tries: no run missed, yet released drift $(pw_json_num "$PW_JSON" drift_released)"
	fi
done
[ $missed = 1 ] || pw_fail "no hook run was missed in $tries x $n tries (the timer never landed in pinwatch's program)"
pw_done
