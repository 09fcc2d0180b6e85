// SPDX-License-Identifier: GPL-2.0
/*
 * Option-value and /proc parsers (and the whole-file read that feeds them).
 * Hand-written rather than strtod/strtoull: those accept leading blanks, signs ("-1" wraps to 2^64-1), "inf", hex and
 * exponents, all of which would turn a typo into a silently odd setting.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "src/parse.h"

char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	/* getdelim with NUL reads the whole (text) file in one go; -1 with no
	 * error is an empty file */
	if (getdelim(&text, &len, '\0', f) < 0) {
		int err = ferror(f) ? errno : 0;
		free(text);
		text = err ? NULL : strdup("");
		if (err)
			errno = err;
	}
	fclose(f);
	return text;
}

/* Decimal digits into *v; returns the number of digits, -1 on overflow. */
static int parse_digits(const char **sp, __u64 *v)
{
	const char *s = *sp;
	int n = 0;

	*v = 0;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (__u64)(*s - '0'), v))
			return -1;
	}
	*sp = s;
	return n;
}

struct unit {
	const char *suffix;
	__u64 mult;
};

/* longest suffix first: "ms" before "m" and "s" */
static const struct unit dur_units[] = {
	{ "ns", 1ULL }, { "us", 1000ULL }, { "ms", 1000000ULL },
	{ "s", 1000000000ULL }, { "m", 60ULL * 1000000000ULL },
	{ "h", 3600ULL * 1000000000ULL }, { "d", 86400ULL * 1000000000ULL },
};

/* One "1.5h" term of a duration into *ns (added); advances *sp. Its unit
 * must be finer than *unit, the previous term's ("1h30m", not "30m1h" or
 * "1s1s"); *unit becomes its own. */
static int duration_term(const char **sp, __u64 *ns, size_t *unit, bool bare_ok)
{
	const char *s = *sp;
	__u64 ip, fp = 0, scale = 1, mult = 0;
	size_t u = 0;
	int nd, nf = 0;

	nd = parse_digits(&s, &ip);
	if (nd < 0)
		return -EINVAL;
	if (*s == '.') {
		s++;
		/* Fractions finer than a nanosecond cannot matter: keep 9 digits,
		 * but still require the rest to be digits. */
		for (; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf < 9) {
				fp = fp * 10 + (__u64)(*s - '0');
				scale *= 10;
			}
		}
	}
	if (nd == 0 && nf == 0)	/* "", ".", "ms", "-1" */
		return -EINVAL;
	for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++) {
		size_t l = strlen(dur_units[i].suffix);
		if (!strncmp(s, dur_units[i].suffix, l)) {
			mult = dur_units[i].mult;
			u = i;
			s += l;
			break;
		}
	}
	if (!mult) {		/* a bare number is seconds, alone only */
		if (!bare_ok || *s)
			return -EINVAL;
		mult = 1000000000ULL;
	}
	if (u >= *unit)
		return -EINVAL;
	__u64 v;
	*unit = u;
	if (__builtin_mul_overflow(ip, mult, &v) ||
	    __builtin_add_overflow(v, (__u64)((unsigned __int128)fp * mult / scale), &v) ||
	    __builtin_add_overflow(*ns, v, ns))
		return -EINVAL;
	*sp = s;
	return 0;
}

int parse_duration_ns(const char *s, __u64 *ns)
{
	__u64 sum = 0;
	size_t unit = sizeof(dur_units) / sizeof(dur_units[0]);
	bool first = true;

	if (!s || !ns || !*s)
		return -EINVAL;
	/* "90s", "1h30m", "1d12h", "1.5h", "2" (seconds) */
	while (*s) {
		if (duration_term(&s, &sum, &unit, first && !strpbrk(s, "nusmhd")))
			return -EINVAL;
		first = false;
	}
	*ns = sum;
	return 0;
}

int parse_size(const char *s, __u64 *out)
{
	static const char units[] = "kmgt";
	const char *u;
	__u64 v;
	int shift;

	if (!s || !out || parse_digits(&s, &v) <= 0)
		return -EINVAL;
	if (*s) {
		u = strchr(units, *s | 0x20);	/* k or K, m or M ... */
		if (!u || s[1])
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
	}
	*out = v;
	return 0;
}

