/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Does this kernel preempt tasks inside the kernel (preempt=full, lazy, RT)?
 * There fentry/fexit programs run preemptible, pinned to their CPU, and a
 * program preempted mid-run leaves its per-CPU "running" mark up: the kernel
 * then skips that program for every other task on the CPU until it resumes
 * (measured in the 6.12 VM with preempt=full: three pinning tasks on one
 * CPU, two thirds of their calls skipped). kprobe handlers run with
 * preemption off and lose nothing, so `--attach auto` prefers them here.
 */
#ifndef PW_PREEMPT_H
#define PW_PREEMPT_H
#include <stdbool.h>
#include <stddef.h>

struct pw_preempt {
	bool known;		/* some source said */
	bool full;		/* tasks are preempted in the kernel (full, lazy, rt) */
	char model[16];		/* "none", "voluntary", "full", "lazy", "rt" */
	char source[48];	/* where it was read */
};

/* The parsers, each true when the text names a model (pure: unit-tested).
 * /sys/kernel/debug/sched/preempt: "none voluntary (full) lazy" */
bool preempt_from_debugfs(const char *text, struct pw_preempt *p);
/* /proc/cmdline: "... preempt=full ..." (honoured by PREEMPT_DYNAMIC kernels) */
bool preempt_from_cmdline(const char *text, struct pw_preempt *p);
/* a kernel config: CONFIG_PREEMPT_RT=y, CONFIG_PREEMPT_LAZY=y, CONFIG_PREEMPT=y, ... */
bool preempt_from_config(const char *text, struct pw_preempt *p);

/* This machine's: the debugfs file if readable, else the command line, else
 * /boot/config-$(uname -r). Unknown leaves known false. */
void preempt_detect(struct pw_preempt *p);
#endif
