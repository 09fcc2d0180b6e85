// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest gup-threads --threads N --pages M: N threads pin one page of the
 * test device's private mapping each (pin_user_pages() through the module),
 * all at once, so with the module's fault_sleep_ms set they sleep inside GUP
 * together: more threads than a kretprobe's maxactive instances, so some
 * calls' exits are never seen by a kretprobe. Then each thread pins and
 * unpins M pages of its own buffer the same way, from the same call chain:
 * the calls a tracer must still see whole after the missed exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pwtest.h"

struct gt {
	pthread_t t;
	int fd;
	void *fault_page, *buf;
	long pages;
	pthread_barrier_t *go;
	int err;
	int64_t pinned;
};

static int pin_plain(struct gt *g, void *addr, long pages)
{
	int64_t got = 0;
	int err = pin_batch(g->fd, PWT_API_PLAIN, addr, pages, &got);
	g->pinned += got;
	return err;
}

static void *thread_fn(void *arg)
{
	struct gt *g = arg;

	pthread_barrier_wait(g->go);
	g->err = pin_plain(g, g->fault_page, 1);
	if (!g->err)
		g->err = pin_plain(g, g->buf, g->pages);
	return NULL;
}

int cmd_gup_threads(int argc, char **argv)
{
	struct opts o;
	pthread_barrier_t go;

	parse_opts(argc, argv, &o, "threads,pages");
	if (o.threads < 1 || o.threads > 256)
		die("--threads N (1..256) is required");
	struct gt g[256];
	int fd = open_dev();
	/* every mapping made before the threads run: an mmap() would queue for
	 * mmap_lock behind the sleeping faults and hold up the next readers */
	pthread_barrier_init(&go, NULL, o.threads);
	for (long i = 0; i < o.threads; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].fd = fd;
		g[i].go = &go;
		g[i].pages = o.pages;
		g[i].fault_page = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (g[i].fault_page == MAP_FAILED)
			die("mmap %s: %s", PWT_DEVICE, strerror(errno));
		g[i].buf = alloc_buf(o.pages, false);
	}
	for (long i = 0; i < o.threads; i++)
		if ((errno = pthread_create(&g[i].t, NULL, thread_fn, &g[i])))
			die("pthread_create: %s", strerror(errno));
	int64_t pinned = 0;
	for (long i = 0; i < o.threads; i++) {
		pthread_join(g[i].t, NULL);
		if (g[i].err)
			die("thread %ld: ioctl PIN(plain, batch): %s", i, strerror(g[i].err));
		pinned += g[i].pinned;
	}
	printf("gup-threads threads=%ld pages=%ld pinned=%lld\n", o.threads, o.pages, (long long)pinned);
	return 0;
}
