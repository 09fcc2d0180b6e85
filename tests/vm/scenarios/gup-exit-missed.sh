#!/bin/sh
# kernels: 6.1 6.12
# timeout: 300
# modes: kprobe
# A GUP call whose exit hook never runs: a kretprobe has maxactive
# instances (10 on these 2-vCPU guests), and a call made while they are all
# taken by threads asleep inside the function returns unseen (6.7+ counts it
# as the kprobe's miss, 6.1 not at all). Its pins are lost, and the report
# must say so (gup_exits, incomplete); but the thread's slot must not stay
# "inside GUP", which would lose every later pin of that thread as nested
# and take its unpins for GUP's rollback. pinwatch finds the stale slot at
# the thread's next call or unpin: a hook at or above the entry's stack
# pointer cannot run inside that call. 24 threads pin a page of the test
# device's mapping at once, each fault sleeping 500 ms, then 64 pages each
# from the same call chain. Every pin not mirrored must belong to a call
# whose exit was found missed (6.12 recycles a kretprobe's instances late,
# so some of the 64-page calls miss theirs too, each counted), and under
# 6.7+ each miss the kernel counted must be found, no more.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
[ "${PW_TRACE:-}" = kprobe ] || pw_die "run it under kprobes: gup-exit-missed@kprobe"
p=/sys/module/pinwatch_test/parameters/fault_sleep_ms
[ -w $p ] || pw_die "no $p"

PW_CASES=1
echo 500 > $p
pw_run_counted /tmp/gem.out pwtest gup-threads --threads 24 --pages 64
echo 0 > $p
lost=$(pw_json_num "$PW_JSON" gup_exits)
runs=$(pw_json_num "$PW_JSON" hook_runs)
inc=$(pw_json_bool "$PW_JSON" incomplete)
acq=$(pw_json_num "$PW_JSON" pins_acquired)
dacq=$(pw_json_num "$PW_JSON" drift_acquired)
grep -E '^pwtest|^gup-threads|INCOMPLETE' /tmp/gem.out
echo "pinwatch exit $PW_RC, gup_exits ${lost:-?}, hook_runs ${runs:-?}, incomplete ${inc:-?}, pins_acquired ${acq:-?}," \
	"drift_acquired ${dacq:-?}, findings [$PW_FOUND], vmstat +$PW_DA +$PW_DR"
want=$((24 + 24 * 64))
grep -q "^gup-threads threads=24 pages=64 pinned=$want\$" /tmp/gem.out || pw_fail "the workload failed"
[ "$PW_DA" = $want ] && [ "$PW_DR" = $want ] || pw_fail "vmstat +$PW_DA +$PW_DR, expected +$want +$want"
case "$lost$dacq$acq" in ''|*[!0-9-]*) pw_die "no gup_exits/drift_acquired/pins_acquired in the JSON report" ;; esac
# more sleepers than instances: some exits were missed, and the report says so
[ "$lost" -ge 1 ] || pw_fail "no GUP exit found missed (24 threads asleep in GUP at once)"
[ "$inc" = true ] && [ "$PW_RC" = 23 ] || pw_fail "exits missed, yet incomplete $inc, exit $PW_RC (want true, 23)"
grep -q "INCOMPLETE: the exits of $lost GUP call" /tmp/gem.out || pw_fail "the text report does not name the lost exits"
# the pins not mirrored are those of the lost calls: 1 or 64 each
[ "$((acq + dacq))" = $want ] && [ "$dacq" -ge "$lost" ] && [ "$dacq" -le $((lost * 64)) ] ||
	pw_fail "pins lost beyond the lost calls: pins_acquired $acq, drift_acquired $dacq, $lost calls lost"
# 6.1 counts no kprobe misses (hook_runs 0); 6.7+ counts each one, found once
case "$PW_KVER" in 6.1) want_runs=0 ;; *) want_runs=$lost ;; esac
[ "$runs" = "$want_runs" ] || pw_fail "the kernel counted $runs missed runs, want $want_runs (pinwatch found $lost lost)"
# no bug is reported for a correct driver (unpins of unmirrored pins are preexisting notes)
case " $PW_FOUND " in *leak:*|*put_instead_of_unpin:*|*unpin_without_pin:*|*unpin_of_get*) pw_fail "findings [$PW_FOUND]" ;; esac
pw_done
