#!/bin/sh
# kernels: 6.1 6.12
# timeout: 420
# A holder outlives 40000 later GUP calls. Holder ids name slots of a
# 32768-slot array (id % 32768), so the ids of the later calls come round to
# the leaking call's slot while it is still held: that call must take the
# next free slot, not the held one. The leak is then still reported with its
# own API and frame (not the 1-page loop's), and nothing is dropped (the
# tracer's totals equal vmstat's).
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_case --finding leak:16:false --acq-frame pwt_pin_fast --api pin_user_pages_fast \
	slots-wrap 40016 40000 -- sh -c 'pwtest pin --api fast --pages 16 --release never &&
		pwtest pin --api plain --pages 1 --iters 40000 --release unpin'
pw_case --finding preexisting:16 --rel-frame pwt_release_leaked release-leaked 0 16 -- pwtest release-leaked
# Through the cached 4 KiB loop, one page four times a call (--alias): a pin
# that is not the cell's first, and a release that leaves pins, must not
# count as a cell naming (or leaving) the call's holder. A count off by one
# keeps every call's holder, and 34000 calls run out of the 32768 slots
# (reported as drops). Released one page at a time (another code path) and
# in a batch, so a wrong count on one side cannot be cancelled by the same
# on the other.
pw_case alias-unpin-wrap 136000 136000 -- \
	pwtest pin --api fast --pages 4 --alias --iters 34000 --release unpin
pw_case alias-batch-wrap 136000 136000 -- \
	pwtest pin --api fast --pages 4 --alias --iters 34000 --release batch
pw_done
