// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: one table of options, each with the commands it belongs
 * to and its help line, from which getopt's table, `pinwatch CMD --help` and
 * the "not an option of CMD" errors are all made. Errors name the option as
 * the user typed it (getopt names a short option letter that does not exist).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "options.h"
#include "parse.h"
#include "report.h"
#include "metrics.h"

enum { O_ATTACH = 256, O_MAX_PAGES, O_JSON, O_SUPP, O_SETTLE, O_EXITCODE, O_INTERVAL, O_MAX_AGE,
       O_LISTEN, O_TEXTFILE, O_TOPK, O_SORT, O_BY, O_ONCE, O_USER, O_AS_ROOT, O_PFN, O_PHYS,
       O_BLOCK, O_ZONE, O_CMA, O_FOLDED, O_VERBOSE, O_HELP, O_VERSION };

#define TRACERS "live run serve top"
#define ALL "live run probe serve top why"

static const struct opt_spec {
	const char *name;
	int has_arg, id;
	const char *cmds;	/* the commands it belongs to */
	const char *arg, *help;	/* help: lines after the first start with \n */
} specs[] = {
	{ "attach", required_argument, O_ATTACH, TRACERS " probe", "MODE",
	  "auto (default: fentry, else kprobe, per symbol), fentry, kprobe" },
	{ "max-pages", required_argument, O_MAX_PAGES, TRACERS " probe", "N",
	  "page frames the mirror covers (default: all of RAM, from\n/proc/zoneinfo; 8 bytes each); pins above are counted as dropped" },
	{ "json", required_argument, O_JSON, TRACERS " why probe", "FILE",
	  "write the report as one JSON document to FILE ('-' = stdout);\nserve, top: one JSON object per interval per line" },
	{ "folded", required_argument, O_FOLDED, "live run top", "FILE",
	  "pins held at the end (top: when it quits) and findings (run, live)\nby acquiring stack, in the folded format of flamegraph.pl and speedscope" },
	{ "suppressions", required_argument, O_SUPP, TRACERS, "FILE",
	  "'kind:pattern' lines; matching findings are not reported" },
	{ "settle", required_argument, O_SETTLE, "run", "DUR",
	  "wait after CMD exits for deferred releases (default 2s)" },
	{ "error-exitcode", required_argument, O_EXITCODE, "run", "N",
	  "exit status when there are findings (default 23)" },
	{ "user", required_argument, O_USER, "run", "NAME|UID",
	  "run CMD as this user (default: SUDO_UID/SUDO_GID under sudo)" },
	{ "as-root", no_argument, O_AS_ROOT, "run", NULL, "run CMD as root even under sudo" },
	{ "interval", required_argument, O_INTERVAL, "live serve top", "DUR",
	  "audit and export interval (default 1s)" },
	{ "max-age", required_argument, O_MAX_AGE, "live serve top", "DUR",
	  "report pins held longer than DUR as leaks (default: off)" },
	{ "listen", required_argument, O_LISTEN, "serve", "[HOST:]PORT",
	  "HTTP address for /metrics (default 127.0.0.1:9477)" },
	{ "textfile", required_argument, O_TEXTFILE, "serve", "PATH",
	  "also write the metrics to PATH every interval\n(node_exporter textfile collector; alone, no HTTP)" },
	{ "top-k", required_argument, O_TOPK, "serve top", "N",
	  "holders, processes and cgroups exported by name,\nthe rest is 'other' (default 10)" },
	{ "by", required_argument, O_BY, "top", "WHAT",
	  "rows per holder (default), process or cgroup, with\nVmPin, VmLck and RLIMIT_MEMLOCK beside the pinned bytes" },
	{ "sort", required_argument, O_SORT, "top", "KEY", "pages (default), longterm, age or holder (name)" },
	{ "once", no_argument, O_ONCE, "top", NULL, "print one table and exit (also when stdout is not a tty)" },
	{ "pfn", required_argument, O_PFN, "why", "FIRST[-LAST]", "page frames FIRST..LAST (decimal, or hex with 0x)" },
	{ "phys", required_argument, O_PHYS, "why", "ADDR[-ADDR]", "the page frames of these physical addresses" },
	{ "memory-block", required_argument, O_BLOCK, "why", "N", "/sys/devices/system/memory/memoryN" },
	{ "zone", required_argument, O_ZONE, "why", "NAME", "a zone's span (/proc/zoneinfo: DMA, DMA32, Normal, Movable)" },
	{ "cma", required_argument, O_CMA, "why", "NAME", "a CMA area (/sys/kernel/mm/cma/NAME)" },
	{ "verbose", no_argument, O_VERBOSE, ALL, NULL, "libbpf's debug output on stderr (-v)" },
	{ "help", no_argument, O_HELP, ALL, NULL, "this text (-h)" },
	{ "version", no_argument, O_VERSION, ALL, NULL, "print the version (-V)" },
};
#define N_SPECS (sizeof(specs) / sizeof(specs[0]))

