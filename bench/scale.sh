#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 1800
# Guest side of `make bench`'s scale run (bench/run.sh boots it with 6 GiB):
# pinwatch serve (its mirror covers every pfn of the VM) while 1M 4 KiB pages (4 GiB) are
# pinned at once; the textfile must show them all mirrored and no drops.
# The test module caps one request at 64 MiB, so 64 pwtest processes each
# park 16384 pages (release never; the pins outlive the process), then
# release-leaked unpins all of them.
# The page scan (serve's pins-before-tracing count, `why`) is timed twice:
# at serve's start with nothing pinned, and as `why` over all of RAM with
# the 1M pages pinned, each per GiB and beside the kernel's own walk of
# every struct page (/proc/kpageflags, 8 bytes a pfn) over the same RAM:
# TCG seconds mean little on hardware, the ratio more.
# Lines: SCALE <kver> <key> <value>
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
N=64; PAGES=16384   # 64 x 64 MiB = 1048576 pages
prom=/tmp/pw.prom
metric() { sed -n "s/^$1 \([0-9.e+]*\)$/\1/p" "$prom" | head -n1; }
# wait for a textfile of a snapshot begun after now: the first one written
# after now may have been taken before (a snapshot of 1M entries takes a
# while), the second was begun after the first was written
written() { rm -f "$prom"; i=0; while [ ! -s "$prom" ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done; }
fresh() { written; written; }

pinwatch serve --attach fentry --interval 10s --textfile "$prom" > /tmp/tr.out 2>&1 &
pw=$!
i=0; while ! grep -q writing /tmp/tr.out && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
cat /tmp/tr.out
up() { cut -d' ' -f1 /proc/uptime; }
per_gib() { awk -v a="$1" -v b="$2" -v g="$3" 'BEGIN { printf "%.3f", (b - a) / g }'; }
gib=$(sed -n 's/.*scan of \([0-9.]*\) GiB in \([0-9.]*\) s.*/\1/p' /tmp/tr.out)
t=$(sed -n 's/.*scan of \([0-9.]*\) GiB in \([0-9.]*\) s.*/\2/p' /tmp/tr.out)
echo "SCALE $PW_KVER scan_gib ${gib:-?}"
[ -n "$gib" ] && echo "SCALE $PW_KVER scan_at_start_seconds_per_gib $(per_gib 0 "$t" "$gib")"
k0=$(up); dd if=/proc/kpageflags of=/dev/null bs=1M count=$(awk -v g="${gib:-1}" 'BEGIN { printf "%d", g * 2 + 0.5 }') 2>/dev/null; k1=$(up)
[ -n "$gib" ] && echo "SCALE $PW_KVER kpageflags_seconds_per_gib $(per_gib "$k0" "$k1" "$gib")"
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
pw_check "the kernel counts every pin" [ $((PW_ACQ - a0)) = $((N * PAGES)) ]
echo "SCALE $PW_KVER pin_seconds $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
fresh
for m in pinwatch_mirror_folios pinwatch_mirror_capacity_folios; do echo "SCALE $PW_KVER $m $(metric $m)"; done
grep '^pinwatch_dropped_total' "$prom" | sed "s/^/SCALE $PW_KVER /"
grep '^pinwatch_pinned_pages' "$prom" | sed "s/^/SCALE $PW_KVER /"
pw_check "the mirror holds every pinned page" [ "$(metric pinwatch_mirror_folios)" = $((N * PAGES)) ]
pw_check "no pin dropped" [ "$(metric 'pinwatch_dropped_total{what="pins"}')" = 0 ]
grep MemAvailable /proc/meminfo | sed "s/^/SCALE $PW_KVER /"
w0=$(up); pinwatch why > /tmp/why.txt 2>&1; w1=$(up)
head -n 2 /tmp/why.txt | sed "s/^/SCALE $PW_KVER why: /"
[ -n "$gib" ] && echo "SCALE $PW_KVER why_all_of_ram_1M_pinned_seconds_per_gib $(per_gib "$w0" "$w1" "$gib")"
pwtest release-leaked | sed "s/^/SCALE $PW_KVER /"
fresh
echo "SCALE $PW_KVER after_release_mirror_folios $(metric pinwatch_mirror_folios)"
pw_check "released: the mirror is empty" [ "$(metric pinwatch_mirror_folios)" = 0 ]
grep '^pinwatch_dropped_total' "$prom" | sed "s/^/SCALE $PW_KVER after_release /"
kill -INT $pw; wait $pw
pw_done
