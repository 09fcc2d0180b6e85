// SPDX-License-Identifier: GPL-2.0
/* report_json.c: one valid document (checked by python3's json parser),
 * zero values present, strings escaped. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/helpers.h"

static void json_is_valid_and_has_schema_fields(void **state)
{
	struct pw_report r;
	char *j;

	sample_report(&r);
	j = capture_json(&r);
	schema_check(j, "pinwatch-report");
	json_check(j, "d[\"schema_version\"] == 1 and d[\"pinwatch_version\"] == \"0.1.0\" and "
		      "d[\"kernel\"] == \"6.12.0-test\" and "
		      "d[\"attach\"] == {\"pin_user_pages_fast\": \"fexit\", \"unpin_user_page\": \"fentry\"}");
	json_check(j, "[f[\"kind\"] for f in d[\"findings\"]] == [\"put_instead_of_unpin\", "
		      "\"unpin_without_pin\", \"leak\", \"preexisting\"]");
	json_check(j, "d[\"findings\"][0][\"acquire_stack\"] == [\"pwt_pin_fast+0x4f [pinwatch_test]\", "
		      "\"pwt_ioctl+0x120 [pinwatch_test]\"] and d[\"findings\"][0][\"pins\"] == 8 and "
		      "d[\"findings\"][0][\"pid\"] == 1234 and d[\"findings\"][0][\"comm\"] == \"pwtest\" and "
		      "abs(d[\"findings\"][0][\"age_s\"] - 2.1) < 0.01 and d[\"findings\"][2][\"longterm\"] is True");
	json_check(j, "d[\"kernel_counters\"] == {\"nr_foll_pin_acquired_delta\": 12, "
		      "\"nr_foll_pin_released_delta\": 10, \"drift_acquired\": 2, \"drift_released\": 0}");
	json_check(j, "d[\"totals\"][\"pins_acquired\"] == 9 and d[\"totals\"][\"pages_pinned_at_end\"] == 1 "
		      "and d[\"totals\"][\"stacks_reused\"] == 5 "
		      "and d[\"incomplete\"] is False and d[\"suppressed\"] == 0");
	free(j);
	report_free(&r);
}

static void json_writes_zero_values_and_empty_arrays(void **state)
{
	struct pw_report r;
	char *j;

	memset(&r, 0, sizeof(r));
	report_finish(&r);
	j = capture_json(&r);
	schema_check(j, "pinwatch-report");
	json_check(j, "d[\"findings\"] == [] and d[\"attach\"] == {} and d[\"kernel\"] == \"\" and "
		      "d[\"dropped\"] == {\"pages\": 0, \"findings\": 0, \"stacks\": 0, \"events\": 0, \"hook_runs\": 0, \"gup_exits\": 0} and "
		      "d[\"totals\"][\"pins_released\"] == 0 and d[\"totals\"][\"preexisting_released\"] == 0 "
		      "and d[\"totals\"][\"stacks_reused\"] == 0 "
		      "and d[\"totals\"][\"page_free_runs_skipped\"] == 0 and d[\"totals\"][\"marks_sweeps\"] == 0 "
		      "and d[\"totals\"][\"marks_swept\"] == 0 "
		      "and d[\"kernel_counters\"][\"drift_acquired\"] == 0 and d[\"suppressed\"] == 0 "
		      "and d[\"blocked\"] == [] and d[\"blocked_not_kept\"] == 0");
	free(j);
	report_free(&r);
}

/* A range that failed to offline while tracing: JSON has every field, the
 * text one line before the totals. */
