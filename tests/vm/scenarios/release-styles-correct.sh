#!/bin/sh
# kernels: 6.1 6.12
# timeout: 240
# modes: fentry kprobe
# The three correct release styles for FOLL_PIN pages: unpin_user_page() per
# page (pwt_unpin_each), unpin_user_pages() (pwt_unpin_batch) and
# unpin_user_pages_dirty_lock(..., true) (pwt_unpin_dirty), on 4 KiB and THP
# buffers: released == acquired every time. Also the correct FOLL_GET pairing
# (get_user_pages_fast + put_page), which touches neither counter.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case unpin-each-4k     32  32 -- pwtest pin --api fast --pages 32 --release unpin
pw_case unpin-batch-4k    32  32 -- pwtest pin --api fast --pages 32 --release batch
pw_case unpin-dirty-4k    32  32 -- pwtest pin --api fast --pages 32 --release dirty
pw_case unpin-each-thp   512 512 -- pwtest pin --api plain --pages 512 --thp --release unpin
pw_case unpin-batch-thp  512 512 -- pwtest pin --api plain --pages 512 --thp --release batch
pw_case unpin-dirty-thp  512 512 -- pwtest pin --api plain --pages 512 --thp --release dirty
pw_case get-fast-put-4k    0   0 -- pwtest pin --api get-fast --pages 32 --release put
pw_case get-fast-put-thp   0   0 -- pwtest pin --api get-fast --pages 512 --thp --release put
pw_done
