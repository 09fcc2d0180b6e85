#!/bin/sh
# kernels: 6.1 6.12 6.18 7.3
# timeout: 120
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# O_DIRECT read and write on the raw disk. Since 6.5 the block layer pins user
# buffers (iov_iter_extract_pages -> pin_user_pages_fast: one pin per 4 KiB
# page, released at bio completion by __bio_release_pages); 6.1 takes plain
# FOLL_GET references, so no pins are counted there. 300 pages exceed
# BIO_MAX_VECS (256): several bios, same totals. The write writes back the
# disk's own content.
. "${PW_LIB:-/pw/lib.sh}"
[ -b "$PW_DISK" ] || pw_die "no block device $PW_DISK"
pw_thp madvise
case "$PW_KVER" in
6.1) n16=0 n300=0 n512=0 ;;
*)   n16=16 n300=300 n512=512 ;;
esac

pw_case odirect-read-16    $n16  $n16  -- pwtest odirect --dev "$PW_DISK" --pages 16
pw_case odirect-write-16   $n16  $n16  -- pwtest odirect --dev "$PW_DISK" --pages 16 --write
pw_case odirect-read-300   $n300 $n300 -- pwtest odirect --dev "$PW_DISK" --pages 300
pw_case odirect-write-300  $n300 $n300 -- pwtest odirect --dev "$PW_DISK" --pages 300 --write
pw_case odirect-read-thp   $n512 $n512 -- pwtest odirect --dev "$PW_DISK" --pages 512 --thp
pw_done
