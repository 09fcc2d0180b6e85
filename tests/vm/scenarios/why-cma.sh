#!/bin/sh
# kernels: 7.3
# timeout: 480
# memory: 2560M
# append: hugetlb_cma=1G nokaslr
# A CMA allocation that fails on pinned pages, on the kernel of the matrix
# with CONFIG_CMA (Debian's 6.1 and 6.12 cloud kernels have none): 1 GiB
# hugepages come from a 1 GiB CMA area (hugetlb_cma=1G, cma_alloc ->
# alloc_contig_range; nokaslr: a kernel placed at random can take the one
# 1 GiB-aligned gigabyte the area needs). The test module pins 64 MiB at a time until some of
# its short-term pins sit in the area (`why --cma hugetlb0` says, from the
# kernel's own cma_areas[]); asking for the hugepage then fails. Live mode
# reports the failure as it happens, as a CMA allocation, with the first busy
# pfn and the module's pins from there on, and `why` on that pfn names the
# same holder. After the release the hugepage is allocated and nothing is
# reported.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
nr=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
[ -w $nr ] || pw_die "no 1 GiB hugepages on this kernel/CPU ($nr)"
[ -d /sys/kernel/mm/cma/hugetlb0 ] || pw_die "no CMA area hugetlb0 (hugetlb_cma=1G)"
pw_load_module

pinwatch why --cma hugetlb0 --json /tmp/area.json >/tmp/area.txt 2>&1; rc=$?
head -n 1 /tmp/area.txt
pw_check "why --cma: exit 0, nothing held yet" [ "$rc" = 0 ]
pw_check "why --cma: the area's 1 GiB" grep -q "(CMA area hugetlb0, 1.0 GiB)" /tmp/area.txt

pw_live_start /tmp/live.out --attach "$mode" --interval 1s ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live.out)"
pw_pin_until_in "the CMA area" /tmp/area.json --cma hugetlb0

echo 1 > $nr
pw_check "the hugepage is refused while pins sit in the CMA area" [ "$(cat $nr)" = 0 ]
pw_blocked_event /tmp/live.out "CMA allocation"
pw_check "live: the failed CMA allocation, with its first busy pfn" [ -n "$PW_BUSY" ]
pw_check_blocked_by_module /tmp/live.out
kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID

pwtest release-leaked >/dev/null || pw_fail "release-leaked"
pw_live_start /tmp/live2.out --attach "$mode" --interval 1s ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live2.out)"
echo 1 > $nr
sleep 2
kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID
pw_check "released: the hugepage is allocated" [ "$(cat $nr)" = 1 ]
pw_check "released: nothing reported as blocked" [ -z "$(grep 'blocked:' /tmp/live2.out)" ]
echo 0 > $nr
pw_done
