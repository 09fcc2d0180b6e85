#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 420
# modes: fentry kprobe:6.12
# `pinwatch why` on a memory offline that a pin blocks: a memory block is
# onlined as ZONE_MOVABLE and the test module holds a short-term pin of 64
# pages (pwt_pin_fast) and a get_user_pages reference of 16 more
# (pwt_get_fast), with a live session running. `echo offline` fails under a
# timeout, and live mode reports the failure as it happens with the holder
# of the busy pages; `why --memory-block N` names the holder, its process, its stack
# and exactly the pinned pfns of the block, and the reference as "not a pin"
# with its caller. With no session running, the same pins show as "pinned
# before tracing", holder unknown; so do they under a `serve` started after
# them, which counts the failed offline in pinwatch_blocked_total. Once released, the block goes offline and
# `why` finds nothing (exit 0).
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
pw_load_module
pw_movable_block
bpages=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) / 4096 ))
first=$(( PW_BLK_N * bpages )); last=$(( first + bpages - 1 ))
echo "block $PW_BLK_N: pfns $first-$last"

# group_line FILE VERDICT: the report's one group of that verdict
group_line() { pw_why_groups "$1" | awk -v v="$2" '$1 == v'; }
in_block() { awk -v a="$first" -v b="$last" '$1 >= a && $1 <= b'; }

pw_live_start /tmp/live.out --attach "$mode" --interval 1s --json /tmp/live.json ||
	pw_die "live mode did not attach within 60s: $(cat /tmp/live.out)"
pwtest pin --api fast --pages 64 --release never >/dev/null || pw_die "pin workload"
pwtest pin --api get-fast --pages 16 --release never >/dev/null || pw_die "get workload"

pinwatch why --json /tmp/all.json >/tmp/all.txt 2>&1; rc=$?
cat /tmp/all.txt
pw_check "all of RAM: exit 3 when something is held" [ "$rc" = 3 ]
pw_check "all of RAM: the pin, by holder, process and count" \
	[ "$(group_line /tmp/all.json short_term_pin | cut -d" " -f1-3,5-)" = "short_term_pin pinwatch_test:pwt_pin_fast pwtest 64 64 0 64" ]
ref=$(group_line /tmp/all.json get_user_pages_reference | cut -d' ' -f1-3,5-)
pw_check "all of RAM: no pin without a holder" \
	[ -z "$(pw_why_groups /tmp/all.json | awk '$1 == "pinned_before_tracing"')" ]
pw_why_pfns /tmp/all.json short_term_pin | in_block | sort -n >/tmp/pinned-in-block
nb=$(grep -c . /tmp/pinned-in-block)
echo "$nb of the 64 pinned pages are in block $PW_BLK_N"
[ "$nb" -gt 0 ] || pw_die "no pinned page landed in the movable block"

timeout 10 sh -c "echo offline > $PW_BLK/state" 2>/dev/null
pw_check "offline fails while the pin is held" [ "$(cat "$PW_BLK/state")" = online ]
# live mode saw it fail, and named the holder of the pinned pages in the block
pw_wait_for /tmp/live.out '^  [a-z_]+: ' || echo "no blocked event in live mode's output within 30 s"
grep -A4 'blocked:' /tmp/live.out | head -n 12
ev=$(grep -c "blocked: memory offline of pfn $(printf %#x "$first")-$(printf %#x "$last") by sh\[[0-9]*\] failed: " /tmp/live.out)
pw_check "live: the failed offline, once ($ev)" [ "$ev" = 1 ]
pw_check "live: its holder and its pages in the block" \
	grep -q "^  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest\[[0-9]*\] via pin_user_pages_fast, $nb pages from pfn 0x" /tmp/live.out
pw_check "live: nothing but the offline reported as blocked" [ "$(grep -c 'blocked:' /tmp/live.out)" = "$ev" ]

