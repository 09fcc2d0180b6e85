// SPDX-License-Identifier: GPL-2.0
/* atomic_write (src/atomicfile.h): rename() replaces a file atomically within
 * one directory, hence the temporary file next to the target; node_exporter
 * collects only *.prom, so "x.prom.tmpXXXXXX" is never read half written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "atomicfile.h"

int atomic_write(const char *path, int (*fill)(FILE *out, const void *arg), const void *arg)
{
	size_t l = strlen(path);
	char *tmp = malloc(l + 16);
	int err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, l + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	fchmod(fd, 0644);	/* mkstemp makes it 0600; a collector may not be root */
	FILE *f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out;
	}
	err = fill(f, arg);
	if (fflush(f) || fsync(fd))
		err = err ? err : -errno;
	if (fclose(f))
		err = err ? err : -errno;
	if (!err && rename(tmp, path))
		err = -errno;
out:
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
