// SPDX-License-Identifier: GPL-2.0
/*
 * pwtest - userspace driver for pinwatch's VM tests. Static binary; runs in the
 * busybox guest. Every subcommand prints one result line on stdout and exits 0,
 * or prints one "pwtest: ..." line on stderr and exits non-zero.
 *
 *   pwtest xdp --pages N [--dev IF] [--hold-ms MS]
 *   pwtest vfio --groups G1[,G2] --containers 1|2 --pages N [--hold-ms MS]
 *   pwtest pin --api fast|fast-alt|plain|remote|get-fast[,API2] [--longterm] [--readonly] [--thp [--punch K]|--hole|--alias|--hugetlb] [--fresh]
 *       (--hugetlb: a shared anonymous MAP_HUGETLB buffer of 2 MiB pages, off
 *       the LRU and not anonymous to the kernel; --pages a multiple of 512)
 *              --pages N --release unpin|batch|dirty|put|never|unpin-get [--iters K]
 *       (--iters: K pin+release rounds on the same buffer, for the soak; --api A,B:
 *        A for the first half of the rounds, B for the rest)
 *       (--hole: the last page is unmapped, to exercise the module's partial-pin
 *        error path: it releases what it got correctly and fails with EFAULT)
 *       (--fresh: a new buffer each round, so that each round's pins are first pins)
 *       (--alias: every page of the buffer maps the same page of a one-page memfd,
 *        so the pages array the module pins holds one page N times)
 *       (--thp --punch K: page K of the THP buffer is zapped and written again, so
 *        a 4 KiB page sits between pages of a now PTE-mapped THP in the array)
 *   pwtest release-leaked
 *   pwtest irq-unpin --pages N --release unpin|batch | --release timer --busy M
 *       (the module unpins the buffer in hardirq while this task is inside GUP,
 *        or inside unpin_user_pages() of an M-page buffer)
 *   pwtest irq-free --pages N --irq-pages K [--iters R] [--marked M --hold-ms MS]
 *       (the module frees N pages while a timer frees K in hardirq, R rounds; --marked:
 *        first pin and unpin M pages of a buffer kept for MS ms after, irq.c)
 *   pwtest gup-threads --threads N --pages M
 *       (N threads pin a page of the device's mapping at once, then M pages each: threads.c)
 *   pwtest pvm --pages N [--iters K] [--thp]
 *   pwtest uring --pages N [--hold-ms MS] [--release unregister|exit|child] [--thp] [--uid N]
 *   pwtest odirect --dev DEV --pages N [--write] [--thp]
 *   pwtest udmabuf --pages N [--hold-ms MS]
 *   pwtest move --pages N
 *       (pinned by the module until release-leaked, then move_pages(2) to the other node: move.c)
 *   pwtest vmstat
 *   --time (pin, pvm, uring, odirect): append elapsed_ns=N, the CLOCK_MONOTONIC time of
 *       the --iters loop alone (no buffer setup), for bench/ (busybox has no date +%N)
 *
 * Buffers are anonymous mmaps, written before use (so no zero-page mappings,
 * which the kernel does not count as pins). Without --thp they are
 * MADV_NOHUGEPAGE (4 KiB pages whatever THP "enabled" says); with --thp they
 * are 2 MiB aligned, MADV_HUGEPAGE, and verified via /proc/self/smaps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "pwtest.h"

static const char *cmd = "pwtest";

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pwtest %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------ options */

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* " elapsed_ns=N" when --time was given, else "" (static buffer: one use per line) */
const char *elapsed(const struct opts *o, int64_t t0)
{
	static char b[48];

	if (!o->time)
		return "";
	snprintf(b, sizeof(b), " elapsed_ns=%" PRId64, now_ns() - t0);
	return b;
}

static long parse_num(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s)
		die("%s needs a value", opt);
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		die("bad value for %s: '%s' (want %ld..%ld)", opt, s, min, max);
	return v;
}

