// SPDX-License-Identifier: GPL-2.0
/* `pinwatch probe`: what this kernel allows and the plan it leads to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "session.h"
#include "privs.h"
#include "jsonw.h"

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

static const char *role_name(enum pw_role r)
{
	return r == PW_ROLE_ACQUIRE ? "acquire" : r == PW_ROLE_RELEASE ? "release" : "api";
}

/* --json: the same as one document (schemas/pinwatch-probe.schema.json) */
static void probe_json(FILE *out, const struct pw_plan *p, const struct pw_prog_stat *st, int n)
{
	struct jw w = { .out = out, .first = true };

	jw_open(&w, NULL, '{');
	jw_str(&w, "type", "pinwatch-probe");
	jw_u64(&w, "schema_version", 1);
	jw_str(&w, "pinwatch_version", PINWATCH_VERSION);
	jw_str(&w, "kernel", p->kernel);
	jw_bool(&w, "traceable", !p->missing[0]);
	jw_str(&w, "missing", p->missing);
	jw_bool(&w, "btf", p->btf);
	jw_bool(&w, "kprobe_pmu", p->kprobe_pmu);
	jw_bool(&w, "tp_btf", p->tp_btf);
	jw_open(&w, "hooks", '[');
	for (int i = 0; i < p->n_hooks; i++) {
		const struct pw_hook *h = &p->hooks[i];
		jw_open(&w, NULL, '{');
		jw_str(&w, "symbol", h->sym);
		jw_str(&w, "role", role_name(h->role));
		jw_bool(&w, "in_btf", h->in_btf);
		jw_bool(&w, "in_kallsyms", h->in_kallsyms);
		jw_bool(&w, "fentry_ok", h->fentry_ok);
		jw_bool(&w, "kprobe_ok", h->kprobe_ok);
		jw_str(&w, "mode", h->mode == PW_MODE_NONE ? "none" : pw_mode_name(h->mode));
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_open(&w, "programs", '[');
	for (int i = 0; i < n; i++) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "name", st[i].name);
		jw_u64(&w, "verifier_insns", st[i].insns);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_u64(&w, "verifier_limit", PW_VERIFIER_LIMIT);
	jw_close(&w, '}');
	fputc('\n', out);
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
	/* with --json on stdout, the table goes to stderr: stdout stays JSON */
	FILE *text = o->json == stdout ? stderr : stdout;
	probe_print(text, &p);
	if (n)
		print_verifier(text, st, n);
	probe_print_verdict(text, &p);
	if (o->json) {
		json_begin(o);
		probe_json(o->json, &p, st, n);
		if (o->json != stdout)
			fclose(o->json);
		o->json = NULL;
	}
	probe_free(&p);
	if (rc == PW_EXIT_UNSUPPORTED)
		probe_say_refusal(&p, true);
	return rc;
}
