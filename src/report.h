/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report model: what the tracer hands to the text/JSON writers. It holds
 * no libbpf types, so host unit tests can build one from a recorded stream.
 */
#ifndef PW_REPORT_H
#define PW_REPORT_H
#include <stdio.h>
#include <stdbool.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"
#include "src/vmstat.h"
#include "src/names.h"

struct ksyms;
struct suppressions;

/* A raw finding as read from the BPF findings map, plus its stacks (raw ips). */
struct pw_raw_finding {
	struct pw_finding_key key;
	struct pw_finding_val val;
	int n_acq, n_rel;
	__u64 acq_ips[PW_STACK_DEPTH];
	__u64 rel_ips[PW_STACK_DEPTH];
};

/* A reported group: findings with the same (kind, acquiring stack, releasing
 * stack) after symbolization, merged. Frames are owned strings. */
struct pw_group {
	enum pw_kind kind;
	__u64 pages, pins;
	bool longterm;
	bool foll_get;		/* acquired with FOLL_GET (get_user_pages*) */
	char api[24];		/* refined: pin_user_pages_fast, io_uring, o_direct ... */
	char comm[PW_COMM_LEN];
	__u32 pid, tgid;
	char rel_comm[PW_COMM_LEN];
	__u32 rel_tgid;
	double age_s;		/* age of the oldest pin at report time (0 if unknown) */
	int n_acq, n_rel;
	char **acq;		/* "pwt_pin_fast+0x4f [pinwatch_test]" */
	char **rel;
	bool suppressed;
	int n_merged;		/* raw findings merged into this group (>= 1) */
};

struct pw_attach {
	char symbol[64];
	char mode[16];		/* "fentry", "fexit", "kprobe", "kretprobe", "tp_btf" */
};

/* A range that failed to offline or allocate while tracing (src/blocked.h),
 * as the report keeps it: what asked, and the first holder groups of its
 * busy pages. */
#define PW_BLOCKED_HOLDERS	4
#define PW_REPORT_BLOCKED_MAX	256	/* kept per report; later ones are counted */
struct pw_blocked_rec {
	char what[16];		/* "offline", "cma", "hugepage", "contig" */
	__u64 start_pfn, end_pfn, busy_pfn;
	int err;		/* -errno (offline), -EBUSY (isolation), 0 (migration) */
	char reason[32];	/* migration: what asked it ("move_pages/migrate_pages"...) */
	__u32 pid;		/* the task that asked */
	char comm[PW_COMM_LEN];
	__u32 repeats;		/* failures of the range folded into this one */
	double at_s;		/* since tracing began */
	int n_holders, more_holders;
	struct {
		char verdict[32];	/* why_verdict_name() */
		char holder[96];
		char comm[PW_COMM_LEN];
		__u32 pid;
		__u64 pages;
	} holders[PW_BLOCKED_HOLDERS];
};

struct pw_report {
	char kernel[128];	/* uname -r */
	struct pw_attach *attach; int n_attach;
	struct pw_group *groups; int n_groups;
	/* totals */
	__u64 pins_acquired, pins_released, pages_pinned_at_end;
	__u64 preexisting_released;
	/* the kernel's own counters over the traced window, and pinwatch's view of them */
	__s64 nr_foll_pin_acquired_delta, nr_foll_pin_released_delta;
	__u64 seen_acquired_all, seen_released_all, seen_nostat_acquired;
	__u64 stacks_reused;	/* GUP calls whose stack id was reused, not unwound */
	/* losses: a report with any of these is incomplete */
	__u64 dropped_pages, dropped_findings, dropped_stacks, dropped_events;
	__u64 dropped_runs;	/* hook runs the kernel skipped (tracer_missed_runs) */
	__u64 lost_exits;	/* GUP calls whose exit hook was missed, found later */
	/* not a loss: mm_page_free runs the kernel skipped lose no pin (the audit
	 * checks pinned pages), only marks, swept this many times (cells cleared) */
	__u64 page_free_missed, marks_sweeps, marks_swept;
	__u64 suppressed;	/* groups removed by suppressions */
	struct pw_blocked_rec *blocked; int n_blocked;
	__u64 blocked_dropped;	/* beyond PW_REPORT_BLOCKED_MAX */
	__u64 blocked_lost;	/* blocked-range events the ring buffer lost */
	double duration_s;
	bool incomplete;	/* set by report_finish() when anything was dropped */
};

/* Build groups from raw findings: symbolize with ks (may be NULL: hex frames),
 * refine api names from the stacks, merge equal (kind, acq, rel) groups, apply
 * suppressions (may be NULL), sort (kind, then pins desc). now_ns: boot clock. */
int report_add_findings(struct pw_report *r, const struct pw_raw_finding *raw, int n,
			const struct ksyms *ks, const struct suppressions *sup, __u64 now_ns);
void report_finish(struct pw_report *r);
/* One raw stack symbolized as reports show it (tracer frames stripped), for
 * callers that name holders (src/holders.c); free with report_free_frames(). */
int report_symbolize(const struct ksyms *ks, const __u64 *ips, int n, char ***out, int *nout);
void report_free_frames(char **v, int n);
/* The API that took a pin, named by what called GUP when the stack says
 * (io_uring, o_direct, ...), else base (pw_api_name) */
const char *report_refine_api(const char *base, char *const *frames, int n);
void report_free(struct pw_report *r);

/* Totals from the BPF counters (enum pw_stat, summed over CPUs) and the
 * kernel's vmstat window; dropped_runs lacks the programs' own misses. */
void report_counts(struct pw_report *r, const __u64 st[PW_S__MAX], const struct pw_vmstat *before,
		   const struct pw_vmstat *after);

/* Number of unsuppressed groups that are bugs (everything but preexisting). */
int report_bug_count(const struct pw_report *r);

/* Writers. Text is LeakSanitizer-style and ends with one "SUMMARY: pinwatch: ..." line. */
void report_text(FILE *out, const struct pw_report *r);
int report_json(FILE *out, const struct pw_report *r);	/* one JSON document */


/* Exit status of `pinwatch run`: cmd_status when clean, error_exitcode when
 * there are findings or the report is incomplete (drops). */
int report_exit_code(const struct pw_report *r, int cmd_status, int error_exitcode);

#define PW_EXIT_FINDINGS_DEFAULT 23
#define PW_EXIT_USAGE		 2
#define PW_EXIT_UNSUPPORTED	 77
#endif
