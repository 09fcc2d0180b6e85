#!/bin/sh
# kernels: 6.1 6.12
# timeout: 120
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# O_DIRECT on vfat goes through the legacy fs/direct-io.c, which since 6.5
# takes extra pins with folio_add_pin() -- pins the kernel does NOT count in
# nr_foll_pin_acquired, but whose releases it counts in nr_foll_pin_released.
# pinwatch must mirror them (no false findings, zero drift). 6.1 still uses
# FOLL_GET references here: no pins at all.
. "${PW_LIB:-/pw/lib.sh}"
mkdosfs "$PW_DISK" >/dev/null || pw_die "mkdosfs $PW_DISK failed"
mkdir -p /mnt/fat && mount -t vfat "$PW_DISK" /mnt/fat || pw_die "mount vfat failed"
dd if=/dev/urandom of=/mnt/fat/data bs=4096 count=64 2>/dev/null && sync

# 6.12: 16 pages pinned by iov_iter_extract_pages (counted), and 2 more pins per
# page by folio_add_pin (not counted) as do_direct_IO submits the page in
# several pieces on mkdosfs' default geometry for 64 MiB; all 48 are released
# and counted.
if [ "$PW_KVER" = 6.1 ]; then a16=0 r16=0 extra=0; else a16=16 r16=48 extra=32; fi
pw_case vfat-odirect-read-16  $a16 $r16 -- pwtest odirect --dev /mnt/fat/data --pages 16
if [ -n "${PW_TRACE:-}" ]; then
	n=$(pw_json_num "$PW_JSON" folio_add_pin_acquired)
	[ "$n" = "$extra" ] || pw_fail "pinwatch saw $n folio_add_pin pins, expected $extra"
fi
umount /mnt/fat
pw_done
