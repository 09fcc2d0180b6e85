// SPDX-License-Identifier: GPL-2.0
/*
 * Failures to free a range of RAM, as they happen; userspace then reads the
 * range (the page scan) and names who holds its pages.
 *  - test_pages_isolated is the last check of alloc_contig_range (cma_alloc,
 *    runtime 1 GiB hugepages): fin_pfn < end_pfn means the page at fin_pfn
 *    is still in use after migration gave up on it.
 *  - offline_pages' return: memory offline retries migration until a signal
 *    comes and never reaches that check while a page stays busy.
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

/* the last event of each range (by start_pfn) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct pw_block_rate);
} blocked_rate SEC(".maps") __weak;

static __always_inline void pw_blocked(void *ctx, __u16 source, __u64 start, __u64 end, __u64 busy,
				       int err)
{
	__u64 now = bpf_ktime_get_boot_ns();
	struct pw_block_rate *r = bpf_map_lookup_elem(&blocked_rate, &start);
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
		bpf_map_update_elem(&blocked_rate, &start, &nr, BPF_ANY);
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
	e->stack_id = pw_stack(ctx);
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

/* kprobes: the range from the entry, by thread, for the return */
struct pw_offline_args {
	__u64 start, nr;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct pw_offline_args);
} offline_args SEC(".maps") __weak;

SEC("kprobe/offline_pages")
int BPF_KPROBE(kp_offline_pages, unsigned long start_pfn, unsigned long nr_pages)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_offline_args a = { .start = start_pfn, .nr = nr_pages };
	bpf_map_update_elem(&offline_args, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/offline_pages")
int BPF_KRETPROBE(kr_offline_pages, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_offline_args *a = bpf_map_lookup_elem(&offline_args, &id);
	if (!a)
		return 0;
	__u64 start = a->start, nr = a->nr;
	bpf_map_delete_elem(&offline_args, &id);
	if (ret)
		pw_blocked(ctx, PW_BLOCK_OFFLINE, start, start + nr, start, ret);
	return 0;
}
