// SPDX-License-Identifier: GPL-2.0
/*
 * The skeleton's life cycle. One BPF object holds an fentry/fexit program and
 * a kprobe/kretprobe twin for every hook; the plan picks one family per
 * symbol and the others are never loaded (bpf_program__set_autoload).
 */
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tracer.h"
#include "parse.h"
#include "pinwatch.skel.h"

struct tracer {
	char failed_sym[64];	/* the symbol whose attach failed, if any */
	int failed_err;
	struct pinwatch_bpf *skel;
	struct ring_buffer *rb;
	struct tracer_opts opts;
	struct bpf_link **links;
	struct bpf_program **link_prog;	/* the program of each link */
	int n_links;
	struct pw_attach attach[64];
	int n_attach;
	int ncpu;
	const struct pw_chunk *cells;	/* the mirror, mmapped read-only */
	size_t cells_len;
	__u32 chunks;
	const struct pw_holder_rec *holders;	/* PW_HOLDER_SLOTS, mmapped read-only */
	struct pw_view view;		/* the two above and the stacks, for readers */
	__u64 free_missed_swept;	/* pw_page_free's misses when the marks were last swept */
	__u64 sweeps, free_checked_ns;
};

__u64 pw_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* What libbpf said of the program the kernel refused: its name and the
 * verifier's verdict (the log's last line before its statistics). */
static char refused_prog[64], refused_why[160];

static void note_refusal(const char *msg)
{
	const char *p = strstr(msg, "prog '"), *e = p ? strchr(p + 6, '\'') : NULL;
	if (!e)
		return;
	snprintf(refused_prog, sizeof(refused_prog), "%.*s", (int)(e - p - 6), p + 6);
	const char *log = strstr(e, "-- BEGIN PROG LOAD LOG --\n"), *end = log ? strstr(log, "-- END PROG LOAD LOG --") : NULL;
	if (!end)
		return;
	log += strlen("-- BEGIN PROG LOAD LOG --\n");
	/* back from the end, past "processed N insns ..." and "verification time" */
	const char *stop = end;
	while (stop > log) {
		const char *bol = stop - 1;
		while (bol > log && bol[-1] != '\n')
			bol--;
		int len = (int)(stop - bol);
		while (len && (bol[len - 1] == '\n' || bol[len - 1] == ' '))
			len--;
		if (len && strncmp(bol, "processed ", 10) && strncmp(bol, "verification time", 17)) {
			snprintf(refused_why, sizeof(refused_why), "%.*s", len, bol);
			return;
		}
		stop = bol;
	}
}

/* Debug messages, most of what libbpf says during a load, are never shown:
 * they return before being formatted. */
static int quiet_print(enum libbpf_print_level l, const char *f, va_list ap)
{
	char *msg = NULL;
	if (l == LIBBPF_DEBUG || vasprintf(&msg, f, ap) < 0)
		return 0;
	if (l == LIBBPF_WARN && strstr(msg, "-- BEGIN PROG LOAD LOG --"))
		note_refusal(msg);
	if (getenv("PINWATCH_DEBUG"))
		fputs(msg, stderr);
	free(msg);
	return 0;
}

/* "fexit/pin_user_pages" -> family and symbol */
static enum pw_mode sec_mode(const char *sec, const char **sym)
{
	const char *slash = strchr(sec, '/');
	*sym = slash ? slash + 1 : "";
	if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
		return PW_MODE_FENTRY;
	if (!strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10))
		return PW_MODE_KPROBE;
	return PW_MODE_NONE;	/* tp_btf, raw_tp: not per-hook */
}

static const struct pw_hook *plan_hook(const struct pw_plan *p, const char *sym)
{
	for (int i = 0; i < p->n_hooks; i++)
		if (!strcmp(p->hooks[i].sym, sym))
			return &p->hooks[i];
	return NULL;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	if (len >= sizeof(struct pw_event) && t->opts.on_new)
		t->opts.on_new(t->opts.arg, &((struct pw_event *)data)->key);
	return 0;
}

static int on_blocked(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	if (len >= sizeof(struct pw_block_event) && t->opts.on_blocked)
		t->opts.on_blocked(t->opts.arg, data);
	return 0;
}

