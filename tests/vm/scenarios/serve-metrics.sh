#!/bin/sh
# kernels: 6.1 6.12 7.3 7.3-rt
# timeout: 180
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# Monitoring: `pinwatch serve` exports the pins held now by holder over HTTP
# (busybox wget), to a textfile and as JSON lines: a long-term pin of 16 pages
# taken by the test module shows as pinwatch_pinned_pages{holder=
# "pinwatch_test:pwt_pin_plain",longterm="true"} 16 and drops to 0 once
# released; a put_page() bug increments the findings counter after the audit.
# 8 pages pinned before serve started show as holder "before_tracing" and
# drop to 0 when released. The HTTP server answers / , 404s, 405s and survives garbage. `top --once`
# next to serve reads serve's mirror; after it, traces one interval itself.
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
port=9477
url=http://127.0.0.1:$port
pw_load_module
ifconfig lo 127.0.0.1 up || ip link set lo up
rm -f /tmp/pw.prom /tmp/serve.jsonl

scrape() { timeout 5 wget -q -O /tmp/m.txt "$url/metrics"; }
metric() { awk -v k="$1" '$1 == k { print $2 }' /tmp/m.txt; }
# wait_metric SERIES VALUE: poll the endpoint until SERIES equals VALUE (10 s)
wait_metric() {
	i=0
	while [ $i -lt 50 ]; do
		scrape && [ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	echo "last $1 = '$(metric "$1")'; holders:"
	grep '^pinwatch_pinned_pages' /tmp/m.txt
	return 1
}

# pins older than serve: found by its scan at start, held by "before_tracing"
# (none left parked by an earlier scenario the guest stopped at its timeout)
pwtest release-leaked >/dev/null
pwtest pin --api fast --pages 8 --release never >/dev/null || pw_die "pin before serve"
pinwatch serve --attach "$mode" --listen 127.0.0.1:$port --interval 300ms \
	--textfile /tmp/pw.prom --json /tmp/serve.jsonl 2>/tmp/serve.err &
sp=$!
trap 'kill $sp 2>/dev/null' EXIT	# a failed scenario must not leave the port taken
i=0; until grep -q 'serving' /tmp/serve.err || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done
grep -q serving /tmp/serve.err || { cat /tmp/serve.err; pw_die "serve did not start"; }
cat /tmp/serve.err

held='pinwatch_pinned_pages{holder="pinwatch_test:pwt_pin_plain",longterm="true"}'
bytes='pinwatch_pinned_bytes{holder="pinwatch_test:pwt_pin_plain",longterm="true"}'
put='pinwatch_findings_total{kind="put_instead_of_unpin"}'

scrape || pw_die "first scrape failed"
before='pinwatch_pinned_pages{holder="before_tracing",longterm="false"}'
pw_check pinned-before-serve-8 wait_metric "$before" 8
pw_check pinned-before-serve-said grep -q "^pinwatch: 8 pages (8 pins) were pinned before tracing began" /tmp/serve.err
pw_check findings-start-at-0 [ "$(metric "$put")" = 0 ]
pwtest pin --api plain --longterm --pages 16 --release never || pw_fail "pin workload"
pw_check pinned-pages-16 wait_metric "$held" 16
pw_check pinned-bytes-64k [ "$(metric "$bytes")" = 65536 ]
pw_check pinned-zone-pages-16 [ "$(metric 'pinwatch_pinned_zone_pages{holder="pinwatch_test:pwt_pin_plain",zone="DMA32",longterm="true"}')" = 16 ]
grep "pwt_pin_plain\|^pinwatch_pins_\|^pinwatch_kernel\|^pinwatch_attach_info" /tmp/m.txt
pwtest release-leaked || pw_fail "release-leaked"
pw_check pinned-pages-back-to-0 wait_metric "$held" 0
pw_check pinned-before-serve-back-to-0 wait_metric "$before" 0

pwtest pin --api fast --pages 4 --release put || pw_fail "put workload"
pw_check put-finding-counted wait_metric "$put" 1
pw_check no-drift-acquired [ "$(metric 'pinwatch_kernel_drift_pins{counter="acquired"}')" = 0 ]
pw_check no-drift-released [ "$(metric 'pinwatch_kernel_drift_pins{counter="released"}')" = 0 ]

# the other endpoints, and clients that misbehave
pw_check index-links-metrics sh -c "wget -q -O - $url/ | grep -q 'href=\"/metrics\"'"
pw_check unknown-path-404 sh -c "wget -q -O /dev/null $url/nope 2>&1 | grep -q 404"
pw_check post-405 sh -c "wget -q -O /dev/null --post-data x=1 $url/metrics 2>&1 | grep -q 405"
printf 'GARBAGE \001\002\r\n\r\n' | timeout 5 nc 127.0.0.1 $port >/dev/null 2>&1
head -c 200000 /dev/zero | tr '\0' A | sed 's/^/GET \/metrics HTTP\/1.1\r\nX: /' |
	timeout 5 nc 127.0.0.1 $port >/dev/null 2>&1
pw_check alive-after-garbage sh -c "kill -0 $sp && wget -q -O /dev/null $url/metrics"

pw_check textfile-written grep -q '^pinwatch_build_info{' /tmp/pw.prom
# process_* over HTTP only: node_exporter has its own in the textfile's scrape
self_metrics() {
	scrape && grep -q '^process_start_time_seconds [0-9]' /tmp/m.txt &&
		grep -q '^process_open_fds [1-9]' /tmp/m.txt && ! grep -q '^process_' /tmp/pw.prom
}
pw_check self-metrics-http-only self_metrics
pw_check json-lines sh -c 'tail -n1 /tmp/serve.jsonl | jq -e "(.type == \"pinwatch-stream\") and (.schema_version == 1)" >/dev/null'
# top next to serve: one table at once, from serve's mirror (no tracing of its own)
pwtest pin --api plain --longterm --pages 16 --release never >/dev/null || pw_fail "pin workload"
pinwatch top --once --folded /tmp/topc.folded >/tmp/topc.out 2>/tmp/topc.err; rc=$?
cat /tmp/topc.err /tmp/topc.out
pw_check top-next-to-serve-exit-0 [ "$rc" = 0 ]
pw_check top-next-to-serve-reads-its-mirror grep -q "holders from pinwatch serve (pid $sp)" /tmp/topc.err
pw_check top-next-to-serve-row awk '$1 == "pinwatch_test:pwt_pin_plain" && $2 == 16 && $4 == 16 { ok = 1 } END { exit !ok }' /tmp/topc.out
pw_check top-next-to-serve-counts grep -q "findings: leak 0, put_instead_of_unpin 1," /tmp/topc.out
# --folded: the pins held when top quit, by stack, root first
pw_check top-next-to-serve-folded grep -qE '^pinned;pwtest;([^;]+;)*pwt_pin_plain \[pinwatch_test\](;[^;]+)* 16$' /tmp/topc.folded
pwtest release-leaked >/dev/null || pw_fail "release-leaked"

kill -TERM $sp; wait $sp; rc=$?
pw_check serve-exits-0 [ "$rc" = 0 ]
# once serve has exited: while it runs, a look can land between mkstemp and
# rename (every 300 ms here) and see the temporary file, which is no bug
pw_check textfile-no-temp-left sh -c '! ls /tmp/pw.prom.tmp* 2>/dev/null'
pw_check textfile-whole-after-exit grep -q '^pinwatch_pins_acquired_total ' /tmp/pw.prom

# top --once: the holder table of a pin held now
# (one table after --interval of tracing: the pin is taken within it)
pinwatch top --attach "$mode" --once --interval 4s --folded /tmp/top.folded >/tmp/top.out 2>/tmp/top.err &
tp=$!
i=0; until grep -q 'tracing for' /tmp/top.err || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done
pwtest pin --api plain --longterm --pages 16 --release never >/dev/null || pw_fail "pin workload"
wait $tp; rc=$?
cat /tmp/top.err
cat /tmp/top.out
pw_check top-once-exit-0 [ "$rc" = 0 ]
pw_check top-once-row awk '$1 == "pinwatch_test:pwt_pin_plain" && $2 == 16 && $4 == 16 { ok = 1 } END { exit !ok }' /tmp/top.out
pw_check top-once-no-escapes sh -c '! grep -q "$(printf "\033")" /tmp/top.out'
pw_check top-once-folded grep -qE '^pinned;pwtest;([^;]+;)*pwt_pin_plain \[pinwatch_test\](;[^;]+)* 16$' /tmp/top.folded
pwtest release-leaked >/dev/null || pw_fail "release-leaked"

# top, live, on a terminal (pwtest pty): redraws in place with plain ANSI,
# shows a pin taken while it runs, re-sorts on 'a' and quits on 'q'
# (--after: the 4 s of watching start when the pin is taken, not at launch,
# so a slow load on a busy host cannot eat them)
rm -f /tmp/pty.out /tmp/pty.go
pwtest pty --after /tmp/pty.go --seconds 4 --keys aq -- pinwatch top --attach "$mode" --interval 1s >/tmp/pty.out 2>&1 &
pp=$!
i=0; until grep -q 'keys: p pages' /tmp/pty.out || [ $i -ge 300 ]; do sleep 0.2; i=$((i + 1)); done
pwtest pin --api plain --longterm --pages 16 --release never >/dev/null || pw_fail "pin workload"
touch /tmp/pty.go
wait $pp; rc=$?
pw_check top-live-quits-on-q [ "$rc" = 0 ]
pw_check top-live-redraws-in-place [ "$(grep -o "$(printf '\033')\[H$(printf '\033')\[2J" /tmp/pty.out | wc -l)" -ge 3 ]
pw_check top-live-shows-new-pin grep -q 'pinwatch_test:pwt_pin_plain' /tmp/pty.out
pw_check top-live-key-legend grep -q 'keys: p pages, l long-term, a age, h holder, q quit' /tmp/pty.out
pw_check top-live-sorts-on-a grep -q 'sorted by age' /tmp/pty.out
pwtest release-leaked >/dev/null || pw_fail "release-leaked"
pw_done
