#!/bin/sh
# kernels: 6.1 6.12
# timeout: 300
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
pw_done
