// SPDX-License-Identifier: GPL-2.0
/*
 * Probing, in the spirit of libbpf-tools' fentry_can_attach() and retsnoop's
 * calibration: for every GUP symbol, test-load and attach a two-instruction
 * fentry program, and test-open a kprobe, then choose per symbol. BTF is read
 * for the values CO-RE cannot relocate (FOLL_* are anonymous enums since 6.3,
 * #defines before).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "bpf/hooks.h"
#include "ksyms.h"

/* Pins are counted per GUP call: the pages a pin_user_pages*() call returned
 * (at exit), the pages an unpin_*() call is handed (at entry). Symbols this
 * kernel lacks are simply absent (e.g. unpin_folio before 6.11). */
#define PW_PROBE_ROW_(sym, role, ...) { #sym, PW_ROLE_##role },
#define PW_PROBE_UNPIN_(sym, ...) { #sym, PW_ROLE_RELEASE },
static const struct { const char *sym; enum pw_role role; } hook_syms[] = {
	PW_HOOKS(PW_PROBE_ROW_, PW_PROBE_ROW_, PW_PROBE_ROW_, PW_PROBE_ROW_, PW_PROBE_UNPIN_)
};

const char *pw_mode_name(enum pw_mode m)
{
	return m == PW_MODE_FENTRY ? "fentry" : m == PW_MODE_KPROBE ? "kprobe" : "none";
}

bool pw_verbose;

/* Probing fails on purpose (absent symbols, refused attaches): libbpf's
 * complaints about it are noise, unless -v asked for everything. */
int pw_quiet_print(enum libbpf_print_level l, const char *f, va_list ap)
{
	return pw_verbose ? vfprintf(stderr, f, ap) : 0;
}

/* Load "r0 = 0; exit" as a tracing program for btf_id: the load is where the
 * kernel refuses fentry without trampolines (EPERM) -- the check of
 * libbpf-tools' fentry_can_attach(). It is attached only when asked (see
 * many_args): attaching patches kernel text, slow under emulation and needless
 * twice; a function that loads but cannot attach is demoted when the real
 * attach fails (probe_demote). Returns 0 or -errno. */
static int try_tracing_load(int btf_id, enum bpf_attach_type type, enum bpf_prog_type ptype,
			    bool attach)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* BPF_MOV64_IMM(R0, 0) */
		{ .code = 0x95 },				/* BPF_EXIT */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = type, .attach_btf_id = btf_id);
	int fd = bpf_prog_load(ptype, NULL, "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	int err = 0;
	if (attach) {
		int lfd = bpf_raw_tracepoint_open(NULL, fd);
		err = lfd < 0 ? -errno : 0;
		if (lfd >= 0)
			close(lfd);
	}
	close(fd);
	return err;
}

/* x86 trampolines took at most 6 arguments before 6.6, and only the attach
 * says so (ENOTSUPP): such functions get a real test attach. */
static bool many_args(struct btf *btf, int func_id)
{
	const struct btf_type *f = btf__type_by_id(btf, func_id);
	const struct btf_type *proto = f ? btf__type_by_id(btf, f->type) : NULL;
	return proto && btf_vlen(proto) > 6;
}

static int kprobe_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	int t = -1;
	if (!f)
		return -1;
	if (fscanf(f, "%d", &t) != 1)
		t = -1;
	fclose(f);
	return t;
}

/* Open (and close) a perf kprobe on sym: the same path libbpf attaches through. */
static int try_kprobe(int pmu, const char *sym)
{
	struct perf_event_attr a = { .size = sizeof(a), .type = pmu };
	a.config1 = (__u64)(unsigned long)sym;
	int fd = syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* FOLL_* live in anonymous enums since 6.3: scan every enum for the names. */
static void read_foll_flags(struct btf *btf, struct pw_plan *p)
{
	int found = 0, n = btf__type_cnt(btf);
	for (int id = 1; id < n && found < 3; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_enum(t))
			continue;
		const struct btf_enum *e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++) {
			const char *name = btf__name_by_offset(btf, e->name_off);
			__u32 *dst = !strcmp(name, "FOLL_PIN") ? &p->foll_pin :
				     !strcmp(name, "FOLL_GET") ? &p->foll_get :
				     !strcmp(name, "FOLL_LONGTERM") ? &p->foll_longterm : NULL;
			if (dst) {
				*dst = e->val;
				found++;
			}
		}
	}
	p->foll_from_btf = found == 3;
	if (!p->foll_from_btf) {	/* <= 6.2 #defines (include/linux/mm.h) */
		p->foll_get = 0x04;
		p->foll_pin = 0x40000;
		p->foll_longterm = 0x10000;
	}
}

