/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitoring model (serve, top, --textfile): one snapshot of the tracer's
 * state per interval. Plain data, no libbpf types, so the exposition, JSON and
 * table writers are tested on the host from recorded snapshots.
 */
#ifndef PW_METRICS_H
#define PW_METRICS_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"
#include "src/report.h"
#include "src/parse.h"
#include "src/accounting.h"

#define PW_METRICS_SCHEMA	1	/* schema_version of the --json stream */
#define PW_TOPK_DEFAULT		10	/* holders exported by name; the rest is "other" */
#define PW_TOPK_MAX		100
#define PW_HOLDER_LEN		96	/* "module:function" */
#define PW_HOLDER_PROCS		4	/* processes named per holder (JSON, top) */
#define PW_AGE_BUCKETS		8	/* finite buckets of the pin-age histogram */

/* Upper bounds (seconds) of the pin-age histogram: 1s .. 1d. */
extern const double pw_age_bounds[PW_AGE_BUCKETS];

struct pw_proc {
	__u32 tgid;
	char comm[PW_COMM_LEN];
};

/* Pins held now, by the first kernel frame outside GUP that took them.
 * Arrays are indexed by long-term (FOLL_LONGTERM): [0] no, [1] yes. */
#define PW_ZONE_NAMES		8	/* distinct zone names exported */
struct pw_holder_stat {
	char name[PW_HOLDER_LEN];	/* "pinwatch_test:pwt_pin_plain", "other", "unknown" */
	__u64 pages[2], pins[2];
	__u64 zone_pages[PW_ZONE_NAMES][2];	/* by pw_snapshot.zones slot, [longterm] */
	double oldest_s[2];		/* age of the oldest pin, 0 if none */
	struct pw_proc procs[PW_HOLDER_PROCS];
	int n_procs;
	bool more_procs;		/* more processes than procs[] names */
};

/* Ranges that failed to offline or allocate (src/blocked.h), counted per
 * event and holder group of its busy pages. At most PW_BLOCKED_MAX series;
 * past them holders fold into "other". */
#define PW_BLOCKED_MAX		64
struct pw_blocked_stat {
	char what[16];			/* "offline", "cma", "hugepage", "contig" */
	char holder[PW_HOLDER_LEN];	/* of the busy pages; "none": nothing held them */
	bool longterm;
	__u64 count;
};

/* Where pinned pages sit: the zones of /proc/zoneinfo (every node) and the
 * CMA areas (named "CMA"); a pfn belongs to the narrowest span holding it
 * (ZONE_MOVABLE inside Normal's span, a CMA area inside its zone). */
#define PW_ZONES_MAX		32
struct pw_zone_map {
	struct pw_zone_span z[PW_ZONES_MAX];
	int n;
};

struct pw_snapshot {
	char version[32], kernel[128];
	double time_s;			/* wall clock (JSON "time") */
	double uptime_s;		/* since tracing started */
	__u64 page_size;
	struct pw_holder_stat *holders;	/* pages desc; after holders_topk: K + "other" */
	int n_holders;
	/* pages pinned now, by age: cumulative le buckets, +Inf = age_count */
	__u64 age_le[PW_AGE_BUCKETS], age_count;
	double age_sum_s, oldest_s;
	__u64 pins_acquired, pins_released, preexisting_released;
	__u64 findings[PW_K__MAX];	/* finding groups, by kind (suppressed excluded) */
	__u64 finding_pins[PW_K__MAX];
	__u64 suppressed;
	__u64 mirror_entries, mirror_capacity;
	__u64 dropped_pages, dropped_findings, dropped_stacks, dropped_events, dropped_runs;
	__u64 page_free_missed;	/* mm_page_free runs skipped: no loss (pw_report) */
	__u64 lost_exits;	/* GUP exits missed, found later (pw_report) */
	bool vmstat_ok;
	__s64 kernel_acquired, kernel_released;	/* absolute /proc/vmstat values */
	__s64 drift_acquired, drift_released;	/* kernel delta since start - pinwatch's count */
	struct pw_attach *attach;
	int n_attach;
	struct pw_blocked_stat blocked[PW_BLOCKED_MAX];
	int n_blocked;
	struct {
		char name[16];
		__u64 pages[2];		/* [longterm] */
	} zones[PW_ZONE_NAMES];
	int n_zones;
	struct pw_acct acct;		/* pinned memory by process and cgroup */
	struct {			/* pinwatch itself (process_* series) */
		bool ok;
		double start_time_s, cpu_s;
		__u64 rss_bytes, open_fds;
	} self;
};

void snapshot_free(struct pw_snapshot *s);

/* src/holders.c ---------------------------------------------------------- */

/* "pwt_pin_plain+0x50 [pinwatch_test]" frames (as report_symbolize makes them)
 * -> "pinwatch_test:pwt_pin_plain": the first frame not inside GUP itself.
 * "unknown" when there is none. */
