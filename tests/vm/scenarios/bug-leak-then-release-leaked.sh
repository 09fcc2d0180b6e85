#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 300
# BUG: pins never released (pwt_park_leak keeps the page pointers). The
# acquire is counted and nothing is released, even after the pinning process
# has exited; a later RELEASE_LEAKED ioctl (pwt_release_leaked) unpins them
# all: released catches up with acquired. Unloading the module releases what
# is still parked. The punched THP (a 4 KiB page in the middle of its run) is
# audited while leaked: a page counted on the wrong folio by the walk would
# show as a put_instead_of_unpin there (the kernel's count below the mirror's).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case --finding leak:16:false --acq-frame pwt_pin_fast --api pin_user_pages_fast leak-fast-4k                 16   0 -- pwtest pin --api fast --pages 16 --release never
pw_case --finding leak:600:true --acq-frame pwt_pin_remote --api pin_user_pages_remote leak-remote-thp-longterm    600   0 -- pwtest pin --api remote --pages 600 --thp --longterm --release never
pw_case --finding leak:512:false --acq-frame pwt_pin_fast leak-fast-thp-punched               512   0 -- pwtest pin --api fast --pages 512 --thp --punch 200 --release never
pw_case --finding preexisting:1128 --rel-frame pwt_release_leaked release-leaked               0 1128 -- pwtest release-leaked
pw_case release-leaked-again          0   0 -- pwtest release-leaked
pw_case --finding leak:32 --acq-frame pwt_pin_plain leak-plain-4k                32   0 -- pwtest pin --api plain --pages 32 --release never
pw_case --finding preexisting:32 rmmod-releases-leaked         0  32 -- rmmod pinwatch_test
pw_load_module
pw_done
