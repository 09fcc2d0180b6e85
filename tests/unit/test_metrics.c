// SPDX-License-Identifier: GPL-2.0
/* Monitoring: holder naming and top-K, the Prometheus exposition (checked
 * by promtool), label escaping, the JSON line, atomic textfile writes and
 * the `top --once` table. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/unit/helpers.h"
#include "src/metrics.h"

static struct pw_pin mk_pin(__s32 stack, __u32 pins, __u32 nr_pages, bool lt, __u64 ts, __u32 tgid,
			    const char *comm)
{
	struct pw_pin p = { .pins = pins, .nr_pages = nr_pages };
	p.h.stack_id = stack;
	p.h.flags = lt ? PW_F_LONGTERM : 0;
	p.h.ts_ns = ts;
	p.h.tgid = tgid;
	snprintf(p.h.comm, sizeof(p.h.comm), "%s", comm);
	return p;
}

/* stack id -> holder, as symbolization would name them */
static void fake_names(void *ctx, __s32 id, char *buf, size_t len)
{
	static const char *const names[] = { "pinwatch_test:pwt_pin_plain", "vmlinux:io_pin_pages",
					     "vfio_iommu_type1:vfio_pin_pages_remote",
					     "weird:a\"b\\c\nd" };
	snprintf(buf, len, "%s", names[id % 4]);
}

#define NOW 100000000000000ull	/* boot clock "now" of the recorded state: 100000 s */

/* The recorded state: what a host with the test module, io_uring and VFIO
 * holding pins looks like to serve after an audit. */
static void sample_snapshot(struct pw_snapshot *s, int topk)
{
	struct pw_pin pins[] = {
		mk_pin(0, 1, 1, true, NOW - 5000000000ull, 100, "pwtest"),	/* 16 pages, 5 s */
		mk_pin(1, 1, 1, true, NOW - 7200000000000ull, 200, "qemu"),	/* io_uring, 2 h */
		mk_pin(2, 512, 512, true, NOW - 30000000000ull, 300, "qemu"),	/* a THP, 30 s */
		mk_pin(3, 1, 1, false, NOW - 100000000ull, 400, "odd"),
		mk_pin(-1, 2, 1, false, 0, 500, "nostack"),	/* pins > pages: counted once */
	};
	struct pw_pin all[16 + 4 + 1];
	int n = 0;

	for (int i = 0; i < 16; i++)
		all[n++] = pins[0];
	for (int i = 1; i < 5; i++)
		all[n++] = pins[i];
	memset(s, 0, sizeof(*s));
	snprintf(s->version, sizeof(s->version), "0.1.0");
	snprintf(s->kernel, sizeof(s->kernel), "6.12.57+deb13-cloud-amd64");
	s->page_size = 4096;
	s->uptime_s = 42.5;
	s->time_s = 1764000000.25;
	assert_int_equal(holders_collect(s, all, n, NOW, NULL, fake_names, NULL), 0);
	assert_int_equal(holders_topk(s, topk), 0);
	s->pins_acquired = 1000;
	s->pins_released = 400;
	s->findings[PW_K_PUT_INSTEAD_OF_UNPIN] = 2;
	s->finding_pins[PW_K_PUT_INSTEAD_OF_UNPIN] = 12;
	s->mirror_entries = n;
	s->mirror_capacity = 262144;
	s->vmstat_ok = true;
	s->kernel_acquired = 123456;
	s->kernel_released = 123000;
	s->page_free_missed = 7;
	s->attach = calloc(2, sizeof(*s->attach));
	s->n_attach = 2;
	snprintf(s->attach[0].symbol, 64, "try_grab_folio");
	snprintf(s->attach[0].mode, 16, "fentry");
	snprintf(s->attach[1].symbol, 64, "mm_page_free");
	snprintf(s->attach[1].mode, 16, "tp_btf");
	blocked_count(s->blocked, &s->n_blocked, "offline", "pinwatch_test:pwt_pin_fast", false);
	blocked_count(s->blocked, &s->n_blocked, "offline", "pinwatch_test:pwt_pin_fast", false);
	blocked_count(s->blocked, &s->n_blocked, "cma", "vfio:vfio_pin_pages_remote", true);
}

