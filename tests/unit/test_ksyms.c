// SPDX-License-Identifier: GPL-2.0
/* ksyms: kallsyms parsing, nearest-symbol lookup, "name+0xoff [module]". */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "tests/unit/helpers.h"

static void fmt_is(const struct ksyms *ks, __u64 addr, const char *want)
{
	char buf[256];

	assert_string_equal(ksyms_format(ks, addr, buf, sizeof(buf)), want);
}

static void ksyms_formats_module_symbols_with_module_name(void **state)
{
	struct ksyms *ks = fixture_ksyms();

	fmt_is(ks, 0xffffffffc0a01230ULL + 0x4f, "pwt_pin_fast+0x4f [pinwatch_test]");
	fmt_is(ks, 0xffffffffc0a01400ULL + 0x120, "pwt_ioctl+0x120 [pinwatch_test]");
	fmt_is(ks, 0xffffffffc0a01230ULL, "pwt_pin_fast+0x0 [pinwatch_test]");
	ksyms_free(ks);
}

static void ksyms_formats_vmlinux_symbols_without_brackets(void **state)
{
	struct ksyms *ks = fixture_ksyms();

	fmt_is(ks, 0xffffffff81100000ULL + 0x1a, "pin_user_pages_fast+0x1a");
	fmt_is(ks, 0xffffffff81100400ULL + 0x3ff, "__gup_longterm_locked+0x3ff");
	ksyms_free(ks);
}

static void ksyms_unknown_addresses_print_as_hex(void **state)
{
	struct ksyms *ks = fixture_ksyms();

	/* below the first symbol */
	fmt_is(ks, 0xffffffff80000000ULL, "0xffffffff80000000");
	/* far past the last symbol (and in the vmlinux/module gap) */
	fmt_is(ks, 0xffffffffe0000000ULL, "0xffffffffe0000000");
	fmt_is(ks, 0xffffffff90000000ULL, "0xffffffff90000000");
	/* no ksyms at all */
	fmt_is(NULL, 0xffffffff81100000ULL, "0xffffffff81100000");
	ksyms_free(ks);
}

static void ksyms_lookup_ignores_data_symbols(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	const struct ksym *s;

	/* pwt_data (a 'd' symbol) sits after pwt_release: text lookup skips it */
	s = ksyms_find(ks, 0xffffffffc0a02010ULL);
	assert_non_null(s);
	assert_string_equal(s->name, "pwt_release");
	assert_string_equal(s->module, "pinwatch_test");
	/* but by-name lookup still finds data symbols */
	s = ksyms_by_name(ks, "pwt_data");
	assert_non_null(s);
	assert_true(s->addr == 0xffffffffc0a02000ULL);
	ksyms_free(ks);
}

static void ksyms_skips_zero_addresses_and_sorts_unsorted_modules(void **state)
{
	struct ksyms *ks = fixture_ksyms();

	/* fixed_percpu_data has address 0 in the fixture: dropped */
	assert_null(ksyms_by_name(ks, "fixed_percpu_data"));
	assert_null(ksyms_find(ks, 0x10));
	/* module lines are out of order in the file; lookup must still work */
	assert_string_equal(ksyms_find(ks, 0xffffffffc0a00010ULL)->name, "pwt_helper");
	assert_string_equal(ksyms_find(ks, 0xffffffffc0a01300ULL)->name, "pwt_pin_fast");
	assert_null(ksyms_by_name(ks, "no_such_symbol"));
	ksyms_free(ks);
}

static void ksyms_rejects_unprivileged_all_zero_kallsyms(void **state)
{
	char path[] = "/tmp/pw-kallsyms-XXXXXX";
	int fd = mkstemp(path);
	const char *zeros = "0000000000000000 T _text\n0000000000000000 t foo\t[bar]\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, zeros, strlen(zeros)), (int)strlen(zeros));
	close(fd);
	assert_null(ksyms_load(path));
	assert_int_equal(errno, EPERM);
	unlink(path);
	errno = 0;
	assert_null(ksyms_load("/nonexistent/kallsyms"));
	assert_int_equal(errno, ENOENT);
}

/* From a buffer (not NUL-terminated) and from an fd read twice: what the
 * report uses after pinwatch dropped the capability kallsyms addresses need. */
static void ksyms_parses_buffers_and_rereads_fds(void **state)
{
	const char text[] = "ffffffff81000000 T _text\nffffffffc0001000 t pwt_x\t[m]\nffff";
	char path[] = "/tmp/pw-kallsyms-XXXXXX";
	struct ksyms *ks = ksyms_parse(text, strlen(text) - 4);	/* cut before "ffff" */
	char buf[64];
	int fd;

	assert_non_null(ks);
	assert_string_equal(ksyms_format(ks, 0xffffffffc0001010ULL, buf, sizeof(buf)), "pwt_x+0x10 [m]");
	ksyms_free(ks);
	assert_null(ksyms_parse("", 0));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	for (int i = 0; i < 2; i++) {	/* rewound each time */
		ks = ksyms_load_fd(fd);
		assert_non_null(ks);
		assert_non_null(ksyms_by_name(ks, "pwt_x"));
		ksyms_free(ks);
	}
	close(fd);
	unlink(path);
}

/* The host's kallsyms: ~100-200k lines must load quickly, and every text
 * symbol must be found again by its own address. */
static void ksyms_loads_host_kallsyms_fast(void **state)
{
	struct timespec a, b;
	struct ksyms *ks;
	const struct ksym *s, *t;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ks = ksyms_load("/proc/kallsyms");
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!ks && errno == EPERM)
		skip();	/* unprivileged: addresses hidden */
	assert_non_null(ks);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("loaded /proc/kallsyms in %.1f ms\n", ms);
	assert_true(ms < 2000);
	s = ksyms_by_name(ks, "schedule");
	assert_non_null(s);
	t = ksyms_find(ks, s->addr + 1);
	assert_non_null(t);
	assert_int_equal(t->addr, s->addr);
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ksyms_formats_module_symbols_with_module_name),
		cmocka_unit_test(ksyms_formats_vmlinux_symbols_without_brackets),
		cmocka_unit_test(ksyms_unknown_addresses_print_as_hex),
		cmocka_unit_test(ksyms_lookup_ignores_data_symbols),
		cmocka_unit_test(ksyms_skips_zero_addresses_and_sorts_unsorted_modules),
		cmocka_unit_test(ksyms_rejects_unprivileged_all_zero_kallsyms),
		cmocka_unit_test(ksyms_parses_buffers_and_rereads_fds),
		cmocka_unit_test(ksyms_loads_host_kallsyms_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
