// SPDX-License-Identifier: GPL-2.0
/* `pinwatch probe`: what this kernel allows and the plan it leads to. */
#include <stdio.h>
#include "commands.h"

int cmd_probe(struct pw_options *o)
{
	struct pw_plan p;
	int rc = probe_kernel(&p, o->attach);
	probe_print(stdout, &p);
	probe_free(&p);
	if (rc) {
		fprintf(stderr, "pinwatch: cannot trace pins on kernel %s: %s\n", p.kernel, p.missing);
		return PW_EXIT_UNSUPPORTED;
	}
	return 0;
}
