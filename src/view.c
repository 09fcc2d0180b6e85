// SPDX-License-Identifier: GPL-2.0
/* Reading a session's maps; the cells and holders change under the reader. */
#include <string.h>
#include <bpf/bpf.h>
#include "view.h"

bool view_cell(const struct pw_view *v, __u64 pfn, struct pw_cell *out)
{
	if (!v->cells || pfn >= v->max_pfn ||
	    (pfn / PW_CHUNK_CELLS + 1) * sizeof(struct pw_chunk) > v->cells_len)
		return false;
	const volatile struct pw_cell *c = &v->cells[pfn / PW_CHUNK_CELLS].c[pfn % PW_CHUNK_CELLS];
	out->pins = c->pins;
	out->meta = c->meta;
	return true;
}

bool view_holder(const struct pw_view *v, __u32 hid, struct pw_holder_rec *out)
{
	if (!hid || hid >= PW_GET_ID || !v->holders)
		return false;
	const volatile struct pw_holder_rec *r = &v->holders[hid & (PW_HOLDER_SLOTS - 1)];
	if (r->id != hid)
		return false;
	memcpy(out, (const void *)r, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return r->id == hid && out->id == hid;
}

bool view_get(const struct pw_view *v, __u32 gid, struct pw_holder *out)
{
	return gid >= PW_GET_ID && v->gets_fd >= 0 && bpf_map_lookup_elem(v->gets_fd, &gid, out) == 0;
}

int view_stack(const struct pw_view *v, __s32 id, __u64 ips[PW_STACK_DEPTH])
{
	__u64 buf[PW_STACK_DEPTH] = {};
	int n = 0;

	if (id < 0 || v->stacks_fd < 0 || bpf_map_lookup_elem(v->stacks_fd, &id, buf))
		return 0;
	while (n < PW_STACK_DEPTH && buf[n]) {
		ips[n] = buf[n];
		n++;
	}
	return n;
}
