// SPDX-License-Identifier: GPL-2.0
/* Reading a session's maps; the cells and holders change under the reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
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

int view_pins(const struct pw_view *v, struct pw_pin **out, int *n)
{
	int cap = 256, cnt = 0;
	struct pw_pin *p = malloc(cap * sizeof(*p));
	size_t chunks = v->cells_len / sizeof(struct pw_chunk);

	if (!p)
		return -ENOMEM;
	/* the cells change under us: a per-interval snapshot tolerates that */
	for (size_t c = 0; c < chunks; c++) {
		for (int i = 0; i < PW_CHUNK_CELLS; i++) {
			struct pw_cell cell = v->cells[c].c[i];
			if (!cell.pins)
				continue;
			struct pw_holder_rec hr;
			bool known = view_holder(v, cell.meta & PW_CELL_HOLDER, &hr);
			if (v->tree_only && !(known && (hr.h.flags & PW_F_TREE)))
				continue;
			if (cnt == cap) {
				struct pw_pin *np = realloc(p, 2 * cap * sizeof(*p));
				if (!np) {
					free(p);
					return -ENOMEM;
				}
				p = np;
				cap *= 2;
			}
			struct pw_pin *e = &p[cnt++];
			memset(e, 0, sizeof(*e));
			e->pins = cell.pins;
			e->nr_pages = 1u << ((cell.meta >> PW_CELL_ORDER_SHIFT) & PW_CELL_ORDER_MASK);
			e->pfn = (__u64)c * PW_CHUNK_CELLS + i;
			if (known) {
				e->h = hr.h;
			} else {	/* holder lost (holders map was full) */
				e->h.stack_id = -1;
				snprintf(e->h.comm, sizeof(e->h.comm), "?");
			}
			if (cell.meta & PW_CELL_LONGTERM)
				e->h.flags |= PW_F_LONGTERM;
		}
	}
	*out = p;
	*n = cnt;
	return 0;
}

void view_stats(const struct pw_view *v, __u64 out[PW_S__MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *val = ncpu > 0 ? calloc(ncpu, sizeof(__u64)) : NULL;

	for (__u32 i = 0; i < PW_S__MAX; i++) {
		out[i] = 0;
		if (val && v->stats_fd >= 0 && bpf_map_lookup_elem(v->stats_fd, &i, val) == 0)
			for (int c = 0; c < ncpu; c++)
				out[i] += val[c];
	}
	free(val);
}

void view_findings(const struct pw_view *v, __u64 groups[PW_K__MAX], __u64 pins[PW_K__MAX])
{
	struct pw_finding_key k, cur;
	struct pw_finding_val val;
	bool first = true;

	while (v->findings_fd >= 0 && bpf_map_get_next_key(v->findings_fd, first ? NULL : &cur, &k) == 0) {
		first = false;
		cur = k;
		if (k.kind < PW_K__MAX && bpf_map_lookup_elem(v->findings_fd, &k, &val) == 0) {
			groups[k.kind]++;
			pins[k.kind] += val.pins;
		}
	}
}
