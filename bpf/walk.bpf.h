/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walking what one GUP call took or one unpin call gives back: a struct page
 * array, a struct folio array, or a range of consecutive struct pages. Pages
 * of one folio that follow each other form a run, applied to the folio's
 * cell at once (a THP's 512 pages are one atomic add, as the kernel's own
 * gup_folio_next() does). The walk runs under bpf_loop, the array read
 * PW_BATCH entries at a time.
 *
 * Paths. Each bpf_loop callback (pw_walk_entry) takes one of three:
 *   range     a range of struct pages (unpin_user_page_range_dirty_lock):
 *             the entry's folio, and the rest of it at once;
 *   order-0   the current run is one cached order-0 page, or there is no
 *             run (pw_small_run): up to PW_STEPS such pages settled one at
 *             a time by their cells alone, the common case of a 4 KiB
 *             buffer pinned again and again;
 *   general   one entry's folio read from struct page (pw_walk_one), then
 *             the entries that follow while they are pages of that folio,
 *             a whole batch in one test when they all are (a THP).
 * A single folio or page (unpin_folio, folio_add_pin) skips the loop
 * (pw_walk_single).
 *
 * Invariants, cited where they are relied on:
 *   I1 NULL pad: buf[buf_cnt .. buf_cnt + PW_BATCH) reads 0, so the
 *      unrolled loops read past a batch's end and stop at a NULL.
 *   I2 a folio's struct pages span a power of two, aligned to it.
 *   I3 an order-0 mark is true until the page is freed: a cell keeps its
 *      meta after its pins are gone, an order-0 folio only joins a larger
 *      one through the allocator, and pw_page_free clears the meta.
 *   I4 numbers the verifier must not know (pw_one, pw_read_one()): a
 *      constant that decides a branch is made precise, and the verifier
 *      then walks the code once per value.
 */
#ifndef PW_WALK_BPF_H
#define PW_WALK_BPF_H
#include "mirror.bpf.h"

enum pw_walk_mode { PW_W_ACQUIRE, PW_W_GET, PW_W_RELEASE };
enum pw_walk_src { PW_SRC_PAGES, PW_SRC_FOLIOS, PW_SRC_RANGE };
/* PW_BATCH: entries read from the array at a time; PW_STEPS: the most
 * cached order-0 pages one callback settles (pw_small_run). Larger ones
 * save callbacks (each costs a helper call) and cost verifier work, most
 * of the load time: bench/README.md has the figures. */
#define PW_BATCH 128
#define PW_STEPS 32

struct pw_walk {
	__u64 src;		/* array address, or first struct page of a range */
	__u32 n;		/* entries */
	__u8 kind;		/* pw_walk_src */
	__u64 base, zero_page;	/* vmemmap, the zero page's struct page */
	/* acquire */
	__u32 holder;		/* id of this call's holder, 0 if none */
	__u32 lt;		/* PW_CELL_LONGTERM or 0 */
	__s64 new_cells;	/* cells that now name the holder */
	__u64 counted;		/* pins the kernel counted (zero page excluded) */
	__u64 mirrored;		/* pins entered into the mirror */
	struct pw_holder h;	/* who took the pins (or GET references) */
	/* release: a pending decrement of one holder's cell count */
	__u32 dec_holder;
	__s64 dec_cells;
	/* the current run */
	__u64 run_folio, run_end;	/* folio, and its end (struct page address) */
	__u32 run_refs, run_nr;
	__u64 run_flags;
	__u32 pos;		/* next entry */
	__u32 buf_start;	/* entry of buf[0] */
	__u32 buf_cnt;		/* entries in buf */
	__u32 run_small;	/* the run is an order-0 folio known by its cell */
	/* I1: entries [buf_cnt, buf_cnt + PW_BATCH) are 0. buf[PW_BATCH...]
	 * is only ever written with zeros (a read fills at most PW_BATCH
	 * entries, a short batch zeroes its tail), so it stays as the map
	 * was created: zero, without a clear per walk. */
	__u64 buf[2 * PW_BATCH];
};