static int parse_port(const char *s, int *port)
{
	__u64 v;

	if (parse_digits(&s, &v) <= 0 || *s || v < 1 || v > 65535)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

int parse_listen(const char *s, char *host, int hostlen, int *port)
{
	const char *colon, *h = "127.0.0.1", *p;
	size_t hl;

	if (!s || !host || hostlen <= 0 || !port || !*s)
		return -EINVAL;
	if (*s == '[') {
		/* "[::1]:9090": an IPv6 literal has colons of its own. */
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(colon - h);
		p = colon + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if (memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL;	/* bare IPv6 without brackets is ambiguous */
		hl = (size_t)(colon - s);
		if (hl)
			h = s;
		else
			hl = strlen(h);
		p = colon + 1;
	} else {
		hl = strlen(h);
		p = s;
	}
	if (hl == 0 || hl >= (size_t)hostlen || memchr(h, ' ', hl))
		return -EINVAL;
	if (parse_port(p, port))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	return 0;
}

int parse_vmstat_value(const char *text, const char *key, __s64 *val)
{
	size_t kl;
	const char *p;
	bool neg;
	__u64 v;

	if (!text || !key || !val || !(kl = strlen(key)))
		return -EINVAL;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) || (p[kl] != ' ' && p[kl] != '\t'))
			continue;
		p += kl + strspn(p + kl, " \t");
		neg = *p == '-';
		p += neg;
		if (parse_digits(&p, &v) <= 0 || (*p && *p != '\n' && *p != ' ') ||
		    v > (__u64)INT64_MAX)
			return -EINVAL;
		*val = neg ? -(__s64)v : (__s64)v;
		return 0;
	}
	return -ENOENT;	/* the kernel lacks this counter */
}

/* Zones list "spanned N" before "start_pfn: M"; a zone ends at M + N. */
/* Calls fn for every zone with pages of every node in a /proc/zoneinfo text:
 * its name ("Node 0, zone   Normal"; at most 15 bytes) and span. 0, -EINVAL. */
static int zoneinfo_each(const char *text, void (*fn)(void *, const char *, __u64, __u64), void *arg)
{
	__u64 spanned = 0, v;
	bool have_spanned = false;
	char name[16] = "";

	if (!text)
		return -EINVAL;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *l = p + strspn(p, " \t");
		if (!strncmp(l, "Node ", 5)) {
			const char *z = strstr(l, "zone");
			have_spanned = false;
			name[0] = 0;
			if (z && z < l + strcspn(l, "\n")) {
				z += 4 + strspn(z + 4, " \t");
				size_t zl = strcspn(z, " \t\n");
				snprintf(name, sizeof(name), "%.*s", (int)(zl < sizeof(name) ? zl : sizeof(name) - 1), z);
			}
		} else if (!strncmp(l, "spanned", 7) && (l[7] == ' ' || l[7] == '\t')) {
			l += 7 + strspn(l + 7, " \t");
			if (parse_digits(&l, &spanned) <= 0)
				return -EINVAL;
			have_spanned = true;
		} else if (!strncmp(l, "start_pfn:", 10) && have_spanned) {
			l += 10 + strspn(l + 10, " \t");
			if (parse_digits(&l, &v) <= 0 || v + spanned < v)
				return -EINVAL;
			if (spanned)
				fn(arg, name, v, v + spanned);
			have_spanned = false;
		}
	}
	return 0;
}

struct span_arg {
	const char *zone;	/* NULL: any */
	__u64 lo, hi;
};

static void span_of(void *arg, const char *name, __u64 start, __u64 end)
{
	struct span_arg *a = arg;
	if (a->zone && (!name[0] || strcasecmp(name, a->zone)))
		return;
	a->lo = start < a->lo ? start : a->lo;
	a->hi = end > a->hi ? end : a->hi;
}

int parse_zoneinfo_span(const char *text, const char *zone, __u64 *start, __u64 *end)
{
	struct span_arg a = { .zone = zone, .lo = ~0ULL, .hi = 0 };

	if (!start || !end || zoneinfo_each(text, span_of, &a))
		return -EINVAL;
	if (!a.hi)
		return -ENOENT;
	*start = a.lo;
	*end = a.hi;
	return 0;
}

struct zones_arg {
	struct pw_zone_span *out;
	int n, max;
};

static void zone_add(void *arg, const char *name, __u64 start, __u64 end)
{
	struct zones_arg *a = arg;
	if (!name[0] || a->n >= a->max)
		return;
	snprintf(a->out[a->n].name, sizeof(a->out[0].name), "%s", name);
	a->out[a->n].start = start;
	a->out[a->n].end = end;
	a->n++;
}

