// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest's hardirq workloads, run by the test module: unpins in an interrupt
 * (irq-unpin) and page frees in an interrupt (irq-free), each landing on
 * this task while it is inside the same kernel path, so that a tracer's
 * program may be running on the CPU when the interrupt hits its hook again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pwtest.h"

/* irq-unpin --pages N --release unpin|batch: the module pins a buffer, then
 * unpins it in hardirq while this task is inside its pin_user_pages() call
 * on a page of the device's own private mapping (see PWT_IOC_IRQ_UNPIN).
 * Fails unless the unpins really ran there.
 * irq-unpin --pages N --release timer --busy M: the same buffer unpinned by
 * an hrtimer while this task is inside unpin_user_pages() of an M-page one;
 * prints where it landed (irq_released=N: on the task inside that call). */
int cmd_irq_unpin(int argc, char **argv)
{
	static const char *const names[] = { [PWT_IRQ_UNPIN] = "unpin", [PWT_IRQ_BATCH] = "batch",
					     [PWT_IRQ_TIMER] = "timer" };
	struct opts o;
	struct pwt_irq r = { 0 };

	parse_opts(argc, argv, &o, "pages,release,busy");
	r.release = LOOKUP(names, "release", o.release);
	if ((r.release == PWT_IRQ_TIMER) != (o.busy > 0))
		die("--busy M goes with --release timer, and only with it");
	r.addr = (uintptr_t)alloc_buf(o.pages, false);
	r.len = o.pages * PG;
	int fd = open_dev();
	if (o.busy) {
		/* one page M times: the kernel releases its pins in one step
		 * after a compare per entry, while pinwatch settles every entry,
		 * so the timer mostly lands inside pinwatch's program */
		r.addr2 = (uintptr_t)alloc_buf(o.busy, false);
		alias_buf((char *)(uintptr_t)r.addr2, o.busy);
		r.len2 = o.busy * PG;
	} else {
		void *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (f == MAP_FAILED)
			die("mmap %s: %s", PWT_DEVICE, strerror(errno));
		r.fault_addr = (uintptr_t)f;	/* untouched: GUP must fault it in */
	}
	if (ioctl(fd, PWT_IOC_IRQ_UNPIN, &r))
		die("ioctl IRQ_UNPIN(pages=%ld release=%s): %s", o.pages, o.release, strerror(errno));
	close(fd);
	printf("irq-unpin release=%s pages=%ld acquired=%" PRId64 " irq_released=%" PRId64
	       " fault_pinned=%" PRId64 "\n", o.release, o.pages, r.acquired, r.irq_released,
	       r.fault_pinned);
	if (o.busy)
		return 0;
	if (r.fault_pinned != 1)
		die("pin_user_pages() did not pin the fault page");
	if (r.irq_released != r.acquired)
		die("the unpins did not run in hardirq on this task inside GUP (released in task context)");
	return 0;
}

/* irq-free --pages N --irq-pages K [--iters R]: the module frees N pages
 * while an hrtimer frees K others in hardirq, R rounds (PWT_IOC_IRQ_FREE);
 * prints in how many rounds the timer landed on this task inside its frees.
 * --marked M --hold-ms MS: before that, M pages of a buffer are pinned and
 * unpinned through the module (pin_user_pages_fast, unpin_user_pages), and
 * the buffer is kept MS ms after, so that a tracer's marks on those pages
 * outlive the frees for that long. */
int cmd_irq_free(int argc, char **argv)
{
	struct opts o;
	struct pwt_irq_free r = { 0 };

	parse_opts(argc, argv, &o, "pages,irq-pages,iters,marked,hold-ms");
	if (o.pages > 65536 || !o.irq_pages || o.iters > 1000)
		die("--pages at most 65536, --irq-pages K (1..4096) required, --iters at most 1000");
	if (!o.marked != !o.hold_ms)
		die("--marked M and --hold-ms MS go together");
	int fd = open_dev();
	int64_t got;
	if (o.marked && (errno = pin_batch(fd, PWT_API_FAST, alloc_buf(o.marked, false), o.marked, &got)))
		die("ioctl PIN(fast, batch, %ld pages): %s", o.marked, strerror(errno));
	r.pages = o.pages;
	r.irq_pages = o.irq_pages;
	r.rounds = o.iters;
	if (ioctl(fd, PWT_IOC_IRQ_FREE, &r))
		die("ioctl IRQ_FREE(pages=%ld irq_pages=%ld rounds=%ld): %s", o.pages, o.irq_pages, o.iters,
		    strerror(errno));
	close(fd);
	printf("irq-free pages=%ld irq_pages=%ld rounds=%ld irq_freed=%" PRId64 " marked=%ld\n", o.pages,
	       o.irq_pages, o.iters, r.irq_freed, o.marked);
	sleep_ms(o.hold_ms);
	return 0;
}
