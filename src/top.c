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

static volatile sig_atomic_t stop;
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
	top_render(stdout, snap, key, rows, cols);
	if (screen)
		fputs("\nkeys: p pages, l long-term, a age, h holder, q quit", stdout);
	fflush(stdout);
}

int cmd_top(struct pw_options *o)
{
	struct pw_snapshot snap = { 0 };
	struct monitor m;
	enum pw_sort key = o->sort;
	/* JSON on stdout replaces the table; a pipe gets one table, not escapes */
	bool table = o->json != stdout;
	bool live = !o->once && table && isatty(STDOUT_FILENO);

	session_catch_signals(on_signal);
	signal(SIGPIPE, SIG_IGN);
	int rc = monitor_start(&m, o);
	if (rc)
		return rc;
	if (live)
		tty_keys_on();
	/* The mirror only knows pins taken since tracing began, so a single
	 * table is taken after one interval of tracing, not at once. */
	__u64 next = live ? 0 : pw_now_ns() + o->interval_ns;
	if (!live)
		fprintf(stderr, "pinwatch: tracing for %.1fs\n", o->interval_ns / 1e9);
	bool have = false;
	while (!stop) {
		if (pw_now_ns() >= next) {
			snapshot_free(&snap);
			have = monitor_snapshot(&m, &snap) == 0;
			next = pw_now_ns() + o->interval_ns;
			if (have && o->json)
				metrics_json(o->json, &snap);
			if (have && table)
				draw(&snap, key, live);
			table = table && live;	/* not a terminal: one table only */
			if (o->once || (!live && !o->json))
				break;
		}
		tracer_poll(m.s.tr, 100);
		if (read_key(&key) && have)
			draw(&snap, key, live);
	}
	if (live) {
		tty_keys_off();
		fputs("\n", stdout);
	}
	snapshot_free(&snap);
	monitor_end(&m);
	return have ? 0 : 1;
}
