#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 300
# Pins on hugetlb folios, the memory a VM's guest RAM or a DPDK pool lives
# in: off the LRU and, shared, not anonymous, so they look like the kernel's
# own pages unless their pin count is read. The test module pins a 2 MiB
# shared MAP_HUGETLB buffer (512 pins on one folio) before any tracing; `why`
# without a session reports it as pinned before tracing, one 2 MiB-aligned
# folio. Live mode counts it at start (top next to it shows it as
# before_tracing); a second such folio pinned under it is named by its
# holder, the first still pinned before tracing. Released, `why` finds nothing
# in either folio.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
trap 'echo 0 > $hp' EXIT	# the pool goes back, whatever happens: later scenarios want RAM free
echo 4 > $hp
[ "$(cat $hp)" = 4 ] || pw_die "no four 2 MiB hugepages ($hp: $(cat $hp))"
pw_load_module
groups_of() {	# groups_of FILE VERDICT: {holder, pages, pins, folios} of each such group
	jq -c --arg v "$2" '[.groups[] | select(.verdict == $v) | {holder, pages, pins, folios}]' "$1"
}

pwtest pin --api fast --hugetlb --pages 512 --release never >/dev/null || pw_die "hugetlb pin workload"
pinwatch why --json /tmp/before.json >/tmp/before.txt 2>&1; rc=$?
head -n 3 /tmp/before.txt
pw_check "no session: exit 3" [ "$rc" = 3 ]
pw_check "no session: one hugetlb folio's 512 pins, pinned before tracing" \
	[ "$(groups_of /tmp/before.json pinned_before_tracing)" = '[{"holder":"unknown","pages":512,"pins":512,"folios":1}]' ]
first=$(jq '[.groups[] | select(.verdict == "pinned_before_tracing") | .pfns[0].pfn][0]' /tmp/before.json)
aligned=no
case "$first" in ''|*[!0-9]*) ;; *) [ $((first % 512)) = 0 ] && aligned=yes ;; esac
pw_check "no session: the folio is 2 MiB-aligned ($first)" [ "$aligned" = yes ]

pw_live_start /tmp/live.out --attach "$mode" --interval 1s ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live.out)"
pw_check "live: the folio pinned before it, counted at start" \
	grep -q "^pinwatch: 512 pages (512 pins) were pinned before tracing began" /tmp/live.out
pinwatch top --once --json /tmp/top.json >/dev/null 2>&1 || pw_fail "top --once next to live mode"
pw_check "top next to live: holder before_tracing, 512 pages" \
	[ "$(pw_json /tmp/top.json '.holders[] | select(.holder == "before_tracing") | .pages')" = 512 ]
pwtest pin --api fast --hugetlb --pages 512 --release never >/dev/null || pw_die "hugetlb pin workload"
pinwatch why --json /tmp/traced.json >/tmp/traced.txt 2>&1; rc=$?
head -n 6 /tmp/traced.txt
pw_check "traced: exit 3" [ "$rc" = 3 ]
pw_check "traced: the second folio, by its holder" \
	[ "$(groups_of /tmp/traced.json short_term_pin)" = '[{"holder":"pinwatch_test:pwt_pin_fast","pages":512,"pins":512,"folios":1}]' ]
pw_check "traced: the first, still pinned before tracing" \
	[ "$(groups_of /tmp/traced.json pinned_before_tracing)" = '[{"holder":"unknown","pages":512,"pins":512,"folios":1}]' ]
kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID

second=$(pw_json /tmp/traced.json '[.groups[] | select(.verdict == "short_term_pin") | .pfns[0].pfn][0]')

pwtest release-leaked >/dev/null || pw_fail "release-leaked"
# the two folios only: other scenarios of the same boot may hold pages elsewhere
for f in "$first" "$second"; do
	pinwatch why --pfn "$f-$((f + 511))" >/tmp/after.txt 2>&1; rc=$?
	pw_check "released: nothing held in the folio at pfn $f (exit 0)" [ "$rc" = 0 ]
done
pw_done
