// SPDX-License-Identifier: GPL-2.0
/*
 * walkfloor: the plainest per-page mirror, a reference point for the
 * benchmark. fexit of pin_user_pages_fast and fentry of unpin_user_pages
 * read the pages array 16 entries at a time and add/subtract one in a
 * pfn-indexed u32 array: no struct page read, no holder, no stack. With
 * cfg_read_page set, each page's first two words are also read (what telling
 * a tail page from a small folio costs). Not a bound: its loops are rolled,
 * and pinwatch's unrolled walks (bpf/walk.bpf.h) beat it on THP.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NPFN (1U << 20)
#define B 16
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NPFN);
	__type(key, __u32);
	__type(value, __u32);
} cnt SEC(".maps");

const volatile __u64 cfg_base_addr = 0;
__u64 base = 0;
const volatile int cfg_read_page = 0;

struct ctxw { __u64 pages; __u32 n; int d; };

static long cb(__u32 i, struct ctxw *c)
{
	__u64 buf[B] = {};
	__u32 pos = i * B;
	if (pos >= c->n)
		return 1;
	__u32 k = c->n - pos;
	if (k > B)
		k = B;
	if (bpf_probe_read_kernel(buf, k * 8, (void *)(c->pages + pos * 8ULL)))
		return 1;
	for (int j = 0; j < B; j++) {
		if (j >= k)
			break;
		__u64 p = buf[j];
		if (cfg_read_page) {
			__u64 pg[2];
			if (bpf_probe_read_kernel(pg, sizeof(pg), (void *)p))
				continue;
			if (pg[1] & 1)
				p = pg[1] - 1;
		}
		__u32 pfn = (p - base) / 64;
		__u32 *v = bpf_map_lookup_elem(&cnt, &pfn);
		if (v)
			__sync_fetch_and_add(v, c->d);
	}
	return 0;
}

static int walk(__u64 pages, long n, int d)
{
	if (n <= 0 || !pages)
		return 0;
	if (!base) {
		__u64 b = 0xffffea0000000000ULL;
		if (cfg_base_addr)
			bpf_probe_read_kernel(&b, sizeof(b), (void *)cfg_base_addr);
		base = b;
	}
	struct ctxw c = { .pages = pages, .n = n, .d = d };
	bpf_loop((n + B - 1) / B, cb, &c, 0);
	return 0;
}

/* a struct page ** argument is refused as a context load: read it */
static __u64 arg(unsigned long long *ctx, int i)
{
	__u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), &ctx[i]);
	return v;
}

SEC("fexit/pin_user_pages_fast")
int pin_fast(unsigned long long *ctx)
{
	return walk(arg(ctx, 3), (int)ctx[4], 1);
}

SEC("fentry/unpin_user_pages")
int unpin(unsigned long long *ctx)
{
	return walk(arg(ctx, 0), ctx[1], -1);
}
