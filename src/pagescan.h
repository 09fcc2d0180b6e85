/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own pin and reference state of a pfn range (`why`). */
#ifndef PW_PAGESCAN_H
#define PW_PAGESCAN_H
#include <stddef.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"

struct pw_scan {
	struct pw_scan_rec *recs;	/* pfn order */
	size_t n;
	struct pw_scan_sum sum;		/* over the whole range (n: 0) */
};

struct pagescan;

struct ksyms;

/* Load bpf/scan/pagescan.bpf.c, with the addresses of vmemmap_base and the
 * CMA areas from ks (may be NULL: the unrandomized vmemmap, no CMA). NULL
 * with errno set and a one-line reason in err. */
struct pagescan *pagescan_open(const struct ksyms *ks, char *err, size_t errlen);
/* The kernel's CMA areas (cma_areas[]): their count, at most max. */
int pagescan_cma(struct pagescan *ps, struct pw_cma_area *out, int max);
/* Read struct page of every pfn in [start, end) into out (pagescan_free it).
 * 0, or -errno with a one-line reason in err. */
int pagescan_range(struct pagescan *ps, __u64 start, __u64 end, struct pw_scan *out,
		   char *err, size_t errlen);
void pagescan_close(struct pagescan *ps);
void pagescan_free(struct pw_scan *s);
#endif
