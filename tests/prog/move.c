// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest move --pages N: a page migration that pins make fail. The buffer is
 * pinned through the test module (kept until `pwtest release-leaked`), then
 * move_pages(2) is asked to move it to the other NUMA node. Prints
 *     moved=M busy=B from=A to=Z
 * (busy: pages move_pages left where they were; the VM has two nodes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "pwtest.h"

#define MPOL_MF_MOVE (1 << 1)

int cmd_move(int argc, char **argv)
{
	struct opts o;
	parse_opts(argc, argv, &o, "pages");
	char *buf = alloc_buf(o.pages, false);
	int fd = open_dev(), moved = 0, busy = 0;
	struct pwt_req q = { .api = PWT_API_FAST, .release = PWT_REL_NEVER,
			     .addr = (uintptr_t)buf, .len = o.pages * PG };
	void **pages = calloc(o.pages, sizeof(*pages));
	int *nodes = calloc(o.pages, sizeof(*nodes)), *status = calloc(o.pages, sizeof(*status));

	if (!pages || !nodes || !status)
		die("out of memory");
	if (ioctl(fd, PWT_IOC_PIN, &q) || q.acquired != o.pages)
		die("pin: %s", strerror(errno));
	for (long i = 0; i < o.pages; i++)
		pages[i] = buf + i * PG;
	/* where the pages are now: nodes NULL asks */
	if (syscall(SYS_move_pages, 0, o.pages, pages, NULL, status, 0))
		die("move_pages (query): %s", strerror(errno));
	int from = status[0], to = from ? 0 : 1;
	for (long i = 0; i < o.pages; i++)
		nodes[i] = to;
	long r = syscall(SYS_move_pages, 0, o.pages, pages, nodes, status, MPOL_MF_MOVE);
	if (r < 0)
		die("move_pages to node %d: %s", to, strerror(errno));
	for (long i = 0; i < o.pages; i++) {
		if (status[i] == to)
			moved++;
		else if (status[i] == from || status[i] == -EBUSY || status[i] == -EAGAIN)
			busy++;	/* left where it was */
		else
			die("move_pages: page %ld: status %d", i, status[i]);
	}
	printf("moved=%d busy=%d from=%d to=%d\n", moved, busy, from, to);
	return 0;
}