/* Walk state, per CPU, one per nesting level (see pw_walk_claim). */
#define PW_WALK_LEVELS 4
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PW_WALK_LEVELS);
	__type(key, __u32);
	__type(value, struct pw_walk);
} walks SEC(".maps") __weak;

/* The levels in use on each CPU, one bit each (see pw_walk_claim). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} walk_busy SEC(".maps") __weak;

/* The FOLL_GET call a cell without pins was last taken by (pw_get_mark),
 * if the gets map still remembers it. */
static __always_inline struct pw_holder *pw_get_taker(__u64 folio)
{
	struct pw_cell *c = pw_cell_of(pw_vmemmap(), folio);
	__u32 id = c ? c->meta & PW_CELL_HOLDER : 0;
	return id >= PW_GET_ID ? bpf_map_lookup_elem(&gets, &id) : NULL;
}

/* A released pin the mirror did not hold: unpin of a FOLL_GET page, of a pin
 * taken before tracing began, or of one that was never taken. */
static __always_inline void pw_unmatched(void *ctx, __u64 folio, __u32 left, __u32 nr)
{
	__u32 me = bpf_get_current_pid_tgid() >> 32;
	struct pw_finding_key k = {};
	struct pw_holder *g = pw_get_taker(folio);
	if (!g && pw_kernel_pins((void *)folio) >= left) {
		if (pw_dropped_any) {	/* maybe one we could not mirror */
			pw_stat_add(PW_S_UNTRACKED_REL, left);
			return;
		}
		/* the kernel holds these pins: they were taken before we looked */
		pw_stat_add(PW_S_PREEXISTING, left);
		if (cfg_filter_tree && !pw_in_tree(me))
			return;
		k.kind = PW_K_PREEXISTING;
		k.acq_stack = -1;
		pw_key_set_releaser(ctx, &k);
		pw_finding(&k, left, pw_pages_of(left, nr), 0, 0);
		return;
	}
	if (cfg_filter_tree && !pw_in_tree(me) && !(g && (g->flags & PW_F_TREE)))
		return;
	if (g) {
		pw_key_from_holder(&k, PW_K_UNPIN_WITHOUT_PIN, g);
	} else {
		k.kind = PW_K_UNPIN_WITHOUT_PIN;
		k.acq_stack = -1;
		k.tgid = me;
	}
	pw_key_set_releaser(ctx, &k);
	if (!g)
		__builtin_memcpy(k.comm, k.rel_comm, sizeof(k.comm));
	pw_finding(&k, left, pw_pages_of(left, nr), g ? g->ts_ns : 0, g ? g->pid : 0);
}

static __always_inline void pw_flush_dec(struct pw_walk *w)
{
	pw_holder_cells(w->dec_holder, -w->dec_cells);
	w->dec_cells = 0;
}

/* Remember on a folio's cell that FOLL_GET call `id` took a reference on
 * it, for an unpin of it later (pw_get_taker). Only on a cell without pins
 * (a pinned folio keeps naming its pin holder): pins and meta change in one
 * 64-bit compare-and-swap, so a pin taken meanwhile on another CPU wins. The
 * id and the order make a nonzero meta, so the mark is also the walk's
 * "order-0 folio" cache (pw_small_cell) for a small page; pw_page_free
 * clears it. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "pw_get_mark: a cell's pins are the low half of its 64-bit word");
static __always_inline void pw_get_mark(struct pw_cell *c, __u32 id, __u32 order)
{
	if (!c || !id)
		return;
	__u64 *cv = (__u64 *)c;	/* pins in the low half (little-endian) */
	__u64 old = *cv, new = (__u64)(id | order << PW_CELL_ORDER_SHIFT) << 32;
	if (old != new && !(__u32)old)
		__sync_val_compare_and_swap(cv, old, new);
}

/* refs pins on a cell. The first (0 -> refs) makes the cell name its holder:
 * meta is holder id | order | PW_CELL_LONGTERM as the pin is; a long-term
 * pin on a cell already named marks it long-term. True on the first. */
