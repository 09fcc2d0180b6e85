#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 1800
# Guest side of `make bench`'s scale run (bench/run.sh boots it with 6 GiB):
# pinwatch serve (its mirror covers every pfn of the VM) while 1M 4 KiB pages (4 GiB) are
# pinned at once; the textfile must show them all mirrored and no drops.
# The test module caps one request at 64 MiB, so 64 pwtest processes each
# park 16384 pages (release never; the pins outlive the process), then
# release-leaked unpins all of them.
# Lines: SCALE <kver> <key> <value>
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
N=64; PAGES=16384   # 64 x 64 MiB = 1048576 pages
prom=/tmp/pw.prom
metric() { sed -n "s/^$1 \([0-9.e+]*\)$/\1/p" "$prom" | head -n1; }
# wait for a textfile written after now (the snapshot of 1M entries takes a while)
fresh() { rm -f "$prom"; i=0; while [ ! -s "$prom" ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done; }

pinwatch serve --attach fentry --interval 10s --textfile "$prom" > /tmp/tr.out 2>&1 &
pw=$!
i=0; while ! grep -q writing /tmp/tr.out && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
cat /tmp/tr.out
bpftool map show | grep -A1 ' name mirror ' | sed "s/^/SCALE $PW_KVER map /"
pw_vmstat; a0=$PW_ACQ
t0=$(cut -d' ' -f1 /proc/uptime)
k=0
while [ $k -lt $N ]; do
	pwtest pin --api fast --release never --pages $PAGES > /tmp/pin.out 2>&1 || { cat /tmp/pin.out; pw_die "pin round $k failed"; }
	k=$((k + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
pw_vmstat
echo "SCALE $PW_KVER pinned_by_vmstat $((PW_ACQ - a0))"
echo "SCALE $PW_KVER pin_seconds $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
fresh
for m in pinwatch_mirror_folios pinwatch_mirror_capacity_folios; do echo "SCALE $PW_KVER $m $(metric $m)"; done
grep '^pinwatch_dropped_total' "$prom" | sed "s/^/SCALE $PW_KVER /"
grep '^pinwatch_pinned_pages' "$prom" | sed "s/^/SCALE $PW_KVER /"
grep MemAvailable /proc/meminfo | sed "s/^/SCALE $PW_KVER /"
pwtest release-leaked | sed "s/^/SCALE $PW_KVER /"
fresh
echo "SCALE $PW_KVER after_release_mirror_folios $(metric pinwatch_mirror_folios)"
grep '^pinwatch_dropped_total' "$prom" | sed "s/^/SCALE $PW_KVER after_release /"
kill -INT $pw; wait $pw
pw_done
