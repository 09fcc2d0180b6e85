/* SPDX-License-Identifier: GPL-2.0 */
/* --folded FILE: stacks in the folded format of flamegraph.pl (src/folded.c). */
#ifndef PW_FOLDED_H
#define PW_FOLDED_H
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

struct folded_line {
	char *stack;	/* "pinned;pwtest;entry_SYSCALL_64;...;pin_user_pages_fast" */
	__u64 count;
};
struct folded {
	struct folded_line *lines;
	size_t n;
};

/* One stack: what is counted ("pinned", a finding's kind), the process, and
 * frames as report_symbolize() makes them, leaf first. 0 or -ENOMEM. */
int folded_add(struct folded *f, const char *what, const char *comm, char *const *frames, int n,
	       __u64 count);
struct pw_view;
struct ksyms;
/* The pins the mirror v holds now, "pinned" by (process, acquiring stack):
 * each stack symbolized once with ks (NULL: hex frames), pages counted as
 * the holder gauges count them. 0 or -errno. */
int folded_add_pins(struct folded *f, const struct pw_view *v, const struct ksyms *ks);
/* Sorted, equal stacks summed, zero counts left out. */
int folded_write(FILE *out, struct folded *f);
/* The same into path through a temporary file renamed over it. 0 or -errno. */
int folded_write_file(const char *path, struct folded *f);
/* --folded's end: f written to path unless err (from building it) says
 * otherwise, one line on stderr when either failed, f freed. */
void folded_finish(const char *path, struct folded *f, int err);
void folded_free(struct folded *f);
#endif