static char *capture(int (*fn)(FILE *, const struct pw_snapshot *), const struct pw_snapshot *s)
{
	return CAPTURE(assert_int_equal(fn(out, s), 0));
}

static void holder_is_first_frame_outside_gup(void **state)
{
	char buf[PW_HOLDER_LEN];
	char *plain[] = { "follow_page_pte+0x2c9", "__get_user_pages+0x185", "__gup_longterm_locked+0xbc",
			  "pwt_pin_plain+0x50 [pinwatch_test]", "pwt_ioctl+0x3cd [pinwatch_test]" };
	char *fast[] = { "try_grab_folio_fast+0x5", "gup_fast_fallback+0x858", "pin_user_pages_fast+0x47",
			 "io_pin_pages+0x8e", "io_sqe_buffer_register+0x60" };
	char *hex[] = { "try_grab_folio+0x5", "0xffffffffc0001234" };
	char *tramp[] = { "__gup_longterm_locked+0xbc", "0xffffffffc0001234", "pin_user_pages+0x5",
			  "pwt_pin_plain+0x50 [pinwatch_test]" };
	char *gup_only[] = { "try_grab_page+0x5", "follow_page_mask+0x500" };

	holder_name(plain, 5, buf, sizeof(buf));
	assert_string_equal(buf, "pinwatch_test:pwt_pin_plain");
	holder_name(fast, 5, buf, sizeof(buf));
	assert_string_equal(buf, "vmlinux:io_pin_pages");
	holder_name(hex, 2, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
	holder_name(tramp, 4, buf, sizeof(buf));
	assert_string_equal(buf, "pinwatch_test:pwt_pin_plain");
	holder_name(gup_only, 2, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
	holder_name(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
}

static void holders_collect_counts_pages_ages_and_processes(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 10);
	/* sorted by pages: vfio 512, pwt 16, io_uring 1, weird 1, unknown 1, then other */
	assert_int_equal(s.n_holders, 6);
	assert_string_equal(s.holders[0].name, "vfio_iommu_type1:vfio_pin_pages_remote");
	assert_int_equal(s.holders[0].pages[1], 512);
	assert_string_equal(s.holders[1].name, "pinwatch_test:pwt_pin_plain");
	assert_int_equal(s.holders[1].pages[1], 16);
	assert_int_equal(s.holders[1].pages[0], 0);
	assert_int_equal(s.holders[1].n_procs, 1);
	assert_int_equal(s.holders[1].procs[0].tgid, 100);
	assert_string_equal(s.holders[5].name, "other");
	assert_int_equal(s.age_count, 16 + 1 + 512 + 1 + 1);
	assert_int_equal(s.age_le[0], 1 + 1);	/* <= 1 s: "odd" (0.1 s) and the unknown-age pin */
	assert_int_equal(s.age_le[1], 2 + 16);	/* <= 10 s */
	assert_true(s.oldest_s > 7199 && s.oldest_s < 7201);
	snapshot_free(&s);
}

static void topk_folds_the_rest_into_other(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 2);
	assert_int_equal(s.n_holders, 3);
	assert_string_equal(s.holders[0].name, "vfio_iommu_type1:vfio_pin_pages_remote");
	assert_string_equal(s.holders[1].name, "pinwatch_test:pwt_pin_plain");
	assert_string_equal(s.holders[2].name, "other");
	/* io_uring (lt) + weird + unknown */
	assert_int_equal(s.holders[2].pages[1], 1);
	assert_int_equal(s.holders[2].pages[0], 2);
	assert_true(s.holders[2].oldest_s[1] > 7199);
	assert_int_equal(s.holders[2].n_procs, 3);
	snapshot_free(&s);

	sample_snapshot(&s, 0);	/* k = 0: everything is "other" */
	assert_int_equal(s.n_holders, 1);
	assert_int_equal(s.holders[0].pages[0] + s.holders[0].pages[1], 531);
	snapshot_free(&s);
}

static void carry_keeps_released_holders_at_zero(void **state)
{
	char known[PW_TOPK_MAX][PW_HOLDER_LEN];
	int n_known = 0;
	struct pw_snapshot s;

	sample_snapshot(&s, 10);
	assert_int_equal(holders_carry(&s, known, &n_known, 10), 0);
	assert_int_equal(n_known, 5);
	snapshot_free(&s);

	/* next interval: nothing pinned; the five holders stay, at 0, before "other" */
	memset(&s, 0, sizeof(s));
	assert_int_equal(holders_topk(&s, 10), 0);
	assert_int_equal(holders_carry(&s, known, &n_known, 10), 0);
	assert_int_equal(s.n_holders, 6);
	assert_string_equal(s.holders[5].name, "other");
	for (int i = 0; i < 5; i++)
		assert_int_equal(s.holders[i].pages[0] + s.holders[i].pages[1], 0);
	snapshot_free(&s);

	/* with room for two only, two are carried */
	memset(&s, 0, sizeof(s));
	assert_int_equal(holders_topk(&s, 2), 0);
	assert_int_equal(holders_carry(&s, known, &n_known, 2), 0);
	assert_int_equal(s.n_holders, 3);
	assert_int_equal(n_known, 2);
	snapshot_free(&s);
}

static void escaping_follows_the_exposition_format(void **state)
{
	char buf[64];

	assert_string_equal(metrics_escape("a\"b\\c\nd", buf, sizeof(buf)), "a\\\"b\\\\c\\nd");
	assert_string_equal(metrics_escape("vmlinux:io_pin_pages", buf, sizeof(buf)), "vmlinux:io_pin_pages");
	/* truncation never splits an escape or overruns */
	metrics_escape("\"\"\"\"\"\"\"\"\"\"", buf, 8);
	assert_true(strlen(buf) < 8);
	assert_int_equal(strlen(buf) % 2, 0);
	/* label values are UTF-8: a comm cut inside a character gets U+FFFD,
	 * whole characters pass (promtool refuses the scrape otherwise) */
	assert_string_equal(metrics_escape("\xd0\xb0\xd0\xb0\xd0", buf, sizeof(buf)), "\xd0\xb0\xd0\xb0\xef\xbf\xbd");
	assert_string_equal(metrics_escape("caf\xc3\xa9\xff", buf, sizeof(buf)), "caf\xc3\xa9\xef\xbf\xbd");
	/* no character cut at the end of the buffer either */
	metrics_escape("\xd0\xb0\xd0\xb0\xd0\xb0", buf, 8);
	assert_string_equal(buf, "\xd0\xb0\xd0\xb0");
}

static void exposition_has_every_metric(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 10);
	char *t = capture(metrics_write, &s);
	assert_non_null(strstr(t, "pinwatch_pinned_pages{holder=\"pinwatch_test:pwt_pin_plain\",longterm=\"true\"} 16\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_pages{holder=\"pinwatch_test:pwt_pin_plain\",longterm=\"false\"} 0\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_bytes{holder=\"pinwatch_test:pwt_pin_plain\",longterm=\"true\"} 65536\n"));
	assert_non_null(strstr(t, "holder=\"weird:a\\\"b\\\\c\\nd\""));
	assert_non_null(strstr(t, "pinwatch_findings_total{kind=\"put_instead_of_unpin\"} 2\n"));
	assert_non_null(strstr(t, "pinwatch_findings_total{kind=\"leak\"} 0\n"));
	assert_non_null(strstr(t, "pinwatch_attach_info{symbol=\"try_grab_folio\",mode=\"fentry\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_build_info{version=\"0.1.0\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_kernel_info{release=\"6.12.57+deb13-cloud-amd64\"} 1\n"));
	/* current ages are gauges: no histogram whose buckets would go down */
	assert_non_null(strstr(t, "pinwatch_pinned_pages_by_age{max_age_seconds=\"+Inf\"} 531\n"));
	assert_non_null(strstr(t, "# TYPE pinwatch_pinned_pages_by_age gauge\n"));
	assert_null(strstr(t, " histogram\n"));
	assert_non_null(strstr(t, "# TYPE pinwatch_findings_suppressed_total counter\n"));
	assert_non_null(strstr(t, "pinwatch_kernel_foll_pin_acquired_total 123456\n"));
	assert_non_null(strstr(t, "pinwatch_mirror_capacity_folios 262144\n"));
	assert_non_null(strstr(t, "pinwatch_page_free_runs_skipped_total 7\n"));
	assert_non_null(strstr(t, "pinwatch_dropped_total{what=\"gup_exits\"} 0\n"));
	assert_non_null(strstr(t, "pinwatch_blocked_total{what=\"offline\",holder=\"pinwatch_test:pwt_pin_fast\",longterm=\"false\"} 2\n"));
	assert_non_null(strstr(t, "pinwatch_blocked_total{what=\"cma\",holder=\"vfio:vfio_pin_pages_remote\",longterm=\"true\"} 1\n"));
	/* pid labels only on the accounting view's top-k processes */
	for (const char *l = t; (l = strstr(l, "pid=")); l++) {
		const char *bol = l;
		while (bol > t && bol[-1] != '\n')
			bol--;
		assert_int_equal(strncmp(bol, "pinwatch_process_", 17), 0);
	}
	/* one HELP and one TYPE per family */
	assert_int_equal(count_str(t, "# TYPE pinwatch_pinned_pages "), 1);
	free(t);
	s.vmstat_ok = false;	/* no vmstat: the kernel series are left out, not zero */
	t = capture(metrics_write, &s);
	assert_null(strstr(t, "pinwatch_kernel_foll_pin"));
	assert_null(strstr(t, "pinwatch_kernel_drift"));
	free(t);
	snapshot_free(&s);
}

