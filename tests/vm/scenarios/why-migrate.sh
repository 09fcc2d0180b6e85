#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 300
# modes: fentry kprobe:6.12
# qemu: -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1
# move_pages(2) on pinned pages, in a VM with two NUMA nodes: the test
# module pins 4 pages of a buffer (short-term, kept), then the process asks
# for them on the other node. migrate_pages() leaves them in place; live
# mode reports each as a failed page migration (move_pages) with the
# module's pin as its holder, in the text and in its --json report; so
# does `run`'s report.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
[ -d /sys/devices/system/node/node1 ] || pw_die "one NUMA node only (qemu -numa)"
pw_load_module
# no other task's migrations in the report: NUMA balancing off
echo 0 > /proc/sys/kernel/numa_balancing 2>/dev/null

pw_live_start /tmp/live.out --attach "$mode" --interval 1s --json /tmp/live.json ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live.out)"
out=$(pwtest move --pages 4) || pw_die "move workload"
echo "$out"
pw_check "move_pages leaves the 4 pinned pages where they are" sh -c "echo '$out' | grep -q '^moved=0 busy=4 '"
i=0	# live mode explains them after re-reading kallsyms: seconds under TCG
until [ "$(grep -c '^  short_term_pin: ' /tmp/live.out)" -ge 4 ] || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done
kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID
grep -A1 'blocked:' /tmp/live.out | head -n 12
pw_check "live: 4 failed page migrations, one a folio" \
	[ "$(grep -c 'blocked: page migration of pfn 0x[0-9a-f]*-0x[0-9a-f]* by pwtest\[[0-9]*\] failed (move_pages/migrate_pages)$' /tmp/live.out)" = 4 ]
pw_check "live: each held by the module's pin" \
	[ "$(grep -c '^  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest\[[0-9]*\] via pin_user_pages_fast, 1 pages from pfn 0x' /tmp/live.out)" = 4 ]
pw_check "live report: 4 migrations in --json" [ "$(pw_json /tmp/live.json '[.blocked[] | select(.what == "migrate")] | length')" = 4 ]
pw_check "live report: asked by move_pages" [ "$(pw_json /tmp/live.json '[.blocked[] | select(.reason == "move_pages/migrate_pages")] | length')" = 4 ]
pwtest release-leaked >/dev/null || pw_fail "release-leaked"

# run: the same failures in its report (the pins it leaves make exit 23)
pinwatch run --attach "$mode" --settle 1s --json /tmp/run.json -- pwtest move --pages 2 >/tmp/run.out 2>&1; rc=$?
pw_check "run: exit 23 (the module keeps the pins)" [ "$rc" = 23 ]
pw_check "run report: 2 failed migrations asked by move_pages" \
	[ "$(pw_json /tmp/run.json '[.blocked[] | select(.reason == "move_pages/migrate_pages")] | length')" = 2 ]
pwtest release-leaked >/dev/null || pw_fail "release-leaked"
pw_done
