// SPDX-License-Identifier: GPL-2.0
/* report.c: symbolization, tracer-noise stripping, API refinement, grouping,
 * sorting and exit codes, on finding streams built against the fixture kallsyms. */
#include <string.h>
#include "src/suppress.h"
#include "tests/unit/helpers.h"

#define NOW 100000000000ULL	/* boot clock "now": 100 s */
#define FENTRY "bpf_prog_6deef7357e7b4530_fentry_pin+0x40,bpf_trampoline_6442491234+0x7c,"
#define IOCTL "pwt_ioctl+0x120,__x64_sys_ioctl+0x90,do_syscall_64+0x5c"

/* Build a report from n findings; the caller frees it. */
static void build(struct pw_report *r, const struct pw_raw_finding *f, int n)
{
	struct ksyms *ks = fixture_ksyms();

	memset(r, 0, sizeof(*r));
	assert_int_equal(report_add_findings(r, f, n, ks, NULL, NOW), 0);
	report_finish(r);
	ksyms_free(ks);
}

static void report_strips_leading_bpf_and_trampoline_frames(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_LEAK, PW_API_PIN_FAST, 0, 10, "a", 1, 1, 0,
			   FENTRY "pin_user_pages_fast+0x1,pwt_pin_fast+0x4f," IOCTL, NULL),
		/* kprobe/rethook/ftrace glue is noise too */
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN, 0, 10, "a", 1, 1, 0, "pwt_helper+0x8",
			   "ftrace_trampoline+0x10,kprobe_ftrace_handler+0x20,arch_rethook_trampoline+0x0,"
			   "__folio_put+0x10,pwt_release+0x30"),
	};
	struct pw_report r;

	build(&r, f, 2);
	ksyms_free(ks);
	assert_int_equal(r.n_groups, 2);
	/* sorted: put_instead_of_unpin before leak */
	assert_int_equal(r.groups[0].n_rel, 2);
	assert_string_equal(r.groups[0].rel[0], "__folio_put+0x10");
	assert_int_equal(r.groups[1].n_acq, 5);
	assert_string_equal(r.groups[1].acq[0], "pin_user_pages_fast+0x1");
	assert_string_equal(r.groups[1].acq[1], "pwt_pin_fast+0x4f [pinwatch_test]");
	assert_string_equal(r.groups[1].acq[4], "do_syscall_64+0x5c");
	report_free(&r);
}

static void report_drops_mid_stack_trampoline_and_its_duplicate_frame(void **state)
{
	/* fentry on pin_user_pages_fast seen from a grab inside it: the real
	 * frame, then the trampoline, then the same function's patched prologue */
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f = mk_finding(ks, PW_K_LEAK, PW_API_PIN_FAST, 0, 1, "a", 1, 1, 0,
		"pin_user_pages_fast+0x47,bpf_trampoline_6442491234+0x89,pin_user_pages_fast+0x9,"
		"pwt_pin_fast+0xe," IOCTL, NULL);
	struct pw_report r;

	build(&r, &f, 1);
	ksyms_free(ks);
	assert_int_equal(r.groups[0].n_acq, 5);
	assert_string_equal(r.groups[0].acq[0], "pin_user_pages_fast+0x47");
	assert_string_equal(r.groups[0].acq[1], "pwt_pin_fast+0xe [pinwatch_test]");
	report_free(&r);
}

static void report_keeps_bpf_frames_below_the_first_real_frame(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f = mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0,
		FENTRY "pwt_pin_fast+0x4f,bpf_map_lookup_elem_pinning_helper+0x3,0xffffffffe0000000", NULL);
	struct pw_report r;

	build(&r, &f, 1);
	ksyms_free(ks);
	assert_int_equal(r.groups[0].n_acq, 3);
	assert_string_equal(r.groups[0].acq[1], "bpf_map_lookup_elem_pinning_helper+0x3");
	assert_string_equal(r.groups[0].acq[2], "0xffffffffe0000000");
	report_free(&r);
}