static __always_inline bool pw_cell_pin(struct pw_cell *c, __u32 refs, __u32 meta)
{
	if (__sync_fetch_and_add(&c->pins, refs) == 0) {
		c->meta = meta;
		return true;
	}
	if ((meta & PW_CELL_LONGTERM) && !(c->meta & PW_CELL_LONGTERM))
		__sync_fetch_and_or(&c->meta, PW_CELL_LONGTERM);
	return false;
}

/* Apply the current run: refs pins (or references) on run_folio. */
static __always_inline void pw_run_apply(void *ctx, struct pw_walk *w, const int mode)
{
	__u64 folio = w->run_folio;
	__u32 refs = w->run_refs;
	if (!folio || !refs || pw_is_zero(folio, w->zero_page, w->run_flags))
		return;
	struct pw_cell *c = pw_cell_of(w->base, folio);
	if (mode == PW_W_GET) {
		w->counted += refs;
		pw_get_mark(c, w->holder, pw_order_of(w->run_nr));
		return;
	}
	if (mode == PW_W_ACQUIRE) {
		w->counted += refs;
		if (!c) {
			pw_dropped(refs);
			return;
		}
		if (pw_cell_pin(c, refs, w->holder | (pw_order_of(w->run_nr) << PW_CELL_ORDER_SHIFT) | w->lt))
			w->new_cells += pw_one;
		w->mirrored += refs;
		return;
	}
	/* release: before the kernel drops anything */
	w->counted += refs;
	__u32 take = 0;
	if (c) {
		__u32 have = c->pins;
		take = have < refs ? have : refs;
		if (take) {
			__u32 meta = c->meta;
			if (__sync_fetch_and_add(&c->pins, -take) == take) {
				__u32 hid = meta & PW_CELL_HOLDER;
				if (hid != w->dec_holder)
					pw_flush_dec(w);
				w->dec_holder = hid;
				w->dec_cells += pw_one;
			}
			w->mirrored += take;
		}
	}
	if (take < refs)
		pw_unmatched(ctx, folio, refs - take, w->run_nr);
}

/* Is `page` an order-0 folio, by its cell alone (I3)? Saves the struct page
 * read that is most of a 4 KiB page's cost when buffers are pinned again
 * and again. NULL when
 * the cache is off (cfg_small_cache: only with the mm_page_free hook does a
 * cell's meta outlive its pins truthfully). */
static __always_inline struct pw_cell *pw_small_cell(__u64 base, __u64 page)
{
	if (!cfg_small_cache)
		return NULL;
	struct pw_cell *c = pw_cell_of(base, page);
	return c && pw_meta_order0(c->meta) ? c : NULL;
}

/* Make the folio of struct page `page` (compound_head) the current run,
 * with no refs yet: its address, flags and size. */
static __always_inline void pw_run_locate(struct pw_walk *w, __u64 page, bool is_folio)
{
	__u64 pg[2] = {};	/* flags, compound_head/_info: the first two words of struct page */
	w->run_folio = 0;
	w->run_end = 0;		/* [run_folio, run_end) holds no page */
	w->run_refs = 0;
	w->run_small = 0;
	if (!page)
		return;
	if (pw_small_cell(w->base, page)) {
		w->run_small = 1;
		w->run_folio = page;
		w->run_flags = 0;	/* only read for PG_reserved, never set on a pinned page */
		w->run_nr = 1;
		w->run_end = page + bpf_core_type_size(struct page);
		return;
	}
	if (bpf_probe_read_kernel(pg, sizeof(pg), (void *)page))
		return;
	__u64 folio = page, flags = pg[0];
	if (!is_folio && (pg[1] & 1)) {		/* a tail page */
		folio = pw_tail_head(page, pg[1]);
		flags = pw_folio_flags((void *)folio);
	}
	__u32 nr = pw_folio_nr_pages((void *)folio, flags);
	w->run_folio = folio;
	w->run_flags = flags;
	w->run_nr = nr;
	w->run_end = folio + (__u64)nr * bpf_core_type_size(struct page);
}

/* Is p (a page, or a folio for PW_SRC_FOLIOS: a head, so inside the run
 * only when it is the run's folio) part of the current run? With no run,
 * [run_folio, run_end) is [0, 0) and holds nothing, NULL included. */
