// SPDX-License-Identifier: GPL-2.0
/* Grouping the page scan's folios by holder and verdict (src/why.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "why.h"
#include "report.h"
#include "metrics.h"

const char *why_verdict_name(enum why_verdict v)
{
	static const char *const names[WHY__MAX] = {
		[WHY_PIN_LONGTERM] = "long_term_pin",
		[WHY_PIN_SHORT] = "short_term_pin",
		[WHY_PIN_UNTRACED] = "pinned_before_tracing",
		[WHY_REF_GET] = "get_user_pages_reference",
		[WHY_REF_UNKNOWN] = "reference_not_a_pin",
	};
	return (unsigned)v < WHY__MAX ? names[v] : "?";
}

static bool same_holder(const struct why_group *g, enum why_verdict v, const struct pw_holder *h)
{
	if (g->verdict != v)
		return false;
	if (!h)
		return true;	/* one group each for the holders not known */
	return g->h.tgid == h->tgid && g->h.stack_id == h->stack_id && g->h.api == h->api &&
	       !memcmp(g->h.comm, h->comm, sizeof(h->comm));
}

static struct why_group *group_for(struct why_result *r, enum why_verdict v,
				   const struct pw_holder *h)
{
	for (int i = 0; i < r->n_groups; i++)
		if (same_holder(&r->groups[i], v, h))
			return &r->groups[i];
	struct why_group *ng = realloc(r->groups, (r->n_groups + 1) * sizeof(*ng));
	if (!ng)
		return NULL;
	r->groups = ng;
	ng = &r->groups[r->n_groups++];
	memset(ng, 0, sizeof(*ng));
	ng->verdict = v;
	ng->h.stack_id = -1;
	if (h)
		ng->h = *h;
	ng->h.comm[PW_COMM_LEN - 1] = 0;
	return ng;
}

static int add_folio(struct why_group *g, const struct pw_scan_rec *rec, __u32 pins)
{
	if (!(g->n_folios & (g->n_folios - 1))) {	/* 0, 1, 2, 4 ...: grow */
		size_t cap = g->n_folios ? 2 * g->n_folios : 1;
		struct why_folio *nf = realloc(g->folios, cap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		g->folios = nf;
	}
	g->folios[g->n_folios++] = (struct why_folio){ .pfn = rec->pfn, .nr_pages = rec->nr_pages,
						       .pins = pins, .refcount = rec->refcount,
						       .expected = rec->expected, .flags = rec->flags };
	g->pages += rec->nr_pages;
	return 0;
}

/* Name a group's holder and API from its stack, once. */
static int name_group(struct why_group *g, const struct pw_view *v, const struct ksyms *ks,
		      __u64 now_ns)
{
	__u64 ips[PW_STACK_DEPTH];
	int n = v ? view_stack(v, g->h.stack_id, ips) : 0;

	if (n && report_symbolize(ks, ips, n, &g->frames, &g->n_frames))
		return -ENOMEM;
	holder_name(g->frames, g->n_frames, g->holder, sizeof(g->holder));
	snprintf(g->api, sizeof(g->api), "%s",
		 report_refine_api(pw_api_name(g->h.api), g->frames, g->n_frames));
	if (g->h.ts_ns && now_ns > g->h.ts_ns)
		g->age_s = (now_ns - g->h.ts_ns) / 1e9;
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct why_group *x = a, *y = b;
	if (x->verdict != y->verdict)
		return x->verdict < y->verdict ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	return x->h.tgid < y->h.tgid ? -1 : x->h.tgid > y->h.tgid;
}

/* One folio of the scan: its pins to the holder the mirror names (the rest
 * to "pinned before tracing"), its references beyond those to the
 * get_user_pages caller its cell remembers, else to "holder unknown". */
static int place(struct why_result *r, const struct pw_scan_rec *rec, const struct pw_view *v)
{
	struct pw_cell cell = { 0 };
	struct pw_holder_rec hr;
	struct pw_holder gh;
	struct why_group *g;
	__u32 traced = 0;

	if (v)
		view_cell(v, rec->pfn, &cell);
	__u32 hid = cell.meta & PW_CELL_HOLDER;
	if (rec->pins && cell.pins && view_holder(v, hid, &hr)) {
		traced = cell.pins < rec->pins ? cell.pins : rec->pins;
		if (cell.meta & PW_CELL_LONGTERM)
			hr.h.flags |= PW_F_LONGTERM;
		g = group_for(r, hr.h.flags & PW_F_LONGTERM ? WHY_PIN_LONGTERM : WHY_PIN_SHORT, &hr.h);
		if (!g || add_folio(g, rec, traced))
			return -ENOMEM;
		g->pins += traced;
	}
	if (rec->pins > traced) {
		g = group_for(r, WHY_PIN_UNTRACED, NULL);
		if (!g || add_folio(g, rec, rec->pins - traced))
			return -ENOMEM;
		g->pins += rec->pins - traced;
	}
	if (rec->pins)
		r->pinned_pages += rec->nr_pages;
	/* references beyond what mappings, caches and pins explain */
	__s64 pin_refs = rec->flags & PW_SCAN_LARGE ? rec->pins : (__s64)rec->pins * 1024;
	__s64 extra = (__s64)rec->refcount - rec->expected - pin_refs;
	if (extra <= 0)
		return 0;
	bool got = v && !cell.pins && view_get(v, hid, &gh);
	g = group_for(r, got ? WHY_REF_GET : WHY_REF_UNKNOWN, got ? &gh : NULL);
	if (!g || add_folio(g, rec, 0))
		return -ENOMEM;
	g->refs += extra;
	r->ref_pages += rec->nr_pages;
	return 0;
}

int why_build(struct why_result *r, const struct pw_scan *scan, const struct pw_view *v,
	      const struct ksyms *ks, __u64 now_ns)
{
	r->sum = scan->sum;
	r->traced = v != NULL;
	for (size_t i = 0; i < scan->n; i++)
		if (place(r, &scan->recs[i], v))
			return -ENOMEM;
	for (int i = 0; i < r->n_groups; i++) {
		struct why_group *g = &r->groups[i];
		bool known = g->verdict == WHY_PIN_LONGTERM || g->verdict == WHY_PIN_SHORT ||
			     g->verdict == WHY_REF_GET;
		if (known && name_group(g, v, ks, now_ns))
			return -ENOMEM;
		if (!known)
			snprintf(g->holder, sizeof(g->holder), "unknown");
	}
	qsort(r->groups, r->n_groups, sizeof(*r->groups), cmp_group);
	return 0;
}

void why_free(struct why_result *r)
{
	for (int i = 0; i < r->n_groups; i++) {
		report_free_frames(r->groups[i].frames, r->groups[i].n_frames);
		free(r->groups[i].folios);
	}
	free(r->groups);
	r->groups = NULL;
	r->n_groups = 0;
}
