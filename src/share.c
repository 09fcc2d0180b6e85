// SPDX-License-Identifier: GPL-2.0
/* The session side and the client side of src/share.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "share.h"

#define SHARE_MAGIC	0x50575348u	/* "PWSH" */
#define SHARE_VERSION	2
enum { FD_MIRROR, FD_HOLDERS, FD_STACKS, FD_GETS, FD_STATS, FD_FINDINGS, NR_FDS };

struct share_msg {
	__u32 magic, version;
	__u32 pid, vmstat_ok;
	__u64 start_ns, max_pfn, cells_len;
	__s64 vm_acquired, vm_released;	/* /proc/vmstat when tracing began */
	__u64 pre_pins, pre_pages;	/* pinned before tracing (serve's scan) */
	char mode[16];
	char kernel[128];
};

struct share {
	int fd;
	pthread_t thread;
	struct share_msg msg;
	int fds[NR_FDS];
};

static socklen_t share_addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* abstract: sun_path[0] = 0, no file to clean up after a SIGKILL */
	memcpy(a->sun_path + 1, PW_SHARE_NAME, strlen(PW_SHARE_NAME));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(PW_SHARE_NAME);
}

static bool peer_cred(int fd, struct ucred *c)
{
	socklen_t len = sizeof(*c);
	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, c, &len) == 0;
}

static bool peer_is_root(int fd)
{
	struct ucred c;
	return peer_cred(fd, &c) && c.uid == 0;
}

/* root, and with CAP_BPF or CAP_SYS_ADMIN in effect: the maps carry kernel
 * addresses (stacks), not for a uid-0 process the admin kept from BPF (a
 * container's root) */
static bool peer_may_read(int fd)
{
	struct ucred c;
	char path[64], line[256];
	unsigned long long eff = 0;
	bool found = false;

	if (!peer_cred(fd, &c) || c.uid != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", c.pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	if (f)
		fclose(f);
	return found && (eff & (1ULL << 39 | 1ULL << 21));	/* CAP_BPF, CAP_SYS_ADMIN */
}

static void answer(struct share *s, int c)
{
	char ctl[CMSG_SPACE(sizeof(s->fds))] = { 0 };
	struct iovec iov = { .iov_base = &s->msg, .iov_len = sizeof(s->msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(s->fds));
	memcpy(CMSG_DATA(cm), s->fds, sizeof(s->fds));
	if (sendmsg(c, &mh, MSG_NOSIGNAL) < 0 && getenv("PINWATCH_DEBUG"))
		fprintf(stderr, "pinwatch: answering a client: %s\n", strerror(errno));
}

static void *serve_clients(void *arg)
{
	struct share *s = arg;

	for (;;) {
		int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;	/* shut down by share_stop */
		}
		if (peer_may_read(c))
			answer(s, c);
		close(c);
	}
}

/* @pinwatch is taken: by another session (root), or by someone else */
static void said_in_use(const struct sockaddr_un *a, socklen_t alen)
{
	int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct ucred cr = { .uid = 0 };

	if (c >= 0 && !connect(c, (const struct sockaddr *)a, alen) && peer_cred(c, &cr) && cr.uid != 0)
		fprintf(stderr, "pinwatch: a process of uid %u (pid %d) holds @%s: `why` and `top` "
			"cannot reach this session\n", cr.uid, cr.pid, PW_SHARE_NAME);
	else
		fprintf(stderr, "pinwatch: another pinwatch session answers `why` and `top`; "
			"this one does not\n");
	if (c >= 0)
		close(c);
}

struct share *share_start(struct tracer *t, const char *mode, __u64 start_ns,
			  const struct pw_vmstat *before, const char *kernel, const __u64 pre[2])
{
	struct share *s = calloc(1, sizeof(*s));
	struct sockaddr_un a;
	socklen_t alen = share_addr(&a);

	if (!s)
		return NULL;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, alen) || listen(s->fd, 8)) {
		if (errno == EADDRINUSE)
			said_in_use(&a, alen);
		else
			fprintf(stderr, "pinwatch: cannot answer `why` and `top` (socket @%s): %s\n",
				PW_SHARE_NAME, strerror(errno));
		goto fail;
	}
	const struct pw_view *v = tracer_view(t);
	tracer_map_fds(t, &s->fds[FD_MIRROR], &s->fds[FD_HOLDERS]);
	s->fds[FD_STACKS] = v->stacks_fd;
	s->fds[FD_GETS] = v->gets_fd;
	s->fds[FD_STATS] = v->stats_fd;
	s->fds[FD_FINDINGS] = v->findings_fd;
	s->msg = (struct share_msg){ .magic = SHARE_MAGIC, .version = SHARE_VERSION,
				     .pid = getpid(), .start_ns = start_ns, .vmstat_ok = before->ok,
				     .vm_acquired = before->acquired, .vm_released = before->released,
				     .max_pfn = v->max_pfn, .cells_len = v->cells_len,
				     .pre_pins = pre[0], .pre_pages = pre[1] };
	snprintf(s->msg.mode, sizeof(s->msg.mode), "%s", mode);
	snprintf(s->msg.kernel, sizeof(s->msg.kernel), "%s", kernel);
	if (pthread_create(&s->thread, NULL, serve_clients, s)) {
		fprintf(stderr, "pinwatch: cannot answer `why` and `top`: no thread\n");
		goto fail;
	}
	return s;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

