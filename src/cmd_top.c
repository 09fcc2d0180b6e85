// SPDX-License-Identifier: GPL-2.0
/*
 * `pinwatch top`: the holder table redrawn in place every --interval with
 * plain ANSI (home + clear), so it works over ssh and in any terminal.
 * Keys p/l/a/h sort by pages, long-term, age, holder; q quits. With --once,
 * or when stdout is not a terminal, one table is printed after one interval
 * of tracing and top exits.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "monitor.h"
#include "folded.h"
#include "ksyms.h"
#include "privs.h"
#include "pagescan.h"
#include <errno.h>

static volatile sig_atomic_t stop;
static struct pw_options *top_opts;
static void on_signal(int sig) { stop = sig; }

static struct termios saved_tty;
static bool tty_raw;

/* keys without Enter, no echo; restored on every exit path */
static void tty_keys_on(void)
{
	struct termios t;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tty_raw = !tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void tty_keys_off(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* returns true when the view should be redrawn now */
static bool read_key(enum pw_sort *key)
{
	char c;
	if (!tty_raw || read(STDIN_FILENO, &c, 1) != 1)
		return false;
	switch (c) {
	case 'p': case 'b': *key = PW_SORT_PAGES; return true;
	case 'l': *key = PW_SORT_LONGTERM; return true;
	case 'a': case 'o': *key = PW_SORT_AGE; return true;
	case 'h': case 'n': *key = PW_SORT_HOLDER; return true;
	case 'q': stop = 1; return false;
	default: return false;
	}
}

static void draw(const struct pw_snapshot *snap, enum pw_sort key, bool screen)
{
	struct winsize ws = { 0 };
	int rows = 0, cols = 0;

	if (screen && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		/* 4 header lines, a blank, the column titles, a blank, the keys */
		rows = ws.ws_row > 8 ? ws.ws_row - 8 : 1;
		cols = ws.ws_col;
	}
	if (screen)
		fputs("\033[H\033[2J", stdout);
	top_render(stdout, snap, top_opts->by, key, rows, cols);
	if (screen)
		fputs("\nkeys: p pages, l long-term, a age, h holder, q quit", stdout);
	fflush(stdout);
}

/* Where a table comes from: a session of top's own, or a running one's maps. */
struct source {
	int (*snapshot)(void *ctx, struct pw_snapshot *snap);
	void (*wait)(void *ctx, int ms);	/* at most ms, keeping tracing going */
	void *ctx;
	__u64 first_ns;				/* the first table no sooner than this */
};

/* The table every --interval (one only with --once or without a terminal),
 * JSON lines with --json, keys in between. Returns the exit status. */
static int top_loop(struct pw_options *o, const struct source *src, bool table, bool live)
{
	struct pw_snapshot snap = { 0 };
	enum pw_sort key = o->sort;
	__u64 next = src->first_ns;
	bool have = false;

	if (live)
		tty_keys_on();
	while (!stop) {
		if (pw_now_ns() >= next) {
			snapshot_free(&snap);
			have = src->snapshot(src->ctx, &snap) == 0;
			next = pw_now_ns() + o->interval_ns;
			if (have && o->json) {
				json_begin(o);
				metrics_json(o->json, &snap);
			}
			if (have && table)
				draw(&snap, key, live);
			table = table && live;	/* not a terminal: one table only */
			if (o->once || (!live && !o->json))
				break;
		}
		src->wait(src->ctx, 100);
		if (read_key(&key) && have)
			draw(&snap, key, live);
	}
	if (live) {
		tty_keys_off();
		fputs("\n", stdout);
	}
	snapshot_free(&snap);
	return have ? 0 : 1;
}

static int own_snapshot(void *ctx, struct pw_snapshot *snap) { return monitor_snapshot(ctx, snap); }
static void own_wait(void *ctx, int ms) { tracer_poll(((struct monitor *)ctx)->s.tr, ms); }
static int client_snap(void *ctx, struct pw_snapshot *snap)
{
	struct monitor_client *c = ctx;
	/* the maps outlive their session while we hold them: stop with it */
	if (kill(c->info.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "pinwatch: pinwatch %s (pid %d) has ended\n", c->info.mode, c->info.pid);
		stop = 1;
		return -1;
	}
	return client_snapshot(c, top_opts->top_k, snap);
}
static void client_wait(void *ctx, int ms) { poll(NULL, 0, ms); }

/* --folded: the pins held when top quits, by (process, acquiring stack) */
static void write_folded(const struct pw_options *o, const struct pw_view *v, const struct ksyms *ks)
{
	struct folded f = { 0 };

	folded_finish(o->folded, &f, folded_add_pins(&f, v, ks));
}

int cmd_top(struct pw_options *o)
{
	static struct monitor_client c;
	struct monitor m;
	char err[256];
	/* JSON on stdout replaces the table; a pipe gets one table, not escapes */
	bool table = o->json != stdout;
	bool live = !o->once && table && isatty(STDOUT_FILENO);

	session_catch_signals(on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (privs_check())
		return 1;
	top_opts = o;
	int e = share_connect(&c.view, &c.info, err, sizeof(err));
	if (!e) {
		/* next to a running serve or live session: its maps, read in place */
		struct source src = { client_snap, client_wait, &c, 0 };
		c.ks = ksyms_load("/proc/kallsyms");
		struct pagescan *ps = pagescan_open(c.ks, err, sizeof(err));
		zone_map_cma(&c.cma, ps);
		pagescan_close(ps);
		fprintf(stderr, "pinwatch: holders from pinwatch %s (pid %d), tracing for %.1fs\n",
			c.info.mode, c.info.pid, (pw_now_ns() - c.info.start_ns) / 1e9);
		int rc = top_loop(o, &src, table, live);
		if (o->folded)
			write_folded(o, &c.view, c.ks);
		ksyms_free(c.ks);
		share_disconnect(&c.view);
		return rc;
	}
	if (e != -ENOENT)
		fprintf(stderr, "pinwatch: %s; tracing from now instead\n", err);
	int rc = monitor_start(&m, o);
	if (rc)
		return rc;
	/* The mirror only knows pins taken since tracing began, so a single
	 * table is taken after one interval of tracing, not at once. */
	struct source src = { own_snapshot, own_wait, &m, live ? 0 : pw_now_ns() + o->interval_ns };
	if (!live)
		fprintf(stderr, "pinwatch: tracing for %.1fs\n", o->interval_ns / 1e9);
	rc = top_loop(o, &src, table, live);
	if (o->folded)
		write_folded(o, tracer_view(m.s.tr), m.s.plan.ksyms);
	monitor_end(&m);
	return rc;
}
