/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps and load-time configuration shared by every pinwatch BPF file. Each
 * .bpf.c includes this; the definitions are __weak so bpftool's static linker
 * merges them into one map each (see `bpftool gen object` in the Makefile).
 */
#ifndef PW_MAPS_BPF_H
#define PW_MAPS_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "pinwatch.h"

/* Set by the loader from this kernel's BTF before load (rodata). FOLL_* moved
 * from #defines to anonymous enums in 6.3, so CO-RE cannot relocate them. */
const volatile __u32 cfg_foll_get __weak = 0x04;
const volatile __u32 cfg_foll_pin __weak = 0x40000;
const volatile __u32 cfg_foll_longterm __weak = 0x10000;
/* Address of zero_pfn from kallsyms (0 when unknown). */
const volatile __u64 cfg_zero_pfn_addr __weak = 0;
/* run mode: only pins of the traced process tree are reported */
const volatile bool cfg_filter_tree __weak = false;
/* mm_page_free is hooked (and attached before any GUP hook): a cell's meta
 * then outlives its pins as a cache of "this pfn is an order-0 folio" */
const volatile bool cfg_small_cache __weak = false;

/* Page frames the mirror covers, pfns [0, cfg_max_pfn): this machine's
 * highest pfn or --max-pages, exactly (the last chunk may reach beyond). */
const volatile __u64 cfg_max_pfn __weak = 0;

/* The mirror: cells for pfns [0, max_entries * PW_CHUNK_CELLS), used below
 * cfg_max_pfn; the loader sizes it. mmapable: userspace scans it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pw_chunk);
} mirror SEC(".maps") __weak;

/* Holders of mirrored pins, by id (the cells' PW_CELL_HOLDER) modulo the
 * slot count: an array, whose lookup the verifier inlines. Userspace reads it
 * through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PW_HOLDER_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pw_holder_rec);
} holders SEC(".maps") __weak;
__u32 pw_next_holder __weak = 0;

/* Holder hid's record, NULL when its slot is free or another holder's. */
static __always_inline struct pw_holder_rec *pw_holder_get(__u32 hid)
{
	__u32 slot = hid & (PW_HOLDER_SLOTS - 1);
	struct pw_holder_rec *r = hid ? bpf_map_lookup_elem(&holders, &slot) : NULL;
	return r && r->id == hid ? r : NULL;
}

/* Give holder hid's slot back (no cell names it any more). */
static __always_inline void pw_holder_free(struct pw_holder_rec *r, __u32 hid)
{
	__sync_val_compare_and_swap(&r->id, hid, 0);
}

/* Recent FOLL_GET calls, by id (PW_GET_ID and up), so that a later unpin
 * of a page one of them took can name who took it: the page's cell, when it
 * has no pins, carries the id (pw_get_mark). One entry per call, not per
 * page (an LRU insert per page was ~400 ns of a 6.1 O_DIRECT read's page).
 * LRU: these references are never "released" in a way we can see. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pw_holder);
} gets SEC(".maps") __weak;
__u32 pw_next_get __weak = 0;

/* A task's last GUP stack, for the next call from the same place
 * (stackmemo.bpf.h): the hook and stack id, and the return addresses that
 * make the stack, each with its slot (in words above the program's stack
 * position sp0 when it was learned). */
struct pw_stack_memo {
	__u64 sp0;
	__s32 id;
	__u16 api;
	__u8 nr;		/* return addresses checked on reuse */
	__u8 state;		/* PW_MEMO_* */
	__u8 fixed;		/* ip[fixed...] sit at fixed addresses (sp0 + slot) */
	__u16 learns, hits;	/* stacks learned and reused by this task (saturating) */
	__u64 learn_ns;		/* when it last learned */
	__u16 slot[PW_STACK_DEPTH];
	__u64 ip[PW_STACK_DEPTH];
};

