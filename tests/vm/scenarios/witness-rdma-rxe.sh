#!/bin/sh
# kernels: 6.1-amd64 6.12-amd64 7.3-rt
# timeout: 300
# modes: fentry
# modules: rdma_rxe ib_uverbs veth crc32_generic?
# userland: rdma
# RDMA as a witness for the accounting view: soft-RoCE (rdma_rxe) on one end
# of a veth pair, driven by rdma-core's ibv_rc_pingpong (Debian's, see
# fetch-userland.sh). ibv_reg_mr pins its buffer long-term in ib_umem_get
# (pin_user_pages_fast, FOLL_LONGTERM) and charges it to VmPin
# (mm->pinned_vm) page for page, the frame-for-frame witness of the view:
#  - server and client each hold exactly the MR (-s bytes) long-term, with
#    VmPin equal to it and no finding, under ib_umem's holder (ib_uverbs:
#    ib_umem_get on 6.x, ib_core:__ib_umem_get_va on 7.x);
#  - a normal end deregisters the MR: no pins left;
#  - SIGKILL mid-transfer: the process's uverbs file is closed at exit and
#    ib_umem_release unpins all; the kernel's counters balance again.
# rdma_rxe asks the crypto API for "crc32" (ICRC) before 6.15: crc32_generic,
# loaded where the kernel has it. No pin bug; the kernel's counters agree
# with serve (drift 0).
. "${PW_LIB:-/pw/lib.sh}"
mode=${PW_TRACE:-auto}
size=1048576	# the MR: ibv_rc_pingpong registers one -s buffer, page aligned
pages=$((size / 4096))

# --- soft-RoCE over a veth pair ------------------------------------------------
# iproute2's ip by path: busybox sh prefers its own applet, which has no veth
ip() { /pw/bin/ip "$@"; }
ip link add veth0 type veth peer name veth1 || { ip link; pw_die "cannot create a veth pair"; }
ip addr add 10.77.0.1/24 dev veth0 && ip addr add 10.77.0.2/24 dev veth1 &&
	ip link set veth0 up && ip link set veth1 up && ip link set lo up || pw_die "cannot set up the veth pair"
rdma link add rxe0 type rxe netdev veth0 2>/tmp/rdma.err ||
	echo veth0 > /sys/module/rdma_rxe/parameters/add || { cat /tmp/rdma.err; pw_die "cannot add rxe0 on veth0"; }
# the IPv4 GID of veth0's address (RoCE v2: ::ffff:10.77.0.1), once the
# GID table has it
gid=; i=0
while [ -z "$gid" ] && [ $i -lt 100 ]; do
	for g in /sys/class/infiniband/rxe0/ports/1/gids/*; do
		[ "$(cat "$g" 2>/dev/null)" = 0000:0000:0000:0000:0000:ffff:0a4d:0001 ] && { gid=${g##*/}; break; }
	done
	[ -n "$gid" ] || { sleep 0.2; i=$((i + 1)); }
