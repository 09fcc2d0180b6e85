// SPDX-License-Identifier: GPL-2.0
/*
 * A tracing session, shared by `run` and live mode: probe the kernel, attach,
 * and at the end turn the BPF maps into a report.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "session.h"
#include "ksyms.h"
#include "suppress.h"
#include "privs.h"
#include "share.h"
#include "parse.h"
#include "blocked.h"
#include "pagescan.h"
#include "folded.h"

static int unsupported(const struct pw_plan *p)
{
	probe_say_refusal(p, false);
	return PW_EXIT_UNSUPPORTED;
}

int session_open_tracer(struct pw_plan *plan, const struct tracer_opts *to, struct tracer **out)
{
	char err[256], failed[64];
	int ferr = 0;

	/* The probe only loads test programs; a hook that loads but will not
	 * attach (not ftrace-able, kprobe blacklisted) fails here: demote it to
	 * its next mode and load again, a few times at most. */
	*out = NULL;
	for (int tries = 0; tries < 4; tries++) {
		failed[0] = 0;
		*out = tracer_open(plan, to, err, sizeof(err), failed, &ferr);
		if (*out || !failed[0])
			break;
		if (!strcmp(failed, "test_pages_isolated")) {
			plan->tp_isolate = false;	/* degrade: no blocked-range events */
		} else if (!strcmp(failed, "mm_page_free") || !strcmp(failed, "sched_process_fork")) {
			plan->tp_btf = false;	/* degrade: no freed-while-pinned, no fork following */
			plan->tp_btf_err = ferr;
		} else if (probe_demote(plan, failed, ferr)) {
			return PW_EXIT_UNSUPPORTED;
		}
	}
	if (*out)
		return 0;
	/* EPERM/EACCES without a verifier's verdict means privileges, not the kernel */
	if (!strstr(err, "refused BPF program") &&
	    (strstr(err, "Operation not permitted") || strstr(err, "Permission denied"))) {
		fprintf(stderr, "pinwatch: %s\n", err);
		return 1;
	}
	snprintf(plan->missing, sizeof(plan->missing), "%s", err);
	return PW_EXIT_UNSUPPORTED;
}

unsigned long session_modules_hash(void)
{
	char *text = read_text_file("/proc/modules");
	unsigned long h = text ? parse_modules_hash(text) : 0;
	free(text);
	return h;
}

/* Any blocked-range hook in the plan (bpf/blocked.bpf.c): the page scan is
 * loaded for them. */
static bool plan_watches_blocked(const struct pw_plan *p)
{
	for (int i = 0; i < p->n_hooks; i++)
		if (p->hooks[i].mode && (!strcmp(p->hooks[i].sym, "offline_pages") ||
					 !strcmp(p->hooks[i].sym, "migrate_pages")))
			return true;
	return p->tp_isolate;
}

/* A blocked range from the ring buffer: scan it and hand it to the mode. */
static void on_blocked(void *arg, const struct pw_block_event *e)
{
	struct session *s = arg;
	struct pw_blocked b;
	char err[256];

	if (!s->scan)
		return;
	/* kallsyms as it is now: the probe's copy predates the BPF trampolines
	 * (module space on 6.1, where they pass for a module's function) and
	 * any module loaded since */
	unsigned long h = session_modules_hash();
	if (!s->ksyms_fresh || h != s->modules_hash) {
		s->ksyms_fresh = session_reload_ksyms(s) == 0;
		s->modules_hash = h;
	}
	if (blocked_explain(&b, e, s->scan, tracer_view(s->tr), s->plan.ksyms, pw_now_ns(),
			    err, sizeof(err)) == 0) {
		if (!s->blocked)
			s->blocked = calloc(PW_REPORT_BLOCKED_MAX, sizeof(*s->blocked));
		if (s->blocked && s->n_blocked < PW_REPORT_BLOCKED_MAX)
			blocked_record(&b, s->start_ns, &s->blocked[s->n_blocked++]);
		else
			s->blocked_dropped++;
		if (s->hooks.on_blocked)
			s->hooks.on_blocked(s->hooks.arg, &b);
	} else
		fprintf(stderr, "pinwatch: explaining a blocked range: %s\n", err);
	blocked_free(&b);
}

static void on_new(void *arg, const struct pw_finding_key *k)
{
	struct session *s = arg;
	if (s->hooks.on_new)
		s->hooks.on_new(s->hooks.arg, k);
}

