/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pwtest's shared parts: options, errors, buffers (pwtest.c), used by the
 * subcommands of pinners.c (real pinners without the test module).
 */
#ifndef PWTEST_H
#define PWTEST_H
#include <stdbool.h>
#include <stdint.h>

#include "pinwatch_test.h"

#define PG      4096UL
#define HPAGE   (2UL << 20)
#define MAX_PAGES (PWT_MAX_BYTES / PG)

struct opts {
	const char *api, *release, *dev, *file;	/* file: --file, its pages over the buffer */
	long pages, iters, hold_ms, busy;	/* busy: --busy N, irq-unpin --release timer */
	long punch;				/* --punch K: page K of a THP buffer replaced, -1 if none */
	long irq_pages, marked;			/* irq-free --irq-pages K --marked M */
	long threads;				/* gup-threads --threads N */
	const char *groups;			/* vfio --groups G1[,G2] */
	long containers;			/* vfio --containers 1|2 */
	long uid;				/* uring --uid N, -1 if none */
	bool longterm, readonly, thp, write, hole, alias, time, fresh, hugetlb;
};

void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);
int64_t now_ns(void);
const char *elapsed(const struct opts *o, int64_t t0);
void parse_opts(int argc, char **argv, struct opts *o, const char *allowed);
void sleep_ms(long ms);
void *alloc_buf(long npages, bool thp);
/* the index of s in names[] (the value of --what), or die */
int lookup(const char *const *names, int n, const char *what, const char *s);
#define LOOKUP(names, what, s) lookup(names, sizeof(names) / sizeof(names[0]), what, s)
int open_dev(void);
int pin_batch(int fd, uint32_t api, void *addr, long npages, int64_t *acquired);			/* /dev/pinwatch_test, or die */
void alias_buf(char *buf, long npages);	/* --alias: one page npages times */

/* move.c */
int cmd_move(int argc, char **argv);
/* unmovable.c: keep the kernel's allocations out of a freed range */
int cmd_unmovable(int argc, char **argv);

/* witness.c: pinners the accounting view holds against VmPin/VmLck */
int cmd_xdp(int argc, char **argv);
int cmd_vfio(int argc, char **argv);

/* pinners.c */
int cmd_pvm(int argc, char **argv);
int cmd_uring(int argc, char **argv);
int cmd_odirect(int argc, char **argv);
int cmd_udmabuf(int argc, char **argv);
/* irq.c: the module's hardirq workloads */
int cmd_irq_unpin(int argc, char **argv);
int cmd_irq_free(int argc, char **argv);
/* threads.c: threads asleep inside GUP together */
int cmd_gup_threads(int argc, char **argv);
/* pty.c: a terminal for `pinwatch top` */
int cmd_pty(int argc, char **argv);
#endif
