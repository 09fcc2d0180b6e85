// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbolization from /proc/kallsyms ("addr type name[\t[module]]").
 *
 * The whole file is read into one buffer and parsed in place: names and
 * module names point into it, so a 200k-line kallsyms costs one allocation
 * for the text plus two arrays. Lookups by address use only text symbols
 * (data symbols between functions would otherwise swallow return addresses);
 * lookups by name use every symbol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "src/ksyms.h"

/* No kernel function is this long: an address further than this past the
 * nearest symbol lies in a gap (vmalloc, unlisted BPF/trampoline memory), and
 * naming it after that symbol would be a lie. */
#define KSYM_MAX_DIST (1ULL << 20)

struct ksyms {
	char *buf;
	struct ksym *text;	/* text symbols sorted by address */
	size_t n_text;
	struct ksym *all;	/* every symbol sorted by name */
	size_t n_all;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Aliases at one address (_text/_stext): a stable name order, so the
	 * chosen name does not depend on qsort's whims. */
	return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool is_text_type(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

/* Read everything from f (closed here). */
static char *read_stream(FILE *f)
{
	size_t cap = 1 << 20, len = 0, n;
	char *buf = NULL, *nb;

	if (!f)
		return NULL;
	/* /proc files report size 0, so grow instead of trusting stat(). */
	for (;;) {
		nb = realloc(buf, cap + 1);
		if (!nb)
			goto fail;
		buf = nb;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap) {
			if (ferror(f))
				goto fail;
			break;
		}
		cap *= 2;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	fclose(f);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

/* Parse one line in place. Returns false for lines to skip (malformed or a
 * zero address: unprivileged readers see every address as 0). */
static bool parse_line(char *line, struct ksym *s, char *type)
{
	char *p = line, *end;

	s->addr = strtoull(p, &end, 16);
	if (end == p || (*end != ' ' && *end != '\t') || s->addr == 0)
		return false;
	p = end + 1;
	if (!*p || (p[1] != ' ' && p[1] != '\t'))
		return false;
	*type = *p;
	p += 2;
	s->name = p;
	p += strcspn(p, " \t");
	s->module = NULL;
	if (*p) {
		*p++ = '\0';
		p += strspn(p, " \t");
		if (*p == '[') {
			s->module = ++p;
			p[strcspn(p, "]")] = '\0';
		}
	}
	return *s->name != '\0';
}

/* Parse buf (NUL-terminated, owned by the result from now on, freed on error). */
static struct ksyms *ksyms_from_buf(char *buf)
{
	struct ksyms *ks;
	size_t lines = 1;
	char *p, *nl, type;
	struct ksym s;
	int err;

	if (!buf)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		free(buf);
		return NULL;
	}
	ks->buf = buf;
	for (p = ks->buf; *p; p++)
		lines += *p == '\n';
	ks->text = malloc(lines * sizeof(*ks->text));
	ks->all = malloc(lines * sizeof(*ks->all));
	if (!ks->text || !ks->all)
		goto fail;
	for (p = ks->buf; *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (!parse_line(p, &s, &type))
			continue;
		ks->all[ks->n_all++] = s;
		if (is_text_type(type))
			ks->text[ks->n_text++] = s;
	}
	if (ks->n_all == 0) {
		/* Empty or all-zero (unprivileged) kallsyms: useless, say so. */
		errno = EPERM;
		goto fail;
	}
	qsort(ks->text, ks->n_text, sizeof(*ks->text), cmp_addr);
	qsort(ks->all, ks->n_all, sizeof(*ks->all), cmp_name);
	return ks;
fail:
	err = errno;
	ksyms_free(ks);
	errno = err ? err : ENOMEM;
	return NULL;
}

struct ksyms *ksyms_load(const char *path)
{
	return ksyms_from_buf(read_stream(fopen(path, "re")));
}

struct ksyms *ksyms_load_fd(int fd)
{
	int d;
	FILE *f;

	/* /proc/kallsyms shows addresses by the opener's credentials, so an fd
	 * opened while privileged still reads them after privileges are dropped */
	if (lseek(fd, 0, SEEK_SET) < 0 || (d = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return NULL;
	f = fdopen(d, "r");
	if (!f) {
		close(d);
		return NULL;
	}
	return ksyms_from_buf(read_stream(f));
}

struct ksyms *ksyms_parse(const char *text, size_t len)
{
	char *buf = malloc(len + 1);

	if (!buf)
		return NULL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return ksyms_from_buf(buf);
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->text);
	free(ks->all);
	free(ks->buf);
	free(ks);
}

const struct ksym *ksyms_find(const struct ksyms *ks, __u64 addr)
{
	size_t lo = 0, hi, mid;
	const struct ksym *s;

	if (!ks || ks->n_text == 0 || addr < ks->text[0].addr)
		return NULL;
	/* Find the last symbol with s->addr <= addr. */
	hi = ks->n_text;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ks->text[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s = &ks->text[lo];
	if (addr - s->addr > KSYM_MAX_DIST)
		return NULL;
	return s;
}

const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name)
{
	struct ksym key = { .name = name };

	if (!ks || !name)
		return NULL;
	return bsearch(&key, ks->all, ks->n_all, sizeof(key), cmp_name);
}

char *ksyms_format(const struct ksyms *ks, __u64 addr, char *buf, size_t len)
{
	const struct ksym *s = ksyms_find(ks, addr);

	if (!s)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (s->module)
		snprintf(buf, len, "%s+0x%llx [%s]", s->name,
			 (unsigned long long)(addr - s->addr), s->module);
	else
		snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	return buf;
}