static __always_inline bool pw_in_run(const struct pw_walk *w, __u64 p)
{
	return p >= w->run_folio && p < w->run_end;
}

/* A new run of refs on the folio of p (no run when p cannot be read). */
static __always_inline void pw_run_new(struct pw_walk *w, __u64 p, __u32 refs, bool is_folio)
{
	pw_run_locate(w, p, is_folio);
	if (w->run_folio)
		w->run_refs = refs;
}

/* One entry: a page (or folio) that gets `refs`. */
static __always_inline void pw_walk_one(void *ctx, struct pw_walk *w, __u64 p, __u32 refs,
				       const int mode)
{
	if (!p)		/* unpin_user_pages() skips NULL entries (6.12+) */
		return;
	if (pw_in_run(w, p)) {
		w->run_refs += refs;
		return;
	}
	pw_run_apply(ctx, w, mode);
	pw_run_new(w, p, refs, w->kind == PW_SRC_FOLIOS);
}

/* refs pins (references for PW_W_GET) of one cached order-0 page, the simple
 * way. False, with nothing done, for a release the general path must settle:
 * a pin the mirror does not hold, or a cell of a holder other than `meta`,
 * the holder whose emptied cells the caller counts (release; the caller sets
 * it while it counts none). For an acquire, meta is what a first pin writes
 * (holder id | long-term bit, order 0); for a GET walk, the mark's id.
 * *miss counts the cells settled that did not change hands (an acquire that
 * was not the cell's first pin, a release that left pins): the rare case,
 * so the common one keeps no count (the caller counts cells as pages settled
 * minus misses). */
static __always_inline bool pw_small_settle(struct pw_cell *c, __u32 refs, __u32 meta,
					    __u32 *miss, const int mode)
{
	bool missed = false;
	if (mode == PW_W_GET) {
		pw_get_mark(c, meta, 0);
	} else if (mode == PW_W_ACQUIRE) {
		missed = !pw_cell_pin(c, refs, meta);	/* order 0 */
	} else {
		if (c->pins < refs || (c->meta & PW_CELL_HOLDER) != meta)
			return false;
		missed = __sync_fetch_and_add(&c->pins, -refs) != refs;
	}
	if (missed) {
		asm volatile("");	/* a branch, not an add of 0 in the common case */
		*miss += 1;
	}
	return true;
}

/* The order-0 path: a 4 KiB buffer pinned again, where the current run is
 * one cached order-0 page (or there is no run) and so are the entries that
 * follow (I3). Settle the run, then up to PW_STEPS of those entries one at
 * a time, without leaving the callback (a bpf_loop callback per page costs
 * more than the page's accounting) and without a run: a page repeated is
 * settled twice, and the next callback starts here again. Stops at anything
 * else (left to pw_walk_one with no run pending) and at the NULL past the
 * batch's end (I1). True when w->pos moved.
 * Shaped for the compiler, which has 4 registers that survive a call and
 * treats the cell lookup as one (the verifier inlines it): the loop is
 * unrolled (entries read at constant offsets from q, no index or count
 * kept), a release counts cells of one holder fixed before the loop,
 * counted/mirrored follow from the entries settled, written once, the
 * cells that change hands are counted as pages settled minus the rare ones
 * that do not (no count on the common path), and the cell is one register
 * masked in one step. What each step saved: bench/README.md. */
