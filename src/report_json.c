// SPDX-License-Identifier: GPL-2.0
/*
 * JSON report: one document, schema_version 1. Hand-written (a dozen lines of
 * writer beat a library dependency). Field naming: "kernel" is the uname -r
 * string and "kernel_counters" holds the vmstat deltas and drift; zero values
 * are always written so consumers never have to guess a default.
 *
 * Comms and frames are kernel bytes, not necessarily UTF-8: invalid sequences
 * become U+FFFD so the document stays valid for strict parsers.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include "src/report.h"
#include "src/jsonw.h"

#ifndef PINWATCH_VERSION
#define PINWATCH_VERSION "0.1.0"
#endif

static void finding(struct jw *w, const struct pw_group *g)
{
	jw_open(w, NULL, '{');
	jw_str(w, "kind", pw_kind_name(g->kind));
	jw_u64(w, "pages", g->pages);
	jw_u64(w, "pins", g->pins);
	jw_bool(w, "longterm", g->longterm);
	jw_bool(w, "foll_get", g->foll_get);
	jw_str(w, "comm", g->comm);
	jw_u64(w, "pid", g->tgid);
	jw_u64(w, "tid", g->pid);
	jw_str(w, "api", g->api);
	jw_double(w, "age_s", g->age_s);
	jw_u64(w, "merged", (__u64)g->n_merged);
	if (g->rel_tgid) {
		jw_str(w, "release_comm", g->rel_comm);
		jw_u64(w, "release_pid", g->rel_tgid);
	}
	jw_frames(w, "acquire_stack", g->acq, g->n_acq);
	jw_frames(w, "release_stack", g->rel, g->n_rel);
	jw_close(w, '}');
}

int report_json(FILE *out, const struct pw_report *r)
{
	struct jw w = { .out = out, .first = true };
	int i;

	fputc('{', out);
	w.depth = 1;
	jw_str(&w, "type", "pinwatch-report");
	jw_u64(&w, "schema_version", 1);
	jw_str(&w, "pinwatch_version", PINWATCH_VERSION);
	jw_str(&w, "kernel", r->kernel);
	jw_double(&w, "duration_s", r->duration_s);

	jw_open(&w, "attach", '{');
	for (i = 0; i < r->n_attach; i++)
		jw_str(&w, r->attach[i].symbol, r->attach[i].mode);
	jw_close(&w, '}');

	/* Only unsuppressed groups; "suppressed" below counts the rest. */
	jw_open(&w, "findings", '[');
	for (i = 0; i < r->n_groups; i++)
		if (!r->groups[i].suppressed)
			finding(&w, &r->groups[i]);
	jw_close(&w, ']');

	/* ranges that failed to offline or allocate on busy pages meanwhile */
	jw_open(&w, "blocked", '[');
	for (i = 0; i < r->n_blocked; i++) {
		const struct pw_blocked_rec *b = &r->blocked[i];
		jw_open(&w, NULL, '{');
		jw_str(&w, "what", b->what);
		jw_u64(&w, "start_pfn", b->start_pfn);
		jw_u64(&w, "end_pfn", b->end_pfn);
		jw_u64(&w, "busy_pfn", b->busy_pfn);
		jw_s64(&w, "error", b->err);
		jw_str(&w, "reason", b->reason);
		jw_str(&w, "comm", b->comm);
		jw_u64(&w, "pid", b->pid);
		jw_u64(&w, "repeats", b->repeats);
		jw_double(&w, "at_s", b->at_s);
		jw_open(&w, "holders", '[');
		for (int h = 0; h < b->n_holders; h++) {
			jw_open(&w, NULL, '{');
			jw_str(&w, "verdict", b->holders[h].verdict);
			jw_str(&w, "holder", b->holders[h].holder);
			jw_str(&w, "comm", b->holders[h].comm);
			jw_u64(&w, "pid", b->holders[h].pid);
			jw_u64(&w, "pages", b->holders[h].pages);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
		jw_u64(&w, "more_holders", b->more_holders);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_u64(&w, "blocked_not_kept", r->blocked_dropped + r->blocked_lost);

	jw_open(&w, "totals", '{');
	jw_u64(&w, "pins_acquired", r->pins_acquired);
	jw_u64(&w, "pins_released", r->pins_released);
	jw_u64(&w, "pages_pinned_at_end", r->pages_pinned_at_end);
	jw_u64(&w, "preexisting_released", r->preexisting_released);
	jw_u64(&w, "folio_add_pin_acquired", r->seen_nostat_acquired);
	jw_u64(&w, "stacks_reused", r->stacks_reused);
	jw_u64(&w, "page_free_runs_skipped", r->page_free_missed);
	jw_u64(&w, "marks_sweeps", r->marks_sweeps);
	jw_u64(&w, "marks_swept", r->marks_swept);
	jw_close(&w, '}');

	jw_open(&w, "kernel_counters", '{');
	jw_s64(&w, "nr_foll_pin_acquired_delta", r->nr_foll_pin_acquired_delta);
	jw_s64(&w, "nr_foll_pin_released_delta", r->nr_foll_pin_released_delta);
	jw_s64(&w, "drift_acquired", r->nr_foll_pin_acquired_delta - (__s64)r->seen_acquired_all);
	jw_s64(&w, "drift_released", r->nr_foll_pin_released_delta - (__s64)r->seen_released_all);
	jw_close(&w, '}');

	jw_open(&w, "dropped", '{');
	jw_u64(&w, "pages", r->dropped_pages);
	jw_u64(&w, "findings", r->dropped_findings);
	jw_u64(&w, "stacks", r->dropped_stacks);
	jw_u64(&w, "events", r->dropped_events);
	jw_u64(&w, "hook_runs", r->dropped_runs);
	jw_u64(&w, "gup_exits", r->lost_exits);
	jw_close(&w, '}');

	jw_u64(&w, "bugs", (__u64)report_bug_count(r));
	jw_u64(&w, "suppressed", r->suppressed);
	jw_bool(&w, "incomplete", r->incomplete);
	fputs("\n}\n", out);
	return fflush(out) || ferror(out) ? -1 : 0;
}
