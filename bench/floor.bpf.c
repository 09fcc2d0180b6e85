// SPDX-License-Identifier: GPL-2.0
/*
 * floor: empty programs on exactly the hooks pinwatch's fentry plan uses
 * (fentry+fexit on the exported pin_user_pages* / get_user_pages* /
 * memfd_pin_folios calls, fentry on the exported unpin calls and on
 * folio_add_pin). What they cost is the price of hooking at all, the lower
 * bound any tracer on these hooks pays; the benchmark compares against it.
 * The loader (floor.c) loads only the programs whose symbol this kernel has.
 *
 * With --per-folio it loads the ff_ programs instead: empty hooks on the
 * per-folio primitives a per-folio tracer needs (fexit of the grabs, to see
 * whether they succeeded; fentry of the put), where the bpftrace script and
 * the rejected per-folio design of pinwatch hook. What they cost on 4 KiB
 * pages bounds any such design from below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define FX(sym) SEC("fexit/" #sym) int BPF_PROG(fx_##sym) { return 0; }
#define FE(sym) SEC("fentry/" #sym) int BPF_PROG(fe_##sym) { return 0; }
#define API(sym) FE(sym) FX(sym)

API(pin_user_pages_fast)
API(pin_user_pages_fast_only)
API(pin_user_pages)
API(pin_user_pages_remote)
API(pin_user_pages_unlocked)
API(memfd_pin_folios)
API(get_user_pages_fast)
API(get_user_pages)
API(get_user_pages_remote)
API(get_user_pages_unlocked)
FE(folio_add_pin)
FE(unpin_user_page)
FE(unpin_user_pages)
FE(unpin_user_pages_dirty_lock)
FE(unpin_user_page_range_dirty_lock)
FE(unpin_folio)
FE(unpin_folios)
FE(unpin_user_folio)

/* per-folio primitives: try_grab_page (6.1), try_grab_folio, try_grab_folio_fast (6.10+) */
#define FFX(sym) SEC("fexit/" #sym) int BPF_PROG(ff_x_##sym) { return 0; }
#define FFE(sym) SEC("fentry/" #sym) int BPF_PROG(ff_e_##sym) { return 0; }
FFX(try_grab_page)
FFX(try_grab_folio)
FFX(try_grab_folio_fast)
FFE(gup_put_folio)
