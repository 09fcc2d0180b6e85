// SPDX-License-Identifier: GPL-2.0
/*
 * Release side: the exported unpin calls, hooked at entry, before the kernel
 * drops anything (its own pin count is still readable for the findings).
 * Each walks what it is handed: a page array, a folio array, a range of
 * pages, or one page or folio. An unpin made while the task is inside a GUP
 * call is GUP's own rollback of pins the mirror has not been given yet
 * (long-term migration, memfd_pin_folios' error path): skipped, unless
 * it comes from an interrupt that landed on the task (another interrupt
 * nesting than at the GUP entry, pw_irq_ctx).
 */
#include "walk.bpf.h"

#include <bpf/bpf_tracing.h>

/* walk.bpf.h's pw_small_run, a global function (see there) */
__noinline bool pw_small_run_release(struct pw_walk *w)
{
	return w && pw_small_run(w, PW_W_RELEASE);
}

static __always_inline bool pw_in_gup(__u64 sp)
{
	if (!*pw_busy_bucket())
		return false;
	struct pw_slot *s = pw_slot_get(false);
	/* an interrupt that landed on the task (a block driver completing
	 * I/O) is not GUP's rollback: its unpins count (irq-unpin-inside-gup) */
	if (!s || !s->depth || s->irq_ctx != pw_irq_ctx())
		return false;
	if (pw_gup_running(s, sp))
		return true;
	pw_gup_lost(s);		/* above the entry: that call returned unseen */
	return false;
}

/* A walk for an unpin of n pins at p, NULL when there is none to do. */
static __always_inline struct pw_walk *pw_release_begin(struct pw_loop *l, __u64 p, __u64 n, __u64 sp)
{
	if (!p || !n || pw_in_gup(sp))
		return NULL;
	struct pw_walk *w = pw_walk_claim(l);
	if (!w)
		pw_stat_add(PW_S_UNTRACKED_REL, n);
	return w;
}

/* counted: pins the kernel drops; mirrored: those the mirror held (never
 * more). The mirrored count is kept as its complement, 0 in the common case,
 * so a single unpin makes one per-CPU stat update, not two. */
static __always_inline void pw_released(__u64 counted, __u64 mirrored)
{
	pw_stat_add(PW_S_ALL_REL, counted);
	if (counted != mirrored)
		pw_stat_add(PW_S_REL_UNMIRRORED, counted - mirrored);
}

static __always_inline void pw_release_end(struct pw_loop *l, struct pw_walk *w)
{
	pw_released(w->counted, w->mirrored);
	pw_walk_unclaim(l);
}

/* n entries of an array (or range) of the given kind, one pin each */
static __always_inline int pw_unpin_many(void *ctx, __u64 sp, __u64 src, __u64 n, __u8 kind)
{
	struct pw_loop l = { .ctx = ctx };
	struct pw_walk *w = pw_release_begin(&l, src, n, sp);
	if (!w)
		return 0;
	w->kind = kind;
	w->src = src;
	w->n = n > PW_MAX_WALK ? PW_MAX_WALK : n;
	pw_walk(&l, w, PW_W_RELEASE);
	pw_release_end(&l, w);
	return 0;
}

/* The common single unpin (6.12's io_uring unregister and bio completion
 * unpin page by page): an order-0 page known by its cell, which holds the
 * pins. One cell lookup, no walk state. */
static __always_inline bool pw_unpin_small(__u64 p, __u32 refs)
{
	struct pw_cell *c = pw_small_cell(pw_vmemmap(), p);
	if (!c || c->pins < refs)
		return false;
	/* the holder bits stay as they are while the cell has pins */
	__u32 hid = c->meta & PW_CELL_HOLDER;
	if (__sync_fetch_and_add(&c->pins, -refs) == refs)
		pw_holder_cells(hid, -1);
	pw_released(refs, refs);
	return true;
}

/* refs pins on one page's folio (is_folio: p is the folio). No array, no
 * bpf_loop: the walk state fits on the stack (its buffer is never used). */
static __always_inline int pw_unpin_one(void *ctx, __u64 sp, __u64 p, __u64 refs, bool is_folio)
{
	if (!p || !refs || pw_in_gup(sp) || pw_unpin_small(p, (__u32)refs))
		return 0;
	struct pw_walk w;
	__builtin_memset(&w, 0, __builtin_offsetof(struct pw_walk, buf));
	pw_walk_single(ctx, &w, p, (__u32)refs, is_folio, PW_W_RELEASE);
	pw_released(w.counted, w.mirrored);
	return 0;
}

/* The UNPIN lines of bpf/hooks.h. rd: how fentry reads the first argument,
 * pw_ptr for a struct pointer, pw_arg for an array (struct page **) */
#define PW_UNPIN_HOOKS3(sym, rd, call)						\
SEC("fentry/" #sym) int BPF_PROG(fe_##sym)					\
{ __u64 sp = 0, a0 = rd(ctx, 0), a1 = ctx[1], a2 = ctx[2]; return call; }			\
SEC("kprobe/" #sym) int BPF_KPROBE(kp_##sym)					\
{ __u64 sp = PT_REGS_SP(ctx), a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx), a2 = PT_REGS_PARM3(ctx); return call; }

/* ctx[N] may only be read for a function's own arguments: one-argument
 * functions get their own macro */
#define PW_UNPIN_HOOKS1(sym, rd, call)						\
SEC("fentry/" #sym) int BPF_PROG(fe_##sym)					\
{ __u64 sp = 0, a0 = rd(ctx, 0); return call; }						\
SEC("kprobe/" #sym) int BPF_KPROBE(kp_##sym)					\
{ __u64 sp = PT_REGS_SP(ctx), a0 = PT_REGS_PARM1(ctx); return call; }

#define PW_UNPIN_HOOKS2(sym, rd, call)						\
SEC("fentry/" #sym) int BPF_PROG(fe_##sym)					\
{ __u64 sp = 0, a0 = rd(ctx, 0), a1 = ctx[1]; return call; }				\
SEC("kprobe/" #sym) int BPF_KPROBE(kp_##sym)					\
{ __u64 sp = PT_REGS_SP(ctx), a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx); return call; }

#define PW_UNPIN_(sym, n, rd, call) PW_UNPIN_HOOKS##n(sym, rd, call)
PW_HOOKS(PW_HOOK_NONE, PW_HOOK_NONE, PW_HOOK_NONE, PW_HOOK_NONE, PW_UNPIN_)