pinwatch why --memory-block "$PW_BLK_N" --json /tmp/blk.json >/tmp/blk.txt 2>&1; rc=$?
cat /tmp/blk.txt
pw_check "block: exit 3" [ "$rc" = 3 ]
pw_check "block: the holder with exactly the block's pinned pages" \
	[ "$(group_line /tmp/blk.json short_term_pin | cut -d' ' -f1-3,5,6)" = "short_term_pin pinwatch_test:pwt_pin_fast pwtest $nb $nb" ]
pw_check "block: exactly the pinned pfns" \
	[ "$(pw_why_pfns /tmp/blk.json short_term_pin | sort -n)" = "$(cat /tmp/pinned-in-block)" ]
pw_check "block: the verdict and the acquiring stack in the text" \
	grep -q "short-term pin: retrying may succeed" /tmp/blk.txt
pw_check "block: the stack names pwt_pin_fast" grep -q "#[0-9]* pwt_pin_fast+0x[0-9a-f]* \[pinwatch_test\]" /tmp/blk.txt
pw_check "block: holders from the live session" grep -q "holders from pinwatch live (pid $PW_LIVE_PID)" /tmp/blk.txt

# Where the pins sit, per holder (top reads the live session's maps): the
# short-term pin's pages in the block are in Movable. A long-term pin of a
# fresh buffer is migrated out of Movable before it is taken, so none of
# its pages is there and nothing is a longterm_in_movable finding.
pinwatch top --once --json /tmp/top.json >/dev/null 2>&1 || pw_fail "top --once next to live mode"
holder_zone() {	# holder_zone HOLDER ZONE FIELD
	jq -r --arg h "$1" --arg z "$2" --arg f "$3" \
		'.holders[] | select(.holder == $h) | .zones[$z][$f]' /tmp/top.json
}
pw_check "top: the short-term pin's pages in the block, in zone Movable" \
	[ "$(holder_zone pinwatch_test:pwt_pin_fast Movable pages)" = "$nb" ]
pw_check "top: none of them long-term" [ "$(holder_zone pinwatch_test:pwt_pin_fast Movable longterm_pages)" = 0 ]
migrated=$(awk '$1 == "pgmigrate_success" { print $2 }' /proc/vmstat)
pwtest pin --api fast --longterm --pages 256 --release never >/dev/null || pw_die "long-term pin workload"
echo "pages migrated for the long-term pin: $(( $(awk '$1 == "pgmigrate_success" { print $2 }' /proc/vmstat) - migrated ))"
sleep 2	# an audit (--interval 1s) looks at the long-term pin's zones
pinwatch top --once --json /tmp/top.json >/dev/null 2>&1 || pw_fail "top --once next to live mode"
pw_check "top: the long-term pin's 256 pages held" \
	[ "$(jq '[.holders[] | .longterm_pages] | add' /tmp/top.json)" = 256 ]
pw_check "top: none of them in Movable" [ "$(jq '[.holders[] | .zones.Movable.longterm_pages // 0] | add' /tmp/top.json)" = 0 ]
pw_check "top: no longterm_in_movable finding" [ "$(jq .findings.longterm_in_movable /tmp/top.json)" = 0 ]
pw_check "live: no longterm_in_movable finding" [ -z "$(grep longterm_in_movable /tmp/live.out)" ]

kill -INT $PW_LIVE_PID; wait $PW_LIVE_PID
# The FOLL_GET taker is named from the mark its call left in each page's
# cell. When the kernel skipped runs of the page-free hook (a busy TCG
# host), every mark is swept, by design, and the taker is unknown: then the
# 16 pages must still show as references that are not pins.
sweeps=$(pw_json_num /tmp/live.json marks_sweeps)
if [ "${sweeps:-0}" = 0 ]; then
	pw_check "all of RAM: the reference, not a pin, by its caller" \
		[ "$ref" = "get_user_pages_reference pinwatch_test:pwt_get_fast pwtest 16 0 16 16" ]
else
	echo "marks swept $sweeps times (page-free runs skipped): the taker is unknown"
	pw_check "all of RAM: the reference, not a pin, taker swept" \
		[ "$(group_line /tmp/all.json reference_not_a_pin | awk '{ print ($7 >= 16) }')" = 1 ]
