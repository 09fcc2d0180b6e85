// SPDX-License-Identifier: GPL-2.0
/*
 * `pinwatch run -- CMD`: trace the pins CMD's process tree takes, like
 * LeakSanitizer for FOLL_PIN. CMD is started stopped on a pipe and released
 * only once every hook is attached, so no early pin is missed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "commands.h"
#include "session.h"
#include "privs.h"

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

/* fork CMD blocked on go[0], as the user ra names; an exec failure comes back
 * as errno on errp, a failure to become that user as -errno */
static pid_t spawn(char **cmd, const struct pw_runas *ra, int go[2], int errp[2])
{
	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char c;
	close(go[1]);
	close(errp[0]);
	int e = privs_become(ra);
	if (e) {
		if (write(errp[1], &e, sizeof(e)) < 0) {}
		_exit(126);
	}
	if (read(go[0], &c, 1) != 1)
		_exit(1);	/* pinwatch gave up before starting CMD */
	execvp(cmd[0], cmd);
	e = errno;
	if (write(errp[1], &e, sizeof(e)) < 0) {}
	_exit(e == ENOENT ? 127 : 126);
}

static int wait_child(struct session *s, pid_t pid)
{
	int status;
	__u64 next = pw_now_ns() + 1000000000ull;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 1;
		if (got_signal) {	/* pass Ctrl-C / TERM / HUP on to CMD */
			kill(pid, got_signal);
			got_signal = 0;
		}
		tracer_poll(s->tr, 100);	/* drain while we wait */
		if (pw_now_ns() >= next) {	/* a long-term pin in Movable memory */
			session_zone_check(s);	/* may be gone by the end */
			next = pw_now_ns() + 1000000000ull;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int cmd_run(struct pw_options *o)
{
	struct session s;
	struct pw_report r;
	int go[2], errp[2], e = 0;
	struct pw_runas ra;

	session_catch_signals(on_signal);

	int rc = privs_runas(o->user, o->as_root, &ra);
	if (rc)
		return rc;
	rc = session_start(&s, o, true, NULL);
	if (rc)
		return rc;
	pid_t pid = spawn(o->cmd, &ra, go, errp);
	if (pid < 0) {
		fprintf(stderr, "pinwatch: cannot start %s: %s\n", o->cmd[0], strerror(errno));
		session_end(&s);
		return 1;
	}
	close(go[0]);
	close(errp[1]);
	tracer_add_tgid(s.tr, pid);
	/* CMD is forked (it became its user itself); keep only CAP_KILL to pass
	 * signals on to a CMD that runs as another user */
	session_drop_privileges(&s, ra.uid != (uid_t)-1 && ra.uid != getuid() ? 1ull << CAP_KILL : 0);
	if (write(go[1], "g", 1) != 1) {}
	close(go[1]);

	int status = wait_child(&s, pid);
	if (read(errp[0], &e, sizeof(e)) == sizeof(e)) {
		if (e < 0) {
			fprintf(stderr, "pinwatch: cannot run %s as uid %u: %s\n", o->cmd[0],
				(unsigned)ra.uid, strerror(-e));
			session_end(&s);
			return 1;
		}
		fprintf(stderr, "pinwatch: %s: %s\n", o->cmd[0], strerror(e));
		session_end(&s);
		return e == ENOENT ? 127 : 126;
	}
	close(errp[0]);

	/* deferred teardown (io_uring ring exit, bio completion) releases late */
	for (__u64 t0 = pw_now_ns(); pw_now_ns() - t0 < o->settle_ns && !got_signal;)
		tracer_poll(s.tr, 50);
	session_audit(&s, 0, true);
	if (session_report(&s, &r)) {
		fprintf(stderr, "pinwatch: reading the findings failed\n");
		session_end(&s);
		return 1;
	}
	session_emit(&s, o, &r);
	rc = report_exit_code(&r, status, o->error_exitcode);
	report_free(&r);
	session_end(&s);
	return rc;
}
