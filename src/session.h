/* SPDX-License-Identifier: GPL-2.0 */
/* A tracing session, the layer under the commands (src/session.c): probe,
 * load and attach, read the findings, emit the report, share the maps. */
#ifndef PW_SESSION_H
#define PW_SESSION_H
#include "options.h"
#include "report.h"
#include "tracer.h"
#include "vmstat.h"
#include "metrics.h"

struct share;
struct pagescan;
struct pw_blocked;

/* What a mode wants to hear about while tracing (all may be NULL). */
struct session_hooks {
	/* a new finding group (ring buffer) */
	void (*on_new)(void *arg, const struct pw_finding_key *k);
	/* a range the kernel failed to isolate, explained (src/blocked.h) */
	void (*on_blocked)(void *arg, const struct pw_blocked *b);
	void *arg;
};

/* Shared by run, live, serve and top. */
struct session {
	struct pw_plan plan;
	struct tracer *tr;
	struct suppressions *sup;
	struct pw_vmstat before;
	__u64 start_ns;
	int kallsyms_fd;		/* opened while privileged, for the report */
	struct share *share;		/* answering `why` and `top` (serve, live) */
	struct session_hooks hooks;
	struct pagescan *scan;		/* explains blocked ranges (tp_isolate) */
	struct pw_blocked_rec *blocked;	/* for the report (PW_REPORT_BLOCKED_MAX) */
	int n_blocked;
	__u64 blocked_dropped;
	__u64 pre_pins, pre_pages;	/* pinned before tracing (serve, top: scan_before) */
	bool ksyms_fresh;		/* plan.ksyms re-read since attach */
	unsigned long modules_hash;	/* /proc/modules then (parse_modules_hash) */
	struct pw_zone_map cma;		/* the CMA areas, read once (zone_map_cma) */
	__u64 zone_dropped;		/* longterm_in_movable findings the map had no room for */
};
/* load + attach the plan's programs, demoting a hook whose attach fails:
 * 0, 1 (privileges; said on stderr) or PW_EXIT_UNSUPPORTED with
 * plan->missing saying why. */
int session_open_tracer(struct pw_plan *plan, const struct tracer_opts *to, struct tracer **out);
/* probe + load + attach; returns 0 or the exit status to leave with. */
int session_start(struct session *s, struct pw_options *o, bool filter_tree,
		  const struct session_hooks *hooks);
/* Every interval's audit: the mirror against the kernel's pins
 * (tracer_audit), then long-term pins in Movable or CMA memory
 * (zone_findings) into the findings map. */
int session_audit(struct session *s, __u64 max_age_ns, bool final);
/* The second half alone (run checks it every second while CMD runs). */
int session_zone_check(struct session *s);
/* Its findings from pins and zones already read (serve's snapshot reads
 * them once for this and for its series). */
int session_zone_findings(struct session *s, const struct pw_pin *pins, int n,
			  const struct pw_zone_map *zones);
/* Pins older than tracing: every folio's own pin count, less what the
 * mirror already holds (pins taken since attach), read once at start into
 * pre_pins/pre_pages (holder before_tracing; said on stderr). */
void session_scan_before(struct session *s);
/* The CMA areas as zone spans named "CMA" (ps may be NULL: none). */
void zone_map_cma(struct pw_zone_map *m, struct pagescan *ps);
/* findings + totals + vmstat drift into r (caller report_free()s it). */
int session_report(struct session *s, struct pw_report *r);
/* the same without findings: counters, attach list, vmstat deltas */
void session_totals(struct session *s, struct pw_report *r);
void session_end(struct session *s);
/* answer `why` and `top` with this session's maps until session_end (src/share.h) */
void session_share(struct session *s, const char *mode);
/* A cheap signature of the loaded modules (parse_modules_hash): kallsyms is
 * slow to read (seconds under emulation), so it is re-read only when a
 * module came or went. */
unsigned long session_modules_hash(void);
/* re-read kallsyms into s->plan.ksyms (modules and BPF trampolines loaded since) */
int session_reload_ksyms(struct session *s);
/* after attach: drop every capability the session no longer needs (keep: 1ull << CAP_*) */
void session_drop_privileges(struct session *s, unsigned long long keep);
/* SIGINT, SIGTERM and SIGHUP all end a session with its report */
void session_catch_signals(void (*handler)(int));
/* writes text to stderr and JSON (if asked); returns the bug count */
int session_emit(struct session *s, struct pw_options *o, struct pw_report *r);
#endif