void holder_name(char *const *frames, int n, char *buf, size_t len);

/* Adds the mirror entries to s->holders, named per stack id by name_of (called
 * once per distinct id; pins is sorted in place), and fills the age histogram
 * and, with zm (may be NULL), each holder's pages by zone (zones_collect
 * first: it numbers the zones). now_ns: boot clock. Returns 0 or -ENOMEM. */
int holders_collect(struct pw_snapshot *s, struct pw_pin *pins, int n, __u64 now_ns,
		    const struct pw_zone_map *zm,
		    void (*name_of)(void *ctx, __s32 stack_id, char *buf, size_t len), void *ctx);

/* Sort by pages (desc) and fold everything past the first k into "other",
 * which is always present so its series never vanishes. */
int holders_topk(struct pw_snapshot *s, int k);

/* Holders exported last time that hold nothing now are kept with zeros (so a
 * gauge drops to 0 instead of vanishing), as long as there is room in the top
 * k. known/n_known carry the names from one snapshot to the next. */
int holders_carry(struct pw_snapshot *s, char (*known)[PW_HOLDER_LEN], int *n_known, int k);

/* The holder row of the pins found at start that tracing did not see taken
 * (the page scan, src/pagescan.h): pre_pins of them on pre_pages pages,
 * less those released since (preexisting_released). Before holders_topk. */
#define PW_HOLDER_BEFORE	"before_tracing"
void holders_add_before(struct pw_snapshot *s, __u64 pre_pins, __u64 pre_pages);
/* A holder's row by name, added (zero) when absent; NULL without memory. */
struct pw_holder_stat *holder_get(struct pw_snapshot *s, const char *name);

/* The zone name of pfn in m, "unknown" when no span holds it. */
const char *zone_of(const struct pw_zone_map *m, __u64 pfn);
/* Pages pinned now by zone (every name of m, zeros included). */
void zones_collect(struct pw_snapshot *s, const struct pw_pin *pins, int n,
		   const struct pw_zone_map *m);

/* /proc/zoneinfo now (memory comes and goes) and the CMA areas (may be NULL). */
void zone_map_read(struct pw_zone_map *m, const struct pw_zone_map *cma);
/* Any Movable zone or CMA area with pages in m. */
bool zone_map_unpinnable(const struct pw_zone_map *m);

/* Long-term pins in Movable or CMA memory, keyed as the BPF findings are
 * (process, acquiring stack, API, flags) with their pages and pins now: the
 * kernel migrates a page out of both before it pins it long-term
 * (check_and_migrate_movable_pages), so one there is a kernel or driver bug
 * and blocks memory offline and CMA for as long as it is held. tree_only:
 * the traced process tree's pins only (run). 0 or -ENOMEM; free(*out). */
struct pw_zone_finding {
	struct pw_finding_key key;
	struct pw_finding_val val;
};
int zone_findings(const struct pw_pin *pins, int n, const struct pw_zone_map *m, bool tree_only,
		  struct pw_zone_finding **out, int *nout);

/* One more blocked event for (what, holder, longterm) in tab (n used). */
void blocked_count(struct pw_blocked_stat *tab, int *n, const char *what, const char *holder,
		   bool longterm);

/* src/metrics.c ---------------------------------------------------------- */

/* Prometheus text exposition format 0.0.4. */
int metrics_write(FILE *out, const struct pw_snapshot *s);
/* One JSON object on one line (the --json stream of serve and top). */
int metrics_json(FILE *out, const struct pw_snapshot *s);
/* metrics_write into PATH atomically: a temp file in the same directory,
 * fsync, rename. 0 or -errno. */
int metrics_write_textfile(const char *path, const struct pw_snapshot *s);
/* Prometheus label value escaping (\\, \", \n) into buf. */
const char *metrics_escape(const char *v, char *buf, size_t len);

/* src/top_table.c -------------------------------------------------------- */

enum pw_sort { PW_SORT_PAGES = 0, PW_SORT_LONGTERM, PW_SORT_AGE, PW_SORT_HOLDER };
int top_sort_parse(const char *s, enum pw_sort *out);	/* 0 or -EINVAL */
const char *top_sort_name(enum pw_sort k);
/* top --by: rows per holder (default), per process or per cgroup */
enum pw_by { PW_BY_HOLDER = 0, PW_BY_PROCESS, PW_BY_CGROUP };
int top_by_parse(const char *s, enum pw_by *out);	/* 0 or -EINVAL */
const char *top_by_name(enum pw_by b);
/* The table of holders, processes or cgroups, sorted by key, at most max_rows
 * rows (0 = all), each line cut to width columns (0 = no limit). */
void top_render(FILE *out, const struct pw_snapshot *s, enum pw_by by, enum pw_sort key, int max_rows,
		int width);
#endif
