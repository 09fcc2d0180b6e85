// SPDX-License-Identifier: GPL-2.0
/* `why` as text (for people) and as one JSON document (src/why.h). */
#include <inttypes.h>
#include <stdint.h>
#include "why.h"
#include "jsonw.h"

#define TEXT_FOLIOS 8	/* folios named per group in the text; JSON has all */

static const char *verdict_text(enum why_verdict v)
{
	switch (v) {
	case WHY_PIN_LONGTERM: return "long-term pin: will not go away by itself";
	case WHY_PIN_SHORT: return "short-term pin: retrying may succeed";
	case WHY_PIN_UNTRACED: return "pinned before tracing, holder unknown";
	case WHY_REF_GET: return "get_user_pages reference, not a pin";
	case WHY_REF_UNKNOWN: return "reference that is not a pin, holder unknown";
	default: return "?";
	}
}

static void size_text(FILE *out, __u64 pages)
{
	double kib = pages * 4.0;
	if (kib >= 1024 * 1024)
		fprintf(out, "%.1f GiB", kib / (1024 * 1024));
	else if (kib >= 1024)
		fprintf(out, "%.1f MiB", kib / 1024);
	else
		fprintf(out, "%.0f KiB", kib);
}

static void folio_text(FILE *out, const struct why_group *g, const struct why_folio *f)
{
	fprintf(out, " %#" PRIx64, (uint64_t)f->pfn);
	if (f->nr_pages > 1)
		fprintf(out, "(+%u)", f->nr_pages - 1);
	if (g->verdict == WHY_REF_GET || g->verdict == WHY_REF_UNKNOWN)
		fprintf(out, "[refcount %d, expected %u]", f->refcount, f->expected);
	else if (g->verdict == WHY_PIN_UNTRACED)
		fprintf(out, "[%u pin%s]", f->pins, f->pins == 1 ? "" : "s");
}

void why_text(FILE *out, const struct why_result *r)
{
	fprintf(out, "pinwatch why: pfn %#" PRIx64 "-%#" PRIx64 " (%s, ", (uint64_t)r->start,
		(uint64_t)(r->end - 1), r->range);
	size_text(out, r->end - r->start);
	fprintf(out, "); holders from %s\n", r->source);
	for (int i = 0; i < r->n_groups; i++) {
		const struct why_group *g = &r->groups[i];
		fprintf(out, "  ");
		size_text(out, g->pages);
		fprintf(out, " in %zu folio%s (%" PRIu64 " page%s): %s\n", g->n_folios,
			g->n_folios == 1 ? "" : "s", (uint64_t)g->pages, g->pages == 1 ? "" : "s",
			verdict_text(g->verdict));
		if (g->verdict == WHY_PIN_LONGTERM || g->verdict == WHY_PIN_SHORT || g->verdict == WHY_REF_GET) {
			fprintf(out, "    holder %s, %s[%u] via %s", g->holder, g->h.comm, g->h.tgid, g->api);
			if (g->age_s > 0)
				fprintf(out, ", age %.1f s", g->age_s);
			if (g->pins)
				fprintf(out, ", %" PRIu64 " pin%s", (uint64_t)g->pins, g->pins == 1 ? "" : "s");
			fputc('\n', out);
		}
		fprintf(out, "    pfns");
		for (size_t k = 0; k < g->n_folios && k < TEXT_FOLIOS; k++)
			folio_text(out, g, &g->folios[k]);
		if (g->n_folios > TEXT_FOLIOS)
			fprintf(out, " ... (%zu more in --json)", g->n_folios - TEXT_FOLIOS);
		fputc('\n', out);
		for (int k = 0; k < g->n_frames; k++)
			fprintf(out, "      #%d %s\n", k, g->frames[k]);
	}
	fprintf(out, "SUMMARY: pinwatch why: %" PRIu64 " page%s pinned, %" PRIu64
		" with references that are not pins, in %s of %" PRIu64 " pages of user memory\n",
		(uint64_t)r->pinned_pages, r->pinned_pages == 1 ? "" : "s", (uint64_t)r->ref_pages,
		r->range, (uint64_t)r->sum.user_pages);
}

void why_json(FILE *out, const struct why_result *r)
{
	struct jw w = { .out = out, .first = true };

	jw_open(&w, NULL, '{');
	jw_str(&w, "type", "pinwatch-why");
	jw_u64(&w, "schema_version", 1);
	jw_u64(&w, "start_pfn", r->start);
	jw_u64(&w, "end_pfn", r->end);
	jw_str(&w, "range", r->range);
	jw_bool(&w, "traced", r->traced);
	jw_str(&w, "holders_from", r->source);
	jw_u64(&w, "pinned_pages", r->pinned_pages);
	jw_u64(&w, "ref_pages", r->ref_pages);
	jw_u64(&w, "user_pages", r->sum.user_pages);
	jw_u64(&w, "kernel_pages", r->sum.kernel_pages);
	jw_u64(&w, "free_pages", r->sum.free_pages);
	jw_u64(&w, "holes", r->sum.holes);
	jw_u64(&w, "transient_pages", r->sum.transient_pages);
	jw_open(&w, "groups", '[');
	for (int i = 0; i < r->n_groups; i++) {
		const struct why_group *g = &r->groups[i];
		bool known = g->verdict == WHY_PIN_LONGTERM || g->verdict == WHY_PIN_SHORT ||
			     g->verdict == WHY_REF_GET;
		jw_open(&w, NULL, '{');
		jw_str(&w, "verdict", why_verdict_name(g->verdict));
		jw_str(&w, "holder", g->holder);
		if (known) {
			jw_str(&w, "comm", g->h.comm);
			jw_u64(&w, "pid", g->h.tgid);
			jw_str(&w, "api", g->api);
			jw_double(&w, "age_s", g->age_s);
		}
		jw_u64(&w, "pages", g->pages);
		jw_u64(&w, "bytes", g->pages * 4096);
		jw_u64(&w, "pins", g->pins);
		jw_u64(&w, "refs", g->refs);
		jw_u64(&w, "folios", g->n_folios);
		jw_open(&w, "pfns", '[');
		for (size_t k = 0; k < g->n_folios; k++) {
			const struct why_folio *f = &g->folios[k];
			jw_open(&w, NULL, '{');
			jw_u64(&w, "pfn", f->pfn);
			jw_u64(&w, "nr_pages", f->nr_pages);
			jw_u64(&w, "pins", f->pins);
			jw_s64(&w, "refcount", f->refcount);
			jw_u64(&w, "expected_refs", f->expected);
			jw_bool(&w, "anon", f->flags & PW_SCAN_ANON);
			jw_bool(&w, "lru", f->flags & PW_SCAN_LRU);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
		jw_frames(&w, "stack", g->frames, g->n_frames);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	fputc('\n', out);
}
