// SPDX-License-Identifier: GPL-2.0
/*
 * Writers of a snapshot: the Prometheus text exposition (serve, --textfile)
 * and one JSON line per interval (--json). Names follow Prometheus
 * conventions: pinwatch_ prefix, base units (seconds, bytes), _total for
 * counters. No pfn or stack labels: those would make a series per pin; pid
 * labels only on the top-k processes of the accounting view.
 */
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "src/metrics.h"
#include "src/jsonw.h"
#include "src/atomicfile.h"

const char *metrics_escape(const char *v, char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t o = 0;
	int n;

	/* label values are UTF-8: a comm cut mid-character (or any invalid
	 * byte) is U+FFFD, as in the JSON, or the whole scrape is refused */
	while (*u && o + 4 < len) {
		if (*u == '\\' || *u == '"') {
			buf[o++] = '\\';
			buf[o++] = *u++;
		} else if (*u == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
			u++;
		} else if ((n = utf8_len(u)) > 0) {
			if (o + n + 1 > len)
				break;
			memcpy(buf + o, u, n);
			o += n;
			u += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			u++;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void holder_series(FILE *out, const struct pw_snapshot *s, const char *name, int what)
{
	char e[2 * PW_HOLDER_LEN];

	for (int i = 0; i < s->n_holders; i++) {
		const struct pw_holder_stat *h = &s->holders[i];
		metrics_escape(h->name, e, sizeof(e));
		for (int lt = 0; lt < 2; lt++) {
			fprintf(out, "%s{holder=\"%s\",longterm=\"%s\"} ", name, e, lt ? "true" : "false");
			if (what == 0)
				fprintf(out, "%llu\n", (unsigned long long)h->pages[lt]);
			else if (what == 1)
				fprintf(out, "%llu\n", (unsigned long long)(h->pages[lt] * s->page_size));
			else
				fprintf(out, "%.3f\n", h->oldest_s[lt]);
		}
	}
}

static const char *pid_label(const struct pw_owner_stat *o, char *buf, size_t len)
{
	if (o->other)
		snprintf(buf, len, "other");
	else if (o->tgid)
		snprintf(buf, len, "%u", o->tgid);
	else
		snprintf(buf, len, "unknown");	/* a holder the holders map lost */
	return buf;
}

/* The accounting view: physical pinned bytes per process and cgroup beside
 * the kernel's charges; charges and limits only for live processes. */
static void acct_series(FILE *out, const struct pw_snapshot *s)
{
	const struct pw_acct *a = &s->acct;
	char pid[16], comm[2 * PW_COMM_LEN], cg[2 * PW_CGROUP_LEN];

	head(out, "pinwatch_process_pinned_bytes", "gauge", "Page frames pinned now (each counted "
	     "once) times the page size, by the process that pinned them (top-k; the rest is "
	     "the pid other), long-term or not.");
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		for (int lt = 0; lt < 2; lt++)
			fprintf(out, "pinwatch_process_pinned_bytes{pid=\"%s\",comm=\"%s\",longterm=\"%s\"} %llu\n",
				pid_label(o, pid, sizeof(pid)), metrics_escape(o->comm, comm, sizeof(comm)),
				lt ? "true" : "false", (unsigned long long)(o->pages[lt] * s->page_size));
	}
	head(out, "pinwatch_process_charged_bytes", "gauge", "What the kernel charges the process: "
	     "VmPin (mm->pinned_vm: RDMA, io_uring) and VmLck (mm->locked_vm: VFIO, iommufd, mlock).");
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		if (!o->proc.alive && !o->other)
			continue;
		pid_label(o, pid, sizeof(pid));
		metrics_escape(o->comm, comm, sizeof(comm));
		fprintf(out, "pinwatch_process_charged_bytes{pid=\"%s\",comm=\"%s\",counter=\"VmPin\"} %llu\n",
			pid, comm, (unsigned long long)o->proc.vmpin);
		fprintf(out, "pinwatch_process_charged_bytes{pid=\"%s\",comm=\"%s\",counter=\"VmLck\"} %llu\n",
			pid, comm, (unsigned long long)o->proc.vmlck);
	}
	head(out, "pinwatch_process_memlock_limit_bytes", "gauge",
	     "RLIMIT_MEMLOCK (soft) of the process; each kernel charge is checked against it on its own.");
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		if (!o->proc.alive || o->other)
			continue;
		fprintf(out, "pinwatch_process_memlock_limit_bytes{pid=\"%s\",comm=\"%s\"} ",
			pid_label(o, pid, sizeof(pid)), metrics_escape(o->comm, comm, sizeof(comm)));
		if (o->proc.memlock == PW_UNLIMITED)
			fputs("+Inf\n", out);
		else
			fprintf(out, "%llu\n", (unsigned long long)o->proc.memlock);
	}
	head(out, "pinwatch_process_accounting_finding", "gauge", "1 for a process pinning long-term "
	     "with VmPin and VmLck both 0 (pin_not_charged), or charged above its pinned bytes "
	     "(charged_not_pinned).");
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		for (int k = 0; k < PW_A__MAX; k++)
			if (o->findings & (1u << k))
				fprintf(out, "pinwatch_process_accounting_finding{pid=\"%s\",comm=\"%s\",kind=\"%s\"} 1\n",
					pid_label(o, pid, sizeof(pid)), metrics_escape(o->comm, comm, sizeof(comm)),
					pw_acct_kind_name(k));
	}
	head(out, "pinwatch_accounting_findings", "gauge", "Processes with each accounting finding now (all of them, not only the top k).");
	for (int k = 0; k < PW_A__MAX; k++)
		fprintf(out, "pinwatch_accounting_findings{kind=\"%s\"} %llu\n", pw_acct_kind_name(k),
			(unsigned long long)a->flagged[k]);

	head(out, "pinwatch_cgroup_pinned_bytes", "gauge", "Page frames pinned now times the page size, "
	     "by the cgroup v2 path of the process that pinned them (\"(exited)\": it is gone).");
	for (int i = 0; i < a->n_cgroups; i++)
		for (int lt = 0; lt < 2; lt++)
			fprintf(out, "pinwatch_cgroup_pinned_bytes{cgroup=\"%s\",longterm=\"%s\"} %llu\n",
				metrics_escape(a->cgroups[i].path, cg, sizeof(cg)), lt ? "true" : "false",
				(unsigned long long)(a->cgroups[i].pages[lt] * s->page_size));
	head(out, "pinwatch_cgroup_charged_bytes", "gauge", "VmPin and VmLck summed over the cgroup's processes that pin.");
	for (int i = 0; i < a->n_cgroups; i++) {
		metrics_escape(a->cgroups[i].path, cg, sizeof(cg));
		fprintf(out, "pinwatch_cgroup_charged_bytes{cgroup=\"%s\",counter=\"VmPin\"} %llu\n", cg,
			(unsigned long long)a->cgroups[i].vmpin);
		fprintf(out, "pinwatch_cgroup_charged_bytes{cgroup=\"%s\",counter=\"VmLck\"} %llu\n", cg,
			(unsigned long long)a->cgroups[i].vmlck);
	}
	head(out, "pinwatch_cgroup_memory_current_bytes", "gauge", "The cgroup's memory.current.");
	for (int i = 0; i < a->n_cgroups; i++)
		if (a->cgroups[i].memory_current >= 0)
			fprintf(out, "pinwatch_cgroup_memory_current_bytes{cgroup=\"%s\"} %lld\n",
				metrics_escape(a->cgroups[i].path, cg, sizeof(cg)),
				(long long)a->cgroups[i].memory_current);
}

