// SPDX-License-Identifier: GPL-2.0
/* --folded: stacks root first, offsets dropped so calls from one function
 * fold together, equal stacks summed, the separator and control bytes kept
 * out of frames, and the file replaced whole. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/helpers.h"
#include "src/folded.h"
#include "src/parse.h"

static char *write_str(struct folded *f)
{
	return CAPTURE(assert_int_equal(folded_write(out, f), 0));
}

static void stacks_root_first_offsets_dropped_equal_summed(void **state)
{
	char *a[] = { "pin_user_pages_fast+0x9", "pwt_pin_fast+0x4f [pinwatch_test]", "__x64_sys_ioctl+0x8b" };
	char *b[] = { "pin_user_pages_fast+0x11", "pwt_pin_fast+0x60 [pinwatch_test]", "__x64_sys_ioctl+0x8b" };
	char *odd[] = { "a;b+0x1" };
	struct folded f = { 0 };

	assert_int_equal(folded_add(&f, "pinned", "pwtest", a, 3, 16), 0);
	assert_int_equal(folded_add(&f, "pinned", "pwtest", b, 3, 4), 0);	/* other offsets: one line */
	assert_int_equal(folded_add(&f, "put_instead_of_unpin", "pwtest", a, 3, 8), 0);
	assert_int_equal(folded_add(&f, "pinned", "x\ny", odd, 1, 1), 0);
	assert_int_equal(folded_add(&f, "pinned", "none", NULL, 0, 0), 0);	/* zero: left out */
	char *t = write_str(&f);
	print_message("%s", t);
	assert_string_equal(t,
		"pinned;pwtest;__x64_sys_ioctl;pwt_pin_fast [pinwatch_test];pin_user_pages_fast 20\n"
		"pinned;x?y;a:b 1\n"
		"put_instead_of_unpin;pwtest;__x64_sys_ioctl;pwt_pin_fast [pinwatch_test];pin_user_pages_fast 8\n");
	free(t);
	folded_free(&f);
}

static void file_replaced_whole(void **state)
{
	char dir[] = "/tmp/pw-unit-foldXXXXXX", path[128];
	char *a[] = { "io_pin_pages+0x8e" };
	struct folded f = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pins.folded", dir);
	assert_int_equal(folded_add(&f, "pinned", "fio", a, 1, 512), 0);
	assert_int_equal(folded_write_file(path, &f), 0);
	char *t = read_text_file(path);
	assert_string_equal(t, "pinned;fio;io_pin_pages 512\n");
	free(t);
	assert_int_equal(folded_write_file("/nonexistent/dir/x.folded", &f), -ENOENT);
	folded_free(&f);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stacks_root_first_offsets_dropped_equal_summed),
		cmocka_unit_test(file_replaced_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