/* bpf_jit_kallsyms off: the BPF program and trampoline have no symbol. With
 * kallsyms loaded that leading unknown code is the tracer; a stack of only
 * noise is shown whole rather than as nothing. */
static void report_strips_leading_unnamed_jit_frames_but_never_everything(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0,
			   "0xffffffffe0001000,0xffffffffe0002000,pwt_pin_fast+0x4f", NULL),
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN, 0, 1, "a", 1, 1, 0,
			   FENTRY "0xffffffffe0001000", NULL),
	};
	struct pw_report r;

	build(&r, f, 2);
	ksyms_free(ks);
	assert_int_equal(r.groups[1].n_acq, 1);
	assert_string_equal(r.groups[1].acq[0], "pwt_pin_fast+0x4f [pinwatch_test]");
	assert_int_equal(r.groups[0].n_acq, 3);
	assert_string_equal(r.groups[0].acq[2], "0xffffffffe0001000");
	report_free(&r);
}

/* One finding with the given acquiring stack; returns its refined api. */
static void api_is(enum pw_api api, const char *stack, const char *want)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f = mk_finding(ks, PW_K_LEAK, api, 0, 1, "a", 1, 1, 0, stack, NULL);
	struct pw_report r;

	build(&r, &f, 1);
	ksyms_free(ks);
	assert_string_equal(r.groups[0].api, want);
	report_free(&r);
}

static void report_refines_api_from_acquiring_stack(void **state)
{
	api_is(PW_API_PIN_FAST, "pwt_pin_fast+0x4f," IOCTL, "pin_user_pages_fast");
	api_is(PW_API_UNKNOWN, "pwt_pin_fast+0x4f", "unknown");
	api_is(PW_API_MEMFD_PIN, "pwt_pin_fast+0x4f", "memfd_pin_folios");
	api_is(PW_API_ADD_PIN, "pwt_pin_fast+0x4f", "folio_add_pin");
	api_is(PW_API_GET_UNLOCKED, "pwt_pin_fast+0x4f", "get_user_pages_unlocked");
	api_is(PW_API_PIN_FAST, "pin_user_pages_fast+0x1,io_pin_pages+0x20,io_sqe_buffer_register+0x40,"
	       "__io_uring_register+0x100", "io_uring");
	api_is(PW_API_PIN, "__gup_longterm_locked+0x1,io_sqe_buffer_register+0x40", "io_uring");
	api_is(PW_API_PIN_FAST, "iov_iter_extract_pages+0x20,__bio_iov_iter_get_pages+0x30,"
	       "bio_iov_iter_get_pages+0x8,iomap_dio_bio_iter+0x100", "o_direct");
	api_is(PW_API_PIN_FAST, "iov_iter_extract_pages+0x20,vhost_dev_ioctl+0x8", "iov_iter");
	api_is(PW_API_PIN_REMOTE, "pin_user_pages_fast+0x1,process_vm_rw_core+0x40,process_vm_rw+0x8",
	       "process_vm_access");
	api_is(PW_API_MEMFD_PIN, "udmabuf_create+0x100", "udmabuf");
}

static void report_names_every_kind_and_api(void **state)
{
	assert_string_equal(pw_kind_name(PW_K_LEAK), "leak");
	assert_string_equal(pw_kind_name(PW_K_PUT_INSTEAD_OF_UNPIN), "put_instead_of_unpin");
	assert_string_equal(pw_kind_name(PW_K_UNPIN_WITHOUT_PIN), "unpin_without_pin");
	assert_string_equal(pw_kind_name(PW_K_PREEXISTING), "preexisting");
	assert_string_equal(pw_kind_name(99), "unknown");
	assert_string_equal(pw_api_name(PW_API_PIN_UNLOCKED), "pin_user_pages_unlocked");
	assert_string_equal(pw_api_name(PW_API_GET_REMOTE), "get_user_pages_remote");
	assert_string_equal(pw_api_name(PW_API__MAX), "unknown");
}

