#!/bin/sh
# kernels: 6.1 6.12
# timeout: 150
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# `pinwatch run` as CI uses it, on a kernel it can trace: exit statuses (CMD's
# own, 127/126, --error-exitcode), suppressions, a full mirror reported as
# incomplete (never clean), JSON to stdout, fork following. PW_TRACE picks the
# attach plan (the runner runs this once per mode).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
mode=${PW_TRACE:-auto}
pr() { pinwatch run --attach "$mode" --settle 500ms "$@"; }

# dropped_pages JSON: the report's dropped.pages (pins beyond the mirror)
dropped_pages() { pw_json "$1" .dropped.pages; }

# check NAME WANT_STATUS -- pinwatch-run-args...: also keeps stderr in /tmp/err
check() {
	n=$1 want=$2; shift 3
	PW_CASES=$((PW_CASES + 1))
	pr "$@" >/tmp/out 2>/tmp/err; rc=$?
	if [ "$rc" = "$want" ]; then echo "ok $n (exit $rc)"; else pw_fail "$n: exit $rc, want $want: $(tail -n 3 /tmp/err)"; fi
}

check cmd-status-passes-through 3 -- -- sh -c 'exit 3'
check cmd-not-found 127 -- -- /nonexistent/cmd
grep -q 'No such file' /tmp/err || pw_fail "cmd-not-found: no reason on stderr"
printf 'true\n' > /tmp/notexec; chmod 644 /tmp/notexec
check cmd-not-executable 126 -- -- /tmp/notexec
check custom-error-exitcode 9 -- --error-exitcode 9 -- pwtest pin --api fast --pages 4 --release put

# --folded: the finding and the pins still held at the end, by stack, root
# first, as flamegraph.pl reads them (one line per stack, a count at the end)
check folded-written 23 -- --folded /tmp/f.folded -- sh -c \
	'pwtest pin --api fast --pages 4 --release put && pwtest pin --api plain --longterm --pages 8 --release never'
cat /tmp/f.folded
pw_check folded-finding grep -qE '^put_instead_of_unpin;pwtest;([^;]+;)*pwt_pin_fast \[pinwatch_test\](;[^;]+)* 4$' /tmp/f.folded
pw_check folded-pinned grep -qE '^pinned;pwtest;([^;]+;)*pwt_pin_plain \[pinwatch_test\](;[^;]+)* 8$' /tmp/f.folded
pw_check folded-root-first sh -c "! grep -qE '^[a-z_]+;pwtest;(pin_user_pages|try_grab|gup_)' /tmp/f.folded"
pwtest release-leaked >/dev/null

# suppressions: the finding is counted as suppressed and the run is clean
printf '# known bug in the test module\nput_instead_of_unpin:pwt_pin_*\n' > /tmp/ok.supp
check suppressed-finding-is-clean 0 -- --suppressions /tmp/ok.supp --json /tmp/s.json -- \
	pwtest pin --api fast --pages 4 --release put
[ "$(pw_json_num /tmp/s.json suppressed)" = 1 ] || pw_fail "suppressed count is not 1"
printf 'leak:ok\nbogus line\n' > /tmp/bad.supp
check malformed-suppressions 2 -- --suppressions /tmp/bad.supp -- true
grep -q 'bad.supp:2' /tmp/err || pw_fail "malformed-suppressions: error does not name line 2: $(cat /tmp/err)"

# pins beyond the mirror (--max-pages 4 covers pfns 0-3, where no user page
# lives, though its one chunk spans 65536): every one counted as dropped, report incomplete, never a clean exit
check full-mirror-is-not-clean 23 -- --max-pages 4 --json /tmp/f.json -- \
	pwtest pin --api fast --pages 16 --release unpin
[ "$(pw_json /tmp/f.json .incomplete)" = true ] || pw_fail "full mirror: report not marked incomplete"
dropped=$(dropped_pages /tmp/f.json)
[ "$dropped" = 16 ] || pw_fail "full mirror: $dropped dropped pages counted, want 16 (all 16 pins beyond pfn 3)"
[ "$(pw_json /tmp/f.json '.findings | length')" = 0 ] || pw_fail "full mirror: releases of unmirrored pins must not become findings"
grep -q 'INCOMPLETE' /tmp/err || pw_fail "full mirror: text report does not say INCOMPLETE"

# --max-pages is exact inside a mirror chunk (65536 cells): a tmpfs file's
# pages keep their pfns from one process to the next, so the cut M goes
# between two of them that share a chunk (16 pages, 8 chunks in 2 GiB: some
# two do). Pages below M are mirrored, the others dropped, each of 3 rounds,
# pinned and released in batches (the cached 4 KiB loop from round 2 on).
mkdir -p /tmp/pwshm && mount -t tmpfs tmpfs /tmp/pwshm &&
	dd if=/dev/zero of=/tmp/pwshm/f bs=4096 count=16 2>/dev/null ||
	pw_fail "max-pages-exact: no tmpfs file"
pwtest pfns --file /tmp/pwshm/f --pages 16 | sort -n > /tmp/pfns
cut=$(awk 'NR > 1 && $1 > p && int($1 / 65536) == int(p / 65536) { print p + 1; exit } { p = $1 }' /tmp/pfns)
if [ -z "$cut" ]; then
	PW_CASES=$((PW_CASES + 1)); pw_fail "max-pages-exact: no two pages in one chunk: $(tr '\n' ' ' < /tmp/pfns)"
else
	below=$(awk -v c="$cut" '$1 < c' /tmp/pfns | wc -l); above=$((16 - below))
	check max-pages-exact 23 -- --max-pages "$cut" --json /tmp/m.json -- \
		pwtest pin --api fast --pages 16 --file /tmp/pwshm/f --release batch --iters 3
	got_acq=$(pw_json_num /tmp/m.json pins_acquired)
	got_drop=$(dropped_pages /tmp/m.json)
	[ "$got_acq" = $((3 * below)) ] && [ "$got_drop" = $((3 * above)) ] ||
		pw_fail "max-pages-exact (cut $cut, $below pages below): mirrored $got_acq, dropped $got_drop; want $((3 * below)), $((3 * above))"
	[ "$(pw_json /tmp/m.json '.findings | length')" = 0 ] || pw_fail "max-pages-exact: releases of unmirrored pins must not become findings"
fi
umount /tmp/pwshm

# JSON on stdout, and pins of a forked grandchild are followed
PW_CASES=$((PW_CASES + 1))
pr --json - -- sh -c 'pwtest pin --api fast --pages 4 --release never >/dev/null; st=$?; exit $st' > /tmp/o.json 2>/tmp/err
rc=$?
if [ "$rc" = 23 ] && [ "$(pw_json_findings /tmp/o.json | awk 'NF {print $1 ":" $2}')" = leak:4 ] &&
   [ "$(pw_json /tmp/o.json '.findings[0].comm')" = pwtest ]; then
	echo "ok json-stdout-and-fork-following"
else pw_fail "json-stdout-and-fork-following: exit $rc (want 23): $(head -c 400 /tmp/o.json)"; fi
pwtest release-leaked >/dev/null
pw_done
