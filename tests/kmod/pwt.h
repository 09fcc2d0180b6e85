/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwatch_test's own declarations, shared by its files (the ioctl ABI is
 * pinwatch_test.h).
 */
#ifndef PWT_H
#define PWT_H
#include <linux/mm_types.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/version.h>
#include "pinwatch_test.h"

/* Out of line under its own name, never cloned (.isra/.constprop) or folded
 * with an identical function: a tracer's kernel stack names it. */
#define PWT_FN __attribute__((__noinline__, __noipa__)) __used

/* An empty asm the compiler must keep after the call: no tail call possible. */
#define pwt_after_call() asm volatile("" ::: "memory")

/* hrtimer_setup() came in 6.13 and hrtimer_init() went in 6.15: the
 * module builds against Debian's headers from 6.1 to 7.x. */
static inline void pwt_hrtimer_setup(struct hrtimer *t, enum hrtimer_restart (*fn)(struct hrtimer *))
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(t, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
#else
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	t->function = fn;
#endif
}

/* pwt_main.c: acquire and release paths */
long pwt_pin_fast(unsigned long start, long nr, unsigned int gup, struct page **pages);
long pwt_pin_plain(unsigned long start, long nr, unsigned int gup, struct page **pages);
long pwt_unpin_each(struct page **pages, long nr);
long pwt_unpin_batch(struct page **pages, long nr);

/* pwt_irq.c: PWT_IOC_IRQ_UNPIN and the device's mmap */
void pwt_irq_init(void);
int pwt_mmap(struct file *file, struct vm_area_struct *vma);
long pwt_do_irq_unpin(struct pwt_irq *r);

/* pwt_free.c: PWT_IOC_IRQ_FREE */
void pwt_free_init(void);
long pwt_do_irq_free(struct pwt_irq_free *r);
#endif
