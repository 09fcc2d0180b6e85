// SPDX-License-Identifier: GPL-2.0
/* The JSON writer of src/jsonw.h. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include "src/jsonw.h"

int utf8_len(const unsigned char *s)
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
	if (w->compact)
		fputs(w->first ? "" : ",", w->out);
	else
		fprintf(w->out, "%s\n%*s", w->first ? "" : ",", 2 * w->depth, "");
	w->first = false;
	if (key) {
		jw_string(w, key);
		fputs(w->compact ? ":" : ": ", w->out);
	}
}

void jw_open(struct jw *w, const char *key, char c)
{
	if (w->compact && !w->depth && w->first) {	/* the document itself */
		fputc(c, w->out);
		w->depth++;
		return;
	}
	jw_member(w, key);
	fputc(c, w->out);
	w->depth++;
	w->first = true;
}

void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first && !w->compact)	/* non-empty: closing bracket on its own line */
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(c, w->out);
	w->first = false;
}

void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_member(w, key);
	jw_string(w, v);
}

void jw_u64(struct jw *w, const char *key, __u64 v)
{
	jw_member(w, key);
	fprintf(w->out, "%" PRIu64, (uint64_t)v);
}

void jw_s64(struct jw *w, const char *key, __s64 v)
{
	jw_member(w, key);
	fprintf(w->out, "%" PRId64, (int64_t)v);
}

void jw_double(struct jw *w, const char *key, double v)
{
	jw_member(w, key);
	fprintf(w->out, "%.3f", isfinite(v) ? v : 0.0);	/* NaN/inf are not JSON */
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_member(w, key);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct jw *w, const char *key)
{
	jw_member(w, key);
	fputs("null", w->out);
}

void jw_frames(struct jw *w, const char *key, char *const *frames, int n)
{
	int i;

	jw_open(w, key, '[');
	for (i = 0; i < n; i++)
		jw_str(w, NULL, frames[i]);
	jw_close(w, ']');
}

