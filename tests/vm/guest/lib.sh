# pinwatch guest helpers, sourced by every scenario (busybox sh):
#     . "${PW_LIB:-/pw/lib.sh}"
# Environment from /init: PW_KVER (6.1|6.12), PW_KMOD, PW_DISK, PW_SCENARIO.
#
# The core is pw_case: run ONE workload command and assert the deltas of
# /proc/vmstat nr_foll_pin_acquired / nr_foll_pin_released it caused:
#     pw_case [--wait SECS] [--xfail] NAME EXP_ACQ EXP_REL -- CMD ARGS...
# (--xfail: the command is expected to exit non-zero, e.g. a rejected request)
# prints
#     case NAME: CMD ARGS...
#     <the command's own one-line output>
#     vmstat: acquired +A released +R (expected +EA +ER)
#     ok NAME            or      FAIL NAME: ...
# A failed case is counted and the scenario goes on; pw_done (last line of
# every scenario) exits non-zero if any case failed.
#
# Hooks for the tracer (pw_case and pw_run_counted use them):
#   - PW_CASE is exported as NAME while the workload runs.
#   - The workload is started by pw_workload NAME CMD...; by default it runs
#     ${PW_WRAP} CMD... , so PW_WRAP="pinwatch run --json /tmp/x.json --" (or a
#     redefined pw_workload function) runs the same command under the tracer.
#   - pw_case_hook_after NAME RC is called after the vmstat check (no-op
#     by default) for extra assertions, e.g. on the tracer's JSON.