static __always_inline bool pw_small_run(struct pw_walk *w, const int mode)
{
	__s64 cells = mode == PW_W_RELEASE ? w->dec_cells : w->new_cells;
	__u32 meta = mode == PW_W_RELEASE ? w->dec_holder :
		     mode == PW_W_ACQUIRE ? w->holder | w->lt : w->holder;
	/* I4: nil, miss and first are 0 the verifier does not know, or 6.1's
	 * verifier walks the unrolled loop once per value of miss and first.
	 * Each from a load of its own: copies of one register share a scalar
	 * id, and 7.x's verifier tells apart the paths where the copy was
	 * changed (miss += 1) from those where it was not, so the states of
	 * the unrolled loop did not merge. */
	__u32 refs = 0, nil = pw_read_one() - 1, miss = pw_read_one() - 1, first = pw_read_one() - 1;
	struct pw_cell *c;
	if (bpf_core_type_size(struct page) != 64)	/* the loop's pfn = off >> 6 */
		return false;

	if (w->run_folio) {
		refs = w->run_refs;
		c = pw_cell_of(w->base, w->run_folio);
		if (!c)
			return false;
		if (mode == PW_W_RELEASE && !cells)
			meta = c->meta & PW_CELL_HOLDER;
		if (!pw_small_settle(c, refs, meta, &miss, mode))
			return false;
		first = nil + 1;
		w->run_folio = 0;
		w->run_end = 0;
		w->run_refs = 0;
		w->run_small = 0;
	}
	/* entries from pos on: past buf_cnt they read NULL (I1), which stops
	 * the loop as a page beyond the mirror does */
	__u32 j0 = (w->pos - w->buf_start) & (PW_BATCH - 1);
	__u64 *q = &w->buf[j0];
	/* the chunk of the last page: pages of a buffer mostly lie in the same
	 * 256 MiB of RAM, and then the next cell is found without a lookup.
	 * A last chunk cut short by --max-pages needs no bound check here:
	 * its cells past cfg_max_pfn are never written (a cell's first write
	 * comes through pw_chunk_of; this loop writes only cells already
	 * marked order 0), so their meta is 0 and the loop stops there for
	 * the general path, which drops the page.
	 * vmemmap is reread from .bss there, one value fewer kept across the
	 * lookup. */
	struct pw_chunk *ch = NULL;
	__u64 ch_lo = 0;
	int k;
	if (mode == PW_W_RELEASE && !cells && !first) {	/* count the first page's holder */
		c = pw_cell_of(w->base, q[0]);
		meta = c ? c->meta & PW_CELL_HOLDER : 0;
	}
#pragma unroll
	for (k = 0; k < PW_STEPS; k++) {
		__u64 p = q[k], off = p - ch_lo;
		if (!ch || off >= 64 * PW_CHUNK_CELLS) {
			__u64 pfn = 0;
			ch = pw_chunk_of(pw_base_cache, p, &pfn);	/* set: pw_walk read it */
			if (!ch)
				break;
			off = (pfn & (PW_CHUNK_CELLS - 1)) << 6;
			ch_lo = p - off;
		}
		/* &ch->c[off >> 6], its byte offset masked in one step
		 * (a struct page is 64-byte aligned: off >> 3 is a multiple
		 * of 8), and one register for the cell's pins and meta */
		c = (void *)ch + ((off >> 3) & (PW_CHUNK_CELLS - 1) * sizeof(*c));
		barrier_var(c);
		if (!pw_meta_order0(c->meta) || !pw_small_settle(c, 1, meta, &miss, mode))
			break;
	}
	if (mode != PW_W_GET)
		cells += first + k - miss;
	/* w->pos is reread, not kept live across the loop */
	__u32 pos = w->buf_start + j0 + k;
	__u64 done = refs + (pos - w->pos);
	w->counted += done;
	if (mode != PW_W_GET)
		w->mirrored += done;
	if (mode == PW_W_RELEASE) {
		w->dec_cells = cells;
		w->dec_holder = meta;
	} else {
		w->new_cells = cells;
	}
	bool moved = pos != w->pos;
	w->pos = pos;
	return moved;
}

/* pw_small_run per mode, as global functions (gup_acquire.bpf.c,
 * gup_release.bpf.c): the verifier checks a global function once, on its
 * own. Inlined in the callback, it was walked again for every state that
 * reached it, and since 7.0 a bpf_loop callback's states are compared
 * exactly (a loop's): 9k instructions a step of its unrolled loop, past
 * the verifier's 1M limit for the walk. */
bool pw_small_run_acquire(struct pw_walk *w);
bool pw_small_run_get(struct pw_walk *w);
bool pw_small_run_release(struct pw_walk *w);

