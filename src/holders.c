// SPDX-License-Identifier: GPL-2.0
/*
 * Holders: who holds the pins mirrored now. A holder is named by the first
 * kernel frame of the acquiring stack outside GUP itself, because that is the
 * code that owns the pin and must release it (pwt_pin_plain, io_pin_pages,
 * vfio_pin_pages_remote ...), while the GUP frames above it are the same for
 * every caller. Label cardinality stays bounded: one series per function,
 * top-K plus "other".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "src/metrics.h"
#include "src/parse.h"

const double pw_age_bounds[PW_AGE_BUCKETS] = { 1, 10, 60, 300, 900, 3600, 21600, 86400 };

/* mm/gup.c and the iov_iter wrappers: frames that take pins on behalf of a
 * caller. Prefixes, matched on the function name. */
static bool is_gup_frame(const char *fn, size_t n)
{
	static const char *const gup[] = {
		"try_grab_", "try_get_folio", "try_get_compound_head", "gup_", "__gup_",
		"follow_", "get_user_pages", "__get_user_pages", "pin_user_pages",
		"__pin_user_pages", "internal_get_user_pages", "lockless_pages_from_mm",
		"memfd_pin_folios", "folio_add_pin", "record_subpages", "faultin_page",
		"check_and_migrate_movable", "migrate_longterm_unpinnable",
		"collect_longterm_unpinnable", "is_valid_gup_args", "get_gate_page",
		"iov_iter_extract_", "iov_iter_get_pages", "__iov_iter_get_pages",
		"want_pages_array", "can_follow_write",
	};

	for (size_t i = 0; i < sizeof(gup) / sizeof(gup[0]); i++) {
		size_t l = strlen(gup[i]);
		if (n >= l && !strncmp(fn, gup[i], l))
			return true;
	}
	return false;
}

void holder_name(char *const *frames, int n, char *buf, size_t len)
{
	for (int i = 0; i < n; i++) {
		const char *f = frames[i];
		size_t fl = strcspn(f, "+ ");

		/* unsymbolized text between GUP frames is JIT code (a trampoline
		 * kallsyms did not list yet), not the holder: look further */
		if (!fl || !strncmp(f, "0x", 2) || is_gup_frame(f, fl))
			continue;
		const char *mod = strchr(f, '[');
		size_t ml = mod ? strcspn(mod + 1, "]") : 0;
		if (mod && ml)
			snprintf(buf, len, "%.*s:%.*s", (int)ml, mod + 1, (int)fl, f);
		else
			snprintf(buf, len, "vmlinux:%.*s", (int)fl, f);
		return;
	}
	snprintf(buf, len, "unknown");
}

static int cmp_stack(const void *a, const void *b)
{
	const struct pw_pin *x = a, *y = b;
	return x->h.stack_id < y->h.stack_id ? -1 : x->h.stack_id > y->h.stack_id;
}

struct pw_holder_stat *holder_get(struct pw_snapshot *s, const char *name)
{
	for (int i = 0; i < s->n_holders; i++)
		if (!strcmp(s->holders[i].name, name))
			return &s->holders[i];
	struct pw_holder_stat *nh = realloc(s->holders, (s->n_holders + 1) * sizeof(*nh));
	if (!nh)
		return NULL;
	s->holders = nh;
	nh = &s->holders[s->n_holders++];
	memset(nh, 0, sizeof(*nh));
	snprintf(nh->name, sizeof(nh->name), "%s", name);
	return nh;
}

static void add_proc(struct pw_holder_stat *h, __u32 tgid, const char *comm)
{
	for (int i = 0; i < h->n_procs; i++)
		if (h->procs[i].tgid == tgid)
			return;
	if (h->n_procs == PW_HOLDER_PROCS) {
		h->more_procs = true;
		return;
	}
	h->procs[h->n_procs].tgid = tgid;
	memcpy(h->procs[h->n_procs].comm, comm, PW_COMM_LEN);
	h->procs[h->n_procs].comm[PW_COMM_LEN - 1] = '\0';
	h->n_procs++;
}

static int zone_slot(struct pw_snapshot *s, const char *name);

