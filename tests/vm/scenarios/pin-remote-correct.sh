#!/bin/sh
# kernels: 6.1 6.12
# timeout: 120
# Correct use of pin_user_pages_remote(current->mm) -> pwt_pin_remote: 4 KiB and THP buffers, with and
# without FOLL_LONGTERM, each released correctly. Every pinned page is counted
# once as acquired and once as released (THP: 600 pages = one full 2 MiB folio
# plus 88 pages of a second, so the release crosses a folio boundary).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case remote-4k             16  16 -- pwtest pin --api remote --pages 16 --release unpin
pw_case remote-4k-longterm    16  16 -- pwtest pin --api remote --pages 16 --longterm --release batch
pw_case remote-thp           600 600 -- pwtest pin --api remote --pages 600 --thp --release dirty
pw_case remote-thp-longterm  600 600 -- pwtest pin --api remote --pages 600 --thp --longterm --release unpin
pw_done
