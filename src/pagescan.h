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

/* Load bpf/scan/pagescan.bpf.c. vmemmap_base_addr: the address of the
 * vmemmap_base variable (kallsyms), 0 for the unrandomized default. NULL
 * with errno set and a one-line reason in err. */
struct pagescan *pagescan_open(__u64 vmemmap_base_addr, char *err, size_t errlen);
/* Read struct page of every pfn in [start, end) into out (pagescan_free it).
 * 0, or -errno with a one-line reason in err. */
int pagescan_range(struct pagescan *ps, __u64 start, __u64 end, struct pw_scan *out,
		   char *err, size_t errlen);
void pagescan_close(struct pagescan *ps);
void pagescan_free(struct pw_scan *s);
#endif