PW_KVER=${PW_KVER:-$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')}
PW_KMOD=${PW_KMOD:-/pw/kmod/pinwatch_test.ko}
PW_DISK=${PW_DISK:-/dev/vda}
PW_WAIT=${PW_WAIT:-3}          # default seconds to wait for lagging counters
PW_FAILS=0
PW_CASES=0
PW_ACQ=0
PW_REL=0

pw_log() { echo "$*"; }

pw_fail() {
	echo "FAIL $*"
	PW_FAILS=$((PW_FAILS + 1))
}

# Abort the scenario (setup problems, not assertion failures).
pw_die() {
	echo "FAIL ${PW_SCENARIO:-scenario}: $*"
	exit 1
}

# pw_skip REASON: the scenario cannot run here. Exits 4, which run-vm.sh
# records as a FAIL ("skipped: ..."): a scenario that tests nothing never
# counts as passed. Say where it runs with the "# kernels:" header instead.
PW_EXIT_SKIP=4
pw_skip() {
	echo "SKIP ${PW_SCENARIO:-scenario}: $*"
	exit $PW_EXIT_SKIP
}

# Load pinwatch_test.ko once (idempotent) and wait for its device node.
pw_load_module() {
	if ! grep -q '^pinwatch_test ' /proc/modules; then
		[ -f "$PW_KMOD" ] || pw_die "module $PW_KMOD not found"
		insmod "$PW_KMOD" || pw_die "insmod $PW_KMOD failed"
	fi
	i=0
	while [ ! -c /dev/pinwatch_test ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -c /dev/pinwatch_test ] || pw_die "/dev/pinwatch_test did not appear"
}

# THP for the buffers pwtest asks for with --thp (MADV_HUGEPAGE); its 4 KiB
# buffers are MADV_NOHUGEPAGE, so "madvise" or "always" both work.
pw_thp() {	# (not "mode": scenarios keep their attach mode in it)
	thp_mode=${1:-madvise}
	f=/sys/kernel/mm/transparent_hugepage/enabled
	[ -w $f ] || pw_die "no $f (THP not built in?)"
	echo "$thp_mode" > $f || pw_die "cannot set THP enabled=$thp_mode"
	# Direct compaction for madvised regions, so a 2 MiB folio is really obtained.
	echo madvise > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null
	echo "thp: enabled=$(cat $f)"
}

# pw_vmstat: refresh the per-CPU counters, set PW_ACQ / PW_REL.
pw_vmstat() {
	set -- $(pwtest vmstat) || return 1
	[ "$1" = nr_foll_pin_acquired ] && [ "$3" = nr_foll_pin_released ] || return 1
	PW_ACQ=$2
	PW_REL=$4
}

# The workload runner. With PW_TRACE=fentry|kprobe (set by /init from the
# scenario's "@mode" suffix) it runs under `pinwatch run` with that attach
# plan and its JSON report is checked by pw_check_tracer afterwards.
# Under the tracer CMD's own exit status goes to $PW_CMD_RC: pinwatch exits
# 23 when it finds bugs, which must not hide CMD's own failure.
PW_JSON=/tmp/pw-report.json
PW_CMD_RC=/tmp/pw-cmd.rc
pw_workload() {
	shift   # NAME
	if [ -n "${PW_TRACE:-}" ]; then
		rm -f "$PW_JSON" "$PW_CMD_RC"
		pinwatch run --attach "$PW_TRACE" --settle "${PW_SETTLE:-1s}" --json "$PW_JSON" -- \
			sh -c 'st=0; "$@" || st=$?; echo $st > '"$PW_CMD_RC"'; exit $st' pw-cmd ${PW_WRAP:-} "$@"
	else
		${PW_WRAP:-} "$@"
	fi
}

# pw_run_counted OUT CMD...: CMD under `pinwatch run` (pw_workload, PW_SETTLE
# 1 s), its output to OUT; sets PW_RC (pinwatch's exit), PW_DA / PW_DR (the
# kernel's nr_foll_pin_acquired / _released over it) and PW_FOUND (the JSON
# report's findings as "kind:pins ..."). The vmstat reads must work.
pw_run_counted() {
	out=$1; shift
	pw_vmstat || pw_die "cannot read vmstat"
	_a0=$PW_ACQ _r0=$PW_REL
	pw_workload counted "$@" > "$out" 2>&1
	PW_RC=$?
	pw_vmstat || pw_die "cannot read vmstat"
	PW_DA=$((PW_ACQ - _a0)) PW_DR=$((PW_REL - _r0))
	# pinwatch's own reading of the kernel counters is the scenario's
	[ "$(pw_json_num "$PW_JSON" nr_foll_pin_acquired_delta)" = "$PW_DA" ] &&
	[ "$(pw_json_num "$PW_JSON" nr_foll_pin_released_delta)" = "$PW_DR" ] ||
		pw_fail "pinwatch's vmstat window (+$(pw_json_num "$PW_JSON" nr_foll_pin_acquired_delta) +$(pw_json_num "$PW_JSON" nr_foll_pin_released_delta)) differs from the scenario's (+$PW_DA +$PW_DR)"
	PW_FOUND=$(pw_json_findings "$PW_JSON" | awk 'NF{printf "%s:%s ", $1, $2}')
	PW_FOUND=${PW_FOUND% }
}

# Findings of a pinwatch JSON report, one line each:
#   KIND PINS LONGTERM API ACQ_HAS_FRAME REL_HAS_FRAME
# (ACQ/REL_HAS_FRAME: 1 when a frame of that stack is SYM+..., SYM the
# second/third argument; 0 without one)
pw_json_findings() {
	jq -r --arg af "${2:-}" --arg rf "${3:-}" '
	def has_frame($f; $st): $f != "" and any($st[]?; startswith($f + "+"));
	.findings[] | "\(.kind) \(.pins) \(.longterm) \(.api) " +
		"\(if has_frame($af; .acquire_stack) then 1 else 0 end) " +
		"\(if has_frame($rf; .release_stack) then 1 else 0 end)"' "$1" 2>/dev/null
}

# pw_live_start OUT ARGS...: start live-mode pinwatch with ARGS in the
# background, stdout+stderr to OUT, and wait (up to 60 s: TCG on a busy host)
# until its header says it is attached. Sets PW_LIVE_PID; returns 1 on timeout.
# OUT is removed first: a previous run's header must not pass for this one's.
pw_live_start() {
	out=$1; shift
	rm -f "$out"
	pinwatch "$@" >"$out" 2>&1 &
	PW_LIVE_PID=$!
	i=0
	until grep -q 'Ctrl-C' "$out" 2>/dev/null; do
		[ $i -ge 300 ] && return 1
		sleep 0.2; i=$((i + 1))
	done
}

# Does the case expect a finding that is a bug (anything but preexisting)?
pw_bugs_expected() {
	for f in $PW_EXP_FINDINGS; do
		case "$f" in preexisting:*) ;; *) return 0 ;; esac
	done
	return 1
}

