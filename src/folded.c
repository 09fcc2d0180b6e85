// SPDX-License-Identifier: GPL-2.0
/*
 * --folded FILE: pins held at the end and findings by acquiring stack, in
 * the folded format flamegraph.pl and speedscope read (bcc's profile -f):
 * one line per stack, frames from the root to the leaf joined by ';', then
 * a space and the count. The first frame says what is counted: "pinned"
 * (pages held when tracing ended) or a finding's kind (its pins); the second
 * is the process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "folded.h"
#include "atomicfile.h"
#include "report.h"
#include "view.h"

int folded_add(struct folded *f, const char *what, const char *comm, char *const *frames, int n,
	       __u64 count)
{
	size_t len = strlen(what) + strlen(comm) + 2;
	for (int i = 0; i < n; i++)
		len += strlen(frames[i]) + 1;
	char *line = malloc(len + 1), *p = line;
	if (!line)
		return -ENOMEM;
	p += sprintf(p, "%s;%s", what, comm);
	/* frames[0] is the leaf; a frame loses its offset ("+0x4f"), so calls
	 * from one function fold together, and ';' (the separator) */
	for (int i = n - 1; i >= 0; i--) {
		const char *fr = frames[i], *off = strstr(fr, "+0x"), *mod = strchr(fr, ' ');
		size_t fl = off ? (size_t)(off - fr) : strcspn(fr, " ");
		*p++ = ';';
		for (size_t k = 0; k < fl; k++)
			*p++ = fr[k] == ';' ? ':' : fr[k];
		if (mod)
			p += sprintf(p, "%s", mod);
	}
	*p = '\0';
	for (char *c = line; *c; c++)	/* comm is the process's choice */
		if ((unsigned char)*c < 0x20)
			*c = '?';
	struct folded_line *nl = realloc(f->lines, (f->n + 1) * sizeof(*nl));
	if (!nl) {
		free(line);
		return -ENOMEM;
	}
	f->lines = nl;
	f->lines[f->n++] = (struct folded_line){ line, count };
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->stack, ((const struct folded_line *)b)->stack);
}

static int cmp_pin_stack(const void *a, const void *b)
{
	const struct pw_pin *x = a, *y = b;
	if (x->h.stack_id != y->h.stack_id)
		return x->h.stack_id < y->h.stack_id ? -1 : 1;
	return strncmp(x->h.comm, y->h.comm, PW_COMM_LEN);
}

int folded_add_pins(struct folded *f, const struct pw_view *v, const struct ksyms *ks)
{
	struct pw_pin *pins = NULL;
	char **frames = NULL;
	int n = 0, nf = 0, err = view_pins(v, &pins, &n);

	qsort(pins, n, sizeof(*pins), cmp_pin_stack);
	for (int i = 0; !err && i < n; i++) {
		const struct pw_pin *p = &pins[i];
		if (!i || p->h.stack_id != pins[i - 1].h.stack_id) {
			__u64 ips[PW_STACK_DEPTH];
			int k = p->h.stack_id >= 0 ? view_stack(v, p->h.stack_id, ips) : 0;
			report_free_frames(frames, nf);
			frames = NULL;
			nf = 0;
			if (k)
				report_symbolize(ks, ips, k, &frames, &nf);
		}
		err = folded_add(f, "pinned", p->h.comm, frames, nf, p->pins < p->nr_pages ? p->pins : p->nr_pages);
	}
	report_free_frames(frames, nf);
	free(pins);
	return err;
}

/* Lines sorted by folded_sort: one line per stack, equal ones (other
 * offsets) summed */
static int write_sorted(FILE *out, const void *arg)
{
	const struct folded *f = arg;

	for (size_t i = 0; i < f->n; i++) {
		__u64 c = f->lines[i].count;
		while (i + 1 < f->n && !strcmp(f->lines[i].stack, f->lines[i + 1].stack))
			c += f->lines[++i].count;
		if (c)
			fprintf(out, "%s %llu\n", f->lines[i].stack, (unsigned long long)c);
	}
	return fflush(out) || ferror(out) ? -EIO : 0;
}

int folded_write(FILE *out, struct folded *f)
{
	qsort(f->lines, f->n, sizeof(*f->lines), cmp_line);
	return write_sorted(out, f);
}

int folded_write_file(const char *path, struct folded *f)
{
	qsort(f->lines, f->n, sizeof(*f->lines), cmp_line);
	return atomic_write(path, write_sorted, f);
}

void folded_finish(const char *path, struct folded *f, int err)
{
	if (!err)
		err = folded_write_file(path, f);
	if (err)
		fprintf(stderr, "pinwatch: cannot write --folded %s: %s\n", path, strerror(-err));
	folded_free(f);
}

void folded_free(struct folded *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->lines[i].stack);
	free(f->lines);
	f->lines = NULL;
	f->n = 0;
}
