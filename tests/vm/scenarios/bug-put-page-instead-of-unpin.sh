#!/bin/sh
# kernels: 6.1 6.12 7.3
# timeout: 150
# splat: BUG: Bad page state
# BUG: pinned pages released with put_page() instead of unpin_user_page()
# (pwt_put_pages). The kernel counts the acquire, never a release. The small
# folios keep GUP_PIN_COUNTING_BIAS-1 references and leak forever, which is fine
# in a throwaway VM. On THP the folio is later freed with a non-zero _pincount
# (6.12: "BUG: Bad page state ... nonzero pincount", a taint, not a crash);
# pinwatch sees that free (mm_page_free) while its mirror still holds pins.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module
pw_thp madvise

pw_case --finding put_instead_of_unpin:16:false --acq-frame pwt_pin_fast --api pin_user_pages_fast put-instead-of-unpin-fast           16 0 -- pwtest pin --api fast --pages 16 --release put
pw_case --finding put_instead_of_unpin:8:true --acq-frame pwt_pin_plain --api pin_user_pages put-instead-of-unpin-plain-longterm  8 0 -- pwtest pin --api plain --pages 8 --longterm --release put
pw_case --finding put_instead_of_unpin:512 --acq-frame pwt_pin_fast put-instead-of-unpin-thp 512 0 -- pwtest pin --api fast --pages 512 --thp --release put
pw_done
