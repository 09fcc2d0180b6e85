// SPDX-License-Identifier: GPL-2.0
/* why_build.c and why_out.c: the scan's folios placed by what the mirror
 * knows of them, verdicts, counts, and the text and JSON writers. */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/helpers.h"
#include "src/why.h"
#include "src/blocked.h"

/* A mirror of 1024 cells and a holders array, in memory. */
static struct pw_chunk *chunk;
static struct pw_holder_rec *holders;
static struct pw_view view;

static int setup(void **state)
{
	chunk = calloc(1, sizeof(*chunk));
	holders = calloc(PW_HOLDER_SLOTS, sizeof(*holders));
	view = (struct pw_view){ .cells = chunk, .cells_len = sizeof(*chunk), .max_pfn = 1024,
				 .holders = holders, .stacks_fd = -1, .gets_fd = -1,
				 .stats_fd = -1, .findings_fd = -1 };
	return chunk && holders ? 0 : -1;
}

static int teardown(void **state)
{
	free(chunk);
	free(holders);
	return 0;
}

static void holder(__u32 id, __u32 tgid, const char *comm, __u16 api, __u16 flags)
{
	struct pw_holder_rec *r = &holders[id & (PW_HOLDER_SLOTS - 1)];
	r->id = id;
	r->cells = 1;
	r->h = (struct pw_holder){ .ts_ns = 1000000000ull, .tgid = tgid, .pid = tgid, .stack_id = -1,
				   .api = api, .flags = flags };
	snprintf(r->h.comm, sizeof(r->h.comm), "%s", comm);
}

static void cell(__u64 pfn, __u32 pins, __u32 hid, bool longterm)
{
	chunk->c[pfn] = (struct pw_cell){ .pins = pins,
					  .meta = hid | (longterm ? PW_CELL_LONGTERM : 0) };
}

/* A small folio pinned `pins` times and mapped once: refcount 1 + pins * 1024. */
static struct pw_scan_rec small(__u64 pfn, __u32 pins, __s32 extra)
{
	return (struct pw_scan_rec){ .pfn = pfn, .nr_pages = 1, .pins = pins, .mapcount = 1,
				     .expected = 1, .refcount = 1 + pins * 1024 + extra,
				     .flags = PW_SCAN_ANON | PW_SCAN_LRU };
}

static const struct why_group *find(const struct why_result *r, enum why_verdict v)
{
	for (int i = 0; i < r->n_groups; i++)
		if (r->groups[i].verdict == v)
			return &r->groups[i];
	return NULL;
}

static void pins_go_to_the_mirrors_holder_the_rest_untraced(void **state)
{
	struct pw_scan_rec recs[] = { small(10, 3, 0), small(11, 1, 0), small(12, 2, 0) };
	struct pw_scan scan = { .recs = recs, .n = 3 };
	struct why_result r = { 0 };

	holder(5, 300, "rdma", PW_API_PIN_FAST, 0);
	cell(10, 2, 5, false);	/* 2 of its 3 pins seen taken */
	cell(11, 1, 5, false);
	/* pfn 12: pinned before tracing */
	assert_int_equal(why_build(&r, &scan, &view, NULL, 3000000000ull), 0);
	const struct why_group *g = find(&r, WHY_PIN_SHORT), *u = find(&r, WHY_PIN_UNTRACED);
	assert_non_null(g);
	assert_non_null(u);
	assert_int_equal(r.n_groups, 2);
	assert_true(g->pins == 3 && g->pages == 2 && g->n_folios == 2 && g->h.tgid == 300);
	assert_string_equal(g->h.comm, "rdma");
	assert_string_equal(g->api, "pin_user_pages_fast");
	assert_true(g->age_s > 1.99 && g->age_s < 2.01);
	assert_true(u->pins == 3 && u->pages == 2 && u->n_folios == 2);	/* pfn 10's third, pfn 12 */
	assert_true(u->folios[0].pfn == 10 && u->folios[0].pins == 1);
	assert_true(u->folios[1].pfn == 12 && u->folios[1].pins == 2);
	assert_true(r.pinned_pages == 3 && r.ref_pages == 0);
	assert_true(r.groups[0].verdict == WHY_PIN_SHORT);	/* known holders first */
	why_free(&r);
}

