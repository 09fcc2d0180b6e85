// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest's real pinners, no test module: process_vm_readv
 * (pin_user_pages_remote), io_uring registered buffers (long-term pins),
 * O_DIRECT on a block device, udmabuf (memfd_pin_folios). Options and
 * buffers come from pwtest.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/fs.h>
#include <linux/udmabuf.h>
#include <liburing.h>

#include "pwtest.h"

/* ------------------------------------------------------------ process_vm_readv */

int cmd_pvm(int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, &o, "pages,iters,thp,time");
	size_t len = o.pages * PG;
	char *src = alloc_buf(o.pages, o.thp);	/* remote side: pinned by the kernel */
	char *dst = alloc_buf(o.pages, false);	/* local side: copied into, not pinned */
	struct iovec l = { dst, len }, r = { src, len };
	int64_t t0 = now_ns();

	for (long i = 0; i < o.iters; i++) {
		ssize_t n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);

		if (n != (ssize_t)len)
			die("process_vm_readv iteration %ld: %zd of %zu bytes: %s", i, n, len,
			    n < 0 ? strerror(errno) : "short");
	}
	const char *el = elapsed(&o, t0);
	if (memcmp(src, dst, len))
		die("process_vm_readv copied wrong data");
	printf("pvm pages=%ld iters=%ld thp=%d pinned_total=%ld%s\n", o.pages, o.iters, o.thp,
	       o.pages * o.iters, el);
	return 0;
}

/* ------------------------------------------------------------ io_uring */

int cmd_uring(int argc, char **argv)
{
	struct opts o;
	struct io_uring ring;
	bool at_exit, child = false;
	int ret;

	parse_opts(argc, argv, &o, "pages,hold-ms,release,thp,iters,time,uid");
	/* --uid: as an unprivileged user (no CAP_IPC_LOCK), as io_uring is used */
	if (o.uid >= 0 && (setgroups(0, NULL) || setgid(o.uid) || setuid(o.uid)))
		die("cannot become uid %ld: %s", o.uid, strerror(errno));
	if (!o.release || !strcmp(o.release, "unregister"))
		at_exit = false;
	else if (!strcmp(o.release, "exit"))
		at_exit = true;
	else if (!strcmp(o.release, "child"))
		at_exit = child = true;
	else
		die("unknown --release '%s' (want unregister|exit|child)", o.release);

	struct iovec iov = { alloc_buf(o.pages, o.thp), o.pages * PG };

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		die("io_uring_queue_init: %s", strerror(-ret));
	if (at_exit && o.iters > 1)
		die("--iters needs --release unregister");
	/* --iters: K-1 extra register+unregister rounds before the final register */
	int64_t t0 = now_ns();
	for (long i = 1; i < o.iters; i++) {
		ret = io_uring_register_buffers(&ring, &iov, 1);
		if (ret || (ret = io_uring_unregister_buffers(&ring)))
			die("io_uring buffer round %ld (%ld pages): %s", i, o.pages, strerror(-ret));
	}
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret)
		die("io_uring_register_buffers(%ld pages): %s", o.pages, strerror(-ret));
	/* --release child: a child keeps the ring open for hold_ms after the
	 * process that pinned has exited; the ring goes when the child exits */
	if (child) {
		pid_t c = fork();
		if (c < 0)
			die("fork: %s", strerror(errno));
		if (c == 0) {
			sleep_ms(o.hold_ms);
			_exit(0);
		}
		printf("uring pages=%ld release=child child=%d\n", o.pages, (int)c);
		return 0;
	}
	sleep_ms(o.hold_ms);
	if (!at_exit) {
		ret = io_uring_unregister_buffers(&ring);
		if (ret)
			die("io_uring_unregister_buffers: %s", strerror(-ret));
	}
	const char *el = elapsed(&o, t0);	/* hold_ms included: bench uses 0 */
	if (!at_exit)
		io_uring_queue_exit(&ring);
	/* at_exit: the ring fd closes at exit; the kernel unpins from its exit work. */
	printf("uring pages=%ld thp=%d hold_ms=%ld release=%s%s\n", o.pages, o.thp, o.hold_ms,
	       at_exit ? "exit" : "unregister", el);
	fflush(stdout);
	return 0;
}

