// SPDX-License-Identifier: GPL-2.0
/* `pinwatch probe`: what this kernel allows and the plan it leads to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "session.h"
#include "privs.h"

/* The verifier's work on each program, largest first: the margin left
 * before its 1M-instruction limit, which a newer verifier may eat. */
static int by_insns(const void *a, const void *b)
{
	const struct pw_prog_stat *x = a, *y = b;
	return x->insns != y->insns ? (x->insns < y->insns ? 1 : -1) : strcmp(x->name, y->name);
}

static void print_verifier(FILE *out, struct pw_prog_stat *st, int n)
{
	qsort(st, n, sizeof(*st), by_insns);
	fprintf(out, "programs: %d loaded; verifier instructions processed (limit %d):\n", n, PW_VERIFIER_LIMIT);
	for (int i = 0; i < n; i++)
		fprintf(out, "  %-32s %8u %5.1f%%\n", st[i].name, st[i].insns, 100.0 * st[i].insns / PW_VERIFIER_LIMIT);
}

int cmd_probe(struct pw_options *o)
{
	struct pw_plan p;
	if (privs_check())	/* without them every test attach fails: not the kernel's fault */
		return 1;
	struct tracer_opts to = { .max_pages = o->max_pages };
	struct pw_prog_stat st[128];
	struct tracer *t = NULL;
	int n = 0;
	/* traceable only once the real programs have loaded and attached */
	int rc = probe_kernel(&p, o->attach, true) ? PW_EXIT_UNSUPPORTED : 0;
	if (!rc)
		rc = session_open_tracer(&p, &to, &t);
	if (t)
		n = tracer_verifier_stats(t, st, 128);
	if (rc == 1)	/* said on stderr: the kernel refused without a verifier's verdict */
		snprintf(p.missing, sizeof(p.missing), "loading or attaching the programs was refused (see above)");
	tracer_close(t);
	probe_print(stdout, &p);
	if (n)
		print_verifier(stdout, st, n);
	probe_print_verdict(stdout, &p);
	probe_free(&p);
	if (rc == PW_EXIT_UNSUPPORTED)
		probe_say_refusal(&p, true);
	return rc;
}