int session_start(struct session *s, struct pw_options *o, bool filter_tree,
		  const struct session_hooks *hooks)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	if (hooks)
		s->hooks = *hooks;
	s->kallsyms_fd = -1;
	if (privs_check())
		return 1;
	if (o->suppressions) {
		s->sup = suppressions_load(o->suppressions, err, sizeof(err));
		if (!s->sup) {
			fprintf(stderr, "pinwatch: %s\n", err);
			return PW_EXIT_USAGE;
		}
	}
	int rc = probe_kernel(&s->plan, o->attach, false) ? PW_EXIT_UNSUPPORTED : 0;
	struct tracer_opts to = { .max_pages = o->max_pages, .filter_tree = filter_tree,
				  .on_new = on_new, .on_blocked = on_blocked, .arg = s };
	if (!rc)
		rc = session_open_tracer(&s->plan, &to, &s->tr);
	if (rc) {
		if (rc == PW_EXIT_UNSUPPORTED)
			unsupported(&s->plan);
		probe_free(&s->plan);
		return rc;
	}
	if (s->plan.preempt.full && o->attach == PW_MODE_FENTRY)
		fprintf(stderr, "pinwatch: warning: this kernel preempts in the kernel (%s, from %s): "
			"a preempted fentry program makes the kernel skip it for other tasks on its CPU "
			"(counted as skipped hook runs); --attach auto uses kprobes here\n",
			s->plan.preempt.model, s->plan.preempt.source);
	if (plan_watches_blocked(&s->plan)) {
		/* loaded now, while privileged; run on each blocked range */
		s->scan = pagescan_open(s->plan.ksyms, err, sizeof(err));
		if (!s->scan)
			fprintf(stderr, "pinwatch: blocked ranges will not be explained: %s\n", err);
		zone_map_cma(&s->cma, s->scan);
	}
	vmstat_read(&s->before);
	s->start_ns = pw_now_ns();
	/* kallsyms shows addresses by the opener's capabilities (CAP_SYSLOG) */
	s->kallsyms_fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	return 0;
}

void session_totals(struct session *s, struct pw_report *r)
{
	struct pw_attach *att;
	__u64 st[PW_S__MAX], pins;
	struct pw_vmstat after;

	memset(r, 0, sizeof(*r));
	vmstat_read(&after);
	snprintf(r->kernel, sizeof(r->kernel), "%s", s->plan.kernel);
	r->n_attach = tracer_attach_list(s->tr, &att);
	r->attach = malloc(sizeof(*att) * (r->n_attach ? r->n_attach : 1));
	if (r->attach)
		memcpy(r->attach, att, sizeof(*att) * r->n_attach);
	else
		r->n_attach = 0;
	/* first: a sweep it does now is counted in the stats read next */
	tracer_page_free_missed(s->tr, &r->page_free_missed, &r->marks_sweeps);
	tracer_stats(s->tr, st);
	report_counts(r, st, &s->before, &after);
	r->dropped_runs += tracer_missed_runs(s->tr);
	tracer_pinned(s->tr, &r->pages_pinned_at_end, &pins);
	if (s->n_blocked && (r->blocked = malloc(s->n_blocked * sizeof(*r->blocked)))) {
		memcpy(r->blocked, s->blocked, s->n_blocked * sizeof(*r->blocked));
		r->n_blocked = s->n_blocked;
	}
	r->blocked_dropped = s->blocked_dropped;
	r->dropped_findings += s->zone_dropped;
	r->duration_s = (pw_now_ns() - s->start_ns) / 1e9;
}

int session_reload_ksyms(struct session *s)
{
	/* through the fd opened while privileged: kallsyms shows addresses by the
	 * opener's credentials, and privileges may be dropped by now */
	struct ksyms *ks = s->kallsyms_fd >= 0 ? ksyms_load_fd(s->kallsyms_fd)
						: ksyms_load("/proc/kallsyms");
	if (!ks)
		return -1;
	ksyms_free(s->plan.ksyms);
	s->plan.ksyms = ks;
	return 0;
}

void zone_map_cma(struct pw_zone_map *m, struct pagescan *ps)
{
	struct pw_cma_area a[PW_CMA_MAX];
	int k = ps ? pagescan_cma(ps, a, PW_CMA_MAX) : 0;

	m->n = 0;
	for (int i = 0; i < k && m->n < PW_ZONES_MAX; i++)
		if (a[i].count)
			m->z[m->n++] = (struct pw_zone_span){ "CMA", a[i].base_pfn, a[i].base_pfn + a[i].count };
}