static void add_missing(struct pw_plan *p, const char *what)
{
	size_t l = strlen(p->missing);
	snprintf(p->missing + l, sizeof(p->missing) - l, "%s%s", l ? "; " : "", what);
}

/* The BPF features the programs cannot do without, newest last: the oldest
 * kernel pinwatch runs on is the one that has them all (PW_MIN_KERNEL).
 * Probed by loading what uses them, never by version. */
static const struct {
	const char *what, *since;
	enum bpf_map_type map;		/* a map type, or */
	enum bpf_func_id helper;	/* a helper of kprobe programs */
} features[] = {
	{ "BPF task storage", "5.11", BPF_MAP_TYPE_TASK_STORAGE, 0 },
	{ "bpf_for_each_map_elem", "5.13", 0, BPF_FUNC_for_each_map_elem },
	{ "bpf_loop", "5.17", 0, BPF_FUNC_loop },
};

static void probe_features(struct pw_plan *p)
{
	char lacks[256] = "";
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		int ok = features[i].map ? libbpf_probe_bpf_map_type(features[i].map, NULL)
					 : libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, features[i].helper, NULL);
		if (ok == 1)
			continue;
		size_t l = strlen(lacks);
		snprintf(lacks + l, sizeof(lacks) - l, "%s%s (Linux %s)", l ? ", " : "",
			 features[i].what, features[i].since);
	}
	if (lacks[0]) {
		char why[400];
		snprintf(why, sizeof(why), "the kernel lacks %s; pinwatch needs Linux %s or later",
			 lacks, PW_MIN_KERNEL);
		add_missing(p, why);
	}
}

/* --attach forces the hooks that count, except where a trampoline cannot
 * go: 6.1's 7-argument pin_user_pages_remote is beyond the x86 trampoline's
 * 6 arguments (before 6.6), so it takes a kprobe even under --attach fentry.
 * The FOLL_GET hooks only name who took a page and take whatever attaches. */
static enum pw_mode hook_force(const struct pw_plan *p, const struct pw_hook *h)
{
	if (h->role == PW_ROLE_API || (p->force == PW_MODE_FENTRY && h->many_args))
		return PW_MODE_NONE;
	return p->force;
}

/* fentry when it loads, else a kprobe when one can be placed; kprobe first
 * under full preemption, unless --attach says fentry (preempt.h) */
static void choose_mode(struct pw_plan *p, struct pw_hook *h)
{
	enum pw_mode force = hook_force(p, h);
	bool kfirst = p->preempt.full && force == PW_MODE_NONE;
	if ((kfirst || !h->fentry_ok) && !h->kprobe_ok && h->in_kallsyms && p->kprobe_pmu &&
	    force != PW_MODE_FENTRY && h->kprobe_err == -ENOENT) {
		/* a session trusts kallsyms and learns at attach (probe_demote) */
		h->kprobe_err = p->thorough ? try_kprobe(p->kprobe_pmu_type, h->sym) : 0;
		h->kprobe_ok = h->kprobe_err == 0;
	}
	if (kfirst && h->kprobe_ok)
		h->mode = PW_MODE_KPROBE;
	else
		h->mode = h->fentry_ok ? PW_MODE_FENTRY : h->kprobe_ok ? PW_MODE_KPROBE : PW_MODE_NONE;
}