/* Pinned pages by zone and holder: the narrowest span wins (Movable inside
 * Normal's span, a CMA area inside its zone), every zone exported with zeros,
 * and a holder folded into "other" keeps its pages by zone. */
static void zones_by_narrowest_span(void **state)
{
	struct pw_zone_map m = { .n = 4, .z = {
		{ "DMA32", 4096, 1048576 }, { "Normal", 1048576, 6553600 },
		{ "Movable", 6291456, 6553600 }, { "CMA", 2097152, 2359296 } } };
	struct pw_pin pins[5] = {
		{ .pins = 1, .nr_pages = 1, .pfn = 5000, .h.stack_id = 0 },
		{ .pins = 512, .nr_pages = 512, .pfn = 6291456, .h.flags = PW_F_LONGTERM, .h.stack_id = 1 },
		{ .pins = 2, .nr_pages = 1, .pfn = 2097152, .h.stack_id = 0 },
		{ .pins = 1, .nr_pages = 1, .pfn = 9999999, .h.stack_id = 2 },
		{ .pins = 1, .nr_pages = 1, .pfn = 6291968, .h.stack_id = 3 },
	};
	struct pw_snapshot s;

	assert_string_equal(zone_of(&m, 1048576), "Normal");
	assert_string_equal(zone_of(&m, 1048575), "DMA32");
	assert_string_equal(zone_of(&m, 6291456), "Movable");
	assert_string_equal(zone_of(&m, 2100000), "CMA");
	assert_string_equal(zone_of(&m, 1), "unknown");
	memset(&s, 0, sizeof(s));
	s.page_size = 4096;
	zones_collect(&s, pins, 5, &m);
	assert_int_equal(s.n_zones, 5);
	assert_string_equal(s.zones[0].name, "DMA32");
	assert_true(s.zones[0].pages[0] == 1 && s.zones[1].pages[0] == 0);	/* DMA32, Normal */
	assert_true(s.zones[2].pages[1] == 512 && s.zones[2].pages[0] == 1);	/* Movable */
	assert_true(s.zones[3].pages[0] == 1);					/* CMA: 2 pins, 1 page */
	assert_string_equal(s.zones[4].name, "unknown");
	assert_int_equal(holders_collect(&s, pins, 5, NOW, &m, fake_names, NULL), 0);
	assert_int_equal(holders_topk(&s, 2), 0);	/* the 1-page holders of stacks 2, 3 fold */
	holders_add_before(&s, 3, 3);
	char *t = capture(metrics_write, &s);
	assert_non_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"vmlinux:io_pin_pages\","
				  "zone=\"Movable\",longterm=\"true\"} 512\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"pinwatch_test:pwt_pin_plain\","
				  "zone=\"CMA\",longterm=\"false\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"pinwatch_test:pwt_pin_plain\","
				  "zone=\"Normal\",longterm=\"false\"} 0\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"other\","
				  "zone=\"Movable\",longterm=\"false\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"other\","
				  "zone=\"unknown\",longterm=\"false\"} 1\n"));
	assert_null(strstr(t, "pinwatch_pinned_zone_pages{holder=\"" PW_HOLDER_BEFORE));
	free(t);
	t = capture(metrics_json, &s);
	assert_non_null(strstr(t, "\"zones\":{\"DMA32\":{\"pages\":1,\"longterm_pages\":0},"));
	assert_non_null(strstr(t, "\"holder\":\"vmlinux:io_pin_pages\""));
	assert_non_null(strstr(t, "\"Movable\":{\"pages\":512,\"longterm_pages\":512}"));
	free(t);
	snapshot_free(&s);
}

