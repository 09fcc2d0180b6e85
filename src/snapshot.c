// SPDX-License-Identifier: GPL-2.0
/*
 * One snapshot of the tracer per interval, for serve and top: the audit runs
 * first (so put_instead_of_unpin shows up as a finding and leaves the mirror),
 * then the mirror is read entry by entry and grouped by holder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "monitor.h"
#include "ksyms.h"
#include "blocked.h"
#include "procacct.h"

/* kallsyms as it is after attach, so BPF trampolines on the stacks are named
 * (and stripped) rather than taken for the holder */
static void reload_ksyms(struct monitor *m)
{
	if (session_reload_ksyms(&m->s) == 0)
		m->modules_hash = session_modules_hash();
}

/* A failed offline or contiguous allocation: counted per holder group of
 * its busy pages, and said on stderr (the service's log). */
static void on_blocked(void *arg, const struct pw_blocked *b)
{
	struct monitor *m = arg;
	char ts[16];
	time_t now = time(NULL);

	for (int i = 0; i < b->why.n_groups; i++) {
		const struct why_group *g = &b->why.groups[i];
		bool lt = g->verdict == WHY_PIN_LONGTERM, seen = false;
		/* once per event and series: pins and references of one unknown holder are one */
		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(b->why.groups[j].holder, g->holder) &&
			       (b->why.groups[j].verdict == WHY_PIN_LONGTERM) == lt;
		if (!seen)
			blocked_count(m->blocked, &m->n_blocked, b->what, g->holder, lt);
	}
	if (!b->why.n_groups)
		blocked_count(m->blocked, &m->n_blocked, b->what, "none", false);
	if (m->log_blocked) {
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		blocked_text(stderr, ts, b);
	}
}

int monitor_start(struct monitor *m, struct pw_options *o)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	const struct session_hooks hooks = { .on_blocked = on_blocked, .arg = m };
	int rc = session_start(&m->s, o, false, &hooks);
	if (!rc)
		reload_ksyms(m);
	if (!rc)
		session_scan_before(&m->s);
	return rc;
}

void monitor_end(struct monitor *m)
{
	session_end(&m->s);
}

static void name_stack(void *ctx, __s32 id, char *buf, size_t len)
{
	struct monitor *m = ctx;
	__u64 ips[PW_STACK_DEPTH];
	char **frames = NULL;
	int n = tracer_stack(m->s.tr, id, ips), nf = 0;

	if (n && report_symbolize(m->s.plan.ksyms, ips, n, &frames, &nf) == 0) {
		holder_name(frames, nf, buf, len);
		report_free_frames(frames, nf);
	}
}

static int add_findings(struct monitor *m, struct pw_snapshot *snap)
{
	struct pw_raw_finding *raw = NULL;
	struct pw_report r = { 0 };
	int n = 0, err = tracer_findings(m->s.tr, &raw, &n);

	if (!err)
		err = report_add_findings(&r, raw, n, m->s.plan.ksyms, m->s.sup, pw_now_ns());
	for (int i = 0; !err && i < r.n_groups; i++) {
		const struct pw_group *g = &r.groups[i];
		if (g->suppressed) {
			snap->suppressed++;
			continue;
		}
		if ((unsigned)g->kind < PW_K__MAX) {
			/* raw entries, not merged groups: a count that only grows */
			snap->findings[g->kind] += g->n_merged;
			snap->finding_pins[g->kind] += g->pins;
		}
	}
	report_free(&r);
	free(raw);
	return err;
}

/* The parts of a snapshot both a session and a client fill the same way. */
static void snap_head(struct pw_snapshot *snap, const char *kernel, __u64 start_ns, __u64 now)
{
	struct timespec ts;

	memset(snap, 0, sizeof(*snap));
	snprintf(snap->version, sizeof(snap->version), "%s", PINWATCH_VERSION);
	snprintf(snap->kernel, sizeof(snap->kernel), "%s", kernel);
	clock_gettime(CLOCK_REALTIME, &ts);
	snap->time_s = ts.tv_sec + ts.tv_nsec / 1e9;
	snap->uptime_s = (now - start_ns) / 1e9;
	snap->page_size = sysconf(_SC_PAGESIZE);
	snap->self.ok = procacct_self(&snap->self.start_time_s, &snap->self.cpu_s, &snap->self.rss_bytes,
				      &snap->self.open_fds);
}

static void snap_counts(struct pw_snapshot *snap, const struct pw_report *r,
			const struct pw_vmstat *before)
{
	snap->pins_acquired = r->pins_acquired;
	snap->pins_released = r->pins_released;
	snap->preexisting_released = r->preexisting_released;
	snap->dropped_pages = r->dropped_pages;
	snap->dropped_findings = r->dropped_findings;
	snap->dropped_stacks = r->dropped_stacks;
	snap->dropped_events = r->dropped_events;
	snap->dropped_runs = r->dropped_runs;
	snap->page_free_missed = r->page_free_missed;
	snap->lost_exits = r->lost_exits;
	if (before->ok) {
		snap->vmstat_ok = true;
		snap->kernel_acquired = before->acquired + r->nr_foll_pin_acquired_delta;
		snap->kernel_released = before->released + r->nr_foll_pin_released_delta;
		snap->drift_acquired = r->nr_foll_pin_acquired_delta - (__s64)r->seen_acquired_all;
		snap->drift_released = r->nr_foll_pin_released_delta - (__s64)r->seen_released_all;
	}
}

