// SPDX-License-Identifier: GPL-2.0
/* parse.c: durations, sizes, listen addresses and vmstat text, good and bad. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"
#include "tests/unit/helpers.h"

static void dur_ok(const char *s, __u64 want)
{
	__u64 ns = 12345;

	if (parse_duration_ns(s, &ns))
		fail_msg("'%s' rejected", s);
	if (ns != want)
		fail_msg("'%s' -> %llu, want %llu", s, (unsigned long long)ns, (unsigned long long)want);
}

static void parse_duration_accepts_units_and_fractions(void **state)
{
	dur_ok("2s", 2000000000ULL);
	dur_ok("2", 2000000000ULL);		/* bare number: seconds */
	dur_ok("1.5", 1500000000ULL);
	dur_ok("500ms", 500000000ULL);
	dur_ok("100us", 100000ULL);
	dur_ok("7ns", 7ULL);
	dur_ok("3m", 180000000000ULL);
	dur_ok("1h", 3600000000000ULL);
	dur_ok("0.25m", 15000000000ULL);
	dur_ok(".5s", 500000000ULL);
	dur_ok("0", 0);
	dur_ok("1.0000000019", 1000000001ULL);	/* sub-ns digits ignored */
	/* compound, and days */
	dur_ok("1h30m", 5400000000000ULL);
	dur_ok("1d", 86400000000000ULL);
	dur_ok("1d12h", 129600000000000ULL);
	dur_ok("2m30.5s", 150500000000ULL);
	dur_ok("1s500ms", 1500000000ULL);
	dur_ok("0.5d", 43200000000000ULL);
}

