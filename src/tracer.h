/* SPDX-License-Identifier: GPL-2.0 */
/* open -> configure -> load -> attach -> drain of the pinwatch BPF skeleton. */
#ifndef PW_TRACER_H
#define PW_TRACER_H
#include <stdbool.h>
#include <linux/types.h>
#include "probe.h"
#include "report.h"
#include "view.h"

struct tracer;

struct tracer_opts {
	__u64 max_pages;	/* pfns the mirror covers, 0 = this machine's (zoneinfo) */
	bool filter_tree;	/* run mode: report only the traced process tree */
	/* called for every new finding group announced on the ring buffer */
	void (*on_new)(void *arg, const struct pw_finding_key *k);
	/* called for every range the kernel failed to isolate (bpf/blocked.bpf.c) */
	void (*on_blocked)(void *arg, const struct pw_block_event *e);
	void *arg;
};

/* Returns NULL with a one-line reason in err. */
/* Returns NULL with a one-line reason in err; when an attach failed, failed_sym
 * (64 bytes) names the symbol and failed_err its -errno (failed_sym[0] = 0 else). */
struct tracer *tracer_open(const struct pw_plan *plan, const struct tracer_opts *o,
			   char *err, size_t errlen, char failed_sym[64], int *failed_err);
void tracer_close(struct tracer *t);
int tracer_add_tgid(struct tracer *t, __u32 tgid);
int tracer_poll(struct tracer *t, int timeout_ms);
/* Check the mirror against the kernel (put_instead_of_unpin); with final every
 * remaining pin is a leak; with max_age_ns older pins are. */
int tracer_audit(struct tracer *t, __u64 max_age_ns, bool final);
void tracer_stats(struct tracer *t, __u64 out[PW_S__MAX]);
/* Runs of pinwatch's programs the kernel skipped: recursion_misses (the
 * program was already running on that CPU when an interrupt hit its hook
 * again), plus a kprobe's own misses (6.7+; 6.1 counts neither for kprobes).
 * Not pw_page_free's: those lose no pin (tracer_page_free_missed). */
__u64 tracer_missed_runs(struct tracer *t);
/* Runs of the mm_page_free hook the kernel skipped, and how many times the
 * marks they left stale were swept since (the last sweep done now). */
void tracer_page_free_missed(struct tracer *t, __u64 *missed, __u64 *sweeps);
/* All finding groups with their raw stacks; caller frees *out. */
int tracer_findings(struct tracer *t, struct pw_raw_finding **out, int *n);
/* A finding userspace made (long-term pins in Movable memory) into the findings
 * map, so every reader counts it as it counts the BPF ones: a new key goes to
 * on_new; a known one keeps its first time and its largest pages and pins.
 * 0, or -errno (-E2BIG: the map is full). */
int tracer_put_finding(struct tracer *t, const struct pw_finding_key *k, const struct pw_finding_val *v);
bool tracer_filters_tree(const struct tracer *t);
/* Pages and pins the mirror holds now (reportable entries only). */
void tracer_pinned(struct tracer *t, __u64 *pages, __u64 *pins);
/* Every reportable mirror entry (key: folio), for per-holder metrics; caller
 * frees *out. */
int tracer_pins(struct tracer *t, struct pw_pin **out, int *n);
/* The raw ips of a stack id from the stacks map; returns the frame count. */
int tracer_stack(struct tracer *t, __s32 id, __u64 ips[PW_STACK_DEPTH]);
__u64 tracer_capacity(struct tracer *t);
/* The mirror, holders and stacks, for readers (valid until tracer_close) */
const struct pw_view *tracer_view(struct tracer *t);
/* The mirror's and the holders' map fds, for a client to mmap (src/share.c) */
void tracer_map_fds(struct tracer *t, int *mirror, int *holders);	/* pfns the mirror covers */
/* The verifier's work on each loaded program: instructions processed
 * (bpf_prog_info.verified_insns, 5.16+), against its limit of 1,000,000. */
#define PW_VERIFIER_LIMIT 1000000
struct pw_prog_stat {
	char name[64];
	__u32 insns;
};
int tracer_verifier_stats(struct tracer *t, struct pw_prog_stat *out, int max);
/* symbol -> mode list for the report ("fentry", "fexit", "kprobe", ...) */
int tracer_attach_list(struct tracer *t, struct pw_attach **out);
/* 0 when the maps can be read with the current capabilities (privs_drop) */
int tracer_check_access(void *tracer);
__u64 pw_now_ns(void);	/* CLOCK_BOOTTIME, as bpf_ktime_get_boot_ns() */
#endif
