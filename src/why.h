/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `pinwatch why`: the folios of a pfn range that hold pins or references
 * their mappings and caches do not explain (the page scan), named by the
 * holders a running session's mirror knows (the view), grouped by holder
 * with a verdict on each group. No libbpf types: unit tests build one from
 * records.
 */
#ifndef PW_WHY_H
#define PW_WHY_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "pagescan.h"
#include "view.h"

struct ksyms;

/* Ordered as reported: what will not go away first. */
enum why_verdict {
	WHY_PIN_LONGTERM,	/* a long-term pin: will not go away by itself */
	WHY_PIN_SHORT,		/* a short-term pin: retrying may succeed */
	WHY_PIN_UNTRACED,	/* pinned before tracing (or not traced): holder unknown */
	WHY_REF_GET,		/* a get_user_pages reference, not a pin: its caller is known */
	WHY_REF_UNKNOWN,	/* a reference that is not a pin, holder unknown */
	WHY__MAX,
};

struct why_folio {
	__u64 pfn;
	__u32 nr_pages, pins;	/* pins: this group's on the folio */
	__s32 refcount;
	__u32 expected;		/* references mappings and caches explain */
	__u32 flags;		/* PW_SCAN_* */
};

struct why_group {
	enum why_verdict verdict;
	/* known holders only (verdict LONGTERM, SHORT, REF_GET) */
	struct pw_holder h;
	char holder[96];	/* "pinwatch_test:pwt_pin_fast" (src/holders.c) */
	char api[24];
	char **frames;		/* the acquiring stack, symbolized */
	int n_frames;
	double age_s;		/* of the oldest pin or reference (0: unknown) */
	__u64 pages, pins, refs;
	struct why_folio *folios;
	size_t n_folios;
};

struct why_result {
	__u64 start, end;		/* pfns [start, end) */
	char range[96];			/* "memory block 40", "zone Movable", ... */
	struct pw_scan_sum sum;
	bool traced;			/* a session's mirror named the holders */
	char source[96];		/* "pinwatch serve (pid 412), tracing for 31.0 s" */
	struct why_group *groups;
	int n_groups;
	__u64 pinned_pages, ref_pages;	/* pages of folios with pins, with other references */
};

/* Group the scan's records; v may be NULL (no session: every holder unknown).
 * 0 or -ENOMEM. */
int why_build(struct why_result *r, const struct pw_scan *scan, const struct pw_view *v,
	      const struct ksyms *ks, __u64 now_ns);
void why_free(struct why_result *r);
const char *why_verdict_name(enum why_verdict v);	/* "long_term_pin", ... */
void why_text(FILE *out, const struct why_result *r);
void why_json(FILE *out, const struct why_result *r);
#endif
