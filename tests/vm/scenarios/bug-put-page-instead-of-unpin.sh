#!/bin/sh
# kernels: 6.1 6.12
# timeout: 60
# BUG: pinned pages released with put_page() instead of unpin_user_page()
# (pwt_put_pages). The kernel counts the acquire, never a release. The small
# folios keep GUP_PIN_COUNTING_BIAS-1 references and leak forever, which is fine
# in a throwaway VM. (Not done on THP: the folio would later be freed with a
# non-zero _pincount, "BUG: Bad page state" on 6.12.)
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_case put-instead-of-unpin-fast           16 0 -- pwtest pin --api fast --pages 16 --release put
pw_case put-instead-of-unpin-plain-longterm  8 0 -- pwtest pin --api plain --pages 8 --longterm --release put
pw_done
