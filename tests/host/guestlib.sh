#!/bin/sh
# The guest's JSON helpers (tests/vm/guest/lib.sh, run in the VMs with
# Debian's jq) read documents by their structure, not their layout: on the
# documents a 6.12 guest wrote (tests/unit/data/vm-6.12-*.json), each
# re-laid out compact, tab-indented and 4-space-indented, they answer what
# they answer on the original, and that is what python's json module reads.
# Records one result per helper.
top=$(cd "$(dirname "$0")/../.." && pwd)
res() { "$top/tests/result.sh" "$@"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
data=$top/tests/unit/data
command -v jq >/dev/null || { res FAIL host/guestlib/jq "jq not installed (make deps)"; exit 1; }
PW_KVER=test . "$top/tests/vm/guest/lib.sh"

# layouts DOC: the document, then the same re-laid out, one file each
layouts() {
	cp "$1" "$tmp/0.json"
	jq -c . "$1" > "$tmp/1.json"
	jq --tab . "$1" > "$tmp/2.json"
	jq --indent 4 . "$1" > "$tmp/3.json"
}
# same NAME WANT CMD...: CMD (with @ for the file) says WANT on every layout
same() {
	name=$1 want=$2; shift 2
	for n in 0 1 2 3; do
		got=$(eval "$(echo "$*" | sed "s|@|$tmp/$n.json|g")")
		if [ "$got" != "$want" ]; then
			res FAIL "host/guestlib/$name" "layout $n: got '$(echo "$got" | head -c 200)', want '$(echo "$want" | head -c 200)'"
			return
		fi
	done
	res PASS "host/guestlib/$name"
}
py() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); $1" "$2"; }

report=$data/vm-6.12-run-report.json
layouts "$report"
same json-num "$(py 'print(d["kernel_counters"]["nr_foll_pin_acquired_delta"])' "$report")" \
	pw_json_num @ nr_foll_pin_acquired_delta
same json-bool "$(py 'print(str(d["incomplete"]).lower())' "$report")" pw_json_bool @ incomplete
want=$(py 'print("\n".join("%s %d %s %s %d 0" % (f["kind"], f["pins"], str(f["longterm"]).lower(), f["api"],
	any(s.startswith("pwt_pin_fast+") for s in f["acquire_stack"])) for f in d["findings"]))' "$report")
same json-findings "$want" pw_json_findings @ pwt_pin_fast ""

why=$data/vm-6.12-why.json
layouts "$why"
want=$(py 'print("\n".join(" ".join("-" if g.get(k) is None else str(g[k]).lower() if isinstance(g[k], bool) else str(g[k])
	for k in ("verdict", "holder", "comm", "pid", "pages", "pins", "refs", "folios")) for g in d["groups"]))' "$why")
same why-groups "$want" pw_why_groups @
v=$(py 'print(d["groups"][0]["verdict"])' "$why")
same why-pfns "$(py "print('\n'.join(str(p['pfn']) for g in d['groups'] if g['verdict'] == '$v' for p in g['pfns']))" "$why")" \
	pw_why_pfns @ "$v"

