/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack of a GUP call without unwinding it, when the same task made its
 * last GUP calls from the same place. bpf_get_stackid unwinds with ORC, ~6,400
 * instructions for the test module's ioctl path, the largest single cost of
 * a THP pin+unpin under pinwatch. qemu -icount A/B in one boot, 6.1 / 6.12:
 * the pin_user_pages_fast exit 36.6 -> 24.3 / 38.7 -> 25.9 virtual us, THP
 * 2.06 -> 1.81x / 2.46 -> 2.11x.
 *
 * Why a reused id is exact: the unwinder's result is a function of where it
 * starts (this program) and of the stack words it reads, each frame's return
 * address at a slot that the frames below it fix. The memo keeps every return
 * address of the trace with its slot; the same return addresses in the same
 * slots unwind to the same trace, and one 8-byte read per frame checks that.
 * Two paths that differ only in one caller at the same depth differ in that
 * caller's return address: the check fails and the stack is unwound (a VM
 * test pins through pwt_pin_fast, then through its twin pwt_pin_fast_alt).
 *
 * Slots are relative to this program's stack position, except above a
 * syscall's random stack offset (randomize_kstack_offset: do_syscall_64
 * moves everything below it by up to 1 KiB per call), where they are fixed
 * addresses in the task's stack. Which frames lie above it is learned from
 * two unwinds of the same stack at two stack positions: a slot that moved
 * with the position is relative, one that stayed is fixed, and the relative
 * ones must all come first. Learning searches the live part of the task's
 * stack above this program's frame for the trace's return addresses, in
 * order (a one-off cost of a few unwinds). The trace's first entry is this
 * program itself (the helper call's return address, below its frame): the
 * memo is per hook, and the hook's trampoline return address after it is
 * checked. fexit programs only: a kretprobe's trace starts at the return
 * address into the hooked function's caller, which is off the stack by the
 * time the probe runs, so two callers through one function pointer at the
 * same depth could not be told apart.
 */
#ifndef PW_STACKMEMO_BPF_H
#define PW_STACKMEMO_BPF_H
#include "mirror.bpf.h"

/* x86-64's THREAD_SIZE without KASAN (Debian's kernels). A larger stack
 * just fails to learn: the trace's outer frames lie beyond what is searched. */
#define PW_TASK_STACK_SIZE (16U << 10)
/* stack searched when learning, from the program's frame up */
#define PW_SCAN_WORDS 1024

enum pw_memo_state {
	PW_MEMO_SEEN,		/* id and api of the last unwind */
	PW_MEMO_HALF,		/* the same stack unwound again: slots at sp0 */
	PW_MEMO_READY,		/* and again at another position: reusable */
	PW_MEMO_FAILED,		/* not learnable (a return address not found) */
};

struct pw_scan {
	__u64 w[PW_SCAN_WORDS];		/* the stack from sp up */
	__u64 ip[PW_STACK_DEPTH];	/* the trace */
	__u16 slot[PW_STACK_DEPTH];	/* slot of ip[k + 1] */
	__u32 j, n;			/* next trace entry to find, entries */
	/* the second learning pass (pw_memo_cmp): the memo's first pass */
	__u64 ip0[PW_STACK_DEPTH], sp0, sp;
	__u16 slot0[PW_STACK_DEPTH];
	__u32 fixed, bad;
	__u32 busy;			/* a learning pass is using this CPU's buffer */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pw_scan);
} stackscan SEC(".maps") __weak;

/* This program's stack position as a number (see pw_ptr): the address of a
 * local, a fixed distance below the frame of the hooked call. */
static __always_inline __u64 pw_sp(void)
{
	volatile __u64 here = 0;
	__u64 self = pw_anchor_addr();
	__u64 d = (__u64)&here - (__u64)&pw_anchor;
	barrier_var(d);
	return d + self;
}