/* longterm_in_movable: only long-term pins, only in Movable or CMA memory,
 * one finding per (process, stack, API), and in run mode only the traced
 * tree's. */
static void longterm_pins_in_movable_are_findings(void **state)
{
	struct pw_zone_map m = { .n = 3, .z = {
		{ "Normal", 1048576, 6553600 }, { "Movable", 6291456, 6553600 },
		{ "CMA", 2097152, 2359296 } } };
	struct pw_pin pins[6] = {
		{ .pins = 1, .nr_pages = 1, .pfn = 6291456, .h = { .tgid = 7, .stack_id = 3, .api = 1,
			.flags = PW_F_LONGTERM | PW_F_TREE, .ts_ns = 500, .comm = "qemu" } },
		{ .pins = 512, .nr_pages = 512, .pfn = 6291968, .h = { .tgid = 7, .stack_id = 3, .api = 1,
			.flags = PW_F_LONGTERM | PW_F_TREE, .ts_ns = 400, .comm = "qemu" } },
		{ .pins = 1, .nr_pages = 1, .pfn = 2097152, .h = { .tgid = 8, .stack_id = 4,
			.flags = PW_F_LONGTERM, .comm = "other" } },		/* CMA, not the tree */
		{ .pins = 1, .nr_pages = 1, .pfn = 6291457, .h = { .tgid = 7, .stack_id = 5,
			.flags = PW_F_TREE, .comm = "qemu" } },			/* short-term */
		{ .pins = 1, .nr_pages = 1, .pfn = 1048576, .h = { .tgid = 7, .stack_id = 6,
			.flags = PW_F_LONGTERM | PW_F_TREE, .comm = "qemu" } },	/* Normal */
		{ .pins = 1, .nr_pages = 1, .pfn = 9999999, .h = { .tgid = 7, .stack_id = 7,
			.flags = PW_F_LONGTERM | PW_F_TREE, .comm = "qemu" } },	/* no zone */
	};
	struct pw_zone_finding *f;
	int n;

	assert_true(zone_map_unpinnable(&m));
	assert_int_equal(zone_findings(pins, 6, &m, false, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].key.kind, PW_K_LONGTERM_IN_MOVABLE);
	assert_true(f[0].key.tgid == 7 && f[0].key.acq_stack == 3 && f[0].key.rel_stack == -1);
	assert_true(f[0].key.flags == PW_F_LONGTERM);	/* PW_F_TREE is no part of the key */
	assert_true(f[0].val.pages == 513 && f[0].val.pins == 513 && f[0].val.acq_ns == 400);
	assert_true(f[1].key.tgid == 8 && f[1].val.pages == 1);
	free(f);
	assert_int_equal(zone_findings(pins, 6, &m, true, &f, &n), 0);
	assert_int_equal(n, 1);
	free(f);
	m.n = 1;					/* Normal only: nothing to look for */
	assert_false(zone_map_unpinnable(&m));
	assert_int_equal(zone_findings(pins, 6, &m, false, &f, &n), 0);
	assert_int_equal(n, 0);
	free(f);
	assert_string_equal(pw_kind_name(PW_K_LONGTERM_IN_MOVABLE), "longterm_in_movable");
}