int holders_collect(struct pw_snapshot *s, struct pw_pin *pins, int n, __u64 now_ns,
		    const struct pw_zone_map *zm,
		    void (*name_of)(void *ctx, __s32 stack_id, char *buf, size_t len), void *ctx)
{
	struct pw_holder_stat *h = NULL;
	char name[PW_HOLDER_LEN];

	/* grouped by stack id, each stack is symbolized once, not once per page */
	qsort(pins, n, sizeof(*pins), cmp_stack);
	for (int i = 0; i < n; i++) {
		const struct pw_pin *p = &pins[i];
		if (!i || p->h.stack_id != pins[i - 1].h.stack_id) {
			name[0] = '\0';
			if (p->h.stack_id >= 0)
				name_of(ctx, p->h.stack_id, name, sizeof(name));
			h = holder_get(s, name[0] ? name : "unknown");
			if (!h)
				return -ENOMEM;
		}
		int lt = !!(p->h.flags & PW_F_LONGTERM);
		__u64 pages = p->pins < p->nr_pages ? p->pins : p->nr_pages;
		double age = p->h.ts_ns && now_ns > p->h.ts_ns ? (now_ns - p->h.ts_ns) / 1e9 : 0;
		h->pages[lt] += pages;
		h->pins[lt] += p->pins;
		int z = zm ? zone_slot(s, zone_of(zm, p->pfn)) : -1;
		if (z >= 0)
			h->zone_pages[z][lt] += pages;
		if (age > h->oldest_s[lt])
			h->oldest_s[lt] = age;
		add_proc(h, p->h.tgid, p->h.comm);
		/* the histogram counts pages, like the pinned-pages gauges */
		for (int b = 0; b < PW_AGE_BUCKETS; b++)
			if (age <= pw_age_bounds[b])
				s->age_le[b] += pages;
		s->age_count += pages;
		s->age_sum_s += age * pages;
		if (age > s->oldest_s)
			s->oldest_s = age;
	}
	return 0;
}

static __u64 total_pages(const struct pw_holder_stat *h)
{
	return h->pages[0] + h->pages[1];
}

static int cmp_pages(const void *a, const void *b)
{
	const struct pw_holder_stat *x = a, *y = b;
	if (total_pages(x) != total_pages(y))
		return total_pages(x) > total_pages(y) ? -1 : 1;
	return strcmp(x->name, y->name);	/* stable output for equal inputs */
}

static void fold(struct pw_holder_stat *dst, const struct pw_holder_stat *src)
{
	for (int lt = 0; lt < 2; lt++) {
		dst->pages[lt] += src->pages[lt];
		dst->pins[lt] += src->pins[lt];
		for (int z = 0; z < PW_ZONE_NAMES; z++)
			dst->zone_pages[z][lt] += src->zone_pages[z][lt];
		if (src->oldest_s[lt] > dst->oldest_s[lt])
			dst->oldest_s[lt] = src->oldest_s[lt];
	}
	for (int i = 0; i < src->n_procs; i++)
		add_proc(dst, src->procs[i].tgid, src->procs[i].comm);
	dst->more_procs |= src->more_procs;
}

