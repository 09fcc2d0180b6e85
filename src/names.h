/* SPDX-License-Identifier: GPL-2.0 */
/* Names of finding kinds and GUP APIs (src/names.c), shared by the report
 * and the suppressions without either including the other. */
#ifndef PW_NAMES_H
#define PW_NAMES_H
#include <linux/types.h>
#include "bpf/pinwatch.h"

const char *pw_kind_name(enum pw_kind k);	/* "leak", "put_instead_of_unpin", ... */
const char *pw_api_name(enum pw_api a);		/* "pin_user_pages_fast", ... */
#endif
