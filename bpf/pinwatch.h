/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types that cross the kernel/user line. Included by the BPF programs (with
 * vmlinux.h) and by userspace (with <linux/types.h>). Every struct here has
 * a fixed size checked at compile time, so a padding change on either side
 * breaks the build instead of silently corrupting map reads.
 */
#ifndef PINWATCH_H
#define PINWATCH_H
#include "hooks.h"

#define PW_COMM_LEN	16
#define PW_STACK_DEPTH	32	/* frames kept per kernel stack */

/* Through which API a pin (or FOLL_GET reference) was taken. The BPF side
 * knows the entry point it saw; userspace refines UNKNOWN/PIN_* to io_uring,
 * O_DIRECT ... from the stack (report_refine_api() in src/report.c). */
enum pw_api {	/* one per GUP and OWN_API line of bpf/hooks.h, in its order */
	PW_API_UNKNOWN = 0,
	PW_HOOKS(PW_API_ENUM_, PW_HOOK_NONE, PW_API_ENUM_, PW_HOOK_NONE, PW_HOOK_NONE)
	PW_API__MAX,
};

/* Holder flags */
#define PW_F_LONGTERM	0x1	/* FOLL_LONGTERM, or memfd_pin_folios */
#define PW_F_GET	0x2	/* a FOLL_GET reference, not a pin */
#define PW_F_TREE	0x10	/* taken by the traced process tree (run mode) */

/* Finding kinds. The names (pw_kind_name) are fixed: text, JSON and metrics use them. */
enum pw_kind {
	PW_K_NONE = 0,
	PW_K_LEAK,			/* "leak" */
	PW_K_PUT_INSTEAD_OF_UNPIN,	/* "put_instead_of_unpin" */
	PW_K_UNPIN_WITHOUT_PIN,		/* "unpin_without_pin" */
	PW_K_PREEXISTING,		/* "preexisting": pin older than tracing, not a bug */
	PW_K_LONGTERM_IN_MOVABLE,	/* "longterm_in_movable": in ZONE_MOVABLE or CMA (userspace) */
	PW_K__MAX,
};

/* Who took a pin: filled once per GUP call (stack captured once per call). */
struct pw_holder {
	__u64 ts_ns;		/* bpf_ktime_get_boot_ns() at acquire */
	__u32 tgid;
	__u32 pid;
	__s32 stack_id;		/* kernel stack in the stacks map, <0 if none */
	__u16 api;		/* enum pw_api */
	__u16 flags;		/* PW_F_* */
	char comm[PW_COMM_LEN];
};

/* The mirror: a shadow of struct page, one 8-byte cell per page frame of RAM,
 * indexed by pfn (of the folio's head: the kernel counts pins per folio, not
 * per subpage). A cell names its first holder by id (holders map), so a GUP
 * call of 512 pages stores one holder, not 512. */
struct pw_cell {
	__u32 pins;		/* pins the kernel holds on this folio that we saw taken */
	__u32 meta;		/* PW_CELL_*: holder id, folio order, flags */
};
#define PW_CELL_HOLDER		0x00ffffffu	/* holder id (0: unknown) */
/* Holder ids at or above this name a FOLL_GET call (gets map), set only on a
 * cell without pins (pw_get_mark); pin holders take the ids below it. */
#define PW_GET_ID		0x00800000u
#define PW_CELL_ORDER_SHIFT	24		/* folio order, 5 bits */
#define PW_CELL_ORDER_MASK	0x1fu
#define PW_CELL_LONGTERM	0x20000000u	/* some pin on it is long-term */
#define PW_CELL_SUSPECT		0x40000000u	/* last audit saw fewer kernel pins */
#define PW_CELL_REPORTED	0x80000000u	/* reported as an aged leak (live mode) */

/* Cells are grouped in chunks, one per map element: the cell of a pfn is a
 * chunk lookup, which the 4 KiB loop (pw_small_run) skips while pages fall
 * into the chunk of the page before. Chunks are large (256 MiB of RAM)
 * because a buffer's pages scatter over RAM as a boot ages: with 64-cell
 * chunks most pages missed the chunk before, and the same binary's 4 KiB
 * pin+unpin rose from 1.27x to 1.32x over four instances in one 6.1 boot;
 * with these it stays at 1.266x (qemu -icount). The largest map value is
 * 4 MiB (KMALLOC_MAX_SIZE); a chunk of 512 KiB rounds the mirror up by at
 * most that. The audit skips empty groups of PW_AUDIT_CELLS cells. */
#define PW_CHUNK_CELLS	65536
#define PW_AUDIT_CELLS	64
struct pw_chunk {
	struct pw_cell c[PW_CHUNK_CELLS];
};

