// SPDX-License-Identifier: GPL-2.0
/*
 * Auditing the mirror against the kernel's own state, and the tracepoints
 * that need no GUP hook:
 *  - pw_audit (raw_tp, run by the loader through BPF_PROG_TEST_RUN): a pin the
 *    mirror holds but the kernel no longer counts was dropped without an
 *    unpin (put_page); at the end of `run`, or past --max-age, what is left
 *    is a leak.
 *  - mm_page_free: a mirrored folio freed while pinned (large folio + put_page).
 *  - pw_sweep_marks (raw_tp, run by the loader): clear the marks of cells
 *    without pins once the kernel skipped runs of pw_page_free.
 *  - sched_process_fork: follow the traced process tree in run mode.
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

struct audit_ctx {
	__u64 now_ns, max_age_ns, final;
	__u64 sweep;	/* pw_sweep_marks: clear marks (sweep_cell) */
	__u64 checked, base;
	__u32 key, group;	/* chunk, and the first cell of the group in it */
};

static long audit_cell(__u32 i, struct audit_ctx *c)
{
	struct pw_chunk *ch = bpf_map_lookup_elem(&mirror, &c->key);
	if (!ch)
		return 1;
	__u32 idx = (c->group + i) & (PW_CHUNK_CELLS - 1);
	struct pw_cell *cell = &ch->c[idx];
	__u32 pins = cell->pins, meta = cell->meta;
	if (!pins)
		return 0;
	__u64 folio = pw_cell_folio(c->base, c->key, idx);
	__u32 kpins = pw_kernel_pins((void *)folio), nr = pw_cell_nr_pages(meta);
	struct pw_finding_key k = {};
	struct pw_holder_rec *r;

	c->checked++;
	if (kpins < pins && !(meta & PW_CELL_SUSPECT)) {
		/* Maybe an unpin in flight on another CPU: the unpin hook drops
		 * the mirror's pin just before the kernel drops its own, and this
		 * walk reads the two apart. A put_page() bug persists; confirm at
		 * the next audit (run's final audit is two passes). */
		__sync_fetch_and_or(&cell->meta, PW_CELL_SUSPECT);
		return 0;
	}
	if (kpins >= pins && (meta & PW_CELL_SUSPECT))
		__sync_fetch_and_and(&cell->meta, ~PW_CELL_SUSPECT);
	pw_key_from_cell(&k, PW_K_PUT_INSTEAD_OF_UNPIN, meta, &r);
	if (kpins < pins) {
		/* the kernel dropped pins we never saw unpinned */
		__u32 lost = pins - kpins;
		if (pw_reportable(r))
			pw_finding(&k, lost, pw_pages_of(lost, nr), r ? r->h.ts_ns : 0, r ? r->h.pid : 0);
		__sync_fetch_and_add(&cell->pins, -lost);
		if (kpins == 0) {
			pw_holder_cells(meta & PW_CELL_HOLDER, -1);
			return 0;
		}
		pins = kpins;
	}
	if (!pw_reportable(r))
		return 0;
	if (c->final ||
	    (c->max_age_ns && !(meta & PW_CELL_REPORTED) && r &&
	     c->now_ns > r->h.ts_ns + c->max_age_ns)) {
		k.kind = PW_K_LEAK;
		pw_finding(&k, pins, pw_pages_of(pins, nr), r ? r->h.ts_ns : 0, r ? r->h.pid : 0);
		__sync_fetch_and_or(&cell->meta, PW_CELL_REPORTED);
	}
	return 0;
}

/* pw_sweep_marks on one cell of the group: its mark goes unless it holds
 * pins. One compare-and-swap on the whole 64-bit cell (pins in the low half,
 * pw_get_mark), so a pin taken meanwhile keeps its meta. A callback of its
 * own, counting into the stats map: as a loop over the group, each outcome
 * per cell a path, 7.x's verifier gave up at 1M instructions. */
static long sweep_cell(__u32 i, struct audit_ctx *c)
{
	struct pw_chunk *ch = bpf_map_lookup_elem(&mirror, &c->key);
	if (!ch)
		return 1;
	__u64 *cell = (__u64 *)&ch->c[(c->group + i) & (PW_CHUNK_CELLS - 1)];
	__u64 v = *cell;
	if (v && !(__u32)v && __sync_val_compare_and_swap(cell, v, 0) == v)
		pw_stat_add(PW_S_MARKS_SWEPT, 1);
	return 0;
}