/* The walk's state lives in a per-CPU map, not on the BPF stack: the
 * verifier tracks map contents loosely, so the bpf_loop callback below is
 * verified in a pass or two instead of once per distinct stack state (which
 * blew its 1M-instruction budget). A hook interrupted on its CPU by another
 * (an unpin in an interrupt), or preempted there by another task's (fentry
 * programs run preemptible under preempt=full, pinned to their CPU), takes
 * another level: each walk claims the lowest free one with an atomic OR and
 * gives it back with an atomic AND, so walks may end in any order (a depth
 * counter assumed they end last-in first-out, which preemption breaks). */
struct pw_loop {
	void *ctx;		/* the hook's context: stacks of findings */
	__u32 level;
};

static __always_inline void pw_walk_unclaim(struct pw_loop *l)
{
	__u32 key0 = 0;
	__u32 *busy = bpf_map_lookup_elem(&walk_busy, &key0);
	if (busy)
		__sync_fetch_and_and(busy, ~(1U << l->level));
}

static __always_inline struct pw_walk *pw_walk_claim(struct pw_loop *l)
{
	__u32 key0 = 0, lv;
	__u32 *busy = bpf_map_lookup_elem(&walk_busy, &key0);
	if (!busy)
		return NULL;
	for (lv = 0; lv < PW_WALK_LEVELS; lv++)
		if (!(__sync_fetch_and_or(busy, 1U << lv) & (1U << lv)))
			break;
	if (lv == PW_WALK_LEVELS)
		return NULL;
	/* I4: a constant key of an array map is kept precise (6.14+), and the
	 * walk was verified once per level */
	l->level = (lv + pw_read_one() - 1) & (PW_WALK_LEVELS - 1);
	struct pw_walk *w = bpf_map_lookup_elem(&walks, &l->level);
	if (!w) {
		pw_walk_unclaim(l);
		return NULL;
	}
	/* the buffer is written before it is read (buf_cnt = 0): clear the rest */
	__builtin_memset(w, 0, __builtin_offsetof(struct pw_walk, buf));
	return w;
}

/* One callback: up to PW_STEPS cached order-0 pages when the current run is
 * one (pw_small_run: a re-pinned 4 KiB buffer's 512 entries take 16
 * callbacks); otherwise the entry at w->pos the general way (a new run, or
 * the next page of the current one), then the following entries of the
 * buffer while they are pages of the run's folio (a compare each: a THP's
 * 512 entries take 4 callbacks). A range's pages of one folio count at once.
 * The array is read PW_BATCH entries at a time. */