done
[ -n "$gid" ] || { grep . /sys/class/infiniband/rxe0/ports/1/gids/* | grep -v ':0000:0000:0000:0000:0000:0000:0000:0000$'; pw_die "no IPv4 GID on rxe0"; }
rdma link show
echo "rxe0: GID index $gid is 10.77.0.1, state $(cat /sys/class/infiniband/rxe0/ports/1/state)"
[ -c /dev/infiniband/uverbs0 ] || pw_die "no /dev/infiniband/uverbs0 (ib_uverbs?)"

pw_serve_start "$mode"
# rxe0's packets sent (its hw_counters); transferring N: until at least N, 30 s
sent() { cat /sys/class/infiniband/rxe0/ports/1/hw_counters/sent_pkts; }
transferring() {
	i=0
	until [ "$(sent)" -ge "$1" ]; do
		[ $i -ge 150 ] && { echo "rxe0 sent $(sent) packets, want $1"; return 1; }
		sleep 0.2; i=$((i + 1))
	done
}
vmpin() { awk '/^VmPin/ { print $2 * 1024 }' "/proc/$1/status"; }
# pingpong ARGS... &: ibv_rc_pingpong on rxe0 with the scenario's MR size,
# exec'ed so that $! is its pid (-e: it sleeps on completion events)
pingpong() { exec ibv_rc_pingpong -d rxe0 -g "$gid" -s $size -e "$@"; }
# holds PID NAME: PID's row holds exactly the MR long-term, charged to VmPin
holds() {
	pw_check "$2-longterm-is-mr" pw_wait_field "$1" longterm_bytes $size 60
	r=$(pw_proc_row "$1"); echo "$2: $r"
	pw_check "$2-pinned-is-mr" [ "$(pw_field "$r" pinned_bytes)" = $size ]
	pw_check "$2-vmpin-is-mr" [ "$(pw_field "$r" vmpin_bytes)" = $size ]
	pw_check "$2-vmpin-is-proc" [ "$(pw_field "$r" vmpin_bytes)" = "$(vmpin "$1")" ]
	pw_check "$2-no-finding" [ "$(pw_field "$r" findings)" = '[]' ]
}

# --- a run to its end: the MRs are deregistered --------------------------------
pingpong -n 400 >/tmp/srv.out 2>&1 &
srv=$!
# the server registers its MR, then waits for the client on TCP: it holds still
holds $srv server
t0=$(date +%s)
pingpong -n 400 10.77.0.1 >/tmp/cli.out 2>&1 &
cli=$!
holds $cli client
grep '^pinwatch_pinned_pages{' /tmp/pw.prom
# ib_umem_get in ib_uverbs up to 6.x; __ib_umem_get_va in ib_core on 7.x
case "$PW_KVER" in [1-6].*) holder=ib_uverbs:ib_umem_get ;; *) holder=ib_core:__ib_umem_get_va ;; esac
pw_check holder-ib-umem grep -q "^pinwatch_pinned_pages{holder=\"$holder\",longterm=\"true\"} $((2 * pages))\$" /tmp/pw.prom
wait $cli; crc=$?
wait $srv; src=$?
echo "run to the end: $(($(date +%s) - t0)) s"; cat /tmp/srv.out /tmp/cli.out
pw_check pingpong-completed [ $crc/$src = 0/0 ]
pw_check client-deregistered pw_row_gone $cli
pw_check server-deregistered pw_row_gone $srv

# --- SIGKILL mid-transfer ---------------------------------------------------------
pw_vmstat || pw_die "cannot read vmstat"
held0=$((PW_ACQ - PW_REL)) sent0=$(sent)
pingpong -n 1000000 >/tmp/srv.out 2>&1 &
srv=$!
pw_check kill-server-holds pw_wait_field $srv longterm_bytes $size 60
pingpong -n 1000000 10.77.0.1 >/tmp/cli.out 2>&1 &
cli=$!
pw_check kill-client-holds pw_wait_field $cli longterm_bytes $size 60
# mid-transfer: rxe0 has sent two more MRs' worth of packets (MTU 1024) since
# both registered (their output is buffered until they exit)
pw_check kill-transferring transferring $((sent0 + 2 * size / 1024))
pw_vmstat
echo "transferring: $(($(sent) - sent0)) packets sent, $((PW_ACQ - PW_REL - held0)) pins held"
pw_check kill-sigkill-client kill -KILL $cli
pw_check kill-client-released pw_row_gone $cli
r=$(pw_proc_row $srv); echo "server, client killed: $r"
pw_check kill-server-still-holds [ "$(pw_field "$r" longterm_bytes)" = $size ]
pw_check kill-sigkill-server kill -KILL $srv
pw_check kill-server-released pw_row_gone $srv
wait $cli $srv 2>/dev/null
pw_vmstat || pw_die "cannot read vmstat"
pw_check kill-vmstat-balanced [ $((PW_ACQ - PW_REL)) = $held0 ]
pw_check kill-no-drift pw_no_drift

pw_serve_clean
pw_done
