// SPDX-License-Identifier: GPL-2.0
/*
 * pinwatch_test - deterministic FOLL_PIN / FOLL_GET workloads for pinwatch's VM tests:
 * the device, its ioctl, and the acquire and release paths (pwt_irq.c: unpins
 * in hardirq; pwt_free.c: page frees in hardirq).
 *
 * A misc device /dev/pinwatch_test. One ioctl (PWT_IOC_PIN) acquires the pages
 * of the caller's buffer through one API and releases them through one path,
 * correct or deliberately buggy; PWT_IOC_RELEASE_LEAKED unpins pages a previous
 * call "leaked"; PWT_IOC_IRQ_UNPIN unpins in hardirq while the task is inside
 * GUP (the device's mmap fault handler, called by GUP, raises the irq_work).
 * See pinwatch_test.h for the ABI.
 *
 * Every acquire and release path is its own out-of-line function with a
 * distinct name (pwt_pin_fast, pwt_unpin_each, ...) so a tracer's kernel stack
 * can be asserted by name: PWT_FN forbids inlining, cloning (.isra/.constprop)
 * and identical-code folding, and each function does work after its last call
 * (pwt_after_call) so the call is never turned into a tail call, which would
 * drop the named frame from the stack.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/version.h>

#include "pinwatch_test.h"
#include "pwt.h"

/* Pages parked by release=never, released by RELEASE_LEAKED or on unload. */
struct pwt_leak {
	struct list_head node;
	bool pinned;		/* FOLL_PIN (unpin) vs FOLL_GET (put_page) */
	long nr;
	struct page **pages;
};
static LIST_HEAD(pwt_leaks);
static DEFINE_MUTEX(pwt_leak_lock);

/* ---------------------------------------------------------------- acquire */

PWT_FN long pwt_pin_fast(unsigned long start, long nr, unsigned int gup, struct page **pages)
{
	long ret = pin_user_pages_fast(start, nr, gup, pages);

	pwt_after_call();
	return ret;
}

/* pwt_pin_fast's twin: same code, so pin_user_pages_fast() is entered at the
 * same stack position, under another return address */
static PWT_FN long pwt_pin_fast_alt(unsigned long start, long nr, unsigned int gup, struct page **pages)
{
	long ret = pin_user_pages_fast(start, nr, gup, pages);

	pwt_after_call();
	return ret;
}

PWT_FN long pwt_pin_plain(unsigned long start, long nr, unsigned int gup, struct page **pages)
{
	struct mm_struct *mm = current->mm;
	long ret;

	mmap_read_lock(mm);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	ret = pin_user_pages(start, nr, gup, pages);
#else
	ret = pin_user_pages(start, nr, gup, pages, NULL);
#endif
	pwt_after_call();
	mmap_read_unlock(mm);
	return ret;
}

static PWT_FN long pwt_pin_remote(unsigned long start, long nr, unsigned int gup, struct page **pages)
{
	struct mm_struct *mm = current->mm;
	long ret;

	/* locked == NULL: we hold mmap_lock for the whole call (required for LONGTERM on 6.1). */
	mmap_read_lock(mm);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	ret = pin_user_pages_remote(mm, start, nr, gup, pages, NULL);
#else
	ret = pin_user_pages_remote(mm, start, nr, gup, pages, NULL, NULL);
#endif
	pwt_after_call();
	mmap_read_unlock(mm);
	return ret;
}

static PWT_FN long pwt_get_fast(unsigned long start, long nr, unsigned int gup, struct page **pages)
{
	long ret = get_user_pages_fast(start, nr, gup, pages);

	pwt_after_call();
	return ret;
}

/* ---------------------------------------------------------------- release */

PWT_FN long pwt_unpin_each(struct page **pages, long nr)
{
	long i;

	for (i = 0; i < nr; i++)
		unpin_user_page(pages[i]);
	pwt_after_call();
	return nr;
}

PWT_FN long pwt_unpin_batch(struct page **pages, long nr)
{
	unpin_user_pages(pages, nr);
	pwt_after_call();
	return nr;
}

static PWT_FN long pwt_unpin_dirty(struct page **pages, long nr)
{
	unpin_user_pages_dirty_lock(pages, nr, true);
	pwt_after_call();
	return nr;
}

