// SPDX-License-Identifier: GPL-2.0
/* The kernel's preemption model, from what userspace can read (preempt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "parse.h"
#include "preempt.h"

static bool set_model(struct pw_preempt *p, const char *m, size_t len, const char *src)
{
	static const char *const names[] = { "none", "voluntary", "full", "lazy", "rt" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) != len || strncmp(names[i], m, len))
			continue;
		p->known = true;
		p->full = i >= 2;
		snprintf(p->model, sizeof(p->model), "%s", names[i]);
		snprintf(p->source, sizeof(p->source), "%s", src);
		return true;
	}
	return false;
}

bool preempt_from_debugfs(const char *text, struct pw_preempt *p)
{
	const char *o = text ? strchr(text, '(') : NULL, *c = o ? strchr(o, ')') : NULL;
	return c && set_model(p, o + 1, c - o - 1, "debugfs sched/preempt");
}

bool preempt_from_cmdline(const char *text, struct pw_preempt *p)
{
	bool found = false;
	/* the last preempt= wins, as the kernel's own parsing does */
	for (const char *s = text; s && (s = strstr(s, "preempt=")); s += 8) {
		if (s != text && s[-1] != ' ')
			continue;
		const char *v = s + 8;
		found = set_model(p, v, strcspn(v, " \n"), "/proc/cmdline") || found;
	}
	return found;
}

/* "CONFIG_X=y" at a line start */
static bool config_set(const char *text, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *s = text; s && (s = strstr(s, opt)); s += n)
		if ((s == text || s[-1] == '\n') && s[n] == '=' && s[n + 1] == 'y')
			return true;
	return false;
}

bool preempt_from_config(const char *text, struct pw_preempt *p)
{
	static const struct { const char *opt, *model; } m[] = {
		{ "CONFIG_PREEMPT_RT", "rt" }, { "CONFIG_PREEMPT_LAZY", "lazy" },
		{ "CONFIG_PREEMPT", "full" }, { "CONFIG_PREEMPT_VOLUNTARY", "voluntary" },
		{ "CONFIG_PREEMPT_NONE", "none" },
	};
	for (size_t i = 0; text && i < sizeof(m) / sizeof(m[0]); i++)
		if (config_set(text, m[i].opt))
			return set_model(p, m[i].model, strlen(m[i].model), "kernel config");
	return false;
}

void preempt_detect(struct pw_preempt *p)
{
	struct utsname u;
	char path[300];
	char *t;

	memset(p, 0, sizeof(*p));
	t = read_text_file("/sys/kernel/debug/sched/preempt");
	bool ok = preempt_from_debugfs(t, p);
	free(t);
	if (ok)
		return;
	t = read_text_file("/proc/cmdline");
	ok = preempt_from_cmdline(t, p);
	free(t);
	if (ok || uname(&u))
		return;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	t = read_text_file(path);
	preempt_from_config(t, p);
	free(t);
}