static void counter(FILE *out, const char *name, const char *help, __u64 v)
{
	head(out, name, "counter", help);
	fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* self: the process_* series, which node_exporter's textfile collector
 * already has for itself (duplicates would break its merge) */
static int write_all(FILE *out, const struct pw_snapshot *s, bool self)
{
	char e1[256], e2[256];

	head(out, "pinwatch_build_info", "gauge", "pinwatch's version (always 1).");
	fprintf(out, "pinwatch_build_info{version=\"%s\"} 1\n", metrics_escape(s->version, e1, sizeof(e1)));
	head(out, "pinwatch_kernel_info", "gauge", "The traced kernel's release (always 1).");
	fprintf(out, "pinwatch_kernel_info{release=\"%s\"} 1\n", metrics_escape(s->kernel, e2, sizeof(e2)));
	head(out, "pinwatch_attach_info", "gauge", "How each kernel symbol is traced (always 1).");
	for (int i = 0; i < s->n_attach; i++)
		fprintf(out, "pinwatch_attach_info{symbol=\"%s\",mode=\"%s\"} 1\n",
			metrics_escape(s->attach[i].symbol, e1, sizeof(e1)),
			metrics_escape(s->attach[i].mode, e2, sizeof(e2)));

	head(out, "pinwatch_pinned_pages", "gauge",
	     "Pages pinned now, by the first kernel function outside GUP that pinned them.");
	holder_series(out, s, "pinwatch_pinned_pages", 0);
	head(out, "pinwatch_pinned_bytes", "gauge", "Bytes pinned now (pages times the page size).");
	holder_series(out, s, "pinwatch_pinned_bytes", 1);
	head(out, "pinwatch_pinned_oldest_age_seconds", "gauge",
	     "Age of the oldest pin held now, per holder (0 when none).");
	holder_series(out, s, "pinwatch_pinned_oldest_age_seconds", 2);

	/* The pages pinned *now*, by the age of their pin: recomputed every
	 * interval, so its buckets go down as pins are released. Gauges, not a
	 * histogram, whose buckets rate() and reset detection take for counters. */
	head(out, "pinwatch_pinned_pages_by_age", "gauge",
	     "Pages pinned now whose pin is at most max_age_seconds old (cumulative).");
	for (int b = 0; b < PW_AGE_BUCKETS; b++)
		fprintf(out, "pinwatch_pinned_pages_by_age{max_age_seconds=\"%g\"} %llu\n", pw_age_bounds[b],
			(unsigned long long)s->age_le[b]);
	fprintf(out, "pinwatch_pinned_pages_by_age{max_age_seconds=\"+Inf\"} %llu\n",
		(unsigned long long)s->age_count);
	head(out, "pinwatch_oldest_pin_age_seconds", "gauge", "Age of the oldest pin held now (0 when none).");
	fprintf(out, "pinwatch_oldest_pin_age_seconds %.3f\n", s->oldest_s);

	counter(out, "pinwatch_pins_acquired_total", "Pins taken and mirrored since pinwatch started.",
		s->pins_acquired);
	counter(out, "pinwatch_pins_released_total", "Mirrored pins released by an unpin.", s->pins_released);
	counter(out, "pinwatch_preexisting_released_total",
		"Releases of pins taken before pinwatch started (not bugs).", s->preexisting_released);

	head(out, "pinwatch_findings_total", "counter", "Finding groups (kind, stacks), by kind; suppressed ones excluded.");
	for (int k = PW_K_NONE + 1; k < PW_K__MAX; k++)
		fprintf(out, "pinwatch_findings_total{kind=\"%s\"} %llu\n", pw_kind_name(k),
			(unsigned long long)s->findings[k]);
	head(out, "pinwatch_finding_pins_total", "counter", "Pins affected by findings, by kind.");
	for (int k = PW_K_NONE + 1; k < PW_K__MAX; k++)
		fprintf(out, "pinwatch_finding_pins_total{kind=\"%s\"} %llu\n", pw_kind_name(k),
			(unsigned long long)s->finding_pins[k]);
	counter(out, "pinwatch_findings_suppressed_total", "Finding groups matched by --suppressions.",
		s->suppressed);

	head(out, "pinwatch_pinned_zone_pages", "gauge", "Pages pinned now (as the mirror knows them: "
	     "not the pins older than tracing), by holder, zone (/proc/zoneinfo; CMA for a CMA area) "
	     "and long-term; long-term pins in Movable or CMA memory are a bug: the kernel migrates "
	     "pages out before it pins them long-term.");
	for (int i = 0; i < s->n_holders; i++) {
		const struct pw_holder_stat *h = &s->holders[i];
		char e[2 * PW_HOLDER_LEN], z[64];
		if (!strcmp(h->name, PW_HOLDER_BEFORE))
			continue;
		metrics_escape(h->name, e, sizeof(e));
		for (int k = 0; k < s->n_zones; k++)
			for (int lt = 0; lt < 2; lt++)
				fprintf(out, "pinwatch_pinned_zone_pages{holder=\"%s\",zone=\"%s\",longterm=\"%s\"} %llu\n",
					e, metrics_escape(s->zones[k].name, z, sizeof(z)), lt ? "true" : "false",
					(unsigned long long)h->zone_pages[k][lt]);
	}

	head(out, "pinwatch_blocked_total", "counter", "Failed memory offlines and contiguous "
	     "allocations (CMA, gigantic hugepages), by what asked, and the holder and long-term "
	     "flag of each group of busy pages (holder \"none\": nothing held them by then).");
	for (int i = 0; i < s->n_blocked; i++) {
		char w[64], h[2 * PW_HOLDER_LEN];
		fprintf(out, "pinwatch_blocked_total{what=\"%s\",holder=\"%s\",longterm=\"%s\"} %llu\n",
			metrics_escape(s->blocked[i].what, w, sizeof(w)),
			metrics_escape(s->blocked[i].holder, h, sizeof(h)),
			s->blocked[i].longterm ? "true" : "false", (unsigned long long)s->blocked[i].count);
	}

	acct_series(out, s);

	head(out, "pinwatch_mirror_folios", "gauge", "Folios in the pin mirror now.");
	fprintf(out, "pinwatch_mirror_folios %llu\n", (unsigned long long)s->mirror_entries);
	head(out, "pinwatch_mirror_capacity_folios", "gauge", "Page frames the pin mirror covers (--max-pages; default all of RAM).");
	fprintf(out, "pinwatch_mirror_capacity_folios %llu\n", (unsigned long long)s->mirror_capacity);
	head(out, "pinwatch_dropped_total", "counter",
	     "Data lost: pins (pages beyond the mirror), findings, stacks or holders, ring-buffer events, "
	     "hook runs the kernel skipped, GUP calls whose exit was missed.");
	fprintf(out, "pinwatch_dropped_total{what=\"pins\"} %llu\n", (unsigned long long)s->dropped_pages);
	fprintf(out, "pinwatch_dropped_total{what=\"findings\"} %llu\n", (unsigned long long)s->dropped_findings);
	fprintf(out, "pinwatch_dropped_total{what=\"stacks\"} %llu\n", (unsigned long long)s->dropped_stacks);
	fprintf(out, "pinwatch_dropped_total{what=\"events\"} %llu\n", (unsigned long long)s->dropped_events);
	fprintf(out, "pinwatch_dropped_total{what=\"hook_runs\"} %llu\n", (unsigned long long)s->dropped_runs);
	fprintf(out, "pinwatch_dropped_total{what=\"gup_exits\"} %llu\n", (unsigned long long)s->lost_exits);
	counter(out, "pinwatch_page_free_runs_skipped_total",
		"Runs of the mm_page_free hook the kernel skipped: no pin is lost, unpinned pages' marks are cleared.",
		s->page_free_missed);

	/* Without /proc/vmstat's counters the series are left out rather than
	 * exported as 0, which would read as "the kernel pinned nothing". */
	if (s->vmstat_ok) {
		counter(out, "pinwatch_kernel_foll_pin_acquired_total",
			"The kernel's nr_foll_pin_acquired (/proc/vmstat, since boot).", s->kernel_acquired);
		counter(out, "pinwatch_kernel_foll_pin_released_total",
			"The kernel's nr_foll_pin_released (/proc/vmstat, since boot).", s->kernel_released);
		head(out, "pinwatch_kernel_drift_pins", "gauge",
		     "Kernel counter delta since pinwatch started minus the pins pinwatch saw.");
		fprintf(out, "pinwatch_kernel_drift_pins{counter=\"acquired\"} %lld\n", (long long)s->drift_acquired);
		fprintf(out, "pinwatch_kernel_drift_pins{counter=\"released\"} %lld\n", (long long)s->drift_released);
	}
	head(out, "pinwatch_uptime_seconds", "gauge", "Time since tracing started.");
	fprintf(out, "pinwatch_uptime_seconds %.3f\n", s->uptime_s);
	/* the process_* series every Prometheus client library exports */
	if (self && s->self.ok) {
		head(out, "process_start_time_seconds", "gauge", "Start time of the process since the epoch in seconds.");
		fprintf(out, "process_start_time_seconds %.2f\n", s->self.start_time_s);
		head(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
		fprintf(out, "process_cpu_seconds_total %.2f\n", s->self.cpu_s);
		head(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
		fprintf(out, "process_resident_memory_bytes %llu\n", (unsigned long long)s->self.rss_bytes);
		head(out, "process_open_fds", "gauge", "Number of open file descriptors.");
		fprintf(out, "process_open_fds %llu\n", (unsigned long long)s->self.open_fds);
	}
	return ferror(out) ? -EIO : 0;
}

int metrics_write(FILE *out, const struct pw_snapshot *s)
{
	return write_all(out, s, true);
}

static void acct_json(struct jw *w, const struct pw_snapshot *s)
{
	const struct pw_acct *a = &s->acct;

	jw_open(w, "processes", '[');
	for (int i = 0; i < a->n_owners; i++) {
		const struct pw_owner_stat *o = &a->owners[i];
		jw_open(w, NULL, '{');
		jw_u64(w, "pid", o->tgid);
		jw_str(w, "comm", o->comm);
		jw_u64(w, "processes", o->n_procs);
		jw_bool(w, "alive", o->proc.alive);
		jw_str(w, "cgroup", o->proc.cgroup);
		jw_u64(w, "pinned_bytes", (o->pages[0] + o->pages[1]) * s->page_size);
		jw_u64(w, "longterm_bytes", o->pages[1] * s->page_size);
		jw_u64(w, "vmpin_bytes", o->proc.vmpin);
		jw_u64(w, "vmlck_bytes", o->proc.vmlck);
		if (o->proc.alive && o->proc.memlock != PW_UNLIMITED)
			jw_u64(w, "memlock_limit_bytes", o->proc.memlock);
		else
			jw_null(w, "memlock_limit_bytes");
		jw_open(w, "findings", '[');
		for (int k = 0; k < PW_A__MAX; k++)
			if (o->findings & (1u << k))
				jw_str(w, NULL, pw_acct_kind_name(k));
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "cgroups", '[');
	for (int i = 0; i < a->n_cgroups; i++) {
		const struct pw_cgroup_stat *c = &a->cgroups[i];
		jw_open(w, NULL, '{');
		jw_str(w, "cgroup", c->path);
		jw_u64(w, "processes", c->n_procs);
		jw_u64(w, "pinned_bytes", (c->pages[0] + c->pages[1]) * s->page_size);
		jw_u64(w, "longterm_bytes", c->pages[1] * s->page_size);
		jw_u64(w, "vmpin_bytes", c->vmpin);
		jw_u64(w, "vmlck_bytes", c->vmlck);
		if (c->memory_current >= 0)
			jw_s64(w, "memory_current_bytes", c->memory_current);
		else
			jw_null(w, "memory_current_bytes");
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "accounting_findings", '{');
	for (int k = 0; k < PW_A__MAX; k++)
		jw_u64(w, pw_acct_kind_name(k), a->flagged[k]);
	jw_close(w, '}');
}

int metrics_json(FILE *out, const struct pw_snapshot *s)
{
	struct jw w = { .out = out, .first = true, .compact = true };
	bool lost = s->dropped_pages || s->dropped_findings || s->dropped_stacks || s->dropped_events ||
		    s->dropped_runs || s->lost_exits;

	jw_open(&w, NULL, '{');
	jw_str(&w, "type", "pinwatch-stream");
	jw_u64(&w, "schema_version", PW_METRICS_SCHEMA);
	jw_str(&w, "pinwatch_version", s->version);
	jw_str(&w, "kernel", s->kernel);
	jw_double(&w, "time", s->time_s);
	jw_double(&w, "uptime_s", s->uptime_s);
	jw_u64(&w, "page_size", s->page_size);
	jw_open(&w, "holders", '[');
	for (int i = 0; i < s->n_holders; i++) {
		const struct pw_holder_stat *h = &s->holders[i];
		jw_open(&w, NULL, '{');
		jw_str(&w, "holder", h->name);
		jw_u64(&w, "pages", h->pages[0] + h->pages[1]);
		jw_u64(&w, "longterm_pages", h->pages[1]);
		jw_u64(&w, "pins", h->pins[0] + h->pins[1]);
		jw_u64(&w, "bytes", (h->pages[0] + h->pages[1]) * s->page_size);
		jw_double(&w, "oldest_age_s", h->oldest_s[0] > h->oldest_s[1] ? h->oldest_s[0] : h->oldest_s[1]);
		jw_open(&w, "processes", '[');
		for (int p = 0; p < h->n_procs; p++) {
			jw_open(&w, NULL, '{');
			jw_u64(&w, "pid", h->procs[p].tgid);
			jw_str(&w, "comm", h->procs[p].comm);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
		jw_bool(&w, "more_processes", h->more_procs);
		if (strcmp(h->name, PW_HOLDER_BEFORE)) {	/* its pfns are not kept */
			jw_open(&w, "zones", '{');
			for (int k = 0; k < s->n_zones; k++) {
				jw_open(&w, s->zones[k].name, '{');
				jw_u64(&w, "pages", h->zone_pages[k][0] + h->zone_pages[k][1]);
				jw_u64(&w, "longterm_pages", h->zone_pages[k][1]);
				jw_close(&w, '}');
			}
			jw_close(&w, '}');
		}
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_double(&w, "oldest_age_s", s->oldest_s);
	jw_u64(&w, "pins_acquired", s->pins_acquired);
	jw_u64(&w, "pins_released", s->pins_released);
	jw_u64(&w, "preexisting_released", s->preexisting_released);
	jw_open(&w, "findings", '{');
	for (int k = PW_K_NONE + 1; k < PW_K__MAX; k++)
		jw_u64(&w, pw_kind_name(k), s->findings[k]);
	jw_close(&w, '}');
	jw_u64(&w, "suppressed", s->suppressed);
	jw_u64(&w, "mirror_folios", s->mirror_entries);
	jw_u64(&w, "mirror_capacity", s->mirror_capacity);
	jw_open(&w, "dropped", '{');
	jw_u64(&w, "pins", s->dropped_pages);
	jw_u64(&w, "findings", s->dropped_findings);
	jw_u64(&w, "stacks", s->dropped_stacks);
	jw_u64(&w, "events", s->dropped_events);
	jw_u64(&w, "hook_runs", s->dropped_runs);
	jw_u64(&w, "gup_exits", s->lost_exits);
	jw_close(&w, '}');
	jw_bool(&w, "incomplete", lost);	/* as a report with these losses would be */
	jw_u64(&w, "page_free_runs_skipped", s->page_free_missed);
	if (s->vmstat_ok) {
		jw_open(&w, "kernel_counters", '{');
		jw_s64(&w, "nr_foll_pin_acquired", s->kernel_acquired);
		jw_s64(&w, "nr_foll_pin_released", s->kernel_released);
		jw_s64(&w, "drift_acquired", s->drift_acquired);
		jw_s64(&w, "drift_released", s->drift_released);
		jw_close(&w, '}');
	}
	jw_open(&w, "zones", '{');
	for (int i = 0; i < s->n_zones; i++) {
		jw_open(&w, s->zones[i].name, '{');
		jw_u64(&w, "pages", s->zones[i].pages[0] + s->zones[i].pages[1]);
		jw_u64(&w, "longterm_pages", s->zones[i].pages[1]);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');
	jw_open(&w, "blocked", '[');
	for (int i = 0; i < s->n_blocked; i++) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "what", s->blocked[i].what);
		jw_str(&w, "holder", s->blocked[i].holder);
		jw_bool(&w, "longterm", s->blocked[i].longterm);
		jw_u64(&w, "count", s->blocked[i].count);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	acct_json(&w, s);
	jw_close(&w, '}');
	fputc('\n', out);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

static int fill_textfile(FILE *out, const void *s)
{
	return write_all(out, s, false);
}

int metrics_write_textfile(const char *path, const struct pw_snapshot *s)
{
	return atomic_write(path, fill_textfile, s);
}
