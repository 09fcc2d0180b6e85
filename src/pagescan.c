// SPDX-License-Identifier: GPL-2.0
/*
 * Loader of the page scan: runs bpf/scan/pagescan.bpf.c over a pfn range in
 * slices, collecting its records. Needs only BPF_PROG_TEST_RUN of a raw_tp
 * program, so it works where no GUP hook can attach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pagescan.h"
#include "probe.h"
#include "ksyms.h"
#include "pagescan.skel.h"

/* pfns per program run: 256 MiB of RAM, well under a second under TCG, so
 * the CPU is given back between slices */
#define SCAN_SLICE 65536ULL

static int add_records(struct pw_scan *s, const struct pw_scan_rec *r, __u32 n)
{
	if (!n)
		return 0;
	struct pw_scan_rec *nr = realloc(s->recs, (s->n + n) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	memcpy(nr + s->n, r, n * sizeof(*nr));
	s->recs = nr;
	s->n += n;
	return 0;
}

struct pagescan {
	struct pagescan_bpf *skel;
};

static __u64 sym_addr(const struct ksyms *ks, const char *name)
{
	const struct ksym *k = ks ? ksyms_by_name(ks, name) : NULL;
	return k ? k->addr : 0;
}

struct pagescan *pagescan_open(const struct ksyms *ks, char *err, size_t errlen)
{
	struct pagescan *ps = calloc(1, sizeof(*ps));
	int e = -ENOMEM;

	if (!ps)
		goto fail;
	libbpf_print_fn_t old = libbpf_set_print(pw_quiet_print);
	ps->skel = pagescan_bpf__open();
	e = ps->skel ? 0 : -errno;
	if (!e) {
		ps->skel->rodata->cfg_vmemmap_base_addr = sym_addr(ks, "vmemmap_base");
		ps->skel->rodata->cfg_cma_areas_addr = sym_addr(ks, "cma_areas");
		ps->skel->rodata->cfg_cma_count_addr = sym_addr(ks, "cma_area_count");
		e = pagescan_bpf__load(ps->skel);
	}
	libbpf_set_print(old);
	if (!e)
		return ps;
fail:
	snprintf(err, errlen, "loading the page scan: %s", strerror(-e));
	pagescan_close(ps);
	errno = -e;
	return NULL;
}

void pagescan_close(struct pagescan *ps)
{
	if (!ps)
		return;
	pagescan_bpf__destroy(ps->skel);
	free(ps);
}

int pagescan_range(struct pagescan *ps, __u64 start, __u64 end, struct pw_scan *out,
		   char *err, size_t errlen)
{
	struct pagescan_bpf *skel = ps->skel;
	int e = 0;

	memset(out, 0, sizeof(*out));
	memset(&skel->bss->scan_sum, 0, sizeof(skel->bss->scan_sum));
	__u64 pfn = start;
	while (pfn < end) {
		__u64 args[2] = { pfn, end - pfn > SCAN_SLICE ? pfn + SCAN_SLICE : end };
		LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.pw_scan), &o)) {
			e = -errno;
			snprintf(err, errlen, "running the page scan at pfn %#llx: %s",
				 (unsigned long long)pfn, strerror(errno));
			break;
		}
		const struct pw_scan_sum *sum = &skel->bss->scan_sum;
		if (sum->next <= pfn) {
			e = -EIO;
			snprintf(err, errlen, "the page scan made no progress at pfn %#llx",
				 (unsigned long long)pfn);
			break;
		}
		e = add_records(out, skel->bss->scan_out, sum->n);
		if (e) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		pfn = sum->next;
	}
	if (e) {
		pagescan_free(out);
		return e;
	}
	out->sum = skel->bss->scan_sum;
	out->sum.n = 0;
	out->sum.next = pfn;
	return 0;
}

int pagescan_cma(struct pagescan *ps, struct pw_cma_area *out, int max)
{
	__u64 args[1] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(ps->skel->progs.pw_cma), &o))
		return 0;
	int n = ps->skel->bss->cma_n < (unsigned)max ? (int)ps->skel->bss->cma_n : max;
	memcpy(out, ps->skel->bss->cma_out, n * sizeof(*out));
	for (int i = 0; i < n; i++)
		out[i].name[sizeof(out[i].name) - 1] = 0;
	return n;
}

void pagescan_free(struct pw_scan *s)
{
	free(s->recs);
	memset(s, 0, sizeof(*s));
}
