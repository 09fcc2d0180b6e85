// SPDX-License-Identifier: GPL-2.0
/*
 * Acquire side: the exported GUP calls. Entering one opens a per-task slot
 * (API, flags, where the pages array is); leaving it walks the pages the call
 * returned into the mirror (pin_user_pages*, memfd_pin_folios) or into the
 * recent-FOLL_GET map (get_user_pages*), under one holder and one stack for
 * the whole call. Each hook has an fentry/fexit pair and a kprobe/kretprobe
 * twin; the loader autoloads one family per symbol.
 *
 * folio_add_pin(folio) (6.5+, fs/direct-io.c) adds a pin the kernel does not
 * count in vmstat; folio_add_pins(folio, n) (6.13+, iommufd) one it does.
 */
#include "walk.bpf.h"

#include "stackmemo.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* walk.bpf.h's pw_small_run, a global function per mode (see there) */
__noinline bool pw_small_run_acquire(struct pw_walk *w)
{
	return w && pw_small_run(w, PW_W_ACQUIRE);
}

__noinline bool pw_small_run_get(struct pw_walk *w)
{
	return w && pw_small_run(w, PW_W_GET);
}

static __always_inline int pw_enter(__u16 api, __u64 gup_flags, __u64 pages, __u64 sp)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_slot *s = pw_slot_get(true);
	if (!s) {		/* task storage busy on this CPU: the call is lost */
		pw_stat_add(PW_S_DROP_CALLS, 1);
		return 0;
	}
	if (s->depth && pw_gup_running(s, sp)) {	/* nested: the outer call names the API */
		s->depth++;
		return 0;
	}
	if (s->depth)		/* the last call's exit was missed: its pins are lost */
		pw_gup_lost(s);
	/* ts_ns, stack_id and flags are set by pw_holder_init when pins are taken */
	s->h.tgid = id >> 32;
	s->h.pid = (__u32)id;
	s->h.api = api;
	s->pages = pages;
	s->gup_flags = gup_flags;
	bpf_get_current_comm(s->h.comm, sizeof(s->h.comm));
	s->irq_ctx = pw_irq_ctx();
	s->entry_sp = sp;
	s->depth = 1;
	__sync_fetch_and_add(pw_busy_bucket(), 1);
	return 0;
}

/* A new holder for this call's first pins; 0 (counted) when the next
 * PW_HOLDER_TRIES slots are all held, by long-lived pins (one call in 256
 * when half of all slots are) or a full map. */
#define PW_HOLDER_TRIES 8
static __always_inline __u32 pw_new_holder(const struct pw_holder *h)
{
	for (int i = 0; i < PW_HOLDER_TRIES; i++) {	/* a slot still in use: take the next */
		__u32 hid = (__sync_fetch_and_add(&pw_next_holder, 1) + 1) & (PW_GET_ID - 1);
		__u32 slot = hid & (PW_HOLDER_SLOTS - 1);
		struct pw_holder_rec *r = hid ? bpf_map_lookup_elem(&holders, &slot) : NULL;
		if (r && __sync_val_compare_and_swap(&r->id, 0, hid) == 0) {
			/* the slot is ours: a late release of its last owner
			 * may have left cells off 0 */
			r->h = *h;
			r->cells = 0;
			return hid;
		}
	}
	pw_stat_add(PW_S_DROP_HOLDERS, 1);
	return 0;
}

/* An id for this FOLL_GET call's taker, marked on the cells of the pages it
 * took (pw_get_mark); 0 (no marks) without the mm_page_free hook, which
 * clears a mark when its page is freed and so keeps it from naming a later
 * user of the page. The same taker as the task's last GET call (a buffer read
 * again and again: O_DIRECT before 6.5) keeps its id, refreshed in place, so
 * the marks already on the cells stay as they are (no atomic per page). */
static __always_inline __u32 pw_new_get(const struct pw_holder *h, struct pw_slot *s)
{
	if (!cfg_small_cache)
		return 0;
	__u32 id = s->get_id;
	struct pw_holder *g = id ? bpf_map_lookup_elem(&gets, &id) : NULL;
	if (g && g->tgid == h->tgid && g->pid == h->pid && g->stack_id == h->stack_id &&
	    g->api == h->api && g->flags == h->flags) {
		g->ts_ns = h->ts_ns;
		__builtin_memcpy(g->comm, h->comm, sizeof(g->comm));
		return id;
	}
	id = PW_GET_ID | ((__sync_fetch_and_add(&pw_next_get, 1) + 1) & (PW_GET_ID - 1));
	if (bpf_map_update_elem(&gets, &id, h, BPF_ANY))
		return 0;
	s->get_id = id;
	return id;
}

