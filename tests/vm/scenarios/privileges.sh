#!/bin/sh
# kernels: 6.1 6.12
# timeout: 150
# modes: fentry
# Least privilege: `run` starts CMD as the sudo user (SUDO_UID/SUDO_GID) or
# --user, as root only with --as-root, and CMD holds no capability; after
# attach pinwatch keeps no capability (CAP_BPF only on a kernel that checks it
# on every bpf() call: before 6.5, unless backported), plus CAP_KILL in run
# when CMD is another user's, to pass signals on (SIGTERM here: CMD dies of
# it, report and JSON still written). That the maps are still read after the
# drop is checked here and by every traced scenario. Nothing here depends on
# the attach mode, so it runs in one (TCG: each pinwatch start costs seconds).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
mode=${PW_TRACE:-auto}
capeff() { sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null; }
child_of() {	# the first child of pid $1 (busybox has no pgrep)
	for d in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" = "$1" ] && { echo "${d#/proc/}"; return; }
	done
}
full=$(capeff $$)
# capeff_ok HEX EXTRA: CapEff is EXTRA, or EXTRA + CAP_BPF (bit 39)
capeff_ok() { [ "$((0x$1))" = "$(($2))" ] || [ "$((0x$1))" = "$(($2 | 0x8000000000))" ]; }
echo "scenario CapEff $full"

# ids NAME WANT_UID WANT_GID 'ENV=..' run-args...: CMD reports its ids and CapEff
ids() {
	n=$1 wu=$2 wg=$3 envs=$4; shift 4
	PW_CASES=$((PW_CASES + 1))
	got=$(env $envs pinwatch run --attach "$mode" --settle 0 "$@" -- \
		sh -c 'echo $(id -u) $(id -g) $(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)' 2>/tmp/err)
	rc=$?
	set -- $got
	if [ "$rc" = 0 ] && [ "$1" = "$wu" ] && [ "$2" = "$wg" ]; then echo "ok $n (uid $1 gid $2 CapEff $3)"
	else pw_fail "$n: exit $rc, got '$got', want uid $wu gid $wg: $(tail -n 2 /tmp/err)"; fi
	[ "$wu" = 0 ] || [ "$3" = 0000000000000000 ] || pw_fail "$n: CMD holds capabilities $3"
}
ids sudo-user      65534 65533 'SUDO_UID=65534 SUDO_GID=65533'
ids sudo-as-root   0     0     'SUDO_UID=65534 SUDO_GID=65533' --as-root
ids user-option    4242  4242  'SUDO_UID=65534 SUDO_GID=65533' --user 4242
# (root without sudo runs CMD as root: every other scenario relies on it)

# live mode: CapEff of pinwatch itself once attached, then the report on SIGINT
PW_CASES=$((PW_CASES + 1))
pw_live_start /tmp/live.out --attach "$mode" --json /tmp/live.json ||
	pw_fail "live: pinwatch did not attach within 60s: $(cat /tmp/live.out)"
lp=$PW_LIVE_PID
ce=$(capeff $lp)
pwtest pin --api fast --pages 4 --release unpin >/dev/null || pw_fail "live: pin workload failed"
sleep 1
kill -INT $lp; wait $lp; rc=$?
echo "live: CapEff after attach $ce, exit $rc"
capeff_ok "$ce" 0 || pw_fail "live: CapEff $ce after attach, want none (or CAP_BPF only)"
[ "$rc" = 0 ] && grep -q '^SUMMARY: pinwatch' /tmp/live.out || pw_fail "live: exit $rc or no SUMMARY: $(tail -n 3 /tmp/live.out)"
# the maps are still read after the drop: the 4 pins were seen
[ "$(pw_json_num /tmp/live.json pins_acquired)" = 4 ] || pw_fail "live: $(pw_json_num /tmp/live.json pins_acquired) pins counted after the drop, want 4"

# run as another user: pinwatch keeps CAP_KILL and forwards SIGTERM to CMD
PW_CASES=$((PW_CASES + 1))
rm -f /tmp/term.json
SUDO_UID=65534 SUDO_GID=65534 pinwatch run --attach "$mode" --settle 0 --json /tmp/term.json -- sleep 60 2>/tmp/term.err &
rp=$!
# CMD runs (exec'd: comm "sleep") only once pinwatch has attached and dropped
i=0; sp=
until [ -n "$sp" ] && [ "$(cat /proc/$sp/comm 2>/dev/null)" = sleep ] || [ $i -ge 300 ]; do
	sleep 0.2; i=$((i + 1)); sp=$(child_of $rp)
done
ce=$(capeff $rp)
su=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$sp/status 2>/dev/null)
kill -TERM $rp; wait $rp; rc=$?
echo "run: pinwatch CapEff $ce, CMD uid $su, exit $rc after SIGTERM"
capeff_ok "$ce" 0x20 || pw_fail "run: CapEff $ce after attach, want CAP_KILL (and maybe CAP_BPF) only"
[ "$su" = 65534 ] || pw_fail "run: CMD uid '$su', want 65534"
[ "$rc" = 143 ] || pw_fail "run: exit $rc after SIGTERM, want 143 (CMD killed by the forwarded SIGTERM)"
grep -q '^SUMMARY: pinwatch' /tmp/term.err || pw_fail "run: no report after SIGTERM: $(tail -n 3 /tmp/term.err)"
[ "$(pw_json /tmp/term.json '.findings | length')" = 0 ] || pw_fail "run: no JSON report after SIGTERM"
pw_done