/*
 * Correct for FOLL_GET pages; the classic bug for FOLL_PIN pages: a small
 * folio keeps GUP_PIN_COUNTING_BIAS-1 references and is never freed, a large
 * folio keeps a non-zero _pincount. vmstat sees the acquire but no release.
 */
static PWT_FN long pwt_put_pages(struct page **pages, long nr)
{
	long i;

	for (i = 0; i < nr; i++)
		put_page(pages[i]);
	pwt_after_call();
	return nr;
}

/* "Never" released: the page array is parked for RELEASE_LEAKED / unload. */
static PWT_FN long pwt_park_leak(struct page **pages, long nr, bool pinned)
{
	struct pwt_leak *l = kmalloc(sizeof(*l), GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	l->pinned = pinned;
	l->nr = nr;
	l->pages = pages;
	mutex_lock(&pwt_leak_lock);
	list_add_tail(&l->node, &pwt_leaks);
	mutex_unlock(&pwt_leak_lock);
	pwt_after_call();
	return nr;
}

static PWT_FN long pwt_release_leaked(void)
{
	struct pwt_leak *l, *tmp;
	long total = 0;
	LIST_HEAD(todo);

	mutex_lock(&pwt_leak_lock);
	list_splice_init(&pwt_leaks, &todo);
	mutex_unlock(&pwt_leak_lock);

	list_for_each_entry_safe(l, tmp, &todo, node) {
		long i;

		for (i = 0; i < l->nr; i++) {
			if (l->pinned)
				unpin_user_page(l->pages[i]);
			else
				put_page(l->pages[i]);
		}
		total += l->nr;
		list_del(&l->node);
		kvfree(l->pages);
		kfree(l);
	}
	pwt_after_call();
	return total;
}

/*
 * The bug of NVIDIA open-gpu-kernel-modules #563: pages taken with FOLL_GET
 * (get_user_pages_fast) are released with unpin_user_page(). Done for real,
 * that subtracts GUP_PIN_COUNTING_BIAS (1024) from a small folio's refcount
 * (underflow / use-after-free), or 1 from a large folio's _pincount (goes
 * negative) plus 1 ref, and would take the test VM down.
 *
 * To keep the VM alive we first add exactly what the bad unpin will wrongly
 * drop: a small folio gets GUP_PIN_COUNTING_BIAS extra refs; a large folio
 * gets +1 _pincount and +1 ref (6.1: folio->_pincount aliases page[1]
 * compound_pincount, FOLIO_MATCH'd; 6.12: folio->_pincount). In effect we
 * silently turn the GET into an uncounted pin. Then the bad unpin_user_page()
 * runs (the call a tracer must catch: NR_FOLL_PIN_RELEASED +1, ACQUIRED +0),
 * and finally we drop the original FOLL_GET reference with put_page().
 * Net effect on every page: refcount and pincount unchanged; vmstat shows
 * nr_foll_pin_released +N with no matching acquire.
 */
static PWT_FN long pwt_unpin_get_pages(struct page **pages, long nr)
{
	long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pages[i];
		struct folio *folio = page_folio(page);

		if (folio_test_large(folio)) {
			atomic_inc(&folio->_pincount);
			folio_get(folio);
		} else {
			page_ref_add(page, GUP_PIN_COUNTING_BIAS);
		}
		unpin_user_page(page);		/* the bug */
		put_page(page);			/* the GET reference */
	}
	pwt_after_call();
	return nr;
}

/* ---------------------------------------------------------------- ioctl */