/* A recorded stream: two BPF findings with different stack ids and processes
 * but the same symbolized stacks (one reached through a different BPF
 * program) merge; different kinds or release stacks do not. */
static void report_merges_equal_stacks_and_sorts_by_kind_then_pins(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_LEAK, PW_API_PIN_FAST, 0, 100, "first", 2, 2, NOW - 2000000000ULL,
			   FENTRY "pwt_pin_fast+0x4f," IOCTL, NULL),
		mk_finding(ks, PW_K_PREEXISTING, PW_API_UNKNOWN, 0, 0, "", 50, 50, 0, NULL,
			   "unpin_user_pages+0x10"),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN_FAST, PW_F_LONGTERM, 200, "second", 3, 5,
			   NOW - 7500000000ULL, "bpf_trampoline_6442491234+0x99,pwt_pin_fast+0x4f," IOCTL, NULL),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 300, "other", 4, 4, 0, "pwt_helper+0x10", NULL),
		mk_finding(ks, PW_K_UNPIN_WITHOUT_PIN, PW_API_UNKNOWN, 0, 400, "u", 1, 1, 0, NULL,
			   "unpin_user_page+0x4,pwt_release+0x30"),
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN_FAST, 0, 500, "p", 8, 8, 0,
			   "pwt_pin_fast+0x4f", "__folio_put+0x10,pwt_release+0x30"),
		/* same acquire, other release stack: its own group */
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN_FAST, 0, 500, "p", 9, 9, 0,
			   "pwt_pin_fast+0x4f", "__folio_put+0x20,pwt_release+0x30"),
	};
	enum pw_kind order[] = { PW_K_PUT_INSTEAD_OF_UNPIN, PW_K_PUT_INSTEAD_OF_UNPIN,
				 PW_K_UNPIN_WITHOUT_PIN, PW_K_LEAK, PW_K_LEAK, PW_K_PREEXISTING };
	struct pw_report r;
	struct pw_group *g;
	int i;

	build(&r, f, 7);
	ksyms_free(ks);
	assert_int_equal(r.n_groups, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(r.groups[i].kind, order[i]);
	assert_int_equal(r.groups[0].pins, 9);	/* pins desc within a kind */
	assert_int_equal(r.groups[1].pins, 8);
	g = &r.groups[3];			/* the merged leak (7 pins) beats 4 */
	assert_int_equal(g->pins, 7);
	assert_int_equal(g->pages, 5);
	assert_int_equal(g->n_merged, 2);
	assert_true(g->longterm);		/* longterm if any is */
	assert_string_equal(g->comm, "first");	/* first comm/pid kept */
	assert_int_equal(g->tgid, 100);
	assert_true(g->age_s > 7.49 && g->age_s < 7.51);	/* oldest age */
	assert_int_equal(r.groups[4].pins, 4);
	assert_true(r.groups[4].age_s == 0);	/* acq_ns 0: age unknown */
	assert_int_equal(report_bug_count(&r), 5);
	report_free(&r);
}

static void report_without_ksyms_uses_hex_frames(void **state)
{
	struct pw_raw_finding f;
	struct pw_report r;

	memset(&f, 0, sizeof(f));
	f.key.kind = PW_K_LEAK;
	f.val.pins = f.val.pages = 1;
	f.n_acq = 2;
	f.acq_ips[0] = 0xffffffffc0a0127fULL;
	f.acq_ips[1] = 0xffffffff81600c5cULL;
	memset(&r, 0, sizeof(r));
	assert_int_equal(report_add_findings(&r, &f, 1, NULL, NULL, NOW), 0);
	assert_string_equal(r.groups[0].acq[0], "0xffffffffc0a0127f");
	assert_string_equal(r.groups[0].acq[1], "0xffffffff81600c5c");
	report_free(&r);
}

static void report_flags_set_longterm_and_foll_get(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f = mk_finding(ks, PW_K_UNPIN_WITHOUT_PIN, PW_API_GET_FAST,
					     PW_F_GET | PW_F_LONGTERM, 1, "a", 1, 1, 0, "pwt_helper", NULL);
	struct pw_report r;

	build(&r, &f, 1);
	ksyms_free(ks);
	assert_true(r.groups[0].longterm);
	assert_true(r.groups[0].foll_get);
	report_free(&r);
}

