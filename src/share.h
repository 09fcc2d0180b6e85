/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One tracer, many clients: a `serve` or live session hands its mirror,
 * holders, stacks and FOLL_GET calls to `why` (and `top`) over the abstract
 * unix socket "@pinwatch", as BPF map file descriptors (SCM_RIGHTS). Root
 * on both ends (SO_PEERCRED), and a client with CAP_BPF or CAP_SYS_ADMIN in
 * effect; nothing is left behind when a session dies, SIGKILL included. The first session to start answers; a second runs
 * without answering.
 */
#ifndef PW_SHARE_H
#define PW_SHARE_H
#include <sys/types.h>
#include "tracer.h"
#include "view.h"
#include "vmstat.h"

#define PW_SHARE_NAME "pinwatch"	/* abstract socket name (no file) */

struct share;
/* Answer on the socket from a thread of its own; NULL when another session
 * already does (said on stderr) or the socket cannot be made. */
struct share *share_start(struct tracer *t, const char *mode, __u64 start_ns,
			  const struct pw_vmstat *before, const char *kernel, const __u64 pre[2]);
/* Stops answering; call before tracer_close. NULL is fine. */
void share_stop(struct share *s);

struct pw_share_info {
	pid_t pid;		/* the answering pinwatch */
	char mode[16];		/* "serve", "live" */
	__u64 start_ns;		/* CLOCK_BOOTTIME its tracing began */
	struct pw_vmstat before;	/* /proc/vmstat then */
	__u64 pre[2];			/* pins, pages older than its tracing */
	char kernel[128];
};
/* The running session's maps as a view: 0, -ENOENT when no session answers,
 * or -errno with a one-line reason in err. share_disconnect() releases it. */
int share_connect(struct pw_view *v, struct pw_share_info *info, char *err, size_t errlen);
void share_disconnect(struct pw_view *v);
#endif