static const struct {
	const char *cmd, *synopsis, *what;
} commands[] = {
	{ "live", "pinwatch [OPTIONS]", "trace pins system-wide, report findings as they age" },
	{ "run", "pinwatch run [OPTIONS] -- CMD [ARGS]", "run CMD, report its pin bugs (exit 23 on findings)" },
	{ "probe", "pinwatch probe [--attach MODE] [--json FILE]", "show what this kernel allows" },
	{ "serve", "pinwatch serve [OPTIONS]", "trace; export Prometheus metrics" },
	{ "top", "pinwatch top [OPTIONS]", "trace; live table of pin holders, processes or cgroups" },
	{ "why", "pinwatch why [RANGE] [--json FILE]", "who holds pins and references in a range of RAM\n(default: all of it)" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static bool belongs(const struct opt_spec *s, const char *cmd)
{
	size_t l = strlen(cmd);
	for (const char *p = s->cmds; (p = strstr(p, cmd)); p += l)
		if ((p == s->cmds || p[-1] == ' ') && (p[l] == ' ' || !p[l]))
			return true;
	return false;
}

bool cli_is_command(const char *cmd)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].cmd, cmd))
			return true;
	return false;
}

/* "  --listen [HOST:]PORT   HTTP address ..." with continuation lines indented */
static void help_line(FILE *out, const struct opt_spec *s)
{
	char lhs[40];
	const char *h = s->help;

	snprintf(lhs, sizeof(lhs), "--%s%s%s", s->name, s->arg ? " " : "", s->arg ? s->arg : "");
	for (bool first = true;; first = false) {
		size_t n = strcspn(h, "\n");
		fprintf(out, "  %-21s  %.*s\n", first ? lhs : "", (int)n, h);
		if (!h[n])
			break;
		h += n + 1;
	}
}

void usage(FILE *out, const char *cmd)
{
	bool all = !cmd, done[N_SPECS] = { false };

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (!all && strcmp(commands[i].cmd, cmd))
			continue;
		const char *w = commands[i].what;
		size_t n = strcspn(w, "\n");
		fprintf(out, "%s %-37s %.*s\n", i && all ? "      " : "Usage:", commands[i].synopsis, (int)n, w);
		if (w[n])
			fprintf(out, "       %-37s %s\n", "", w + n + 1);
	}
	/* all: one section per set of commands, in the table's order */
	for (size_t i = 0; i < N_SPECS; i++) {
		if (done[i] || !(all || belongs(&specs[i], cmd)))
			continue;
		if (all)
			fprintf(out, "\nOptions of %s:\n", strcmp(specs[i].cmds, ALL) ? specs[i].cmds : "every command");
		else
			fputs("\nOptions:\n", out);	/* once: the loop below takes them all */
		for (size_t j = i; j < N_SPECS; j++)
			if (!done[j] && (all ? !strcmp(specs[j].cmds, specs[i].cmds) : belongs(&specs[j], cmd))) {
				help_line(out, &specs[j]);
				done[j] = true;
			}
	}
	if (all)
		fputs("\n'pinwatch CMD --help' lists CMD's options only.\n", out);
	fputs("\nExit status: ", out);
	if (all || !strcmp(cmd, "why"))
		fputs("why: 0 when nothing in the range holds pins or unexplained references,\n"
		      "3 when something does; ", out);
	if (all || !strcmp(cmd, "run"))
		fputs("run: CMD's status when clean, 23 (or --error-exitcode) on findings or an\n"
		      "incomplete report, 127/126 when CMD is not found/executable; ", out);
	fputs("77 when this kernel cannot be traced;\n2 on usage errors; 1 on other errors.\n", out);
}

