/* SPDX-License-Identifier: GPL-2.0 */
/* The accounting view's /proc and cgroupfs reader (src/accounting.h). */
#ifndef PW_PROCACCT_H
#define PW_PROCACCT_H
#include "accounting.h"

extern const struct pw_acct_source procacct_source;
/* pinwatch itself, for the process_* series: start time (epoch seconds), CPU
 * seconds, resident bytes, open descriptors. false when /proc is unreadable. */
bool procacct_self(double *start_time_s, double *cpu_s, __u64 *rss_bytes, __u64 *open_fds);
#endif
