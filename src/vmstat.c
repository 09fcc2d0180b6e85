// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vmstat.h"
#include "parse.h"

void vmstat_read(struct pw_vmstat *v)
{
	char buf[16384];
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	memset(v, 0, sizeof(*v));
	if (fd >= 0) {
		/* EINVAL/EPERM here only means the counters may lag by ~1 s */
		if (write(fd, "1", 1) < 0) {}
		close(fd);
	}
	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	v->ok = parse_vmstat_value(buf, "nr_foll_pin_acquired", &v->acquired) == 0 &&
		parse_vmstat_value(buf, "nr_foll_pin_released", &v->released) == 0;
}
