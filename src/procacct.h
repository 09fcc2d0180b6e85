/* SPDX-License-Identifier: GPL-2.0 */
/* The accounting view's /proc and cgroupfs reader (src/accounting.h). */
#ifndef PW_PROCACCT_H
#define PW_PROCACCT_H
#include "accounting.h"

extern const struct pw_acct_source procacct_source;
#endif
