// SPDX-License-Identifier: GPL-2.0
/*
 * The holder table of `pinwatch top`: one row per holder with pages, bytes,
 * long-term pages, the oldest pin's age and the processes that pinned. Plain
 * text (the caller adds ANSI screen control), so --once output can be
 * piped and the renderer is tested on the host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "src/metrics.h"

static const char *const sort_names[] = {
	[PW_SORT_PAGES] = "pages", [PW_SORT_LONGTERM] = "longterm",
	[PW_SORT_AGE] = "age", [PW_SORT_HOLDER] = "holder",
};

int top_sort_parse(const char *s, enum pw_sort *out)
{
	for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
		if (!strcmp(s, sort_names[i])) {
			*out = i;
			return 0;
		}
	if (!strcmp(s, "bytes")) {	/* same order as pages */
		*out = PW_SORT_PAGES;
		return 0;
	}
	return -EINVAL;
}

int top_by_parse(const char *s, enum pw_by *out)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, top_by_name(i))) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

const char *top_by_name(enum pw_by b)
{
	static const char *const names[] = { [PW_BY_HOLDER] = "holder", [PW_BY_PROCESS] = "process",
					     [PW_BY_CGROUP] = "cgroup" };
	return (unsigned)b < 3 ? names[b] : "holder";
}

const char *top_sort_name(enum pw_sort k)
{
	return (unsigned)k < sizeof(sort_names) / sizeof(sort_names[0]) ? sort_names[k] : "pages";
}

static double oldest(const struct pw_holder_stat *h)
{
	return h->oldest_s[0] > h->oldest_s[1] ? h->oldest_s[0] : h->oldest_s[1];
}

static enum pw_sort sort_key;

static int cmp_rows(const void *a, const void *b)
{
	const struct pw_holder_stat *x = *(const struct pw_holder_stat *const *)a;
	const struct pw_holder_stat *y = *(const struct pw_holder_stat *const *)b;
	__u64 px = x->pages[0] + x->pages[1], py = y->pages[0] + y->pages[1];

	switch (sort_key) {
	case PW_SORT_LONGTERM:
		if (x->pages[1] != y->pages[1])
			return x->pages[1] > y->pages[1] ? -1 : 1;
		break;
	case PW_SORT_AGE:
		if (oldest(x) != oldest(y))
			return oldest(x) > oldest(y) ? -1 : 1;
		break;
	case PW_SORT_HOLDER:
		return strcmp(x->name, y->name);
	default:
		break;
	}
	if (px != py)
		return px > py ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* 1536 -> "6.0M" style, for the bytes column */
static const char *human(__u64 v, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	double d = v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)v);
	else
		snprintf(buf, len, "%.1f%c", d, units[u]);
	return buf;
}

