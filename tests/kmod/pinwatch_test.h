/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwatch_test: ioctl ABI of the test module /dev/pinwatch_test, shared by the
 * kernel module (tests/kmod/pinwatch_test.c) and the userspace driver
 * (tests/prog/pwtest.c). Plain fixed-size types only, no padding holes.
 */
#ifndef PINWATCH_TEST_H
#define PINWATCH_TEST_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define PWT_DEVICE     "/dev/pinwatch_test"
#define PWT_MAX_BYTES  (64ULL << 20)	/* cap on one request */

/* How pages are acquired (pwt_req.api). */
enum pwt_api {
	PWT_API_FAST     = 1,	/* pin_user_pages_fast()        -> pwt_pin_fast */
	PWT_API_PLAIN    = 2,	/* pin_user_pages()             -> pwt_pin_plain */
	PWT_API_REMOTE   = 3,	/* pin_user_pages_remote(current->mm) -> pwt_pin_remote */
	PWT_API_GET_FAST = 4,	/* get_user_pages_fast() (FOLL_GET) -> pwt_get_fast */
	PWT_API_FAST_ALT = 5,	/* pin_user_pages_fast() -> pwt_pin_fast_alt: pwt_pin_fast's twin, the
				 * same stack depth by another caller (pinwatch's stack memo) */
};

/* How they are released (pwt_req.release). */
enum pwt_release {
	PWT_REL_UNPIN     = 1,	/* unpin_user_page() per page      -> pwt_unpin_each */
	PWT_REL_BATCH     = 2,	/* unpin_user_pages()              -> pwt_unpin_batch */
	PWT_REL_DIRTY     = 3,	/* unpin_user_pages_dirty_lock(,true) -> pwt_unpin_dirty */
	PWT_REL_PUT       = 4,	/* put_page() per page (BUG for pins; correct for get-fast) -> pwt_put_pages */
	PWT_REL_NEVER     = 5,	/* park in a global list (leak)    -> pwt_park_leak */
	PWT_REL_UNPIN_GET = 6,	/* unpin_user_page() on FOLL_GET pages (BUG, api get-fast only) -> pwt_unpin_get_pages */
};

/* pwt_req.flags */
#define PWT_F_LONGTERM  (1u << 0)	/* add FOLL_LONGTERM (pin APIs only) */
#define PWT_F_READONLY  (1u << 1)	/* omit FOLL_WRITE */

struct pwt_req {
	/* in */
	uint64_t addr;		/* user address, page aligned */
	uint64_t len;		/* bytes, page multiple, 1..PWT_MAX_BYTES */
	uint32_t api;		/* enum pwt_api */
	uint32_t release;	/* enum pwt_release */
	uint32_t flags;		/* PWT_F_* */
	uint32_t reserved;	/* must be 0 */
	/* out */
	int64_t acquired;	/* pages pinned (or got, for get-fast) */
	int64_t released;	/* pages handed to the release path (0 for never) */
	int64_t large;		/* how many of the acquired pages sit in a large folio */
	int64_t parked;		/* pages parked in the leak list by this call */
};

struct pwt_leaked {
	int64_t released;	/* out: pages released by RELEASE_LEAKED */
	int64_t reserved;
};

/*
 * PWT_IOC_IRQ_UNPIN: the buffer addr/len is pinned (pin_user_pages_fast), then
 * unpinned in hardirq context while this task is inside another GUP call, as
 * a block driver's completion interrupt does when it lands on a task that is
 * pinning: the module pins one page at fault_addr (an untouched page of a
 * MAP_PRIVATE mmap of /dev/pinwatch_test) with pin_user_pages(); GUP faults
 * it in through the module's fault handler, which raises an irq_work that
 * unpins the buffer. The fault page is unpinned afterwards, in task context.
 */
enum pwt_irq_release {
	PWT_IRQ_UNPIN = 1,	/* unpin_user_page() per page, in hardirq */
	PWT_IRQ_BATCH = 2,	/* unpin_user_pages(), in hardirq */
	PWT_IRQ_TIMER = 3,	/* unpin_user_pages() from an hrtimer (hardirq) that fires
				 * while this task is inside unpin_user_pages() on the
				 * buffer addr2/len2 (pinned first), not inside GUP:
				 * fault_addr is unused */
};

struct pwt_irq {
	/* in */
	uint64_t addr;		/* the buffer unpinned in hardirq, page aligned */
	uint64_t len;		/* bytes, page multiple, 1..PWT_MAX_BYTES */
	uint64_t fault_addr;	/* an untouched page of a MAP_PRIVATE mmap of the device */
	uint32_t release;	/* enum pwt_irq_release */
	uint32_t reserved;	/* must be 0 */
	uint64_t addr2, len2;	/* PWT_IRQ_TIMER: the buffer unpinned in task context */
	/* out */
	int64_t acquired;	/* buffer pages pinned (both buffers for PWT_IRQ_TIMER) */
	int64_t irq_released;	/* of those, unpinned in hardirq on this task inside GUP
				 * (the rest were unpinned in task context, after it);
				 * PWT_IRQ_TIMER: in hardirq while this task was inside
				 * unpin_user_pages() on addr2 */
	int64_t fault_pinned;	/* fault pages pinned by that GUP call (and unpinned) */
};

/*
 * PWT_IOC_IRQ_FREE: the module allocates `pages` pages and frees them one by
 * one in task context while an hrtimer (hardirq) frees `irq_pages` others, so
 * that the mm_page_free tracepoint fires in an interrupt while its handler
 * may be running on the task: the kernel then skips the nested run of a BPF
 * program on it (its recursion_misses). Repeated `rounds` times.
 */
struct pwt_irq_free {
	/* in */
	uint32_t pages;		/* freed by the task, 1..65536 */
	uint32_t irq_pages;	/* freed by the timer, 1..4096 */
	uint32_t rounds;	/* 1..1000 */
	uint32_t reserved;	/* must be 0 */
	/* out */
	int64_t irq_freed;	/* rounds whose timer fired on this task inside its frees */
};

#define PWT_IOC_MAGIC           'P'
#define PWT_IOC_PIN             _IOWR(PWT_IOC_MAGIC, 1, struct pwt_req)
#define PWT_IOC_RELEASE_LEAKED  _IOR(PWT_IOC_MAGIC, 2, struct pwt_leaked)
#define PWT_IOC_IRQ_UNPIN       _IOWR(PWT_IOC_MAGIC, 3, struct pwt_irq)
#define PWT_IOC_IRQ_FREE        _IOWR(PWT_IOC_MAGIC, 4, struct pwt_irq_free)

#endif