# pw_json_num FILE KEY / pw_json_bool FILE KEY: the value of the first
# KEY in document order whose value is a number / a boolean (jq: parsed, so
# indentation does not matter); pw_json FILE FILTER for anything else
pw_json_num() {
	jq -r --arg k "$2" 'first(.. | objects | select(has($k)) | .[$k] | numbers | tostring) // empty' "$1" 2>/dev/null | head -n1
}
pw_json_bool() {
	jq -r --arg k "$2" 'first(.. | objects | select(has($k)) | .[$k] | booleans | tostring) // empty' "$1" 2>/dev/null | head -n1
}
pw_json() { jq -r "$2" "$1" 2>/dev/null; }

# Check the tracer's report of one case against what the case did:
# exact findings (kind:pins[:longterm]), frames on their stacks, and its
# totals against the kernel's own counters (da/dr, measured by pw_case).
pw_check_tracer() {
	name=$1 rc=$2 da=$3 dr=$4 crc=${5:-0}
	[ -s "$PW_JSON" ] || { pw_fail "$name: pinwatch wrote no JSON report (exit $rc)"; return; }
	got=$(pw_json_findings "$PW_JSON" "$PW_EXP_ACQ_FRAME" "$PW_EXP_REL_FRAME")
	echo "pinwatch[$PW_TRACE]: exit $rc, findings: $(echo "$got" | awk 'NF{printf "%s:%s(lt=%s,api=%s) ", $1, $2, $3, $4}')"
	have=$(echo "$got" | awk 'NF{print $1 ":" $2}' | sort | tr '\n' ' ')
	want=$(for f in $PW_EXP_FINDINGS; do echo "$f" | cut -d: -f1,2; done | sort | tr '\n' ' ')
	[ "$have" = "$want" ] || pw_fail "$name: findings [${have% }] expected [${want% }]"
	if pw_bugs_expected; then
		[ "$rc" = 23 ] || pw_fail "$name: pinwatch exit $rc with findings, expected 23"
	else
		[ "$rc" = "$crc" ] || pw_fail "$name: pinwatch exit $rc, not the command's $crc"
	fi
	for f in $PW_EXP_FINDINGS; do
		lt=$(echo "$f" | cut -s -d: -f3)
		[ -z "$lt" ] && continue
		echo "$got" | awk -v k="${f%%:*}" -v lt="$lt" '$1==k && $3!=lt {bad=1} END{exit bad}' ||
			pw_fail "$name: ${f%%:*} longterm should be $lt"
	done
	[ -z "$PW_EXP_ACQ_FRAME" ] || echo "$got" | awk 'NF && $1 != "preexisting" && !$5 {bad=1} END{exit bad}' ||
		pw_fail "$name: an acquire stack lacks $PW_EXP_ACQ_FRAME"
	[ -z "$PW_EXP_REL_FRAME" ] || echo "$got" | awk 'NF && !$6 {bad=1} END{exit bad}' ||
		pw_fail "$name: a release stack lacks $PW_EXP_REL_FRAME"
	[ -z "$PW_EXP_API" ] || echo "$got" | awk -v a="$PW_EXP_API" 'NF && $4 != a {bad=1} END{exit bad}' ||
		pw_fail "$name: api should be $PW_EXP_API"
	# pinwatch's view of the kernel counters over its own window
	kacq=$(pw_json_num "$PW_JSON" nr_foll_pin_acquired_delta)
	krel=$(pw_json_num "$PW_JSON" nr_foll_pin_released_delta)
	dacq=$(pw_json_num "$PW_JSON" drift_acquired)
	drel=$(pw_json_num "$PW_JSON" drift_released)
	# folio_add_pin pins are mirrored but not counted by the kernel
	tacq=$(( $(pw_json_num "$PW_JSON" pins_acquired) - $(pw_json_num "$PW_JSON" folio_add_pin_acquired) ))
	trel=$(pw_json_num "$PW_JSON" pins_released)
	echo "pinwatch totals: acquired $tacq released $trel; kernel +$kacq +$krel; drift $dacq $drel"
	# --drift A:R: pins GUP took and dropped inside one call, which pinwatch
	# cannot see (long-term migration); 0:0 otherwise
	xacq=${PW_EXP_DRIFT%:*} xrel=${PW_EXP_DRIFT#*:}
	[ "$dacq" = "$xacq" ] && [ "$drel" = "$xrel" ] ||
		pw_fail "$name: pinwatch drifted from vmstat ($dacq, $drel; expected $xacq, $xrel)"
	[ "$kacq" = "$da" ] && [ "$krel" = "$dr" ] ||
		pw_fail "$name: pinwatch's vmstat window (+$kacq +$krel) differs from the case's (+$da +$dr)"
	# every pin the kernel counted is accounted for, findings or not: a
	# release is a mirrored pin's, a preexisting one's, or an unpin without
	# a pin (of a FOLL_GET page)
	prex=$(pw_json_num "$PW_JSON" preexisting_released)
	uwp=$(echo "$got" | awk '$1 == "unpin_without_pin" {n += $2} END {print n + 0}')
	[ "$tacq" = $((da - xacq)) ] && [ $((trel + prex + uwp)) = $((dr - xrel)) ] ||
		pw_fail "$name: totals (+$tacq, +$trel released +$prex preexisting +$uwp without pin) differ from vmstat (+$da +$dr) less the drift"
	[ "$(pw_json_bool "$PW_JSON" incomplete)" = false ] || pw_fail "$name: report incomplete (drops)"
}

pw_case_hook_after() { :; }

# pw_case [--wait SECS] [--xfail | --fails-with TEXT] [--finding KIND:PINS[:true|false]]... [--acq-frame SYM]
#         [--rel-frame SYM] [--api API] [--drift ACQ:REL] NAME EXP_ACQ EXP_REL -- CMD ARGS...
pw_case() {
	wait_s=$PW_WAIT xfail=0 xtext=
	PW_EXP_FINDINGS= PW_EXP_ACQ_FRAME= PW_EXP_REL_FRAME= PW_EXP_API= PW_EXP_DRIFT=0:0
	while :; do
		case "$1" in
		--wait) wait_s=$2; shift 2 ;;
		--drift) PW_EXP_DRIFT=$2; shift 2 ;;
		--xfail) xfail=1; shift ;;
		# expected to fail with TEXT in its output (an errno's message)
		--fails-with) xfail=1 xtext=$2; shift 2 ;;
		# what pinwatch must report when the case runs under it (PW_TRACE)
		--finding) PW_EXP_FINDINGS="$PW_EXP_FINDINGS $2"; shift 2 ;;
		--acq-frame) PW_EXP_ACQ_FRAME=$2; shift 2 ;;
		--rel-frame) PW_EXP_REL_FRAME=$2; shift 2 ;;
		--api) PW_EXP_API=$2; shift 2 ;;
		*) break ;;
		esac
	done
	name=$1 exp_acq=$2 exp_rel=$3
	[ "$4" = -- ] || pw_die "usage: pw_case [--wait S] [--xfail] NAME EXP_ACQ EXP_REL -- CMD..."
	shift 4
	PW_CASES=$((PW_CASES + 1))
	echo "case $name: $*"
	pw_vmstat || pw_die "cannot read vmstat"
	a0=$PW_ACQ r0=$PW_REL
	PW_CASE=$name; export PW_CASE
	pw_workload "$name" "$@" > /tmp/pw-case.out 2>&1
	rc=$?
	cat /tmp/pw-case.out
	unset PW_CASE
	# Counters can lag (asynchronous releases such as io_uring ring exit);
	# poll until they match, at most wait_s seconds.
	tries=$((wait_s * 5))
	while :; do
		pw_vmstat || pw_die "cannot read vmstat"
		da=$((PW_ACQ - a0)) dr=$((PW_REL - r0))
		[ "$da" = "$exp_acq" ] && [ "$dr" = "$exp_rel" ] && break
		[ $tries -le 0 ] && break
		tries=$((tries - 1))
		sleep 0.2
	done
	echo "vmstat: acquired +$da released +$dr (expected +$exp_acq +$exp_rel)"
	# under the tracer: pinwatch's status (trc), CMD's own (rc)
	trc=$rc
	if [ -n "${PW_TRACE:-}" ]; then
		rc=$(cat "$PW_CMD_RC" 2>/dev/null)
		[ -n "$rc" ] || { pw_fail "$name: the command did not run under pinwatch (exit $trc)"; rc=255; }
	fi
	if [ $xfail = 0 ] && [ $rc -ne 0 ]; then
		pw_fail "$name: command exited $rc"
	elif [ $xfail = 1 ] && [ $rc -eq 0 ]; then
		pw_fail "$name: command succeeded but was expected to fail"
	elif [ -n "$xtext" ] && ! grep -qF -- "$xtext" /tmp/pw-case.out; then
		pw_fail "$name: command failed, but not with '$xtext'"
	elif [ "$da" != "$exp_acq" ] || [ "$dr" != "$exp_rel" ]; then
		pw_fail "$name: vmstat deltas differ from expected"
	else
		echo "ok $name"
	fi
	[ -z "${PW_TRACE:-}" ] || pw_check_tracer "$name" $trc "$da" "$dr" $rc
	pw_case_hook_after "$name" $rc
	return 0
}

