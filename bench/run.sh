#!/bin/bash
# Host side of `make bench` (bench/bench.mk builds first). Boots one VM per
# kernel running bench/bench.sh (both kernels at once: each VM is one
# single-threaded TCG process, one host core each); with BENCH_ICOUNT=1 the
# same again under `-icount` (below); with BENCH_SCALE=1 one 6 GiB VM per
# kernel running bench/scale.sh; then bench/report.sh for each clock.
# Env: PW_OUT (build dir), BENCH_KERNELS, BENCH_ROUNDS, BENCH_ICOUNT,
#      BENCH_ICOUNT_ROUNDS, BENCH_SCALE, BENCH_APPEND (extra guest kernel args,
#      e.g. pw.bench_modes=untraced,walkfloor), BENCH_DIR (VM dirs and logs;
#      default $PW_OUT/bench).
set -u
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top" || exit 2
ob=${PW_OUT:-build}; d=${BENCH_DIR:-$ob/bench}; mkdir -p "$d"
ks=${BENCH_KERNELS:-6.1 6.12 7.3}; export BENCH_KERNELS="$ks"
bt=$(command -v bpftrace) || echo "bench: no bpftrace on the host: that mode will report not ready" >&2

vm() {   # vm DIR KERNEL SCENARIO EXTRA-ENV...
	local o=$1 v=$2 s=$3; shift 3
	mkdir -p "$o"
	env "$@" PW_OUT="$ob" PW_VM_DIR="$o/vm-$s-$v" PW_VM_NOBUILD=1 PW_RESULTS="$o/results.txt" \
		tests/vm/run-vm.sh "$v" "bench/$s.sh" > "$o/$s-$v.log" 2>&1
}
benchvms() {   # benchvms DIR ROUNDS EXTRA-ENV...: bench.sh on every kernel at once
	local o=$1 r=$2 pids=; shift 2
	rm -rf "$o"/vm-bench-* "$o/results.txt"
	for v in $ks; do
		vm "$o" "$v" bench PW_VM_EXTRA_BINS="$ob/bench/floor $ob/bench/walkfloor $bt" \
			PW_VM_APPEND="pw.bench_rounds=$r ${BENCH_APPEND:-}" "$@" & pids="$pids $!"
	done
	wait $pids
}
# Other VMs on the host share its cores with these TCG guests: say so in the report.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
benchvms "$d" "${BENCH_ROUNDS:-7}"
load1=$(cut -d' ' -f1-3 /proc/loadavg)
# The same runs with the guest's clock counting instructions (qemu -icount
# shift=1: 2 virtual ns per guest instruction while it runs; idle time, such
# as a disk read's wait, still passes at the host's pace): a ratio of
# instructions executed, without the host's scheduling noise that spreads
# the wall-clock rounds by +-20-30 %. Another cost model (every instruction
# weighs the same, a cache miss or an atomic nothing extra), so it is
# reported beside the wall-clock table, not instead of it. One vCPU: 6.1
# never brings up a second one under -icount (it hangs in SMP bring-up);
# under single-threaded TCG two vCPUs shared one host thread anyway.
[ "${BENCH_ICOUNT:-1}" = 1 ] &&
	benchvms "$d/icount" "${BENCH_ICOUNT_ROUNDS:-3}" PW_VM_SMP=1 \
		PW_VM_QEMU_ARGS="-icount shift=1,sleep=on,align=off"
if [ "${BENCH_SCALE:-1}" = 1 ]; then
	pids=
	for v in $ks; do vm "$d" "$v" scale PW_VM_MEM=6G & pids="$pids $!"; done
	wait $pids
fi
for v in $ks; do cat "$d/bench-$v.log"; [ -f "$d/scale-$v.log" ] && grep -E 'SCALE|PASS|FAIL' "$d/scale-$v.log"; done |
	grep -vE '^ +(PROF|BENCHMAP|BENCHPFN) '
BENCH_NOTE="host load average (1/5/15 min) before: $load0; after: $load1 (${BENCH_DIR:-$ob/bench})" \
	bench/report.sh "$d"/vm-*/results.norm
if [ "${BENCH_ICOUNT:-1}" = 1 ]; then
	for v in $ks; do grep -h BENCHERR "$d/icount/bench-$v.log"; done
	BENCH_CLOCK=icount bench/report.sh "$d"/icount/vm-*/results.norm
fi
