/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options shared by the subcommands. */
#ifndef PW_OPTIONS_H
#define PW_OPTIONS_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "probe.h"

struct pw_options {
	enum pw_mode attach;		/* --attach: auto (NONE), fentry, kprobe */
	__u64 max_pages;		/* --max-pages */
	__u64 settle_ns;		/* --settle (run) */
	__u64 interval_ns;		/* --interval (live) */
	__u64 max_age_ns;		/* --max-age (live) */
	int error_exitcode;		/* --error-exitcode (run) */
	const char *json_path;		/* --json */
	const char *suppressions;	/* --suppressions */
	const char *user;		/* --user (run) */
	bool as_root;			/* --as-root (run) */
	FILE *json;			/* opened before tracing starts */
	const char **json_unwritten;	/* run/live: set to NULL once the report is written */
	char listen_host[64];		/* serve --listen (default 127.0.0.1) */
	int listen_port;		/* 0: serve does not listen (--textfile only) */
	const char *textfile;		/* serve --textfile */
	int top_k;			/* --top-k: holders named in metrics */
	int sort;			/* top --sort (enum pw_sort) */
	int by;				/* top --by (enum pw_by) */
	bool once;			/* top --once */
	char **cmd;			/* run: CMD ARGS... */
	const char *range_opt;		/* why: pfn, phys, memory-block, zone or cma */
	const char *range_arg;		/* why: its value */
	const char *folded;		/* --folded (run, live) */
	bool verbose;			/* -v: libbpf's debug output */
	bool json_begun;		/* json_begin() ran */
};

/* Parses argv after the subcommand name (sub NULL: none given, live mode).
 * Returns 0, or prints a one-line error and returns PW_EXIT_USAGE. */
int options_parse(struct pw_options *o, const char *sub, int argc, char **argv);
/* The help of one command, or of all (cmd NULL). */
void usage(FILE *out, const char *cmd);
bool cli_is_command(const char *cmd);
/* Before the first JSON line of serve/top or why's document: the file,
 * opened at start without truncation, is cut to what is written now. */
void json_begin(struct pw_options *o);
#endif