/* allowed: a string of option names the subcommand accepts, e.g. "api,pages". */
void parse_opts(int argc, char **argv, struct opts *o, const char *allowed)
{
	memset(o, 0, sizeof(*o));
	o->pages = -1;
	o->punch = -1;
	o->uid = -1;
	o->iters = 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char key[32];

		if (strncmp(a, "--", 2) || strlen(a) > 24)
			die("unexpected argument '%s'", a);
		snprintf(key, sizeof(key), ",%s,", a + 2);
		char allow[256];
		snprintf(allow, sizeof(allow), ",%s,", allowed);
		if (!strstr(allow, key))
			die("unknown option '%s'", a);
		if (!strcmp(a, "--api")) { if (!v) die("--api needs a value"); o->api = v; i++; }
		else if (!strcmp(a, "--release")) { if (!v) die("--release needs a value"); o->release = v; i++; }
		else if (!strcmp(a, "--dev")) { if (!v) die("--dev needs a value"); o->dev = v; i++; }
		else if (!strcmp(a, "--file")) { if (!v) die("--file needs a value"); o->file = v; i++; }
		else if (!strcmp(a, "--pages")) { o->pages = parse_num(a, v, 1, MAX_PAGES); i++; }
		else if (!strcmp(a, "--iters")) { o->iters = parse_num(a, v, 1, 1000000); i++; }
		else if (!strcmp(a, "--hold-ms")) { o->hold_ms = parse_num(a, v, 0, 3600000); i++; }
		else if (!strcmp(a, "--busy")) { o->busy = parse_num(a, v, 1, MAX_PAGES); i++; }
		else if (!strcmp(a, "--irq-pages")) { o->irq_pages = parse_num(a, v, 1, 4096); i++; }
		else if (!strcmp(a, "--marked")) { o->marked = parse_num(a, v, 1, MAX_PAGES); i++; }
		else if (!strcmp(a, "--threads")) { o->threads = parse_num(a, v, 1, 256); i++; }
		else if (!strcmp(a, "--groups")) { if (!v) die("--groups needs a value"); o->groups = v; i++; }
		else if (!strcmp(a, "--containers")) { o->containers = parse_num(a, v, 1, 2); i++; }
		else if (!strcmp(a, "--uid")) { o->uid = parse_num(a, v, 1, 65534); i++; }
		else if (!strcmp(a, "--punch")) { o->punch = parse_num(a, v, 0, MAX_PAGES - 1); i++; }
		else if (!strcmp(a, "--longterm")) o->longterm = true;
		else if (!strcmp(a, "--readonly")) o->readonly = true;
		else if (!strcmp(a, "--thp")) o->thp = true;
		else if (!strcmp(a, "--hugetlb")) o->hugetlb = true;
		else if (!strcmp(a, "--write")) o->write = true;
		else if (!strcmp(a, "--hole")) o->hole = true;
		else if (!strcmp(a, "--alias")) o->alias = true;
		else if (!strcmp(a, "--time")) o->time = true;
		else if (!strcmp(a, "--fresh")) o->fresh = true;
		else die("unknown option '%s'", a);
	}
	if (strstr(allowed, "pages") && o->pages < 0)
		die("--pages N is required");
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------ buffers */