/* Does the stack at sp still hold the memo's return addresses? */
static __always_inline bool pw_memo_holds(const struct pw_stack_memo *m, __u64 sp)
{
	for (int k = 0; k < PW_STACK_DEPTH; k++) {
		if (k >= m->nr)
			return true;
		__u64 v = 0, at = (k < m->fixed ? sp : m->sp0) + (__u64)m->slot[k] * 8;
		if (bpf_probe_read_kernel(&v, sizeof(v), (void *)at) || v != m->ip[k])
			return false;
	}
	return true;
}

/* One stack word of the search: is it the next return address of the trace? */
static long pw_scan_word(__u32 i, void *unused)
{
	__u32 zero = 0;
	struct pw_scan *sc = bpf_map_lookup_elem(&stackscan, &zero);
	if (!sc)
		return 1;
	__u32 j = sc->j;
	if (j >= sc->n || j >= PW_STACK_DEPTH)
		return 1;
	if (sc->w[i & (PW_SCAN_WORDS - 1)] == sc->ip[j]) {
		sc->slot[(j - 1) & (PW_STACK_DEPTH - 1)] = i;
		sc->j = j + 1;
	}
	return 0;
}

/* Take the trace again and find its return addresses in the task's stack
 * above sp: the scan buffer holding the trace and their slots, or NULL. */
static __always_inline struct pw_scan *pw_memo_scan(void *ctx, struct pw_scan *sc, __u64 sp)
{
	struct task_struct *t = bpf_get_current_task_btf();
	/* read as a number: 7.x's verifier types a void * field of a trusted
	 * task as untrusted memory, on which top - sp is refused */
	__u64 base = (__u64)BPF_CORE_READ(t, stack), top = base + PW_TASK_STACK_SIZE;
	if (sp <= base || sp + 8 >= top)
		return NULL;
	long got = bpf_get_stack(ctx, sc->ip, sizeof(sc->ip), 0);
	if (got < 16)
		return NULL;
	__u64 len = top - sp;
	if (len > sizeof(sc->w))
		len = sizeof(sc->w);
	__u32 sz = ((len - 8) & (sizeof(sc->w) - 8)) + 8;
	if (bpf_probe_read_kernel(sc->w, sz, (void *)sp))
		return NULL;
	sc->n = got / 8;
	sc->j = 1;
	bpf_loop(sz / 8, pw_scan_word, NULL, 0);
	return sc->j == sc->n ? sc : NULL;
}

/* One frame of the second learning pass: relative slots first (they moved
 * with sp), then fixed ones (they stayed). A callback with its state in the
 * scan buffer, not an unrolled loop: the loop's relative/fixed boundary in a
 * register split the verifier's paths per frame and took pinwatch's load
 * under qemu -icount on 6.12 from 6.3 to 10.4 s. */
static long pw_memo_cmp(__u32 k, void *unused)
{
	__u32 zero = 0;
	struct pw_scan *sc = bpf_map_lookup_elem(&stackscan, &zero);
	if (!sc)
		return 1;
	k &= PW_STACK_DEPTH - 1;
	__u16 s = sc->slot[k], s0 = sc->slot0[k];
	bool rel = s == s0, fix = sc->sp + (__u64)s * 8 == sc->sp0 + (__u64)s0 * 8;
	bool prefix = sc->fixed == sc->n - 1;	/* no fixed slot yet */
	if (sc->ip[(k + 1) & (PW_STACK_DEPTH - 1)] != sc->ip0[k] || (prefix ? !rel && !fix : !fix)) {
		sc->bad = 1;
		return 1;
	}
	if (prefix && !rel)
		sc->fixed = k;
	return 0;
}

/* The same stack unwound again at sp: learn where its return addresses are,
 * in this CPU's scan buffer sc (held: see pw_memo_learn). */
