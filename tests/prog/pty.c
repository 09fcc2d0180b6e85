// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest pty: run an interactive program (pinwatch top) on a pseudo-terminal
 * the way a user at a terminal would, so its live view can be checked in a
 * guest that has no tmux or script(1). The screen bytes go to stdout as they
 * come (unchanged, escape sequences included); after --seconds each key of
 * --keys is typed, one per second; the exit status is the program's.
 * With --after FILE the --seconds start only once FILE exists, so a test can
 * say "the workload ran, now watch N s and type" however slowly the program
 * started (a loaded CI host runs the verifier several seconds longer).
 *   pwtest pty [--after FILE] --seconds N --keys KEYS -- CMD [ARGS]
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

int cmd_pty(int argc, char **argv);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* copy what the program drew so far, waiting at most ms */
static void pump(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	while (poll(&p, 1, ms) > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;	/* EIO: the program closed its terminal */
		if (write(STDOUT_FILENO, buf, n) < 0)
			return;
		ms = 0;
	}
}

int cmd_pty(int argc, char **argv)
{
	double secs = 5;
	const char *keys = "q";
	const char *after = NULL;
	int i = 0;	/* main passes the arguments after "pty" */

	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keys = argv[++i];
		else if (!strcmp(argv[i], "--after") && i + 1 < argc)
			after = argv[++i];
		else {
			fprintf(stderr, "pwtest pty: usage: pwtest pty [--after FILE] --seconds N --keys KEYS -- CMD [ARGS]\n");
			return 2;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "pwtest pty: no command after --\n");
		return 2;
	}
	struct winsize ws = { .ws_row = 30, .ws_col = 120 };
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		fprintf(stderr, "pwtest pty: forkpty: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[i + 1], &argv[i + 1]);
		_exit(127);
	}
	struct stat st;
	/* bounded: a test that never creates FILE still gets its keys typed */
	for (double end = now_s() + 60; after && stat(after, &st) && now_s() < end;)
		pump(master, 200);
	for (double end = now_s() + secs; now_s() < end;)
		pump(master, 200);
	for (const char *k = keys; *k; k++) {
		if (write(master, k, 1) != 1)
			break;
		for (double end = now_s() + 1; now_s() < end;)
			pump(master, 100);
	}
	int status = 0;
	for (double end = now_s() + 20; waitpid(pid, &status, WNOHANG) == 0;) {
		pump(master, 100);
		if (now_s() > end) {	/* did not quit on its keys: that is a failure */
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "pwtest pty: %s did not exit after its keys\n", argv[i + 1]);
			return 124;
		}
	}
	pump(master, 100);
	close(master);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
