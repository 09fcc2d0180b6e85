/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the kernel's own pin state of a folio, and the CPU's interrupt
 * nesting, across kernel generations, with CO-RE (no version checks). See ../shared/research/kernel-gup.md §2.
 */
#ifndef PW_COMPAT_BPF_H
#define PW_COMPAT_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* GUP_PIN_COUNTING_BIAS: a pin adds 1024 to a small folio's _refcount
 * (include/linux/mm.h, unchanged since 3faa52c03f44 in 5.7). */
#define PW_PIN_BIAS 1024

/* Folio size fields moved: 6.1/6.12 have folio->_folio_nr_pages (64-bit),
 * 6.18 renamed it _nr_pages (vmlinux.h here is generated from 6.18). */
struct folio___nrpages_old {
	unsigned int _folio_nr_pages;
} __attribute__((preserve_access_index));

/* 5.18-6.2 kept the exact pin count of a large folio in page[1].compound_pincount;
 * 6.1/6.2 alias it as folio->_pincount (FOLIO_MATCH), 6.3+ only have _pincount. */
struct page___pincount_old {
	atomic_t compound_pincount;
} __attribute__((preserve_access_index));

/* page->flags became memdesc_flags_t in 6.18 but has always been the first
 * word of struct page/folio, so read that word directly instead of relying
 * on the field's type. */
static __always_inline __u64 pw_folio_flags(const void *folio)
{
	__u64 f = 0;
	bpf_probe_read_kernel(&f, sizeof(f), folio);
	return f;
}

/* 7.x names a tail page's second word compound_info. */
struct page___compound_info {
	unsigned long compound_info;
} __attribute__((preserve_access_index));

/* The head of tail page `page`, whose second word `info` has bit 0 set.
 * Before 7.x (compound_head) and on 7.x without HVO that word is the head's
 * address + 1. On 7.x with HVO and a power-of-two struct page it is the mask
 * that turns a tail's address into its head's: ones from bit 63 down to the
 * folio's size in struct pages, zeros, and bit 0 (set_compound_head()). Which
 * one is a Kconfig choice libbpf may not see, so the value's shape decides:
 * a head's address of that shape would be a page at a multiple of 2^40 or
 * so past vmemmap, beyond any RAM. */
static __always_inline __u64 pw_tail_head(__u64 page, __u64 info)
{
	__u64 low = ~(info & ~1ULL);	/* the mask's zeros as ones: 2^k - 1 */
	if (bpf_core_field_exists(((struct page___compound_info *)0)->compound_info) &&
	    !(low & (low + 1)))
		return page & (info & ~1ULL);
	return info - 1;
}

/* Is a folio whose first word is `flags` large (PG_head)? */
static __always_inline bool pw_flags_large(__u64 flags)
{
	return flags & (1ULL << bpf_core_enum_value(enum pageflags, PG_head));
}

static __always_inline bool pw_folio_large(const void *folio)
{
	return pw_flags_large(pw_folio_flags(folio));
}

/* Base pages of a folio whose flags word the caller has already read. */
static __always_inline __u32 pw_folio_nr_pages(const void *folio, __u64 flags)
{
	const struct folio *f = folio;
	if (!pw_flags_large(flags))
		return 1;
	if (bpf_core_field_exists(f->_nr_pages))
		return BPF_CORE_READ(f, _nr_pages);
	if (bpf_core_field_exists(((struct folio___nrpages_old *)folio)->_folio_nr_pages))
		return BPF_CORE_READ((struct folio___nrpages_old *)folio, _folio_nr_pages);
	return 1;
}

static __always_inline int pw_folio_refcount(const void *folio)
{
	const struct folio *f = folio;
	return BPF_CORE_READ(f, _refcount.counter);
}

/* Exact pin count of a large folio. */
static __always_inline int pw_folio_pincount(const void *folio)
{
	const struct folio *f = folio;
	if (bpf_core_field_exists(f->_pincount))
		return BPF_CORE_READ(f, _pincount.counter);
	/* pre-folio-alias kernels: page[1].compound_pincount */
	const struct page___pincount_old *p1 =
		(const void *)((const char *)folio + bpf_core_type_size(struct page));
	return BPF_CORE_READ(p1, compound_pincount.counter);
}

/* How many FOLL_PIN pins the kernel itself holds on this folio right now.
 * Exact for large folios; for small folios refcount/BIAS, which can over-count
 * when a page has >= 1024 ordinary references (the kernel's own fuzziness,
 * see folio_maybe_dma_pinned()). */
static __always_inline __u32 pw_kernel_pins(const void *folio)
{
	if (pw_folio_large(folio)) {
		int pc = pw_folio_pincount(folio);
		return pc > 0 ? pc : 0;
	}
	int rc = pw_folio_refcount(folio);
	return rc > 0 ? (__u32)rc / PW_PIN_BIAS : 0;
}

/* The CPU's interrupt nesting: the NMI, hardirq and softirq bits of its
 * preempt count (include/linux/preempt.h), 0 when it cannot be read. Where
 * they sit changed in 7.x (hardirq 16-19 and NMI 20 before; a hardirq-disable
 * count at 16-23, hardirq 24-27 and NMI 28-30 since), so every bit above the
 * preemption count but PREEMPT_NEED_RESCHED (31) is taken: on either layout
 * the bits it adds are unused or the same at a GUP entry and inside it. x86-64
 * keeps the count in the per-CPU __preempt_count (6.1, and 6.15+) or in
 * pcpu_hot (6.2-6.14); a kernel without either leaves 0, the old guess.
 * PREEMPT_RT counts softirqs in the task instead (softirq_disable_cnt).
 * Compared, not tested for zero: a kprobe that fires through int3 runs in
 * NMI context by itself, at the GUP entry as at an unpin inside it. */
#define PW_IRQ_BITS	0x7fffff00u	/* SOFTIRQ, HARDIRQ(_DISABLE), NMI masks of 6.x and 7.x */
#define PW_SOFTIRQ_BITS	0xff00u
extern const int __preempt_count __ksym __weak;
struct pcpu_hot___pw {
	int preempt_count;
} __attribute__((preserve_access_index));
extern const struct pcpu_hot___pw pcpu_hot __ksym __weak;
struct task_struct___rt {
	int softirq_disable_cnt;
} __attribute__((preserve_access_index));

static __always_inline __u32 pw_irq_ctx(void)
{
	__u32 pc;
	if (&__preempt_count)
		pc = *(const int *)bpf_this_cpu_ptr(&__preempt_count);
	else if (bpf_core_field_exists(((struct pcpu_hot___pw *)0)->preempt_count))
		pc = ((const struct pcpu_hot___pw *)bpf_this_cpu_ptr(&pcpu_hot))->preempt_count;
	else
		return 0;
	if (bpf_core_field_exists(((struct task_struct___rt *)0)->softirq_disable_cnt)) {
		struct task_struct___rt *t = (void *)bpf_get_current_task_btf();
		pc = (pc & ~PW_SOFTIRQ_BITS) | (t->softirq_disable_cnt & PW_SOFTIRQ_BITS);
	}
	return pc & PW_IRQ_BITS;
}

#endif
