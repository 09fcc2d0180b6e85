/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting view: physical pinned memory per process and per cgroup,
 * beside what the kernel charges for it. The kernel keeps three counters,
 * each checked against RLIMIT_MEMLOCK on its own: mm->pinned_vm (VmPin:
 * RDMA ib_umem, io_uring, perf), mm->locked_vm (VmLck: VFIO type1 per
 * container, iommufd, and mlock()) and user->locked_vm (io_uring, AF_XDP,
 * iommufd; no /proc file shows it). The mirror counts each page frame once.
 *
 * A pin belongs to the process that made the GUP call (the mirror's holder
 * tgid). It stays with that process through fork (the child gets copies,
 * not the pinned pages) and after it exits: a ring, container or socket
 * that outlives its process keeps the pins under the old pid, shown as
 * exited. Plain data and callbacks, so it is tested on the host.
 */
#ifndef PW_ACCOUNTING_H
#define PW_ACCOUNTING_H
#include <stdbool.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"

#define PW_CGROUP_LEN		512	/* k8s and rootless podman paths pass 128 */
#define PW_UNLIMITED		(~0ull)
/* Charges above the physical pinned bytes by more than this are a finding:
 * the page-granular counters and a snapshot taken mid-registration differ
 * by less. */
#define PW_CHARGE_SLACK		(1ull << 20)

enum pw_acct_kind {
	PW_A_NOT_CHARGED = 0,	/* long-term pins, VmPin and VmLck both 0 */
	PW_A_NOT_PINNED,	/* VmPin or VmLck above the pinned bytes + slack */
	PW_A__MAX
};
const char *pw_acct_kind_name(int kind);

/* What /proc says of one process. */
struct pw_proc_acct {
	bool alive;		/* /proc/PID read, and it is the process that pinned */
	__u64 start_ns;		/* boot clock */
	__u64 vmpin, vmlck;	/* bytes */
	__u64 memlock;		/* soft RLIMIT_MEMLOCK in bytes, PW_UNLIMITED */
	char cgroup[PW_CGROUP_LEN];	/* cgroup v2 path, "" unknown */
	char comm[PW_COMM_LEN];		/* /proc/PID/comm: the process's, not a thread's */
};

struct pw_owner_stat {
	__u32 tgid;		/* 0: a lost holder (comm "?"), or "other" */
	bool other;		/* the processes past the top k */
	char comm[PW_COMM_LEN];
	__u64 pages[2];		/* pinned page frames now, [long-term] */
	__u64 folio_pages;	/* pages of the folios those pins hold whole */
	__u64 first_pin_ns;	/* its oldest pin's acquire time, boot clock */
	struct pw_proc_acct proc;
	unsigned findings;	/* 1 << enum pw_acct_kind */
	int n_procs;		/* processes folded in (1, more for "other") */
};

struct pw_cgroup_stat {
	char path[PW_CGROUP_LEN];	/* "(exited)": owners gone; "other" */
	__u64 pages[2];
	__u64 vmpin, vmlck;		/* summed over its processes with pins */
	__s64 memory_current;		/* bytes, -1 unknown */
	int n_procs;
};

struct pw_acct {
	struct pw_owner_stat *owners;	/* pages desc; after acct_topk: K + "other" */
	int n_owners;
	struct pw_cgroup_stat *cgroups;
	int n_cgroups;
	__u64 flagged[PW_A__MAX];	/* processes with each finding (all, not only top k) */
};

/* Where the /proc side comes from (src/procacct.c; fakes in the unit tests). */
struct pw_acct_source {
	/* false when the process is gone */
	bool (*proc)(void *ctx, __u32 tgid, struct pw_proc_acct *out);
	/* every live process with VmPin > 0 (charged, maybe holding no pins):
	 * calls add for each; may be NULL */
	void (*charged)(void *ctx, void (*add)(void *arg, __u32 tgid, const char *comm), void *arg);
	/* memory.current of a cgroup v2 path, -1 unknown */
	__s64 (*memory_current)(void *ctx, const char *path);
	void *ctx;
};

/* Pinned page frames per acquiring process (pins may be re-sorted). */
int acct_collect(struct pw_acct *a, struct pw_pin *pins, int n);
/* Reads /proc for each owner (and charged processes without pins), sets the
 * findings and builds the cgroup rows. Charges are judged only for processes
 * with long-term pins started after tracing began (start_ns), and only when
 * the mirror lost no pin (complete). */
int acct_account(struct pw_acct *a, const struct pw_acct_source *src, __u64 start_ns,
		 __u64 page_size, bool complete);
/* Sort by pages (desc), keep k processes and k cgroups, fold the rest into
 * "other" (always present). */
int acct_topk(struct pw_acct *a, int k);
void acct_free(struct pw_acct *a);
#endif