/* Pins older than tracing: one row, shrinking by the releases of such pins. */
static void before_tracing_row_shrinks_with_releases(void **state)
{
	struct pw_snapshot s;

	memset(&s, 0, sizeof(s));
	s.preexisting_released = 3;
	holders_add_before(&s, 10, 10);
	assert_int_equal(s.n_holders, 1);
	assert_string_equal(s.holders[0].name, "before_tracing");
	assert_true(s.holders[0].pins[0] == 7 && s.holders[0].pages[0] == 7 && s.holders[0].pages[1] == 0);
	snapshot_free(&s);
	memset(&s, 0, sizeof(s));
	s.preexisting_released = 600;	/* more released than found: none left */
	holders_add_before(&s, 514, 513);
	assert_int_equal(s.n_holders, 1);
	assert_true(s.holders[0].pins[0] == 0 && s.holders[0].pages[0] == 0);
	snapshot_free(&s);
	memset(&s, 0, sizeof(s));
	s.preexisting_released = 1;	/* one pin on each of two THPs: one left, half the pages */
	holders_add_before(&s, 2, 1024);
	assert_true(s.holders[0].pins[0] == 1 && s.holders[0].pages[0] == 512);
	snapshot_free(&s);
	memset(&s, 0, sizeof(s));
	holders_add_before(&s, 0, 0);	/* none: no row */
	assert_int_equal(s.n_holders, 0);
}