/* ------------------------------------------------------------ O_DIRECT */

int cmd_odirect(int argc, char **argv)
{
	struct opts o;
	uint64_t devsize = 0;

	parse_opts(argc, argv, &o, "dev,pages,write,thp,iters,time");
	if (!o.dev)
		die("--dev DEV is required");
	size_t len = o.pages * PG;
	char *buf = alloc_buf(o.pages, o.thp);
	int fd = open(o.dev, (o.write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		die("open %s O_DIRECT: %s", o.dev, strerror(errno));
	struct stat st;
	/* a block device, or a regular file (legacy-DIO filesystems such as vfat) */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		devsize = st.st_size;
	else if (ioctl(fd, BLKGETSIZE64, &devsize))
		die("BLKGETSIZE64 %s: %s (not a block device or file?)", o.dev, strerror(errno));
	if (devsize < len)
		die("%s has %" PRIu64 " bytes, need %zu", o.dev, devsize, len);

	int64_t t0 = now_ns();
	for (long i = 0; i < o.iters; i++) {	/* --iters: the same transfer K times */
		ssize_t n;
		if (o.write) {
			/* Write back what is there: fill the buffer with a buffered (copying, pin-free) read. */
			int bfd = open(o.dev, O_RDONLY | O_CLOEXEC);

			if (bfd < 0 || pread(bfd, buf, len, 0) != (ssize_t)len)
				die("buffered pre-read of %s: %s", o.dev, strerror(errno));
			close(bfd);
			n = pwrite(fd, buf, len, 0);
		} else {
			n = pread(fd, buf, len, 0);
		}
		if (n != (ssize_t)len)
			die("O_DIRECT %s of %zu bytes: %zd: %s", o.write ? "write" : "read", len, n,
			    n < 0 ? strerror(errno) : "short");
	}
	const char *el = elapsed(&o, t0);
	close(fd);
	printf("odirect dev=%s op=%s pages=%ld thp=%d bytes=%zu%s\n", o.dev, o.write ? "write" : "read",
	       o.pages, o.thp, len, el);
	return 0;
}

/* ------------------------------------------------------------ udmabuf */

int cmd_udmabuf(int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, &o, "pages,hold-ms");
	size_t len = o.pages * PG;
	int mfd = memfd_create("pwtest-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);

	if (mfd < 0)
		die("memfd_create: %s", strerror(errno));
	if (ftruncate(mfd, len))
		die("ftruncate memfd: %s", strerror(errno));
	/* Populate every page (shmem, 4 KiB folios unless shmem THP is on). */
	char *zero = calloc(1, PG);
	for (size_t off = 0; off < len; off += PG)
		if (pwrite(mfd, zero, PG, off) != (ssize_t)PG)
			die("populate memfd: %s", strerror(errno));
	free(zero);
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("F_ADD_SEALS F_SEAL_SHRINK: %s", strerror(errno));

	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("open /dev/udmabuf: %s (CONFIG_UDMABUF?)", strerror(errno));
	struct udmabuf_create c = { .memfd = mfd, .flags = UDMABUF_FLAGS_CLOEXEC,
				    .offset = 0, .size = len };
	int dbuf = ioctl(dev, UDMABUF_CREATE, &c);
	if (dbuf < 0)
		die("UDMABUF_CREATE(%zu bytes): %s", len, strerror(errno));
	sleep_ms(o.hold_ms);
	close(dbuf);	/* last reference: the dmabuf release unpins the folios */
	close(dev);
	close(mfd);
	printf("udmabuf pages=%ld hold_ms=%ld\n", o.pages, o.hold_ms);
	return 0;
}
