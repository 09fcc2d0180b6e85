// SPDX-License-Identifier: GPL-2.0
/* suppress.c: matching by function name or whole frame, per kind or '*', and
 * malformed files rejected with FILE:LINE. */
#include <string.h>
#include "src/suppress.h"
#include "tests/unit/helpers.h"

static char *acq[] = { "pwt_helper+0x8 [pinwatch_test]", "pwt_ioctl+0x120 [pinwatch_test]" };
static char *nv[] = { "nv_pin_user_buffer+0x10 [nvidia]", "__x64_sys_ioctl+0x90" };
static char *vh[] = { "iov_iter_extract_pages+0x20", "vhost_dev_ioctl+0x8" };
static char *hex[] = { "0xffffffffc0d00010" };

static struct suppressions *load_ok(const char *file)
{
	char err[256] = "";
	struct suppressions *s = suppressions_load(file, err, sizeof(err));

	if (!s)
		fail_msg("%s: %s", file, err);
	return s;
}

static void suppress_matches_function_name_glob_for_its_kind(void **state)
{
	struct suppressions *s = load_ok(PW_TEST_DATA "/good.supp");

	assert_true(suppressions_match(s, PW_K_LEAK, acq, 2));
	/* the rule is for leaks only */
	assert_false(suppressions_match(s, PW_K_PUT_INSTEAD_OF_UNPIN, acq, 2));
	suppressions_free(s);
}

static void suppress_matches_whole_frame_for_module_globs(void **state)
{
	struct suppressions *s = load_ok(PW_TEST_DATA "/good.supp");

	/* "put_instead_of_unpin : *[nvidia]" with blanks around it */
	assert_true(suppressions_match(s, PW_K_PUT_INSTEAD_OF_UNPIN, nv, 2));
	assert_false(suppressions_match(s, PW_K_LEAK, nv, 2));
	suppressions_free(s);
}

static void suppress_star_kind_matches_every_kind(void **state)
{
	struct suppressions *s = load_ok(PW_TEST_DATA "/good.supp");
	int k;

	for (k = PW_K_LEAK; k < PW_K__MAX; k++)
		assert_true(suppressions_match(s, k, vh, 2));
	suppressions_free(s);
}

static void suppress_no_match_leaves_group_reported(void **state)
{
	struct suppressions *s = load_ok(PW_TEST_DATA "/good.supp");
	char *other[] = { "pwt_pin_fast+0x4f [pinwatch_test]", "pwt_helperx+0x1" };

	assert_false(suppressions_match(s, PW_K_LEAK, other, 2));
	assert_false(suppressions_match(s, PW_K_LEAK, hex, 1));
	assert_false(suppressions_match(s, PW_K_LEAK, NULL, 0));
	assert_false(suppressions_match(NULL, PW_K_LEAK, acq, 2));
	suppressions_free(s);
}

static void suppress_empty_file_and_comments_suppress_nothing(void **state)
{
	char err[64];
	struct suppressions *s = suppressions_parse("# nothing\n\n   \n", "e.supp", err, sizeof(err));

	assert_non_null(s);
	assert_false(suppressions_match(s, PW_K_LEAK, acq, 2));
	suppressions_free(s);
}

static void load_fails_with(const char *file, const char *want)
{
	char err[256] = "";

	assert_null(suppressions_load(file, err, sizeof(err)));
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void suppress_malformed_files_name_file_and_line(void **state)
{
	load_fails_with(PW_TEST_DATA "/bad_kind.supp", "bad_kind.supp:4: unknown kind 'leek'");
	load_fails_with(PW_TEST_DATA "/no_colon.supp", "no_colon.supp:2: missing ':'");
	load_fails_with(PW_TEST_DATA "/empty_pattern.supp", "empty_pattern.supp:3: empty pattern");
	load_fails_with(PW_TEST_DATA "/does-not-exist.supp", "does-not-exist.supp: No such file");
}

static void suppress_applied_in_report_counts_groups(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct suppressions *s = load_ok(PW_TEST_DATA "/good.supp");
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0, "pwt_helper+0x8", NULL),
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN, 0, 1, "a", 1, 1, 0,
			   "nv_pin_user_buffer+0x10", "__folio_put"),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0, "pwt_pin_fast+0x8", NULL),
	};
	struct pw_report r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(report_add_findings(&r, f, 3, ks, s, 0), 0);
	assert_int_equal(r.n_groups, 3);
	assert_int_equal(r.suppressed, 2);
	assert_int_equal(report_bug_count(&r), 1);
	report_free(&r);
	suppressions_free(s);
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(suppress_matches_function_name_glob_for_its_kind),
		cmocka_unit_test(suppress_matches_whole_frame_for_module_globs),
		cmocka_unit_test(suppress_star_kind_matches_every_kind),
		cmocka_unit_test(suppress_no_match_leaves_group_reported),
		cmocka_unit_test(suppress_empty_file_and_comments_suppress_nothing),
		cmocka_unit_test(suppress_malformed_files_name_file_and_line),
		cmocka_unit_test(suppress_applied_in_report_counts_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
