#!/bin/sh
# kernels: 6.1 6.12 7.3 7.3-rt
# timeout: 240
# Unpins in hardirq context that land on a task while it is inside a GUP
# call, as a block driver's completion interrupt does on a host that pins
# while I/O completes (O_DIRECT on 6.5+). The module pins a buffer, then,
# from the fault handler GUP calls while pinning a page of the module's own
# mapping, raises an irq_work that unpins the buffer page by page
# (unpin_user_page) or at once (unpin_user_pages). pwtest fails unless the
# unpins ran in hardirq on that task inside GUP. A tracer that took them
# for GUP's own rollback would keep the buffer's pins: leaks, and its
# released count behind vmstat's.
. "${PW_LIB:-/pw/lib.sh}"
pw_load_module

pw_case irq-unpin-each   65 65 -- pwtest irq-unpin --pages 64 --release unpin
pw_case irq-unpin-batch  65 65 -- pwtest irq-unpin --pages 64 --release batch
pw_done
