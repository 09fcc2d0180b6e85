#!/bin/sh
# kernels: 6.1 6.12 6.18 7.3
# timeout: 90
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# io_uring IORING_REGISTER_BUFFERS takes long-term pins (6.1 pin_user_pages,
# 6.12 pin_user_pages_fast; FOLL_WRITE|FOLL_LONGTERM), released by unregister or,
# when the process just exits, asynchronously by the ring's exit work: the
# released counter catches up after the process is gone (polled, bounded).
# THP on 6.12: io_coalesce_buffer keeps one pin per folio and unpins the other
# 511 right away; the totals still balance.
. "${PW_LIB:-/pw/lib.sh}"
pw_thp madvise
PW_SETTLE=3s   # ring exit releases asynchronously, after the process is gone

pw_case          uring-unregister     16  16 -- pwtest uring --pages 16 --hold-ms 100
pw_case --wait 20 uring-exit          16  16 -- pwtest uring --pages 16 --hold-ms 100 --release exit
pw_case --wait 20 uring-thp-exit     512 512 -- pwtest uring --pages 512 --thp --release exit
pw_done
