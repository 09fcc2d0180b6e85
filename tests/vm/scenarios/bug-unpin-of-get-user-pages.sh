#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 60
# BUG (NVIDIA open-gpu-kernel-modules #563): pages taken with
# get_user_pages_fast() (FOLL_GET, not a pin) released with unpin_user_page()
# (pwt_unpin_get_pages). The kernel counts releases with no acquire. The module
# pre-compensates the references the bad unpin drops, so nothing is corrupted
# (see the comment on pwt_unpin_get_pages).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case --finding unpin_without_pin:16 --acq-frame pwt_get_fast --rel-frame pwt_unpin_get_pages --api get_user_pages_fast unpin-of-get-4k     0  16 -- pwtest pin --api get-fast --pages 16 --release unpin-get
pw_case --finding unpin_without_pin:600 --acq-frame pwt_get_fast --rel-frame pwt_unpin_get_pages unpin-of-get-thp    0 600 -- pwtest pin --api get-fast --pages 600 --thp --release unpin-get
pw_done
