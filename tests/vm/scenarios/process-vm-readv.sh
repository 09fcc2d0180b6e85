#!/bin/sh
# kernels: 6.1 6.12 6.18 7.3
# timeout: 60
# process_vm_readv() from the own pid pins the source pages with
# pin_user_pages_remote() and unpins them with unpin_user_pages_dirty_lock():
# N pages per iteration, acquired == released.
. "${PW_LIB:-/pw/lib.sh}"
pw_thp madvise

pw_case pvm-4k-x4   64  64 -- pwtest pvm --pages 16 --iters 4
pw_case pvm-thp    600 600 -- pwtest pvm --pages 600 --thp
pw_done
