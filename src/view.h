/* SPDX-License-Identifier: GPL-2.0 */
/* Read-only access to a tracing session's mirror, holders and stacks: the
 * session's own (tracer_view) or another process's (share_connect). */
#ifndef PW_VIEW_H
#define PW_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"

struct pw_view {
	const struct pw_chunk *cells;	/* the mirror, mmapped */
	size_t cells_len;
	__u64 max_pfn;			/* pfns the mirror covers */
	const struct pw_holder_rec *holders;	/* PW_HOLDER_SLOTS, mmapped */
	int stacks_fd, gets_fd;
	int stats_fd, findings_fd;	/* -1 when not handed over */
	bool tree_only;			/* run mode: only the traced tree's pins count */
};

/* The cell of pfn; false beyond the mirror. */
bool view_cell(const struct pw_view *v, __u64 pfn, struct pw_cell *out);
/* Holder hid, copied out of its slot; false when the slot is free or has
 * moved on to another holder (the holders map was full), also when that
 * happened during the copy. */
bool view_holder(const struct pw_view *v, __u32 hid, struct pw_holder_rec *out);
/* The FOLL_GET call a cell without pins names (meta's holder >= PW_GET_ID). */
bool view_get(const struct pw_view *v, __u32 gid, struct pw_holder *out);
/* The raw ips of a stack id; returns the frame count (0: unknown). */
int view_stack(const struct pw_view *v, __s32 id, __u64 ips[PW_STACK_DEPTH]);
/* Every mirrored folio with pins (tree_only: the traced tree's), with its
 * holder (comm "?" when lost); caller frees *out. 0 or -ENOMEM. */
int view_pins(const struct pw_view *v, struct pw_pin **out, int *n);
/* Finding groups and their pins by kind, as the findings map holds them. */
void view_findings(const struct pw_view *v, __u64 groups[PW_K__MAX], __u64 pins[PW_K__MAX]);
/* The per-CPU counters (enum pw_stat), summed; zeros without stats_fd. */
void view_stats(const struct pw_view *v, __u64 out[PW_S__MAX]);
#endif
