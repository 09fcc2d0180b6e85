// SPDX-License-Identifier: GPL-2.0
/*
 * The page scan behind `pinwatch why`: struct page of every pfn in a range,
 * read as the kernel keeps it, so pins taken before any tracing began show
 * too. A folio is reported when it holds FOLL_PIN pins (_pincount of a large
 * folio, the 1024 bias of a small one) or more references than its mappings,
 * its page or swap cache entry and its fs-private data explain: the
 * get_user_pages and other references that make migration fail (the count
 * folio_expected_refs() in mm/migrate.c checks, before unmapping). Only user
 * memory (anonymous, on an LRU list, or a large folio with pins: hugetlb) is
 * judged; the kernel's own pages are counted, not reported, and so are the
 * extra references of a folio off the LRU, which are transient.
 *
 * Its own object, without the tracer's maps and hooks: it loads wherever a
 * raw_tp program can be run with BPF_PROG_TEST_RUN, also where no GUP hook
 * attaches. The loader runs it on slices of the range (SCAN_SLICE in
 * src/pagescan.c) so that no single run holds the CPU long.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "compat.bpf.h"
#include "vmemmap.bpf.h"
#include "pinwatch.h"

char LICENSE[] SEC("license") = "GPL";

struct pw_scan_rec scan_out[PW_SCAN_BATCH];
struct pw_scan_sum scan_sum;

/* The count of a large folio's whole-folio (PMD) mappings: folio->
 * _entire_mapcount since 6.2, 6.1's alias of page[1].compound_mapcount. */
struct folio___entire_old {
	atomic_t _total_mapcount;
} __attribute__((preserve_access_index));

struct scan_ctx {
	__u64 base, sz;		/* vmemmap, sizeof(struct page) */
	__u64 first, pfn, end;	/* the range, and the next pfn to read */
};

struct sub_ctx {
	__u64 page, sz;
	__s32 sum;
};

static long sub_mapcount(__u32 i, struct sub_ctx *s)
{
	struct page *p = (void *)(s->page + (__u64)i * s->sz);
	s->sum += BPF_CORE_READ(p, _mapcount.counter) + 1;
	return 0;
}

/* Mappings of a large folio, counting every page table entry and every
 * whole-folio mapping once: _large_mapcount (6.11+), else the entire count
 * plus each page's own. */
static __always_inline __s32 large_mapcount(__u64 folio, __u32 nr, __u64 sz)
{
	struct folio *f = (void *)folio;
	__s32 entire = 0;

	if (bpf_core_field_exists(f->_large_mapcount))
		return BPF_CORE_READ(f, _large_mapcount.counter) + 1;
	if (bpf_core_field_exists(f->_entire_mapcount))
		entire = BPF_CORE_READ(f, _entire_mapcount.counter) + 1;
	else if (bpf_core_field_exists(((struct folio___entire_old *)0)->_total_mapcount))
		entire = BPF_CORE_READ((struct folio___entire_old *)f, _total_mapcount.counter) + 1;
	struct sub_ctx s = { .page = folio, .sz = sz };
	bpf_loop(nr, sub_mapcount, &s, 0);
	return entire + s.sum;
}

#define FLAG(name) (1ULL << bpf_core_enum_value(enum pageflags, name))

static __always_inline void scan_folio(struct scan_ctx *c, __u64 page, __u64 pfn, __u64 flags)
{
	struct folio *f = (void *)page;
	__u32 nr = pw_folio_nr_pages(f, flags);
	int rc = BPF_CORE_READ(f, _refcount.counter);

	if (nr > 1 && pfn + nr > c->pfn)
		c->pfn = pfn + nr;	/* its other pages are tails */
	if (rc <= 0) {
		scan_sum.free_pages += nr;
		return;
	}
	__u64 mapping = (__u64)BPF_CORE_READ(f, mapping);
	bool anon = mapping & 1, lru = flags & FLAG(PG_lru), large = nr > 1;
	/* only GUP raises a large folio's _pincount: one with pins is user
	 * memory even off the LRU and not anonymous, as hugetlb folios are */
	int large_pins = large ? pw_folio_pincount(f) : 0;
	if ((flags & FLAG(PG_reserved)) || (!lru && !anon && large_pins <= 0)) {
		scan_sum.kernel_pages += nr;
		return;
	}
	scan_sum.user_pages += nr;

	__s32 maps = large ? large_mapcount(page, nr, c->sz)
			   : BPF_CORE_READ(f, page._mapcount.counter) + 1;
	__u32 exp = maps > 0 ? maps : 0, fl = (anon ? PW_SCAN_ANON : 0) | (lru ? PW_SCAN_LRU : 0);
	if (mapping && !anon) {
		exp += nr;	/* the page cache holds one reference per page */
		fl |= PW_SCAN_CACHE;
	} else if ((flags & FLAG(PG_swapbacked)) && (flags & FLAG(PG_swapcache))) {
		exp += nr;	/* so does the swap cache */
		fl |= PW_SCAN_CACHE;
	}
	if (flags & FLAG(PG_private))
		exp += 1;
	__u32 pins, pin_refs;
	if (large) {
		pins = large_pins > 0 ? large_pins : 0;
		pin_refs = pins;
		fl |= PW_SCAN_LARGE;
	} else {
		/* the bias over what mappings and caches explain: a page cache
		 * page mapped by over 1024 processes is not pinned */
		pins = (__u32)rc > exp ? ((__u32)rc - exp) / PW_PIN_BIAS : 0;
		pin_refs = pins * PW_PIN_BIAS;
	}
	if (!pins && (__u32)rc <= exp + pin_refs)
		return;
	if (!pins && !lru) {
		/* an anonymous folio off the LRU: new ones wait in a per-CPU
		 * batch (lru_add) with a reference of it, isolated ones carry
		 * the isolator's; both go away by themselves */
		scan_sum.transient_pages += nr;
		return;
	}
	__u32 n = scan_sum.n;
	if (n >= PW_SCAN_BATCH)
		return;
	struct pw_scan_rec *r = &scan_out[n];
	r->pfn = pfn;
	r->nr_pages = nr;
	r->refcount = rc;
	r->pins = pins;
	r->expected = exp;
	r->mapcount = maps;
	r->flags = fl;
	scan_sum.n = n + 1;
}

