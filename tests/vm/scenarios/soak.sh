#!/bin/sh
# kernels: 6.1 6.12
# timeout: 120
# Soak: concurrent pinners on both vCPUs mixing APIs (fast, plain, remote,
# long-term, THP, process_vm_readv, io_uring, O_DIRECT) until at least
# pw.soak_events=N pin+unpin events (kernel command line) were counted by the
# kernel, all under one `pinwatch run` (PW_TRACE): zero findings, pinwatch's
# totals exactly the vmstat deltas, no drops (pw_case and pw_check_tracer in
# lib.sh assert all three). In `make check` the short variant: 200k events;
# `make soak` runs 10 million (tests/vm/soak.mk, with a longer timeout).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise
events=$(sed -n 's/.*pw\.soak_events=\([0-9]*\).*/\1/p' /proc/cmdline)
events=${events:-200000}
I=50      # pin+release rounds per pwtest call
case "$PW_KVER" in 6.1) od=0 ;; *) od=64 ;; esac   # 6.1: O_DIRECT takes FOLL_GET refs, no pins
# pins per worker round (each is released again: events = 2 x pins)
w0=$((256 * I + 256 * I + 256 * I + 64))
w1=$((512 * I + 512 * I + 256 * I + od))
rounds=$(( (events + 2 * (w0 + w1) - 1) / (2 * (w0 + w1)) ))
pins=$((rounds * (w0 + w1)))
echo "soak: $rounds rounds x 2 workers, $pins pins + $pins unpins = $((2 * pins)) events (asked: $events)"

cat > /tmp/w0.sh <<EOS
for r in \$(seq $rounds); do
	pwtest pin --api fast --pages 256 --release unpin --iters $I &&
	pwtest pin --api plain --pages 256 --longterm --release batch --iters $I &&
	pwtest pvm --pages 256 --iters $I &&
	pwtest uring --pages 64 --hold-ms 0 || exit 1
done >/dev/null
EOS
cat > /tmp/w1.sh <<EOS
for r in \$(seq $rounds); do
	pwtest pin --api remote --pages 512 --thp --release dirty --iters $I &&
	pwtest pin --api fast --pages 512 --thp --longterm --release unpin --iters $I &&
	pwtest pin --api remote --pages 256 --release unpin --iters $I &&
	pwtest odirect --dev $PW_DISK --pages 64 || exit 1
done >/dev/null
EOS
# one worker per vCPU; the pair runs as one CMD under pinwatch
cat > /tmp/soak-workers.sh <<'EOS'
taskset -c 0 sh /tmp/w0.sh & a=$!
taskset -c 1 sh /tmp/w1.sh & b=$!
wait $a; ra=$?; wait $b; rb=$?
[ $ra = 0 ] && [ $rb = 0 ]
EOS
t0=$(date +%s)
pw_case --wait 30 soak "$pins" "$pins" -- sh /tmp/soak-workers.sh
t1=$(date +%s)
echo "soak: $((2 * pins)) events in $((t1 - t0))s"
pw_done