/* Traceable when the main pin and unpin calls have a mode. */
static void check_plan(struct pw_plan *p)
{
	bool have_acq = false, have_rel = false;
	for (int i = 0; i < p->n_hooks; i++) {
		const struct pw_hook *h = &p->hooks[i];
		if (h->mode && !strcmp(h->sym, "pin_user_pages_fast"))
			have_acq = true;
		if (h->mode && !strcmp(h->sym, "unpin_user_pages"))
			have_rel = true;
	}
	if (have_acq && have_rel)
		return;
	char why[256];
	const struct pw_hook *h = &p->hooks[0];
	for (int i = 0; i < p->n_hooks; i++)
		if (p->hooks[i].in_btf || p->hooks[i].in_kallsyms) { h = &p->hooks[i]; break; }
	snprintf(why, sizeof(why), "fentry %s%s%s, kprobes %s",
		 p->force == PW_MODE_KPROBE ? "not tried (--attach kprobe)" : h->fentry_err ? "refused" : "ok",
		 p->force != PW_MODE_KPROBE && h->fentry_err ? ": " : "",
		 p->force != PW_MODE_KPROBE && h->fentry_err ? strerror(-h->fentry_err) : "",
		 p->force == PW_MODE_FENTRY ? "not tried (--attach fentry)" :
		 p->kprobe_pmu ? "refused" : "unavailable (CONFIG_KPROBES off)");
	add_missing(p, why);
}

int probe_demote(struct pw_plan *p, const char *sym, int err)
{
	for (int i = 0; i < p->n_hooks; i++) {
		struct pw_hook *h = &p->hooks[i];
		if (strcmp(h->sym, sym))
			continue;
		if (h->mode == PW_MODE_FENTRY) {
			h->fentry_ok = false;
			h->fentry_err = err;
		} else if (h->mode == PW_MODE_KPROBE) {
			h->kprobe_ok = false;
			h->kprobe_err = err;
		}
		choose_mode(p, h);
		check_plan(p);
		return p->missing[0] ? -1 : 0;
	}
	return -1;
}

int probe_kernel(struct pw_plan *p, enum pw_mode force, bool thorough)
{
	struct utsname u;
	libbpf_print_fn_t old = libbpf_set_print(pw_quiet_print);
	struct btf *btf = NULL;
	struct ksyms *ks = ksyms_load("/proc/kallsyms");

	memset(p, 0, sizeof(*p));
	if (uname(&u) == 0)
		snprintf(p->kernel, sizeof(p->kernel), "%s", u.release);
	/* PINWATCH_BTF=FILE: read the kernel's BTF from FILE (tests of the
	 * missing/unreadable BTF refusal, kernels with BTF shipped apart) */
	const char *btf_path = getenv("PINWATCH_BTF");
	btf = btf_path && *btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	p->btf = btf != NULL;
	p->btf_err = btf ? 0 : -errno;
	int pmu = kprobe_pmu_type();
	p->kprobe_pmu = pmu >= 0;
	if (btf) {
		read_foll_flags(btf, p);
		int tp = btf__find_by_name_kind(btf, "btf_trace_mm_page_free", BTF_KIND_TYPEDEF);
		p->tp_btf_err = tp > 0 ? try_tracing_load(tp, BPF_TRACE_RAW_TP, BPF_PROG_TYPE_TRACING, false) : -ENOENT;
		p->tp_btf = p->tp_btf_err == 0;
		p->tp_isolate = p->tp_btf &&
			btf__find_by_name_kind(btf, "btf_trace_test_pages_isolated", BTF_KIND_TYPEDEF) > 0;
	}
	if (ks) {
		const struct ksym *z = ksyms_by_name(ks, "zero_pfn");
		const struct ksym *v = ksyms_by_name(ks, "vmemmap_base");
		p->zero_pfn_addr = z ? z->addr : 0;
		p->vmemmap_base_addr = v ? v->addr : 0;
	}

	p->force = force;
	p->thorough = thorough;
	preempt_detect(&p->preempt);
	p->kprobe_pmu_type = pmu;
	for (size_t i = 0; i < sizeof(hook_syms) / sizeof(hook_syms[0]) && i < PW_MAX_HOOKS; i++) {
		struct pw_hook *h = &p->hooks[p->n_hooks++];
		h->sym = hook_syms[i].sym;
		h->role = hook_syms[i].role;
		int id = btf ? btf__find_by_name_kind(btf, h->sym, BTF_KIND_FUNC) : -1;
		h->in_btf = id > 0;
		h->in_kallsyms = ks && ksyms_by_name(ks, h->sym);
		h->fentry_err = -ENOENT;
		h->kprobe_err = -ENOENT;
		h->many_args = h->in_btf && many_args(btf, id);
		if (h->in_btf && hook_force(p, h) != PW_MODE_KPROBE) {
			/* fentry and fexit both need a trampoline: test one */
			h->fentry_err = try_tracing_load(id, BPF_TRACE_FENTRY, BPF_PROG_TYPE_TRACING,
							  thorough || h->many_args);
			h->fentry_ok = h->fentry_err == 0;
		}
		choose_mode(p, h);
	}

	probe_features(p);
	if (!p->btf) {
		char why[PATH_MAX + 256], e[128];
		libbpf_strerror(p->btf_err ? p->btf_err : -ENOENT, e, sizeof(e));
		snprintf(why, sizeof(why), "no usable kernel BTF (%s: %s; needs CONFIG_DEBUG_INFO_BTF=y)",
			 btf_path && *btf_path ? btf_path : "/sys/kernel/btf/vmlinux", e);
		add_missing(p, why);
	}
	check_plan(p);
	btf__free(btf);
	p->ksyms = ks;
	libbpf_set_print(old);
	return p->missing[0] ? -1 : 0;
}

