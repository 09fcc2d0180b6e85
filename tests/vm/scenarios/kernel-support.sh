#!/bin/sh
# kernels: 5.10 6.1 6.12 6.18 7.3 7.3-rt
# timeout: 600
# modes: auto
# Does pinwatch start on this kernel, and does `probe` say what `run` does?
# Above the floor (Linux 5.17: bpf_loop), `probe` loads and attaches the real
# programs in each attach plan and prints the verifier's work on each: every
# program must stay under a quarter of the verifier's 1M-instruction limit,
# so the next kernel's verifier has room (7.3's took a release walk from
# 10k to past 1M). The figures are printed as "verifier KERNEL PLAN PROG N"
# lines, which tests/vm/verifier-table.sh gathers into
# bench/results/verifier.md. Below the floor, `probe` and `run` both exit 77
# with one line naming what the kernel lacks and the version that has it.
. "${PW_LIB:-/pw/lib.sh}"
floor="5.10"	# the matrix's kernels below pinwatch's floor
budget=250000

case " $floor " in
*" $PW_KVER "*)
	PW_CASES=$((PW_CASES + 1))
	pinwatch probe > /tmp/probe.out 2> /tmp/probe.err; prc=$?
	pinwatch run --json /tmp/r.json -- true > /tmp/run.out 2> /tmp/run.err; rrc=$?
	cat /tmp/probe.err /tmp/run.err
	want="the kernel lacks BPF task storage (Linux 5.11), bpf_for_each_map_elem (Linux 5.13), bpf_loop (Linux 5.17); pinwatch needs Linux 5.17 or later"
	[ "$prc" = 77 ] || pw_fail "probe: exit $prc, want 77"
	[ "$rrc" = 77 ] || pw_fail "run: exit $rrc, want 77"
	[ "$(wc -l < /tmp/run.err)" = 1 ] || pw_fail "run: $(wc -l < /tmp/run.err) lines on stderr, want 1"
	grep -qxF "pinwatch: cannot trace pins on kernel $(uname -r): $want (details: pinwatch probe)" /tmp/run.err ||
		pw_fail "run: stderr is not the one line naming the missing features"
	grep -qxF "cannot trace: $want" /tmp/probe.out || pw_fail "probe: no 'cannot trace' line naming the missing features"
	grep -q '^plan: traceable' /tmp/probe.out && pw_fail "probe says traceable"
	[ -e /tmp/r.json ] && pw_fail "run left a report behind on a kernel it refused"
	pw_done ;;
esac

# probe in each plan: exit 0, "plan: traceable", every program under budget
for plan in auto fentry kprobe; do
	PW_CASES=$((PW_CASES + 1))
	pinwatch probe --attach "$plan" > /tmp/probe.out 2> /tmp/probe.err; rc=$?
	[ "$rc" = 0 ] || { pw_fail "probe --attach $plan: exit $rc: $(head -c 400 /tmp/probe.err)"; continue; }
	tail -n 1 /tmp/probe.out | grep -qx 'plan: traceable' || pw_fail "probe --attach $plan: last line is not 'plan: traceable'"
	n=$(sed -n 's/^programs: \([0-9]*\) loaded.*/\1/p' /tmp/probe.out)
	# the program lines: "  NAME INSNS PCT%" between "programs:" and the verdict
	sed -n '/^programs:/,/^plan:/p' /tmp/probe.out | awk 'NF == 3 && $3 ~ /%$/' > /tmp/progs
	[ -n "$n" ] && [ "$n" -ge 20 ] || pw_fail "probe --attach $plan: '${n:-no}' programs loaded"
	[ "$(wc -l < /tmp/progs)" = "$n" ] || pw_fail "probe --attach $plan: $n programs but $(wc -l < /tmp/progs) figures"
	while read -r name insns pct; do
		echo "verifier $PW_KVER $plan $name $insns"
		[ "$insns" -gt 0 ] || pw_fail "$plan $name: no verifier figure ($insns)"
		[ "$insns" -lt "$budget" ] || pw_fail "$plan $name: $insns instructions processed, budget $budget"
	done < /tmp/progs
done

# run agrees with probe: a pin and an unpin, counted exactly
pw_case --wait 1 support-pvm 16 16 -- pwtest pvm --pages 16 --iters 1
pw_done
