#!/bin/sh
# kernels: 6.1 6.12
# timeout: 300
# GUP's own rollback: a FOLL_LONGTERM pin of pages in ZONE_MOVABLE pins
# them, finds them unfit for a long-term pin, unpins them all inside the
# same pin_user_pages*() call, migrates them and pins the copies. The
# kernel counts both rounds (+64 +64 for 32 pages pinned and released).
# pinwatch must mirror only the final pins: no findings, and the inside
# round as equal drift (32) on both counters. On 6.1 and 6.12 those inside
# unpins never reach the unpin hooks (mm/gup.c calls them inlined), so
# this pins down the result, not pw_in_gup's skip: a kernel whose
# rollback did reach them would be caught here if the skip broke.
# ZONE_MOVABLE comes from the VM's highest memory block that goes
# offline, onlined movable for the cases, then given back to the kernel.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_movable_block

pw_case --drift 32:32 longterm-fast-migrated  64 64 -- pwtest pin --api fast --longterm --pages 32 --release batch
pw_case --drift 32:32 longterm-plain-migrated 64 64 -- pwtest pin --api plain --longterm --pages 32 --release unpin
pw_case               not-longterm-stays      32 32 -- pwtest pin --api fast --pages 32 --release batch

echo offline > "$PW_BLK/state" && echo online_kernel > "$PW_BLK/state" ||
	pw_fail "cannot give $PW_BLK back to ZONE_NORMAL"
pw_done