/* The GUP call a task is inside: its API, arguments (saved at entry for the
 * exit, where the pages are read) and holder; depth 0 when it is in none.
 * Task storage: created once per task and kept, where a hash keyed by
 * pid_tgid cost an insert and a delete per call. Also tells the unpin hooks
 * that an unpin is GUP's own internal rollback. */
struct pw_slot {
	struct pw_holder h;
	struct pw_stack_memo memo;
	__u64 pages;		/* struct page ** (struct folio ** for memfd_pin_folios) */
	__u32 gup_flags;
	__u32 depth;
	__u32 get_id;		/* this task's last FOLL_GET call's id (pw_new_get) */
	__u32 irq_ctx;		/* pw_irq_ctx() at the outermost GUP entry */
	__u64 entry_sp;		/* kprobes: the stack pointer at that entry (0: unknown) */
};

/* Is the GUP call the slot is in (depth > 0) still running, for a hook at
 * stack pointer sp of the same task and context? A call nested in it, or an
 * unpin of its rollback, runs deeper in the stack: strictly below its entry.
 * One at or above the entry runs after it returned: its exit was missed (a
 * kretprobe finds no free instance when more threads than its maxactive
 * sleep inside the function, and 6.1 does not count that). Only kprobes
 * know the exact stack pointer at a function's entry (sp 0: assume yes). */
static __always_inline bool pw_gup_running(const struct pw_slot *s, __u64 sp)
{
	return !sp || !s->entry_sp || sp < s->entry_sp;
}
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pw_slot);
} slots SEC(".maps") __weak;

/* Threads inside a GUP call, counted per bucket of thread ids (raised when a
 * slot's depth goes 0 -> 1, lowered on 1 -> 0). An unpin whose bucket is 0
 * is not GUP's rollback, known without the task storage lookup, which cost
 * ~160 of a single unpin's ~580 ns (6.12, TCG). Only the current thread's
 * own writes (or those of the task an interrupt landed on, same CPU) decide,
 * so a plain read is enough. A missed kretprobe leaves its slot's depth and
 * its bucket raised together until the thread's next GUP call or unpin above
 * that entry finds it so (pw_gup_running) and lowers them. */
#define PW_BUSY_BUCKETS 4096
__u32 pw_gup_busy[PW_BUSY_BUCKETS] __weak;

static __always_inline __u32 *pw_busy_bucket(void)
{
	return &pw_gup_busy[(__u32)bpf_get_current_pid_tgid() & (PW_BUSY_BUCKETS - 1)];
}

/* The current task's slot (created when `create`), NULL when there is none
 * or task storage is busy on this CPU (a hook interrupted inside another). */
static __always_inline struct pw_slot *pw_slot_get(bool create)
{
	return bpf_task_storage_get(&slots, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PW_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pw_finding_key);
	__type(value, struct pw_finding_val);
} findings SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PW_S__MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps") __weak;

/* run mode: the traced process tree (tgids), filled by the loader and by fork */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} tree SEC(".maps") __weak;

/* Set once any pin could not be mirrored: from then on an unmatched release
 * may be one of ours, so it is counted as untracked, not called preexisting. */
__u32 pw_dropped_any __weak = 0;

/* 1, as a variable: the walks count with it so the verifier sees counts it
 * cannot track exactly, and its bpf_loop callback states converge instead of
 * being explored once per constant 1, 2, 3, ... */
__u32 pw_one __weak = 1;
/* pw_one by a load of its own: an unknown scalar with no id shared with
 * another register */
static __always_inline __u32 pw_read_one(void)
{
	return *(volatile __u32 *)&pw_one;
}

static __always_inline void pw_stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += n;	/* per-CPU slot: no atomic needed */
}

/* The slot's GUP call returned unseen (pw_gup_running said so): count it
 * lost, and take the thread out of GUP, its busy bucket with it. */
static __always_inline void pw_gup_lost(struct pw_slot *s)
{
	pw_stat_add(PW_S_LOST_EXITS, 1);
	s->depth = 0;
	__sync_fetch_and_sub(pw_busy_bucket(), 1);
}
#endif
