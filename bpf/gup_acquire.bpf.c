// SPDX-License-Identifier: GPL-2.0
/*
 * Acquire side: the grab primitives of mm/gup.c, where a pin (or FOLL_GET
 * reference) is really taken. Each hook has an fexit program and a
 * kprobe+kretprobe twin; the loader autoloads one family per symbol.
 *
 *   5.18-6.9:  try_grab_folio(page, refs, flags) -> folio *   (GUP-fast, hugetlb)
 *              try_grab_page(page, flags) -> bool (<=6.1) / int 0=ok (6.2+)
 *   6.10+:     try_grab_folio(folio, refs, flags) -> int 0=ok (f442fa614137)
 *              try_grab_folio_fast(page, refs, flags) -> folio *
 *   6.5+:      folio_add_pin(folio): +1 pin, not counted in vmstat
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int pw_stash(__u64 a0, __u32 refs, __u32 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_grab_args a = { .arg0 = a0, .refs = refs, .flags = flags };
	bpf_map_update_elem(&grab_args, &id, &a, BPF_ANY);
	return 0;
}

/* kretprobe side of a stash: returns 0 and fills *a when the entry was seen */
static __always_inline int pw_unstash(struct pw_grab_args *a)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_grab_args *s = bpf_map_lookup_elem(&grab_args, &id);
	if (!s)
		return -1;
	*a = *s;
	bpf_map_delete_elem(&grab_args, &id);
	return 0;
}

static __always_inline int on_grab_folio(void *ctx, __u64 a0, __u32 refs, __u32 flags, __u64 ret)
{
	__u64 folio;
	if (cfg_grab_folio_takes_folio) {
		if ((int)ret != 0)
			return 0;
		folio = a0;
	} else {
		folio = ret;	/* NULL on failure */
	}
	pw_acquire(ctx, folio, refs, flags, 0);
	return 0;
}

/* try_grab_folio_fast(page, refs, flags) -> folio * or NULL */
static __always_inline int on_grab_folio_fast(void *ctx, __u64 a0, __u32 refs, __u32 flags, __u64 ret)
{
	pw_acquire(ctx, ret, refs, flags, 0);
	return 0;
}

static __always_inline int on_grab_page(void *ctx, __u64 page, __u32 refs, __u32 flags, __u64 ret)
{
	bool ok = cfg_grab_page_returns_int ? (int)ret == 0 : (__u8)ret != 0;
	if (ok)
		pw_acquire(ctx, pw_page_folio((void *)page), 1, flags, 0);
	return 0;
}

/* One fexit program and one kprobe/kretprobe pair per grab primitive.
 * ARGS_TO_REFS maps the (a1, a2) arguments to (refs, flags). */
#define PW_GRAB_HOOKS(sym, handler, REFS, FLAGS)				\
SEC("fexit/" #sym)								\
int BPF_PROG(fx_##sym, __u64 a0, __u64 a1, __u64 a2, __u64 ret)			\
{ return handler(ctx, a0, REFS, FLAGS, ret); }					\
SEC("kprobe/" #sym)								\
int BPF_KPROBE(kp_##sym, __u64 a0, __u64 a1, __u64 a2)				\
{ return pw_stash(a0, REFS, FLAGS); }						\
SEC("kretprobe/" #sym)								\
int BPF_KRETPROBE(kr_##sym, __u64 ret)						\
{										\
	struct pw_grab_args a;							\
	if (pw_unstash(&a))							\
		return 0;							\
	return handler(ctx, a.arg0, a.refs, a.flags, ret);			\
}

PW_GRAB_HOOKS(try_grab_folio, on_grab_folio, (__u32)a1, (__u32)a2)
PW_GRAB_HOOKS(try_grab_folio_fast, on_grab_folio_fast, (__u32)a1, (__u32)a2)

/* try_grab_page(page, flags): two arguments, so its fexit sees ret in ctx[2] */
SEC("fexit/try_grab_page")
int BPF_PROG(fx_try_grab_page, __u64 page, __u64 flags, __u64 ret)
{ return on_grab_page(ctx, page, 1, (__u32)flags, ret); }
SEC("kprobe/try_grab_page")
int BPF_KPROBE(kp_try_grab_page, __u64 page, __u64 flags)
{ return pw_stash(page, 1, (__u32)flags); }
SEC("kretprobe/try_grab_page")
int BPF_KRETPROBE(kr_try_grab_page, __u64 ret)
{
	struct pw_grab_args a;
	if (pw_unstash(&a))
		return 0;
	return on_grab_page(ctx, a.arg0, 1, a.flags, ret);
}

/* folio_add_pin(folio): the kernel skips the zero folio and never fails. */
SEC("fexit/folio_add_pin")
int BPF_PROG(fx_folio_add_pin, __u64 folio)
{
	pw_acquire(ctx, folio, 1, cfg_foll_pin, PW_F_NOSTAT);
	return 0;
}
SEC("kprobe/folio_add_pin")
int BPF_KPROBE(kp_folio_add_pin, __u64 folio)
{
	pw_acquire(ctx, folio, 1, cfg_foll_pin, PW_F_NOSTAT);
	return 0;
}
