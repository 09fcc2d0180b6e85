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

# the highest block that goes offline (one may hold unmovable kernel pages)
blk=
for n in $(ls /sys/devices/system/memory | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -rn); do
	b=/sys/devices/system/memory/memory$n
	[ "$(cat "$b/state")" = online ] && echo offline > "$b/state" 2>/dev/null && { blk=$b; break; }
done
[ -n "$blk" ] || pw_die "no memory block could be taken offline"
echo online_movable > "$blk/state" || pw_die "cannot online $blk as movable"
grep -q Movable /proc/zoneinfo || pw_die "no ZONE_MOVABLE after onlining $blk"
echo "$(basename "$blk") online in ZONE_MOVABLE"

pw_case --drift 32:32 longterm-fast-migrated  64 64 -- pwtest pin --api fast --longterm --pages 32 --release batch
pw_case --drift 32:32 longterm-plain-migrated 64 64 -- pwtest pin --api plain --longterm --pages 32 --release unpin
pw_case               not-longterm-stays      32 32 -- pwtest pin --api fast --pages 32 --release batch

echo offline > "$blk/state" && echo online_kernel > "$blk/state" ||
	pw_fail "cannot give $blk back to ZONE_NORMAL"
pw_done