void probe_free(struct pw_plan *p)
{
	ksyms_free(p->ksyms);
	p->ksyms = NULL;
}

static const char *err_str(int err)
{
	/* 524 is the kernel-internal ENOTSUPP: e.g. more arguments than a trampoline takes */
	return err == 0 ? "ok" : err == -ENOENT ? "absent" : err == -524 ? "not supported" : strerror(-err);
}

void probe_print(FILE *out, const struct pw_plan *p)
{
	fprintf(out, "kernel: %s\n", p->kernel);
	fprintf(out, "btf: %s\n", p->btf ? "yes" : err_str(p->btf_err));
	fprintf(out, "kprobes: %s\n", p->kprobe_pmu ? "yes" : "no (no kprobe PMU)");
	fprintf(out, "tp_btf mm_page_free: %s\n", p->tp_btf ? "yes" : err_str(p->tp_btf_err));
	fprintf(out, "tp_btf test_pages_isolated (ranges that fail to offline or allocate): %s\n",
		p->tp_isolate ? "yes" : "no");
	if (!p->preempt.known)
		fprintf(out, "preemption: unknown (fentry first)\n");
	else
		fprintf(out, "preemption: %s (%s)%s\n", p->preempt.model, p->preempt.source,
			p->preempt.full ? ": fentry programs run preemptible, kprobes first" : "");
	fprintf(out, "FOLL_GET=%#x FOLL_PIN=%#x FOLL_LONGTERM=%#x (%s)\n", p->foll_get, p->foll_pin,
		p->foll_longterm, p->foll_from_btf ? "from BTF" : "pre-6.3 defaults");
	fprintf(out, "zero page: %s\n", p->zero_pfn_addr && p->vmemmap_base_addr ? "zero_pfn" : "PG_reserved fallback");
	fprintf(out, "%-26s %-7s %-4s %-9s %-22s %-22s %s\n", "symbol", "role", "btf", "kallsyms",
		"fentry", "kprobe", "plan");
	for (int i = 0; i < p->n_hooks; i++) {
		const struct pw_hook *h = &p->hooks[i];
		fprintf(out, "%-26s %-7s %-4s %-9s %-22s %-22s %s\n", h->sym,
			h->role == PW_ROLE_ACQUIRE ? "acquire" : h->role == PW_ROLE_RELEASE ? "release" : "api",
			h->in_btf ? "yes" : "no", h->in_kallsyms ? "yes" : "no",
			err_str(h->fentry_err), h->fentry_ok ? "not needed" : err_str(h->kprobe_err),
			pw_mode_name(h->mode));
	}
}

void probe_say_refusal(const struct pw_plan *p, bool in_probe)
{
	fprintf(stderr, "pinwatch: cannot trace pins on kernel %s: %s%s\n", p->kernel, p->missing,
		in_probe ? "" : " (details: pinwatch probe)");
}

void probe_print_verdict(FILE *out, const struct pw_plan *p)
{
	if (p->missing[0])
		fprintf(out, "cannot trace: %s\npinwatch needs BTF and either BPF trampolines (fentry, "
			"CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) or CONFIG_KPROBES\n", p->missing);
	else
		fprintf(out, "plan: traceable\n");
}
