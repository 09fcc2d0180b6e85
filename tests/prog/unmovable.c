// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest unmovable --pages N: leave N pages free in unmovable pageblocks.
 * A kernel allocation that finds its free lists empty claims a pageblock
 * from the movable ones, the largest free block first: a gigabyte just
 * freed for a scenario is where such blocks are, and one kernel page there
 * makes alloc_contig_range() refuse the range at isolation, before any
 * migration. Taking N page tables (one per 2 MiB of a sparse mapping, read
 * so only the zero page is mapped) and freeing them leaves N pages on the
 * unmovable free lists for the kernel's later allocations. Prints
 *     unmovable pages=M
 * (M: the page tables taken, N and the few of the upper levels).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "pwtest.h"

/* VmPTE of this process, in KiB, or -1 */
static long vm_pte_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int cmd_unmovable(int argc, char **argv)
{
	struct opts o;
	parse_opts(argc, argv, &o, "pages");
	size_t span = (size_t)o.pages * HPAGE;
	char *p = mmap(NULL, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", span, strerror(errno));
	/* a huge zero page would need no page table */
	if (madvise(p, span, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	long before = vm_pte_kib();
	for (long i = 0; i < o.pages; i++)
		(void)*(volatile char *)(p + i * HPAGE);
	long got = (vm_pte_kib() - before) / (long)(PG >> 10);
	if (got < o.pages)
		die("%ld page tables taken, not %ld (VmPTE)", got, o.pages);
	if (munmap(p, span))
		die("munmap: %s", strerror(errno));
	printf("unmovable pages=%ld\n", got);
	return 0;
}