static void configure(struct tracer *t, const struct pw_plan *p)
{
	struct pinwatch_bpf *s = t->skel;
	s->rodata->cfg_foll_get = p->foll_get;
	s->rodata->cfg_foll_pin = p->foll_pin;
	s->rodata->cfg_foll_longterm = p->foll_longterm;
	s->rodata->cfg_zero_pfn_addr = p->zero_pfn_addr;
	s->rodata->cfg_vmemmap_base_addr = p->vmemmap_base_addr;
	s->rodata->cfg_filter_tree = t->opts.filter_tree;
	s->rodata->cfg_small_cache = p->tp_btf;
	s->rodata->cfg_max_pfn = t->opts.max_pages;
	t->chunks = (t->opts.max_pages + PW_CHUNK_CELLS - 1) / PW_CHUNK_CELLS;
	bpf_map__set_max_entries(s->maps.mirror, t->chunks);

	struct bpf_program *prog;
	bpf_object__for_each_program(prog, s->obj) {
		const char *sym;
		enum pw_mode m = sec_mode(bpf_program__section_name(prog), &sym);
		if (m == PW_MODE_NONE) {
			if (prog == s->progs.pw_page_free)
				bpf_program__set_autoload(prog, p->tp_btf);
			if (prog == s->progs.pw_fork)
				bpf_program__set_autoload(prog, p->tp_btf && t->opts.filter_tree);
			if (prog == s->progs.pw_isolate_busy)
				bpf_program__set_autoload(prog, p->tp_isolate);
			continue;
		}
		const struct pw_hook *h = plan_hook(p, sym);
		bpf_program__set_autoload(prog, h && h->mode == m);
	}
}

/* One entry per symbol, named by family: "fentry" covers fentry+fexit,
 * "kprobe" covers kprobe+kretprobe, tracepoints say "tp_btf". */
static void record_attach(struct tracer *t, const char *sec)
{
	const char *sym;
	enum pw_mode m = sec_mode(sec, &sym);
	for (int i = 0; i < t->n_attach; i++)
		if (!strcmp(t->attach[i].symbol, sym))
			return;
	if (!*sym || t->n_attach == 64)
		return;
	struct pw_attach *a = &t->attach[t->n_attach++];
	snprintf(a->symbol, sizeof(a->symbol), "%s", sym);
	snprintf(a->mode, sizeof(a->mode), "%s", m == PW_MODE_NONE ? "tp_btf" : pw_mode_name(m));
}

static int attach_one(struct tracer *t, struct bpf_program *prog, char *err, size_t errlen)
{
	/* the audit and the sweep only run through BPF_PROG_TEST_RUN */
	if (!bpf_program__autoload(prog) || prog == t->skel->progs.pw_audit ||
	    prog == t->skel->progs.pw_sweep_marks || t->n_links == 128)
		return 0;
	struct bpf_link *l = bpf_program__attach(prog);
	const char *sec = bpf_program__section_name(prog);
	if (!l) {
		int e = -errno;
		snprintf(err, errlen, "attaching %s: %s", sec, strerror(-e));
		/* the caller may demote this symbol to its next mode and retry */
		const char *slash = strchr(sec, '/');
		snprintf(t->failed_sym, sizeof(t->failed_sym), "%s", slash ? slash + 1 : sec);
		t->failed_err = e;
		return e;
	}
	t->link_prog[t->n_links] = prog;
	t->links[t->n_links++] = l;
	record_attach(t, sec);
	return 0;
}

static int attach_all(struct tracer *t, char *err, size_t errlen)
{
	struct bpf_program *prog, *first = t->skel->progs.pw_page_free;
	t->links = calloc(128, sizeof(*t->links));
	t->link_prog = calloc(128, sizeof(*t->link_prog));
	if (!t->links || !t->link_prog)
		return -ENOMEM;
	/* mm_page_free first: the walk's small-folio cache (cfg_small_cache)
	 * is only right if every free since the first pin was seen */
	int e = attach_one(t, first, err, errlen);
	bpf_object__for_each_program(prog, t->skel->obj)
		if (!e && prog != first)
			e = attach_one(t, prog, err, errlen);
	return e;
}

