// SPDX-License-Identifier: GPL-2.0
/* A blocked range named, recorded and printed (src/blocked.h); no libbpf. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include "blocked.h"

static bool has_frame(char *const *frames, int n, const char *prefix)
{
	size_t l = strlen(prefix);
	for (int i = 0; i < n; i++)
		if (!strncmp(frames[i], prefix, l))
			return true;
	return false;
}

const char *blocked_what(char *const *frames, int n)
{
	if (has_frame(frames, n, "offline_pages"))
		return "offline";
	if (has_frame(frames, n, "cma_alloc") || has_frame(frames, n, "__cma_alloc"))
		return "cma";
	/* hugetlb's pool: 6.1 inlines alloc_gigantic_page into alloc_fresh_huge_page */
	static const char *const huge[] = { "alloc_gigantic", "alloc_fresh_hugetlb", "alloc_fresh_huge_page",
					     "alloc_buddy_hugetlb", "hugetlb_cma_alloc", "alloc_pool_huge",
					     "set_max_huge_pages" };
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		if (has_frame(frames, n, huge[i]))
			return "hugepage";
	return "contig";
}

const char *blocked_reason(int mr)
{
	switch (mr) {
	case PW_MR_SYSCALL: return "move_pages/migrate_pages";
	case PW_MR_MBIND: return "mbind";
	case PW_MR_NUMA: return "NUMA balancing";
	case PW_MR_DEMOTION: return "demotion";
	default: return "?";
	}
}

const char *blocked_what_text(const char *what)
{
	if (!strcmp(what, "offline"))
		return "memory offline";
	if (!strcmp(what, "cma"))
		return "CMA allocation";
	if (!strcmp(what, "hugepage"))
		return "gigantic hugepage allocation";
	if (!strcmp(what, "migrate"))
		return "page migration";
	return "contiguous allocation";
}

void blocked_record(const struct pw_blocked *b, __u64 start_ns, struct pw_blocked_rec *out)
{
	const struct why_result *r = &b->why;

	memset(out, 0, sizeof(*out));
	snprintf(out->what, sizeof(out->what), "%s", b->what);
	out->start_pfn = b->ev.start_pfn;
	out->end_pfn = b->ev.end_pfn;
	out->busy_pfn = b->ev.busy_pfn;
	out->err = b->ev.source == PW_BLOCK_MIGRATE ? 0 : b->ev.err;
	if (b->ev.source == PW_BLOCK_MIGRATE)
		snprintf(out->reason, sizeof(out->reason), "%s", blocked_reason(b->ev.err));
	out->pid = b->ev.tgid;
	memcpy(out->comm, b->ev.comm, sizeof(out->comm));
	out->repeats = b->ev.repeats;
	out->at_s = b->ev.ts_ns > start_ns ? (b->ev.ts_ns - start_ns) / 1e9 : 0;
	for (int i = 0; i < r->n_groups; i++) {
		const struct why_group *g = &r->groups[i];
		if (out->n_holders == PW_BLOCKED_HOLDERS) {
			out->more_holders++;
			continue;
		}
		typeof(out->holders[0]) *h = &out->holders[out->n_holders++];
		snprintf(h->verdict, sizeof(h->verdict), "%s", why_verdict_name(g->verdict));
		snprintf(h->holder, sizeof(h->holder), "%s", g->holder);
		memcpy(h->comm, g->h.comm, sizeof(h->comm));
		h->pid = g->h.tgid;
		h->pages = g->pages;
	}
}

void blocked_free(struct pw_blocked *b)
{
	why_free(&b->why);
}

#define TEXT_GROUPS 4

void blocked_text(FILE *out, const char *ts, const struct pw_blocked *b)
{
	const struct why_result *r = &b->why;

	fprintf(out, "%s blocked: %s of pfn %#" PRIx64 "-%#" PRIx64 " by %s[%u] failed",
		ts, blocked_what_text(b->what), (uint64_t)b->ev.start_pfn, (uint64_t)(b->ev.end_pfn - 1),
		b->ev.comm, b->ev.tgid);
	if (b->ev.source == PW_BLOCK_ISOLATE)
		fprintf(out, " at pfn %#" PRIx64, (uint64_t)b->ev.busy_pfn);
	else if (b->ev.source == PW_BLOCK_MIGRATE)
		fprintf(out, " (%s)", blocked_reason(b->ev.err));
	else
		fprintf(out, ": %s", strerror(-b->ev.err));
	if (b->ev.repeats)
		fprintf(out, " (%u more failures of this range)", b->ev.repeats);
	if (!r->n_groups)
		fprintf(out, "; nothing holds it now (a transient reference)");
	fputc('\n', out);
	for (int i = 0; i < r->n_groups && i < TEXT_GROUPS; i++) {
		const struct why_group *g = &r->groups[i];
		fprintf(out, "  %s: %s", why_verdict_name(g->verdict), g->holder);
		if (g->verdict == WHY_PIN_LONGTERM || g->verdict == WHY_PIN_SHORT || g->verdict == WHY_REF_GET)
			fprintf(out, ", %s[%u] via %s", g->h.comm, g->h.tgid, g->api);
		fprintf(out, ", %" PRIu64 " pages from pfn %#" PRIx64 "\n", (uint64_t)g->pages,
			(uint64_t)g->folios[0].pfn);
	}
	if (r->n_groups > TEXT_GROUPS)
		fprintf(out, "  ... %d more holders (pinwatch why --pfn %#" PRIx64 "-%#" PRIx64 ")\n",
			r->n_groups - TEXT_GROUPS, (uint64_t)r->start, (uint64_t)(r->end - 1));
}