/* Fill the walk's holder: who is calling (h), through which API, with which
 * GUP flags, from where (memo: the task's last GUP stack, NULL to unwind). */
static __always_inline void pw_holder_init(void *ctx, struct pw_walk *w, const struct pw_holder *h,
					   __u32 gup_flags, struct pw_stack_memo *memo, const __u16 api)
{
	w->h = *h;
	w->h.ts_ns = bpf_ktime_get_boot_ns();
	w->h.stack_id = memo ? pw_stack_memo(ctx, memo, api, w->h.ts_ns) : pw_stack(ctx);
	w->h.flags = 0;
	if ((gup_flags & cfg_foll_longterm) || h->api == PW_API_MEMFD_PIN)
		w->h.flags |= PW_F_LONGTERM;
	if (h->api >= PW_API_GET_FAST)
		w->h.flags |= PW_F_GET;
	if (cfg_filter_tree && pw_in_tree(w->h.tgid))
		w->h.flags |= PW_F_TREE;
}

/* After an acquire walk: the holder keeps the cells that name it. */
static __always_inline void pw_acquired(struct pw_walk *w, bool nostat)
{
	if (w->holder && !w->new_cells) {	/* every folio already had a holder */
		struct pw_holder_rec *r = pw_holder_get(w->holder);
		if (r)
			pw_holder_free(r, w->holder);
	} else
		pw_holder_cells(w->holder, w->new_cells);
	pw_stat_add(nostat ? PW_S_NOSTAT_ACQ : PW_S_ALL_ACQ, w->counted);
	pw_stat_add(PW_S_ACQ_PINS, w->mirrored);
}

/* The call took n pages (folios for memfd_pin_folios). api is the exit
 * hook's own, a constant (the slot's is the same: only the outermost call
 * walks), so each program carries one walk, not both: the verifier's work,
 * most of the load time, halves. */
static __always_inline void pw_took(void *ctx, struct pw_slot *s, __u32 n, const __u16 api,
				    const bool fexit)
{
	struct pw_loop l = { .ctx = ctx };
	struct pw_walk *w = pw_walk_claim(&l);
	if (!w) {
		pw_dropped(n);
		return;
	}
	w->src = s->pages;
	w->n = n;
	w->kind = api == PW_API_MEMFD_PIN ? PW_SRC_FOLIOS : PW_SRC_PAGES;
	pw_holder_init(ctx, w, &s->h, s->gup_flags, fexit ? &s->memo : NULL, api);
	if (api >= PW_API_GET_FAST) {
		w->holder = pw_new_get(&w->h, s);
		pw_walk(&l, w, PW_W_GET);
		pw_stat_add(PW_S_GET_REFS, w->counted);
		pw_walk_unclaim(&l);
		return;
	}
	w->lt = (w->h.flags & PW_F_LONGTERM) ? PW_CELL_LONGTERM : 0;
	w->holder = pw_new_holder(&w->h);
	pw_walk(&l, w, PW_W_ACQUIRE);
	pw_acquired(w, false);
	pw_walk_unclaim(&l);
}

/* fexit: the stack may come from the task's memo. Not from a kretprobe: its
 * trace starts at the caller's return address, which is off the stack by then
 * (stackmemo.bpf.h checks the return addresses it can find on the stack). */
static __always_inline int pw_exit(void *ctx, long ret, const __u16 api, const bool fexit)
{
	struct pw_slot *s = pw_slot_get(false);
	if (!s && ret > 0)	/* busy, as at the entry: its pins are lost */
		pw_stat_add(PW_S_DROP_CALLS, 1);
	if (!s || !s->depth)
		return 0;
	if (s->depth > 1) {
		s->depth--;
		return 0;
	}
	if (ret > 0 && s->pages)
		pw_took(ctx, s, ret > PW_MAX_WALK ? PW_MAX_WALK : (__u32)ret, api, fexit);
	s->depth = 0;
	__sync_fetch_and_sub(pw_busy_bucket(), 1);
	return 0;
}

/* The GUP lines of bpf/hooks.h: F and P are the 1-based positions of
 * gup_flags and pages; RT the return type (int returns must be sign-extended
 * from 32 bits). */
