// SPDX-License-Identifier: GPL-2.0
/* Explaining a blocked range as it happens (src/blocked.h): the page scan. */
#include <errno.h>
#include <string.h>
#include "blocked.h"
#include "pagescan.h"
#include "report.h"

int blocked_explain(struct pw_blocked *b, const struct pw_block_event *e, struct pagescan *ps,
		    const struct pw_view *v, const struct ksyms *ks, __u64 now_ns,
		    char *err, size_t errlen)
{
	__u64 ips[PW_STACK_DEPTH];
	char **frames = NULL;
	int nf = 0, n = view_stack(v, e->stack_id, ips);
	struct pw_scan scan;

	memset(b, 0, sizeof(*b));
	b->ev = *e;
	b->ev.comm[PW_COMM_LEN - 1] = 0;
	if (n && report_symbolize(ks, ips, n, &frames, &nf))
		return -ENOMEM;
	b->what = e->source == PW_BLOCK_OFFLINE ? "offline" :
		  e->source == PW_BLOCK_MIGRATE ? "migrate" : blocked_what(frames, nf);
	report_free_frames(frames, nf);
	b->why.start = e->busy_pfn;
	b->why.end = e->end_pfn > e->busy_pfn ? e->end_pfn : e->busy_pfn + 1;
	snprintf(b->why.range, sizeof(b->why.range), "%s", blocked_what_text(b->what));
	int rc = pagescan_range(ps, b->why.start, b->why.end, &scan, err, errlen);
	if (rc)
		return rc;
	rc = why_build(&b->why, &scan, v, ks, now_ns);
	pagescan_free(&scan);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}