# serve's stream (JSON lines: one compact object a line) and its accounting rows
line=$data/vm-6.12-serve-line.json
pid=$(py 'print([p["pid"] for p in d["processes"] if p["pid"] > 0][0])' "$line")
cg=$(py 'print(d["cgroups"][0]["cgroup"])' "$line")
{ echo '{"type":"an older line"}'; jq -c . "$line"; } > "$tmp/serve.jsonl"
PW_SERVE_JSONL=$tmp/serve.jsonl
want=$(py "p = [p for p in d['processes'] if p['pid'] == $pid][0]
print(p['pinned_bytes'], json.dumps(p['cgroup']), json.dumps(p['findings'], separators=(',', ':')), str(p['alive']).lower())" "$line")
r=$(pw_proc_row "$pid")
got="$(pw_field "$r" pinned_bytes) $(pw_field "$r" cgroup) $(pw_field "$r" findings) $(pw_field "$r" alive)"
if [ "$got" = "$want" ]; then res PASS host/guestlib/proc-row; else res FAIL host/guestlib/proc-row "got '$got', want '$want'"; fi
want=$(py "print([c for c in d['cgroups'] if c['cgroup'] == '$cg'][0]['pinned_bytes'])" "$line")
got=$(pw_field "$(pw_cgroup_row "$cg")" pinned_bytes)
if [ "$got" = "$want" ]; then res PASS host/guestlib/cgroup-row; else res FAIL host/guestlib/cgroup-row "got '$got', want '$want'"; fi

# a blocked event in live mode's output, among others and the report's line
cat > "$tmp/live.out" <<'OUT'
10:33:14 blocked: CMA allocation of pfn 0x100000-0x13ffff by sh[99] failed at pfn 0x100200
  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[246] via pin_user_pages_fast, 3 pages from pfn 0x100200
10:33:15 blocked: gigantic hugepage allocation of pfn 0x40000-0x7ffff by sh[168] failed at pfn 0x7c800
  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[246] via pin_user_pages_fast, 13414 pages from pfn 0x7c800
blocked: gigantic hugepage allocation of pfn 0x40000-0x7ffff at 9.9s: short_term_pin pinwatch_test:pwt_pin_fast (13414 pages)
OUT
pw_blocked_event "$tmp/live.out" "gigantic hugepage allocation" >/dev/null
got="$PW_EV_START $PW_EV_END $PW_BUSY"
if [ "$got" = "0x40000 0x7ffff 0x7c800" ]; then res PASS host/guestlib/blocked-event
else res FAIL host/guestlib/blocked-event "got '$got', want '0x40000 0x7ffff 0x7c800'"; fi
pw_blocked_event "$tmp/live.out" "memory offline" >/dev/null
got="$PW_EV$PW_EV_START$PW_EV_END$PW_BUSY"
if [ -z "$got" ]; then res PASS host/guestlib/blocked-event-none
else res FAIL host/guestlib/blocked-event-none "got '$got' for an event that is not there"; fi
pw_blocked_event "$tmp/live.out" "CMA allocation" >/dev/null
{ echo "$PW_EV"; echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[250] via pin_user_pages_fast, 5 pages from pfn 0x100300"
  echo "  not_a_pin: unknown, 7 pages from pfn 0x100400"
  echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[251] via pin_user_pages_fast, 2 pages from pfn 0x100500"
  echo "10:33:16 blocked: CMA allocation of pfn 0x100000-0x13ffff by sh[99] failed at pfn 0x100200"
  echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[246] via pin_user_pages_fast, 9 pages from pfn 0x100200"
} > "$tmp/live2.out"
# each event's own holders, summed
got="$(pw_event_pages "$tmp/live.out" short_term_pin) $(pw_event_pages "$tmp/live2.out" short_term_pin)"
if [ "$got" = "3 7" ]; then res PASS host/guestlib/event-pages
else res FAIL host/guestlib/event-pages "got '$got', want '3 7'"; fi
# the same event line twice, and holders live mode left out
{ echo "$PW_EV"; echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[250] via pin_user_pages_fast, 5 pages from pfn 0x100300"
  echo "$PW_EV"; echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[250] via pin_user_pages_fast, 4 pages from pfn 0x100300"
} > "$tmp/live3.out"
{ echo "$PW_EV"; echo "  short_term_pin: pinwatch_test:pwt_pin_fast, pwtest[250] via pin_user_pages_fast, 5 pages from pfn 0x100300"
  echo "  ... 2 more holders (pinwatch why --pfn 0x100200-0x13ffff)"; } > "$tmp/live4.out"
got="$(pw_event_pages "$tmp/live3.out" short_term_pin) $(pw_event_pages "$tmp/live4.out" short_term_pin)"
if [ "$got" = "5 more" ]; then res PASS host/guestlib/event-pages-once
else res FAIL host/guestlib/event-pages-once "got '$got', want '5 more'"; fi
