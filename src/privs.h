/* SPDX-License-Identifier: GPL-2.0 */
/* Capabilities (checked before probing, dropped after attach) and the user
 * `run` starts CMD as. Plain capget/capset/prctl, no libcap. */
#ifndef PW_PRIVS_H
#define PW_PRIVS_H
#include <stdbool.h>
#include <sys/types.h>

/* 0, or prints one line naming the missing capabilities and returns 1 */
int privs_check(void);

/* Drop every capability but those in keep (a mask of 1ull << CAP_*), from the
 * effective, permitted and inheritable sets, and clear the ambient set. The
 * BPF capability is kept only if still_works(arg) fails without it (kernels
 * before 6.5 check it on every bpf() call while unprivileged BPF is disabled).
 * Returns the capabilities kept, or -1 if capset failed. */
long long privs_drop(unsigned long long keep, int (*still_works)(void *), void *arg);

/* Whom `run` starts CMD as: --user NAME|UID, else SUDO_UID/SUDO_GID, else the
 * caller; --as-root keeps root. uid == (uid_t)-1: no switch. */
struct pw_runas {
	uid_t uid;
	gid_t gid;
	char name[64];		/* for initgroups(); empty: no supplementary groups */
};
/* 0, or prints one line and returns PW_EXIT_USAGE */
int privs_runas(const char *user, bool as_root, struct pw_runas *ra);
/* In the child before exec: groups, gid, uid. 0 or -errno. */
int privs_become(const struct pw_runas *ra);
/* "CAP_BPF", ... */
const char *privs_cap_name(int cap);
#endif
