/* SPDX-License-Identifier: GPL-2.0 */
/* Files a reader must never see half written (--textfile, --folded). */
#ifndef PW_ATOMICFILE_H
#define PW_ATOMICFILE_H
#include <stdio.h>

/* fill(out, arg) into a temporary file next to path (same directory, a
 * name not ending like path's), synced, mode 0644, renamed over path.
 * 0, fill's error, or -errno; nothing is left behind on error. */
int atomic_write(const char *path, int (*fill)(FILE *out, const void *arg), const void *arg);
#endif