static void longterm_first_then_references_that_are_not_pins(void **state)
{
	struct pw_scan_rec recs[] = { small(20, 1, 0), small(21, 1, 0), small(22, 0, 2),
		/* a 512-page folio: 4 pins count 4 references, plus 1 unexplained */
		{ .pfn = 512, .nr_pages = 512, .pins = 4, .mapcount = 512, .expected = 512,
		  .refcount = 512 + 4 + 1, .flags = PW_SCAN_ANON | PW_SCAN_LRU | PW_SCAN_LARGE } };
	struct pw_scan scan = { .recs = recs, .n = 4 };
	struct why_result r = { 0 };

	holder(6, 400, "qemu", PW_API_PIN_REMOTE, PW_F_LONGTERM);
	holder(7, 401, "fio", PW_API_PIN_FAST, 0);
	cell(20, 1, 7, false);
	cell(21, 1, 6, true);
	cell(512, 4, 6, true);
	assert_int_equal(why_build(&r, &scan, &view, NULL, 3000000000ull), 0);
	assert_int_equal(r.n_groups, 3);
	assert_int_equal(r.groups[0].verdict, WHY_PIN_LONGTERM);
	assert_true(r.groups[0].pages == 513 && r.groups[0].pins == 5 && r.groups[0].h.tgid == 400);
	assert_int_equal(r.groups[1].verdict, WHY_PIN_SHORT);
	assert_int_equal(r.groups[2].verdict, WHY_REF_UNKNOWN);
	assert_true(r.groups[2].refs == 3 && r.groups[2].n_folios == 2);	/* pfn 22: 2, pfn 512: 1 */
	assert_true(r.pinned_pages == 514 && r.ref_pages == 513);
	why_free(&r);
}

static void without_a_session_every_holder_is_unknown(void **state)
{
	struct pw_scan_rec recs[] = { small(30, 1, 0), small(31, 0, 1) };
	struct pw_scan scan = { .recs = recs, .n = 2 };
	struct why_result r = { 0 };

	holder(8, 500, "x", PW_API_PIN_FAST, 0);
	cell(30, 1, 8, false);	/* not read: no view */
	assert_int_equal(why_build(&r, &scan, NULL, NULL, 3000000000ull), 0);
	assert_int_equal(r.n_groups, 2);
	assert_int_equal(r.groups[0].verdict, WHY_PIN_UNTRACED);
	assert_string_equal(r.groups[0].holder, "unknown");
	assert_int_equal(r.groups[1].verdict, WHY_REF_UNKNOWN);
	assert_false(r.traced);
	why_free(&r);
}

static void a_lost_holder_is_not_named(void **state)
{
	struct pw_scan_rec recs[] = { small(40, 1, 0) };
	struct pw_scan scan = { .recs = recs, .n = 1 };
	struct why_result r = { 0 };

	holder(9, 600, "y", PW_API_PIN_FAST, 0);
	holders[9].id = 9 + PW_HOLDER_SLOTS;	/* its slot went to another holder */
	cell(40, 1, 9, false);
	assert_int_equal(why_build(&r, &scan, &view, NULL, 3000000000ull), 0);
	assert_int_equal(r.n_groups, 1);
	assert_int_equal(r.groups[0].verdict, WHY_PIN_UNTRACED);
	why_free(&r);
}

static char *capture(void (*fn)(FILE *, const struct why_result *), const struct why_result *r)
{
	return CAPTURE(fn(out, r));
}

static void text_and_json_say_the_same(void **state)
{
	struct pw_scan_rec recs[] = { small(50, 1, 0), small(51, 0, 1) };
	struct pw_scan scan = { .recs = recs, .n = 2, .sum = { .user_pages = 77, .transient_pages = 2 } };
	struct why_result r = { .start = 48, .end = 64 };

	snprintf(r.range, sizeof(r.range), "memory block 3");
	snprintf(r.source, sizeof(r.source), "pinwatch serve (pid 9)");
	holder(10, 700, "q\"uote", PW_API_PIN, PW_F_LONGTERM);
	cell(50, 1, 10, true);
	assert_int_equal(why_build(&r, &scan, &view, NULL, 3000000000ull), 0);
	char *t = capture(why_text, &r), *j = capture(why_json, &r);
	schema_check(j, "pinwatch-why");
	assert_non_null(strstr(t, "pinwatch why: pfn 0x30-0x3f (memory block 3, 64 KiB); holders from pinwatch serve (pid 9)\n"));
	assert_non_null(strstr(t, "long-term pin: will not go away by itself"));
	assert_non_null(strstr(t, "holder unknown, q\"uote[700] via pin_user_pages, age 2.0 s, 1 pin\n"));
	assert_non_null(strstr(t, "0x33[refcount 2, expected 1]"));
	assert_non_null(strstr(t, "SUMMARY: pinwatch why: 1 page pinned, 1 with references that are not pins, "
			       "in memory block 3 of 77 pages of user memory\n"));
	json_check(j, "d[\"start_pfn\"] == 48 and d[\"end_pfn\"] == 64 and d[\"traced\"] and "
		      "d[\"user_pages\"] == 77 and d[\"transient_pages\"] == 2 and "
		      "[g[\"verdict\"] for g in d[\"groups\"]] == [\"long_term_pin\", \"reference_not_a_pin\"] and "
		      "d[\"groups\"][0][\"comm\"] == \"q\\\"uote\" and d[\"groups\"][0][\"pid\"] == 700 and "
		      "d[\"groups\"][0][\"pfns\"] == [{\"pfn\": 50, \"nr_pages\": 1, \"pins\": 1, "
		      "\"refcount\": 1025, \"expected_refs\": 1, \"anon\": True, \"lru\": True}] and "
		      "d[\"groups\"][0][\"bytes\"] == 4096 and "
		      "d[\"groups\"][1][\"refs\"] == 1 and \"comm\" not in d[\"groups\"][1]");
	free(t);
	free(j);
	why_free(&r);
}