/* A holder: one per GUP call that took a first pin on some folio, freed when
 * the last cell naming it is released. Kept in slot id % PW_HOLDER_SLOTS of
 * an array (the hash before cost ~135 instructions of a single unpin's ~280,
 * qemu -icount); the slot's id says whose it is, 0 when free. */
#define PW_HOLDER_SLOTS	32768
struct pw_holder_rec {
	struct pw_holder h;
	__u32 id;		/* the holder id owning this slot, 0: free */
	__s32 cells;		/* cells naming this holder */
};

/* One mirrored folio as userspace sees it (built from a cell and its holder). */
struct pw_pin {
	__u32 pins;		/* pins the kernel holds on this folio that we saw taken */
	__u32 nr_pages;		/* folio size in base pages (1 for a small folio) */
	struct pw_holder h;	/* first holder */
	__u64 pfn;		/* the folio's first page frame */
};

/* Findings are aggregated in BPF by this key; userspace reads the map. */
struct pw_finding_key {
	__u32 kind;		/* enum pw_kind */
	__u32 tgid;		/* acquiring process (releasing one for unpin_without_pin if unknown) */
	__s32 acq_stack;	/* acquiring stack id, <0 if unknown */
	__s32 rel_stack;	/* releasing (or freeing) stack id, <0 if none */
	__u16 api;
	__u16 flags;		/* PW_F_LONGTERM | PW_F_GET */
	__u32 rel_tgid;		/* releasing process, 0 if none */
	char comm[PW_COMM_LEN];	/* acquiring comm */
	char rel_comm[PW_COMM_LEN];
};

struct pw_finding_val {
	__u64 pages;		/* base pages affected */
	__u64 pins;		/* pins affected */
	__u64 first_ns;		/* first time this finding was seen */
	__u64 acq_ns;		/* oldest acquire time among its pins (0 if unknown) */
	__u32 pid;		/* acquiring thread of the first pin */
	__u32 _pad;
};

/* Per-CPU counters (array map "stats", one slot each). */
enum pw_stat {
	PW_S_ACQ_PINS = 0,	/* pins taken and entered into the mirror */
	PW_S_REL_UNMIRRORED,	/* FOLL_PIN releases (PW_S_ALL_REL) the mirror did not hold */
	PW_S_ALL_ACQ,		/* every FOLL_PIN pin the kernel counted in vmstat (any task) */
	PW_S_ALL_REL,		/* every FOLL_PIN release the kernel counted in vmstat */
	PW_S_NOSTAT_ACQ,	/* folio_add_pin pins (not in vmstat) */
	PW_S_GET_REFS,		/* FOLL_GET references seen */
	PW_S_PREEXISTING,	/* releases of pins taken before tracing began */
	PW_S_UNTRACKED_REL,	/* releases of pins that were not mirrored (dropped or filtered) */
	PW_S_DROP_PAGES,	/* pins not mirrored because the mirror was full */
	PW_S_DROP_FINDINGS,	/* findings lost because the findings map was full */
	PW_S_DROP_STACKS,	/* stacks that could not be stored */
	PW_S_DROP_EVENTS,	/* ring-buffer notifications lost */
	PW_S_FREED_PINNED,	/* tracked folios freed while the mirror held pins */
	PW_S_AUDITED,		/* mirror entries checked by the last audit */
	PW_S_DROP_HOLDERS,	/* GUP calls whose holder could not be stored (holders map full) */
	PW_S_STACKS_REUSED,	/* GUP calls whose stack id was reused without unwinding (stackmemo.bpf.h) */
	PW_S_DROP_CALLS,	/* GUP entries/exits without the task's slot (task storage busy) */
	PW_S_MARKS_SWEPT,	/* marks of cells without pins cleared by pw_sweep_marks */
	PW_S_LOST_EXITS,	/* GUP calls whose exit was missed, found later (pw_gup_running) */
	PW_S_DROP_BLOCKED,	/* blocked-range events lost (ring buffer full) */
	PW_S__MAX,
};

/* Ring-buffer record: "a new finding group appeared"; the data is in the map. */
struct pw_event {
	struct pw_finding_key key;
};

/* A range of RAM the kernel could not free for a new use (bpf/blocked.bpf.c):
 * alloc_contig_range (CMA, runtime gigantic hugepages) found the page at
 * busy_pfn still in use after migrating (PW_BLOCK_ISOLATE), memory offline
 * gave up on the range (PW_BLOCK_OFFLINE, err: its -errno), or a migration
 * asked by a task left the folio at start_pfn in place (PW_BLOCK_MIGRATE). */
