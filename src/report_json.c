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

#ifndef PINWATCH_VERSION
#define PINWATCH_VERSION "0.1.0"
#endif

struct jw {
	FILE *out;
	int depth;
	bool first;	/* no member written yet at this depth */
};

/* Length of a valid UTF-8 sequence at s, or 0 if invalid. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
	return n;
}

static void jw_string(struct jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	fputc('"', w->out);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(w->out, "\\%c", *s);
			s++;
		} else if (*s == '\n') {
			fputs("\\n", w->out), s++;
		} else if (*s == '\t') {
			fputs("\\t", w->out), s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(w->out, "\\u%04x", *s++);
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, w->out);
			s += n;
		} else {
			fputs("\\ufffd", w->out), s++;
		}
	}
	fputc('"', w->out);
}

/* Start a member (key != NULL, inside an object) or element (inside an array). */
static void jw_member(struct jw *w, const char *key)
{
	fprintf(w->out, "%s\n%*s", w->first ? "" : ",", 2 * w->depth, "");
	w->first = false;
	if (key) {
		jw_string(w, key);
		fputs(": ", w->out);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_member(w, key);
	fputc(c, w->out);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first)	/* non-empty: closing bracket on its own line */
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(c, w->out);
	w->first = false;
}

static void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_member(w, key);
	jw_string(w, v);
}

static void jw_u64(struct jw *w, const char *key, __u64 v)
{
	jw_member(w, key);
	fprintf(w->out, "%" PRIu64, (uint64_t)v);
}

static void jw_s64(struct jw *w, const char *key, __s64 v)
{
	jw_member(w, key);
	fprintf(w->out, "%" PRId64, (int64_t)v);
}

static void jw_double(struct jw *w, const char *key, double v)
{
	jw_member(w, key);
	fprintf(w->out, "%.3f", isfinite(v) ? v : 0.0);	/* NaN/inf are not JSON */
}

static void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_member(w, key);
	fputs(v ? "true" : "false", w->out);
}

static void jw_frames(struct jw *w, const char *key, char *const *frames, int n)
{
	int i;

	jw_open(w, key, '[');
	for (i = 0; i < n; i++)
		jw_str(w, NULL, frames[i]);
	jw_close(w, ']');
}

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
