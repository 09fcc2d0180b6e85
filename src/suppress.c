// SPDX-License-Identifier: GPL-2.0
/*
 * Suppression files: "kind:pattern" per line, '#' comments. A malformed line
 * is an error naming FILE:LINE rather than being skipped, because a silently
 * ignored suppression shows up as a "new" bug in CI and wastes someone's day.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"
#include "src/names.h"
#include "src/suppress.h"

struct supp_rule {
	enum pw_kind kind;	/* PW_K_NONE: any kind ('*') */
	char *pattern;
	char *literal;		/* pattern with '[' and ']' escaped, for whole frames */
};

struct suppressions {
	struct supp_rule *rules;
	int n;
};

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int kind_by_name(const char *name, enum pw_kind *k)
{
	int i;

	if (!strcmp(name, "*")) {
		*k = PW_K_NONE;
		return 0;
	}
	for (i = PW_K_NONE + 1; i < PW_K__MAX; i++) {
		if (!strcmp(name, pw_kind_name(i))) {
			*k = i;
			return 0;
		}
	}
	return -1;
}

/* "*[nvidia]" is meant to match the frame suffix " [nvidia]", but to fnmatch
 * "[nvidia]" is a character class. For whole-frame matching we therefore also
 * try the pattern with brackets taken literally. */
static char *escape_brackets(const char *pat)
{
	char *out = malloc(2 * strlen(pat) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *pat; pat++) {
		if (*pat == '[' || *pat == ']')
			*o++ = '\\';
		*o++ = *pat;
	}
	*o = '\0';
	return out;
}

/* Parse one (already trimmed, non-empty, non-comment) line into a rule;
 * on error, write why into why and return -1. */
static int parse_rule(char *line, struct supp_rule *r, char *why, size_t len)
{
	char *colon = strchr(line, ':'), *kind, *pat;

	if (!colon) {
		snprintf(why, len, "missing ':' (expected kind:pattern)");
		return -1;
	}
	*colon = '\0';
	kind = trim(line);
	pat = trim(colon + 1);
	if (kind_by_name(kind, &r->kind)) {
		snprintf(why, len, "unknown kind '%s' (expected leak, put_instead_of_unpin, "
			 "unpin_without_pin, preexisting or *)", kind);
		return -1;
	}
	if (!*pat) {
		snprintf(why, len, "empty pattern");
		return -1;
	}
	r->pattern = strdup(pat);
	r->literal = escape_brackets(pat);
	if (!r->pattern || !r->literal) {
		free(r->pattern);
		free(r->literal);
		snprintf(why, len, "out of memory");
		return -1;
	}
	return 0;
}

struct suppressions *suppressions_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct suppressions *s = calloc(1, sizeof(*s));
	char *copy = text ? strdup(text) : NULL, *line, *next, *l;
	struct supp_rule r, *nr;
	char why[160];
	int lineno = 0;

	if (!s || !copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		if (parse_rule(l, &r, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
			goto fail;
		}
		nr = realloc(s->rules, (s->n + 1) * sizeof(*nr));
		if (!nr) {
			free(r.pattern);
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		s->rules = nr;
		s->rules[s->n++] = r;
	}
	free(copy);
	return s;
fail:
	free(copy);
	suppressions_free(s);
	return NULL;
}

struct suppressions *suppressions_load(const char *path, char *err, size_t errlen)
{
	struct suppressions *s;
	char *text = read_text_file(path);	/* "" when empty: suppresses nothing */

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	s = suppressions_parse(text, path, err, errlen);
	free(text);
	return s;
}

void suppressions_free(struct suppressions *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->rules[i].pattern);
		free(s->rules[i].literal);
	}
	free(s->rules);
	free(s);
}

/* Does the rule match this frame, by function name or as a whole frame? */
static bool frame_matches(const struct supp_rule *r, const char *frame)
{
	char fn[256];
	size_t n = strcspn(frame, "+ ");

	if (!fnmatch(r->pattern, frame, 0) || !fnmatch(r->literal, frame, 0))
		return true;
	if (n >= sizeof(fn))
		return false;
	memcpy(fn, frame, n);
	fn[n] = '\0';
	return !fnmatch(r->pattern, fn, 0);
}

bool suppressions_match(const struct suppressions *s, enum pw_kind kind,
			char *const *frames, int n)
{
	int i, j;

	if (!s)
		return false;
	for (i = 0; i < s->n; i++) {
		if (s->rules[i].kind != PW_K_NONE && s->rules[i].kind != kind)
			continue;
		for (j = 0; j < n; j++)
			if (frame_matches(&s->rules[i], frames[j]))
				return true;
	}
	return false;
}