/* pfns the mirror covers by default: every zone's span (/proc/zoneinfo) */
static __u64 machine_max_pfn(void)
{
	char *text = read_text_file("/proc/zoneinfo");
	__u64 v = 0;
	int e = text ? parse_zoneinfo_max_pfn(text, &v) : -ENOENT;
	free(text);
	if (e == 0)
		return v;
	/* no zoneinfo: RAM pages as sysconf sees them, plus a 4 GiB hole */
	long n = sysconf(_SC_PHYS_PAGES);
	return (n > 0 ? (__u64)n : 0) + (1ull << 20);
}

struct tracer *tracer_open(const struct pw_plan *p, const struct tracer_opts *o, char *err, size_t errlen,
			   char failed_sym[64], int *failed_err)
{
	struct tracer *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->opts = *o;
	if (!t->opts.max_pages)
		t->opts.max_pages = machine_max_pfn();
	if (t->opts.max_pages > (__u64)UINT32_MAX * PW_CHUNK_CELLS) {
		snprintf(err, errlen, "--max-pages %llu: more than the mirror can index",
			 (unsigned long long)t->opts.max_pages);
		goto fail;
	}
	t->ncpu = libbpf_num_possible_cpus();
	libbpf_set_print(quiet_print);
	t->skel = pinwatch_bpf__open();
	if (!t->skel) {
		snprintf(err, errlen, "opening BPF object: %s", strerror(errno));
		goto fail;
	}
	configure(t, p);
	refused_prog[0] = refused_why[0] = 0;
	int e = pinwatch_bpf__load(t->skel);
	if (e) {
		if (refused_prog[0])
			snprintf(err, errlen, "the kernel refused BPF program %s: %s%s%s", refused_prog,
				 strerror(-e), refused_why[0] ? "; verifier: " : "", refused_why);
		else
			snprintf(err, errlen, "loading BPF programs: %s", strerror(-e));
		goto fail;
	}
	/* read the mirror in place: one mapping, made while still privileged */
	t->cells_len = (size_t)t->chunks * sizeof(struct pw_chunk);
	void *m = mmap(NULL, t->cells_len, PROT_READ, MAP_SHARED, bpf_map__fd(t->skel->maps.mirror), 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mapping the mirror (%zu bytes): %s", t->cells_len, strerror(errno));
		goto fail;
	}
	t->cells = m;
	m = mmap(NULL, PW_HOLDER_SLOTS * sizeof(*t->holders), PROT_READ, MAP_SHARED,
		 bpf_map__fd(t->skel->maps.holders), 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mapping the holders: %s", strerror(errno));
		goto fail;
	}
	t->holders = m;
	t->view = (struct pw_view){ .cells = t->cells, .cells_len = t->cells_len,
				    .max_pfn = t->opts.max_pages, .holders = t->holders,
				    .stacks_fd = bpf_map__fd(t->skel->maps.stacks),
				    .gets_fd = bpf_map__fd(t->skel->maps.gets),
				    .stats_fd = bpf_map__fd(t->skel->maps.stats),
				    .findings_fd = bpf_map__fd(t->skel->maps.findings),
				    .tree_only = t->opts.filter_tree };
	if (attach_all(t, err, errlen)) {
		if (failed_sym) {
			snprintf(failed_sym, 64, "%s", t->failed_sym);
			*failed_err = t->failed_err;
		}
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
	if (!t->rb || ring_buffer__add(t->rb, bpf_map__fd(t->skel->maps.blocked), on_blocked, t)) {
		snprintf(err, errlen, "ring buffer: %s", strerror(errno));
		goto fail;
	}
	return t;
fail:
	tracer_close(t);
	return NULL;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	if (t->cells)
		munmap((void *)t->cells, t->cells_len);
	if (t->holders)
		munmap((void *)t->holders, PW_HOLDER_SLOTS * sizeof(*t->holders));
	for (int i = 0; i < t->n_links; i++)
		bpf_link__destroy(t->links[i]);
	free(t->links);
	free(t->link_prog);
	pinwatch_bpf__destroy(t->skel);
	free(t);
}

int tracer_add_tgid(struct tracer *t, __u32 tgid)
{
	__u8 one = 1;
	return bpf_map_update_elem(bpf_map__fd(t->skel->maps.tree), &tgid, &one, BPF_ANY);
}

/* One run of a raw_tp program the loader drives (the audit, the sweep)
 * with args as its arguments: 0 or -errno. */
static int test_run(struct bpf_program *prog, void *args, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = size);
	return bpf_prog_test_run_opts(bpf_program__fd(prog), &o) ? -errno : 0;
}

