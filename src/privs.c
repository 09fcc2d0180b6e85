// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege. pinwatch needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)
 * to load and attach, CAP_SYSLOG to read kallsyms addresses, and root's uid
 * for /proc/sys/vm/stat_refresh. Once attached it reads its maps through fds
 * it already holds, so it drops everything else; CMD runs as the invoking
 * user, not as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "privs.h"
#include "report.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static const char *const cap_names[] = {
	[CAP_KILL] = "CAP_KILL", [CAP_SETGID] = "CAP_SETGID", [CAP_SETUID] = "CAP_SETUID",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN", [CAP_SYSLOG] = "CAP_SYSLOG",
	[CAP_PERFMON] = "CAP_PERFMON", [CAP_BPF] = "CAP_BPF",
};

const char *privs_cap_name(int cap)
{
	return cap >= 0 && cap < (int)(sizeof(cap_names) / sizeof(cap_names[0])) && cap_names[cap]
		       ? cap_names[cap] : "CAP_?";
}

struct caps { unsigned long long eff, perm, inh; };

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return -errno;
	c->eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	c->perm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	c->inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (__u32)c->eff, (__u32)c->perm, (__u32)c->inh },
		{ (__u32)(c->eff >> 32), (__u32)(c->perm >> 32), (__u32)(c->inh >> 32) },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

#define BIT(c) (1ull << (c))

int privs_check(void)
{
	struct caps c;
	char miss[64] = "";

	if (caps_get(&c))
		return 0;	/* cannot tell: let the kernel decide */
	if (c.eff & BIT(CAP_SYS_ADMIN))
		return 0;	/* implies both (and is what kernels before 5.8 want) */
	if (!(c.eff & BIT(CAP_BPF)))
		strcat(miss, "CAP_BPF");
	if (!(c.eff & BIT(CAP_PERFMON)))
		strcat(strcat(miss, *miss ? " and " : ""), "CAP_PERFMON");
	if (!*miss)
		return 0;
	fprintf(stderr, "pinwatch: missing capability %s (run as root, or with CAP_BPF and CAP_PERFMON)\n",
		miss);
	return 1;
}

/* CAP_BPF exists since 5.8; before it, bpf() wants CAP_SYS_ADMIN */
static int bpf_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_BPF;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_BPF;
		fclose(f);
	}
	return last >= CAP_BPF ? CAP_BPF : CAP_SYS_ADMIN;
}

long long privs_drop(unsigned long long keep, int (*still_works)(void *), void *arg)
{
	struct caps c, want;
	unsigned long long bpf = BIT(bpf_cap());

	if (caps_get(&c))
		return -1;
	want.perm = want.eff = c.perm & (keep | bpf);
	want.inh = 0;
	if (caps_set(&want))
		return -1;
	if (want.perm & bpf && !(keep & bpf)) {
		/* try without it in the effective set; it stays permitted until we know */
		struct caps t = want;
		t.eff &= ~bpf;
		if (caps_set(&t) == 0) {
			if (still_works && still_works(arg) == 0) {
				t.perm &= ~bpf;
				want = t;
			}
			if (caps_set(&want))
				return -1;
		}
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return (long long)want.perm;
}

static int parse_id(const char *s, unsigned long *v)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v >= (uid_t)-1 || s[0] == '-' ? -1 : 0;
}

int privs_runas(const char *user, bool as_root, struct pw_runas *ra)
{
	unsigned long id, gid;
	struct passwd *pw;

	memset(ra, 0, sizeof(*ra));
	ra->uid = (uid_t)-1;
	ra->gid = (gid_t)-1;
	if (as_root && user) {
		fprintf(stderr, "pinwatch: --user and --as-root exclude each other\n");
		return PW_EXIT_USAGE;
	}
	if (as_root)
		return 0;
	if (user) {
		pw = parse_id(user, &id) ? getpwnam(user) : getpwuid((uid_t)id);
		if (pw) {
			ra->uid = pw->pw_uid;
			ra->gid = pw->pw_gid;
			snprintf(ra->name, sizeof(ra->name), "%s", pw->pw_name);
		} else if (!parse_id(user, &id)) {
			ra->uid = ra->gid = (uid_t)id;	/* a bare UID without a passwd entry */
		} else {
			fprintf(stderr, "pinwatch: invalid value '%s' for --user: no such user\n", user);
			return PW_EXIT_USAGE;
		}
		return 0;
	}
	/* under sudo: the user who ran sudo */
	if (getuid() == 0 && !parse_id(getenv("SUDO_UID"), &id) && id != 0) {
		ra->uid = (uid_t)id;
		ra->gid = !parse_id(getenv("SUDO_GID"), &gid) ? (gid_t)gid : (gid_t)id;
		pw = getpwuid(ra->uid);
		if (pw)
			snprintf(ra->name, sizeof(ra->name), "%s", pw->pw_name);
	}
	return 0;
}

int privs_become(const struct pw_runas *ra)
{
	if (ra->uid == (uid_t)-1)
		return 0;
	if (ra->name[0] ? initgroups(ra->name, ra->gid) : setgroups(0, NULL))
		return -errno;
	if (setresgid(ra->gid, ra->gid, ra->gid) || setresuid(ra->uid, ra->uid, ra->uid))
		return -errno;
	/* the uid change cleared the capabilities; no way back */
	if (ra->uid != 0 && setuid(0) == 0)
		return -EPERM;
	return 0;
}
