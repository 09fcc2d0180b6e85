#!/bin/sh
# kernels: 6.12 6.18 7.3
# timeout: 60
# modes: fentry
# (one attach mode is enough here: the test-module scenarios run under both)
# udmabuf on a sealed memfd (6.11+: memfd_pin_folios, long-term, ONE pin per
# folio; shmem folios are 4 KiB here, so one per page), released by
# unpin_folio() when the dmabuf fd is closed. CONFIG_UDMABUF is not set in
# Debian 6.1.
. "${PW_LIB:-/pw/lib.sh}"
[ -c /dev/udmabuf ] || pw_die "no /dev/udmabuf"

pw_case --api udmabuf udmabuf-16   16 16 -- pwtest udmabuf --pages 16 --hold-ms 100
pw_done
