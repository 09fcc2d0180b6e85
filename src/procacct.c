// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc side of the accounting view (src/accounting.h): VmPin and VmLck
 * from /proc/PID/status, RLIMIT_MEMLOCK from /proc/PID/limits, the cgroup v2
 * path from /proc/PID/cgroup, and memory.current where cgroup2 is mounted.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procacct.h"
#include "parse.h"

static char *proc_file(__u32 tgid, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/%s", tgid, name);
	return read_text_file(path);
}

static bool read_proc(void *ctx, __u32 tgid, struct pw_proc_acct *out)
{
	char *stat = proc_file(tgid, "stat"), *status = proc_file(tgid, "status");
	char *limits = proc_file(tgid, "limits"), *cg = proc_file(tgid, "cgroup");
	char *comm = proc_file(tgid, "comm");
	__u64 ticks;
	/* no VmPin line: a kernel thread, a zombie, or a main thread gone by
	 * pthread_exit; its charges are unknown, not zero */
	bool ok = stat && status && !parse_stat_starttime(stat, &ticks) &&
		  !parse_status_kb(status, "VmPin", &out->vmpin);

	(void)ctx;
	if (ok) {
		out->alive = true;
		out->start_ns = ticks * (1000000000ull / (__u64)sysconf(_SC_CLK_TCK));
		parse_status_kb(status, "VmLck", &out->vmlck);
		if (comm)
			snprintf(out->comm, sizeof(out->comm), "%.*s", (int)strcspn(comm, "\n"), comm);
		out->memlock = PW_UNLIMITED;
		parse_limits_memlock(limits, &out->memlock);
		if (!cg || parse_cgroup_v2(cg, out->cgroup, sizeof(out->cgroup)))
			out->cgroup[0] = '\0';
	}
	free(stat);
	free(status);
	free(limits);
	free(cg);
	free(comm);
	return ok;
}

static void each_charged(void *ctx, void (*add)(void *arg, __u32 tgid, const char *comm), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	(void)ctx;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		__u32 tgid = (__u32)strtoul(e->d_name, NULL, 10);
		char *status = proc_file(tgid, "status");
		__u64 pin = 0;
		if (status && !parse_status_kb(status, "VmPin", &pin) && pin) {
			char comm[PW_COMM_LEN] = "?";
			const char *n = strstr(status, "Name:\t");
			if (n)
				snprintf(comm, sizeof(comm), "%.*s", (int)strcspn(n + 6, "\n"), n + 6);
			add(arg, tgid, comm);
		}
		free(status);
	}
	if (d)
		closedir(d);
}

/* where the cgroup2 hierarchy is mounted ("" when it is not) */
static const char *cgroup2_root(void)
{
	static char root[256];
	static bool looked;
	char *m;

	if (looked)
		return root;
	looked = true;
	m = read_text_file("/proc/self/mounts");
	for (char *l = m; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char dev[64], dir[256], type[32];
		if (sscanf(l, "%63s %255s %31s", dev, dir, type) == 3 && !strcmp(type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", dir);
			break;
		}
	}
	free(m);
	return root;
}

static __s64 memory_current(void *ctx, const char *path)
{
	char file[512], *t;
	__s64 v = -1;

	(void)ctx;
	if (!cgroup2_root()[0])
		return -1;
	snprintf(file, sizeof(file), "%s%s/memory.current", cgroup2_root(), strcmp(path, "/") ? path : "");
	t = read_text_file(file);
	if (t && isdigit((unsigned char)t[0]))
		v = strtoll(t, NULL, 10);
	free(t);
	return v;
}

const struct pw_acct_source procacct_source = { read_proc, each_charged, memory_current, NULL };

/* Field n (1-based, as proc(5) numbers them; n >= 3) of a /proc/PID/stat text. */
static __u64 stat_field(const char *text, int n)
{
	const char *p = text ? strrchr(text, ')') : NULL;

	if (!p)
		return 0;
	for (int f = 2; f < n && p; f++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

bool procacct_self(double *start_time_s, double *cpu_s, __u64 *rss_bytes, __u64 *open_fds)
{
	char *stat = read_text_file("/proc/self/stat"), *all = read_text_file("/proc/stat");
	const char *bt = all ? strstr(all, "\nbtime ") : NULL;
	double tck = (double)sysconf(_SC_CLK_TCK);
	bool ok = stat && bt;
	DIR *d;
	struct dirent *e;

	if (ok) {
		*start_time_s = strtoull(bt + 7, NULL, 10) + stat_field(stat, 22) / tck;
		*cpu_s = (stat_field(stat, 14) + stat_field(stat, 15)) / tck;
		*rss_bytes = stat_field(stat, 24) * (__u64)sysconf(_SC_PAGESIZE);
		*open_fds = 0;
		if ((d = opendir("/proc/self/fd"))) {
			while ((e = readdir(d)))
				*open_fds += e->d_name[0] != '.';
			closedir(d);
			(*open_fds)--;	/* the directory's own descriptor */
		}
	}
	free(stat);
	free(all);
	return ok;
}
