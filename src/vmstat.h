/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own pin counters: the oracle pinwatch's totals are checked against. */
#ifndef PW_VMSTAT_H
#define PW_VMSTAT_H
#include <linux/types.h>
struct pw_vmstat {
	__s64 acquired, released;	/* nr_foll_pin_acquired / nr_foll_pin_released */
	int ok;				/* 1 when both were read */
};
/* Folds the per-CPU deltas first (vm.stat_refresh), as the counters lag otherwise. */
void vmstat_read(struct pw_vmstat *v);
#endif