static long scan_pfn(__u32 i, struct scan_ctx *c)
{
	__u64 pfn = c->pfn, w[2];

	/* a folio writes at most one record: stop when the batch is full */
	if (pfn >= c->end || scan_sum.n >= PW_SCAN_BATCH)
		return 1;
	__u64 page = c->base + pfn * c->sz;
	c->pfn = pfn + 1;
	if (bpf_probe_read_kernel(w, sizeof(w), (void *)page)) {
		scan_sum.holes++;	/* no struct page here (a hole, offline memory) */
		return 0;
	}
	if (w[1] & 1) {
		/* a tail page: its folio is judged at its head, unless the
		 * range begins inside the folio */
		if (pfn != c->first)
			return 0;
		__u64 head = pw_tail_head(page, w[1]);
		if (head >= page || head < c->base)
			return 0;
		pfn = (head - c->base) / c->sz;
		page = head;
		if (bpf_probe_read_kernel(w, sizeof(w), (void *)page))
			return 0;
	}
	scan_folio(c, page, pfn, w[0]);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(pw_scan, __u64 start, __u64 end)
{
	struct scan_ctx c = { .base = pw_vmemmap(), .sz = bpf_core_type_size(struct page),
			      .first = start, .pfn = start, .end = end };

	scan_sum.n = 0;
	if (end > start)
		bpf_loop(end - start < (1U << 23) ? end - start : (1U << 23), scan_pfn, &c, 0);
	scan_sum.next = c.pfn;
	return 0;
}

/* CMA areas (why --cma), from the kernel's cma_areas[] (kallsyms addresses
 * set by the loader): struct cma is internal to mm/, in BTF but without a
 * variable, and Debian does not build CMA's debugfs. Since 6.15 an area has
 * ranges; before, one base_pfn and count. */
const volatile __u64 cfg_cma_areas_addr = 0, cfg_cma_count_addr = 0;
struct pw_cma_area cma_out[PW_CMA_MAX];
__u32 cma_n;

struct cma_memrange___pw {
	unsigned long base_pfn;
	unsigned long count;
} __attribute__((preserve_access_index));
struct cma___ranges {
	char name[64];
	int nranges;
	struct cma_memrange___pw ranges[8];
} __attribute__((preserve_access_index));
struct cma___single {
	unsigned long base_pfn;
	unsigned long count;
	char name[64];
} __attribute__((preserve_access_index));

static long cma_area(__u32 i, void *unused)
{
	__u32 n = cma_n;
	if (n >= PW_CMA_MAX)
		return 1;
	struct pw_cma_area *o = &cma_out[n];
	if (bpf_core_type_exists(struct cma___ranges) &&
	    bpf_core_field_exists(((struct cma___ranges *)0)->nranges)) {
		struct cma___ranges *c = (void *)(cfg_cma_areas_addr + i * bpf_core_type_size(struct cma___ranges));
		int nr = BPF_CORE_READ(c, nranges);
		__u64 lo = ~0ULL, hi = 0;
		__u64 r0 = (__u64)c + bpf_core_field_offset(struct cma___ranges, ranges);
		for (int r = 0; r < 8 && r < nr; r++) {
			struct cma_memrange___pw *m =
				(void *)(r0 + r * bpf_core_type_size(struct cma_memrange___pw));
			__u64 b = BPF_CORE_READ(m, base_pfn), cnt = BPF_CORE_READ(m, count);
			lo = b < lo ? b : lo;
			hi = b + cnt > hi ? b + cnt : hi;
		}
		o->base_pfn = nr > 0 ? lo : 0;
		o->count = nr > 0 ? hi - lo : 0;
		BPF_CORE_READ_STR_INTO(&o->name, c, name);
	} else if (bpf_core_type_exists(struct cma___single)) {
		struct cma___single *c = (void *)(cfg_cma_areas_addr + i * bpf_core_type_size(struct cma___single));
		o->base_pfn = BPF_CORE_READ(c, base_pfn);
		o->count = BPF_CORE_READ(c, count);
		BPF_CORE_READ_STR_INTO(&o->name, c, name);
	} else {
		return 1;
	}
	cma_n = n + 1;
	return 0;
}

SEC("raw_tp")
int BPF_PROG(pw_cma)
{
	unsigned int count = 0;
	cma_n = 0;
	if (!cfg_cma_areas_addr || !cfg_cma_count_addr ||
	    bpf_probe_read_kernel(&count, sizeof(count), (void *)cfg_cma_count_addr))
		return 0;
	bpf_loop(count < PW_CMA_MAX ? count : PW_CMA_MAX, cma_area, NULL, 0);
	return 0;
}
