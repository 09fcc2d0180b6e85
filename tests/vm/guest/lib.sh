# pinwatch guest helpers, sourced by every scenario (busybox sh):
#     . "${PW_LIB:-/pw/lib.sh}"
# Environment from /init: PW_KVER (6.1|6.12), PW_KMOD, PW_DISK, PW_SCENARIO.
#
# The core is pw_case: run ONE workload command and assert the deltas of
# /proc/vmstat nr_foll_pin_acquired / nr_foll_pin_released it caused:
#     pw_case [--wait SECS] [--xfail] NAME EXP_ACQ EXP_REL -- CMD ARGS...
# (--xfail: the command is expected to exit non-zero, e.g. a rejected request)
# prints
#     case NAME: CMD ARGS...
#     <the command's own one-line output>
#     vmstat: acquired +A released +R (expected +EA +ER)
#     ok NAME            or      FAIL NAME: ...
# A failed case is counted and the scenario goes on; pw_done (last line of
# every scenario) exits non-zero if any case failed.
#
# Hooks for the tracer (the lead extends these):
#   - PW_CASE is exported as NAME while the workload runs.
#   - The workload is started by pw_workload NAME CMD...; by default it runs
#     ${PW_WRAP} CMD... , so PW_WRAP="pinwatch run --json /tmp/x.json --" (or a
#     redefined pw_workload function) runs the same command under the tracer.
#   - pw_case_hook_after NAME RC is called after the vmstat check (no-op
#     by default) for extra assertions, e.g. on the tracer's JSON.

PW_KVER=${PW_KVER:-$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')}
PW_KMOD=${PW_KMOD:-/pw/kmod/pinwatch_test.ko}
PW_DISK=${PW_DISK:-/dev/vda}
PW_WAIT=${PW_WAIT:-3}          # default seconds to wait for lagging counters
PW_FAILS=0
PW_CASES=0
PW_ACQ=0
PW_REL=0

pw_log() { echo "$*"; }

pw_fail() {
	echo "FAIL $*"
	PW_FAILS=$((PW_FAILS + 1))
}

# Abort the scenario (setup problems, not assertion failures).
pw_die() {
	echo "FAIL ${PW_SCENARIO:-scenario}: $*"
	exit 1
}

# pw_skip REASON: the scenario does not apply here; exits 0.
pw_skip() {
	echo "SKIP ${PW_SCENARIO:-scenario}: $*"
	exit 0
}

# Load pinwatch_test.ko once (idempotent) and wait for its device node.
pw_load_module() {
	if ! grep -q '^pinwatch_test ' /proc/modules; then
		[ -f "$PW_KMOD" ] || pw_die "module $PW_KMOD not found"
		insmod "$PW_KMOD" || pw_die "insmod $PW_KMOD failed"
	fi
	i=0
	while [ ! -c /dev/pinwatch_test ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -c /dev/pinwatch_test ] || pw_die "/dev/pinwatch_test did not appear"
}

# THP for the buffers pwtest asks for with --thp (MADV_HUGEPAGE); its 4 KiB
# buffers are MADV_NOHUGEPAGE, so "madvise" or "always" both work.
pw_thp() {
	mode=${1:-madvise}
	f=/sys/kernel/mm/transparent_hugepage/enabled
	[ -w $f ] || pw_die "no $f (THP not built in?)"
	echo "$mode" > $f || pw_die "cannot set THP enabled=$mode"
	# Direct compaction for madvised regions, so a 2 MiB folio is really obtained.
	echo madvise > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null
	echo "thp: enabled=$(cat $f)"
}

# pw_vmstat: refresh the per-CPU counters, set PW_ACQ / PW_REL.
pw_vmstat() {
	set -- $(pwtest vmstat) || return 1
	[ "$1" = nr_foll_pin_acquired ] && [ "$3" = nr_foll_pin_released ] || return 1
	PW_ACQ=$2
	PW_REL=$4
}

# The workload runner; redefine or set PW_WRAP to run it under the tracer.
pw_workload() {
	shift   # NAME
	${PW_WRAP:-} "$@"
}

pw_case_hook_after() { :; }

# pw_case [--wait SECS] [--xfail] NAME EXP_ACQ EXP_REL -- CMD ARGS...
pw_case() {
	wait_s=$PW_WAIT xfail=0
	while :; do
		case "$1" in
		--wait) wait_s=$2; shift 2 ;;
		--xfail) xfail=1; shift ;;
		*) break ;;
		esac
	done
	name=$1 exp_acq=$2 exp_rel=$3
	[ "$4" = -- ] || pw_die "usage: pw_case [--wait S] [--xfail] NAME EXP_ACQ EXP_REL -- CMD..."
	shift 4
	PW_CASES=$((PW_CASES + 1))
	echo "case $name: $*"
	pw_vmstat || pw_die "cannot read vmstat"
	a0=$PW_ACQ r0=$PW_REL
	PW_CASE=$name; export PW_CASE
	pw_workload "$name" "$@"
	rc=$?
	unset PW_CASE
	# Counters can lag (asynchronous releases such as io_uring ring exit);
	# poll until they match, at most wait_s seconds.
	tries=$((wait_s * 5))
	while :; do
		pw_vmstat || pw_die "cannot read vmstat"
		da=$((PW_ACQ - a0)) dr=$((PW_REL - r0))
		[ "$da" = "$exp_acq" ] && [ "$dr" = "$exp_rel" ] && break
		[ $tries -le 0 ] && break
		tries=$((tries - 1))
		sleep 0.2
	done
	echo "vmstat: acquired +$da released +$dr (expected +$exp_acq +$exp_rel)"
	if [ $xfail = 0 ] && [ $rc -ne 0 ]; then
		pw_fail "$name: command exited $rc"
	elif [ $xfail = 1 ] && [ $rc -eq 0 ]; then
		pw_fail "$name: command succeeded but was expected to fail"
	elif [ "$da" != "$exp_acq" ] || [ "$dr" != "$exp_rel" ]; then
		pw_fail "$name: vmstat deltas differ from expected"
	else
		echo "ok $name"
	fi
	pw_case_hook_after "$name" $rc
	return 0
}

# Last line of every scenario.
pw_done() {
	if [ $PW_FAILS -ne 0 ]; then
		echo "FAIL ${PW_SCENARIO:-scenario}: $PW_FAILS of $PW_CASES cases failed"
		exit 1
	fi
	echo "PASS ${PW_SCENARIO:-scenario}: $PW_CASES cases"
	exit 0
}
