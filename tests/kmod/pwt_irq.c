// SPDX-License-Identifier: GPL-2.0
/*
 * pinwatch_test: unpins in hardirq (PWT_IOC_IRQ_UNPIN), as a block driver's
 * completion interrupt does: from an irq_work raised while the task is inside
 * GUP (the device's mmap fault handler, called by GUP, raises it), or from an
 * hrtimer that fires while the task is inside unpin_user_pages().
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/irq_work.h>
#include <linux/hrtimer.h>
#include <linux/completion.h>
#include <linux/preempt.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>

#include "pinwatch_test.h"
#include "pwt.h"

/* One request at a time (pwt_irq_lock): the pages the irq_work unpins, and
 * the task whose GUP call the fault handler must see to raise it. */
static struct {
	struct irq_work work;
	struct hrtimer timer;
	struct completion fired;
	struct task_struct *task;	/* inside pin_user_pages() (or unpin_user_pages()
					 * for the timer); NULL when not armed */
	struct page **pages;
	long nr;
	u32 release;
	long released;			/* pages the irq_work unpinned, -1: wrong context */
} pwt_irq;
static DEFINE_MUTEX(pwt_irq_lock);

/* The irq_work: unpin the buffer, in hardirq, on the task that is inside
 * GUP. Anywhere else it leaves them to the ioctl, which reports it. */
static PWT_FN void pwt_irq_unpin(struct irq_work *w)
{
	if (!in_hardirq() || current != pwt_irq.task) {
		pwt_irq.released = -1;
		return;
	}
	if (pwt_irq.release == PWT_IRQ_BATCH)
		pwt_unpin_batch(pwt_irq.pages, pwt_irq.nr);
	else
		pwt_unpin_each(pwt_irq.pages, pwt_irq.nr);
	pwt_irq.released = pwt_irq.nr;
}

/* Milliseconds the fault handler sleeps first (0: none; written through
 * /sys/module/pinwatch_test/parameters/): threads that pin a page of the
 * device's mapping then sleep inside GUP together, more of them than a
 * kretprobe has instances (gup-exit-missed). */
static unsigned int fault_sleep_ms;
module_param(fault_sleep_ms, uint, 0600);

/* GUP faulting in a page of the device's private mapping: a zeroed page,
 * which the COW fault copies into the anonymous page GUP pins. Armed, it
 * first raises the irq_work (a self-IPI: it runs as soon as interrupts are
 * on, here) and waits until it has run. */
static vm_fault_t pwt_fault(struct vm_fault *vmf)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return VM_FAULT_OOM;
	if (READ_ONCE(fault_sleep_ms))
		msleep(READ_ONCE(fault_sleep_ms));
	if (READ_ONCE(pwt_irq.task) == current) {
		irq_work_queue(&pwt_irq.work);
		irq_work_sync(&pwt_irq.work);
	}
	vmf->page = page;
	return 0;
}

/* Pin all of the caller's buffer addr/len (pin_user_pages_fast, FOLL_WRITE)
 * into a new array *out, or nothing (a partial pin is released): 0 or -errno. */
static long pwt_pin_buffer(u64 addr, u64 len, struct page ***out)
{
	long nr = len >> PAGE_SHIFT, got;
	struct page **pages;

	if (!len || len > PWT_MAX_BYTES || !PAGE_ALIGNED(len) || !PAGE_ALIGNED(addr) ||
	    addr + len < addr || !current->mm)
		return -EINVAL;
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	got = pwt_pin_fast(addr, nr, FOLL_WRITE, pages);
	if (got != nr) {
		if (got > 0)
			pwt_unpin_batch(pages, got);
		kvfree(pages);
		return got < 0 ? got : -EFAULT;
	}
	*out = pages;
	return 0;
}

/* PWT_IRQ_TIMER: unpin the buffer from an hrtimer in hardirq, counted when
 * it lands on the task while that is inside unpin_user_pages(). */