#define PW_GUP_HOOKS(sym, api, F, P, RT)					\
SEC("fentry/" #sym) int BPF_PROG(fe_##sym)					\
{ return pw_enter(api, ctx[F - 1], pw_arg(ctx, P - 1), 0); }				\
SEC("fexit/" #sym) int BPF_PROG(fx_##sym)					\
{ __u64 r = 0; bpf_get_func_ret(ctx, &r); return pw_exit(ctx, (RT)r, api, true); }	\
SEC("kprobe/" #sym) int BPF_KPROBE(kp_##sym)					\
{ return pw_enter(api, PT_REGS_PARM##F(ctx), PT_REGS_PARM##P(ctx), PT_REGS_SP(ctx)); }		\
SEC("kretprobe/" #sym) int BPF_KRETPROBE(kr_##sym)				\
{ return pw_exit(ctx, (RT)PT_REGS_RC(ctx), api, false); }

#define PW_GUP_(sym, role, api, F, P, RT) PW_GUP_HOOKS(sym, PW_API_##api, F, P, RT)
PW_HOOKS(PW_GUP_, PW_GUP_, PW_HOOK_NONE, PW_HOOK_NONE, PW_HOOK_NONE)

/* memfd_pin_folios(memfd, start, end, folios, max_folios, offset): one pin
 * per folio returned, long-term by design (no FOLL_LONGTERM passed). */
SEC("fentry/memfd_pin_folios") int BPF_PROG(fe_memfd_pin_folios)
{ return pw_enter(PW_API_MEMFD_PIN, 0, pw_arg(ctx, 3), 0); }
SEC("fexit/memfd_pin_folios") int BPF_PROG(fx_memfd_pin_folios)
{ __u64 r = 0; bpf_get_func_ret(ctx, &r); return pw_exit(ctx, (long)r, PW_API_MEMFD_PIN, true); }
SEC("kprobe/memfd_pin_folios") int BPF_KPROBE(kp_memfd_pin_folios)
{ return pw_enter(PW_API_MEMFD_PIN, 0, PT_REGS_PARM4(ctx), PT_REGS_SP(ctx)); }
SEC("kretprobe/memfd_pin_folios") int BPF_KRETPROBE(kr_memfd_pin_folios)
{ return pw_exit(ctx, (long)PT_REGS_RC(ctx), PW_API_MEMFD_PIN, false); }

/* Extra pins on a folio: usually one the mirror holds already; a holder and
 * a stack only when this is the folio's first mirrored pin. */
static __always_inline int pw_add_pins(void *ctx, __u64 folio, __u32 refs, bool nostat)
{
	struct pw_loop l = { .ctx = ctx };
	struct pw_walk *w = pw_walk_claim(&l);
	if (!w) {
		pw_dropped(refs);
		return 0;
	}
	struct pw_cell *c = pw_cell_of(pw_vmemmap(), folio);
	if (!c || !c->pins) {
		__u64 id = bpf_get_current_pid_tgid();
		struct pw_holder h = {};
		h.tgid = id >> 32;
		h.pid = (__u32)id;
		h.api = PW_API_ADD_PIN;
		bpf_get_current_comm(h.comm, sizeof(h.comm));
		pw_holder_init(ctx, w, &h, 0, NULL, PW_API_ADD_PIN);
		w->holder = pw_new_holder(&w->h);
	}
	pw_walk_single(ctx, w, folio, refs, true, PW_W_ACQUIRE);
	pw_acquired(w, nostat);
	pw_walk_unclaim(&l);
	return 0;
}

/* folio_add_pin never fails; it skips the zero folio, as the walk does */
SEC("fentry/folio_add_pin") int BPF_PROG(fe_folio_add_pin)
{ return pw_add_pins(ctx, pw_ptr(ctx, 0), 1, true); }
SEC("kprobe/folio_add_pin") int BPF_KPROBE(kp_folio_add_pin, __u64 folio)
{ return pw_add_pins(ctx, folio, 1, true); }

/* folio_add_pins(folio, pins) -> 0 on success (try_grab_folio) */
SEC("fexit/folio_add_pins") int BPF_PROG(fx_folio_add_pins, __u64 folio, __u64 pins, int ret)
{ return ret ? 0 : pw_add_pins(ctx, pw_ptr(ctx, 0), (__u32)pins, false); }
SEC("kprobe/folio_add_pins") int BPF_KPROBE(kp_folio_add_pins, __u64 folio, __u64 pins)
{ return pw_add_pins(ctx, folio, (__u32)pins, false); }	/* fails only on refcount overflow */