void session_scan_before(struct session *s)
{
	const struct pw_view *v = tracer_view(s->tr);
	struct pagescan *ps = s->scan;
	struct pw_scan scan;
	char err[256];
	__u64 t0 = pw_now_ns();

	if (!ps && !(ps = pagescan_open(s->plan.ksyms, err, sizeof(err)))) {
		fprintf(stderr, "pinwatch: pins older than tracing are not counted: %s\n", err);
		return;
	}
	if (ps != s->scan)
		zone_map_cma(&s->cma, ps);
	if (pagescan_range(ps, 0, v->max_pfn, &scan, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < scan.n; i++) {
			const struct pw_scan_rec *r = &scan.recs[i];
			struct pw_cell cell = { 0 };
			view_cell(v, r->pfn, &cell);
			if (r->pins > cell.pins) {
				s->pre_pins += r->pins - cell.pins;
				s->pre_pages += r->nr_pages;
			}
		}
		fprintf(stderr, "pinwatch: %llu pages (%llu pins) were pinned before tracing began "
			"(holder \"%s\"; scan of %.1f GiB in %.2f s)\n", (unsigned long long)s->pre_pages,
			(unsigned long long)s->pre_pins, PW_HOLDER_BEFORE, v->max_pfn * 4096.0 / (1 << 30),
			(pw_now_ns() - t0) / 1e9);
		pagescan_free(&scan);
	} else {
		fprintf(stderr, "pinwatch: pins older than tracing are not counted: %s\n", err);
	}
	if (ps != s->scan)
		pagescan_close(ps);
}

int session_zone_findings(struct session *s, const struct pw_pin *pins, int n,
			  const struct pw_zone_map *zones)
{
	struct pw_zone_finding *f = NULL;
	int nf = 0, err = zone_findings(pins, n, zones, tracer_filters_tree(s->tr), &f, &nf);

	for (int i = 0; !err && i < nf; i++) {
		f[i].val.first_ns = pw_now_ns();
		int e = tracer_put_finding(s->tr, &f[i].key, &f[i].val);
		if (e == -E2BIG)
			s->zone_dropped++;
		else if (e)
			err = e;
	}
	free(f);
	return err;
}

int session_zone_check(struct session *s)
{
	struct pw_zone_map zones;
	struct pw_pin *pins = NULL;
	int n = 0, err;

	zone_map_read(&zones, &s->cma);
	if (!zone_map_unpinnable(&zones))
		return 0;	/* the common host: nothing to read the mirror for */
	err = tracer_pins(s->tr, &pins, &n);
	if (!err)
		err = session_zone_findings(s, pins, n, &zones);
	free(pins);
	return err;
}

int session_audit(struct session *s, __u64 max_age_ns, bool final)
{
	int err = tracer_audit(s->tr, max_age_ns, final);
	return err ? err : session_zone_check(s);
}

int session_report(struct session *s, struct pw_report *r)
{
	struct pw_raw_finding *raw = NULL;
	int n = 0;

	session_totals(s, r);
	int err = tracer_findings(s->tr, &raw, &n);
	/* stacks to name: read kallsyms again, so modules loaded while tracing
	 * are named too (a clean run reuses the probe's copy) */
	if (!err && n)
		session_reload_ksyms(s);
	if (!err)
		err = report_add_findings(r, raw, n, s->plan.ksyms, s->sup, pw_now_ns());
	free(raw);
	report_finish(r);
	return err;
}

/* --folded: the pins held now by (process, acquiring stack), and the
 * findings by theirs */
static void emit_folded(struct session *s, const struct pw_options *o, const struct pw_report *r)
{
	struct folded f = { 0 };
	int err = folded_add_pins(&f, tracer_view(s->tr), s->plan.ksyms);

	for (int i = 0; !err && i < r->n_groups; i++) {
		const struct pw_group *g = &r->groups[i];
		if (!g->suppressed)
			err = folded_add(&f, pw_kind_name(g->kind), g->comm, g->acq, g->n_acq, g->pins);
	}
	folded_finish(o->folded, &f, err);
}

int session_emit(struct session *s, struct pw_options *o, struct pw_report *r)
{
	if (o->folded)
		emit_folded(s, o, r);
	report_text(stderr, r);
	if (o->json) {
		json_begin(o);	/* the last report goes only now */
		report_json(o->json, r);
		fflush(o->json);
		if (o->json != stdout)
			fclose(o->json);
		o->json = NULL;
	}
	return report_bug_count(r);
}

void session_share(struct session *s, const char *mode)
{
	const __u64 pre[2] = { s->pre_pins, s->pre_pages };
	s->share = share_start(s->tr, mode, s->start_ns, &s->before, s->plan.kernel, pre);
}

void session_end(struct session *s)
{
	share_stop(s->share);	/* before the maps go */
	s->share = NULL;
	pagescan_close(s->scan);
	s->scan = NULL;
	free(s->blocked);
	s->blocked = NULL;
	s->n_blocked = 0;
	tracer_close(s->tr);
	suppressions_free(s->sup);
	probe_free(&s->plan);
	s->tr = NULL;
	s->sup = NULL;
	if (s->kallsyms_fd >= 0)
		close(s->kallsyms_fd);
	s->kallsyms_fd = -1;
}

void session_drop_privileges(struct session *s, unsigned long long keep)
{
	long long kept = privs_drop(keep, tracer_check_access, s->tr);

	if (getenv("PINWATCH_DEBUG"))
		fprintf(stderr, "pinwatch: capabilities kept after attach: %#llx\n", kept);
}

void session_catch_signals(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