struct pw_block_event {
	__u64 ts_ns;		/* boot clock */
	__u64 start_pfn, end_pfn, busy_pfn;	/* busy_pfn: start_pfn when unknown */
	__u32 tgid;		/* who asked: the offlining or allocating task */
	__s32 stack_id;		/* its stack: says CMA or hugepage */
	__u32 repeats;		/* failures of the range since its last event (rate limit) */
	__u16 source;		/* PW_BLOCK_* */
	__s16 err;
	char comm[PW_COMM_LEN];
};
#define PW_BLOCK_ISOLATE	1	/* test_pages_isolated: busy_pfn is the first busy page */
#define PW_BLOCK_OFFLINE	2	/* offline_pages returned err */
#define PW_BLOCK_MIGRATE	3	/* migrate_pages left this folio; err: PW_MR_* */
/* Why a migration was asked, for the requests nothing else reports */
#define PW_MR_SYSCALL		1	/* move_pages(2), migrate_pages(2) */
#define PW_MR_MBIND		2	/* mbind(2) */
#define PW_MR_NUMA		3	/* NUMA balancing */
#define PW_MR_DEMOTION		4	/* memory tiering */
#define PW_BLOCK_INTERVAL_NS	1000000000ull	/* one event per range per second */

/* Audit program input (BPF_PROG_TEST_RUN ctx of the raw_tp audit program). */
struct pw_audit_args {
	__u64 now_ns;		/* boot-time clock */
	__u64 max_age_ns;	/* >0: report pins older than this as leaks (live mode) */
	__u64 final;		/* 1: every remaining pin is a leak (end of run) */
};


/* The page scan (bpf/scan/pagescan.bpf.c, `pinwatch why`): one folio that
 * holds pins, or references that its mappings, its page or swap cache entry
 * and its fs-private data do not explain. Read from struct page as it is,
 * so it includes pins taken before any tracing began. */
struct pw_scan_rec {
	__u64 pfn;		/* the folio's first pfn (may lie before the range) */
	__u32 nr_pages;		/* base pages of the folio */
	__s32 refcount;		/* _refcount */
	__u32 pins;		/* FOLL_PIN pins: _pincount (large), refcount / 1024 (small) */
	__u32 expected;		/* references explained: mappings + cache + private */
	__s32 mapcount;		/* mappings of the folio (all its pages) */
	__u32 flags;		/* PW_SCAN_* */
};
#define PW_SCAN_ANON	0x1	/* anonymous memory */
#define PW_SCAN_LRU	0x2	/* on an LRU list */
#define PW_SCAN_CACHE	0x4	/* in the page cache or the swap cache */
#define PW_SCAN_LARGE	0x8	/* a large folio: pins exact (_pincount) */
#define PW_SCAN_BATCH	4096	/* records per run of the scan program */

/* A CMA area, as pw_cma reads it: pfns [base_pfn, base_pfn + count). */
#define PW_CMA_MAX	16
struct pw_cma_area {
	char name[64];
	__u64 base_pfn, count;
};

/* What one run of the scan program saw besides its records. */
struct pw_scan_sum {
	__u64 next;		/* first pfn not scanned yet */
	__u64 user_pages;	/* pages of user memory (anonymous or on an LRU) */
	__u64 kernel_pages;	/* pages in use that are not user memory */
	__u64 free_pages;	/* pages with no reference (free, offline) */
	__u64 holes;		/* pfns without a readable struct page */
	__u64 transient_pages;	/* off the LRU with extra references: in a per-CPU
				 * LRU batch or isolated, not reported */
	__u32 n;		/* records written */
	__u32 _pad;
};

#ifndef __bpf__
_Static_assert(sizeof(struct pw_scan_rec) == 32, "pw_scan_rec layout");
_Static_assert(sizeof(struct pw_scan_sum) == 56, "pw_scan_sum layout");
_Static_assert(sizeof(struct pw_holder) == 40, "pw_holder layout");
_Static_assert(sizeof(struct pw_pin) == 56, "pw_pin layout");
_Static_assert(sizeof(struct pw_cell) == 8, "pw_cell layout");
_Static_assert(sizeof(struct pw_chunk) == 8 * PW_CHUNK_CELLS, "pw_chunk layout");
_Static_assert(sizeof(struct pw_holder_rec) == 48, "pw_holder_rec layout");
_Static_assert(sizeof(struct pw_finding_key) == 56, "pw_finding_key layout");
_Static_assert(sizeof(struct pw_finding_val) == 40, "pw_finding_val layout");
_Static_assert(sizeof(struct pw_audit_args) == 24, "pw_audit_args layout");
_Static_assert(sizeof(struct pw_block_event) == 64, "pw_block_event layout");
#endif

#endif /* PINWATCH_H */