# pw_movable_block: take the VM's highest memory block that goes offline (one
# may hold unmovable kernel pages) and online it as ZONE_MOVABLE. Sets PW_BLK
# (its sysfs directory) and PW_BLK_N (its number); pw_die when none will.
pw_movable_block() {
	PW_BLK=
	for n in $(ls /sys/devices/system/memory | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -rn); do
		b=/sys/devices/system/memory/memory$n
		[ "$(cat "$b/state")" = online ] && echo offline > "$b/state" 2>/dev/null &&
			{ PW_BLK=$b; PW_BLK_N=$n; break; }
	done
	[ -n "$PW_BLK" ] || pw_die "no memory block could be taken offline"
	echo online_movable > "$PW_BLK/state" || pw_die "cannot online $PW_BLK as movable"
	grep -q Movable /proc/zoneinfo || pw_die "no ZONE_MOVABLE after onlining $PW_BLK"
	echo "$(basename "$PW_BLK") online in ZONE_MOVABLE"
}

# pw_wait_for FILE PATTERN [SECS]: until a line of FILE matches (grep -E), at
# most SECS (30) seconds; live mode explains an event after re-reading
# kallsyms, seconds under TCG on a busy host. Returns 1 on timeout.
pw_wait_for() {
	i=0
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		[ $i -ge $(( ${3:-30} * 5 )) ] && return 1
		sleep 0.2; i=$((i + 1))
	done
}

