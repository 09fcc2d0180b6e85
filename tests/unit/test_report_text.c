// SPDX-License-Identifier: GPL-2.0
/* report_text.c: LeakSanitizer-style output, headlines per kind, SUMMARY line. */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/helpers.h"

/* The last line of the text (without its newline). */
static const char *last_line(char *text)
{
	size_t n = strlen(text);
	char *p;

	assert_true(n > 0 && text[n - 1] == '\n');
	text[n - 1] = '\0';
	p = strrchr(text, '\n');
	return p ? p + 1 : text;
}

static void text_has_one_headline_per_kind(void **state)
{
	struct pw_report r;
	char *t;

	sample_report(&r);
	t = capture_text(&r);
	assert_non_null(strstr(t, "==pinwatch== ERROR: put_instead_of_unpin: 8 pins on 8 pages "
				  "released with put_page(), not unpin_user_page()\n"));
	assert_non_null(strstr(t, "==pinwatch== ERROR: leak: 1 pin on 1 page never released\n"));
	assert_non_null(strstr(t, "==pinwatch== ERROR: unpin_without_pin: 2 pages unpinned that hold "
				  "no pin (taken with get_user_pages?)\n"));
	/* preexisting is a note, not an error */
	assert_non_null(strstr(t, "==pinwatch== NOTE: preexisting: 3 pins on 3 pages"));
	assert_int_equal(count_str(t, "ERROR:"), 3);
	/* bugs print before notes */
	assert_true(strstr(t, "ERROR: leak") < strstr(t, "NOTE: preexisting"));
	assert_true(strstr(t, "ERROR: put_instead") < strstr(t, "ERROR: leak"));
	free(t);
	report_free(&r);
}

static void text_shows_acquirer_and_symbolized_stacks(void **state)
{
	struct pw_report r;
	char *t;

	sample_report(&r);
	t = capture_text(&r);
	assert_non_null(strstr(t, "  acquired by pwtest[1234] via pin_user_pages_fast, long-term: no, age 2.1s\n"
				  "  acquire stack:\n"
				  "    #0 pwt_pin_fast+0x4f [pinwatch_test]\n"
				  "    #1 pwt_ioctl+0x120 [pinwatch_test]\n"
				  "  freed at:\n"
				  "    #0 __folio_put+0x10\n"
				  "    #1 pwt_release+0x30 [pinwatch_test]\n"));
	assert_non_null(strstr(t, "long-term: yes, age 5.0s\n  acquire stack:\n    #0 pwt_helper+0x8"));
	/* a leak has no release stack; unpin_without_pin names who unpinned */
	assert_non_null(strstr(t, "  released by pwtest[1234]\n  release stack:\n    #0 unpin_user_page+0x4\n"));
	assert_int_equal(count_str(t, "freed at:"), 1);
	free(t);
	report_free(&r);
}

static void text_totals_show_kernel_drift_and_nostat_note(void **state)
{
	struct pw_report r;
	char *t;

	sample_report(&r);
	t = capture_text(&r);
	assert_non_null(strstr(t, "pins acquired: 9, released: 8, pages still pinned at end: 1\n"));
	assert_non_null(strstr(t, "kernel nr_foll_pin_acquired: +12 (pinwatch saw 10, drift 2)\n"));
	assert_non_null(strstr(t, "kernel nr_foll_pin_released: +10 (pinwatch saw 10, drift 0)\n"));
	assert_non_null(strstr(t, "1 folio_add_pin pin is not counted by the kernel"));
	assert_null(strstr(t, "INCOMPLETE"));
	free(t);
	report_free(&r);
}

static void text_summary_is_the_exact_last_line(void **state)
{
	struct pw_report r;
	char *t;

	sample_report(&r);
	t = capture_text(&r);
	/* preexisting is not counted: 3 bug groups, 11 pins on 11 pages */
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: 3 findings (11 pins on 11 pages) in 3 groups");
	assert_int_equal(count_str(t, "SUMMARY:"), 1);
	free(t);
	report_free(&r);
}

static void text_clean_run_says_no_findings(void **state)
{
	struct pw_report r;
	char *t;

	memset(&r, 0, sizeof(r));
	report_finish(&r);
	t = capture_text(&r);
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: no findings");
	assert_null(strstr(t, "ERROR"));
	free(t);
	report_free(&r);
}

static void text_drops_mark_report_incomplete(void **state)
{
	struct pw_report r;
	char *t;

	memset(&r, 0, sizeof(r));
	r.dropped_pages = 17;
	r.dropped_stacks = 2;
	report_finish(&r);
	t = capture_text(&r);
	assert_non_null(strstr(t, "INCOMPLETE: 17 pins not tracked (pages beyond the mirror, see --max-pages)\n"));
	assert_non_null(strstr(t, "INCOMPLETE: lost 0 findings, 2 stacks, 0 events\n"));
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: no findings, incomplete");
	free(t);
	report_free(&r);

	memset(&r, 0, sizeof(r));	/* hook runs the kernel skipped */
	r.dropped_runs = 3;
	report_finish(&r);
	t = capture_text(&r);
	assert_non_null(strstr(t, "INCOMPLETE: the kernel skipped 3 runs of pinwatch's hooks"));
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: no findings, incomplete");
	free(t);
	report_free(&r);

	memset(&r, 0, sizeof(r));	/* GUP exits missed, found later: pins lost */
	r.lost_exits = 2;
	report_finish(&r);
	assert_true(r.incomplete);
	t = capture_text(&r);
	assert_non_null(strstr(t, "INCOMPLETE: the exits of 2 GUP calls were not seen"));
	free(t);
	report_free(&r);

	/* mm_page_free runs skipped lose no pin: a note, the report complete */
	memset(&r, 0, sizeof(r));
	r.page_free_missed = 2;
	r.marks_sweeps = 1;
	r.marks_swept = 40;
	report_finish(&r);
	assert_false(r.incomplete);
	assert_int_equal(report_exit_code(&r, 0, PW_EXIT_FINDINGS_DEFAULT), 0);
	t = capture_text(&r);
	assert_non_null(strstr(t, "note: the kernel skipped 2 runs of the mm_page_free hook"));
	assert_non_null(strstr(t, "were cleared (40 cells in 1 sweep)"));
	assert_null(strstr(t, "INCOMPLETE"));
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: no findings");
	free(t);
	report_free(&r);
}

static void text_hides_suppressed_groups_and_counts_them(void **state)
{
	struct pw_report r;
	char *t;
	int i;

	sample_report(&r);
	for (i = 0; i < r.n_groups; i++)
		if (r.groups[i].kind == PW_K_PUT_INSTEAD_OF_UNPIN)
			r.groups[i].suppressed = true;
	r.suppressed = 1;
	t = capture_text(&r);
	assert_null(strstr(t, "put_instead_of_unpin"));
	assert_non_null(strstr(t, "suppressed: 1 group\n"));
	assert_string_equal(last_line(t), "SUMMARY: pinwatch: 2 findings (3 pins on 3 pages) in 2 groups");
	free(t);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_has_one_headline_per_kind),
		cmocka_unit_test(text_shows_acquirer_and_symbolized_stacks),
		cmocka_unit_test(text_totals_show_kernel_drift_and_nostat_note),
		cmocka_unit_test(text_summary_is_the_exact_last_line),
		cmocka_unit_test(text_clean_run_says_no_findings),
		cmocka_unit_test(text_drops_mark_report_incomplete),
		cmocka_unit_test(text_hides_suppressed_groups_and_counts_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