static void read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, n - 1);

	if (fd >= 0)
		close(fd);
	buf[r > 0 ? r : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

/* AnonHugePages (bytes) of the VMA that starts at addr, -1 if not found. */
static long anon_huge_bytes(void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kb = -1;

	if (!f)
		die("open /proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char c;

		if (sscanf(line, "%lx-%lx %c", &s, &e, &c) == 3 && strchr(line, '-') < strchr(line, ' ')) {
			in = s == (unsigned long)addr;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Anonymous buffer of npages, populated by writing; 4 KiB pages or verified THP. */
void *alloc_buf(long npages, bool thp)
{
	size_t len = npages * PG;
	char *p;

	if (!thp) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap %zu bytes: %s", len, strerror(errno));
		/* EINVAL: no THP in this kernel (PREEMPT_RT), 4 KiB pages anyway */
		if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
			die("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	} else {
		size_t map = (len + HPAGE - 1) / HPAGE * HPAGE;
		char *raw = mmap(NULL, map + HPAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (raw == MAP_FAILED)
			die("mmap %zu bytes: %s", map + HPAGE, strerror(errno));
		p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
		/* Trim so the VMA is exactly the aligned range (one smaps entry). */
		if (p > raw)
			munmap(raw, p - raw);
		if (raw + map + HPAGE > p + map)
			munmap(p + map, raw + map + HPAGE - (p + map));
		if (madvise(p, map, MADV_HUGEPAGE))
			die("madvise(MADV_HUGEPAGE): %s (THP not built in?)", strerror(errno));
		len = map;
	}
	for (size_t off = 0; off < len; off += PG)
		p[off] = (char)(off / PG + 1);

	long huge = anon_huge_bytes(p);
	if (thp && huge < (long)len) {
		char en[128], df[128];

		read_small("/sys/kernel/mm/transparent_hugepage/enabled", en, sizeof(en));
		read_small("/sys/kernel/mm/transparent_hugepage/defrag", df, sizeof(df));
		die("THP requested but not obtained: AnonHugePages %ld of %zu bytes "
		    "(transparent_hugepage/enabled: %s; defrag: %s)", huge, len, en, df);
	}
	if (!thp && huge != 0)
		die("4 KiB buffer unexpectedly THP-backed (AnonHugePages %ld bytes)", huge);
	return p;
}

/* ------------------------------------------------------------ pin (module) */

static const char *const api_names[] = { [PWT_API_FAST] = "fast", [PWT_API_PLAIN] = "plain",
	[PWT_API_REMOTE] = "remote", [PWT_API_GET_FAST] = "get-fast", [PWT_API_FAST_ALT] = "fast-alt" };
static const char *const rel_names[] = { [PWT_REL_UNPIN] = "unpin", [PWT_REL_BATCH] = "batch",
	[PWT_REL_DIRTY] = "dirty", [PWT_REL_PUT] = "put", [PWT_REL_NEVER] = "never",
	[PWT_REL_UNPIN_GET] = "unpin-get" };

int lookup(const char *const *names, int n, const char *what, const char *s)
{
	if (!s)
		die("--%s is required", what);
	for (int i = 1; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	die("unknown --%s '%s'", what, s);
}

/* One PIN request: npages at addr through api, released with
 * unpin_user_pages() (pwt_unpin_batch); 0, or an errno (EIO: not all of
 * them were released). *acquired gets the pages pinned. */
int pin_batch(int fd, uint32_t api, void *addr, long npages, int64_t *acquired)
{
	struct pwt_req q = { .api = api, .release = PWT_REL_BATCH, .addr = (uintptr_t)addr,
			     .len = npages * PG };
	if (ioctl(fd, PWT_IOC_PIN, &q))
		return errno;
	*acquired = q.acquired;
	return q.released == npages ? 0 : EIO;
}

int open_dev(void)
{
	int fd = open(PWT_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s (is pinwatch_test.ko loaded?)", PWT_DEVICE, strerror(errno));
	return fd;
}

/*
 * After a put_page() "release" of pinned small pages, each keeps
 * GUP_PIN_COUNTING_BIAS-1 references and reads as unpinned once the exit
 * unmaps it, unless a per-CPU LRU batch still holds one more reference to
 * the freshly faulted page: then the kernel's own count says "pinned" and
 * pinwatch rightly reports a leak instead of put_instead_of_unpin (seen on
 * 6.12 under a loaded make check). Draining the batches (compact_memory
 * calls lru_add_drain_all) makes the bug scenarios decide on the bug alone.
 */
static void drain_lru_batches(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		fprintf(stderr, "pwtest: draining LRU batches (compact_memory): %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* --alias: map one page of a memfd at every page of buf (MAP_FIXED over the
 * anonymous pages), written once so it is present: GUP returns that one page
 * npages times, a pages array with the same page in consecutive entries. */
void alias_buf(char *buf, long npages)
{
	int fd = memfd_create("pwtest-alias", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, PG))
		die("memfd for --alias: %s", strerror(errno));
	for (long i = 0; i < npages; i++)
		if (mmap(buf + i * PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED)
			die("mmap --alias page %ld: %s", i, strerror(errno));
	close(fd);
	buf[0] = 1;
	if (buf[(npages - 1) * PG] != 1)
		die("--alias: the pages of the buffer are not one page");
}

/* --hugetlb: shared anonymous 2 MiB hugetlb pages (nr_hugepages must
 * hold them), each written once so it is present */
static char *hugetlb_buf(long npages)
{
	if (npages % 512)
		die("--hugetlb needs --pages in multiples of 512 (2 MiB)");
	char *p = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB,
		       -1, 0);
	if (p == MAP_FAILED)
		die("mmap MAP_HUGETLB: %s (hugepages-2048kB/nr_hugepages too low?)", strerror(errno));
	for (long i = 0; i < npages; i += 512)
		p[i * PG] = 1;
	return p;
}

/* --file F: map F's first npages pages (MAP_SHARED) over buf, written once
 * so they are present. Page-cache pages outlive the process, so a test can
 * learn their pfns beforehand (pwtest pfns) and cut --max-pages between
 * them. */
static void file_buf(char *buf, long npages, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (mmap(buf, npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	close(fd);
	for (long i = 0; i < npages; i++)
		buf[i * PG] = (char)(i + 1);
}

/* pfns --file F --pages N: the pfn of each of F's first N pages, one a line
 * (from /proc/self/pagemap: root only) */
static int cmd_pfns(int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, &o, "pages,file");
	if (!o.file)
		die("--file is required");
	char *buf = alloc_buf(o.pages, false);
	file_buf(buf, o.pages, o.file);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/pagemap: %s", strerror(errno));
	for (long i = 0; i < o.pages; i++) {
		uint64_t e = 0, pfn_mask = (1ULL << 55) - 1;

		if (pread(fd, &e, sizeof(e), ((uintptr_t)buf / PG + i) * sizeof(e)) != sizeof(e))
			die("read /proc/self/pagemap: %s", strerror(errno));
		if (!(e >> 63) || !(e & pfn_mask))
			die("page %ld: no pfn in pagemap (not present, or not root)", i);
		printf("%" PRIu64 "\n", e & pfn_mask);
	}
	close(fd);
	return 0;
}

/* --punch K: zap page K of a THP buffer and write it again. The PMD is split,
 * page K is a new 4 KiB page and its neighbours stay pages of the large
 * folio, mapped by PTEs: the pages array then breaks a THP's run in the
 * middle, as after a CoW or a partial MADV_DONTNEED in real programs. */
static void *punch_buf(void *buf, long k)
{
	if (k < 0)
		return buf;
	char *p = (char *)buf + k * PG;
	if (madvise(p, PG, MADV_DONTNEED))
		die("madvise(MADV_DONTNEED) page %ld: %s", k, strerror(errno));
	*(volatile char *)p = 1;
	return buf;
}

static int cmd_pin(int argc, char **argv)
{
	struct opts o;
	struct pwt_req r = { 0 };

	parse_opts(argc, argv, &o, "api,release,pages,longterm,readonly,thp,punch,hole,alias,iters,time,fresh,file,hold-ms,hugetlb");
	if (o.punch >= 0 && (!o.thp || o.punch >= o.pages))
		die("--punch K needs --thp and K below --pages");
	if ((o.file || o.hugetlb) && (o.thp || o.hole || o.alias || o.fresh || (o.file && o.hugetlb)))
		die("--file and --hugetlb go with none of --thp, --hole, --alias, --fresh, nor each other");
	if (o.hole && (o.thp || o.pages < 2))
		die("--hole needs a 4 KiB buffer of at least 2 pages");
	if (o.alias && (o.thp || o.hole))
		die("--alias needs a 4 KiB buffer without --hole");
	if (o.fresh && (o.hole || o.alias))
		die("--fresh does not go with --hole or --alias");
	/* --api A,B: A for the first half of the rounds, B for the rest */
	char api1[32] = "", *api2 = NULL;
	snprintf(api1, sizeof(api1), "%s", o.api ? o.api : "");
	if ((api2 = strchr(api1, ',')))
		*api2++ = 0;
	r.api = LOOKUP(api_names, "api", o.api ? api1 : NULL);
	uint32_t alt_api = api2 ? (uint32_t)LOOKUP(api_names, "api", api2) : r.api;
	r.release = LOOKUP(rel_names, "release", o.release);
	r.flags = (o.longterm ? PWT_F_LONGTERM : 0) | (o.readonly ? PWT_F_READONLY : 0);
	r.addr = (uintptr_t)(o.hugetlb ? hugetlb_buf(o.pages) : punch_buf(alloc_buf(o.pages, o.thp), o.punch));
	r.len = o.pages * PG;
	/* --hole: unmap the last page, so the module gets a partial pin (error path). */
	if (o.hole && munmap((char *)(uintptr_t)r.addr + r.len - PG, PG))
		die("munmap hole: %s", strerror(errno));
	if (o.alias)
		alias_buf((char *)(uintptr_t)r.addr, o.pages);
	if (o.file)
		file_buf((char *)(uintptr_t)r.addr, o.pages, o.file);

	int fd = open_dev();
	struct pwt_req sum = r;
	int64_t t0 = now_ns();
	for (long it = 0; it < o.iters; it++) {
		struct pwt_req q = r;
		if (it >= o.iters / 2)
			q.api = alt_api;
		if (o.fresh && it)
			q.addr = (uintptr_t)punch_buf(alloc_buf(o.pages, o.thp), o.punch);
		if (ioctl(fd, PWT_IOC_PIN, &q))
			die("ioctl PIN(api=%s release=%s pages=%ld) round %ld: %s (acquired %" PRId64
			    " released %" PRId64 ")", o.api, o.release, o.pages, it, strerror(errno),
			    q.acquired, q.released);
		if (it == 0)
			sum = q;
		else {
			sum.acquired += q.acquired;
			sum.released += q.released;
			sum.parked += q.parked;
			sum.large += q.large;
		}
	}
	const char *el = elapsed(&o, t0);
	r = sum;
	close(fd);
	if (r.release == PWT_REL_PUT && r.api != PWT_API_GET_FAST)
		drain_lru_batches();
	printf("pin api=%s release=%s longterm=%d thp=%d pages=%ld acquired=%" PRId64
	       " released=%" PRId64 " parked=%" PRId64 " large=%" PRId64 "%s\n",
	       o.api, o.release, o.longterm, o.thp, o.pages, r.acquired, r.released, r.parked, r.large, el);
	/* --punch: one 4 KiB page a round, the rest still in the large folio */
	int64_t small = o.punch >= 0 ? o.iters : 0;
	if ((o.thp || o.hugetlb) && r.large != r.acquired - small)
		die("%s buffer but %" PRId64 " of %" PRId64 " pages were in large folios (want %" PRId64 ")",
		    o.thp ? "THP" : "hugetlb",
		    r.large, r.acquired, r.acquired - small);
	if (!o.thp && !o.hugetlb && r.large)
		die("4 KiB buffer but %" PRId64 " pages were in large folios", r.large);
	/* --hold-ms with --release never: the pinner stays alive beside its pins */
	fflush(stdout);
	sleep_ms(o.hold_ms);
	return 0;
}

static int cmd_release_leaked(int argc, char **argv)
{
	struct opts o;
	struct pwt_leaked l = { 0 };

	parse_opts(argc, argv, &o, "");
	int fd = open_dev();
	if (ioctl(fd, PWT_IOC_RELEASE_LEAKED, &l))
		die("ioctl RELEASE_LEAKED: %s", strerror(errno));
	close(fd);
	printf("release-leaked released=%" PRId64 "\n", l.released);
	return 0;
}

/* ------------------------------------------------------------ vmstat */

static int cmd_vmstat(int argc, char **argv)
{
	struct opts o;
	char line[256];
	long acq = -1, rel = -1;

	parse_opts(argc, argv, &o, "");
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		/* EINVAL is returned when some (unrelated) counter is negative; folding still happened. */
		if (errno != EINVAL)
			die("write /proc/sys/vm/stat_refresh: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	FILE *f = fopen("/proc/vmstat", "r");
	if (!f)
		die("open /proc/vmstat: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "nr_foll_pin_acquired %ld", &acq);
		sscanf(line, "nr_foll_pin_released %ld", &rel);
	}
	fclose(f);
	if (acq < 0 || rel < 0)
		die("nr_foll_pin_acquired/released not in /proc/vmstat");
	printf("nr_foll_pin_acquired %ld nr_foll_pin_released %ld\n", acq, rel);
	return 0;
}

/* ------------------------------------------------------------ main */

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "pin", cmd_pin }, { "release-leaked", cmd_release_leaked }, { "pvm", cmd_pvm },
	{ "uring", cmd_uring }, { "odirect", cmd_odirect }, { "udmabuf", cmd_udmabuf },
	{ "vmstat", cmd_vmstat }, { "pty", cmd_pty }, { "pfns", cmd_pfns },
	{ "irq-unpin", cmd_irq_unpin }, { "irq-free", cmd_irq_free }, { "gup-threads", cmd_gup_threads },
	{ "move", cmd_move }, { "unmovable", cmd_unmovable }, { "xdp", cmd_xdp },
	{ "vfio", cmd_vfio },
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: pwtest pin --api fast|fast-alt|plain|remote|get-fast[,API2] [--longterm] [--readonly] [--thp [--punch K]|--hole|--alias|--file F] [--fresh]\n"
			"                  --pages N --release unpin|batch|dirty|put|never|unpin-get\n"
			"       pwtest release-leaked\n"
			"       pwtest irq-unpin --pages N --release unpin|batch   (unpinned in hardirq inside GUP)\n"
			"       pwtest irq-unpin --pages N --release timer --busy M (in hardirq inside unpin_user_pages)\n"
			"       pwtest irq-free --pages N --irq-pages K [--iters R] [--marked M --hold-ms MS]\n"
			"       pwtest gup-threads --threads N --pages M   (N threads in GUP at once, then M pages each)\n"
			"       pwtest pty [--after FILE] --seconds N --keys KEYS -- CMD [ARGS]\n"
			"       pwtest pvm --pages N [--iters K] [--thp]\n"
			"       pwtest uring --pages N [--hold-ms MS] [--release unregister|exit|child] [--thp] [--uid N]\n"
			"       pwtest odirect --dev DEV --pages N [--write] [--thp]\n"
			"       pwtest udmabuf --pages N [--hold-ms MS]\n"
			"       pwtest move --pages N   (pinned by the module, then move_pages(2) to the other node)\n"
			"       pwtest unmovable --pages N   (N page tables taken and freed: free unmovable pages)\n"
			"       pwtest xdp --pages N [--dev IF] [--hold-ms MS]   (AF_XDP UMEM, bound to IF, closed after MS)\n"
			"       pwtest vfio --groups G1[,G2] --containers 1|2 --pages N [--hold-ms MS]\n"
			"       pwtest vmstat\n"
			"       pwtest pfns --file F --pages N      (the pfn of each of F's first N pages)\n"
			"       (pin, pvm, uring, odirect: [--iters K] [--time] appends elapsed_ns=N)\n");
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			cmd = cmds[i].name;
			return cmds[i].fn(argc - 2, argv + 2);
		}
	die("unknown subcommand '%s' (try --help)", argv[1]);
}
