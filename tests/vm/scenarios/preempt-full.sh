#!/bin/sh
# kernels: 6.1 6.12
# timeout: 420
# modes: auto
# append: preempt=full
# Full preemption (preempt=full on this boot's command line): fentry
# programs run preemptible, and one preempted mid-run makes the kernel skip
# that program for every other task on its CPU. Three tasks pin and release
# 2048-page buffers 40 times each on CPU 0. `--attach auto` must take
# kprobes for the counting hooks here and see every pin (pw_case: exact
# totals, no findings, nothing lost). Forced to fentry, pinwatch warns, and
# whatever it misses must make the report incomplete (skipped hook runs),
# never a clean report that disagrees with vmstat.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
[ -n "${PW_TRACE:-}" ] || pw_die "run it under pinwatch: preempt-full@auto"

pinwatch probe > /tmp/probe.out 2>&1
grep '^preemption:' /tmp/probe.out
grep -q '^preemption: full (.*): fentry programs run preemptible, kprobes first' /tmp/probe.out ||
	pw_fail "pinwatch probe does not report full preemption"

cat > /tmp/pw1.sh <<'EOS'
pwtest pin --api fast --pages 2048 --release batch --iters 40 >/dev/null
EOS
cat > /tmp/pw3.sh <<'EOS'
taskset -c 0 sh /tmp/pw1.sh & a=$!
taskset -c 0 sh /tmp/pw1.sh & b=$!
taskset -c 0 sh /tmp/pw1.sh & c=$!
wait $a; ra=$?; wait $b; rb=$?; wait $c; rc=$?
[ $ra = 0 ] && [ $rb = 0 ] && [ $rc = 0 ]
EOS
n=$((3 * 2048 * 40))

pw_case --wait 10 three-on-cpu0-auto $n $n -- sh /tmp/pw3.sh
for s in pin_user_pages_fast unpin_user_pages; do
	a=$(pw_json "$PW_JSON" ".attach[\"$s\"]")
	[ "$a" = kprobe ] || pw_fail "auto attached $s with $a"
done

# forced fentry: a loss is allowed, a silent one is not; pinwatch's reading
# of the kernel counters must be the scenario's own (pw_run_counted)
PW_CASES=$((PW_CASES + 1))
mode=$PW_TRACE PW_TRACE=fentry
pw_run_counted /tmp/fe.out sh /tmp/pw3.sh
rc=$PW_RC PW_TRACE=$mode
[ "$PW_DA" = $n ] && [ "$PW_DR" = $n ] || pw_fail "three-on-cpu0-fentry: vmstat +$PW_DA +$PW_DR, expected +$n +$n"
grep -q 'warning: this kernel preempts in the kernel (full, from ' /tmp/fe.out ||
	pw_fail "three-on-cpu0-fentry: no warning about fentry under full preemption"
runs=$(pw_json_num "$PW_JSON" hook_runs)
dacq=$(pw_json_num "$PW_JSON" drift_acquired)
drel=$(pw_json_num "$PW_JSON" drift_released)
inc=$(pw_json_bool "$PW_JSON" incomplete)
echo "three-on-cpu0-fentry: pinwatch exit $rc, hook_runs $runs, drift $dacq $drel, incomplete $inc"
if [ "$dacq" != 0 ] || [ "$drel" != 0 ] || [ "$rc" != 0 ]; then
	[ "$inc" = true ] && [ "${runs:-0}" -gt 0 ] && [ "$rc" = 23 ] ||
		pw_fail "three-on-cpu0-fentry: lost pins (drift $dacq $drel, exit $rc) but the report is not incomplete with skipped hook runs"
fi
pw_done