/* exit codes: the contract of `pinwatch run` with CI */
static void exit_code_is(const struct pw_raw_finding *f, int n, __u64 dropped, int cmd, int want)
{
	struct pw_report r;

	build(&r, f, n);
	r.dropped_events = dropped;
	report_finish(&r);
	assert_int_equal(report_exit_code(&r, cmd, PW_EXIT_FINDINGS_DEFAULT), want);
	report_free(&r);
	build(&r, f, n);	/* a skipped hook run is a loss too */
	r.dropped_runs = dropped;
	report_finish(&r);
	assert_int_equal(report_exit_code(&r, cmd, PW_EXIT_FINDINGS_DEFAULT), want);
	assert_int_equal(report_exit_code(&r, cmd, 42), want == PW_EXIT_FINDINGS_DEFAULT ? 42 : want);
	report_free(&r);
}

static void exit_codes_follow_findings_drops_and_command(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding leak = mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0,
						"pwt_helper", NULL);
	struct pw_raw_finding pre = mk_finding(ks, PW_K_PREEXISTING, PW_API_UNKNOWN, 0, 1, "a", 1, 1,
					       0, NULL, "unpin_user_page");

	ksyms_free(ks);
	exit_code_is(NULL, 0, 0, 0, 0);				/* clean: command's status */
	exit_code_is(NULL, 0, 0, 3, 3);
	exit_code_is(&pre, 1, 0, 0, 0);				/* preexisting only: clean */
	exit_code_is(&leak, 1, 0, 0, PW_EXIT_FINDINGS_DEFAULT);	/* findings: 23 or custom */
	exit_code_is(&leak, 1, 0, 5, PW_EXIT_FINDINGS_DEFAULT);
	exit_code_is(NULL, 0, 1, 0, PW_EXIT_FINDINGS_DEFAULT);	/* incomplete: error */
}

static void report_suppressed_groups_are_counted_not_bugs(void **state)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 1, 1, 0, "pwt_helper+0x1," IOCTL, NULL),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 2, "b", 1, 1, 0, "pwt_helper+0x1," IOCTL, NULL),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN, 0, 1, "a", 2, 2, 0, "pwt_pin_fast+0x1", NULL),
	};
	char err[256];
	struct suppressions *s = suppressions_parse("leak:pwt_helper\n", "x.supp", err, sizeof(err));
	struct pw_report r;

	assert_non_null(s);
	memset(&r, 0, sizeof(r));
	assert_int_equal(report_add_findings(&r, f, 3, ks, s, NOW), 0);
	report_finish(&r);
	assert_int_equal(r.n_groups, 2);
	assert_int_equal(r.suppressed, 1);	/* one group, though two findings */
	assert_int_equal(report_bug_count(&r), 1);
	assert_int_equal(report_exit_code(&r, 0, 23), 23);
	report_free(&r);
	suppressions_free(s);
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_strips_leading_bpf_and_trampoline_frames),
		cmocka_unit_test(report_drops_mid_stack_trampoline_and_its_duplicate_frame),
		cmocka_unit_test(report_keeps_bpf_frames_below_the_first_real_frame),
		cmocka_unit_test(report_strips_leading_unnamed_jit_frames_but_never_everything),
		cmocka_unit_test(report_refines_api_from_acquiring_stack),
		cmocka_unit_test(report_names_every_kind_and_api),
		cmocka_unit_test(report_merges_equal_stacks_and_sorts_by_kind_then_pins),
		cmocka_unit_test(report_without_ksyms_uses_hex_frames),
		cmocka_unit_test(report_flags_set_longterm_and_foll_get),
		cmocka_unit_test(exit_codes_follow_findings_drops_and_command),
		cmocka_unit_test(report_suppressed_groups_are_counted_not_bugs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
