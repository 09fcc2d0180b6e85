#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 360
# modes: fentry
# modules: veth
# userland: iproute2
# (one attach mode is enough here: the test-module scenarios run under both)
# The accounting view: physical pinned bytes per process and cgroup beside
# VmPin, VmLck and RLIMIT_MEMLOCK, from serve's JSON lines and metrics and
# from `top --by process|cgroup` next to it. Each pinner lives in its own
# cgroup and holds its pins while checked:
#  - the test module's long-term pin charges nothing: pin_not_charged;
#  - io_uring fixed buffers of an unprivileged process charge VmPin
#    (mm->pinned_vm) page for page: no finding (7.x charges root nothing);
#    a ring a child keeps open leaves the pins with the exited pinner;
#  - AF_XDP's UMEM, its socket bound to a veth, charges only user->locked_vm,
#    and nothing at all for root (CAP_IPC_LOCK): pin_not_charged, as the
#    kernel has it; released when the socket closes.
# Each process's bytes equal its pages in the mirror (`why --json`), the
# pins go when released, and the kernel's counters agree (drift 0).
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
pw_load_module
[ -f /sys/fs/cgroup/cgroup.controllers ] || mount -t cgroup2 none /sys/fs/cgroup ||
	pw_die "cannot mount cgroup2"
echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
for g in module uring xdp; do mkdir -p /sys/fs/cgroup/pw-$g; done

pw_serve_start "$mode"

# sh -c "$enter" NAME CMD...: CMD in cgroup pw-NAME, under the pid $! names
enter='echo $$ > "/sys/fs/cgroup/pw-$0/cgroup.procs" && exec "$@"'
# the mirror's pages of pid $1, from why's groups (pins only)
mirror_pages() {
	pinwatch why --json /tmp/why.json >/dev/null 2>&1
	pw_why_groups /tmp/why.json | awk -v p="$1" '$4 == p && $1 ~ /pin/ { n += $5 } END { print n + 0 }'
}

# --- the test module: a long-term pin nobody charges -----------------------
sh -c "ulimit -l 4096 && $enter" module pwtest pin --api plain --longterm --pages 16 --release never --hold-ms 300000 >/tmp/pin.out &
p=$!
pw_check module-pinned-64k pw_wait_field $p pinned_bytes 65536
r=$(pw_proc_row $p); echo "module: $r"
pw_check module-longterm [ "$(pw_field "$r" longterm_bytes)" = 65536 ]
pw_check module-charges-nothing [ "$(pw_field "$r" vmpin_bytes)/$(pw_field "$r" vmlck_bytes)" = 0/0 ]
pw_check module-pin-not-charged [ "$(pw_field "$r" findings)" = '["pin_not_charged"]' ]
pw_check module-cgroup [ "$(pw_field "$r" cgroup)" = '"/pw-module"' ]
pw_check module-memlock-limit [ "$(pw_field "$r" memlock_limit_bytes)" = 4194304 ]
c=$(pw_cgroup_row /pw-module); echo "cgroup: $c"
pw_check module-cgroup-row [ "$(pw_field "$c" pinned_bytes)" = 65536 ]
pw_check module-cgroup-memory-current [ "$(pw_field "$c" memory_current_bytes)" -gt 0 ] 2>/dev/null
pw_check module-bytes-are-mirror-pages [ "$(mirror_pages $p)" = 16 ]
pw_check module-finding-metric [ "$(pw_prom 'pinwatch_accounting_findings{kind="pin_not_charged"}')" -ge 1 ]
pw_check module-finding-series grep -q "^pinwatch_process_accounting_finding{pid=\"$p\",comm=\"pwtest\",kind=\"pin_not_charged\"} 1" /tmp/pw.prom
pinwatch top --once --by process >/tmp/top.txt 2>&1
cat /tmp/top.txt
pw_check top-by-process grep -qE "^ +$p pwtest +64.0K +64.0K +0B +0B +4.0M +pin_not_charged +/pw-module\$" /tmp/top.txt
pinwatch top --once --by cgroup >/tmp/topc.txt 2>&1
grep -A3 "^CGROUP" /tmp/topc.txt
pw_check top-by-cgroup grep -qE "^/pw-module +1 +64.0K +64.0K +0B +0B +[0-9.]+[KMG]\$" /tmp/topc.txt
kill $p; wait $p	# it holds until killed: checks under TCG take their time
pwtest release-leaked >/dev/null || pw_fail "release-leaked"
pw_check module-released pw_row_gone $p

# --- io_uring fixed buffers: charged to VmPin page for page ----------------
sh -c "$enter" uring pwtest uring --uid 65534 --pages 16 --hold-ms 20000 >/tmp/uring.out &
p=$!
pw_check uring-pinned-64k pw_wait_field $p pinned_bytes 65536
r=$(pw_proc_row $p); echo "io_uring: $r"
pw_check uring-vmpin-is-pinned [ "$(pw_field "$r" vmpin_bytes)" = 65536 ]
pw_check uring-vmpin-is-proc [ "$(pw_field "$r" vmpin_bytes)" = "$(awk '/^VmPin/ { print $2 * 1024 }' /proc/$p/status)" ]
pw_check uring-no-finding [ "$(pw_field "$r" findings)" = '[]' ]
pw_check uring-bytes-are-mirror-pages [ "$(mirror_pages $p)" = 16 ]
wait $p
pw_check uring-released pw_row_gone $p

# A ring that outlives the process that pinned: a child holds it open. The
# pins stay with the pinner's pid, now exited, until the ring goes.
sh -c "$enter" uring pwtest uring --uid 65534 --pages 16 --hold-ms 20000 --release child >/tmp/uring.out
p=$(sed -n 's/.*release=child child=\([0-9]*\).*/\1/p' /tmp/uring.out)
i=0
until parent=$(pw_proc_row exited); [ -n "$parent" ] || [ $i -ge 100 ]; do
	sleep 0.2; i=$((i + 1))
done
echo "io_uring, pinner gone: $parent"
pw_check uring-orphan-pinner-exited [ "$(pw_field "$parent" pinned_bytes)/$(pw_field "$parent" cgroup)" = '65536/""' ]
pw_check uring-orphan-cgroup grep -q '^pinwatch_cgroup_pinned_bytes{cgroup="(exited)",longterm="true"} 65536$' /tmp/pw.prom
pw_check uring-orphan-no-finding [ "$(pw_field "$parent" findings)" = '[]' ]
while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
pw_check uring-orphan-released pw_row_gone "$(pw_field "$parent" pid)"

# --- AF_XDP UMEM: long-term pins, charged to no process ---------------------
# iproute2's ip by path: busybox sh prefers its own applet, which has no veth
/pw/bin/ip link add xv0 type veth peer name xv1 && /pw/bin/ip link set xv0 up &&
	/pw/bin/ip link set xv1 up || pw_die "cannot create a veth pair"
sh -c "$enter" xdp pwtest xdp --pages 16 --dev xv0 --hold-ms 20000 >/tmp/xdp.out &
p=$!
pw_check xdp-pinned-64k pw_wait_field $p longterm_bytes 65536
r=$(pw_proc_row $p); echo "AF_XDP: $r"
pw_check xdp-pin-not-charged [ "$(pw_field "$r" findings)" = '["pin_not_charged"]' ]
pw_check xdp-bytes-are-mirror-pages [ "$(mirror_pages $p)" = 16 ]
wait $p
pw_check xdp-bound-to-veth grep -q "registered, bound to xv0" /tmp/xdp.out
pw_check xdp-released-on-close pw_row_gone $p

pw_serve_clean
pw_done
