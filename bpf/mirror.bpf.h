/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin mirror: a per-folio copy of the kernel's FOLL_PIN count, updated at
 * the primitives that really change it (try_grab_*, folio_add_pin,
 * gup_put_folio), plus the findings raised when the two disagree.
 * Everything here is __always_inline and called by the hook files.
 */
#ifndef PW_MIRROR_BPF_H
#define PW_MIRROR_BPF_H
#include "maps.bpf.h"
#include "compat.bpf.h"

static __always_inline bool pw_in_tree(__u32 tgid)
{
	return bpf_map_lookup_elem(&tree, &tgid) != NULL;
}

/* The zero page is never pinned (6.5+, and Debian 6.1.176 already skips it):
 * try_grab_* succeed on it without counting, so the mirror must skip it too. */
static __always_inline bool pw_is_zero_folio(__u64 folio)
{
	__u64 zpfn = 0, base = 0;
	if (!cfg_zero_pfn_addr || !cfg_vmemmap_base_addr) {
		/* unknown layout: the zero page is PG_reserved, user pages are not */
		int bit = bpf_core_enum_value(enum pageflags, PG_reserved);
		return pw_folio_flags((void *)folio) & (1ULL << bit);
	}
	bpf_probe_read_kernel(&zpfn, sizeof(zpfn), (void *)cfg_zero_pfn_addr);
	bpf_probe_read_kernel(&base, sizeof(base), (void *)cfg_vmemmap_base_addr);
	return folio == base + zpfn * bpf_core_type_size(struct page);
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

/* Fill the holder of a grab: from the task's GUP-call slot when it has one
 * (stack taken once for the whole call), else from a fresh stack. */
static __always_inline void pw_fill_holder(void *ctx, struct pw_holder *h, __u32 gup_flags,
					   __u16 extra)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_slot *s = bpf_map_lookup_elem(&slots, &id);

	if (s) {
		if (s->h.stack_id == -1)
			s->h.stack_id = pw_stack(ctx);
		*h = s->h;
	} else {
		h->tgid = id >> 32;
		h->pid = (__u32)id;
		h->api = PW_API_UNKNOWN;
		h->stack_id = pw_stack(ctx);
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	}
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->flags = extra;
	if ((gup_flags & cfg_foll_longterm) || h->api == PW_API_MEMFD_PIN)
		h->flags |= PW_F_LONGTERM;
	if (gup_flags & cfg_foll_get)
		h->flags |= PW_F_GET;
	if (cfg_filter_tree && pw_in_tree(h->tgid))
		h->flags |= PW_F_TREE;
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

/* A FOLL_GET reference: remembered (LRU) so a wrong unpin can name its taker. */
static __always_inline void pw_record_get(void *ctx, __u64 folio, __u32 gup_flags)
{
	struct pw_holder h = {};
	pw_fill_holder(ctx, &h, gup_flags, 0);
	bpf_map_update_elem(&gets, &folio, &h, BPF_ANY);
	pw_stat_add(PW_S_GET_REFS, 1);
}

/* A grab succeeded: `refs` references of kind gup_flags on `folio`. */
static __always_inline void pw_acquire(void *ctx, __u64 folio, __u32 refs, __u32 gup_flags,
				       __u16 extra)
{
	if (!folio || !refs)
		return;
	if (gup_flags & cfg_foll_get) {
		pw_record_get(ctx, folio, gup_flags);
		return;
	}
	if (!(gup_flags & cfg_foll_pin) || pw_is_zero_folio(folio))
		return;
	pw_stat_add((extra & PW_F_NOSTAT) ? PW_S_NOSTAT_ACQ : PW_S_ALL_ACQ, refs);

	struct pw_pin *p = bpf_map_lookup_elem(&mirror, &folio);
	if (!p) {
		struct pw_pin n = {};
		n.nr_pages = pw_folio_nr_pages((void *)folio);
		pw_fill_holder(ctx, &n.h, gup_flags, extra);
		n.pins = refs;
		if (bpf_map_update_elem(&mirror, &folio, &n, BPF_NOEXIST) == 0) {
			pw_stat_add(PW_S_ACQ_PINS, refs);
			return;
		}
		/* lost a race with another CPU, or the mirror is full */
		p = bpf_map_lookup_elem(&mirror, &folio);
		if (!p) {
			pw_stat_add(PW_S_DROP_PAGES, refs);
			pw_dropped_any = 1;
			return;
		}
	}
	__sync_fetch_and_add(&p->pins, refs);
	if (gup_flags & cfg_foll_longterm)
		p->h.flags |= PW_F_LONGTERM;
	pw_stat_add(PW_S_ACQ_PINS, refs);
}

/* gup_put_folio(folio, refs, flags) entry: before the kernel drops anything. */
static __always_inline void pw_release(void *ctx, __u64 folio, __u32 refs, __u32 gup_flags)
{
	if (!folio || !refs || !(gup_flags & cfg_foll_pin) || pw_is_zero_folio(folio))
		return;
	pw_stat_add(PW_S_ALL_REL, refs);

	__u32 left = refs;
	struct pw_pin *p = bpf_map_lookup_elem(&mirror, &folio);
	if (p) {
		__u32 have = p->pins;
		__u32 take = have < refs ? have : refs;
		if (take == have)
			bpf_map_delete_elem(&mirror, &folio);
		else
			__sync_fetch_and_add(&p->pins, -take);
		pw_stat_add(PW_S_REL_PINS, take);
		left -= take;
	}
	if (!left)
		return;

	__u32 me = bpf_get_current_pid_tgid() >> 32;
	struct pw_finding_key k = {};
	struct pw_holder *g = bpf_map_lookup_elem(&gets, &folio);
	if (!g && pw_kernel_pins((void *)folio) >= refs) {
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
		pw_finding(&k, left, pw_pages_of(left, pw_folio_nr_pages((void *)folio)), 0, 0);
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
	pw_finding(&k, left, pw_pages_of(left, pw_folio_nr_pages((void *)folio)),
		   g ? g->ts_ns : 0, g ? g->pid : 0);
}

/* Is this mirror entry one the current mode reports on? */
static __always_inline bool pw_reportable(const struct pw_pin *p)
{
	return !cfg_filter_tree || (p->h.flags & PW_F_TREE);
}
#endif