/* The options whose name starts with name[0..l) (exact: only that one),
 * among the command's own (cmd) or all (cmd NULL); the count, the last in *hit. */
static int matches(const char *name, size_t l, const char *cmd, const struct opt_spec **hit,
		   char *cands, size_t clen)
{
	int n = 0;

	for (size_t i = 0; i < N_SPECS; i++) {
		if (strncmp(specs[i].name, name, l) || (cmd && !belongs(&specs[i], cmd)))
			continue;
		if (strlen(specs[i].name) == l) {	/* exact: no ambiguity */
			*hit = &specs[i];
			return 1;
		}
		*hit = &specs[i];
		n++;
		if (cands)
			snprintf(cands + strlen(cands), clen - strlen(cands), "%s--%s", n > 1 ? ", " : "",
				 specs[i].name);
	}
	return n;
}

/* What was wrong with argv token tok that getopt refused for command cmd
 * (getopt knew only cmd's options): the option as the user typed it,
 * never a short letter that does not exist. */
static int refuse(const char *tok, const char *cmd)
{
	const char *name = tok + 2, *eq = strchr(name, '=');
	size_t l = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_spec *hit = NULL;
	char cands[256] = "";
	int n = matches(name, l, cmd, &hit, cands, sizeof(cands));

	if (n > 1)
		fprintf(stderr, "pinwatch: option '--%.*s' is ambiguous: %s\n", (int)l, name, cands);
	else if (n == 1 && eq && hit->has_arg == no_argument)
		fprintf(stderr, "pinwatch: option '--%s' takes no value\n", hit->name);
	else if (n == 1)
		fprintf(stderr, "pinwatch: option '--%s' needs a value\n", hit->name);
	else if (matches(name, l, NULL, &hit, NULL, 0) == 1)	/* another command's */
		fprintf(stderr, "pinwatch: --%s is an option of %s, not of %s\n", hit->name, hit->cmds, cmd);
	else
		fprintf(stderr, "pinwatch: unknown option '--%.*s' (see --help)\n", (int)l, name);
	return PW_EXIT_USAGE;
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "pinwatch: invalid value '%s' for --%s: %s\n", val, opt, why);
	return PW_EXIT_USAGE;
}

/* A report's --json FILE is opened before tracing (and before privileges
 * are dropped) without truncating it: a refused or failed run leaves the last
 * report whole, and one that created FILE removes it at exit unless the
 * report was written (session_emit truncates and writes through the same
 * descriptor, so a FIFO, /dev/stdout or a symlink is written through). The
 * JSON lines of serve and top and why's document are opened the same way,
 * truncated when the first line or the document is written (json_begin). */
static const char *json_created;

static void json_drop_unwritten(void)
{
	if (json_created)
		unlink(json_created);
}

