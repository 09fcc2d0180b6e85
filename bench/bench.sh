#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 3300
# Guest side of `make bench` (run by bench/run.sh, never by `make check`: it
# lives outside tests/vm/scenarios). Per round, every mode in turn (A B C D E,
# A B C D E, ...): start the tracer, wait until it is attached, run every
# workload with a fixed --iters, stop it. pwtest times its own loop
# (elapsed_ns, CLOCK_MONOTONIC), so process start and buffer setup are out.
# Lines for bench/report.sh:
#   BENCH <kver> <round> <mode> <workload> <elapsed_ns>
#   BENCHMAP <kver> <mode> <map name> <type> <max_entries> <memlock bytes>
#   BENCHPFN <kver> <page frames of RAM: the highest pfn, as pinwatch sizes its mirror>
#   PROF <kver> <mode> <after workload> <prog name> <run_cnt> <run_time_ns>  (cumulative)
. "${PW_LIB:-/pw/lib.sh}"
R=$(sed -n 's/.*pw\.bench_rounds=\([0-9]*\).*/\1/p' /proc/cmdline); R=${R:-7}
# floor-folio: empty hooks on the per-folio primitives instead (try_grab_*,
# gup_put_folio), the least any per-folio design pays: a reference row
MODES="untraced pinwatch serve floor floor-folio bpftrace"
WORKLOADS="pin_unpin_4k pin_unpin_thp process_vm_readv odirect io_uring_register"
# pw.bench_modes=a,b / pw.bench_workloads=a,b: a subset, for profiling by hand
# (extra modes: walkfloor, walkfloor-read: the plainest per-page mirror, a reference point)
m=$(sed -n 's/.*pw\.bench_modes=\([^ ]*\).*/\1/p' /proc/cmdline); [ -n "$m" ] && MODES=$(echo "$m" | tr , ' ')
m=$(sed -n 's/.*pw\.bench_workloads=\([^ ]*\).*/\1/p' /proc/cmdline); [ -n "$m" ] && WORKLOADS=$(echo "$m" | tr , ' ')
# untraced time of one workload run (TCG); pw.bench_target_ns= to change it
TARGET_NS=$(sed -n 's/.*pw\.bench_target_ns=\([0-9]*\).*/\1/p' /proc/cmdline); TARGET_NS=${TARGET_NS:-400000000}
pw_load_module
pw_thp madvise
ip link set lo up 2>/dev/null   # serve listens on 127.0.0.1

# 512-page batches (a), 1 MiB = 256 pages for (b)-(d)
wl() {
	case $1 in
	pin_unpin_4k)  pwtest pin --api fast --release batch --pages 512 --iters "$2" --time ;;
	pin_unpin_thp) pwtest pin --api fast --release batch --pages 512 --thp --iters "$2" --time ;;
	process_vm_readv) pwtest pvm --pages 256 --iters "$2" --time ;;
	odirect) pwtest odirect --dev "$PW_DISK" --pages 256 --iters "$2" --time ;;
	io_uring_register) pwtest uring --pages 256 --iters "$2" --time ;;
	esac
}
ns_of() { sed -n 's/.*elapsed_ns=\([0-9]*\).*/\1/p'; }

# FOLL_PIN for the bpftrace filter: an enum in BTF since 6.3, a #define (0x40000) before
FP=$(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | sed -n "s/.*'FOLL_PIN' val=\([0-9]*\).*/\1/p" | head -n1)
FP=${FP:-262144}
echo "FOLL_PIN=$FP"

# The bpftrace script a user would write: pins per folio (+= refs at a
# successful grab, with the kernel stack), -= at gup_put_folio, delete at 0.
# Same hooks as pinwatch's grab/release side; 6.10 changed try_grab_folio.
if [ "$PW_KVER" = 6.1 ]; then
	cat > /tmp/pins.bt <<BT
kretfunc:try_grab_folio /retval != 0 && (args->flags & $FP)/ {
	\$f = (uint64)retval; @pins[\$f] += args->refs; @stk[\$f] = kstack; }
kretfunc:try_grab_page /retval && (args->flags & $FP)/ {
	\$p = (uint64)args->page; \$h = *(uint64 *)(\$p + 8);   // page->compound_head
	\$f = (\$h & 1) ? \$h - 1 : \$p; @pins[\$f] += 1; @stk[\$f] = kstack; }
BT
else
	cat > /tmp/pins.bt <<BT
kretfunc:try_grab_folio_fast /retval != 0 && (args->flags & $FP)/ {
	\$f = (uint64)retval; @pins[\$f] += args->refs; @stk[\$f] = kstack; }
kretfunc:try_grab_folio /retval == 0 && (args->flags & $FP)/ {
	\$f = (uint64)args->folio; @pins[\$f] += args->refs; @stk[\$f] = kstack; }
BT
fi
cat >> /tmp/pins.bt <<BT
kfunc:gup_put_folio /args->flags & $FP/ {
	\$f = (uint64)args->folio; @pins[\$f] -= args->refs;
	if ((int64)@pins[\$f] <= 0) { delete(@pins[\$f]); delete(@stk[\$f]); } }