static __always_inline void pw_memo_learn_in(void *ctx, struct pw_stack_memo *m, __u64 sp,
					     struct pw_scan *sc)
{
	sc = pw_memo_scan(ctx, sc, sp);
	__u32 n = sc ? sc->n - 1 : 0;
	if (!sc || n > PW_STACK_DEPTH - 1) {
		m->state = PW_MEMO_FAILED;
		return;
	}
	if (m->state == PW_MEMO_SEEN) {
		for (int k = 0; k < PW_STACK_DEPTH - 1; k++) {
			if (k >= n)
				break;
			m->slot[k] = sc->slot[k];
			m->ip[k] = sc->ip[k + 1];
		}
		m->nr = n;
		m->sp0 = sp;
		m->state = PW_MEMO_HALF;
		return;
	}
	if (sp == m->sp0 || n != m->nr)	/* same position: nothing to tell */
		return;
	__builtin_memcpy(sc->ip0, m->ip, sizeof(sc->ip0));
	__builtin_memcpy(sc->slot0, m->slot, sizeof(sc->slot0));
	sc->sp0 = m->sp0;
	sc->sp = sp;
	sc->fixed = n;
	sc->bad = 0;
	bpf_loop(n, pw_memo_cmp, NULL, 0);
	if (sc->bad || sc->fixed > n) {
		m->state = PW_MEMO_FAILED;
		return;
	}
	m->fixed = sc->fixed;
	m->state = PW_MEMO_READY;
}

/* The scan buffer is per CPU, and another of pinwatch's programs can run on
 * this CPU in the middle of a learning pass: an interrupt's GUP call, or
 * under full preemption (fentry programs run preemptible) another task's.
 * Two passes in one buffer would learn a memo from a mix of two stacks, so
 * the second one skips: its task learns at a later call. */
static __always_inline void pw_memo_learn(void *ctx, struct pw_stack_memo *m, __u64 sp)
{
	__u32 zero = 0;
	struct pw_scan *sc = bpf_map_lookup_elem(&stackscan, &zero);
	if (!sc || __sync_fetch_and_or(&sc->busy, 1))
		return;
	pw_memo_learn_in(ctx, m, sp, sc);
	__sync_fetch_and_and(&sc->busy, 0);
}

/* Learning costs about an unwind: a task whose stacks rarely repeat long
 * enough to be reused (A A B B A A ...) learns at most once a second after
 * its first few, unless its reuses pay for them. */
static __always_inline bool pw_memo_may_learn(struct pw_stack_memo *m, __u64 now)
{
	if (m->learns < 8 || m->hits >= 4 * (__u32)m->learns)
		return true;
	if (now - m->learn_ns < 1000000000ULL)
		return false;
	m->learns = 0;
	m->hits = 0;
	return true;
}

/* The stack id of this GUP call, from the task's memo when it still holds
 * (now: boot time in ns). */
static __always_inline __s32 pw_stack_memo(void *ctx, struct pw_stack_memo *m, const __u16 api,
					   __u64 now)
{
	__u64 sp = pw_sp();
	if (m->state == PW_MEMO_READY && m->api == api && pw_memo_holds(m, sp)) {
		pw_stat_add(PW_S_STACKS_REUSED, 1);
		if (m->hits < 0xffff)
			m->hits++;
		return m->id;
	}
	__s32 id = pw_stack(ctx);
	if (id < 0)
		return id;
	if (m->id == id && m->api == api) {
		if ((m->state == PW_MEMO_SEEN || m->state == PW_MEMO_HALF) && pw_memo_may_learn(m, now)) {
			if (m->learns < 0xffff)
				m->learns++;
			m->learn_ns = now;
			pw_memo_learn(ctx, m, sp);
		} else if (m->state == PW_MEMO_READY) {	/* learned wrong: stop */
			m->state = PW_MEMO_FAILED;
		}
		return id;
	}
	m->id = id;
	m->api = api;
	m->state = PW_MEMO_SEEN;
	return id;
}
#endif