static __u64 prog_misses(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

/* Runs of pw_page_free the kernel skipped leave stale marks on the pages
 * they missed (see pw_sweep_marks): clear every mark once their count rises,
 * looked at every 100 ms at most, so a stale mark lives about that long. */
static void sweep_if_page_free_missed(struct tracer *t)
{
	struct bpf_program *prog = t->skel->progs.pw_page_free;
	__u64 now = pw_now_ns();

	if (!bpf_program__autoload(prog) || now - t->free_checked_ns < 100000000ull)
		return;
	t->free_checked_ns = now;
	__u64 missed = prog_misses(prog);
	if (missed == t->free_missed_swept)
		return;
	if (test_run(t->skel->progs.pw_sweep_marks, NULL, 0) == 0) {
		t->free_missed_swept = missed;
		t->sweeps++;
	}
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);
	sweep_if_page_free_missed(t);
	return n == -EINTR ? 0 : n;
}

static int audit_pass(struct tracer *t, __u64 max_age_ns, bool final)
{
	__u64 args[3] = { pw_now_ns(), max_age_ns, final };
	return test_run(t->skel->progs.pw_audit, args, sizeof(args));
}

int tracer_audit(struct tracer *t, __u64 max_age_ns, bool final)
{
	/* a mismatch is reported only when two audits in a row see it (see
	 * audit_cell in bpf/audit.bpf.c): the final audit first marks, then
	 * confirms and reports */
	int err = final ? audit_pass(t, 0, false) : 0;
	if (!err)
		err = audit_pass(t, max_age_ns, final);
	tracer_poll(t, 0);
	return err;
}

void tracer_stats(struct tracer *t, __u64 out[PW_S__MAX])
{
	view_stats(&t->view, out);
}

/* bpf_link_info of a perf-event link as 6.7+ fills it for a kprobe (the
 * uapi headers here predate it): the kprobe's own misses, a kprobe hit
 * while another ran on its CPU or a kretprobe without a free instance,
 * which never reach the program's recursion_misses. */
struct pw_kprobe_link_info {
	__u32 type, id, prog_id, _pad0;
	__u32 pe_type, _pad1;		/* enum bpf_perf_event_type */
	__u64 func_name;
	__u32 name_len, offset;
	__u64 addr, missed, cookie;
};
_Static_assert(__builtin_offsetof(struct pw_kprobe_link_info, missed) == 48,
	       "bpf_link_info.perf_event.kprobe.missed");
#define PW_PERF_EVENT_KPROBE	3	/* BPF_PERF_EVENT_KPROBE; KRETPROBE is 4 */

static __u64 kprobe_link_missed(struct bpf_link *l)
{
	struct pw_kprobe_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_link__fd(l), &info, &len) || info.type != BPF_LINK_TYPE_PERF_EVENT ||
	    (info.pe_type != PW_PERF_EVENT_KPROBE && info.pe_type != PW_PERF_EVENT_KPROBE + 1))
		return 0;
	return info.missed;
}

/* The programs that watch blocked ranges: a run of theirs skipped loses an
 * event about a failure, no pin (bpf/blocked.bpf.c). */
static bool watches_blocked(const struct tracer *t, const struct bpf_program *p)
{
	const struct bpf_program *b[] = {
		t->skel->progs.pw_isolate_busy, t->skel->progs.fx_offline_pages,
		t->skel->progs.kp_offline_pages, t->skel->progs.kr_offline_pages,
		t->skel->progs.fx_migrate_pages, t->skel->progs.kp_migrate_pages,
		t->skel->progs.kr_migrate_pages,
	};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (p == b[i])
			return true;
	return false;
}

__u64 tracer_missed_runs(struct tracer *t)
{
	struct bpf_program *prog;
	__u64 n = 0;

	for (int i = 0; i < t->n_links; i++)
		if (!watches_blocked(t, t->link_prog[i]))
			n += kprobe_link_missed(t->links[i]);
	bpf_object__for_each_program(prog, t->skel->obj)
		if (prog != t->skel->progs.pw_page_free && !watches_blocked(t, prog))
			n += prog_misses(prog);
	return n;
}

void tracer_page_free_missed(struct tracer *t, __u64 *missed, __u64 *sweeps)
{
	t->free_checked_ns = 0;		/* sweep now if runs were missed since */
	sweep_if_page_free_missed(t);
	*missed = prog_misses(t->skel->progs.pw_page_free);
	*sweeps = t->sweeps;
}