/* Past PW_BLOCKED_MAX series, holders fold into "other", which keeps counting. */
static void blocked_series_are_bounded(void **state)
{
	struct pw_blocked_stat tab[PW_BLOCKED_MAX];
	int n = 0;
	char h[32];

	for (int i = 0; i < PW_BLOCKED_MAX + 6; i++) {
		snprintf(h, sizeof(h), "m:f%d", i);
		blocked_count(tab, &n, "offline", h, false);
	}
	blocked_count(tab, &n, "offline", "m:f0", false);	/* a known one still counts */
	assert_int_equal(n, PW_BLOCKED_MAX);
	assert_string_equal(tab[PW_BLOCKED_MAX - 1].holder, "other");
	assert_true(tab[PW_BLOCKED_MAX - 1].count == 7);
	assert_true(tab[0].count == 2);
}

/* promtool (Debian package prometheus) is the reference linter. */
static void exposition_passes_promtool(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 3);
	s.self.ok = true;	/* the process_* series too */
	s.self.start_time_s = 1764000000.25;
	s.self.cpu_s = 1.5;
	s.self.rss_bytes = 12 << 20;
	s.self.open_fds = 9;
	char *t = capture(metrics_write, &s);
	assert_non_null(strstr(t, "\nprocess_start_time_seconds 1764000000.25\n"));
	assert_non_null(strstr(t, "\nprocess_cpu_seconds_total 1.50\n"));
	assert_non_null(strstr(t, "\nprocess_open_fds 9\n"));
	promtool_check(t);
	free(t);
	snapshot_free(&s);
}

