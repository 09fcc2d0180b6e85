// SPDX-License-Identifier: GPL-2.0
/*
 * pinwatch_test: page frees in hardirq (PWT_IOC_IRQ_FREE). An hrtimer frees
 * pages while the task frees many, as an RCU or network-completion interrupt
 * freeing memory on a busy CPU does: when it lands while pinwatch's
 * mm_page_free program runs for the task's page, the kernel skips the
 * program's run for the interrupt's pages (recursion_misses).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/hrtimer.h>
#include <linux/completion.h>
#include <linux/preempt.h>

#include "pinwatch_test.h"
#include "pwt.h"

static struct {
	struct hrtimer timer;
	struct completion fired;
	struct task_struct *task;	/* freeing its pages; NULL when not armed */
	struct page **pages;		/* the timer's */
	long nr;
	bool on_task;			/* the timer fired on the task inside its frees */
} pwt_free;
static DEFINE_MUTEX(pwt_free_lock);

static PWT_FN void pwt_free_each(struct page **pages, long nr)
{
	long i;

	for (i = 0; i < nr; i++)
		__free_page(pages[i]);
	pwt_after_call();
}

static enum hrtimer_restart pwt_free_timer(struct hrtimer *t)
{
	pwt_free.on_task = in_hardirq() && current == READ_ONCE(pwt_free.task);
	pwt_free_each(pwt_free.pages, pwt_free.nr);
	complete(&pwt_free.fired);
	return HRTIMER_NORESTART;
}

/* n pages into a new array, or NULL (none left allocated) */
static struct page **pwt_alloc_pages(long n)
{
	struct page **p = kvcalloc(n, sizeof(*p), GFP_KERNEL);
	long i;

	for (i = 0; p && i < n; i++) {
		p[i] = alloc_page(GFP_KERNEL);
		if (!p[i]) {
			pwt_free_each(p, i);
			kvfree(p);
			return NULL;
		}
	}
	return p;
}

/* One round: arm the timer, free the task's pages while it fires, delay_ns
 * after the start. */
static long pwt_free_round(long n, long k, u64 delay_ns)
{
	struct page **mine = pwt_alloc_pages(n), **its = pwt_alloc_pages(k);

	if (!mine || !its) {
		if (mine)
			pwt_free_each(mine, n);
		if (its)
			pwt_free_each(its, k);
		kvfree(mine);
		kvfree(its);
		return -ENOMEM;
	}
	pwt_free.pages = its;
	pwt_free.nr = k;
	pwt_free.on_task = false;
	reinit_completion(&pwt_free.fired);
	WRITE_ONCE(pwt_free.task, current);
	hrtimer_start(&pwt_free.timer, ns_to_ktime(delay_ns), HRTIMER_MODE_REL_HARD);
	pwt_free_each(mine, n);
	WRITE_ONCE(pwt_free.task, NULL);
	wait_for_completion(&pwt_free.fired);
	kvfree(mine);
	kvfree(its);
	return pwt_free.on_task;
}

long pwt_do_irq_free(struct pwt_irq_free *r)
{
	long ret = 0;
	u32 i;

	if (r->reserved || !r->pages || r->pages > 65536 || !r->irq_pages || r->irq_pages > 4096 ||
	    !r->rounds || r->rounds > 1000)
		return -EINVAL;
	mutex_lock(&pwt_free_lock);
	/* the delay varies over 20-220 us, all inside the frees of thousands of
	 * pages under TCG, so the timer samples the loop at many phases (under
	 * TCG an interrupt is taken only between translated blocks) */
	for (i = 0; i < r->rounds && ret >= 0; i++) {
		ret = pwt_free_round(r->pages, r->irq_pages, 20000 + (i * 7919ull) % 200000);
		if (ret > 0)
			r->irq_freed++;
	}
	mutex_unlock(&pwt_free_lock);
	return ret < 0 ? ret : 0;
}

void pwt_free_init(void)
{
	init_completion(&pwt_free.fired);
	pwt_hrtimer_setup(&pwt_free.timer, pwt_free_timer);
}
