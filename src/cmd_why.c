// SPDX-License-Identifier: GPL-2.0
/*
 * `pinwatch why [RANGE]`: what holds the pages of a range of RAM, for the
 * failed CMA allocation, 1 GiB hugepage, memory offline or compaction that
 * asks. The kernel's own state of every folio (src/pagescan.c) says which
 * hold pins or unexplained references, including those taken before any
 * tracing; a running `serve` or live session (src/share.c) names who took
 * them. Without one, every holder is unknown, and that is said.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "session.h"
#include "ksyms.h"
#include "pagescan.h"
#include "parse.h"
#include "privs.h"
#include "share.h"
#include "why.h"

#define PAGE_SHIFT_X86 12

static int bad_range(const struct pw_options *o, const char *why)
{
	fprintf(stderr, "pinwatch: invalid value '%s' for --%s: %s\n", o->range_arg, o->range_opt, why);
	return PW_EXIT_USAGE;
}

static int read_u64_file(const char *path, int base, __u64 *v)
{
	char *text = read_text_file(path), *end;
	if (!text)
		return -errno;
	errno = 0;
	*v = strtoull(text, &end, base);
	int e = errno || end == text || (*end && *end != '\n') ? -EINVAL : 0;
	free(text);
	return e;
}

/* --pfn, --phys, --memory-block, --zone, --cma, or all of RAM, to pfns
 * [start, end) and a label; 0 or the exit status (said on stderr). */
static int resolve_range(const struct pw_options *o, struct why_result *r, __u64 max_pfn)
{
	__u64 a, b;
	const char *opt = o->range_opt, *arg = o->range_arg;

	if (!opt) {
		r->start = 0;
		r->end = max_pfn;
		snprintf(r->range, sizeof(r->range), "all of RAM");
	} else if (!strcmp(opt, "pfn") || !strcmp(opt, "phys")) {
		if (parse_range(arg, &a, &b))
			return bad_range(o, "want FIRST or FIRST-LAST, decimal or 0x hex");
		bool phys = !strcmp(opt, "phys");
		r->start = phys ? a >> PAGE_SHIFT_X86 : a;
		r->end = (phys ? b >> PAGE_SHIFT_X86 : b) + 1;
		snprintf(r->range, sizeof(r->range), "%s %s", phys ? "physical" : "pfn", arg);
	} else if (!strcmp(opt, "memory-block")) {
		char path[96];
		__u64 bs = 0;
		if (parse_range(arg, &a, &b) || a != b)
			return bad_range(o, "want a memory block number");
		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%llu", (unsigned long long)a);
		if (access(path, F_OK))
			return bad_range(o, "no such memory block in /sys/devices/system/memory");
		if (read_u64_file("/sys/devices/system/memory/block_size_bytes", 16, &bs) || !bs) {
			fprintf(stderr, "pinwatch: cannot read /sys/devices/system/memory/block_size_bytes\n");
			return 1;
		}
		r->start = a * (bs >> PAGE_SHIFT_X86);
		r->end = r->start + (bs >> PAGE_SHIFT_X86);
		snprintf(r->range, sizeof(r->range), "memory block %llu", (unsigned long long)a);
	} else if (!strcmp(opt, "zone")) {
		char *text = read_text_file("/proc/zoneinfo");
		int e = text ? parse_zoneinfo_span(text, arg, &r->start, &r->end) : -errno;
		free(text);
		if (e == -ENOENT)
			return bad_range(o, "no such zone with pages in /proc/zoneinfo");
		if (e) {
			fprintf(stderr, "pinwatch: cannot read /proc/zoneinfo: %s\n", strerror(-e));
			return 1;
		}
		snprintf(r->range, sizeof(r->range), "zone %s", arg);
	} else {	/* cma: needs the page scan's program, after the privilege check */
		if (!*arg || strlen(arg) > 63)
			return bad_range(o, "want a CMA area's name");
		return 0;
	}
	if (r->end <= r->start)
		return bad_range(o, "empty range");
	return 0;
}

/* --cma NAME: the area's pfns, from the kernel's own cma_areas[] (Debian
 * builds no CMA debugfs); 0 or the exit status (said on stderr). */