static void json_is_one_line_with_schema_version(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 10);
	char *t = capture(metrics_json, &s);
	schema_check(t, "pinwatch-stream");
	assert_int_equal(count_str(t, "\n"), 1);
	assert_non_null(strstr(t, "{\"type\":\"pinwatch-stream\",\"schema_version\":1,") == t ? t : NULL);

	assert_non_null(strstr(t, "\"holder\":\"pinwatch_test:pwt_pin_plain\",\"pages\":16,\"longterm_pages\":16"));
	assert_non_null(strstr(t, "\"processes\":[{\"pid\":100,\"comm\":\"pwtest\"}]"));
	assert_non_null(strstr(t, "\"weird:a\\\"b\\\\c\\nd\""));
	assert_non_null(strstr(t, "\"put_instead_of_unpin\":2"));
	assert_non_null(strstr(t, "\"hook_runs\":0,\"gup_exits\":0},\"incomplete\":false,\"page_free_runs_skipped\":7,"));
	free(t);
	/* one writer for every document (src/jsonw.c): a UTF-8 comm passes
	 * whole, invalid bytes become U+FFFD, and a loss marks it incomplete */
	snprintf(s.holders[0].procs[0].comm, PW_COMM_LEN, "caf\xc3\xa9");
	snprintf(s.holders[1].procs[0].comm, PW_COMM_LEN, "bad\xff");
	s.lost_exits = 1;
	t = capture(metrics_json, &s);
	assert_non_null(strstr(t, "\"comm\":\"caf\xc3\xa9\""));
	assert_non_null(strstr(t, "\"comm\":\"bad\\ufffd\""));
	assert_non_null(strstr(t, "\"gup_exits\":1},\"incomplete\":true,"));
	json_check(t, "d[\"type\"] == \"pinwatch-stream\" and d[\"dropped\"][\"gup_exits\"] == 1");
	assert_non_null(strstr(t, ",\"blocked\":[{\"what\":\"offline\",\"holder\":\"pinwatch_test:pwt_pin_fast\","
			       "\"longterm\":false,\"count\":2},{\"what\":\"cma\",\"holder\":\"vfio:vfio_pin_pages_remote\","
			       "\"longterm\":true,\"count\":1}],\"processes\":["));
	free(t);
	snapshot_free(&s);
}

/* A reader polling the file while it is rewritten must always see a whole
 * exposition: first family first, last family last. */
