// SPDX-License-Identifier: GPL-2.0
/*
 * floor: empty programs on exactly the hooks pinwatch's fentry plan uses
 * (fexit on the grab primitives, fentry on gup_put_folio, fentry+fexit on the
 * GUP API entries). What they cost is the price of hooking at all, the lower
 * bound any tracer on these hooks pays; the benchmark compares against it.
 * The loader (floor.c) loads only the programs whose symbol this kernel has.
 *
 * `floor --hash` (cfg_hash) is a diagnostic, not a tracker: the grab hooks
 * insert one hash entry per folio and gup_put_folio deletes it, nothing else
 * (no stack, no holder) - the cost of the bare hash-per-folio design, which
 * tells whether a target is reachable with it at all.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile bool cfg_hash = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);	/* pinwatch's default mirror size */
	__type(key, __u64);
	__type(value, __u64);
} pins SEC(".maps");

/* 6.10+ (f442fa614137, which also added try_grab_folio_fast): try_grab_folio
 * takes the folio and returns int 0 on success; before, it returned the folio
 * or NULL. Set by the loader. */
const volatile bool cfg_folio_int = false;

/* A successful grab of `folio`: one hash entry (the cost probe). */
static __always_inline int grab(__u64 folio, __u64 refs)
{
	if (cfg_hash)
		bpf_map_update_elem(&pins, &folio, &refs, BPF_ANY);
	return 0;
}

#define FX(sym) SEC("fexit/" #sym) int BPF_PROG(fx_##sym) { return 0; }
#define FE(sym) SEC("fentry/" #sym) int BPF_PROG(fe_##sym) { return 0; }

SEC("fexit/try_grab_folio")
int BPF_PROG(fx_try_grab_folio, __u64 a0, __u64 refs, __u64 flags, __u64 ret)
{
	if (cfg_folio_int ? (int)ret == 0 : ret != 0)
		grab(cfg_folio_int ? a0 : ret, refs);
	return 0;
}
SEC("fexit/try_grab_folio_fast")	/* folio or NULL */
int BPF_PROG(fx_try_grab_folio_fast, __u64 page, __u64 refs, __u64 flags, __u64 ret)
{
	if (ret)
		grab(ret, refs);
	return 0;
}
SEC("fexit/try_grab_page")	/* (page, flags) -> bool on 6.1; a page is its folio at 4 KiB */
int BPF_PROG(fx_try_grab_page, __u64 page, __u64 flags, __u64 ret)
{
	if ((__u8)ret)
		grab(page, 1);
	return 0;
}
FX(folio_add_pin)

SEC("fentry/gup_put_folio")
int BPF_PROG(fe_gup_put_folio, __u64 folio)
{
	if (cfg_hash)
		bpf_map_delete_elem(&pins, &folio);
	return 0;
}

#define API(sym) FE(sym) FX(sym)
API(pin_user_pages_fast)
API(pin_user_pages)
API(pin_user_pages_remote)
API(pin_user_pages_unlocked)
API(memfd_pin_folios)
API(get_user_pages_fast)
API(get_user_pages)
API(get_user_pages_remote)
API(get_user_pages_unlocked)
