// SPDX-License-Identifier: GPL-2.0
/*
 * LeakSanitizer-style text report. People grep CI logs for "ERROR:" and for
 * the final "SUMMARY:" line, so both formats are stable: one ERROR line per
 * bug group, exactly one SUMMARY line, and it is the last line.
 */
#include <inttypes.h>
#include "src/report.h"

#define RULE "================================================================="
#define THIN "-----------------------------------------------------------------"

static const char *plural(__u64 n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The one-line headline after "==pinwatch== ERROR: kind: ". */
static void headline(FILE *out, const struct pw_group *g)
{
	const char *pins = plural(g->pins, "pin", "pins"), *pages = plural(g->pages, "page", "pages");

	switch (g->kind) {
	case PW_K_LEAK:
		fprintf(out, "%llu %s on %llu %s never released", (unsigned long long)g->pins,
			pins, (unsigned long long)g->pages, pages);
		break;
	case PW_K_PUT_INSTEAD_OF_UNPIN:
		fprintf(out, "%llu %s on %llu %s released with put_page(), not unpin_user_page()",
			(unsigned long long)g->pins, pins, (unsigned long long)g->pages, pages);
		break;
	case PW_K_UNPIN_WITHOUT_PIN:
		fprintf(out, "%llu %s unpinned that hold%s no pin (taken with get_user_pages?)",
			(unsigned long long)g->pages, pages, g->pages == 1 ? "s" : "");
		break;
	case PW_K_LONGTERM_IN_MOVABLE:
		fprintf(out, "%llu long-term %s on %llu %s in Movable or CMA memory, which the kernel "
			"migrates pages out of before it pins them long-term", (unsigned long long)g->pins,
			pins, (unsigned long long)g->pages, pages);
		break;
	case PW_K_PREEXISTING:
		fprintf(out, "%llu %s on %llu %s taken before tracing began were released (not a bug)",
			(unsigned long long)g->pins, pins, (unsigned long long)g->pages, pages);
		break;
	default:
		fprintf(out, "%llu %s on %llu %s", (unsigned long long)g->pins, pins,
			(unsigned long long)g->pages, pages);
	}
}

static void stack(FILE *out, const char *title, char *const *frames, int n)
{
	int i;

	if (n <= 0)
		return;
	fprintf(out, "  %s\n", title);
	for (i = 0; i < n; i++)
		fprintf(out, "    #%d %s\n", i, frames[i]);
}

static void who(FILE *out, const char *label, const char *comm, __u32 tgid, __u32 pid)
{
	fprintf(out, "  %s %s[%u]", label, comm[0] ? comm : "?", tgid);
	if (pid && pid != tgid)
		fprintf(out, " (thread %u)", pid);
}

static void group(FILE *out, const struct pw_group *g)
{
	bool bug = g->kind != PW_K_PREEXISTING, acq_known;

	fprintf(out, RULE "\n==pinwatch== %s: %s: ", bug ? "ERROR" : "NOTE", pw_kind_name(g->kind));
	headline(out, g);
	fputc('\n', out);

	/* Without an acquire stack, unpin_without_pin and preexisting only know
	 * who released: then the key's comm/tgid is the releasing task. */
	acq_known = g->n_acq > 0 || g->kind == PW_K_LEAK || g->kind == PW_K_PUT_INSTEAD_OF_UNPIN ||
		    g->kind == PW_K_LONGTERM_IN_MOVABLE;
	if (acq_known) {
		who(out, "acquired by", g->comm, g->tgid, g->pid);
		fprintf(out, " via %s%s, long-term: %s, age ", g->api,
			g->foll_get ? " (FOLL_GET)" : "", g->longterm ? "yes" : "no");
		if (g->age_s > 0)
			fprintf(out, "%.1fs\n", g->age_s);
		else
			fprintf(out, "unknown\n");
	}
	if (g->rel_tgid && g->kind != PW_K_LEAK) {
		who(out, g->kind == PW_K_PUT_INSTEAD_OF_UNPIN ? "freed by" : "released by",
		    g->rel_comm, g->rel_tgid, 0);
		fputc('\n', out);
	} else if (!acq_known) {
		who(out, "released by", g->comm, g->tgid, g->pid);
		fputc('\n', out);
	}
	stack(out, "acquire stack:", g->acq, g->n_acq);
	stack(out, g->kind == PW_K_PUT_INSTEAD_OF_UNPIN ? "freed at:" : "release stack:",
	      g->rel, g->n_rel);
	fputc('\n', out);
}

static void totals(FILE *out, const struct pw_report *r)
{
	__s64 drift_acq = r->nr_foll_pin_acquired_delta - (__s64)r->seen_acquired_all;
	__s64 drift_rel = r->nr_foll_pin_released_delta - (__s64)r->seen_released_all;

	fprintf(out, THIN "\npinwatch totals");
	if (r->duration_s > 0)
		fprintf(out, " over %.1fs", r->duration_s);
	fprintf(out, " (kernel %s):\n", r->kernel[0] ? r->kernel : "unknown");
	fprintf(out, "  pins acquired: %llu, released: %llu, pages still pinned at end: %llu\n",
		(unsigned long long)r->pins_acquired, (unsigned long long)r->pins_released,
		(unsigned long long)r->pages_pinned_at_end);
	if (r->preexisting_released)
		fprintf(out, "  pins taken before tracing and released during it: %llu\n",
			(unsigned long long)r->preexisting_released);
	/* Drift = what the kernel counted minus what pinwatch saw: non-zero means
	 * pins taken/released through a path pinwatch does not hook. */
	fprintf(out, "  kernel nr_foll_pin_acquired: %+" PRId64 " (pinwatch saw %llu, drift %" PRId64 ")\n",
		(int64_t)r->nr_foll_pin_acquired_delta, (unsigned long long)r->seen_acquired_all,
		(int64_t)drift_acq);
	fprintf(out, "  kernel nr_foll_pin_released: %+" PRId64 " (pinwatch saw %llu, drift %" PRId64 ")\n",
		(int64_t)r->nr_foll_pin_released_delta, (unsigned long long)r->seen_released_all,
		(int64_t)drift_rel);
	if (r->seen_nostat_acquired)
		fprintf(out, "  note: %llu folio_add_pin %s not counted by the kernel's vmstat\n",
			(unsigned long long)r->seen_nostat_acquired,
			plural(r->seen_nostat_acquired, "pin is", "pins are"));
}

static void losses(FILE *out, const struct pw_report *r)
{
	if (r->dropped_pages)
		fprintf(out, "INCOMPLETE: %llu %s not tracked (pages beyond the mirror, see --max-pages)\n",
			(unsigned long long)r->dropped_pages, plural(r->dropped_pages, "pin", "pins"));
	if (r->dropped_findings || r->dropped_stacks || r->dropped_events)
		fprintf(out, "INCOMPLETE: lost %llu findings, %llu stacks, %llu events\n",
			(unsigned long long)r->dropped_findings, (unsigned long long)r->dropped_stacks,
			(unsigned long long)r->dropped_events);
	if (r->dropped_runs)
		fprintf(out, "INCOMPLETE: the kernel skipped %llu %s of pinwatch's hooks (a hook hit again on "
			"a CPU where it was running, or a kretprobe without a free instance); their pins or "
			"unpins are not in the mirror\n",
			(unsigned long long)r->dropped_runs, plural(r->dropped_runs, "run", "runs"));
	if (r->lost_exits)
		fprintf(out, "INCOMPLETE: the exits of %llu GUP %s were not seen (a kretprobe without a free "
			"instance), found at the thread's next call or unpin; their pins are not in the mirror\n",
			(unsigned long long)r->lost_exits, plural(r->lost_exits, "call", "calls"));
	if (r->page_free_missed)
		fprintf(out, "note: the kernel skipped %llu %s of the mm_page_free hook (a page freed on a CPU "
			"where the hook was running, by an interrupt or a preempting task): no pin or unpin is lost (the audit checks "
			"pinned pages), but the marks of unpinned pages were cleared (%llu cells in %llu %s) "
			"so that none names a later user of a freed page\n",
			(unsigned long long)r->page_free_missed, plural(r->page_free_missed, "run", "runs"),
			(unsigned long long)r->marks_swept, (unsigned long long)r->marks_sweeps,
			plural(r->marks_sweeps, "sweep", "sweeps"));
	if (r->suppressed)
		fprintf(out, "suppressed: %llu %s\n", (unsigned long long)r->suppressed,
			plural(r->suppressed, "group", "groups"));
}

void report_text(FILE *out, const struct pw_report *r)
{
	__u64 pins = 0, pages = 0;
	int i, groups = 0, findings = 0;

	/* Bugs first, then notes: the order of r->groups already is that. */
	for (i = 0; i < r->n_groups; i++) {
		const struct pw_group *g = &r->groups[i];

		if (g->suppressed)
			continue;
		group(out, g);
		if (g->kind != PW_K_PREEXISTING) {
			pins += g->pins;
			pages += g->pages;
			groups++;
			findings += g->n_merged;
		}
	}
	for (i = 0; i < r->n_blocked; i++) {
		const struct pw_blocked_rec *b = &r->blocked[i];
		fprintf(out, "blocked: %s of pfn %#llx-%#llx by %s[%u] at %.1fs", b->what,
			(unsigned long long)b->start_pfn, (unsigned long long)b->end_pfn - 1, b->comm,
			b->pid, b->at_s);
		for (int h = 0; h < b->n_holders; h++)
			fprintf(out, "%s %s %s (%llu pages)", h ? ";" : ":", b->holders[h].verdict,
				b->holders[h].holder, (unsigned long long)b->holders[h].pages);
		if (b->more_holders)
			fprintf(out, "; %d more holders (--json)", b->more_holders);
		fputc('\n', out);
	}
	totals(out, r);
	losses(out, r);
	if (groups)
		fprintf(out, "SUMMARY: pinwatch: %d %s (%llu %s on %llu %s) in %d %s%s\n",
			findings, plural(findings, "finding", "findings"), (unsigned long long)pins,
			plural(pins, "pin", "pins"), (unsigned long long)pages,
			plural(pages, "page", "pages"), groups, plural(groups, "group", "groups"),
			r->incomplete ? ", incomplete" : "");
	else
		fprintf(out, "SUMMARY: pinwatch: no findings%s\n", r->incomplete ? ", incomplete" : "");
	fflush(out);
}
