// SPDX-License-Identifier: GPL-2.0
/*
 * Release side: gup_put_folio(folio, refs, flags) is where every unpin_user_page*,
 * unpin_folio* and GUP-fast rollback drops pins (5.18-6.18; static but not
 * inlined on Debian builds, see kernel-gup.md §1.5). Hooked at entry, so the
 * kernel's own pin count can still be read before it is decremented.
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

SEC("fentry/gup_put_folio")
int BPF_PROG(fe_gup_put_folio, __u64 folio, __u64 refs, __u64 flags)
{
	pw_release(ctx, folio, (__u32)refs, (__u32)flags);
	return 0;
}

SEC("kprobe/gup_put_folio")
int BPF_KPROBE(kp_gup_put_folio, __u64 folio, __u64 refs, __u64 flags)
{
	pw_release(ctx, folio, (__u32)refs, (__u32)flags);
	return 0;
}
