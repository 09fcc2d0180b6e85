// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting view (src/accounting.h): mirror pins grouped by acquiring
 * process and cgroup, held against VmPin, VmLck and RLIMIT_MEMLOCK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/accounting.h"

/* /proc's starttime has clock-tick precision (10 ms at USER_HZ 100) */
#define START_SLACK_NS	20000000ull

const char *pw_acct_kind_name(int kind)
{
	static const char *const names[PW_A__MAX] = {
		[PW_A_NOT_CHARGED] = "pin_not_charged",
		[PW_A_NOT_PINNED] = "charged_not_pinned",
	};
	return (unsigned)kind < PW_A__MAX ? names[kind] : "unknown";
}

static int cmp_tgid(const void *a, const void *b)
{
	const struct pw_pin *x = a, *y = b;
	return x->h.tgid < y->h.tgid ? -1 : x->h.tgid > y->h.tgid;
}

static struct pw_owner_stat *owner_add(struct pw_acct *a, __u32 tgid, const char *comm)
{
	struct pw_owner_stat *no = realloc(a->owners, (a->n_owners + 1) * sizeof(*no));
	if (!no)
		return NULL;
	a->owners = no;
	no = &a->owners[a->n_owners++];
	memset(no, 0, sizeof(*no));
	no->tgid = tgid;
	no->n_procs = 1;
	memcpy(no->comm, comm, PW_COMM_LEN);
	no->comm[PW_COMM_LEN - 1] = '\0';
	return no;
}

int acct_collect(struct pw_acct *a, struct pw_pin *pins, int n)
{
	struct pw_owner_stat *o = NULL;

	qsort(pins, n, sizeof(*pins), cmp_tgid);
	for (int i = 0; i < n; i++) {
		const struct pw_pin *p = &pins[i];
		if (!o || o->tgid != p->h.tgid) {
			o = owner_add(a, p->h.tgid, p->h.comm);
			if (!o)
				return -ENOMEM;
			o->first_pin_ns = p->h.ts_ns;
		}
		/* page frames, as the holder rows count them: a folio's pins
		 * up to its size (a pinned THP subpage is one frame) */
		o->pages[!!(p->h.flags & PW_F_LONGTERM)] += p->pins < p->nr_pages ? p->pins : p->nr_pages;
		o->folio_pages += p->nr_pages;
		if (p->h.ts_ns && (!o->first_pin_ns || p->h.ts_ns < o->first_pin_ns))
			o->first_pin_ns = p->h.ts_ns;
	}
	return 0;
}

static void add_charged(void *arg, __u32 tgid, const char *comm)
{
	struct pw_acct *a = arg;
	char c[PW_COMM_LEN] = { 0 };

	for (int i = 0; i < a->n_owners; i++)
		if (a->owners[i].tgid == tgid)
			return;
	strncpy(c, comm, PW_COMM_LEN - 1);
	owner_add(a, tgid, c);	/* no memory: one row less, judged next time */
}

static void judge(struct pw_owner_stat *o, __u64 start_ns, __u64 page_size, bool complete)
{
	const struct pw_proc_acct *p = &o->proc;
	/* a charge covers whole folios (io_uring charges a hugetlb page for a
	 * 64 KiB buffer in it): held against the folios' bytes */
	__u64 bytes = o->folio_pages * page_size;

	if (!p->alive || !o->pages[1])
		return;
	/* a driver that pins on its own charges nothing: around RLIMIT_MEMLOCK */
	if (!p->vmpin && !p->vmlck)
		o->findings |= 1u << PW_A_NOT_CHARGED;
	/* Pins older than tracing, or lost, are not in the mirror: a charge is
	 * held only against the pins of a process started since, all seen.
	 * Only pinners with long-term pins are judged: perf's ring buffers
	 * charge VmPin too, and mlock() VmLck, without a pin. */
	if (p->start_ns + START_SLACK_NS < start_ns || !complete)
		return;
	if (p->vmpin > bytes + PW_CHARGE_SLACK || p->vmlck > bytes + PW_CHARGE_SLACK)
		o->findings |= 1u << PW_A_NOT_PINNED;
}

static struct pw_cgroup_stat *cgroup_get(struct pw_acct *a, const char *path)
{
	for (int i = 0; i < a->n_cgroups; i++)
		if (!strcmp(a->cgroups[i].path, path))
			return &a->cgroups[i];
	struct pw_cgroup_stat *nc = realloc(a->cgroups, (a->n_cgroups + 1) * sizeof(*nc));
	if (!nc)
		return NULL;
	a->cgroups = nc;
	nc = &a->cgroups[a->n_cgroups++];
	memset(nc, 0, sizeof(*nc));
	nc->memory_current = -1;
	snprintf(nc->path, sizeof(nc->path), "%s", path);
	return nc;
}