static void blocked_ranges_in_json_and_text(void **state)
{
	struct pw_report r;
	struct pw_blocked_rec *b = calloc(1, sizeof(*b));

	memset(&r, 0, sizeof(r));
	assert_non_null(b);
	snprintf(b->what, sizeof(b->what), "offline");
	b->start_pfn = 0x70000;
	b->end_pfn = 0x78000;
	b->busy_pfn = 0x70000;
	b->err = -4;
	b->pid = 269;
	snprintf(b->comm, sizeof(b->comm), "sh");
	b->at_s = 12.5;
	b->n_holders = 1;
	b->more_holders = 2;
	snprintf(b->holders[0].verdict, sizeof(b->holders[0].verdict), "short_term_pin");
	snprintf(b->holders[0].holder, sizeof(b->holders[0].holder), "pinwatch_test:pwt_pin_fast");
	snprintf(b->holders[0].comm, sizeof(b->holders[0].comm), "pwtest");
	b->holders[0].pid = 243;
	b->holders[0].pages = 64;
	r.blocked = b;
	r.n_blocked = 1;
	r.blocked_dropped = 3;
	report_finish(&r);
	char *j = capture_json(&r), *t = capture_text(&r);
	schema_check(j, "pinwatch-report");
	json_check(j, "d[\"blocked\"] == [{\"what\": \"offline\", \"start_pfn\": 458752, \"end_pfn\": 491520, "
		      "\"busy_pfn\": 458752, \"error\": -4, \"reason\": \"\", \"comm\": \"sh\", \"pid\": 269, \"repeats\": 0, "
		      "\"at_s\": 12.5, \"holders\": [{\"verdict\": \"short_term_pin\", "
		      "\"holder\": \"pinwatch_test:pwt_pin_fast\", \"comm\": \"pwtest\", \"pid\": 243, "
		      "\"pages\": 64}], \"more_holders\": 2}] and d[\"blocked_not_kept\"] == 3");
	const char *line = strstr(t, "blocked: offline of pfn 0x70000-0x77fff by sh[269] at 12.5s: "
				 "short_term_pin pinwatch_test:pwt_pin_fast (64 pages); 2 more holders (--json)\n");
	assert_true(line && (line == t || line[-1] == '\n'));
	free(j);
	free(t);
	report_free(&r);
}

static void json_escapes_quotes_backslashes_controls_and_bad_utf8(void **state)
{
	struct pw_report r;
	char *j;

	sample_report(&r);
	/* comm is arbitrary kernel bytes: quote, backslash, tab, ESC, invalid UTF-8 */
	memcpy(r.groups[0].comm, "a\"b\\c\td\x1b\xff\xc3\xa9", 12);
	snprintf(r.kernel, sizeof(r.kernel), "6.12\n\"x\"");
	j = capture_json(&r);
	schema_check(j, "pinwatch-report");
	assert_non_null(strstr(j, "\"a\\\"b\\\\c\\td\\u001b\\ufffd\xc3\xa9\""));
	json_check(j, "d[\"findings\"][0][\"comm\"] == \"a\\\"b\\\\c\\td\\x1b\\ufffd\\u00e9\" and "
		      "d[\"kernel\"] == \"6.12\\n\\\"x\\\"\"");
	free(j);
	report_free(&r);
}

static void json_lists_only_unsuppressed_findings_and_flags_incomplete(void **state)
{
	struct pw_report r;
	char *j;

	sample_report(&r);
	r.groups[0].suppressed = true;
	r.suppressed = 1;
	r.dropped_findings = 4;
	report_finish(&r);
	j = capture_json(&r);
	schema_check(j, "pinwatch-report");
	json_check(j, "len(d[\"findings\"]) == 3 and d[\"suppressed\"] == 1 and d[\"incomplete\"] is True "
		      "and d[\"dropped\"][\"findings\"] == 4 and d[\"bugs\"] == 2");
	free(j);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_is_valid_and_has_schema_fields),
		cmocka_unit_test(json_writes_zero_values_and_empty_arrays),
		cmocka_unit_test(blocked_ranges_in_json_and_text),
		cmocka_unit_test(json_escapes_quotes_backslashes_controls_and_bad_utf8),
		cmocka_unit_test(json_lists_only_unsuppressed_findings_and_flags_incomplete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