/* What asked for a blocked range, by the requester's frames; its record. */
static void blocked_requests_named_and_recorded(void **state)
{
	char *offline[] = { "test_pages_isolated+0x5", "offline_pages+0x3a1", "memory_block_action+0x20" };
	char *cma[] = { "alloc_contig_range_noprof+0x1", "__cma_alloc+0x99", "cma_alloc_folio+0x1" };
	char *huge[] = { "alloc_contig_range+0x1", "alloc_contig_pages+0x9", "alloc_gigantic_folio+0x4" };
	char *huge61[] = { "alloc_contig_range+0x1", "alloc_contig_pages+0x9", "alloc_fresh_huge_page+0x4",
			   "alloc_pool_huge_page+0x7", "set_max_huge_pages+0x1a" };
	char *other[] = { "alloc_contig_range+0x1", "virtio_mem_fake_offline+0x2 [virtio_mem]" };

	assert_string_equal(blocked_what(offline, 3), "offline");
	assert_string_equal(blocked_what(cma, 3), "cma");
	assert_string_equal(blocked_what(huge, 3), "hugepage");
	assert_string_equal(blocked_what(huge61, 5), "hugepage");
	assert_string_equal(blocked_what(huge61, 3), "hugepage");	/* 6.1, the pool's frames cut */
	assert_string_equal(blocked_what(other, 2), "contig");
	assert_string_equal(blocked_what(NULL, 0), "contig");
	assert_string_equal(blocked_what_text("cma"), "CMA allocation");
	assert_string_equal(blocked_reason(PW_MR_SYSCALL), "move_pages/migrate_pages");

	struct pw_scan_rec recs[] = { small(60, 1, 0) };
	struct pw_scan scan = { .recs = recs, .n = 1 };
	struct pw_blocked b = { .what = "migrate", .ev = { .ts_ns = 3000000000ull, .start_pfn = 60,
		.end_pfn = 61, .busy_pfn = 60, .tgid = 42, .source = PW_BLOCK_MIGRATE, .err = PW_MR_SYSCALL,
		.comm = "mover" } };
	struct pw_blocked_rec rec;

	holder(11, 800, "rdma", PW_API_PIN_FAST, 0);
	cell(60, 1, 11, false);
	assert_int_equal(why_build(&b.why, &scan, &view, NULL, 3000000000ull), 0);
	blocked_record(&b, 1000000000ull, &rec);
	assert_string_equal(rec.what, "migrate");
	assert_string_equal(rec.reason, "move_pages/migrate_pages");
	assert_int_equal(rec.err, 0);	/* a reason, not an errno */
	assert_true(rec.at_s > 1.99 && rec.at_s < 2.01 && rec.pid == 42 && rec.n_holders == 1);
	assert_string_equal(rec.holders[0].verdict, "short_term_pin");
	assert_true(rec.holders[0].pid == 800 && rec.holders[0].pages == 1);
	char *t = CAPTURE(blocked_text(out, "00:00:01", &b));
	assert_non_null(strstr(t, "00:00:01 blocked: page migration of pfn 0x3c-0x3c by mover[42] failed "
			       "(move_pages/migrate_pages)\n"));
	free(t);
	blocked_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pins_go_to_the_mirrors_holder_the_rest_untraced, setup, teardown),
		cmocka_unit_test_setup_teardown(longterm_first_then_references_that_are_not_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(without_a_session_every_holder_is_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(a_lost_holder_is_not_named, setup, teardown),
		cmocka_unit_test_setup_teardown(text_and_json_say_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(blocked_requests_named_and_recorded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