int acct_account(struct pw_acct *a, const struct pw_acct_source *src, __u64 start_ns,
		 __u64 page_size, bool complete)
{
	if (src->charged)
		src->charged(src->ctx, add_charged, a);
	for (int i = 0; i < a->n_owners; i++) {
		struct pw_owner_stat *o = &a->owners[i];
		memset(&o->proc, 0, sizeof(o->proc));
		/* tgid 0: a holder the holders map lost (comm "?"), no process */
		if (!o->tgid || !src->proc(src->ctx, o->tgid, &o->proc))
			o->proc.alive = false;
		/* a process that started after its pins were taken reuses the
		 * pid of the one that took them */
		if (o->proc.alive && o->first_pin_ns && o->proc.start_ns > o->first_pin_ns + START_SLACK_NS)
			o->proc.alive = false;
		if (!o->proc.alive)
			memset(&o->proc, 0, sizeof(o->proc));
		else if (o->proc.comm[0])
			memcpy(o->comm, o->proc.comm, PW_COMM_LEN);	/* not a thread's */
		judge(o, start_ns, page_size, complete);
		for (int k = 0; k < PW_A__MAX; k++)
			a->flagged[k] += !!(o->findings & (1u << k));

		const char *path = !o->tgid ? "(unknown)" : !o->proc.alive ? "(exited)" :
				   o->proc.cgroup[0] ? o->proc.cgroup : "(unknown)";
		struct pw_cgroup_stat *c = cgroup_get(a, path);
		if (!c)
			return -ENOMEM;
		for (int lt = 0; lt < 2; lt++)
			c->pages[lt] += o->pages[lt];
		c->vmpin += o->proc.vmpin;
		c->vmlck += o->proc.vmlck;
		c->n_procs++;
	}
	for (int i = 0; i < a->n_cgroups; i++)
		if (a->cgroups[i].path[0] == '/' && src->memory_current)
			a->cgroups[i].memory_current = src->memory_current(src->ctx, a->cgroups[i].path);
	return 0;
}

static __u64 owner_pages(const struct pw_owner_stat *o) { return o->pages[0] + o->pages[1]; }
static __u64 cgroup_pages(const struct pw_cgroup_stat *c) { return c->pages[0] + c->pages[1]; }

static int cmp_owner(const void *a, const void *b)
{
	const struct pw_owner_stat *x = a, *y = b;
	if (owner_pages(x) != owner_pages(y))
		return owner_pages(x) > owner_pages(y) ? -1 : 1;
	if (x->findings != y->findings)	/* flagged rows first among equals */
		return x->findings > y->findings ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_cgroup(const void *a, const void *b)
{
	const struct pw_cgroup_stat *x = a, *y = b;
	if (cgroup_pages(x) != cgroup_pages(y))
		return cgroup_pages(x) > cgroup_pages(y) ? -1 : 1;
	return strcmp(x->path, y->path);
}

int acct_topk(struct pw_acct *a, int k)
{
	struct pw_owner_stat oo = { .comm = "other", .other = true };
	struct pw_cgroup_stat oc = { .path = "other", .memory_current = -1 };

	if (k < 0)
		k = 0;
	qsort(a->owners, a->n_owners, sizeof(*a->owners), cmp_owner);
	qsort(a->cgroups, a->n_cgroups, sizeof(*a->cgroups), cmp_cgroup);
	int keep = 0;
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		if (keep < k) {
			a->owners[keep++] = *o;
			continue;
		}
		for (int lt = 0; lt < 2; lt++)
			oo.pages[lt] += o->pages[lt];
		oo.folio_pages += o->folio_pages;
		oo.proc.vmpin += o->proc.vmpin;
		oo.proc.vmlck += o->proc.vmlck;
		oo.findings |= o->findings;
		oo.n_procs += o->n_procs;
	}
	struct pw_owner_stat *no = realloc(a->owners, (keep + 1) * sizeof(*no));
	if (!no)
		return -ENOMEM;
	a->owners = no;
	a->owners[keep] = oo;
	a->n_owners = keep + 1;

	keep = 0;
	for (int i = 0; i < a->n_cgroups; i++) {
		const struct pw_cgroup_stat *c = &a->cgroups[i];
		if (keep < k) {
			a->cgroups[keep++] = *c;
			continue;
		}
		for (int lt = 0; lt < 2; lt++)
			oc.pages[lt] += c->pages[lt];
		oc.vmpin += c->vmpin;
		oc.vmlck += c->vmlck;
		oc.n_procs += c->n_procs;
	}
	struct pw_cgroup_stat *nc = realloc(a->cgroups, (keep + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	a->cgroups = nc;
	a->cgroups[keep] = oc;
	a->n_cgroups = keep + 1;
	return 0;
}

void acct_free(struct pw_acct *a)
{
	free(a->owners);
	free(a->cgroups);
	memset(a, 0, sizeof(*a));
}