static void textfile_write_is_atomic(void **state)
{
	char dir[] = "/tmp/pw-unit-tfXXXXXX", path[128];
	struct pw_snapshot s;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pinwatch.prom", dir);
	sample_snapshot(&s, 10);
	s.self.ok = true;	/* node_exporter has its own process_* series */
	assert_int_equal(metrics_write_textfile(path, &s), 0);
	char *written = read_text_file(path);
	assert_non_null(written);
	assert_null(strstr(written, "\nprocess_"));
	free(written);
	pid_t reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		static char buf[1 << 20];
		for (int i = 0; i < 3000; i++) {
			int fd = open(path, O_RDONLY);
			if (fd < 0)
				_exit(2);	/* never missing: rename replaces */
			ssize_t n = 0, r;
			while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
				n += r;
			close(fd);
			buf[n] = '\0';
			if (strncmp(buf, "# HELP pinwatch_build_info", 26) ||
			    !strstr(buf, "\npinwatch_uptime_seconds ") || buf[n - 1] != '\n')
				_exit(1);
		}
		_exit(0);
	}
	for (int i = 0; i < 300; i++) {
		/* a growing holder list changes the size, so a torn read would show */
		s.uptime_s = i;
		holders_topk(&s, 10 - i % 10);
		assert_int_equal(metrics_write_textfile(path, &s), 0);
		snapshot_free(&s);
		sample_snapshot(&s, 10);
	}
	int st;
	waitpid(reader, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	snapshot_free(&s);
	/* no temp file is left behind */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) = 1", dir);
	assert_int_equal(system(cmd), 0);
	/* an unwritable directory is an error, not a crash */
	sample_snapshot(&s, 10);
	assert_int_equal(metrics_write_textfile("/nonexistent/dir/x.prom", &s), -ENOENT);
	snapshot_free(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static char *render(const struct pw_snapshot *s, enum pw_sort key, int rows, int width)
{
	return CAPTURE(top_render(out, s, PW_BY_HOLDER, key, rows, width));
}

static void top_once_table(void **state)
{
	struct pw_snapshot s;

	sample_snapshot(&s, 10);
	char *t = render(&s, PW_SORT_PAGES, 0, 0);
	print_message("%s", t);
	assert_non_null(strstr(t, "HOLDER"));
	assert_non_null(strstr(t, "PROCESSES"));
	assert_non_null(strstr(t, "531 pages (2.1M) pinned, 529 long-term; oldest 2h00m"));
	char *vfio = strstr(t, "vfio_iommu_type1:vfio_pin_pages_remote"), *pwt = strstr(t, "pinwatch_test:pwt_pin_plain");
	assert_true(vfio && pwt && vfio < pwt);	/* by pages */
	assert_non_null(strstr(pwt, "16     64.0K        16"));
	assert_non_null(strstr(pwt, "pwtest[100]"));
	assert_null(strstr(t, "\033"));	/* plain text; screen control is top.c's */
	assert_null(strstr(t, "\nother "));	/* empty rows are not shown */
	free(t);
	t = render(&s, PW_SORT_AGE, 0, 0);	/* io_uring's 2 h pin first */
	vfio = strstr(t, "vfio_iommu_type1");
	char *io = strstr(t, "vmlinux:io_pin_pages");
	assert_true(io && vfio && io < vfio);
	assert_non_null(strstr(io, "2h00m"));
	free(t);
	/* an 80-column terminal keeps every header field, the sort key included
	 * (it sat at column 116 of one line before, cut off on 120 columns) */
	s.dropped_runs = 2;	/* every loss the report counts, GUP exits missed too */
	s.lost_exits = 3;
	t = render(&s, PW_SORT_LONGTERM, 0, 80);
	s.dropped_runs = s.lost_exits = 0;
	assert_non_null(strstr(t, ", dropped 5\n"));
	assert_non_null(strstr(t, "pinwatch 0.1.0 on 6.12.57+deb13-cloud-amd64, up "));
	assert_non_null(strstr(t, ", sorted by longterm\n"));
	assert_non_null(strstr(t, "531 pages (2.1M) pinned, 529 long-term; oldest 2h00m\n"));
	assert_non_null(strstr(t, "\nfindings: leak "));
	assert_non_null(strstr(t, "unpin_without_pin "));
	assert_non_null(strstr(t, "\npins acquired "));
	assert_non_null(strstr(t, "dropped "));
	char *l = t, *nl;
	for (int i = 0; i < 4 && (nl = strchr(l, '\n')); i++, l = nl + 1)
		assert_true(nl - l < 80);	/* the four header lines fit whole, not cut */
	free(t);
	t = render(&s, PW_SORT_HOLDER, 1, 30);	/* one row, 30 columns */
	for (l = t; (nl = strchr(l, '\n')); l = nl + 1)
		assert_true(nl - l <= 30);
	assert_int_equal(count_str(t, "pinwatch_test:"), 1);
	assert_int_equal(count_str(t, "vfio"), 0);
	free(t);
	snapshot_free(&s);
	memset(&s, 0, sizeof(s));
	t = render(&s, PW_SORT_PAGES, 0, 0);
	assert_non_null(strstr(t, "(no pins held)"));
	free(t);
}

static void sort_keys_parse(void **state)
{
	enum pw_sort k;

	assert_int_equal(top_sort_parse("age", &k), 0);
	assert_int_equal(k, PW_SORT_AGE);
	assert_int_equal(top_sort_parse("longterm", &k), 0);
	assert_int_equal(k, PW_SORT_LONGTERM);
	assert_int_equal(top_sort_parse("pid", &k), -EINVAL);
	assert_string_equal(top_sort_name(PW_SORT_HOLDER), "holder");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holder_is_first_frame_outside_gup),
		cmocka_unit_test(holders_collect_counts_pages_ages_and_processes),
		cmocka_unit_test(topk_folds_the_rest_into_other),
		cmocka_unit_test(carry_keeps_released_holders_at_zero),
		cmocka_unit_test(escaping_follows_the_exposition_format),
		cmocka_unit_test(exposition_has_every_metric),
		cmocka_unit_test(exposition_passes_promtool),
		cmocka_unit_test(blocked_series_are_bounded),
		cmocka_unit_test(before_tracing_row_shrinks_with_releases),
		cmocka_unit_test(zones_by_narrowest_span),
		cmocka_unit_test(longterm_pins_in_movable_are_findings),
		cmocka_unit_test(json_is_one_line_with_schema_version),
		cmocka_unit_test(textfile_write_is_atomic),
		cmocka_unit_test(top_once_table),
		cmocka_unit_test(sort_keys_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