/* One group of PW_AUDIT_CELLS cells of chunk c->key: skipped unless a cell
 * in it holds pins (most of RAM is not pinned), or for c->sweep any mark. */
static long audit_group(__u32 g, struct audit_ctx *c)
{
	struct pw_chunk *ch = bpf_map_lookup_elem(&mirror, &c->key);
	if (!ch)
		return 1;
	__u32 first = (g * PW_AUDIT_CELLS) & (PW_CHUNK_CELLS - 1);
	struct pw_cell *cells = &ch->c[first];
	__u64 any = 0;
	if (c->sweep) {
		for (int i = 0; i < PW_AUDIT_CELLS; i++)
			any |= ((__u64 *)cells)[i];
	} else {
		for (int i = 0; i < PW_AUDIT_CELLS; i++)
			any |= cells[i].pins;
	}
	if (!any)
		return 0;
	c->group = first;
	if (c->sweep)
		bpf_loop(PW_AUDIT_CELLS, sweep_cell, c, 0);
	else
		bpf_loop(PW_AUDIT_CELLS, audit_cell, c, 0);
	return 0;
}

static long audit_chunk(struct bpf_map *map, __u32 *key, struct pw_chunk *ch, struct audit_ctx *c)
{
	c->key = *key;
	bpf_loop(PW_CHUNK_CELLS / PW_AUDIT_CELLS, audit_group, c, 0);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(pw_audit, __u64 now_ns, __u64 max_age_ns, __u64 final)
{
	struct audit_ctx c = { .now_ns = now_ns, .max_age_ns = max_age_ns, .final = final };
	c.base = pw_vmemmap();
	bpf_for_each_map_elem(&mirror, audit_chunk, &c, 0);
	__u32 idx = PW_S_AUDITED;
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v = c.checked;
	return 0;
}

/* Marks of cells without pins: a FOLL_GET taker (pw_get_mark) or the walk's
 * order-0 cache. pw_page_free clears them when their page is freed; when the
 * kernel skipped some of its runs (a page freed by an interrupt, or by a
 * preempting task, while the program ran on that CPU: its recursion_misses),
 * the marks of the pages it missed are stale and could name, or size, a
 * later user of the page wrong. Which pages is not known, so every such mark
 * goes (sweep_cells): a cache entry is read again from struct page, a GET
 * taker goes unnamed. */
SEC("raw_tp")
int BPF_PROG(pw_sweep_marks)
{
	struct audit_ctx c = { .sweep = 1 };
	bpf_for_each_map_elem(&mirror, audit_chunk, &c, 0);
	return 0;
}

SEC("tp_btf/mm_page_free")
int BPF_PROG(pw_page_free)
{
	struct pw_cell *cell = pw_cell_of(pw_vmemmap(), pw_ptr(ctx, 0));	/* page */
	if (!cell)
		return 0;
	if (!cell->pins) {
		if (cell->meta)		/* the walk's small-folio cache: no longer true */
			cell->meta = 0;
		return 0;
	}
	__u32 pins = cell->pins, meta = cell->meta;
	struct pw_finding_key k = {};
	struct pw_holder_rec *r;
	pw_stat_add(PW_S_FREED_PINNED, pins);
	pw_key_from_cell(&k, PW_K_PUT_INSTEAD_OF_UNPIN, meta, &r);
	if (pw_reportable(r)) {
		pw_key_set_releaser(ctx, &k);
		pw_finding(&k, pins, pw_pages_of(pins, pw_cell_nr_pages(meta)),
			   r ? r->h.ts_ns : 0, r ? r->h.pid : 0);
	}
	if (__sync_fetch_and_add(&cell->pins, -pins) == pins) {
		pw_holder_cells(meta & PW_CELL_HOLDER, -1);
		cell->meta = 0;
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pw_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!cfg_filter_tree)
		return 0;
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;
	if (ptgid != ctgid && pw_in_tree(ptgid))
		bpf_map_update_elem(&tree, &ctgid, &one, BPF_ANY);
	return 0;
}
