/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin mirror: a pfn-indexed shadow of the kernel's FOLL_PIN count per
 * folio, updated once per GUP call (the pages array a pin_user_pages*() call
 * returned, the array or range an unpin_*() call is handed), plus the
 * findings raised when the kernel and the mirror disagree.
 *
 * Why per call and not at the per-folio primitives (try_grab_folio,
 * gup_put_folio): a trampoline per folio costs more than the kernel's own
 * work on a 4 KiB page, and a hash insert+delete per folio as much again
 * (make bench). Walking the array the caller already holds costs an atomic
 * add per page, plus a read of its struct page unless the page's cell says
 * it is an order-0 folio (pw_small_cell). What this does not see: pins
 * GUP takes and drops inside one call (GUP-fast rollback, long-term
 * migration); they balance and never reach the caller.
 */
#ifndef PW_MIRROR_BPF_H
#define PW_MIRROR_BPF_H
#include "maps.bpf.h"
#include "compat.bpf.h"
#include "vmemmap.bpf.h"

/* a GUP call returns at most INT_MAX pages; bpf_loop takes at most 1 << 23 */
#define PW_MAX_WALK (1U << 23)

/* Argument i of an fentry/fexit/tp_btf program as a plain number: the
 * verifier types struct pointers from BTF and then refuses the arithmetic
 * (pfn = (page - vmemmap) / 64) the mirror needs; a struct page ** it
 * refuses to load at all. */
static __always_inline __u64 pw_arg(unsigned long long *ctx, int i)
{
	__u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), &ctx[i]);
	return v;
}

/* The numeric address of this variable, stored into it on first use (a
 * pointer written to a map value reads back as a plain number). */
__u64 pw_anchor __weak = 0;

/* pw_arg for an argument that is a struct pointer, without its helper call
 * (~30-50 ns a hook under TCG): the difference of two pointers is a number
 * for a privileged program, so arg - &pw_anchor + pw_anchor's own address
 * is the argument. The empty asm keeps clang from reordering the sum into
 * scalar - pointer, which the verifier refuses. */
static __always_inline __u64 pw_anchor_addr(void)
{
	__u64 self = pw_anchor;
	if (!self) {
		pw_anchor = (__u64)&pw_anchor;
		self = *(volatile __u64 *)&pw_anchor;
	}
	return self;
}

static __always_inline __u64 pw_ptr(unsigned long long *ctx, int i)
{
	__u64 self = pw_anchor_addr();
	__u64 d = ctx[i] - (__u64)&pw_anchor;
	barrier_var(d);
	return d + self;
}

static __always_inline bool pw_in_tree(__u32 tgid)
{
	return bpf_map_lookup_elem(&tree, &tgid) != NULL;
}

/* the zero page never changes once booted: read once, kept in .bss */
__u64 pw_zero_cache __weak = 0;

/* The zero page's struct page, 0 when unknown (then PG_reserved is checked).
 * It is never pinned (6.5+, and Debian 6.1.176 already skips it): GUP
 * succeeds on it without counting, so the mirror must skip it too. */
static __always_inline __u64 pw_zero_page(__u64 base)
{
	__u64 zpfn = 0, zero = pw_zero_cache;
	if (zero)
		return zero;
	if (!cfg_zero_pfn_addr ||
	    bpf_probe_read_kernel(&zpfn, sizeof(zpfn), (void *)cfg_zero_pfn_addr))
		return 0;
	zero = base + zpfn * bpf_core_type_size(struct page);
	pw_zero_cache = zero;
	return zero;
}

static __always_inline bool pw_is_zero(__u64 folio, __u64 zero, __u64 flags)
{
	if (zero)
		return folio == zero;
	return flags & (1ULL << bpf_core_enum_value(enum pageflags, PG_reserved));
}

/* The chunk holding a folio's cell (*pfn: the folio's pfn), NULL when its
 * pfn is beyond the mirror. */
static __always_inline struct pw_chunk *pw_chunk_of(__u64 base, __u64 folio, __u64 *pfn_out)
{
	if (folio < base)
		return NULL;
	/* struct page is 64 bytes on every x86-64 config in use: after the CO-RE
	 * relocation the size is a constant, the verifier drops the branch not
	 * taken, and the per-page 64-bit division (a helper call under TCG)
	 * becomes a shift */
	__u64 sz = bpf_core_type_size(struct page), off = folio - base;
	__u64 pfn = sz == 64 ? off >> 6 : off / sz;
	__u32 key = pfn / PW_CHUNK_CELLS;	/* the loader caps cfg_max_pfn: no overflow */
	if (pfn >= cfg_max_pfn)
		return NULL;
	*pfn_out = pfn;
	return bpf_map_lookup_elem(&mirror, &key);
}

/* The cell of a folio, NULL when its pfn is beyond the mirror. */
static __always_inline struct pw_cell *pw_cell_of(__u64 base, __u64 folio)
{
	__u64 pfn = 0;
	struct pw_chunk *ch = pw_chunk_of(base, folio, &pfn);
	return ch ? &ch->c[pfn & (PW_CHUNK_CELLS - 1)] : NULL;
}

/* n pins that could not be mirrored (beyond the mirror, or no walk state):
 * from now on an unmatched unpin may be one of them */
static __always_inline void pw_dropped(__u64 n)
{
	pw_stat_add(PW_S_DROP_PAGES, n);
	pw_dropped_any = 1;
}