int parse_zoneinfo_zones(const char *text, struct pw_zone_span *out, int max)
{
	struct zones_arg a = { .out = out, .max = max };

	if (!out || max < 0 || zoneinfo_each(text, zone_add, &a))
		return -EINVAL;
	return a.n;
}

int parse_zoneinfo_max_pfn(const char *text, __u64 *max_pfn)
{
	__u64 lo;

	if (!max_pfn)
		return -EINVAL;
	return parse_zoneinfo_span(text, NULL, &lo, max_pfn);
}

/* a number in decimal or with 0x in hex, nothing after it */
static int parse_u64_any(const char *s, size_t len, __u64 *v)
{
	char buf[32], *end;

	if (!len || len >= sizeof(buf) || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	*v = strtoull(buf, &end, !strncasecmp(buf, "0x", 2) ? 16 : 10);
	return errno || *end || end == buf || (buf[1] == 'x' && !buf[2]) ? -EINVAL : 0;
}

int parse_range(const char *s, __u64 *first, __u64 *last)
{
	if (!s || !first || !last)
		return -EINVAL;
	const char *dash = strchr(s, '-');
	size_t l1 = dash ? (size_t)(dash - s) : strlen(s);
	if (parse_u64_any(s, l1, first))
		return -EINVAL;
	if (!dash) {
		*last = *first;
		return 0;
	}
	if (parse_u64_any(dash + 1, strlen(dash + 1), last) || *last < *first)
		return -EINVAL;
	return 0;
}

unsigned long parse_modules_hash(const char *text)
{
	unsigned long h = 5381;
	char name[128], addr[32];

	for (const char *line = text; line && *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		if (sscanf(buf, "%127s %*s %*s %*s %*s %31s", name, addr) == 2) {
			for (const char *p = name; *p; p++)
				h = h * 33 + (unsigned char)*p;
			for (const char *p = addr; *p; p++)
				h = h * 33 + (unsigned char)*p;
		}
		line = nl ? nl + 1 : NULL;
	}
	return h;
}

/* A line of text starting with key, or NULL. */
static const char *line_of(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl))
			return p + kl;
	return NULL;
}

int parse_status_kb(const char *text, const char *key, __u64 *bytes)
{
	const char *p;
	__u64 v;

	if (!text || !key || !*key || !(p = line_of(text, key)))
		return -ENOENT;
	if (*p++ != ':')
		return -EINVAL;
	p += strspn(p, " \t");
	if (parse_digits(&p, &v) <= 0 || strncmp(p, " kB", 3) || v > UINT64_MAX / 1024)
		return -EINVAL;
	*bytes = v * 1024;
	return 0;
}

int parse_limits_memlock(const char *text, __u64 *bytes)
{
	const char *p;
	__u64 v;

	if (!text || !(p = line_of(text, "Max locked memory")))
		return -ENOENT;
	p += strspn(p, " \t");
	if (!strncmp(p, "unlimited", 9) && (p[9] == ' ' || p[9] == '\t')) {
		*bytes = ~0ull;
		return 0;
	}
	if (parse_digits(&p, &v) <= 0 || (*p != ' ' && *p != '\t'))
		return -EINVAL;
	*bytes = v;
	return 0;
}

int parse_cgroup_v2(const char *text, char *path, size_t len)
{
	const char *p;
	size_t n;

	if (!text || !len || !(p = line_of(text, "0::")))
		return -ENOENT;
	n = strcspn(p, "\n");
	if (*p != '/' || n >= len)
		return -EINVAL;
	memcpy(path, p, n);
	path[n] = '\0';
	return 0;
}

int parse_stat_starttime(const char *text, __u64 *ticks)
{
	/* comm is in parentheses and may hold anything, ')' included: the
	 * fields start after the last ')'; starttime is field 22 */
	const char *p = text ? strrchr(text, ')') : NULL;

	if (!p)
		return -EINVAL;
	p++;
	for (int f = 3; f <= 22; f++) {
		if (*p != ' ')
			return -EINVAL;
		p++;
		if (f == 22)
			return parse_digits(&p, ticks) > 0 && (!*p || *p == ' ' || *p == '\n') ? 0 : -EINVAL;
		p += strcspn(p, " \n");
	}
	return -EINVAL;
}
