// SPDX-License-Identifier: GPL-2.0
/* `pinwatch probe`: what this kernel allows and the plan it leads to. */
#include <stdio.h>
#include "commands.h"
#include "privs.h"

int cmd_probe(struct pw_options *o)
{
	struct pw_plan p;
	if (privs_check())	/* without them every test attach fails: not the kernel's fault */
		return 1;
	int rc = probe_kernel(&p, o->attach, true);
	probe_print(stdout, &p);
	probe_free(&p);
	if (rc) {
		fprintf(stderr, "pinwatch: cannot trace pins on kernel %s: %s\n", p.kernel, p.missing);
		return PW_EXIT_UNSUPPORTED;
	}
	return 0;
}