int tracer_findings(struct tracer *t, struct pw_raw_finding **out, int *n)
{
	int ffd = bpf_map__fd(t->skel->maps.findings);
	int cap = 64, cnt = 0;
	struct pw_raw_finding *r = calloc(cap, sizeof(*r));
	struct pw_finding_key k, cur;
	bool first = true;
	if (!r)
		return -ENOMEM;
	while (bpf_map_get_next_key(ffd, first ? NULL : &cur, &k) == 0) {
		first = false;
		cur = k;
		if (cnt == cap) {
			struct pw_raw_finding *nr = realloc(r, 2 * cap * sizeof(*r));
			if (!nr) {
				free(r);
				return -ENOMEM;
			}
			memset(nr + cap, 0, cap * sizeof(*r));
			r = nr;
			cap *= 2;
		}
		struct pw_raw_finding *f = &r[cnt];
		if (bpf_map_lookup_elem(ffd, &k, &f->val) == 0) {
			f->key = k;
			f->n_acq = view_stack(&t->view, k.acq_stack, f->acq_ips);
			f->n_rel = view_stack(&t->view, k.rel_stack, f->rel_ips);
			cnt++;
		}
	}
	*out = r;
	*n = cnt;
	return 0;
}

int tracer_put_finding(struct tracer *t, const struct pw_finding_key *k, const struct pw_finding_val *v)
{
	int fd = bpf_map__fd(t->skel->maps.findings);
	struct pw_finding_val cur, nv = *v;
	bool known = bpf_map_lookup_elem(fd, k, &cur) == 0;

	if (known) {
		nv.first_ns = cur.first_ns;
		nv.pages = cur.pages > v->pages ? cur.pages : v->pages;
		nv.pins = cur.pins > v->pins ? cur.pins : v->pins;
		if (cur.acq_ns && cur.acq_ns < nv.acq_ns)
			nv.acq_ns = cur.acq_ns;
		if (!memcmp(&cur, &nv, sizeof(nv)))
			return 0;
	}
	if (bpf_map_update_elem(fd, k, &nv, BPF_ANY))
		return -errno;
	if (!known && t->opts.on_new)
		t->opts.on_new(t->opts.arg, k);
	return 0;
}

bool tracer_filters_tree(const struct tracer *t)
{
	return t->opts.filter_tree;
}

int tracer_pins(struct tracer *t, struct pw_pin **out, int *n)
{
	return view_pins(&t->view, out, n);
}

void tracer_pinned(struct tracer *t, __u64 *pages, __u64 *pins)
{
	struct pw_pin *v;
	int n;

	*pages = *pins = 0;
	if (tracer_pins(t, &v, &n))
		return;
	for (int i = 0; i < n; i++) {
		*pins += v[i].pins;
		*pages += v[i].pins < v[i].nr_pages ? v[i].pins : v[i].nr_pages;
	}
	free(v);
}

int tracer_stack(struct tracer *t, __s32 id, __u64 ips[PW_STACK_DEPTH])
{
	return view_stack(&t->view, id, ips);
}

void tracer_map_fds(struct tracer *t, int *mirror, int *holders)
{
	*mirror = bpf_map__fd(t->skel->maps.mirror);
	*holders = bpf_map__fd(t->skel->maps.holders);
}

const struct pw_view *tracer_view(struct tracer *t)
{
	return &t->view;
}

__u64 tracer_capacity(struct tracer *t)
{
	return t->opts.max_pages;	/* pfns covered (cfg_max_pfn) */
}

/* One read through an fd we hold: does this kernel want CAP_BPF for it? */
int tracer_check_access(void *arg)
{
	struct tracer *t = arg;
	__u32 k = 0;
	__u64 *v = calloc(t->ncpu, sizeof(__u64));
	int err = v ? bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.stats), &k, v) : -ENOMEM;
	free(v);
	return err ? -errno : 0;
}

int tracer_verifier_stats(struct tracer *t, struct pw_prog_stat *out, int max)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (n == max || fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
		out[n].insns = info.verified_insns;
		n++;
	}
	return n;
}

int tracer_attach_list(struct tracer *t, struct pw_attach **out)
{
	*out = t->attach;
	return t->n_attach;
}
