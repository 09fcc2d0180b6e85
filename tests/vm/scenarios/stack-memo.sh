#!/bin/sh
# kernels: 6.1 6.12 7.3-rt
# timeout: 150
# The stack memo (bpf/stackmemo.bpf.h): a task's GUP calls from one place
# reuse its stack id without unwinding, and a call from another place at the
# same stack depth does not. pwt_pin_fast_alt is pwt_pin_fast's twin (same
# code, so pin_user_pages_fast is entered at the same stack position) under
# another return address. Rounds of 4 fresh pages each (first pins: each
# round's holder and stack name its pages), leaked. The first round records
# the stack, the second and third learn its slots (at two stack positions:
# the kernel moves the stack by a random offset per syscall; the same one
# twice in a row, 1 time in 64, takes a round more), the rest reuse it.
# memo-twins pins through pwt_pin_fast for 8 rounds, then through
# pwt_pin_fast_alt for 8: a wrongly reused id there would put all 64 pins in
# pwt_pin_fast's group.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

# stacks_reused of the last report, at least $2 and at most $3
memo_reused() {
	n=$(pw_json_num "$PW_JSON" stacks_reused)
	echo "stacks_reused: $n (expected $2..$3)"
	[ -n "$n" ] && [ "$n" -ge "$2" ] && [ "$n" -le "$3" ] || pw_fail "$1: stacks_reused $n, expected $2..$3"
}
# exactly $2 finding groups have frame $3 on their acquire stack (named
# exactly: pwt_pin_fast is not pwt_pin_fast_alt)
memo_groups() {
	n=$(pw_json_findings "$PW_JSON" "$3" | awk '$1 == "leak" && $5 {c++} END {print c + 0}')
	[ "$n" = "$2" ] || pw_fail "$1: $n leak groups with $3 on the acquire stack, expected $2"
}
# kretprobes always unwind (see stackmemo.bpf.h): reuse 0 there
pw_case_hook_after() {
	[ -n "${PW_TRACE:-}" ] || return 0
	case $1@$PW_TRACE in
	memo-same@fentry) memo_reused "$1" 3 5 ;;
	memo-twins@fentry) memo_reused "$1" 6 10 ;;
	memo-*@kprobe) memo_reused "$1" 0 0 ;;
	esac
	case $1 in
	memo-same) memo_groups "$1" 1 pwt_pin_fast; memo_groups "$1" 0 pwt_pin_fast_alt ;;
	memo-twins) memo_groups "$1" 1 pwt_pin_fast_alt; memo_groups "$1" 1 pwt_pin_fast ;;
	esac
}

pw_case --finding leak:32:false --acq-frame pwt_pin_fast --api pin_user_pages_fast \
	memo-same 32 0 -- pwtest pin --api fast --pages 4 --iters 8 --fresh --release never
pw_case --finding preexisting:32 release-1 0 32 -- pwtest release-leaked
pw_case --finding leak:32:false --finding leak:32:false --api pin_user_pages_fast \
	memo-twins 64 0 -- pwtest pin --api fast,fast-alt --pages 4 --iters 16 --fresh --release never
pw_case --finding preexisting:64 release-2 0 64 -- pwtest release-leaked
pw_done
