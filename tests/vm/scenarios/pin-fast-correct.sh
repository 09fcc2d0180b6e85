#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 240
# Correct use of pin_user_pages_fast() -> pwt_pin_fast: 4 KiB and THP buffers, with and
# without FOLL_LONGTERM, each released correctly. Every pinned page is counted
# once as acquired and once as released (THP: 600 pages = one full 2 MiB folio
# plus 88 pages of a second, so the release crosses a folio boundary). alias:
# one memfd page mapped at all 8 pages of the buffer, so the pages array holds
# the same page 8 times; 3 rounds, so rounds 2-3 take the cached order-0 path.
# punched: one page in the middle of the THP zapped and written again, so a
# 4 KiB page breaks the THP's run in the array (the walk's whole-batch test
# must fail there and settle each folio apart: released per page, a wrong
# split of the acquire shows as findings; in a batch it crosses batches).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case fast-4k             16  16 -- pwtest pin --api fast --pages 16 --release unpin
pw_case fast-4k-longterm    16  16 -- pwtest pin --api fast --pages 16 --longterm --release batch
pw_case fast-4k-alias       24  24 -- pwtest pin --api fast --pages 8 --alias --iters 3 --release unpin
pw_case fast-4k-alias-dirty 24  24 -- pwtest pin --api fast --pages 8 --alias --iters 3 --release dirty
pw_case fast-thp           600 600 -- pwtest pin --api fast --pages 600 --thp --release dirty
pw_case fast-thp-longterm  600 600 -- pwtest pin --api fast --pages 600 --thp --longterm --release unpin
pw_case fast-thp-punched   512 512 -- pwtest pin --api fast --pages 512 --thp --punch 100 --release unpin
pw_case fast-thp-punched-batch 1200 1200 -- pwtest pin --api fast --pages 600 --thp --punch 300 --release batch --iters 2
pw_done