int holders_topk(struct pw_snapshot *s, int k)
{
	struct pw_holder_stat other = { .name = "other" };
	int keep = 0;

	if (k < 0)
		k = 0;
	if (s->n_holders > 1)
		qsort(s->holders, s->n_holders, sizeof(*s->holders), cmp_pages);
	for (int i = 0; i < s->n_holders; i++) {
		/* an "other" among the inputs is folded too, never named twice */
		if (keep < k && strcmp(s->holders[i].name, "other"))
			s->holders[keep++] = s->holders[i];
		else
			fold(&other, &s->holders[i]);
	}
	struct pw_holder_stat *nh = realloc(s->holders, (keep + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	s->holders = nh;
	s->holders[keep] = other;
	s->n_holders = keep + 1;
	return 0;
}

int holders_carry(struct pw_snapshot *s, char (*known)[PW_HOLDER_LEN], int *n_known, int k)
{
	int named = s->n_holders - 1;	/* after holders_topk the last is "other" */

	for (int i = 0; i < *n_known && named < k; i++) {
		bool found = false;
		for (int j = 0; j < s->n_holders && !found; j++)
			found = !strcmp(s->holders[j].name, known[i]);
		if (found)
			continue;
		struct pw_holder_stat *nh = realloc(s->holders, (s->n_holders + 1) * sizeof(*nh));
		if (!nh)
			return -ENOMEM;
		s->holders = nh;
		/* insert before "other", which stays last */
		s->holders[s->n_holders] = s->holders[s->n_holders - 1];
		memset(&s->holders[s->n_holders - 1], 0, sizeof(*nh));
		snprintf(s->holders[s->n_holders - 1].name, PW_HOLDER_LEN, "%s", known[i]);
		s->n_holders++;
		named++;
	}
	*n_known = 0;
	for (int i = 0; i < s->n_holders - 1 && *n_known < k; i++)
		snprintf(known[(*n_known)++], PW_HOLDER_LEN, "%s", s->holders[i].name);
	return 0;
}

const char *zone_of(const struct pw_zone_map *m, __u64 pfn)
{
	const struct pw_zone_span *best = NULL;
	for (int i = 0; i < m->n; i++) {
		const struct pw_zone_span *z = &m->z[i];
		if (pfn >= z->start && pfn < z->end && (!best || z->end - z->start < best->end - best->start))
			best = z;
	}
	return best ? best->name : "unknown";
}

static int zone_slot(struct pw_snapshot *s, const char *name)
{
	for (int i = 0; i < s->n_zones; i++)
		if (!strcmp(s->zones[i].name, name))
			return i;
	if (s->n_zones == PW_ZONE_NAMES)
		return -1;
	snprintf(s->zones[s->n_zones].name, sizeof(s->zones[0].name), "%s", name);
	return s->n_zones++;
}

void zones_collect(struct pw_snapshot *s, const struct pw_pin *pins, int n,
		   const struct pw_zone_map *m)
{
	for (int i = 0; i < m->n; i++)
		zone_slot(s, m->z[i].name);
	for (int i = 0; i < n; i++) {
		int z = zone_slot(s, zone_of(m, pins[i].pfn));
		__u64 pages = pins[i].pins < pins[i].nr_pages ? pins[i].pins : pins[i].nr_pages;
		if (z >= 0)
			s->zones[z].pages[!!(pins[i].h.flags & PW_F_LONGTERM)] += pages;
	}
}

void zone_map_read(struct pw_zone_map *m, const struct pw_zone_map *cma)
{
	char *text = read_text_file("/proc/zoneinfo");
	int n = text ? parse_zoneinfo_zones(text, m->z, PW_ZONES_MAX) : 0;

	free(text);
	m->n = n > 0 ? n : 0;
	for (int i = 0; cma && i < cma->n && m->n < PW_ZONES_MAX; i++)
		m->z[m->n++] = cma->z[i];
}

static bool unpinnable_zone(const char *name)
{
	return !strcmp(name, "Movable") || !strcmp(name, "CMA");
}

bool zone_map_unpinnable(const struct pw_zone_map *m)
{
	for (int i = 0; i < m->n; i++)
		if (unpinnable_zone(m->z[i].name) && m->z[i].end > m->z[i].start)
			return true;
	return false;
}

int zone_findings(const struct pw_pin *pins, int n, const struct pw_zone_map *m, bool tree_only,
		  struct pw_zone_finding **out, int *nout)
{
	struct pw_zone_finding *f = NULL;
	int nf = 0;

	for (int i = 0; i < n; i++) {
		const struct pw_pin *p = &pins[i];
		if (!(p->h.flags & PW_F_LONGTERM) || (tree_only && !(p->h.flags & PW_F_TREE)) ||
		    !unpinnable_zone(zone_of(m, p->pfn)))
			continue;
		struct pw_finding_key k = { .kind = PW_K_LONGTERM_IN_MOVABLE, .tgid = p->h.tgid,
					    .acq_stack = p->h.stack_id, .rel_stack = -1, .api = p->h.api,
					    .flags = p->h.flags & (PW_F_LONGTERM | PW_F_GET) };
		memcpy(k.comm, p->h.comm, PW_COMM_LEN);
		int j = 0;
		while (j < nf && memcmp(&f[j].key, &k, sizeof(k)))
			j++;
		if (j == nf) {
			struct pw_zone_finding *nfp = realloc(f, (nf + 1) * sizeof(*f));
			if (!nfp) {
				free(f);
				return -ENOMEM;
			}
			f = nfp;
			memset(&f[nf], 0, sizeof(*f));
			f[nf].key = k;
			f[nf].val.pid = p->h.pid;
			f[nf].val.acq_ns = p->h.ts_ns;
			nf++;
		}
		f[j].val.pages += p->pins < p->nr_pages ? p->pins : p->nr_pages;
		f[j].val.pins += p->pins;
		if (p->h.ts_ns && (!f[j].val.acq_ns || p->h.ts_ns < f[j].val.acq_ns))
			f[j].val.acq_ns = p->h.ts_ns;
	}
	*out = f;
	*nout = nf;
	return 0;
}

void holders_add_before(struct pw_snapshot *s, __u64 pre_pins, __u64 pre_pages)
{
	__u64 left = pre_pins > s->preexisting_released ? pre_pins - s->preexisting_released : 0;
	if (!pre_pins)
		return;
	struct pw_holder_stat *h = holder_get(s, PW_HOLDER_BEFORE);
	if (!h)
		return;
	/* releases are counted in pins: pages in the proportion found at start */
	h->pins[0] += left;
	h->pages[0] += (__u64)((double)pre_pages * left / pre_pins + 0.5);
}

void blocked_count(struct pw_blocked_stat *tab, int *n, const char *what, const char *holder,
		   bool longterm)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < *n; i++) {
			struct pw_blocked_stat *b = &tab[i];
			if (!strcmp(b->what, what) && !strcmp(b->holder, holder) && b->longterm == longterm) {
				b->count++;
				return;
			}
		}
		if (*n < PW_BLOCKED_MAX - 1 || (pass && *n < PW_BLOCKED_MAX)) {
			struct pw_blocked_stat *b = &tab[(*n)++];
			snprintf(b->what, sizeof(b->what), "%s", what);
			snprintf(b->holder, sizeof(b->holder), "%s", holder);
			b->longterm = longterm;
			b->count = 1;
			return;
		}
		holder = "other";	/* the last slot is kept for everything past the others */
	}
}

void snapshot_free(struct pw_snapshot *s)
{
	free(s->holders);
	free(s->attach);
	acct_free(&s->acct);
	s->holders = NULL;
	s->attach = NULL;
	s->n_holders = s->n_attach = 0;
}