/* The mirror's pins and where they sit, read once per snapshot: the zone
 * map is /proc/zoneinfo now (memory comes and goes) and the CMA areas. */
struct snap_pins {
	struct pw_pin *pins;
	int n, err;
	struct pw_zone_map zones;
};

static void snap_pins_read(struct snap_pins *p, const struct pw_view *v, const struct pw_zone_map *cma)
{
	p->pins = NULL;
	p->n = 0;
	p->err = view_pins(v, &p->pins, &p->n);
	zone_map_read(&p->zones, cma);
}

static int snap_holders(struct pw_snapshot *snap, const struct pw_view *v, struct snap_pins *p,
			__u64 now, void (*name_of)(void *, __s32, char *, size_t), void *ctx, int top_k,
			char (*known)[PW_HOLDER_LEN], int *n_known, const __u64 pre[2], __u64 start_ns)
{
	struct pw_pin *pins = p->pins;	/* sorted in place by the collectors */
	int n = p->n, err = p->err;

	if (!err)
		zones_collect(snap, pins, n, &p->zones);
	snap->mirror_capacity = v->max_pfn;
	if (!err) {
		snap->mirror_entries = n;
		err = holders_collect(snap, pins, n, now, &p->zones, name_of, ctx);
	}
	if (!err)
		err = acct_collect(&snap->acct, pins, n);
	if (!err)
		err = acct_account(&snap->acct, &procacct_source, start_ns, snap->page_size,
				   !snap->dropped_pages && !snap->lost_exits);
	if (!err)
		err = acct_topk(&snap->acct, top_k);
	if (!err)
		holders_add_before(snap, pre[0], pre[1]);
	if (!err)
		err = holders_topk(snap, top_k);
	if (!err)
		err = holders_carry(snap, known, n_known, top_k);
	return err;
}

int monitor_snapshot(struct monitor *m, struct pw_snapshot *snap)
{
	struct pw_options *o = m->o;
	__u64 now = pw_now_ns();
	struct snap_pins p;

	/* session_audit's two halves, with the pins read once for the zone
	 * findings and for the holders; an audit that fails is tried again
	 * next interval, and the zone findings stand without it */
	tracer_audit(m->s.tr, o->max_age_ns, false);
	snap_pins_read(&p, tracer_view(m->s.tr), &m->s.cma);
	if (!p.err && zone_map_unpinnable(&p.zones))
		session_zone_findings(&m->s, p.pins, p.n, &p.zones);
	if (session_modules_hash() != m->modules_hash)
		reload_ksyms(m);
	snap_head(snap, m->s.plan.kernel, m->s.start_ns, now);
	/* counters, attach list and vmstat deltas as the report computes them */
	struct pw_report r;
	session_totals(&m->s, &r);
	snap_counts(snap, &r, &m->s.before);
	/* the attach list moves to the snapshot */
	snap->attach = r.attach;
	snap->n_attach = r.n_attach;
	r.attach = NULL;
	report_free(&r);
	memcpy(snap->blocked, m->blocked, sizeof(m->blocked));
	snap->n_blocked = m->n_blocked;
	int err = snap_holders(snap, tracer_view(m->s.tr), &p, now, name_stack, m, o->top_k,
			       m->known, &m->n_known, (const __u64[2]){ m->s.pre_pins, m->s.pre_pages },
			       m->s.start_ns);
	free(p.pins);
	if (!err)
		err = add_findings(m, snap);
	return err;
}

static void client_name_stack(void *ctx, __s32 id, char *buf, size_t len)
{
	struct monitor_client *c = ctx;
	__u64 ips[PW_STACK_DEPTH];
	char **frames = NULL;
	int n = view_stack(&c->view, id, ips), nf = 0;

	if (n && report_symbolize(c->ks, ips, n, &frames, &nf) == 0) {
		holder_name(frames, nf, buf, len);
		report_free_frames(frames, nf);
	}
}

int client_snapshot(struct monitor_client *c, int top_k, struct pw_snapshot *snap)
{
	__u64 now = pw_now_ns(), st[PW_S__MAX];
	struct pw_report r = { 0 };
	struct pw_vmstat after;

	if (session_modules_hash() != c->modules_hash) {
		ksyms_free(c->ks);
		c->ks = ksyms_load("/proc/kallsyms");
		c->modules_hash = session_modules_hash();
	}
	snap_head(snap, c->info.kernel, c->info.start_ns, now);
	view_stats(&c->view, st);
	vmstat_read(&after);
	report_counts(&r, st, &c->info.before, &after);
	snap_counts(snap, &r, &c->info.before);
	view_findings(&c->view, snap->findings, snap->finding_pins);
	struct snap_pins p;
	snap_pins_read(&p, &c->view, &c->cma);
	int err = snap_holders(snap, &c->view, &p, now, client_name_stack, c, top_k, c->known,
			       &c->n_known, c->info.pre, c->info.start_ns);
	free(p.pins);
	return err;
}