static const char *age_str(double s, char *buf, size_t len)
{
	if (s <= 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
	else
		snprintf(buf, len, "%dd%02dh", (int)s / 86400, (int)s % 86400 / 3600);
	return buf;
}

/* comm is chosen by the process: no control bytes reach the terminal */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void line(FILE *out, char *text, int width)
{
	sanitize(text);
	if (width > 0)
		fprintf(out, "%.*s\n", width, text);
	else
		fprintf(out, "%s\n", text);
}

static enum pw_sort acct_key;

static int cmp_owner_rows(const void *a, const void *b)
{
	const struct pw_owner_stat *x = *(const struct pw_owner_stat *const *)a;
	const struct pw_owner_stat *y = *(const struct pw_owner_stat *const *)b;
	int c;

	if (acct_key == PW_SORT_HOLDER && (c = strcmp(x->comm, y->comm)))
		return c;
	if (acct_key == PW_SORT_LONGTERM && x->pages[1] != y->pages[1])
		return x->pages[1] > y->pages[1] ? -1 : 1;
	if (x->pages[0] + x->pages[1] != y->pages[0] + y->pages[1])
		return x->pages[0] + x->pages[1] > y->pages[0] + y->pages[1] ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_cgroup_rows(const void *a, const void *b)
{
	const struct pw_cgroup_stat *x = *(const struct pw_cgroup_stat *const *)a;
	const struct pw_cgroup_stat *y = *(const struct pw_cgroup_stat *const *)b;

	if (acct_key == PW_SORT_HOLDER)
		return strcmp(x->path, y->path);
	if (acct_key == PW_SORT_LONGTERM && x->pages[1] != y->pages[1])
		return x->pages[1] > y->pages[1] ? -1 : 1;
	if (x->pages[0] + x->pages[1] != y->pages[0] + y->pages[1])
		return x->pages[0] + x->pages[1] > y->pages[0] + y->pages[1] ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* "VmPin 64.0K VmLck 0B": a process's charges, "-" once it has exited */
static const char *charge_str(__u64 v, bool known, char *buf, size_t len)
{
	return known ? human(v, buf, len) : strcpy(buf, "-");
}

static void render_processes(FILE *out, const struct pw_snapshot *s, enum pw_sort key, int max_rows,
			     int width)
{
	const struct pw_acct *a = &s->acct;
	const struct pw_owner_stat **rows = calloc(a->n_owners + 1, sizeof(*rows));
	char buf[1024], pid[16], b[5][32], fl[64];
	int n = 0;

	for (int i = 0; rows && i < a->n_owners; i++)
		if (a->owners[i].pages[0] + a->owners[i].pages[1] || a->owners[i].findings)
			rows[n++] = &a->owners[i];
	snprintf(buf, sizeof(buf), "%7s %-15s %9s %9s %9s %9s %9s  %-18s %s", "PID", "COMM", "PINNED",
		 "LONGTERM", "VmPin", "VmLck", "MEMLOCK", "FINDINGS", "CGROUP");
	line(out, buf, width);
	acct_key = key;
	if (rows && n > 1)
		qsort(rows, n, sizeof(*rows), cmp_owner_rows);
	if (!n)
		fputs("(no pins held)\n", out);
	for (int i = 0; i < n && (!max_rows || i < max_rows); i++) {
		const struct pw_owner_stat *o = rows[i];
		bool known = o->proc.alive || o->other;
		size_t f = 0;
		fl[0] = '\0';
		for (int k = 0; k < PW_A__MAX; k++)
			if (o->findings & (1u << k))
				f += snprintf(fl + f, sizeof(fl) - f, "%s%s", f ? "," : "", pw_acct_kind_name(k));
		if (o->other)
			snprintf(pid, sizeof(pid), "(%d)", o->n_procs);
		else if (o->tgid)
			snprintf(pid, sizeof(pid), "%u", o->tgid);
		else
			snprintf(pid, sizeof(pid), "?");
		snprintf(buf, sizeof(buf), "%7s %-15s %9s %9s %9s %9s %9s  %-18s %s", pid, o->comm,
			 human((o->pages[0] + o->pages[1]) * s->page_size, b[0], sizeof(b[0])),
			 human(o->pages[1] * s->page_size, b[1], sizeof(b[1])),
			 charge_str(o->proc.vmpin, known, b[2], sizeof(b[2])),
			 charge_str(o->proc.vmlck, known, b[3], sizeof(b[3])),
			 !o->proc.alive ? "-" : o->proc.memlock == PW_UNLIMITED ? "unlimited" :
			 human(o->proc.memlock, b[4], sizeof(b[4])), fl[0] ? fl : "-",
			 o->other ? "" : !o->tgid ? "(unknown)" : o->proc.alive ? o->proc.cgroup : "(exited)");
		line(out, buf, width);
	}
	free(rows);
}

static void render_cgroups(FILE *out, const struct pw_snapshot *s, enum pw_sort key, int max_rows,
			   int width)
{
	const struct pw_acct *a = &s->acct;
	const struct pw_cgroup_stat **rows = calloc(a->n_cgroups + 1, sizeof(*rows));
	char buf[1024], b[5][32];
	int n = 0;

	for (int i = 0; rows && i < a->n_cgroups; i++)
		if (a->cgroups[i].pages[0] + a->cgroups[i].pages[1])
			rows[n++] = &a->cgroups[i];
	snprintf(buf, sizeof(buf), "%-40s %5s %9s %9s %9s %9s %9s", "CGROUP", "PROCS", "PINNED", "LONGTERM",
		 "VmPin", "VmLck", "MEMORY");
	line(out, buf, width);
	acct_key = key;
	if (rows && n > 1)
		qsort(rows, n, sizeof(*rows), cmp_cgroup_rows);
	if (!n)
		fputs("(no pins held)\n", out);
	for (int i = 0; i < n && (!max_rows || i < max_rows); i++) {
		const struct pw_cgroup_stat *c = rows[i];
		snprintf(buf, sizeof(buf), "%-40s %5d %9s %9s %9s %9s %9s", c->path, c->n_procs,
			 human((c->pages[0] + c->pages[1]) * s->page_size, b[0], sizeof(b[0])),
			 human(c->pages[1] * s->page_size, b[1], sizeof(b[1])), human(c->vmpin, b[2], sizeof(b[2])),
			 human(c->vmlck, b[3], sizeof(b[3])),
			 c->memory_current < 0 ? "-" : human(c->memory_current, b[4], sizeof(b[4])));
		line(out, buf, width);
	}
	free(rows);
}

void top_render(FILE *out, const struct pw_snapshot *s, enum pw_by by, enum pw_sort key, int max_rows,
		int width)
{
	char buf[512], procs[200], b1[32], b2[32], b3[32];
	const struct pw_holder_stat **rows = calloc(s->n_holders + 1, sizeof(*rows));
	__u64 pages = 0, lt = 0;
	int n = 0;

	for (int i = 0; i < s->n_holders; i++) {
		const struct pw_holder_stat *h = &s->holders[i];
		pages += h->pages[0] + h->pages[1];
		lt += h->pages[1];
		/* empty rows (carried-over holders, an empty "other") are noise here */
		if (rows && h->pages[0] + h->pages[1])
			rows[n++] = h;
	}
	/* Four short lines, not two long ones: a line longer than the terminal
	 * is cut at its edge, and the sort key at the end of a 120-column line
	 * was cut on a 6.12 release string once up passed 10 s. */
	snprintf(buf, sizeof(buf), "pinwatch %s on %s, up %s, sorted by %s", s->version, s->kernel,
		 age_str(s->uptime_s, b1, sizeof(b1)), top_sort_name(key));
	if (by != PW_BY_HOLDER)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ", by %s", top_by_name(by));
	line(out, buf, width);
	snprintf(buf, sizeof(buf), "%llu pages (%s) pinned, %llu long-term; oldest %s", (unsigned long long)pages,
		 human(pages * s->page_size, b2, sizeof(b2)), (unsigned long long)lt,
		 age_str(s->oldest_s, b3, sizeof(b3)));
	line(out, buf, width);
	snprintf(buf, sizeof(buf), "pins acquired %llu, released %llu; mirror %llu/%llu, dropped %llu",
		 (unsigned long long)s->pins_acquired, (unsigned long long)s->pins_released,
		 (unsigned long long)s->mirror_entries, (unsigned long long)s->mirror_capacity,
		 (unsigned long long)(s->dropped_pages + s->dropped_findings + s->dropped_stacks +
				      s->dropped_events + s->dropped_runs + s->lost_exits));
	line(out, buf, width);
	snprintf(buf, sizeof(buf), "findings: leak %llu, put_instead_of_unpin %llu, unpin_without_pin %llu",
		 (unsigned long long)s->findings[PW_K_LEAK],
		 (unsigned long long)s->findings[PW_K_PUT_INSTEAD_OF_UNPIN],
		 (unsigned long long)s->findings[PW_K_UNPIN_WITHOUT_PIN]);
	line(out, buf, width);
	if (s->acct.flagged[PW_A_NOT_CHARGED] + s->acct.flagged[PW_A_NOT_PINNED]) {
		snprintf(buf, sizeof(buf), "accounting: %llu processes pin_not_charged, %llu charged_not_pinned",
			 (unsigned long long)s->acct.flagged[PW_A_NOT_CHARGED],
			 (unsigned long long)s->acct.flagged[PW_A_NOT_PINNED]);
		line(out, buf, width);
	}
	fputc('\n', out);
	if (by != PW_BY_HOLDER) {
		(by == PW_BY_PROCESS ? render_processes : render_cgroups)(out, s, key, max_rows, width);
		free(rows);
		return;
	}
	snprintf(buf, sizeof(buf), "%-40s %9s %9s %9s %8s  %s", "HOLDER", "PAGES", "BYTES", "LONGTERM",
		 "OLDEST", "PROCESSES");
	line(out, buf, width);
	sort_key = key;
	if (rows && n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if (!n)
		fputs("(no pins held)\n", out);
	for (int i = 0; i < n && (!max_rows || i < max_rows); i++) {
		const struct pw_holder_stat *h = rows[i];
		size_t o = 0;
		procs[0] = '\0';
		for (int p = 0; p < h->n_procs && o < sizeof(procs); p++)
			o += snprintf(procs + o, sizeof(procs) - o, "%s%s[%u]", p ? "," : "",
				      h->procs[p].comm, h->procs[p].tgid);
		if (h->more_procs && o < sizeof(procs))
			snprintf(procs + o, sizeof(procs) - o, ",...");
		snprintf(buf, sizeof(buf), "%-40s %9llu %9s %9llu %8s  %s", h->name,
			 (unsigned long long)(h->pages[0] + h->pages[1]),
			 human((h->pages[0] + h->pages[1]) * s->page_size, b1, sizeof(b1)),
			 (unsigned long long)h->pages[1], age_str(oldest(h), b2, sizeof(b2)), procs);
		line(out, buf, width);
	}
	free(rows);
}
