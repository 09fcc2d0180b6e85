#!/bin/sh
# kernels: 6.1 6.12
# timeout: 150
# modes: fentry
# SIGKILL leaves nothing behind: no BPF program or link of pinwatch's stays
# loaded (bpftool) and nothing is pinned in /sys/fs/bpf. Two `pinwatch run`
# side by side each report only their own CMD's pins. By default in one
# attach mode (make check time); `run-vm.sh V sigkill-and-instances@kprobe`
# runs the other (passes on 6.1 and 6.12).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
mode=${PW_TRACE:-auto}
command -v bpftool >/dev/null || pw_die "no bpftool in the initramfs"
# pinwatch's programs: pw_* (audit, tracepoints), fe_/fx_ (fentry/fexit), kp_/kr_ (kprobes)
nprogs() { bpftool prog show 2>/dev/null | grep -cE ' name (pw|fe|fx|kp|kr)_'; }
nlinks() { bpftool link show 2>/dev/null | grep -c '^[0-9]*:'; }
pinned() { find /sys/fs/bpf -mindepth 1 2>/dev/null | wc -l; }
p0=$(nprogs) l0=$(nlinks) f0=$(pinned)
echo "before: $p0 programs, $l0 links, $f0 pinned"

PW_CASES=$((PW_CASES + 1))
pw_live_start /tmp/live.out --attach "$mode" ||
	pw_fail "sigkill: pinwatch did not attach within 60s: $(cat /tmp/live.out)"
lp=$PW_LIVE_PID
p1=$(nprogs) l1=$(nlinks)
echo "attached: $p1 programs, $l1 links"
[ "$p1" -gt "$p0" ] && [ "$l1" -gt "$l0" ] || pw_fail "sigkill: pinwatch's programs/links not seen while attached"
kill -KILL $lp; wait $lp 2>/dev/null
# programs and links are freed once the last fd closes (deferred work: poll)
i=0; while { [ "$(nprogs)" != "$p0" ] || [ "$(nlinks)" != "$l0" ]; } && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
p2=$(nprogs) l2=$(nlinks) f2=$(pinned)
echo "after SIGKILL: $p2 programs, $l2 links, $f2 pinned"
if [ "$p2" = "$p0" ] && [ "$l2" = "$l0" ] && [ "$f2" = "$f0" ]; then echo "ok sigkill-leaves-nothing"
else pw_fail "sigkill: left $((p2 - p0)) programs, $((l2 - l0)) links, $((f2 - f0)) pinned files"; bpftool prog show; fi

# Two instances at once. A CMD starts only once its pinwatch is attached, so
# each says so with a file and waits for the other's before it pins.
PW_CASES=$((PW_CASES + 1))
rm -f /tmp/a.ready /tmp/b.ready
both='i=0; while [ ! -f /tmp/a.ready ] || [ ! -f /tmp/b.ready ]; do [ $i -ge 300 ] && exit 9; sleep 0.1; i=$((i+1)); done'
pinwatch run --attach "$mode" --settle 500ms --json /tmp/a.json -- \
	sh -c "touch /tmp/a.ready; $both; pwtest pin --api fast --pages 4 --release never" >/dev/null 2>/tmp/a.err &
a=$!
pinwatch run --attach "$mode" --settle 500ms --json /tmp/b.json -- \
	sh -c "touch /tmp/b.ready; $both; pwtest pin --api fast --pages 8 --release put" >/dev/null 2>/tmp/b.err &
b=$!
wait $a; ra=$?
wait $b; rb=$?
fa=$(pw_json_findings /tmp/a.json "" "" | awk 'NF{print $1 ":" $2}' | tr '\n' ' ')
fb=$(pw_json_findings /tmp/b.json "" "" | awk 'NF{print $1 ":" $2}' | tr '\n' ' ')
echo "instance A: exit $ra, findings $fa; instance B: exit $rb, findings $fb"
[ "$ra" = 23 ] && [ "$fa" = "leak:4 " ] || pw_fail "two-instances: A exit $ra findings [$fa], want 23 [leak:4]: $(tail -n 2 /tmp/a.err)"
[ "$rb" = 23 ] && [ "$fb" = "put_instead_of_unpin:8 " ] ||
	pw_fail "two-instances: B exit $rb findings [$fb], want 23 [put_instead_of_unpin:8]: $(tail -n 2 /tmp/b.err)"
[ "$PW_FAILS" = 0 ] && echo "ok two-instances"
pwtest release-leaked >/dev/null
pw_done
