#!/bin/bash
# Host side of `make bench` (bench/bench.mk builds first). Boots one VM per
# kernel running bench/bench.sh (both kernels at once: each VM is one
# single-threaded TCG process, one host core each), then, with BENCH_SCALE=1,
# one 6 GiB VM per kernel running bench/scale.sh, then bench/report.sh.
# Env: PW_OUT (build dir), BENCH_KERNELS, BENCH_ROUNDS, BENCH_SCALE, BENCH_APPEND
#      (extra guest kernel args, e.g. pw.bench_modes=untraced,walkfloor),
#      BENCH_DIR (VM dirs and logs; default $PW_OUT/bench).
set -u
top=$(cd "$(dirname "$0")/.." && pwd); cd "$top" || exit 2
ob=${PW_OUT:-build}; d=${BENCH_DIR:-$ob/bench}; mkdir -p "$d"
ks=${BENCH_KERNELS:-6.1 6.12}
bt=$(command -v bpftrace) || echo "bench: no bpftrace on the host: that mode will report not ready" >&2

vm() {   # vm KERNEL SCENARIO EXTRA-ENV...
	local v=$1 s=$2; shift 2
	env "$@" PW_OUT="$ob" PW_VM_DIR="$d/vm-$s-$v" PW_VM_NOBUILD=1 PW_RESULTS="$d/results.txt" \
		tests/vm/run-vm.sh "$v" "bench/$s.sh" > "$d/$s-$v.log" 2>&1
}
rm -f "$d/results.txt"
# Other VMs on the host share its cores with these TCG guests: say so in the report.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
pids=
for v in $ks; do
	vm "$v" bench PW_VM_EXTRA_BINS="$ob/bench/floor $ob/bench/walkfloor $bt" \
		PW_VM_APPEND="pw.bench_rounds=${BENCH_ROUNDS:-7} ${BENCH_APPEND:-}" & pids="$pids $!"
done
wait $pids
if [ "${BENCH_SCALE:-1}" = 1 ]; then
	pids=
	for v in $ks; do vm "$v" scale PW_VM_MEM=6G & pids="$pids $!"; done
	wait $pids
fi
for v in $ks; do cat "$d/bench-$v.log"; [ -f "$d/scale-$v.log" ] && grep -E 'SCALE|PASS|FAIL' "$d/scale-$v.log"; done |
	grep -vE '^ +(PROF|BENCHMAP) '
BENCH_NOTE="host load average (1/5/15 min) before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg) (${BENCH_DIR:-$ob/bench})" \
	bench/report.sh "$d"/vm-*/results.norm
