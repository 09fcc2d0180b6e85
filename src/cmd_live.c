// SPDX-License-Identifier: GPL-2.0
/*
 * Live mode (`sudo pinwatch`): trace every pin on the host, print findings as
 * they appear, audit the mirror every --interval, and print the full report on
 * SIGINT/SIGTERM/SIGHUP.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "commands.h"
#include "session.h"
#include "blocked.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static void now_hms(char ts[16])
{
	time_t now = time(NULL);
	strftime(ts, 16, "%H:%M:%S", localtime(&now));
}

static void on_blocked(void *arg, const struct pw_blocked *b)
{
	char ts[16];
	now_hms(ts);
	blocked_text(stdout, ts, b);
	fflush(stdout);
}

static void on_new(void *arg, const struct pw_finding_key *k)
{
	char ts[16];
	now_hms(ts);
	printf("%s %s: %.16s[%u] via %s%s%s\n", ts, pw_kind_name(k->kind), k->comm, k->tgid,
	       pw_api_name(k->api), k->flags & PW_F_LONGTERM ? " (long-term)" : "",
	       k->rel_tgid ? " (stacks in the final report)" : "");
	fflush(stdout);
}

static void print_header(const struct session *s, const struct pw_options *o)
{
	int n = 0;
	printf("pinwatch %s: tracing FOLL_PIN pins on %s; attached:", PINWATCH_VERSION, s->plan.kernel);
	for (int i = 0; i < s->plan.n_hooks; i++) {
		const struct pw_hook *h = &s->plan.hooks[i];
		if (h->mode) {
			printf(" %s(%s)", h->sym, pw_mode_name(h->mode));
			n++;
		}
	}
	printf("%s\n", n ? "" : " nothing");
	if (o->max_age_ns)
		printf("pins older than %.1fs are reported as leaks; Ctrl-C for the report\n", o->max_age_ns / 1e9);
	else
		printf("Ctrl-C for the report\n");
	fflush(stdout);
}

int cmd_live(struct pw_options *o)
{
	struct session s;
	struct pw_report r;
	session_catch_signals(on_signal);
	const struct session_hooks hooks = { .on_new = on_new, .on_blocked = on_blocked };
	int rc = session_start(&s, o, false, &hooks);
	if (rc)
		return rc;
	session_scan_before(&s);	/* before share: clients count them */
	/* after the drop: capset() is per thread, and the answering thread must
	 * not keep what the rest gave up */
	session_drop_privileges(&s, 0);
	session_share(&s, "live");
	print_header(&s, o);
	__u64 next = pw_now_ns() + o->interval_ns;
	while (!stop) {
		tracer_poll(s.tr, 100);
		if (pw_now_ns() >= next) {
			session_audit(&s, o->max_age_ns, false);
			next = pw_now_ns() + o->interval_ns;
		}
	}
	session_audit(&s, o->max_age_ns, false);
	if (session_report(&s, &r) == 0) {
		session_emit(&s, o, &r);
		report_free(&r);
	}
	session_end(&s);
	return 0;
}
