/* SPDX-License-Identifier: GPL-2.0 */
/* The long-running tracer behind `serve` and `top`: a live-mode session that
 * turns the BPF maps into a struct pw_snapshot every interval. */
#ifndef PW_MONITOR_H
#define PW_MONITOR_H
#include "session.h"
#include "metrics.h"
#include "share.h"

struct pagescan;

struct monitor {
	struct session s;
	struct pw_options *o;
	char known[PW_TOPK_MAX][PW_HOLDER_LEN];	/* holders exported last time */
	int n_known;
	unsigned long modules_hash;		/* /proc/modules when kallsyms was read */
	struct pw_blocked_stat blocked[PW_BLOCKED_MAX];	/* since start (blocked_count) */
	int n_blocked;
	bool log_blocked;			/* each blocked range on stderr (serve) */
};

/* session_start for the whole host; 0 or the exit status to leave with. */
int monitor_start(struct monitor *m, struct pw_options *o);
/* Audit the mirror, then read it: holders (top-K + other), findings, counters. */
int monitor_snapshot(struct monitor *m, struct pw_snapshot *snap);
void monitor_end(struct monitor *m);

/* top next to a running serve or live session: its maps, read in place
 * (src/share.h), instead of a session of its own. */
struct monitor_client {
	struct pw_view view;
	struct pw_share_info info;
	struct ksyms *ks;
	unsigned long modules_hash;
	char known[PW_TOPK_MAX][PW_HOLDER_LEN];
	int n_known;
	struct pw_zone_map cma;
};
/* The same snapshot from the session's maps: holders, counters, findings by
 * kind (the session's suppressions not applied), no attach list. */
int client_snapshot(struct monitor_client *c, int top_k, struct pw_snapshot *snap);

#endif