static long pwt_do_pin(struct pwt_req *r)
{
	unsigned long start = r->addr;
	long nr, got, i, ret = 0;
	unsigned int gup = 0;
	struct page **pages;
	bool pinned = r->api != PWT_API_GET_FAST;

	if (r->reserved || (r->flags & ~(PWT_F_LONGTERM | PWT_F_READONLY)))
		return -EINVAL;
	if (!r->len || r->len > PWT_MAX_BYTES || !PAGE_ALIGNED(r->len) ||
	    !PAGE_ALIGNED(start) || start + r->len < start)
		return -EINVAL;
	if (r->api < PWT_API_FAST || r->api > PWT_API_FAST_ALT ||
	    r->release < PWT_REL_UNPIN || r->release > PWT_REL_UNPIN_GET)
		return -EINVAL;
	/* get-fast pairs with put (correct), never (leak) or unpin-get (bug). */
	if (pinned && r->release == PWT_REL_UNPIN_GET)
		return -EINVAL;
	if (!pinned && r->release != PWT_REL_PUT && r->release != PWT_REL_NEVER &&
	    r->release != PWT_REL_UNPIN_GET)
		return -EINVAL;
	if (!pinned && (r->flags & PWT_F_LONGTERM))
		return -EINVAL;
	if (!current->mm)
		return -EINVAL;

	nr = r->len >> PAGE_SHIFT;
	if (!(r->flags & PWT_F_READONLY))
		gup |= FOLL_WRITE;
	if (r->flags & PWT_F_LONGTERM)
		gup |= FOLL_LONGTERM;

	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	switch (r->api) {
	case PWT_API_FAST:
		got = pwt_pin_fast(start, nr, gup, pages);
		break;
	case PWT_API_PLAIN:
		got = pwt_pin_plain(start, nr, gup, pages);
		break;
	case PWT_API_REMOTE:
		got = pwt_pin_remote(start, nr, gup, pages);
		break;
	case PWT_API_FAST_ALT:
		got = pwt_pin_fast_alt(start, nr, gup, pages);
		break;
	default:
		got = pwt_get_fast(start, nr, gup, pages);
		break;
	}
	if (got < 0) {
		ret = got;
		goto out_free;
	}
	r->acquired = got;
	for (i = 0; i < got; i++)
		if (folio_test_large(page_folio(pages[i])))
			r->large++;
	if (got != nr) {
		/* Partial: release correctly, report -EFAULT (deterministic or nothing). */
		if (pinned)
			r->released = pwt_unpin_batch(pages, got);
		else
			r->released = pwt_put_pages(pages, got);
		ret = -EFAULT;
		goto out_free;
	}

	switch (r->release) {
	case PWT_REL_UNPIN:
		r->released = pwt_unpin_each(pages, nr);
		break;
	case PWT_REL_BATCH:
		r->released = pwt_unpin_batch(pages, nr);
		break;
	case PWT_REL_DIRTY:
		r->released = pwt_unpin_dirty(pages, nr);
		break;
	case PWT_REL_PUT:
		r->released = pwt_put_pages(pages, nr);
		break;
	case PWT_REL_UNPIN_GET:
		r->released = pwt_unpin_get_pages(pages, nr);
		break;
	case PWT_REL_NEVER:
		ret = pwt_park_leak(pages, nr, pinned);
		if (ret < 0) {
			/* Cannot park: release correctly rather than lose the pages. */
			r->released = pinned ? pwt_unpin_batch(pages, nr) : pwt_put_pages(pages, nr);
			goto out_free;
		}
		r->parked = nr;
		return 0;	/* the list owns pages[] now */
	}
out_free:
	kvfree(pages);
	return ret;
}

static long pwt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PWT_IOC_PIN: {
		struct pwt_req r;
		long ret, ret2;

		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		r.acquired = r.released = r.large = r.parked = 0;
		ret = pwt_do_pin(&r);
		ret2 = copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
		return ret ? ret : ret2;
	}
	case PWT_IOC_RELEASE_LEAKED: {
		struct pwt_leaked o = { .released = pwt_release_leaked() };

		return copy_to_user(uarg, &o, sizeof(o)) ? -EFAULT : 0;
	}
	case PWT_IOC_IRQ_UNPIN: {
		struct pwt_irq r;
		long ret, ret2;

		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		r.acquired = r.irq_released = r.fault_pinned = 0;
		ret = pwt_do_irq_unpin(&r);
		ret2 = copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
		return ret ? ret : ret2;
	}
	case PWT_IOC_IRQ_FREE: {
		struct pwt_irq_free r;
		long ret, ret2;

		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		r.irq_freed = 0;
		ret = pwt_do_irq_free(&r);
		ret2 = copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
		return ret ? ret : ret2;
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pwt_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= pwt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= pwt_mmap,
};

static struct miscdevice pwt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "pinwatch_test",
	.fops	= &pwt_fops,
	.mode	= 0600,
};

static int __init pwt_init(void)
{
	pwt_irq_init();
	pwt_free_init();
	return misc_register(&pwt_misc);
}

static void __exit pwt_exit(void)
{
	misc_deregister(&pwt_misc);
	pwt_release_leaked();
}

module_init(pwt_init);
module_exit(pwt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pinwatch test workloads: pin_user_pages*/unpin_user_page* done right and wrong");
