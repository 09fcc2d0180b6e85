/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel allows, and the attach plan chosen from it. */
#ifndef PW_PROBE_H
#define PW_PROBE_H
#include "preempt.h"
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

/* the oldest kernel with every BPF feature pinwatch needs (probe.c features[]) */
#define PW_MIN_KERNEL "5.17"

enum pw_mode { PW_MODE_NONE = 0, PW_MODE_FENTRY, PW_MODE_KPROBE };
enum pw_role { PW_ROLE_ACQUIRE, PW_ROLE_RELEASE, PW_ROLE_API };

struct pw_hook {
	const char *sym;
	enum pw_role role;
	bool in_btf, in_kallsyms;
	bool many_args;			/* > 6 arguments: no trampoline before 6.6 */
	bool fentry_ok, kprobe_ok;
	int fentry_err, kprobe_err;	/* -errno of the test attach */
	enum pw_mode mode;		/* chosen */
};

#define PW_MAX_HOOKS 24

struct pw_plan {
	char kernel[128];
	bool btf;			/* /sys/kernel/btf/vmlinux loads */
	int btf_err;
	bool kprobe_pmu;		/* perf kprobe PMU present (CONFIG_KPROBES) */
	int kprobe_pmu_type;
	enum pw_mode force;		/* --attach */
	bool thorough;			/* test-attach everything (`pinwatch probe`) */
	bool tp_btf;			/* tp_btf/mm_page_free test attach */
	struct pw_preempt preempt;	/* full preemption: auto prefers kprobes (preempt.h) */
	int tp_btf_err;
	bool tp_isolate;		/* tp_btf/test_pages_isolated: blocked ranges (why) */
	struct pw_hook hooks[PW_MAX_HOOKS];
	int n_hooks;
	/* values read from this kernel's BTF / kallsyms, passed to BPF as rodata */
	__u32 foll_get, foll_pin, foll_longterm;
	bool foll_from_btf;
	__u64 zero_pfn_addr, vmemmap_base_addr;
	/* why the kernel cannot be traced (empty when it can) */
	char missing[512];
	/* /proc/kallsyms as read by the probe (slow to read under emulation:
	 * kept for the report; probe_free() releases it) */
	struct ksyms *ksyms;
};

/* force: PW_MODE_NONE = auto (fentry first, kprobe fallback per symbol).
 * thorough: really attach test programs and kprobes (`pinwatch probe`); a
 * session only loads them and demotes a symbol whose real attach fails.
 * Returns 0 when the plan can trace pins, -1 with plan->missing set otherwise. */
int probe_kernel(struct pw_plan *plan, enum pw_mode force, bool thorough);
void probe_print(FILE *out, const struct pw_plan *plan);
/* "plan: traceable" or "cannot trace: <why>" */
void probe_print_verdict(FILE *out, const struct pw_plan *plan);
/* -v: libbpf's messages, debug included; pw_quiet_print drops those of
 * attempts that fail on purpose unless it is set. */
extern bool pw_verbose;
int pw_quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* The one line of a refusal (exit 77) on stderr: what this kernel lacks,
 * and where the details are (probe's table, or `pinwatch probe`). */
void probe_say_refusal(const struct pw_plan *plan, bool in_probe);
void probe_free(struct pw_plan *plan);
/* The real attach of sym failed with err: take the next mode for it (fentry ->
 * kprobe -> none). Returns 0 when the plan still traces, -1 with missing set. */
int probe_demote(struct pw_plan *plan, const char *sym, int err);
const char *pw_mode_name(enum pw_mode m);
#endif