BEGIN { printf("bench: ready\n"); }
BT

TRPID=
start_mode() {
	: > /tmp/tr.out; TRPID=
	case $1 in
	untraced) return 0 ;;
	pinwatch) pinwatch --attach fentry > /tmp/tr.out 2>&1 & pat='Ctrl-C' ;;
	serve) pinwatch serve --attach fentry > /tmp/tr.out 2>&1 & pat='serving' ;;
	floor) floor > /tmp/tr.out 2>&1 & pat='floor: attached' ;;
	floor-folio) floor --per-folio > /tmp/tr.out 2>&1 & pat='floor: attached' ;;
	walkfloor) walkfloor > /tmp/tr.out 2>&1 & pat='walkfloor: attached' ;;
	walkfloor-read) walkfloor --read-page > /tmp/tr.out 2>&1 & pat='walkfloor: attached' ;;
	bpftrace) bpftrace -B line /tmp/pins.bt > /tmp/tr.out 2>&1 & pat='bench: ready' ;;
	esac
	TRPID=$!; i=0
	while ! grep -q "$pat" /tmp/tr.out; do
		if ! kill -0 "$TRPID" 2>/dev/null || [ $i -gt 3000 ]; then
			echo "BENCHERR $PW_KVER $1 not ready:"; cat /tmp/tr.out; kill "$TRPID" 2>/dev/null
			TRPID=; return 1
		fi
		sleep 0.1; i=$((i + 1))
	done
	echo "ready $1 after ~$((i / 10))s: $(grep -m1 "$pat" /tmp/tr.out | cut -c1-200)"
}
stop_mode() {
	[ -n "$TRPID" ] || return 0
	kill -INT "$TRPID"
	# a tracer that does not exit within 60 s (seen once with bpftrace on
	# 6.12: the guest went idle in its exit) is killed, and said so
	i=0; while kill -0 "$TRPID" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$TRPID" 2>/dev/null && { echo "BENCHERR $PW_KVER $1 did not exit in 60s after SIGINT: SIGKILL"; kill -KILL "$TRPID"; }
	wait "$TRPID"
	# pinwatch's report: its totals/drops show the tracer kept up
	grep -E -A2 '==pinwatch==|dropped|SUMMARY|pins acquired' /tmp/tr.out | head -n 12 | sed "s/^/  $1: /"
}
run_all() {   # run_all MODE ROUND
	for w in $WORKLOADS; do
		eval it=\$IT_$w
		ns=$(wl "$w" "$it" | ns_of)
		echo "BENCH $PW_KVER $2 $1 $w ${ns:-NA}"
	done
}

# Calibrate --iters once, untraced: TARGET_NS per run (>= 5 iterations).
for w in $WORKLOADS; do
	ns=$(wl "$w" 20 | ns_of)
	[ -n "$ns" ] || { wl "$w" 1; pw_die "workload $w failed"; }
	it=$(awk -v n="$ns" -v t="$TARGET_NS" 'BEGIN { i = int(20 * t / n); print i < 5 ? 5 : i }')
	eval IT_$w=$it; echo "calibrate $w: 20 iters $ns ns -> $it iters"
done

# what pinwatch's mirror covers by default: every zone's end (src/tracer.c)
awk -v k="$PW_KVER" '/^ +spanned/ { sp = $2 } /^ +start_pfn:/ { e = $2 + sp; if (e > m) m = e }
	END { print "BENCHPFN", k, m }' /proc/zoneinfo
r=1
while [ $r -le "$R" ]; do
	for m in $MODES; do
		start_mode "$m" || continue
		if [ $r = 1 ] && [ "$m" != untraced ]; then   # map memory, once per tracer
			bpftool map show | awk -v k="$PW_KVER" -v m="$m" '
				/^[0-9]+:/ { type = $2; name = ""; for (i = 3; i < NF; i++) if ($i == "name") name = $(i + 1) }
				/max_entries/ { for (i = 1; i < NF; i++) { if ($i == "max_entries") mx = $(i + 1); if ($i == "memlock") ml = $(i + 1) }
					sub(/B$/, "", ml); print "BENCHMAP", k, m, name, type, mx, ml }'
		fi
		run_all "$m" "$r"
		stop_mode "$m"
	done
	r=$((r + 1))
done

# Profile pass (not timed): per-program run_cnt/run_time_ns with bpf_stats on.
echo 1 > /proc/sys/kernel/bpf_stats_enabled
for m in $(echo "$MODES" | sed "s/untraced//; s/serve//"); do
	start_mode "$m" || continue
	for w in $WORKLOADS; do
		eval it=\$IT_$w
		wl "$w" "$it" > /dev/null
		bpftool prog show | awk -v k="$PW_KVER" -v m="$m" -v w="$w" '
			/run_time_ns/ { n = ""; t = ""; c = ""
				for (i = 1; i < NF; i++) { if ($i == "name") n = $(i + 1); if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) }
				print "PROF", k, m, w, n, c, t }'
	done
	stop_mode "$m"
done
echo 0 > /proc/sys/kernel/bpf_stats_enabled
pw_done
