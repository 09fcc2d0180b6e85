// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the preemption model's three sources (debugfs sched/preempt,
 * /proc/cmdline, /boot/config-*) through their parsers, which pick the
 * attach plan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/preempt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct pw_preempt p;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&p, 0, sizeof(p));
	preempt_from_debugfs(s, &p);
	memset(&p, 0, sizeof(p));
	preempt_from_cmdline(s, &p);
	memset(&p, 0, sizeof(p));
	preempt_from_config(s, &p);
	free(s);
	return 0;
}