static enum hrtimer_restart pwt_irq_timer(struct hrtimer *t)
{
	bool on_task = in_hardirq() && current == READ_ONCE(pwt_irq.task);

	pwt_unpin_batch(pwt_irq.pages, pwt_irq.nr);
	pwt_irq.released = on_task ? pwt_irq.nr : -1;
	complete(&pwt_irq.fired);
	return HRTIMER_NORESTART;
}

/* Pin addr2 (n2 pages) too, arm the timer, and unpin addr2 while it fires.
 * The timer always unpins the buffer: released says where it was. */
static long pwt_irq_during_unpin(struct pwt_irq *r)
{
	long n2 = r->len2 >> PAGE_SHIFT;
	struct page **p2;
	long ret = pwt_pin_buffer(r->addr2, r->len2, &p2);

	if (ret)
		return ret;
	r->acquired += n2;
	reinit_completion(&pwt_irq.fired);
	WRITE_ONCE(pwt_irq.task, current);
	/* 20 us: well inside the unpin of thousands of pages under TCG */
	hrtimer_start(&pwt_irq.timer, ns_to_ktime(20000), HRTIMER_MODE_REL_HARD);
	pwt_unpin_batch(p2, n2);
	WRITE_ONCE(pwt_irq.task, NULL);
	wait_for_completion(&pwt_irq.fired);
	kvfree(p2);
	return 0;
}

static const struct vm_operations_struct pwt_vm_ops = {
	.fault = pwt_fault,
};

/* Private mappings only: GUP pins the COW copy, an ordinary anonymous page. */
int pwt_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_MAYSHARE)
		return -EINVAL;
	vma->vm_ops = &pwt_vm_ops;
	return 0;
}

long pwt_do_irq_unpin(struct pwt_irq *r)
{
	struct page **pages, *fpage = NULL;
	long nr, fgot, released;

	if (r->reserved || r->release < PWT_IRQ_UNPIN || r->release > PWT_IRQ_TIMER)
		return -EINVAL;
	if (!PAGE_ALIGNED(r->fault_addr))
		return -EINVAL;
	fgot = pwt_pin_buffer(r->addr, r->len, &pages);	/* 0 or -errno here */
	if (fgot)
		return fgot;
	nr = r->len >> PAGE_SHIFT;
	r->acquired = nr;

	mutex_lock(&pwt_irq_lock);
	pwt_irq.pages = pages;
	pwt_irq.nr = nr;
	pwt_irq.release = r->release;
	pwt_irq.released = 0;
	if (r->release == PWT_IRQ_TIMER) {
		long ret = pwt_irq_during_unpin(r);

		if (ret)
			pwt_unpin_batch(pages, nr);	/* the timer never ran */
		else if (pwt_irq.released == nr)
			r->irq_released = nr;
		mutex_unlock(&pwt_irq_lock);
		kvfree(pages);
		return ret;
	}
	WRITE_ONCE(pwt_irq.task, current);
	fgot = pwt_pin_plain(r->fault_addr, 1, FOLL_WRITE, &fpage);
	WRITE_ONCE(pwt_irq.task, NULL);
	irq_work_sync(&pwt_irq.work);
	released = pwt_irq.released;
	mutex_unlock(&pwt_irq_lock);

	if (fgot == 1) {
		pwt_unpin_each(&fpage, 1);
		r->fault_pinned = 1;
	}
	if (released == nr)
		r->irq_released = nr;
	else
		pwt_unpin_batch(pages, nr);	/* not done in hardirq: the caller fails */
	kvfree(pages);
	return fgot < 0 ? fgot : 0;
}

void pwt_irq_init(void)
{
	/* hard: PREEMPT_RT runs other irq_work in a thread, not in hardirq */
	pwt_irq.work = IRQ_WORK_INIT_HARD(pwt_irq_unpin);
	init_completion(&pwt_irq.fired);
	pwt_hrtimer_setup(&pwt_irq.timer, pwt_irq_timer);
}