static int resolve_cma(const struct pw_options *o, struct pagescan *ps, struct why_result *r)
{
	struct pw_cma_area a[PW_CMA_MAX];
	char names[PW_CMA_MAX * 66 + 40] = "no such CMA area; there are: ";
	size_t l0 = strlen(names);
	int n = pagescan_cma(ps, a, PW_CMA_MAX);

	for (int i = 0; i < n; i++) {
		if (!strcmp(a[i].name, o->range_arg) && a[i].count) {
			r->start = a[i].base_pfn;
			r->end = a[i].base_pfn + a[i].count;
			snprintf(r->range, sizeof(r->range), "CMA area %s", o->range_arg);
			return 0;
		}
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%.63s", l > l0 ? ", " : "", a[i].name);
	}
	if (!n) {
		fprintf(stderr, "pinwatch: no CMA area on this kernel (--cma %s)\n", o->range_arg);
		return PW_EXIT_UNSUPPORTED;
	}
	return bad_range(o, names);
}

static __u64 machine_max_pfn(void)
{
	char *text = read_text_file("/proc/zoneinfo");
	__u64 v = 0;
	int e = text ? parse_zoneinfo_max_pfn(text, &v) : -ENOENT;
	free(text);
	return e ? 0 : v;
}

int cmd_why(struct pw_options *o)
{
	struct why_result r = { 0 };
	struct pw_scan scan;
	struct pw_view view;
	struct pw_share_info info;
	char err[256];
	int rc;

	__u64 max_pfn = machine_max_pfn();
	if (!max_pfn && !o->range_opt) {
		fprintf(stderr, "pinwatch: cannot read the span of RAM from /proc/zoneinfo\n");
		return 1;
	}
	rc = resolve_range(o, &r, max_pfn);
	if (rc)
		return rc;
	if (privs_check())
		return 1;
	struct ksyms *ks = ksyms_load("/proc/kallsyms");

	int e = share_connect(&view, &info, err, sizeof(err));
	bool traced = e == 0;
	if (traced) {
		snprintf(r.source, sizeof(r.source), "pinwatch %s (pid %d), tracing for %.1f s",
			 info.mode, info.pid, (pw_now_ns() - info.start_ns) / 1e9);
	} else {
		if (e != -ENOENT)
			fprintf(stderr, "pinwatch: %s\n", err);
		snprintf(r.source, sizeof(r.source), "nowhere: no pinwatch serve or live session runs");
	}
	struct pagescan *ps = pagescan_open(ks, err, sizeof(err));
	e = ps ? 0 : -errno;
	if (ps && o->range_opt && !strcmp(o->range_opt, "cma")) {
		rc = resolve_cma(o, ps, &r);
		if (rc) {
			pagescan_close(ps);
			goto out;
		}
	}
	if (!e)
		e = pagescan_range(ps, r.start, r.end, &scan, err, sizeof(err));
	pagescan_close(ps);
	if (e) {
		fprintf(stderr, "pinwatch: %s\n", err);
		rc = e == -EPERM || e == -EACCES ? 1 : PW_EXIT_UNSUPPORTED;
		goto out;
	}
	if (scan.sum.holes >= r.end - r.start) {
		/* every struct page unreadable: vmemmap_base is not where it was read */
		fprintf(stderr, "pinwatch: no struct page of pfn %#llx-%#llx could be read "
			"(vmemmap_base unknown: is /proc/kallsyms readable?)\n",
			(unsigned long long)r.start, (unsigned long long)r.end - 1);
		rc = PW_EXIT_UNSUPPORTED;
		goto out_scan;
	}
	if (why_build(&r, &scan, traced ? &view : NULL, ks, pw_now_ns())) {
		fprintf(stderr, "pinwatch: out of memory\n");
		why_free(&r);
		rc = 1;
		goto out_scan;
	}
	if (!traced)
		fprintf(stderr, "pinwatch: no pinwatch serve or live session runs: who holds a pin or "
			"a reference is unknown (start `pinwatch serve` to know it for pins taken from then on)\n");
	/* with --json on stdout, the text goes to stderr: stdout stays JSON */
	why_text(o->json == stdout ? stderr : stdout, &r);
	if (o->json) {
		json_begin(o);
		why_json(o->json, &r);
		if (o->json != stdout)
			fclose(o->json);
		o->json = NULL;
	}
	rc = r.pinned_pages || r.ref_pages ? 3 : 0;
	why_free(&r);
out_scan:
	pagescan_free(&scan);
out:
	if (traced)
		share_disconnect(&view);
	ksyms_free(ks);
	return rc;
}