static FILE *json_open(struct pw_options *o)
{
	int fd = open(o->json_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0) {
		json_created = o->json_path;
		o->json_unwritten = &json_created;
		atexit(json_drop_unwritten);
	} else if (errno == EEXIST) {
		/* it exists, or is a symlink to a file that does not yet */
		fd = open(o->json_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	}
	return fd < 0 ? NULL : fdopen(fd, "w");
}

void json_begin(struct pw_options *o)
{
	if (!o->json || o->json == stdout || o->json_begun)
		return;
	o->json_begun = true;
	/* a regular file is cut to what is written now; a FIFO cannot be */
	if (ftruncate(fileno(o->json), 0) && errno != EINVAL)
		fprintf(stderr, "pinwatch: --json %s: %s\n", o->json_path, strerror(errno));
	if (o->json_unwritten)
		*o->json_unwritten = NULL;
}

/* A host name into the numeric address serve binds (the first one). */
static int listen_resolve(char *host, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *a;
	int e = getaddrinfo(host, NULL, &hints, &res);

	if (e)
		return e;
	/* IPv4 first: "localhost" is ::1 first in Debian's /etc/hosts, and
	 * scrapers of 127.0.0.1 would be refused */
	for (a = res; a && a->ai_family != AF_INET; a = a->ai_next)
		;
	a = a ? a : res;
	e = getnameinfo(a->ai_addr, a->ai_addrlen, host, len, NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	return e;
}

/* 0 when path's directory takes a new file, or -errno. */
static int dir_check(const char *path)
{
	char *copy = strdup(path), tmp[4096];
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	snprintf(tmp, sizeof(tmp), "%s/.pinwatch-check-XXXXXX", dirname(copy));
	free(copy);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(tmp);
	return err;
}

int options_parse(struct pw_options *o, const char *given, int argc, char **argv)
{
	const char *sub = given ? given : "live";
	struct option long_opts[N_SPECS + 1];
	int c, idx, n_opts = 0;
	__u64 v;

	memset(o, 0, sizeof(*o));
	memset(long_opts, 0, sizeof(long_opts));
	/* getopt knows the command's own options only: a prefix is unique
	 * among them, and another command's option is refused before its
	 * value is looked at */
	for (size_t i = 0; i < N_SPECS; i++)
		if (belongs(&specs[i], sub))
			long_opts[n_opts++] = (struct option){ specs[i].name, specs[i].has_arg, 0, specs[i].id };
	o->settle_ns = 2000000000ull;
	o->interval_ns = 1000000000ull;
	o->error_exitcode = PW_EXIT_FINDINGS_DEFAULT;
	o->max_pages = 0;	/* every pfn of this machine's zones */
	o->top_k = PW_TOPK_DEFAULT;
	snprintf(o->listen_host, sizeof(o->listen_host), "127.0.0.1");
	bool listen_set = false;
	optind = 1;
	opterr = 0;
	/* '+': stop at the first non-option, so CMD's own options stay CMD's */
	while ((idx = -1, c = getopt_long(argc, argv, "+hVv", long_opts, &idx)) != -1) {
		if (c == '?' || c == ':') {
			/* a short letter (also inside "-xv"), or the long word */
			if (optopt > 0 && optopt < 256) {
				fprintf(stderr, "pinwatch: unknown option '-%c' (see --help)\n", optopt);
				return PW_EXIT_USAGE;
			}
			return refuse(argv[optind - 1], sub);
		}
		switch (c) {
		case O_ATTACH:
			if (!strcmp(optarg, "auto")) o->attach = PW_MODE_NONE;
			else if (!strcmp(optarg, "fentry")) o->attach = PW_MODE_FENTRY;
			else if (!strcmp(optarg, "kprobe")) o->attach = PW_MODE_KPROBE;
			else return bad("attach", optarg, "want auto, fentry or kprobe");
			break;
		case O_MAX_PAGES:
			if (parse_size(optarg, &v) || v == 0 || v > (1ull << 36))
				return bad("max-pages", optarg, "want a count from 1 to 64G (suffixes k, M, G)");
			o->max_pages = v;
			break;
		case O_JSON: o->json_path = optarg; break;
		case O_USER: o->user = optarg; break;
		case O_AS_ROOT: o->as_root = true; break;
		case O_SUPP: o->suppressions = optarg; break;
		case O_SETTLE:
			if (parse_duration_ns(optarg, &o->settle_ns))
				return bad("settle", optarg, "want a duration like 2s, 500ms");
			break;
		case O_INTERVAL:
			if (parse_duration_ns(optarg, &o->interval_ns) || o->interval_ns < 10000000ull)
				return bad("interval", optarg, "want a duration of at least 10ms");
			break;
		case O_MAX_AGE:
			if (parse_duration_ns(optarg, &o->max_age_ns))
				return bad("max-age", optarg, "want a duration like 30s, 1h30m, 1d");
			break;
		case O_LISTEN: {
			if (parse_listen(optarg, o->listen_host, sizeof(o->listen_host), &o->listen_port))
				return bad("listen", optarg, "want [HOST:]PORT, port 1..65535");
			int e = listen_resolve(o->listen_host, sizeof(o->listen_host));
			if (e) {
				char why[128];
				snprintf(why, sizeof(why), "cannot resolve %s: %s", o->listen_host, gai_strerror(e));
				return bad("listen", optarg, why);
			}
			listen_set = true;
			break;
		}
		case O_TEXTFILE: o->textfile = optarg; break;
		case O_FOLDED: o->folded = optarg; break;
		case O_TOPK:
			if (parse_size(optarg, &v) || v > PW_TOPK_MAX)
				return bad("top-k", optarg, "want 0..100");
			o->top_k = (int)v;
			break;
		case O_SORT: {
			enum pw_sort k;
			if (top_sort_parse(optarg, &k))
				return bad("sort", optarg, "want pages, longterm, age or holder");
			o->sort = k;
			break;
		}
		case O_BY: {
			enum pw_by b;
			if (top_by_parse(optarg, &b))
				return bad("by", optarg, "want holder, process or cgroup");
			o->by = b;
			break;
		}
		case O_ONCE: o->once = true; break;
		case O_EXITCODE: {
			char *end;
			errno = 0;
			long n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 || n > 255)
				return bad("error-exitcode", optarg, "want 1..255");
			o->error_exitcode = (int)n;
			break;
		}
		case O_PFN: case O_PHYS: case O_BLOCK: case O_ZONE: case O_CMA: {
			const char *name = long_opts[idx].name;
			if (o->range_opt) {
				fprintf(stderr, "pinwatch: --%s and --%s: give one range\n", o->range_opt, name);
				return PW_EXIT_USAGE;
			}
			o->range_opt = name;
			o->range_arg = optarg;
			break;
		}
		case 'v': case O_VERBOSE: o->verbose = true; break;
		case 'h': case O_HELP: usage(stdout, given); exit(0);
		case 'V': case O_VERSION: printf("pinwatch %s\n", PINWATCH_VERSION); exit(0);
		default:
			return refuse(argv[optind - 1], sub);
		}
	}
	if (!strcmp(sub, "run")) {
		if (optind >= argc) {
			fprintf(stderr, "pinwatch: run needs a command: pinwatch run [OPTIONS] -- CMD [ARGS]\n");
			return PW_EXIT_USAGE;
		}
		o->cmd = &argv[optind];
	} else if (optind < argc) {
		fprintf(stderr, "pinwatch: unexpected argument '%s' (see pinwatch %s --help)\n", argv[optind],
			strcmp(sub, "live") ? sub : "");
		return PW_EXIT_USAGE;
	}
	/* serve listens on the default port unless only a textfile is asked for */
	if (!strcmp(sub, "serve") && !listen_set && !o->textfile)
		o->listen_port = 9477;
	/* files written next to themselves and renamed: their directory must
	 * take a new file, checked before tracing starts */
	const char *renamed[][2] = { { "textfile", o->textfile }, { "folded", o->folded } };
	for (size_t i = 0; i < 2; i++) {
		int e = renamed[i][1] ? dir_check(renamed[i][1]) : 0;
		if (e) {
			fprintf(stderr, "pinwatch: cannot write --%s %s: %s\n", renamed[i][0], renamed[i][1],
				strerror(-e));
			return PW_EXIT_USAGE;
		}
	}
	if (o->json_path) {
		/* opened now so a bad path fails before any tracing starts */
		o->json = !strcmp(o->json_path, "-") ? stdout : json_open(o);
		if (!o->json) {
			fprintf(stderr, "pinwatch: cannot write --json %s: %s\n", o->json_path, strerror(errno));
			return PW_EXIT_USAGE;
		}
	}
	return 0;
}