static void parse_duration_rejects_junk_negative_overflow_empty(void **state)
{
	const char *bad[] = { "", " ", "s", ".", "-1", "+1", " 2s", "2s ", "2 s", "2x", "2sec",
			      "1e3", "0x10", "inf", "nan", "1..2", "1.2.3", "18446744073709551616",
			      "18446744074s", "5124096h", "2S", "1h30", "30 m", "1h-30m", "h1", "1hh",
			      "213504d", "200000d200000d", "1s1s", "30m1h", "1ms1s", "1m1h30m",
			      "213503d24h",	/* each term fits, the sum does not */
			      NULL };
	__u64 ns = 42;
	int i;

	for (i = 0; bad[i]; i++)
		if (parse_duration_ns(bad[i], &ns) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(ns, 42);	/* untouched on error */
	assert_int_equal(parse_duration_ns(NULL, &ns), -EINVAL);
}

static void parse_size_accepts_binary_units(void **state)
{
	const struct { const char *s; __u64 v; } ok[] = {
		{ "65536", 65536 }, { "64k", 65536 }, { "64K", 65536 }, { "1M", 1ULL << 20 },
		{ "2G", 2ULL << 30 }, { "1t", 1ULL << 40 }, { "0", 0 },
		{ "18446744073709551615", ~0ULL }, { "16777215T", 16777215ULL << 40 },
	};
	__u64 v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
}

static void parse_size_rejects_junk_negative_overflow_empty(void **state)
{
	const char *bad[] = { "", "k", "-1", "-1k", "1.5M", "1KB", "1 k", "12x", "0x100",
			      "18446744073709551616", "16777216T", "17179869184G", " 1", NULL };
	__u64 v = 7;
	int i;

	for (i = 0; bad[i]; i++)
		if (parse_size(bad[i], &v) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(v, 7);
}

static void listen_ok(const char *s, const char *host, int port)
{
	char h[64];
	int p = 0;

	if (parse_listen(s, h, sizeof(h), &p))
		fail_msg("'%s' rejected", s);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void parse_listen_accepts_host_port_forms(void **state)
{
	listen_ok("9090", "127.0.0.1", 9090);
	listen_ok(":9090", "127.0.0.1", 9090);
	listen_ok("0.0.0.0:1", "0.0.0.0", 1);
	listen_ok("localhost:65535", "localhost", 65535);
	listen_ok("[::1]:9100", "::1", 9100);
}

static void parse_listen_rejects_bad_ports_and_hosts(void **state)
{
	const char *bad[] = { "", ":", "host:", "0", "65536", "-1", "99999999999999999999",
			      "h:80x", "::1:80", "[::1]", "[::1]80", "a b:80", "x:y", NULL };
	char h[64], tiny[4];
	int p, i;

	for (i = 0; bad[i]; i++)
		if (parse_listen(bad[i], h, sizeof(h), &p) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	/* host longer than the caller's buffer */
	assert_int_equal(parse_listen("example.org:80", tiny, sizeof(tiny), &p), -EINVAL);
}

static char *read_fixture(const char *name)
{
	char path[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), PW_TEST_DATA "/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	return buf;
}

static void parse_vmstat_finds_exact_keys(void **state)
{
	char *text = read_fixture("vmstat");
	__s64 v = 0;

	assert_int_equal(parse_vmstat_value(text, "nr_foll_pin_acquired", &v), 0);
	assert_true(v == 1000);	/* not the "_extra" line before it */
	assert_int_equal(parse_vmstat_value(text, "nr_foll_pin_released", &v), 0);
	assert_true(v == 992);
	assert_int_equal(parse_vmstat_value(text, "nr_free_pages", &v), 0);
	assert_true(v == 12345);
	assert_int_equal(parse_vmstat_value(text, "neg_counter", &v), 0);
	assert_true(v == -5);
	free(text);
}

static void parse_vmstat_rejects_missing_and_garbage(void **state)
{
	char *text = read_fixture("vmstat");
	__s64 v = 9;

	assert_int_equal(parse_vmstat_value(text, "nr_foll_pin", &v), -ENOENT);	/* prefix only */
	assert_int_equal(parse_vmstat_value(text, "no_such_counter", &v), -ENOENT);
	assert_int_equal(parse_vmstat_value(text, "garbage_counter", &v), -EINVAL);
	assert_int_equal(parse_vmstat_value("x \n", "x", &v), -EINVAL);
	assert_int_equal(parse_vmstat_value("x 99999999999999999999\n", "x", &v), -EINVAL);
	assert_int_equal(parse_vmstat_value(text, "", &v), -EINVAL);
	assert_int_equal(v, 9);
	free(text);
}

static void parse_vmstat_reads_host_counters(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen("/proc/vmstat", "r");
	__s64 v = -1;

	assert_non_null(f);
	assert_true(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	/* every kernel since 5.8 has it; the value is a count, never negative */
	assert_int_equal(parse_vmstat_value(text, "nr_foll_pin_acquired", &v), 0);
	assert_true(v >= 0);
	free(text);
}


/* zoneinfo from a 24 GiB host (Normal ends at pfn 6553600) and edge cases */
/* a module coming, going or moving changes the hash; its use count does not */
static void parse_modules_hash_names_and_addresses(void **state)
{
	const char *a = "vfat 24576 1 - Live 0xffffffffc0900000\npwt 40960 0 - Live 0xffffffffc0a00000 (OE)\n";
	const char *used = "vfat 24576 3 fat, Live 0xffffffffc0900000\npwt 40960 2 - Live 0xffffffffc0a00000 (OE)\n";
	const char *moved = "vfat 24576 1 - Live 0xffffffffc0900000\npwt 40960 0 - Live 0xffffffffc0b00000 (OE)\n";
	const char *gone = "vfat 24576 1 - Live 0xffffffffc0900000\n";

	assert_true(parse_modules_hash(a) == parse_modules_hash(used));
	assert_true(parse_modules_hash(a) != parse_modules_hash(moved));
	assert_true(parse_modules_hash(a) != parse_modules_hash(gone));
	assert_true(parse_modules_hash("") == 5381);
	assert_true(parse_modules_hash("short line\n") == 5381);
}

static void parse_zoneinfo_max_pfn_of_zones(void **state)
{
	char *text = read_fixture("zoneinfo");
	__u64 v = 0;

	assert_int_equal(parse_zoneinfo_max_pfn(text, &v), 0);
	assert_true(v == 6553600);
	free(text);
	assert_int_equal(parse_zoneinfo_max_pfn("Node 0, zone DMA\n  pages free 1\n        spanned  4095\n"
						 "  start_pfn:           1\n", &v), 0);
	assert_true(v == 4096);
	/* an empty zone (spanned 0) after a real one does not lower it */
	assert_int_equal(parse_zoneinfo_max_pfn("Node 0, zone Normal\n spanned 10\n start_pfn: 100\n"
						 "Node 0, zone Movable\n spanned 0\n start_pfn: 0\n", &v), 0);
	assert_true(v == 110);
	assert_int_equal(parse_zoneinfo_max_pfn("", &v), -ENOENT);
	assert_int_equal(parse_zoneinfo_max_pfn("Node 0, zone X\n spanned x1\n", &v), -EINVAL);
	assert_int_equal(parse_zoneinfo_max_pfn("Node 0, zone X\n start_pfn: 5\n", &v), -ENOENT);
	assert_int_equal(parse_zoneinfo_max_pfn(NULL, &v), -EINVAL);
}

static void parse_zoneinfo_span_of_one_zone(void **state)
{
	char *text = read_fixture("zoneinfo");
	__u64 a = 0, b = 0;

	assert_int_equal(parse_zoneinfo_span(text, "Normal", &a, &b), 0);
	assert_true(a == 1048576 && b == 6553600);
	assert_int_equal(parse_zoneinfo_span(text, "dma32", &a, &b), 0);	/* any case */
	assert_true(a == 4096 && b == 1048576);
	assert_int_equal(parse_zoneinfo_span(text, "DMA", &a, &b), 0);		/* not DMA32 */
	assert_true(a == 1 && b == 4096);
	assert_int_equal(parse_zoneinfo_span(text, "Movable", &a, &b), -ENOENT);	/* no pages */
	assert_int_equal(parse_zoneinfo_span(text, "Norm", &a, &b), -ENOENT);	/* no prefix match */
	assert_int_equal(parse_zoneinfo_span(text, "Nowhere", &a, &b), -ENOENT);
	assert_int_equal(parse_zoneinfo_span(text, NULL, &a, &b), 0);		/* any zone */
	assert_true(a == 1 && b == 6553600);
	free(text);
	/* a zone on two nodes: the span of both */
	assert_int_equal(parse_zoneinfo_span("Node 0, zone Normal\n spanned 10\n start_pfn: 100\n"
					     "Node 1, zone Normal\n spanned 50\n start_pfn: 300\n",
					     "Normal", &a, &b), 0);
	assert_true(a == 100 && b == 350);
	assert_int_equal(parse_zoneinfo_span("Node 0, zone Normal\n spanned 1\n start_pfn: 18446744073709551615\n",
					     "Normal", &a, &b), -EINVAL);	/* overflow */
	assert_int_equal(parse_zoneinfo_span(NULL, "Normal", &a, &b), -EINVAL);
}

static void parse_zoneinfo_zones_lists_zones_with_pages(void **state)
{
	char *text = read_fixture("zoneinfo");
	struct pw_zone_span z[8];

	assert_int_equal(parse_zoneinfo_zones(text, z, 8), 3);	/* Movable, Device: no pages */
	assert_string_equal(z[0].name, "DMA");
	assert_string_equal(z[2].name, "Normal");
	assert_true(z[2].start == 1048576 && z[2].end == 6553600);
	assert_int_equal(parse_zoneinfo_zones(text, z, 2), 2);	/* at most max */
	free(text);
	assert_int_equal(parse_zoneinfo_zones("Node 0, zone AVeryLongZoneNameIndeed\n spanned 1\n start_pfn: 7\n",
					      z, 8), 1);
	assert_int_equal(strlen(z[0].name), 15);
	assert_int_equal(parse_zoneinfo_zones("Node 0, zone X\n spanned x\n", z, 8), -EINVAL);
	assert_int_equal(parse_zoneinfo_zones(NULL, z, 8), -EINVAL);
}

static void parse_range_accepts_one_or_two_numbers(void **state)
{
	__u64 a = 0, b = 0;

	assert_int_equal(parse_range("5", &a, &b), 0);
	assert_true(a == 5 && b == 5);
	assert_int_equal(parse_range("0x10-0x1f", &a, &b), 0);
	assert_true(a == 16 && b == 31);
	assert_int_equal(parse_range("0X10-31", &a, &b), 0);
	assert_true(a == 16 && b == 31);
	assert_int_equal(parse_range("0-18446744073709551615", &a, &b), 0);
	assert_true(a == 0 && b == UINT64_MAX);
	const char *bad[] = { "", "-5", "5-", "10-5", "0x", "1-2-3", "abc", "5 ", " 5", "+5",
			      "5--6", "0x-1", "18446744073709551616", "1e3", "0x1g" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_range(bad[i], &a, &b), -EINVAL);
	assert_int_equal(parse_range(NULL, &a, &b), -EINVAL);
}

/* /proc/PID/status, limits, cgroup and stat as 6.1-7.3 write them */
static void parse_proc_accounting_files(void **state)
{
	const char *status = "Name:\tpwtest\nVmPeak:\t    2560 kB\nVmLck:\t      64 kB\n"
			     "VmPin:\t   16384 kB\nVmHWM:\t    1024 kB\n";
	const char *limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
			     "Max open files            1024                 524288               files     \n"
			     "Max locked memory         8388608              8388608              bytes     \n";
	const char *unlimited = "Max locked memory         unlimited            unlimited            bytes     \n";
	const char *stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 1234567 "
			   "2621440 256 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	char cg[64];
	__u64 v;

	assert_int_equal(parse_status_kb(status, "VmPin", &v), 0);
	assert_int_equal(v, 16384 * 1024ull);
	assert_int_equal(parse_status_kb(status, "VmLck", &v), 0);
	assert_int_equal(v, 64 * 1024);
	assert_int_equal(parse_status_kb("Name:\tkthreadd\n", "VmPin", &v), -ENOENT);	/* kernel thread */
	assert_int_equal(parse_status_kb("VmPin:\t  12 MB\n", "VmPin", &v), -EINVAL);
	assert_int_equal(parse_status_kb("VmPinX:\t  12 kB\n", "VmPin", &v), -EINVAL);
	assert_int_equal(parse_limits_memlock(limits, &v), 0);
	assert_int_equal(v, 8388608);
	assert_int_equal(parse_limits_memlock(unlimited, &v), 0);
	assert_true(v == ~0ull);
	assert_int_equal(parse_limits_memlock("Max open files 1 1 files\n", &v), -ENOENT);
	assert_int_equal(parse_limits_memlock("Max locked memory   lots  lots bytes\n", &v), -EINVAL);
	/* v1 controllers before the v2 line; the v2 path only */
	assert_int_equal(parse_cgroup_v2("3:cpu,cpuacct:/x\n0::/system.slice/pw.service\n", cg, sizeof(cg)), 0);
	assert_string_equal(cg, "/system.slice/pw.service");
	assert_int_equal(parse_cgroup_v2("0::/\n", cg, sizeof(cg)), 0);
	assert_string_equal(cg, "/");
	assert_int_equal(parse_cgroup_v2("1:name=systemd:/x\n", cg, sizeof(cg)), -ENOENT);
	assert_int_equal(parse_cgroup_v2("0::/a/very/long/path/that/does/not/fit\n", cg, 8), -EINVAL);
	/* comm with spaces and ')' */
	assert_int_equal(parse_stat_starttime(stat, &v), 0);
	assert_int_equal(v, 1234567);
	assert_int_equal(parse_stat_starttime("4242 (a) S 1 2", &v), -EINVAL);
	assert_int_equal(parse_stat_starttime("no parenthesis", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_modules_hash_names_and_addresses),
		cmocka_unit_test(parse_duration_accepts_units_and_fractions),
		cmocka_unit_test(parse_duration_rejects_junk_negative_overflow_empty),
		cmocka_unit_test(parse_size_accepts_binary_units),
		cmocka_unit_test(parse_size_rejects_junk_negative_overflow_empty),
		cmocka_unit_test(parse_listen_accepts_host_port_forms),
		cmocka_unit_test(parse_listen_rejects_bad_ports_and_hosts),
		cmocka_unit_test(parse_vmstat_finds_exact_keys),
		cmocka_unit_test(parse_vmstat_rejects_missing_and_garbage),
		cmocka_unit_test(parse_vmstat_reads_host_counters),
		cmocka_unit_test(parse_zoneinfo_max_pfn_of_zones),
		cmocka_unit_test(parse_zoneinfo_span_of_one_zone),
		cmocka_unit_test(parse_range_accepts_one_or_two_numbers),
		cmocka_unit_test(parse_zoneinfo_zones_lists_zones_with_pages),
		cmocka_unit_test(parse_proc_accounting_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
