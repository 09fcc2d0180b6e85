/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A range the kernel failed to isolate (bpf/blocked.bpf.c), explained: what
 * asked for it (memory offline, a CMA allocation, a gigantic hugepage), and
 * who holds the pages from the busy pfn to the end of the range (src/why.h).
 */
#ifndef PW_BLOCKED_H
#define PW_BLOCKED_H
#include <stdio.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"
#include "why.h"
#include "report.h"

struct pagescan;
struct ksyms;

struct pw_blocked {
	struct pw_block_event ev;
	const char *what;	/* "offline", "cma", "hugepage", "contig", "migrate" (metrics label) */
	struct why_result why;	/* pfns [busy_pfn, end_pfn) */
};

/* Name the requester from its stack and scan the rest of the range. 0 or
 * -errno with a one-line reason in err; blocked_free() either way. */
int blocked_explain(struct pw_blocked *b, const struct pw_block_event *e, struct pagescan *ps,
		    const struct pw_view *v, const struct ksyms *ks, __u64 now_ns,
		    char *err, size_t errlen);
void blocked_free(struct pw_blocked *b);
/* what (by the requester's frames): see struct pw_blocked */
const char *blocked_what(char *const *frames, int n);
/* why a migration was asked (PW_MR_*): "move_pages/migrate_pages", ... */
const char *blocked_reason(int mr);
/* "memory offline", "CMA allocation", ... */
const char *blocked_what_text(const char *what);
/* The report's record of it; start_ns: when tracing began. */
void blocked_record(const struct pw_blocked *b, __u64 start_ns, struct pw_blocked_rec *out);
/* One line for the event, then one per holder group (live mode). */
void blocked_text(FILE *out, const char *ts, const struct pw_blocked *b);
#endif
