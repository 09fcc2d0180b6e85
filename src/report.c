// SPDX-License-Identifier: GPL-2.0
/*
 * The report model: raw findings from the BPF map become symbolized, merged,
 * sorted groups. The BPF side aggregates by stack *id*; two ids can still
 * symbolize to the same frames (e.g. after stripping tracer frames, or the
 * same call chain reached from different return offsets in a BPF program),
 * so merging is done again here on the strings a human will read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "src/ksyms.h"
#include "src/report.h"
#include "src/suppress.h"

/* Frames the tracer itself adds on top of the traced call: BPF programs,
 * trampolines, ftrace/kprobe/rethook glue. Only a leading run is dropped, so a
 * real bpf_* caller deeper in the stack (a BPF helper pinning pages) stays. */
static bool is_noise(const struct ksyms *ks, __u64 ip)
{
	static const char *const prefixes[] = {
		"bpf_", "__bpf_", "ftrace_", "__ftrace_", "arch_ftrace_", "kprobe_",
		"__kprobe_", "kretprobe_", "__kretprobe_", "arch_rethook_", "rethook_",
		"fprobe_", "__traceiter_", "trace_call_bpf", "perf_trace_run_bpf",
	};
	static const char *const modules[] = { "bpf", "__builtin__ftrace", "__builtin__kprobes" };
	const struct ksym *s = ksyms_find(ks, ip);
	size_t i;

	/* With kallsyms loaded, the only kernel text it cannot name is JIT code:
	 * BPF programs and trampolines when bpf_jit_kallsyms is off. Without
	 * kallsyms nothing is known, so nothing is noise. */
	if (!s)
		return ks && ip;
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		if (s->module && !strcmp(s->module, modules[i]))
			return true;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(s->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void free_frames(char **v, int n)
{
	while (n-- > 0)
		free(v[n]);
	free(v);
}

/* Symbolize n ips into a fresh array of owned strings, without tracer noise. */
static int symbolize(const struct ksyms *ks, const __u64 *ips, int n, char ***out, int *nout)
{
	char buf[512], **v;
	int i = 0, k = 0;

	n = n < 0 ? 0 : n > PW_STACK_DEPTH ? PW_STACK_DEPTH : n;
	while (i < n && is_noise(ks, ips[i]))
		i++;
	bool all_noise = i == n || !ips[i];
	if (all_noise)
		i = 0;	/* nothing but noise: show it all rather than an empty stack */
	v = calloc(n - i + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	const struct ksym *prev = NULL;
	bool after_tramp = false;
	for (; i < n; i++) {
		if (!ips[i])
			break;	/* stack maps zero-fill after the last frame */
		/* An fentry trampoline mid-stack shows as "bpf_trampoline_N [bpf]"
		 * followed by the traced function a second time (its return site
		 * in the patched prologue): drop both, the real frame is above. */
		const struct ksym *sym = ks ? ksyms_find(ks, ips[i]) : NULL;
		if (!all_noise && sym && sym->module && !strcmp(sym->module, "bpf")) {
			after_tramp = true;
			continue;
		}
		if (after_tramp && sym && sym == prev) {
			after_tramp = false;
			continue;
		}
		after_tramp = false;
		prev = sym;
		v[k] = strdup(ksyms_format(ks, ips[i], buf, sizeof(buf)));
		if (!v[k])
			goto fail;
		k++;
	}
	*out = v;
	*nout = k;
	return 0;
fail:
	free_frames(v, k);
	return -ENOMEM;
}

/* The function name of a formatted frame: "foo+0x1 [mod]" -> "foo". */
static bool frame_is(const char *frame, const char *fn, bool prefix)
{
	size_t n = strcspn(frame, "+ "), l = strlen(fn);

	return prefix ? n >= l && !strncmp(frame, fn, l) : n == l && !strncmp(frame, fn, l);
}

static bool stack_has(char *const *v, int n, const char *fn, bool prefix)
{
	int i;

	for (i = 0; i < n; i++)
		if (frame_is(v[i], fn, prefix))
			return true;
	return false;
}

/* Name the API that took the pin by what called GUP, not just which GUP entry
 * point: "io_uring" tells a user far more than "pin_user_pages". */
const char *report_refine_api(const char *base, char *const *v, int n)
{
	if (stack_has(v, n, "io_pin_pages", false) || stack_has(v, n, "io_sqe_buffer_register", false) ||
	    stack_has(v, n, "io_sqe_buffers_register", false))
		return "io_uring";
	if (stack_has(v, n, "__bio_iov_iter_get_pages", false) ||
	    stack_has(v, n, "bio_iov_iter_get_pages", false))
		return "o_direct";
	if (stack_has(v, n, "iov_iter_extract_pages", false))
		return "iov_iter";
	if (stack_has(v, n, "process_vm_rw", true))
		return "process_vm_access";
	if (stack_has(v, n, "udmabuf_create", false))
		return "udmabuf";
	return base;
}

static bool frames_equal(char **a, int na, char **b, int nb)
{
	int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static void copy_comm(char *dst, const char *src)
{
	memcpy(dst, src, PW_COMM_LEN);
	dst[PW_COMM_LEN - 1] = '\0';	/* the kernel terminates it; do not trust that */
}

/* Build a single-finding group; frames are symbolized and owned by g. */
static int group_from_raw(struct pw_group *g, const struct pw_raw_finding *f,
			  const struct ksyms *ks, __u64 now_ns)
{
	memset(g, 0, sizeof(*g));
	g->kind = f->key.kind;
	g->n_merged = 1;
	g->pages = f->val.pages;
	g->pins = f->val.pins;
	g->longterm = f->key.flags & PW_F_LONGTERM;
	g->foll_get = f->key.flags & PW_F_GET;
	copy_comm(g->comm, f->key.comm);
	copy_comm(g->rel_comm, f->key.rel_comm);
	g->tgid = f->key.tgid;
	g->pid = f->val.pid;
	g->rel_tgid = f->key.rel_tgid;
	if (f->val.acq_ns && now_ns > f->val.acq_ns)
		g->age_s = (double)(now_ns - f->val.acq_ns) / 1e9;
	if (symbolize(ks, f->acq_ips, f->n_acq, &g->acq, &g->n_acq))
		return -ENOMEM;
	if (symbolize(ks, f->rel_ips, f->n_rel, &g->rel, &g->n_rel)) {
		free_frames(g->acq, g->n_acq);
		return -ENOMEM;
	}
	snprintf(g->api, sizeof(g->api), "%s",
		 report_refine_api(pw_api_name(f->key.api), g->acq, g->n_acq));
	return 0;
}

static void merge_into(struct pw_group *dst, const struct pw_group *src)
{
	dst->pages += src->pages;
	dst->pins += src->pins;
	dst->n_merged += src->n_merged;
	dst->longterm |= src->longterm;
	dst->foll_get |= src->foll_get;
	if (src->age_s > dst->age_s)
		dst->age_s = src->age_s;
	/* comm/pid/api stay those of the first finding seen */
}

static int kind_rank(enum pw_kind k)
{
	switch (k) {
	case PW_K_PUT_INSTEAD_OF_UNPIN:	return 0;
	case PW_K_UNPIN_WITHOUT_PIN:	return 1;
	case PW_K_LONGTERM_IN_MOVABLE:	return 2;
	case PW_K_LEAK:			return 3;
	case PW_K_PREEXISTING:		return 4;
	default:			return 5;
	}
}

static int cmp_group(const void *a, const void *b)
{
	const struct pw_group *x = a, *y = b;
	int i;

	if (kind_rank(x->kind) != kind_rank(y->kind))
		return kind_rank(x->kind) - kind_rank(y->kind);
	if (x->pins != y->pins)
		return x->pins > y->pins ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	/* Ties: by stack text, so equal inputs always print in the same order. */
	for (i = 0; i < x->n_acq && i < y->n_acq; i++)
		if (strcmp(x->acq[i], y->acq[i]))
			return strcmp(x->acq[i], y->acq[i]);
	return x->n_acq - y->n_acq;
}

int report_add_findings(struct pw_report *r, const struct pw_raw_finding *raw, int n,
			const struct ksyms *ks, const struct suppressions *sup, __u64 now_ns)
{
	struct pw_group g, *ng;
	int i, j, err;

	for (i = 0; i < n; i++) {
		err = group_from_raw(&g, &raw[i], ks, now_ns);
		if (err)
			return err;
		/* Linear search is fine: groups number in the tens, and a report
		 * with thousands of distinct stacks is unreadable anyway. */
		for (j = 0; j < r->n_groups; j++) {
			struct pw_group *o = &r->groups[j];

			if (o->kind == g.kind && frames_equal(o->acq, o->n_acq, g.acq, g.n_acq) &&
			    frames_equal(o->rel, o->n_rel, g.rel, g.n_rel))
				break;
		}
		if (j < r->n_groups) {
			merge_into(&r->groups[j], &g);
			free_frames(g.acq, g.n_acq);
			free_frames(g.rel, g.n_rel);
			continue;
		}
		g.suppressed = suppressions_match(sup, g.kind, g.acq, g.n_acq) ||
			       suppressions_match(sup, g.kind, g.rel, g.n_rel);
		ng = realloc(r->groups, (r->n_groups + 1) * sizeof(*ng));
		if (!ng) {
			free_frames(g.acq, g.n_acq);
			free_frames(g.rel, g.n_rel);
			return -ENOMEM;
		}
		r->groups = ng;
		r->groups[r->n_groups++] = g;
		r->suppressed += g.suppressed;
	}
	if (r->n_groups > 1)
		qsort(r->groups, r->n_groups, sizeof(*r->groups), cmp_group);
	return 0;
}

static bool report_lost(const struct pw_report *r)
{
	return r->dropped_pages || r->dropped_findings || r->dropped_stacks ||
	       r->dropped_events || r->dropped_runs || r->lost_exits;
}

void report_finish(struct pw_report *r)
{
	r->incomplete = report_lost(r);
}

void report_free(struct pw_report *r)
{
	int i;

	for (i = 0; i < r->n_groups; i++) {
		free_frames(r->groups[i].acq, r->groups[i].n_acq);
		free_frames(r->groups[i].rel, r->groups[i].n_rel);
	}
	free(r->groups);
	free(r->attach);
	free(r->blocked);
	r->groups = NULL;
	r->attach = NULL;
	r->blocked = NULL;
	r->n_groups = r->n_attach = r->n_blocked = 0;
}

int report_bug_count(const struct pw_report *r)
{
	int i, n = 0;

	for (i = 0; i < r->n_groups; i++)
		n += !r->groups[i].suppressed && r->groups[i].kind != PW_K_PREEXISTING;
	return n;
}

int report_exit_code(const struct pw_report *r, int cmd_status, int error_exitcode)
{
	/* A report that lost data cannot vouch for "clean": fail it, too. */
	return report_bug_count(r) > 0 || r->incomplete || report_lost(r) ? error_exitcode
									   : cmd_status;
}

int report_symbolize(const struct ksyms *ks, const __u64 *ips, int n, char ***out, int *nout)
{
	return symbolize(ks, ips, n, out, nout);
}

void report_free_frames(char **v, int n)
{
	free_frames(v, n);
}

void report_counts(struct pw_report *r, const __u64 st[PW_S__MAX], const struct pw_vmstat *before,
		   const struct pw_vmstat *after)
{
	r->marks_swept = st[PW_S_MARKS_SWEPT];
	r->pins_acquired = st[PW_S_ACQ_PINS];
	r->pins_released = st[PW_S_ALL_REL] - st[PW_S_REL_UNMIRRORED];
	r->preexisting_released = st[PW_S_PREEXISTING];
	r->seen_acquired_all = st[PW_S_ALL_ACQ];
	r->seen_released_all = st[PW_S_ALL_REL];
	r->seen_nostat_acquired = st[PW_S_NOSTAT_ACQ];
	r->stacks_reused = st[PW_S_STACKS_REUSED];
	r->dropped_pages = st[PW_S_DROP_PAGES];
	r->dropped_findings = st[PW_S_DROP_FINDINGS];
	/* a lost holder loses the same thing as a lost stack: who took the pin */
	r->dropped_stacks = st[PW_S_DROP_STACKS] + st[PW_S_DROP_HOLDERS];
	r->dropped_events = st[PW_S_DROP_EVENTS];
	/* a blocked range lost is no pin lost: said apart, the report stays whole */
	r->blocked_lost = st[PW_S_DROP_BLOCKED];
	/* GUP calls lost to a busy task storage are hook runs that did nothing */
	r->dropped_runs = st[PW_S_DROP_CALLS];
	r->lost_exits = st[PW_S_LOST_EXITS];
	if (before->ok && after->ok) {
		r->nr_foll_pin_acquired_delta = after->acquired - before->acquired;
		r->nr_foll_pin_released_delta = after->released - before->released;
	}
}
