// SPDX-License-Identifier: GPL-2.0
/*
 * pinwatch: who pinned this page, through which API, long-term or not, and
 * was it released the right way. Command dispatch and options.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "options.h"
#include "parse.h"
#include "report.h"
#include "commands.h"
#include "metrics.h"
#include "monitor.h"

void usage(FILE *out)
{
	fprintf(out,
"Usage: pinwatch [OPTIONS]                  trace pins system-wide (live)\n"
"       pinwatch run [OPTIONS] -- CMD [ARGS] run CMD, report its pin bugs\n"
"       pinwatch probe [--attach MODE]      show what this kernel allows\n"
"       pinwatch serve [OPTIONS]            trace; export Prometheus metrics\n"
"       pinwatch top [OPTIONS]              trace; live table of pin holders\n"
"       pinwatch why [RANGE] [--json FILE]  who holds pins and references in a range\n"
"                                           of RAM (default: all of it)\n"
"\n"
"Options:\n"
"  --attach MODE          auto (default: fentry, else kprobe, per symbol), fentry, kprobe\n"
"  --max-pages N          page frames the mirror covers (default: all of RAM, from\n"
"                         /proc/zoneinfo; 8 bytes each); pins above are counted as dropped\n"
"  --json FILE            write the report as one JSON document to FILE ('-' = stdout);\n"
"                         serve, top: one JSON object per interval per line\n"
"  --suppressions FILE    'kind:pattern' lines; matching findings are not reported\n"
"  --settle DUR           run: wait after CMD exits for deferred releases (default 2s)\n"
"  --error-exitcode N     run: exit status when there are findings (default 23)\n"
"  --user NAME|UID        run: run CMD as this user (default: SUDO_UID/SUDO_GID under sudo)\n"
"  --as-root              run: run CMD as root even under sudo\n"
"  --interval DUR         live, serve, top: audit and export interval (default 1s)\n"
"  --max-age DUR          live: report pins held longer than DUR as leaks (default: off)\n"
"  --listen [HOST:]PORT   serve: HTTP address for /metrics (default 127.0.0.1:9477)\n"
"  --textfile PATH        serve: also write the metrics to PATH every interval\n"
"                         (node_exporter textfile collector; alone, no HTTP)\n"
"  --top-k N              serve, top: holders, processes and cgroups exported by name,\n"
"                         the rest is 'other' (default 10)\n"
"  --by WHAT              top: rows per holder (default), process or cgroup, with\n"
"                         VmPin, VmLck and RLIMIT_MEMLOCK beside the pinned bytes\n"
"  --sort KEY             top: pages (default), longterm, age or holder (name)\n"
"  --once                 top: print one table and exit (also when stdout is not a tty)\n"
"  --pfn FIRST[-LAST]     why: page frames FIRST..LAST (decimal, or hex with 0x)\n"
"  --phys ADDR[-ADDR]     why: the page frames of these physical addresses\n"
"  --memory-block N       why: /sys/devices/system/memory/memoryN\n"
"  --zone NAME            why: a zone's span (/proc/zoneinfo: DMA, DMA32, Normal, Movable)\n"
"  --cma NAME             why: a CMA area (/sys/kernel/mm/cma/NAME)\n"
"  -h, --help             this text\n"
"  -V, --version          print the version\n"
"\n"
"Exit status: why: 0 when nothing in the range holds pins or unexplained references,\n"
"3 when something does; run: CMD's status when clean, 23 (or --error-exitcode) on findings or an\n"
"incomplete report, 127/126 when CMD is not found/executable; 77 when this kernel\n"
"cannot be traced; 2 on usage errors; 1 on other errors.\n");
}

static const struct option long_opts[] = {
	{ "attach", required_argument, 0, 'a' },
	{ "max-pages", required_argument, 0, 'm' },
	{ "json", required_argument, 0, 'j' },
	{ "suppressions", required_argument, 0, 's' },
	{ "settle", required_argument, 0, 'S' },
	{ "error-exitcode", required_argument, 0, 'e' },
	{ "interval", required_argument, 0, 'i' },
	{ "max-age", required_argument, 0, 'A' },
	{ "listen", required_argument, 0, 'L' },
	{ "textfile", required_argument, 0, 'T' },
	{ "top-k", required_argument, 0, 'K' },
	{ "sort", required_argument, 0, 'O' },
	{ "by", required_argument, 0, 'y' },
	{ "once", no_argument, 0, '1' },
	{ "user", required_argument, 0, 'u' },
	{ "as-root", no_argument, 0, 'R' },
	{ "pfn", required_argument, 0, 'P' },
	{ "phys", required_argument, 0, 'H' },
	{ "memory-block", required_argument, 0, 'B' },
	{ "zone", required_argument, 0, 'Z' },
	{ "cma", required_argument, 0, 'C' },
	{ "help", no_argument, 0, 'h' },
	{ "version", no_argument, 0, 'V' },
	{ 0 }
};

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "pinwatch: invalid value '%s' for --%s: %s\n", val, opt, why);
	return PW_EXIT_USAGE;
}

/* A report's --json FILE is opened before tracing (and before privileges
 * are dropped) without truncating it: a refused or failed run leaves the last
 * report whole, and one that created FILE removes it at exit unless the
 * report was written (session_emit truncates and writes through the same
 * descriptor, so a FIFO, /dev/stdout or a symlink is written through). */
static const char *json_created;

static void json_drop_unwritten(void)
{
	if (json_created)
		unlink(json_created);
}

static FILE *json_open_report(struct pw_options *o)
{
	int fd = open(o->json_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0) {
		json_created = o->json_path;
		o->json_unwritten = &json_created;
		atexit(json_drop_unwritten);
	} else if (errno == EEXIST) {
		fd = open(o->json_path, O_WRONLY | O_CLOEXEC);
	}
	return fd < 0 ? NULL : fdopen(fd, "w");
}

