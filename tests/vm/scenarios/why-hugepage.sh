#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 480
# memory: 2560M
# append: nokaslr
# A runtime 1 GiB hugepage that pinned pages refuse, without CMA: the kernel
# looks for a free gigabyte with alloc_contig_pages(), which tries every
# 1 GiB-aligned range lying whole in one zone and, in each, migrates what is
# there (alloc_contig_range). With 2560 MiB of RAM there is one: pfns
# 0x40000-0x7ffff of DMA32 (nokaslr: the kernel stays low). The hugepage is
# allocated first, with nothing pinned: the range is free of the kernel's own
# pages. While it is held, 64 MiB of page tables are taken and freed
# (pwtest unmovable): the kernel's later allocations find free unmovable
# pages and do not claim a pageblock of the freed gigabyte, the largest free
# block; one kernel page there refuses the range at isolation, before any
# migration, with no busy pfn to report. The test module loads and live mode
# allocates its maps meanwhile too. Then the hugepage is freed and the module
# pins 64 MiB at a time until some of its short-term pins sit in that
# gigabyte; asking for the hugepage fails, live mode reports it as a gigantic
# hugepage allocation with the first busy pfn and the module's pins, and
# `why` on that pfn names the same holder. After the release the hugepage is
# allocated and nothing more is reported. Each request first drains the
# per-CPU LRU batches (drop_caches calls lru_add_drain_all): a page still in
# one is neither on an LRU list nor movable to the isolation check, which
# refuses the range the same way. Such a refusal is transient, so a request
# that meets one is asked again, up to 5 times; proactive compaction and THP
# are off meanwhile (they take pages off the LRU).
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
nr=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
[ -w $nr ] || pw_die "no 1 GiB hugepages on this kernel/CPU ($nr)"
[ -d /sys/kernel/mm/cma/hugetlb0 ] && pw_die "a hugetlb CMA area: this is why-cma's case"
# a hugetlb page of any size in the gigabyte makes the kernel skip it untried
for f in /sys/kernel/mm/hugepages/*/nr_hugepages; do
	[ "$(cat "$f")" = 0 ] || pw_die "hugepages already allocated ($f: $(cat "$f"))"
done
gb_start=$((0x40000)); gb_end=$((0x80000))
# the one candidate gigabyte: inside DMA32, and no Normal zone with pages
awk -v a=$gb_start -v b=$gb_end '
	/^Node .* zone/ { z = $4 } $1 == "start_pfn:" { s = $2 } $1 == "spanned" { e = s + $2 }
	$1 == "present" && $2 > 0 { if (z == "DMA32" && s <= a && e >= b) ok = 1; if (z == "Normal") bad = 1 }
	END { exit !(ok && !bad) }' /proc/zoneinfo ||
	pw_die "RAM is not laid out as the scenario needs (one 1 GiB candidate in DMA32): $(grep -A6 '^Node' /proc/zoneinfo | grep -E 'zone|start_pfn|spanned')"
# Nothing but the test moves pages meanwhile: kcompactd's proactive
# compaction and khugepaged take pages off the LRU while they migrate or
# collapse them, and compaction moves pages into the free gigabyte.
proactive=$(cat /proc/sys/vm/compaction_proactiveness 2>/dev/null || echo)
thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled)
trap '[ -n "$proactive" ] && echo "$proactive" > /proc/sys/vm/compaction_proactiveness
      echo "$thp" > /sys/kernel/mm/transparent_hugepage/enabled' EXIT
[ -n "$proactive" ] && echo 0 > /proc/sys/vm/compaction_proactiveness
pw_thp never
ask() { echo 1 > /proc/sys/vm/drop_caches; echo 1 > $nr; [ "$(cat $nr)" = 1 ]; }
events() { grep -c '^[0-9:]* blocked: ' /tmp/live.out; }	# live events, not the report
busy_event='^[0-9:]* blocked: .* failed at pfn '	# an event with a busy pfn
ask || pw_die "no 1 GiB hugepage even with nothing pinned: the kernel's own pages sit in the gigabyte"
pwtest unmovable --pages 16384 || pw_die "pwtest unmovable"
pw_load_module
pw_live_start /tmp/live.out --attach "$mode" --interval 1s ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live.out)"
echo 0 > $nr
pw_pin_until_in "the gigabyte" /tmp/gb.json --pfn $gb_start-$((gb_end - 1))
echo "in the gigabyte: $(jq -c '{kernel_pages, transient_pages}' /tmp/gb.json)"

n=0	# pw_wait_for counts in $i
until ask || pw_wait_for /tmp/live.out "$busy_event" 10 || [ $n -ge 4 ]; do n=$((n + 1)); done
echo "asked $((n + 1)) times"
if ! grep -q "$busy_event" /tmp/live.out; then
	# refused with no busy pfn: what sits in the gigabyte, LRU batches drained
	echo 1 > /proc/sys/vm/drop_caches
	pinwatch why --pfn $gb_start-$((gb_end - 1)) --json /tmp/gb2.json >/dev/null 2>&1
	echo "no busy pfn; in the gigabyte: $(jq -c '{pinned_pages, kernel_pages, transient_pages, free_pages}' /tmp/gb2.json)"
fi
pw_check "the hugepage is refused while pins sit in the gigabyte" [ "$(cat $nr)" = 0 ]
pw_blocked_event /tmp/live.out "gigantic hugepage allocation"
pw_check "live: the failed hugepage allocation of the gigabyte, with its first busy pfn" \
	[ "$PW_EV_START-$PW_EV_END${PW_BUSY:+ busy}" = "$(printf '%#x-%#x busy' $gb_start $((gb_end - 1)))" ]
pw_check_blocked_by_module /tmp/live.out "$(jq .pinned_pages /tmp/gb.json)"
pw_check "live: nothing else reported as blocked" \
	[ -z "$(grep 'blocked:' /tmp/live.out | grep -v 'gigantic hugepage allocation')" ]

ev=$(events)
pwtest release-leaked >/dev/null || pw_fail "release-leaked"
n=0
while ! ask && [ $n -lt 4 ]; do sleep 1; n=$((n + 1)); done
sleep 2
kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID
pw_check "released: the hugepage is allocated" [ "$(cat $nr)" = 1 ]
pw_check "released: nothing more reported as blocked" [ "$(events)" = "$ev" ]
echo 0 > $nr
pw_done
