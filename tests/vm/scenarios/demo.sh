#!/bin/sh
# kernels: 6.1 6.12
# timeout: 90
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# Demo: a buggy driver (the test module) makes two classic mistakes:
#  1. releases pinned pages with put_page() instead of unpin_user_page()
#     (pwt_pin_fast ... pwt_put_pages): acquired +8, released +0;
#  2. leaks long-term pins (pwt_pin_plain ... pwt_park_leak): acquired +4,
#     nothing released until the "driver" cleans up (pwt_release_leaked).
# The lead runs these same workloads under the tracer for `make demo`.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_case --finding put_instead_of_unpin:8 --acq-frame pwt_pin_fast demo-put-instead-of-unpin  8 0 -- pwtest pin --api fast --pages 8 --release put
pw_case --finding leak:4:true --acq-frame pwt_pin_plain demo-leak                  4 0 -- pwtest pin --api plain --pages 4 --longterm --release never
pw_case --finding preexisting:4 demo-cleanup               0 4 -- pwtest release-leaked
pw_done