fi
pw_check "live report: the failed offline, once, in --json" [ "$(pw_json /tmp/live.json '[.blocked[] | select(.what == "offline")] | length')" = 1 ]
pw_check "live report: its holders in --json" [ "$(pw_json /tmp/live.json '[.blocked[].holders[] | select(.verdict == "short_term_pin") | .holder] | unique | join(",")')" = pinwatch_test:pwt_pin_fast ]
pw_check "live report: the failed offline in the text" \
	grep -q "^blocked: offline of pfn $(printf %#x "$first")-$(printf %#x "$last") by sh\[[0-9]*\] at [0-9.]*s: short_term_pin pinwatch_test:pwt_pin_fast ($nb pages)" /tmp/live.out

pinwatch why --memory-block "$PW_BLK_N" --json /tmp/blind.json >/tmp/blind.txt 2>&1; rc=$?
cat /tmp/blind.txt
pw_check "no session: exit 3" [ "$rc" = 3 ]
pw_check "no session: the same pages, pinned before tracing" \
	[ "$(group_line /tmp/blind.json pinned_before_tracing | cut -d' ' -f1,2,5,6)" = "pinned_before_tracing unknown $nb $nb" ]
pw_check "no session: no holder named" [ -z "$(group_line /tmp/blind.json short_term_pin)" ]
pw_check "no session: said so" grep -q "no pinwatch serve or live session runs" /tmp/blind.txt

# serve, started after the pins: they are older than its tracing. A failed
# offline is counted by holder, "unknown" here, and `why` reads its mirror.
rm -f /tmp/pw.prom
pinwatch serve --attach "$mode" --textfile /tmp/pw.prom --interval 300ms 2>/tmp/serve.err &
sp=$!
i=0; until [ -s /tmp/pw.prom ] || [ $i -ge 300 ]; do sleep 0.2; i=$((i + 1)); done
[ -s /tmp/pw.prom ] || pw_die "serve wrote no metrics within 60s: $(cat /tmp/serve.err)"
timeout 5 sh -c "echo offline > $PW_BLK/state" 2>/dev/null
blk='pinwatch_blocked_total{what="offline",holder="unknown",longterm="false"}'
i=0; until grep -q "^$blk 1\$" /tmp/pw.prom || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done
grep '^pinwatch_blocked_total' /tmp/pw.prom
pw_check "serve: the failed offline counted once, holder unknown" grep -q "^$blk 1\$" /tmp/pw.prom
pw_check "serve: no other blocked series" [ "$(grep -c '^pinwatch_blocked_total' /tmp/pw.prom)" = 1 ]
pw_check "serve: the event on stderr" grep -q "blocked: memory offline of pfn" /tmp/serve.err
pinwatch why --memory-block "$PW_BLK_N" --json /tmp/served.json >/tmp/served.txt 2>&1
pw_check "serve: why reads its mirror" grep -q "holders from pinwatch serve (pid $sp)" /tmp/served.txt
pw_check "serve: pins older than serve are pinned before tracing" \
	[ "$(group_line /tmp/served.json pinned_before_tracing | cut -d' ' -f1,2,5,6)" = "pinned_before_tracing unknown $nb $nb" ]
kill -TERM $sp; wait $sp

pwtest release-leaked >/dev/null || pw_fail "release-leaked"
pinwatch why --memory-block "$PW_BLK_N" --json /tmp/after.json >/tmp/after.txt 2>&1; rc=$?
cat /tmp/after.txt
pw_check "released: exit 0, nothing held" [ "$rc" = 0 ]
pw_check "released: no group" [ -z "$(pw_why_groups /tmp/after.json)" ]
timeout 60 sh -c "echo offline > $PW_BLK/state"
pw_check "released: the block goes offline" [ "$(cat "$PW_BLK/state")" = offline ]
echo online_kernel > "$PW_BLK/state" || pw_fail "cannot give $PW_BLK back to ZONE_NORMAL"
pw_done