void share_stop(struct share *s)
{
	if (!s)
		return;
	shutdown(s->fd, SHUT_RDWR);	/* wakes accept() with an error */
	pthread_join(s->thread, NULL);
	close(s->fd);
	free(s);
}

static int fail(char *err, size_t errlen, int e, const char *what)
{
	snprintf(err, errlen, "reading the running session's mirror: %s%s%s", what,
		 e ? ": " : "", e ? strerror(e) : "");
	return e ? -e : -EPROTO;
}

int share_connect(struct pw_view *v, struct pw_share_info *info, char *err, size_t errlen)
{
	struct sockaddr_un a;
	socklen_t alen = share_addr(&a);
	struct share_msg msg;
	int fds[NR_FDS], e = 0;
	char ctl[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };

	memset(v, 0, sizeof(*v));
	v->stacks_fd = v->gets_fd = v->stats_fd = v->findings_fd = -1;
	int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c < 0)
		return fail(err, errlen, errno, "socket");
	if (connect(c, (struct sockaddr *)&a, alen)) {
		e = errno;
		close(c);
		return e == ECONNREFUSED || e == ENOENT ? -ENOENT : fail(err, errlen, e, "connect");
	}
	/* whoever holds the name must be root: it hands out kernel memory state */
	if (!peer_is_root(c)) {
		close(c);
		return fail(err, errlen, 0, "the process answering on @" PW_SHARE_NAME " is not root");
	}
	ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	e = errno;
	close(c);
	if (n < 0)
		return fail(err, errlen, e, "receive");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(fds))) {
		if (cm && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len <= CMSG_LEN(sizeof(fds))) {
			int got = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), got * sizeof(int));
			for (int i = 0; i < got && i < NR_FDS; i++)
				close(fds[i]);
		}
		/* a non-root client gets no answer: nothing to read */
		return fail(err, errlen, 0, n == 0 ? "no answer (are you root?)" : "a malformed answer");
	}
	memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	if (n != sizeof(msg) || msg.magic != SHARE_MAGIC || msg.version != SHARE_VERSION) {
		for (int i = 0; i < NR_FDS; i++)
			close(fds[i]);
		return fail(err, errlen, 0, "an answer of another pinwatch version");
	}
	void *cells = mmap(NULL, msg.cells_len, PROT_READ, MAP_SHARED, fds[FD_MIRROR], 0);
	void *holders = mmap(NULL, PW_HOLDER_SLOTS * sizeof(struct pw_holder_rec), PROT_READ,
			     MAP_SHARED, fds[FD_HOLDERS], 0);
	e = errno;
	close(fds[FD_MIRROR]);
	close(fds[FD_HOLDERS]);
	if (cells == MAP_FAILED || holders == MAP_FAILED) {
		if (cells != MAP_FAILED)
			munmap(cells, msg.cells_len);
		if (holders != MAP_FAILED)
			munmap(holders, PW_HOLDER_SLOTS * sizeof(struct pw_holder_rec));
		for (int i = FD_STACKS; i < NR_FDS; i++)
			close(fds[i]);
		return fail(err, errlen, e, "mmap");
	}
	*v = (struct pw_view){ .cells = cells, .cells_len = msg.cells_len, .max_pfn = msg.max_pfn,
			       .holders = holders, .stacks_fd = fds[FD_STACKS], .gets_fd = fds[FD_GETS],
			       .stats_fd = fds[FD_STATS], .findings_fd = fds[FD_FINDINGS] };
	info->pid = msg.pid;
	info->start_ns = msg.start_ns;
	info->pre[0] = msg.pre_pins;
	info->pre[1] = msg.pre_pages;
	info->before = (struct pw_vmstat){ .ok = msg.vmstat_ok, .acquired = msg.vm_acquired,
					   .released = msg.vm_released };
	snprintf(info->mode, sizeof(info->mode), "%.15s", msg.mode);
	snprintf(info->kernel, sizeof(info->kernel), "%.127s", msg.kernel);
	return 0;
}

void share_disconnect(struct pw_view *v)
{
	if (v->cells)
		munmap((void *)v->cells, v->cells_len);
	if (v->holders)
		munmap((void *)v->holders, PW_HOLDER_SLOTS * sizeof(struct pw_holder_rec));
	int fds[] = { v->stacks_fd, v->gets_fd, v->stats_fd, v->findings_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	memset(v, 0, sizeof(*v));
	v->stacks_fd = v->gets_fd = v->stats_fd = v->findings_fd = -1;
}
