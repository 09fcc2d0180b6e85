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
i=0
while [ $i -lt 24 ]; do
	pwtest pin --api fast --pages 16384 --release never >/dev/null || pw_die "pin workload"
	pinwatch why --cma hugetlb0 --json /tmp/area.json >/dev/null 2>&1
	[ "$(pw_json_num /tmp/area.json pinned_pages)" -gt 0 ] && break
	i=$((i + 1))
done
echo "pinned $(( (i + 1) * 64 )) MiB, $(pw_json_num /tmp/area.json pinned_pages) pages of it in the CMA area"
[ "$(pw_json_num /tmp/area.json pinned_pages)" -gt 0 ] || pw_die "no pinned page landed in the CMA area"

echo 1 > $nr
pw_check "the hugepage is refused while pins sit in the CMA area" [ "$(cat $nr)" = 0 ]
pw_wait_for /tmp/live.out '^  [a-z_]+: ' || echo "no blocked event in live mode's output within 30 s"
grep -A3 'blocked:' /tmp/live.out | head -n 20
ev=$(grep "blocked: CMA allocation of pfn 0x[0-9a-f]*-0x[0-9a-f]* by sh\[[0-9]*\] failed at pfn 0x" /tmp/live.out | head -n1)
pw_check "live: the failed CMA allocation, with its first busy pfn" [ -n "$ev" ]
busy=$(echo "$ev" | sed -n 's/.* failed at pfn \(0x[0-9a-f]*\).*/\1/p')
end=$(echo "$ev" | sed -n 's/.* of pfn 0x[0-9a-f]*-\(0x[0-9a-f]*\) by .*/\1/p')
pw_check "live: the module's pins are what blocks it" \
	grep -q "^  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest\[[0-9]*\] via pin_user_pages_fast, [0-9]* pages from pfn ${busy:-none}\$" /tmp/live.out
pinwatch why --pfn "${busy:-0}-${end:-0}" --json /tmp/why.json >/tmp/why.txt 2>&1; rc=$?
head -n 4 /tmp/why.txt
pw_check "why at the busy pfn: exit 3" [ "$rc" = 3 ]
pw_check "why at the busy pfn: the module's pin is the first folio" \
	[ "$(pw_why_pfns /tmp/why.json short_term_pin | head -n1)" = "$(printf %d "${busy:-0}")" ]
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
