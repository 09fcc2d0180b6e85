// SPDX-License-Identifier: GPL-2.0
/*
 * pinwatch: who pinned this page, through which API, long-term or not, and
 * was it released the right way. Command dispatch (options: src/cli.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "options.h"
#include "report.h"
#include "commands.h"
#include "probe.h"

static int verbose_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct pw_options o;
	const char *sub = NULL;
	int rc;

	if (argc > 1 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
		if (!cli_is_command(sub)) {
			fprintf(stderr, "pinwatch: unknown command '%s' (want run, probe, serve, top or why; see --help)\n", sub);
			return PW_EXIT_USAGE;
		}
	}
	rc = options_parse(&o, sub, argc, argv);
	if (rc)
		return rc;
	if (o.verbose) {
		pw_verbose = true;
		libbpf_set_print(verbose_print);
	}
	if (!sub)
		return cmd_live(&o);
	if (!strcmp(sub, "probe"))
		return cmd_probe(&o);
	if (!strcmp(sub, "run"))
		return cmd_run(&o);
	if (!strcmp(sub, "serve"))
		return cmd_serve(&o);
	if (!strcmp(sub, "top"))
		return cmd_top(&o);
	if (!strcmp(sub, "why"))
		return cmd_why(&o);
	return cmd_live(&o);
}