static __always_inline long pw_walk_entry(__u32 i, struct pw_loop *l, const int mode)
{
	struct pw_walk *w = bpf_map_lookup_elem(&walks, &l->level);
	if (!w || w->pos >= w->n)
		return 1;
	__u32 pos = w->pos;
	if (w->kind == PW_SRC_RANGE) {
		__u64 sz = bpf_core_type_size(struct page);
		__u64 p = w->src + (__u64)pos * sz;
		pw_walk_one(l->ctx, w, p, pw_one, mode);
		pos++;
		if (pw_in_run(w, p)) {	/* the rest of this folio, at once */
			__u64 left = (w->run_end - p) / sz - 1;
			if (left > w->n - pos)
				left = w->n - pos;
			w->run_refs += left;
			pos += left;
		}
		w->pos = pos;
		return 0;
	}
	if (pos < w->buf_start || pos - w->buf_start >= w->buf_cnt) {
		__u32 cnt = w->n - pos;
		if (cnt > PW_BATCH)
			cnt = PW_BATCH;
		/* 1..PW_BATCH entries, bounded in the one register the helper
		 * gets (a clamp compiled to a select bounds a copy of it, which
		 * 6.1's verifier does not follow) */
		__u32 sz = (((cnt - 1) & (PW_BATCH - 1)) + 1) * sizeof(__u64);
		if (bpf_probe_read_kernel(w->buf, sz, (void *)(w->src + (__u64)pos * sizeof(__u64))))
			return 1;
		w->buf_start = pos;
		w->buf_cnt = cnt;
		/* a short (last) batch: the entries after it read as NULL */
		if (cnt < PW_BATCH) {
			__u64 *tail = &w->buf[cnt & (PW_BATCH - 1)];
#pragma unroll
			for (int i = 0; i < PW_BATCH; i++) {
				tail[i] = 0;
				asm volatile("" ::: "memory");	/* not a memset call */
			}
		}
	}
	/* a re-pinned 4 KiB buffer: cached order-0 pages, the simple way */
	if (cfg_small_cache && (w->run_small || !w->run_folio) &&
	    (mode == PW_W_ACQUIRE ? pw_small_run_acquire(w) :
	     mode == PW_W_GET ? pw_small_run_get(w) : pw_small_run_release(w)))
		return 0;
	pos = w->pos;	/* reread: not live across pw_small_run's loop */
	/* the general path: one entry's folio, then the entries that follow
	 * while they are pages of it: unrolled, a load and one compare each,
	 * at constant offsets from q (the NULL past the batch's end stops it,
	 * I1). A THP's 512 entries take 4 callbacks. */
	__u64 *q = &w->buf[(pos - w->buf_start) & (PW_BATCH - 1)];
	pw_walk_one(l->ctx, w, q[0], pw_one, mode);
	__u64 lo = w->run_folio, span = w->run_end - lo;
	int k = PW_BATCH;
	/* A large folio's run (a THP's 512 entries): the rest of the batch
	 * in one test. By I2 (checked here: [lo, lo + span) then holds
	 * exactly the addresses whose bits above span match lo's), the OR of
	 * every entry XOR lo is below span iff all of them lie in the run: a
	 * load and two ALU ops an entry against a load, a subtract, a compare
	 * and a count. A NULL past the batch's end fails it (I1), as does any
	 * page of another folio (a PTE-mapped THP with one page replaced:
	 * pwtest --punch); then the entry-by-entry loop finds where the run
	 * stops. Only for runs that can fill the batch, so a small folio
	 * never pays for the test failing. */
	if (q[0] - lo + PW_BATCH * bpf_core_type_size(struct page) <= span &&
	    !(span & (span - 1)) && !(lo & (span - 1))) {
		__u64 acc = 0;
#pragma unroll
		for (int j = 1; j < PW_BATCH; j++) {
			acc |= q[j] ^ lo;
			barrier_var(acc);	/* in order: no spills */
		}
		if (acc < span)
			goto all;
	}
#pragma unroll
	for (k = 1; k < PW_BATCH; k++)
		if (q[k] - lo >= span)
			break;
all:
	w->run_refs += k - 1;
	w->pos = pos + k;
	return 0;
}

static long pw_walk_acquire(__u32 i, struct pw_loop *l) { return pw_walk_entry(i, l, PW_W_ACQUIRE); }
static long pw_walk_get(__u32 i, struct pw_loop *l) { return pw_walk_entry(i, l, PW_W_GET); }
static long pw_walk_release(__u32 i, struct pw_loop *l) { return pw_walk_entry(i, l, PW_W_RELEASE); }

/* Walk w->n entries of w->src, then apply the last run. */
static __always_inline void pw_walk(struct pw_loop *l, struct pw_walk *w, const int mode)
{
	w->base = pw_vmemmap();
	w->zero_page = pw_zero_page(w->base);
	__u32 n = w->n > PW_MAX_WALK ? PW_MAX_WALK : w->n;
	w->n = n;
	if (mode == PW_W_ACQUIRE)
		bpf_loop(n, pw_walk_acquire, l, 0);
	else if (mode == PW_W_GET)
		bpf_loop(n, pw_walk_get, l, 0);
	else
		bpf_loop(n, pw_walk_release, l, 0);
	pw_run_apply(l->ctx, w, mode);
	if (mode == PW_W_RELEASE)
		pw_flush_dec(w);
}

/* A single folio (unpin_folio, unpin_user_folio, folio_add_pin) or page. */
static __always_inline void pw_walk_single(void *ctx, struct pw_walk *w, __u64 p, __u32 refs,
					   bool is_folio, const int mode)
{
	w->base = pw_vmemmap();
	w->zero_page = pw_zero_page(w->base);
	pw_run_new(w, p, refs, is_folio);
	pw_run_apply(ctx, w, mode);
	if (mode == PW_W_RELEASE)
		pw_flush_dec(w);
}
#endif