# pw_check NAME CMD...: one counted assertion (CMD's status decides)
pw_check() {
	name=$1; shift
	PW_CASES=$((PW_CASES + 1))
	if "$@"; then echo "ok $name"; else pw_fail "$name"; fi
}

# pw_why_groups FILE: one line per group of a `pinwatch why --json` report,
#     VERDICT HOLDER COMM PID PAGES PINS REFS FOLIOS
# ("-" for what a group of an unknown holder does not have)
pw_why_groups() {
	jq -r '.groups[] | [.verdict, .holder, .comm, .pid, .pages, .pins, .refs, .folios] |
		map(if . == null then "-" else tostring end) | join(" ")' "$1" 2>/dev/null
}

# pw_why_pfns FILE VERDICT: the first pfn of each folio of that group, one a line
pw_why_pfns() {
	jq -r --arg v "$2" '.groups[] | select(.verdict == $v) | .pfns[].pfn' "$1" 2>/dev/null
}

# --- a contiguous range the test module's pins block ------------------------
# pw_pin_until_in WHERE JSON WHY-ARGS...: pin 64 MiB at a time through the
# test module (held until `pwtest release-leaked`) until `pinwatch why
# WHY-ARGS --json JSON` finds pins in its range, 24 times (1.5 GiB) at most;
# pw_die when none lands there. WHERE names the range in the messages.
pw_pin_until_in() {
	_where=$1 _json=$2; shift 2
	_n=0
	while [ $_n -lt 24 ]; do
		pwtest pin --api fast --pages 16384 --release never >/dev/null || pw_die "pin workload"
		_n=$((_n + 1))
		pinwatch why "$@" --json "$_json" >/dev/null 2>&1
		[ "$(pw_json_num "$_json" pinned_pages)" -gt 0 ] && break
	done
	echo "pinned $((_n * 64)) MiB, $(pw_json_num "$_json" pinned_pages) pages of it in $_where"
	[ "$(pw_json_num "$_json" pinned_pages)" -gt 0 ] || pw_die "no pinned page landed in $_where"
}

