// SPDX-License-Identifier: GPL-2.0
/*
 * Auditing the mirror against the kernel's own state, and the tracepoints
 * that need no GUP hook:
 *  - pw_audit (raw_tp, run by the loader through BPF_PROG_TEST_RUN): a pin the
 *    mirror holds but the kernel no longer counts was dropped without an
 *    unpin (put_page); at the end of `run`, or past --max-age, what is left
 *    is a leak.
 *  - mm_page_free: a mirrored folio freed while pinned (large folio + put_page).
 *  - sched_process_fork: follow the traced process tree in run mode.
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

struct audit_ctx {
	__u64 now_ns, max_age_ns, final;
	__u64 checked;
};

static long audit_one(struct bpf_map *map, __u64 *folio, struct pw_pin *p, struct audit_ctx *c)
{
	struct pw_finding_key k = {};
	__u32 kpins = pw_kernel_pins((void *)*folio);
	__u32 pins = p->pins;

	c->checked++;
	if (kpins < pins && !(p->h.flags & PW_F_SUSPECT)) {
		/* Maybe an unpin in flight on another CPU: gup_put_folio's hook
		 * drops the mirror's pin just before the kernel drops its own, and
		 * this walk reads the two apart. A put_page() bug persists; confirm
		 * at the next audit (run's final audit is two passes). */
		p->h.flags |= PW_F_SUSPECT;
		return 0;
	}
	if (kpins >= pins)
		p->h.flags &= ~PW_F_SUSPECT;
	if (kpins < pins) {
		/* the kernel dropped pins we never saw unpinned */
		__u32 lost = pins - kpins;
		if (pw_reportable(p)) {
			pw_key_from_holder(&k, PW_K_PUT_INSTEAD_OF_UNPIN, &p->h);
			pw_finding(&k, lost, pw_pages_of(lost, p->nr_pages), p->h.ts_ns, p->h.pid);
		}
		if (kpins == 0) {
			bpf_map_delete_elem(map, folio);
			return 0;
		}
		__sync_fetch_and_add(&p->pins, -lost);
		pins = kpins;
	}
	if (!pw_reportable(p))
		return 0;
	if (c->final ||
	    (c->max_age_ns && !(p->h.flags & PW_F_REPORTED) &&
	     c->now_ns > p->h.ts_ns + c->max_age_ns)) {
		pw_key_from_holder(&k, PW_K_LEAK, &p->h);
		pw_finding(&k, pins, pw_pages_of(pins, p->nr_pages), p->h.ts_ns, p->h.pid);
		p->h.flags |= PW_F_REPORTED;
	}
	return 0;
}

SEC("raw_tp")
int BPF_PROG(pw_audit, __u64 now_ns, __u64 max_age_ns, __u64 final)
{
	struct audit_ctx c = { .now_ns = now_ns, .max_age_ns = max_age_ns, .final = final };
	bpf_for_each_map_elem(&mirror, audit_one, &c, 0);
	__u32 idx = PW_S_AUDITED;
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v = c.checked;
	return 0;
}

SEC("tp_btf/mm_page_free")
int BPF_PROG(pw_page_free, struct page *page, unsigned int order)
{
	__u64 folio = (__u64)page;
	struct pw_pin *p = bpf_map_lookup_elem(&mirror, &folio);
	if (!p)
		return 0;
	pw_stat_add(PW_S_FREED_PINNED, p->pins);
	if (pw_reportable(p)) {
		struct pw_finding_key k = {};
		pw_key_from_holder(&k, PW_K_PUT_INSTEAD_OF_UNPIN, &p->h);
		pw_key_set_releaser(ctx, &k);
		pw_finding(&k, p->pins, pw_pages_of(p->pins, p->nr_pages), p->h.ts_ns, p->h.pid);
	}
	bpf_map_delete_elem(&mirror, &folio);
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
