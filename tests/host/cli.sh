#!/bin/sh
# Host tests of the pinwatch command line: usage errors, the refusal on a
# kernel that cannot be traced (the 6.18 build host: no kprobes, fentry EPERM),
# and the man page covering every long option. Records one result per check.
top=$(cd "$(dirname "$0")/../.." && pwd)
pw=${PINWATCH:-$top/build/pinwatch}
res() { "$top/tests/result.sh" "$@"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pw_pre=    # a command expect runs pinwatch under (setpriv)

# expect NAME STATUS PATTERN -- ARGS: exit status, and stderr is ONE line matching PATTERN
expect() {
	name=$1 want=$2 pat=$3; shift 4
	$pw_pre "$pw" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	lines=$(wc -l < "$tmp/err")
	if [ "$rc" != "$want" ]; then res FAIL "host/cli/$name" "exit $rc, want $want: $(head -c 300 "$tmp/err")"
	elif [ "$lines" != 1 ]; then res FAIL "host/cli/$name" "stderr has $lines lines, want one"
	elif ! grep -q -- "$pat" "$tmp/err"; then res FAIL "host/cli/$name" "stderr '$(cat "$tmp/err")' lacks '$pat'"
	else res PASS "host/cli/$name"; fi
}

expect unknown-option          2 "unknown option '--frobnicate'"  -- --frobnicate
expect unknown-command         2 "unknown command 'frob'"         -- frob
expect run-without-command     2 "run needs a command"            -- run
expect run-only-dashes         2 "run needs a command"            -- run --
expect bad-settle              2 "invalid value 'soon' for --settle" -- run --settle soon -- true
expect bad-settle-negative     2 "for --settle"                   -- run --settle -1s -- true
expect bad-max-pages           2 "invalid value '12x' for --max-pages" -- run --max-pages 12x -- true
expect bad-max-pages-zero      2 "for --max-pages"                -- run --max-pages 0 -- true
expect bad-attach              2 "want auto, fentry or kprobe"    -- probe --attach uprobe
expect bad-exitcode            2 "for --error-exitcode"           -- run --error-exitcode 300 -- true
expect bad-interval            2 "for --interval"                 -- --interval 1ms
expect missing-value           2 "option '--json' needs a value"  -- run --json
expect listen-needs-value      2 "option '--listen' needs a value" -- serve --listen
expect flag-takes-no-value     2 "option '--once' takes no value" -- top --once=yes
expect ambiguous-prefix        2 "option '--max' is ambiguous: --max-pages, --max-age" -- --max 1
expect short-option-unknown    2 "unknown option '-x'"            -- -x
expect short-option-in-bundle  2 "unknown option '-x'"            -- serve -xv
# getopt knows the command's own options: another command's is named as
# such before its value is read, and prefixes are unique among its own
expect other-command-before-value 2 "--interval is an option of live serve top, not of probe" -- probe --interval 1ms
# an option of another command is refused, naming the command it belongs to
expect option-of-serve         2 "--listen is an option of serve, not of probe" -- probe --listen 1234
expect option-of-top           2 "--sort is an option of top, not of probe" -- probe --sort age
expect option-of-top-in-serve  2 "--once is an option of top, not of serve" -- serve --once
expect option-of-run           2 "--settle is an option of run, not of live" -- --settle 1s
expect listen-unresolvable     2 "invalid value 'nosuchhost.invalid:80' for --listen: cannot resolve nosuchhost.invalid" -- serve --listen nosuchhost.invalid:80
expect textfile-unwritable     2 "cannot write --textfile /nonexistent/dir/x.prom" -- serve --textfile /nonexistent/dir/x.prom
expect bad-compound-duration   2 "invalid value '1h30' for --max-age" -- --max-age 1h30
expect repeated-duration-unit  2 "invalid value '1s1s' for --interval" -- --interval 1s1s
expect json-unwritable         2 "cannot write --json /nonexistent/dir/r.json" -- run --json /nonexistent/dir/r.json -- true
expect probe-extra-argument    2 "unexpected argument 'x'"        -- probe x
expect bad-listen-port         2 "invalid value '70000' for --listen" -- serve --listen 70000
expect bad-listen-junk         2 "for --listen"                   -- serve --listen 127.0.0.1:80x
expect bad-top-k               2 "for --top-k"                    -- serve --top-k 500
expect bad-sort                2 "want pages, longterm, age or holder" -- top --sort pid
expect serve-extra-argument    2 "unexpected argument 'x'"        -- serve x
expect why-bad-pfn             2 "invalid value 'abc' for --pfn"  -- why --pfn abc
expect why-pfn-backwards       2 "invalid value '0x20-0x10' for --pfn" -- why --pfn 0x20-0x10
expect why-two-ranges          2 "--pfn and --zone: give one range" -- why --pfn 1 --zone Normal
expect why-range-elsewhere     2 "--pfn is an option of why, not of run" -- run --pfn 1 -- true
expect why-no-such-zone        2 "invalid value 'Nowhere' for --zone: no such zone" -- why --zone Nowhere
expect why-no-such-block       2 "invalid value '999999' for --memory-block: no such memory block" -- why --memory-block 999999
expect why-bad-block           2 "invalid value '1-2' for --memory-block" -- why --memory-block 1-2
expect why-extra-argument      2 "unexpected argument 'x'"        -- why x
# suppressions are read before the kernel is probed, so these fail here too
printf 'leak:ok\nbogus line\n' > "$tmp/bad.supp"
expect suppressions-malformed  2 "bad.supp:2: missing ':'"       -- run --suppressions "$tmp/bad.supp" -- true
expect suppressions-missing    2 "/nonexistent.supp: No such file" -- run --suppressions /nonexistent.supp -- true
expect user-unknown            2 "invalid value 'no-such-user-x' for --user" -- run --user no-such-user-x -- true
expect user-and-as-root        2 "exclude each other"             -- run --user 0 --as-root -- true

# --help and --version; CMD --help lists CMD's options only
if "$pw" --help | grep -q '^Usage: pinwatch'; then res PASS host/cli/help; else res FAIL host/cli/help "no usage text"; fi
"$pw" top --help > "$tmp/top.help"; "$pw" run --help > "$tmp/run.help"
if grep -q '^Usage: pinwatch top ' "$tmp/top.help" && grep -q -- '--by WHAT' "$tmp/top.help" &&
   ! grep -q -- '--settle' "$tmp/top.help" && grep -q -- '--settle DUR' "$tmp/run.help" &&
   ! grep -q -- '--sort' "$tmp/run.help" && ! grep -q '^       pinwatch serve' "$tmp/run.help"; then
	res PASS host/cli/help-per-command
else res FAIL host/cli/help-per-command "top: $(grep -c -- '--' "$tmp/top.help") option lines, run: $(grep -c -- '--' "$tmp/run.help")"; fi
if "$pw" --version | grep -Eq '^pinwatch [0-9]+\.[0-9]+\.[0-9]+$'; then res PASS host/cli/version; else res FAIL host/cli/version "bad --version"; fi

# Every long option the parser takes (src/cli.c's table) is in --help, and
# each is documented in man/pinwatch.8: an empty or short --help fails.
known=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", \(required\|no\|optional\)_argument.*/\1/p' "$top/src/cli.c" | sort)
shown=$("$pw" --help | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u)
missing=""
for o in $known; do
	echo "$shown" | grep -qx -- "$o" || missing="$missing --$o(not in --help)"
	grep -q -- "$(echo "--$o" | sed 's/-/\\\\-/g')" "$top/man/pinwatch.8" || missing="$missing --$o"
done
if [ -n "$known" ] && [ -z "$missing" ]; then res PASS host/cli/man-covers-help
else res FAIL host/cli/man-covers-help "${missing:- no options found in src/cli.c}"; fi

# Privileges, checked with capget before any probing: the message names what
# is missing, exit 1 (as nobody: no capability at all; as root without CAP_BPF).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# a copy nobody can reach, wherever the tree lives (e.g. under /root)
	pw_saved=$pw; chmod 755 "$tmp"; cp "$pw" "$tmp/pinwatch"; pw=$tmp/pinwatch
	pw_pre="setpriv --reuid=65534 --regid=65534 --clear-groups"
	expect not-root-run        1 "missing capability CAP_BPF and CAP_PERFMON" -- run -- true
	expect not-root-probe      1 "missing capability CAP_BPF and CAP_PERFMON" -- probe
	expect not-root-live       1 "missing capability CAP_BPF and CAP_PERFMON" --
	expect not-root-why        1 "missing capability CAP_BPF and CAP_PERFMON" -- why --pfn 0
	pw_pre="setpriv --inh-caps=-bpf,-sys_admin --bounding-set=-bpf,-sys_admin"
	expect no-cap-bpf          1 "missing capability CAP_BPF ("    -- run -- true
	pw_pre="setpriv --inh-caps=-perfmon,-sys_admin --bounding-set=-perfmon,-sys_admin"
	expect no-cap-perfmon      1 "missing capability CAP_PERFMON (" -- run -- true
	pw_pre= pw=$pw_saved
else
	res FAIL host/cli/privileges "needs root and setpriv to test the capability checks"
fi

# No BTF, or BTF that does not parse (PINWATCH_BTF points the probe elsewhere):
# the kernel cannot be traced, exit 77, one line naming the file.
export PINWATCH_BTF=/nonexistent/vmlinux
expect btf-missing 77 "no usable kernel BTF (/nonexistent/vmlinux: No such file" -- run -- true
head -c 4096 /dev/urandom > "$tmp/garbage.btf"
PINWATCH_BTF=$tmp/garbage.btf
expect btf-unreadable 77 "no usable kernel BTF ($tmp/garbage.btf:" -- probe
unset PINWATCH_BTF

# The refusal on a kernel that cannot be traced. Which case applies is read
# from the kernel itself, so the test is right on any host: the build host
# (no kprobe PMU, fentry refused) must get 77 and one line naming what is missing.
"$pw" probe >"$tmp/probe" 2>"$tmp/perr"; prc=$?
if [ "$(id -u)" != 0 ]; then
	res FAIL host/cli/refusal "must run as root to test the kernel refusal"
elif [ $prc = 77 ]; then
	if grep -q 'cannot trace pins on kernel' "$tmp/perr" && [ "$(wc -l < "$tmp/perr")" = 1 ] &&
	   grep -q 'fentry' "$tmp/perr" && grep -q 'kprobe' "$tmp/perr"; then
		res PASS host/cli/probe-refuses-untraceable-kernel
	else res FAIL host/cli/probe-refuses-untraceable-kernel "stderr: $(cat "$tmp/perr")"; fi
	expect run-refuses-untraceable-kernel 77 "cannot trace pins on kernel" -- run -- true
	# probe --json: the plan as a document, refused or not (schemas/pinwatch-probe)
	"$pw" probe --json "$tmp/p.json" >/dev/null 2>&1
	if /usr/bin/python3 -c 'import json,sys,jsonschema; d=json.load(open(sys.argv[1])); jsonschema.validate(d, json.load(open(sys.argv[2]))); sys.exit(d["traceable"] or not d["missing"] or not d["hooks"])' \
		"$tmp/p.json" "$top/schemas/pinwatch-probe.schema.json" 2>"$tmp/pj.err"; then
		res PASS host/cli/probe-json
	else res FAIL host/cli/probe-json "$(tail -n 2 "$tmp/pj.err") $(head -c 200 "$tmp/p.json")"; fi
	# one short line that says where the details are
	if [ "$(wc -c < "$tmp/err")" -le 200 ] && grep -q "(details: pinwatch probe)$" "$tmp/err"; then
		res PASS host/cli/refusal-line-is-short
	else res FAIL host/cli/refusal-line-is-short "$(wc -c < "$tmp/err") bytes: $(cat "$tmp/err")"; fi
	# parsed before the refusal: a host name, a unique prefix, compound durations, -v
	expect listen-host-name 77 "cannot trace pins on kernel" -- serve --listen localhost:19477
	expect unique-prefix    77 "cannot trace pins on kernel" -- run --sett 1s -- true
	expect unique-among-own 77 "cannot trace pins on kernel" -- top --t 5 --once
	# --json through a symlink to a file not there yet is written through it
	ln -s "$tmp/not-yet.json" "$tmp/link.json"
	expect json-dangling-symlink 77 "cannot trace pins on kernel" -- run --json "$tmp/link.json" -- true
	expect compound-durations 77 "cannot trace pins on kernel" -- --interval 1m30s --max-age 1d12h
	"$pw" probe -v >/dev/null 2>"$tmp/v.err"
	if grep -q '^libbpf: ' "$tmp/v.err"; then res PASS host/cli/verbose-shows-libbpf
	else res FAIL host/cli/verbose-shows-libbpf "stderr: $(head -c 300 "$tmp/v.err")"; fi
	expect live-refuses-untraceable-kernel 77 "cannot trace pins on kernel" --
	expect serve-refuses-untraceable-kernel 77 "cannot trace pins on kernel" -- serve --listen 127.0.0.1:19477
	expect top-refuses-untraceable-kernel 77 "cannot trace pins on kernel" -- top --once
	# nothing may run CMD when tracing is impossible
	"$pw" run -- touch "$tmp/ran" 2>/dev/null
	if [ -e "$tmp/ran" ]; then res FAIL host/cli/refusal-does-not-run-cmd "CMD ran"; else res PASS host/cli/refusal-does-not-run-cmd; fi
	# the last report survives a refused run whole, and no temporary is left
	echo '{"last": "report"}' > "$tmp/r.json"
	"$pw" run --json "$tmp/r.json" -- true 2>/dev/null
	if [ "$(cat "$tmp/r.json")" != '{"last": "report"}' ]; then
		res FAIL host/cli/refusal-keeps-json "r.json now: '$(head -c 80 "$tmp/r.json")'"
	elif ls "$tmp"/r.json.* >/dev/null 2>&1; then res FAIL host/cli/refusal-keeps-json "left $(ls "$tmp"/r.json.*)"
	else res PASS host/cli/refusal-keeps-json; fi
	# and a report file it created for a refused run is not left behind empty
	"$pw" run --json "$tmp/new.json" -- true 2>/dev/null
	if [ -e "$tmp/new.json" ]; then res FAIL host/cli/refusal-leaves-no-json "left $tmp/new.json"
	else res PASS host/cli/refusal-leaves-no-json; fi
	# the same for serve's and top's JSON lines
	echo '{"last": "lines"}' > "$tmp/s.jsonl"
	"$pw" serve --listen 127.0.0.1:19477 --json "$tmp/s.jsonl" 2>/dev/null
	"$pw" top --once --json "$tmp/t.jsonl" 2>/dev/null
	if [ "$(cat "$tmp/s.jsonl")" != '{"last": "lines"}' ] || [ -e "$tmp/t.jsonl" ]; then
		res FAIL host/cli/refusal-keeps-json-lines "s.jsonl: '$(head -c 80 "$tmp/s.jsonl")', t.jsonl $(ls "$tmp/t.jsonl" 2>&1)"
	else res PASS host/cli/refusal-keeps-json-lines; fi
elif [ $prc = 0 ]; then
	expect run-true-on-traceable-host 0 "SUMMARY: pinwatch: no findings" -- run --settle 0 -- true
else
	res FAIL host/cli/probe "pinwatch probe exit $prc: $(cat "$tmp/perr")"
fi

# `why` needs no GUP hook, only a BPF program run by the loader: it answers
# here too, where tracing is refused. No session runs, so it says that, once.
if [ "$(id -u)" = 0 ]; then
	"$pw" why --pfn 0-0xffff --json "$tmp/why.json" >"$tmp/why.out" 2>"$tmp/why.err"; rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then res FAIL host/cli/why-scan-only "exit $rc: $(cat "$tmp/why.err")"
	elif [ "$(wc -l < "$tmp/why.err")" != 1 ] || ! grep -q "no pinwatch serve or live session runs" "$tmp/why.err"; then
		res FAIL host/cli/why-scan-only "stderr: $(cat "$tmp/why.err")"
	elif ! grep -q "^SUMMARY: pinwatch why: .* in pfn 0-0xffff of [0-9]* pages of user memory$" "$tmp/why.out"; then
		res FAIL host/cli/why-scan-only "stdout: $(tail -n 2 "$tmp/why.out")"
	elif ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["start_pfn"] == 0 and d["end_pfn"] == 65536 and not d["traced"] and (d["user_pages"] + d["kernel_pages"] + d["free_pages"] + d["holes"] + d["transient_pages"]) <= 65536 and d["user_pages"] + d["kernel_pages"] > 0))' "$tmp/why.json"; then
		res FAIL host/cli/why-scan-only "JSON: $(head -c 400 "$tmp/why.json")"
	else res PASS host/cli/why-scan-only; fi
	if [ -n "$(ls /sys/kernel/mm/cma 2>/dev/null)" ]; then
		expect why-no-such-cma 2 "invalid value 'nope' for --cma: no such CMA area; there are: " -- why --cma nope
	else
		expect why-no-cma 77 "no CMA area on this kernel (--cma nope)" -- why --cma nope
	fi
else
	res FAIL host/cli/why-scan-only "must run as root to scan pages"
fi

# make check's stage wrapper: a stage that exits non-zero without recording a
# failure gets one; one that recorded its own gets no second
st=$tmp/stage-results.txt; : > "$st"
PW_RESULTS=$st "$top/tests/stage.sh" died sh -c 'exit 3' >/dev/null
PW_RESULTS=$st "$top/tests/stage.sh" recorded sh -c "\"$top/tests/result.sh\" FAIL x/y because; exit 1" >/dev/null
PW_RESULTS=$st "$top/tests/stage.sh" clean true >/dev/null
if [ "$(grep -c '^FAIL stage/died ' "$st")" = 1 ] && [ "$(grep -c '^FAIL' "$st")" = 2 ] &&
   ! grep -q 'stage/recorded\|stage/clean' "$st"; then res PASS host/cli/stage-records-silent-death
else res FAIL host/cli/stage-records-silent-death "results: $(tr '\n' '|' < "$st")"; fi