# pw_blocked_event FILE WHAT: the first "blocked: WHAT of pfn A-B by sh[N]
# failed at pfn P" event of live mode's output FILE, once its holders are
# printed (30 s at most). Sets PW_EV (the line), PW_EV_START (A), PW_EV_END
# (B) and PW_BUSY (P), all empty when there is none.
pw_blocked_event() {
	pw_wait_for "$1" '^  [a-z_]+: ' || echo "no blocked event in live mode's output within 30 s"
	grep -A3 'blocked:' "$1" | head -n 20
	PW_EV=$(grep "blocked: $2 of pfn 0x[0-9a-f]*-0x[0-9a-f]* by sh\[[0-9]*\] failed at pfn 0x" "$1" | head -n1)
	PW_EV_START=$(echo "$PW_EV" | sed -n 's/.* of pfn \(0x[0-9a-f]*\)-.*/\1/p')
	PW_EV_END=$(echo "$PW_EV" | sed -n 's/.* of pfn 0x[0-9a-f]*-\(0x[0-9a-f]*\) by .*/\1/p')
	PW_BUSY=$(echo "$PW_EV" | sed -n 's/.* failed at pfn \(0x[0-9a-f]*\).*/\1/p')
}

# pw_check_blocked_by_module FILE [PAGES]: the checks of an event
# pw_blocked_event found, blocked by the module's short-term pins: live mode's
# output FILE names them from the busy pfn, and `why` from there to the
# range's end exits 3 with the module's pin as its first folio, no other
# holder, and the pages live mode counted (PAGES: and that many).
pw_check_blocked_by_module() {
	pw_check "live: the module's pins are what blocks it" \
		grep -q "^  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest\[[0-9]*\] via pin_user_pages_fast, [0-9]* pages from pfn ${PW_BUSY:-none}\$" "$1"
	_live=$(pw_event_pages "$1" short_term_pin)
	pinwatch why --pfn "${PW_BUSY:-0}-${PW_EV_END:-0}" --json /tmp/why.json >/tmp/why.txt 2>&1
	_rc=$?
	head -n 4 /tmp/why.txt
	pw_check "why at the busy pfn: exit 3" [ "$_rc" = 3 ]
	pw_check "why at the busy pfn: the module's pin is its first folio" \
		[ "$(pw_why_pfns /tmp/why.json short_term_pin | head -n1)" = "$(printf %d "${PW_BUSY:-0}")" ]
	pw_check "why at the busy pfn: held by the module" \
		[ "$(pw_json /tmp/why.json '[.groups[] | select(.verdict == "short_term_pin") | .holder] | unique | join(",")')" = pinwatch_test:pwt_pin_fast ]
	_why=$(pw_json /tmp/why.json '[.groups[] | select(.verdict == "short_term_pin") | .pages] | add')
	echo "pages: live $_live, why $_why${2:+, pinned in the range $2}"
	pw_check "why at the busy pfn: the pages live mode counted" [ "$_why" = "$_live" ]
	[ -z "$2" ] || pw_check "live and why: every page the module pinned in the range" [ "$_live" = "$2" ]
}

# pw_event_pages FILE VERDICT: the pages of that verdict under PW_EV, the
# event pw_blocked_event found, summed over its holders; "more" when live
# mode left holders out ("... N more holders")
pw_event_pages() {
	awk -v ev="$PW_EV" -v v="$2:" '$0 == ev && !seen++ { on = 1; next }
		on && !/^  / { exit } on && $1 == "..." { more = 1 }
		on && $1 == v { n += $(NF - 4) } END { print more ? "more" : n + 0 }' "$1"
}