int options_parse(struct pw_options *o, const char *sub, int argc, char **argv)
{
	int c;
	__u64 v;

	memset(o, 0, sizeof(*o));
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
	while ((c = getopt_long(argc, argv, "+hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "auto")) o->attach = PW_MODE_NONE;
			else if (!strcmp(optarg, "fentry")) o->attach = PW_MODE_FENTRY;
			else if (!strcmp(optarg, "kprobe")) o->attach = PW_MODE_KPROBE;
			else return bad("attach", optarg, "want auto, fentry or kprobe");
			break;
		case 'm':
			if (parse_size(optarg, &v) || v == 0 || v > (1ull << 36))
				return bad("max-pages", optarg, "want a count from 1 to 64G (suffixes k, M, G)");
			o->max_pages = v;
			break;
		case 'j': o->json_path = optarg; break;
		case 'u': o->user = optarg; break;
		case 'R': o->as_root = true; break;
		case 's': o->suppressions = optarg; break;
		case 'S':
			if (parse_duration_ns(optarg, &o->settle_ns))
				return bad("settle", optarg, "want a duration like 2s, 500ms");
			break;
		case 'i':
			if (parse_duration_ns(optarg, &o->interval_ns) || o->interval_ns < 10000000ull)
				return bad("interval", optarg, "want a duration of at least 10ms");
			break;
		case 'A':
			if (parse_duration_ns(optarg, &o->max_age_ns))
				return bad("max-age", optarg, "want a duration like 30s, 1h");
			break;
		case 'L':
			if (parse_listen(optarg, o->listen_host, sizeof(o->listen_host), &o->listen_port))
				return bad("listen", optarg, "want [HOST:]PORT, port 1..65535");
			listen_set = true;
			break;
		case 'T': o->textfile = optarg; break;
		case 'K':
			if (parse_size(optarg, &v) || v > PW_TOPK_MAX)
				return bad("top-k", optarg, "want 0..100");
			o->top_k = (int)v;
			break;
		case 'O': {
			enum pw_sort k;
			if (top_sort_parse(optarg, &k))
				return bad("sort", optarg, "want pages, longterm, age or holder");
			o->sort = k;
			break;
		}
		case 'y': {
			enum pw_by b;
			if (top_by_parse(optarg, &b))
				return bad("by", optarg, "want holder, process or cgroup");
			o->by = b;
			break;
		}
		case '1': o->once = true; break;
		case 'e': {
			char *end;
			errno = 0;
			long n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 || n > 255)
				return bad("error-exitcode", optarg, "want 1..255");
			o->error_exitcode = (int)n;
			break;
		}
		case 'P': case 'H': case 'B': case 'Z': case 'C': {
			const char *name = c == 'P' ? "pfn" : c == 'H' ? "phys" : c == 'B' ? "memory-block" :
					   c == 'Z' ? "zone" : "cma";
			if (o->range_opt) {
				fprintf(stderr, "pinwatch: --%s and --%s: give one range\n", o->range_opt, name);
				return PW_EXIT_USAGE;
			}
			o->range_opt = name;
			o->range_arg = optarg;
			break;
		}
		case 'h': usage(stdout); exit(0);
		case 'V': printf("pinwatch %s\n", PINWATCH_VERSION); exit(0);
		default:
			if (optopt)
				fprintf(stderr, "pinwatch: option -%c is unknown or needs a value (see --help)\n", optopt);
			else
				fprintf(stderr, "pinwatch: unknown option '%s' (see --help)\n", argv[optind - 1]);
			return PW_EXIT_USAGE;
		}
	}
	if (!strcmp(sub, "run")) {
		if (optind >= argc) {
			fprintf(stderr, "pinwatch: run needs a command: pinwatch run [OPTIONS] -- CMD [ARGS]\n");
			return PW_EXIT_USAGE;
		}
		o->cmd = &argv[optind];
	} else if (optind < argc) {
		fprintf(stderr, "pinwatch: unexpected argument '%s' (see --help)\n", argv[optind]);
		return PW_EXIT_USAGE;
	}
	if (o->range_opt && strcmp(sub, "why")) {
		fprintf(stderr, "pinwatch: --%s is an option of why, not of %s\n", o->range_opt, sub);
		return PW_EXIT_USAGE;
	}
	/* serve listens on the default port unless only a textfile is asked for */
	if (!strcmp(sub, "serve") && !listen_set && !o->textfile)
		o->listen_port = 9477;
	if (o->json_path) {
		/* opened now so a bad path fails before any tracing starts */
		bool report = !strcmp(sub, "run") || !strcmp(sub, "live");
		o->json = !strcmp(o->json_path, "-") ? stdout :
			  report ? json_open_report(o) : fopen(o->json_path, "w");
		if (!o->json) {
			fprintf(stderr, "pinwatch: cannot write --json %s: %s\n", o->json_path, strerror(errno));
			return PW_EXIT_USAGE;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pw_options o;
	const char *sub = "live";
	int rc;

	if (argc > 1 && argv[1][0] != '-') {
		sub = argv[1];
		argc--;
		argv++;
	}
	if (strcmp(sub, "live") && strcmp(sub, "run") && strcmp(sub, "probe") &&
	    strcmp(sub, "serve") && strcmp(sub, "top") && strcmp(sub, "why")) {
		fprintf(stderr, "pinwatch: unknown command '%s' (want run, probe, serve, top or why; see --help)\n", sub);
		return PW_EXIT_USAGE;
	}
	rc = options_parse(&o, sub, argc, argv);
	if (rc)
		return rc;
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
