// SPDX-License-Identifier: GPL-2.0
/*
 * Failures to free a range of RAM, as they happen; userspace then reads the
 * range (the page scan) and names who holds its pages.
 *  - test_pages_isolated is the last check of alloc_contig_range (cma_alloc,
 *    runtime 1 GiB hugepages): fin_pfn < end_pfn means the page at fin_pfn
 *    is still in use after migration gave up on it.
 *  - offline_pages' return: memory offline retries migration until a signal
 *    comes and never reaches that check while a page stays busy.
 *  - migrate_pages' return: the folios still on its `from` list stayed put
 *    (move_pages(2), mbind, NUMA balancing, demotion; compaction skips pinned
 *    pages before it, and the callers above report their own).
 * Both can repeat in a loop: one event per range per PW_BLOCK_INTERVAL_NS,
 * with the failures in between counted.
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} blocked SEC(".maps") __weak;

struct pw_block_rate {
	__u64 last_ns;
	__u32 repeats;
	__u32 _pad;
};

/* the last event of each range (by source and start_pfn) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct pw_block_rate);
} blocked_rate SEC(".maps") __weak;

static __always_inline void pw_blocked(void *ctx, __u16 source, __u64 start, __u64 end, __u64 busy,
				       int err)
{
	__u64 now = bpf_ktime_get_boot_ns(), key = start | (__u64)source << 56;
	struct pw_block_rate *r = bpf_map_lookup_elem(&blocked_rate, &key);
	__u32 repeats = 0;
	if (r) {
		if (now - r->last_ns < PW_BLOCK_INTERVAL_NS) {
			__sync_fetch_and_add(&r->repeats, 1);
			return;
		}
		repeats = __sync_lock_test_and_set(&r->repeats, 0);
		r->last_ns = now;
	} else {
		struct pw_block_rate nr = { .last_ns = now };
		bpf_map_update_elem(&blocked_rate, &key, &nr, BPF_ANY);
	}
	struct pw_block_event *e = bpf_ringbuf_reserve(&blocked, sizeof(*e), 0);
	if (!e) {
		pw_stat_add(PW_S_DROP_BLOCKED, 1);
		return;
	}
	e->ts_ns = now;
	e->start_pfn = start;
	e->end_pfn = end;
	e->busy_pfn = busy;
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	/* not pw_stack: a requester's stack lost is no pin's holder lost */
	e->stack_id = bpf_get_stackid(ctx, &stacks, 0);
	e->repeats = repeats;
	e->source = source;
	e->err = err;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/test_pages_isolated")
int BPF_PROG(pw_isolate_busy, unsigned long start_pfn, unsigned long end_pfn, unsigned long fin_pfn)
{
	if (fin_pfn < end_pfn)
		pw_blocked(ctx, PW_BLOCK_ISOLATE, start_pfn, end_pfn, fin_pfn, -16 /* EBUSY */);
	return 0;
}

SEC("fexit/offline_pages")
int BPF_PROG(fx_offline_pages, unsigned long start_pfn, unsigned long nr_pages, void *zone,
	     void *group, int ret)
{
	if (ret)
		pw_blocked(ctx, PW_BLOCK_OFFLINE, start_pfn, start_pfn + nr_pages, start_pfn, ret);
	return 0;
}

/* kprobes: the arguments from the entry, by thread, for the return; a map
 * each, since offline_pages calls migrate_pages in the same thread, and LRU,
 * so the entries of missed kretprobes go */
struct pw_call_args {
	__u64 a, b;		/* offline_pages: the range; migrate_pages: from, reason */
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct pw_call_args);
} offline_args SEC(".maps") __weak;
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct pw_call_args);
} migrate_args SEC(".maps") __weak;

static __always_inline void pw_args_save(void *map, __u64 a, __u64 b)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_call_args v = { .a = a, .b = b };
	bpf_map_update_elem(map, &id, &v, BPF_ANY);
}

/* The entry's arguments of this thread's call, taken out of map; false
 * when the entry was not seen. */
static __always_inline bool pw_args_take(void *map, __u64 *a, __u64 *b)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_call_args *v = bpf_map_lookup_elem(map, &id);
	if (!v)
		return false;
	*a = v->a;
	*b = v->b;
	bpf_map_delete_elem(map, &id);
	return true;
}

SEC("kprobe/offline_pages")
int BPF_KPROBE(kp_offline_pages, unsigned long start_pfn, unsigned long nr_pages)
{
	pw_args_save(&offline_args, start_pfn, nr_pages);
	return 0;
}

SEC("kretprobe/offline_pages")
int BPF_KRETPROBE(kr_offline_pages, int ret)
{
	__u64 start, nr;
	if (!pw_args_take(&offline_args, &start, &nr))
		return 0;
	if (ret)
		pw_blocked(ctx, PW_BLOCK_OFFLINE, start, start + nr, start, ret);
	return 0;
}

/* The requests nothing else reports, as PW_MR_*; 0 for the others. */
static __always_inline __u16 pw_migrate_reason(int reason)
{
	if (reason == bpf_core_enum_value(enum migrate_reason, MR_SYSCALL))
		return PW_MR_SYSCALL;
	if (reason == bpf_core_enum_value(enum migrate_reason, MR_MEMPOLICY_MBIND))
		return PW_MR_MBIND;
	if (reason == bpf_core_enum_value(enum migrate_reason, MR_NUMA_MISPLACED))
		return PW_MR_NUMA;
	if (bpf_core_enum_value_exists(enum migrate_reason, MR_DEMOTION) &&
	    reason == bpf_core_enum_value(enum migrate_reason, MR_DEMOTION))
		return PW_MR_DEMOTION;
	return 0;
}

/* The folios migrate_pages() left on `from` (a list through folio->lru):
 * one event each, the first 8. */
static __always_inline void pw_migrate_failed(void *ctx, __u64 from, int reason)
{
	__u16 why = pw_migrate_reason(reason);
	__u64 base = pw_vmemmap(), pos = 0, sz = bpf_core_type_size(struct page);
	__u64 off = bpf_core_field_offset(struct folio, lru);

	if (!why || bpf_probe_read_kernel(&pos, sizeof(pos), (void *)from))
		return;
	for (int i = 0; i < 8 && pos && pos != from; i++) {
		__u64 folio = pos - off;
		if (folio < base)
			return;
		__u64 pfn = (folio - base) / sz;
		__u32 nr = pw_folio_nr_pages((void *)folio, pw_folio_flags((void *)folio));
		pw_blocked(ctx, PW_BLOCK_MIGRATE, pfn, pfn + nr, pfn, why);
		if (bpf_probe_read_kernel(&pos, sizeof(pos), (void *)pos))
			return;
	}
}

SEC("fexit/migrate_pages")
int BPF_PROG(fx_migrate_pages, void *from, void *get_new, void *put_new, unsigned long priv,
	     int mode, int reason, void *succeeded, int ret)
{
	if (ret > 0)
		pw_migrate_failed(ctx, (__u64)from, reason);
	return 0;
}

SEC("kprobe/migrate_pages")
int BPF_KPROBE(kp_migrate_pages, void *from)
{
	/* the sixth argument: BPF_KPROBE names five (x86-64: r9) */
	pw_args_save(&migrate_args, (__u64)from, (__u64)(int)ctx->r9);
	return 0;
}

SEC("kretprobe/migrate_pages")
int BPF_KRETPROBE(kr_migrate_pages, int ret)
{
	__u64 from, reason;
	if (!pw_args_take(&migrate_args, &from, &reason))
		return 0;
	if (ret > 0)
		pw_migrate_failed(ctx, from, (int)reason);
	return 0;
}