# --- serve and its accounting view -------------------------------------------
# pw_serve_start MODE: serve on 127.0.0.1:9477 with --textfile /tmp/pw.prom and
# --json /tmp/serve.jsonl every 300 ms, stopped when the scenario exits
pw_serve_start() {
	ifconfig lo 127.0.0.1 up 2>/dev/null || ip link set lo up
	pinwatch serve --attach "$1" --listen 127.0.0.1:9477 --interval 300ms \
		--textfile /tmp/pw.prom --json /tmp/serve.jsonl 2>/tmp/serve.err &
	PW_SERVE_PID=$!
	trap 'kill $PW_SERVE_PID 2>/dev/null' EXIT
	pw_wait_for /tmp/serve.err serving 60 || { cat /tmp/serve.err; pw_die "serve did not start"; }
}
# pw_prom SERIES: its value in serve's textfile
pw_prom() { awk -v k="$1" '$1 == k { print $2 }' /tmp/pw.prom; }
# pw_proc_row PID: the process row of serve's latest JSON line, compact
# (PID a number, or "exited" for the first row of a process gone)
pw_proc_row() {
	tail -n1 "${PW_SERVE_JSONL:-/tmp/serve.jsonl}" | jq -c --arg p "$1" \
		'[.processes[] | select(if $p == "exited" then .alive == false and .pid > 0
					 else .pid == ($p | tonumber) end)][0] // empty' 2>/dev/null
}
pw_cgroup_row() { tail -n1 "${PW_SERVE_JSONL:-/tmp/serve.jsonl}" | jq -c --arg c "$1" '.cgroups[] | select(.cgroup == $c)' 2>/dev/null; }
# pw_field ROW KEY: a number, string (quoted) or array of a row, as JSON
pw_field() { echo "$1" | jq -c --arg k "$2" 'if has($k) then .[$k] else empty end' 2>/dev/null; }
# pw_wait_field PID KEY VALUE [SECS]: until pid's row has KEY = VALUE (20 s)
pw_wait_field() {
	i=0
	while [ $i -lt $(( ${4:-20} * 5 )) ]; do
		[ "$(pw_field "$(pw_proc_row "$1")" "$2")" = "$3" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	echo "pid $1: $2 is '$(pw_field "$(pw_proc_row "$1")" "$2")', want '$3'; row: $(pw_proc_row "$1")"
	return 1
}
# pw_row_gone PID: until pid has no row (its pins released), 20 s
pw_row_gone() {
	i=0
	while [ $i -lt 100 ]; do
		[ -z "$(pw_proc_row "$1")" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	echo "pid $1 still has a row: $(pw_proc_row "$1")"; return 1
}
# pw_no_drift: the kernel's counters agree with serve's (drift 0) within 10 s
pw_no_drift() {
	i=0
	until [ "$(pw_prom 'pinwatch_kernel_drift_pins{counter="acquired"}')/$(pw_prom 'pinwatch_kernel_drift_pins{counter="released"}')" = 0/0 ]; do
		[ $i -ge 50 ] && { grep drift /tmp/pw.prom; return 1; }
		sleep 0.2; i=$((i + 1))
	done
}
# pw_serve_clean: no drift, and no pin bug found
pw_serve_clean() {
	pw_check no-drift pw_no_drift
	for k in leak put_instead_of_unpin unpin_without_pin; do
		pw_check no-$k [ "$(pw_prom "pinwatch_findings_total{kind=\"$k\"}")" = 0 ]
	done
}

# Last line of every scenario.
pw_done() {
	[ "$PW_CASES" -gt 0 ] || pw_fail "${PW_SCENARIO:-scenario}: no case ran"
	if [ $PW_FAILS -ne 0 ]; then
		echo "FAIL ${PW_SCENARIO:-scenario}: $PW_FAILS failed checks in $PW_CASES cases"
		exit 1
	fi
	echo "PASS ${PW_SCENARIO:-scenario}: $PW_CASES cases"
	exit 0
}
