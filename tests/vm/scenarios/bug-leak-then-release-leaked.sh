#!/bin/sh
# kernels: 6.1 6.12
# timeout: 60
# BUG: pins never released (pwt_park_leak keeps the page pointers). The
# acquire is counted and nothing is released, even after the pinning process
# has exited; a later RELEASE_LEAKED ioctl (pwt_release_leaked) unpins them
# all: released catches up with acquired. Unloading the module releases what
# is still parked.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case leak-fast-4k                 16   0 -- pwtest pin --api fast --pages 16 --release never
pw_case leak-remote-thp-longterm    600   0 -- pwtest pin --api remote --pages 600 --thp --longterm --release never
pw_case release-leaked                0 616 -- pwtest release-leaked
pw_case release-leaked-again          0   0 -- pwtest release-leaked
pw_case leak-plain-4k                32   0 -- pwtest pin --api plain --pages 32 --release never
pw_case rmmod-releases-leaked         0  32 -- rmmod pinwatch_test
pw_load_module
pw_done