/* A cell's meta that says its pfn is an order-0 folio (see pw_small_cell) */
static __always_inline bool pw_meta_order0(__u32 meta)
{
	return meta && !(meta & (PW_CELL_ORDER_MASK << PW_CELL_ORDER_SHIFT));
}

static __always_inline __u64 pw_cell_folio(__u64 base, __u32 key, __u32 idx)
{
	return base + ((__u64)key * PW_CHUNK_CELLS + idx) * bpf_core_type_size(struct page);
}

static __always_inline __u32 pw_cell_nr_pages(__u32 meta)
{
	return 1U << ((meta >> PW_CELL_ORDER_SHIFT) & PW_CELL_ORDER_MASK);
}

/* log2 of a folio's page count (a power of two) */
static __always_inline __u32 pw_order_of(__u32 nr)
{
	__u32 o = 0;
	if (nr >> 16) { o += 16; nr >>= 16; }
	if (nr >> 8) { o += 8; nr >>= 8; }
	if (nr >> 4) { o += 4; nr >>= 4; }
	if (nr >> 2) { o += 2; nr >>= 2; }
	if (nr >> 1) o += 1;
	return o;
}

/* A bucket of the stack map holds one stack: a different stack hashing to a
 * taken bucket gets -EEXIST (17), for good, and the soak lost every stack of
 * one GUP path that way (6.1, kprobes). Such a stack is stored without its
 * innermost frame or two (the hooked function itself): other content, other
 * bucket, and the same id every time. */
static __always_inline __s32 pw_stack(void *ctx)
{
	long id = bpf_get_stackid(ctx, &stacks, 0);
	if (id == -17)
		id = bpf_get_stackid(ctx, &stacks, 1);
	if (id == -17)
		id = bpf_get_stackid(ctx, &stacks, 2);
	if (id < 0)
		pw_stat_add(PW_S_DROP_STACKS, 1);
	return id;
}

static __always_inline void pw_notify(const struct pw_finding_key *k)
{
	struct pw_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		pw_stat_add(PW_S_DROP_EVENTS, 1);
		return;
	}
	e->key = *k;
	bpf_ringbuf_submit(e, 0);
}

/* Aggregate one finding into the findings map (one entry per group). */
static __always_inline void pw_finding(struct pw_finding_key *k, __u64 pins, __u64 pages,
				       __u64 acq_ns, __u32 pid)
{
	struct pw_finding_val *v = bpf_map_lookup_elem(&findings, k);
	if (!v) {
		struct pw_finding_val nv = {};
		nv.first_ns = bpf_ktime_get_boot_ns();
		nv.acq_ns = acq_ns;
		nv.pid = pid;
		if (bpf_map_update_elem(&findings, k, &nv, BPF_NOEXIST) == 0)
			pw_notify(k);
		v = bpf_map_lookup_elem(&findings, k);
		if (!v) {
			pw_stat_add(PW_S_DROP_FINDINGS, pins);
			return;
		}
	}
	__sync_fetch_and_add(&v->pins, pins);
	__sync_fetch_and_add(&v->pages, pages);
	if (acq_ns && (!v->acq_ns || acq_ns < v->acq_ns))
		v->acq_ns = acq_ns;
}

static __always_inline void pw_key_from_holder(struct pw_finding_key *k, __u32 kind,
					       const struct pw_holder *h)
{
	k->kind = kind;
	k->tgid = h->tgid;
	k->acq_stack = h->stack_id;
	k->rel_stack = -1;
	k->api = h->api;
	k->flags = h->flags & (PW_F_LONGTERM | PW_F_GET);
	__builtin_memcpy(k->comm, h->comm, sizeof(k->comm));
}

/* The key of a finding about a mirrored cell: its holder (when still known)
 * and the cell's long-term bit. */
static __always_inline void pw_key_from_cell(struct pw_finding_key *k, __u32 kind, __u32 meta,
					     struct pw_holder_rec **out)
{
	__u32 hid = meta & PW_CELL_HOLDER;
	struct pw_holder_rec *r = pw_holder_get(hid);
	if (r) {
		pw_key_from_holder(k, kind, &r->h);
	} else {
		k->kind = kind;
		k->acq_stack = -1;
		k->rel_stack = -1;
	}
	if (meta & PW_CELL_LONGTERM)
		k->flags |= PW_F_LONGTERM;
	*out = r;
}

static __always_inline void pw_key_set_releaser(void *ctx, struct pw_finding_key *k)
{
	k->rel_stack = pw_stack(ctx);
	k->rel_tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(k->rel_comm, sizeof(k->rel_comm));
}

static __always_inline __u64 pw_pages_of(__u32 pins, __u32 nr_pages)
{
	return pins < nr_pages ? pins : nr_pages;
}

/* A cell stopped naming holder hid `n` times: drop the holder when no cell
 * names it any more. Acquire adds, release subtracts, in either order. */
static __always_inline void pw_holder_cells(__u32 hid, __s64 n)
{
	if (!n)
		return;
	struct pw_holder_rec *r = pw_holder_get(hid);
	if (r && __sync_fetch_and_add(&r->cells, (__s32)n) + (__s32)n == 0)
		pw_holder_free(r, hid);
}

/* Is a mirrored cell one the current mode reports on? (run mode: pins of the
 * traced tree only; a cell whose holder is unknown cannot be told apart) */
static __always_inline bool pw_reportable(const struct pw_holder_rec *r)
{
	return !cfg_filter_tree || (r && (r->h.flags & PW_F_TREE));
}
#endif
