#!/bin/sh
# kernels: 6.1 6.12
# timeout: 150
# The test module's error paths are clean: a partial pin (last page unmapped)
# is released correctly before the ioctl fails with EFAULT, so acquired ==
# released == N-1; requests the module rejects (EINVAL) touch no counter.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_case --fails-with 'Bad address' partial-fast      15 15 -- pwtest pin --api fast --pages 16 --hole --release unpin
pw_case --fails-with 'Bad address' partial-plain-lt  15 15 -- pwtest pin --api plain --pages 16 --hole --longterm --release unpin
pw_case --fails-with 'Bad address' partial-remote    15 15 -- pwtest pin --api remote --pages 16 --hole --release batch
pw_case --fails-with 'Bad address' partial-get-fast   0  0 -- pwtest pin --api get-fast --pages 16 --hole --release put
pw_case --fails-with 'Invalid argument' reject-pin-unpin-get 0 0 -- pwtest pin --api fast --pages 4 --release unpin-get
pw_case --fails-with 'Invalid argument' reject-get-longterm  0 0 -- pwtest pin --api get-fast --pages 4 --longterm --release put
pw_case --fails-with 'Invalid argument' reject-get-unpin     0 0 -- pwtest pin --api get-fast --pages 4 --release unpin
pw_done
