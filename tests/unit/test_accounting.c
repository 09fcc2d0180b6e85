// SPDX-License-Identifier: GPL-2.0
/* The accounting view: pinned page frames per process and cgroup, the
 * /proc side through a fake source, the two findings, top-k, the exposition
 * and the `top --by process|cgroup` tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/helpers.h"
#include "src/metrics.h"

#define MS 1000000ull
#define START (100000 * 1000 * MS)	/* tracing began at 100000 s of boot clock */

static struct pw_pin pin(__u32 tgid, const char *comm, __u32 pins, __u32 nr_pages, bool lt, __u64 ts)
{
	struct pw_pin p = { .pins = pins, .nr_pages = nr_pages };
	p.h.tgid = tgid;
	p.h.flags = lt ? PW_F_LONGTERM : 0;
	p.h.ts_ns = ts;
	snprintf(p.h.comm, sizeof(p.h.comm), "%s", comm);
	return p;
}

/* What /proc says, per pid: the processes of a host with the test module,
 * io_uring, VFIO with two containers, an mlock()er and a stale charge. */
static const struct fake {
	__u32 tgid;
	__u64 start_ns, vmpin, vmlck, memlock;
	const char *cgroup;
} procs[] = {
	{ 100, START + 1000 * MS, 0, 0, 8 << 20, "/system.slice/pwtest.service" },	/* test module: charges nothing */
	{ 200, START + 1000 * MS, 16 << 12, 0, 8 << 20, "/system.slice/pwtest.service" },	/* io_uring: VmPin */
	{ 300, START + 1000 * MS, 0, 2ull * 512 << 12, PW_UNLIMITED, "/machine.slice/vm1" },	/* VFIO x2 */
	{ 400, START + 1000 * MS, 0, 64 << 20, 64 << 20, "/user.slice" },	/* mlock, short-term pins */
	{ 600, START + 1000 * MS, 8 << 20, 0, 8 << 20, "/user.slice" },	/* charged, no pins */
	{ 700, START - 5000 * MS, 64 << 20, 0, 8 << 20, "/user.slice" },	/* older than tracing */
	{ 800, START + 9000 * MS, 0, 0, 8 << 20, "/user.slice" },	/* pid reused after its pins */
};

static bool fake_proc(void *ctx, __u32 tgid, struct pw_proc_acct *out)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (procs[i].tgid == tgid) {
			out->alive = true;
			out->start_ns = procs[i].start_ns;
			out->vmpin = procs[i].vmpin;
			out->vmlck = procs[i].vmlck;
			out->memlock = procs[i].memlock;
			snprintf(out->cgroup, sizeof(out->cgroup), "%s", procs[i].cgroup);
			if (tgid == 300)	/* the pins were taken by its vCPU thread */
				snprintf(out->comm, sizeof(out->comm), "qemu-system-x86");
			return true;
		}
	return false;	/* 500 has exited */
}

static void fake_charged(void *ctx, void (*add)(void *, __u32, const char *), void *arg)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (procs[i].vmpin)
			add(arg, procs[i].tgid, "charged");
}

static __s64 fake_memcur(void *ctx, const char *path)
{
	return strcmp(path, "/machine.slice/vm1") ? -1 : 4ll << 30;
}

static const struct pw_acct_source fake = { fake_proc, fake_charged, fake_memcur, NULL };

static const struct pw_owner_stat *owner(const struct pw_acct *a, __u32 tgid)
{
	for (int i = 0; i < a->n_owners; i++)
		if (a->owners[i].tgid == tgid)
			return &a->owners[i];
	fail_msg("no row for pid %u", tgid);
	return NULL;
}

static const struct pw_cgroup_stat *cgroup(const struct pw_acct *a, const char *path)
{
	for (int i = 0; i < a->n_cgroups; i++)
		if (!strcmp(a->cgroups[i].path, path))
			return &a->cgroups[i];
	fail_msg("no row for cgroup %s", path);
	return NULL;
}

static void sample(struct pw_acct *a)
{
	__u64 t = START + 2000 * MS;
	struct pw_pin pins[64];
	int n = 0;

	for (int i = 0; i < 16; i++)
		pins[n++] = pin(100, "pwtest", 1, 1, true, t + i);
	pins[n++] = pin(200, "pwtest", 1, 1, true, t);
	for (int i = 0; i < 15; i++)
		pins[n++] = pin(200, "pwtest", 1, 1, true, t);
	pins[n++] = pin(300, "CPU 0/KVM", 1024, 512, true, t);	/* a THP pinned by both containers */
	pins[n++] = pin(400, "gpg-agent", 3, 1, false, t);	/* three pins, one frame */
	pins[n++] = pin(500, "gone", 1, 1, true, t);
	pins[n++] = pin(700, "old", 1, 1, true, t);
	pins[n++] = pin(800, "reused", 1, 1, true, t);
	memset(a, 0, sizeof(*a));
	assert_int_equal(acct_collect(a, pins, n), 0);
	assert_int_equal(acct_account(a, &fake, START, 4096, true), 0);
}

static void frames_per_process_split_by_longterm(void **state)
{
	struct pw_acct a;

	sample(&a);
	assert_int_equal(owner(&a, 100)->pages[1], 16);
	assert_int_equal(owner(&a, 200)->pages[1], 16);
	assert_int_equal(owner(&a, 300)->pages[1], 512);	/* 1024 pins, 512 frames */
	assert_int_equal(owner(&a, 400)->pages[0], 1);
	assert_int_equal(owner(&a, 400)->pages[1], 0);
	assert_int_equal(owner(&a, 100)->first_pin_ns, START + 2000 * MS);
	/* a charged process without pins has a row of its own */
	assert_int_equal(owner(&a, 600)->pages[0] + owner(&a, 600)->pages[1], 0);
	assert_int_equal(owner(&a, 600)->proc.vmpin, 8 << 20);
	assert_int_equal(owner(&a, 300)->proc.memlock, PW_UNLIMITED);
	acct_free(&a);
}

static void findings_uncharged_and_overcharged(void **state)
{
	struct pw_acct a;

	sample(&a);
	assert_int_equal(owner(&a, 100)->findings, 1u << PW_A_NOT_CHARGED);	/* test module */
	assert_int_equal(owner(&a, 200)->findings, 0);				/* io_uring: VmPin = pinned */
	assert_int_equal(owner(&a, 300)->findings, 1u << PW_A_NOT_PINNED);	/* charged twice */
	assert_int_equal(owner(&a, 400)->findings, 0);		/* VmLck from mlock, no long-term pin */
	/* VmPin without a pin: perf's ring buffers charge it too, not judged */
	assert_int_equal(owner(&a, 600)->findings, 0);
	assert_int_equal(owner(&a, 700)->findings, 0);	/* its older pins are not in the mirror */
	/* exited, or a new process on a pinner's pid: neither is judged */
	assert_false(owner(&a, 500)->proc.alive);
	assert_false(owner(&a, 800)->proc.alive);
	assert_int_equal(owner(&a, 500)->findings | owner(&a, 800)->findings, 0);
	assert_int_equal(a.flagged[PW_A_NOT_CHARGED], 1);
	assert_int_equal(a.flagged[PW_A_NOT_PINNED], 1);
	assert_string_equal(owner(&a, 300)->comm, "qemu-system-x86");	/* /proc's, not the thread's */
	assert_string_equal(pw_acct_kind_name(PW_A_NOT_CHARGED), "pin_not_charged");
	assert_string_equal(pw_acct_kind_name(PW_A_NOT_PINNED), "charged_not_pinned");
	acct_free(&a);
}

static __u64 slack_vmpin;

static bool slack_proc(void *ctx, __u32 tgid, struct pw_proc_acct *out)
{
	out->alive = true;
	out->start_ns = START;
	out->vmpin = slack_vmpin;
	out->memlock = PW_UNLIMITED;
	snprintf(out->cgroup, sizeof(out->cgroup), "/rdma");
	return true;
}

/* VmPin at the pinned bytes + slack is not a finding; a page more is */
static void slack_bounds_the_overcharge(void **state)
{
	struct pw_pin p = pin(42, "rdma", 1, 1, true, START + 2000 * MS);
	const struct pw_acct_source src = { .proc = slack_proc };
	struct pw_acct a = { 0 };

	slack_vmpin = 4096 + PW_CHARGE_SLACK;
	assert_int_equal(acct_collect(&a, &p, 1), 0);
	assert_int_equal(acct_account(&a, &src, START, 4096, true), 0);
	assert_int_equal(a.owners[0].findings, 0);
	acct_free(&a);
	slack_vmpin += 4096;
	assert_int_equal(acct_collect(&a, &p, 1), 0);
	assert_int_equal(acct_account(&a, &src, START, 4096, true), 0);
	assert_int_equal(a.owners[0].findings, 1u << PW_A_NOT_PINNED);
	acct_free(&a);
}

/* A charge covers whole folios: 64 KiB of io_uring buffer in a 2 MiB hugetlb
 * page is charged 2 MiB, pinned as one folio; a lost pin (incomplete) or a
 * lost holder (tgid 0) judges nothing and names no process. */
static void whole_folios_lost_pins_lost_holders(void **state)
{
	struct pw_pin pins[] = { pin(42, "rdma", 1, 512, true, START + 2000 * MS),
				 pin(0, "?", 1, 1, true, START + 2000 * MS) };
	struct pw_pin huge = pins[0];	/* acct_collect sorts pins[] by pid */
	const struct pw_acct_source src = { .proc = slack_proc };
	struct pw_acct a = { 0 };

	slack_vmpin = 2 << 20;
	assert_int_equal(acct_collect(&a, pins, 2), 0);
	assert_int_equal(acct_account(&a, &src, START, 4096, true), 0);
	assert_int_equal(owner(&a, 42)->findings, 0);
	assert_int_equal(owner(&a, 42)->pages[1], 1);
	assert_int_equal(owner(&a, 42)->folio_pages, 512);
	assert_false(owner(&a, 0)->proc.alive);	/* no /proc/0 read */
	assert_int_equal(owner(&a, 0)->findings, 0);
	assert_int_equal(cgroup(&a, "(unknown)")->pages[1], 1);
	acct_free(&a);
	/* VmPin 4 MiB against the 2 MiB folio: charged twice ... */
	slack_vmpin = 4 << 20;
	assert_int_equal(acct_collect(&a, &huge, 1), 0);
	assert_int_equal(acct_account(&a, &src, START, 4096, true), 0);
	assert_int_equal(owner(&a, 42)->findings, 1u << PW_A_NOT_PINNED);
	acct_free(&a);
	/* ... but not judged when the mirror lost pins */
	assert_int_equal(acct_collect(&a, &huge, 1), 0);
	assert_int_equal(acct_account(&a, &src, START, 4096, false), 0);
	assert_int_equal(owner(&a, 42)->findings, 0);
	acct_free(&a);
	/* the lost holder and the top-k rest are two rows, two labels */
	struct pw_snapshot s = { .page_size = 4096 };
	assert_int_equal(acct_collect(&s.acct, pins, 2), 0);
	assert_int_equal(acct_account(&s.acct, &src, START, 4096, true), 0);
	assert_int_equal(acct_topk(&s.acct, 5), 0);
	char *t = CAPTURE(metrics_write(out, &s));
	assert_int_equal(count_str(t, "pinwatch_process_pinned_bytes{pid=\"other\""), 2);
	assert_int_equal(count_str(t, "pinwatch_process_pinned_bytes{pid=\"unknown\",comm=\"?\""), 2);
	free(t);
	snapshot_free(&s);
}

static void cgroups_sum_their_processes(void **state)
{
	struct pw_acct a;

	sample(&a);
	const struct pw_cgroup_stat *svc = cgroup(&a, "/system.slice/pwtest.service");
	assert_int_equal(svc->pages[1], 32);
	assert_int_equal(svc->n_procs, 2);
	assert_int_equal(svc->vmpin, 16 << 12);
	assert_int_equal(svc->memory_current, -1);
	assert_int_equal(cgroup(&a, "/machine.slice/vm1")->memory_current, 4ll << 30);
	/* exited owners and a reused pid are one row, not a wrong cgroup */
	assert_int_equal(cgroup(&a, "(exited)")->pages[1], 2);
	assert_int_equal(cgroup(&a, "/user.slice")->pages[1], 1);	/* 700's */
	acct_free(&a);
}

static void topk_folds_into_other(void **state)
{
	struct pw_acct a;

	sample(&a);
	__u64 before = 0;
	for (int i = 0; i < a.n_owners; i++)
		before += a.owners[i].pages[0] + a.owners[i].pages[1];
	assert_int_equal(acct_topk(&a, 2), 0);
	assert_int_equal(a.n_owners, 3);
	assert_int_equal(a.owners[0].tgid, 300);
	assert_int_equal(a.owners[1].tgid, 100);	/* 16 frames as 200, flagged first */
	assert_true(a.owners[2].other);
	assert_string_equal(a.owners[2].comm, "other");
	assert_int_equal(a.owners[2].n_procs, 6);
	__u64 after = 0;
	for (int i = 0; i < a.n_owners; i++)
		after += a.owners[i].pages[0] + a.owners[i].pages[1];
	assert_int_equal(after, before);
	assert_int_equal(a.n_cgroups, 3);
	assert_string_equal(a.cgroups[2].path, "other");
	/* the count of flagged processes is over all of them, not the top k */
	assert_int_equal(a.flagged[PW_A_NOT_PINNED], 1);
	acct_free(&a);
}

static char *capture(int (*fn)(FILE *, const struct pw_snapshot *), const struct pw_snapshot *s)
{
	return CAPTURE(assert_int_equal(fn(out, s), 0));
}

static void snapshot_of_sample(struct pw_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->version, sizeof(s->version), "0.1.0");
	snprintf(s->kernel, sizeof(s->kernel), "6.12");
	s->page_size = 4096;
	sample(&s->acct);
	assert_int_equal(acct_topk(&s->acct, 10), 0);
}

static void exposition_and_json(void **state)
{
	struct pw_snapshot s;

	snapshot_of_sample(&s);
	char *t = capture(metrics_write, &s);
	assert_non_null(strstr(t, "pinwatch_process_pinned_bytes{pid=\"100\",comm=\"pwtest\",longterm=\"true\"} 65536\n"));
	assert_non_null(strstr(t, "pinwatch_process_charged_bytes{pid=\"300\",comm=\"qemu-system-x86\",counter=\"VmLck\"} 4194304\n"));
	assert_non_null(strstr(t, "pinwatch_process_memlock_limit_bytes{pid=\"300\",comm=\"qemu-system-x86\"} +Inf\n"));
	assert_non_null(strstr(t, "pinwatch_process_memlock_limit_bytes{pid=\"100\",comm=\"pwtest\"} 8388608\n"));
	assert_non_null(strstr(t, "pinwatch_process_accounting_finding{pid=\"100\",comm=\"pwtest\",kind=\"pin_not_charged\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_accounting_findings{kind=\"charged_not_pinned\"} 1\n"));
	assert_non_null(strstr(t, "pinwatch_cgroup_pinned_bytes{cgroup=\"(exited)\",longterm=\"true\"} 8192\n"));
	assert_non_null(strstr(t, "pinwatch_cgroup_memory_current_bytes{cgroup=\"/machine.slice/vm1\"} 4294967296\n"));
	assert_non_null(strstr(t, "pinwatch_process_pinned_bytes{pid=\"other\",comm=\"other\",longterm=\"true\"} 0\n"));
	/* an exited process has no charges or limit to show */
	assert_null(strstr(t, "pinwatch_process_charged_bytes{pid=\"500\""));
	assert_null(strstr(t, "pinwatch_process_memlock_limit_bytes{pid=\"500\""));
	promtool_check(t);
	free(t);

	t = capture(metrics_json, &s);
	schema_check(t, "pinwatch-stream");
	json_check(t, "[p for p in d[\"processes\"] if p[\"pid\"] == 100][0] == {\"pid\": 100, \"comm\": \"pwtest\", "
		      "\"processes\": 1, \"alive\": True, \"cgroup\": \"/system.slice/pwtest.service\", \"pinned_bytes\": 65536, "
		      "\"longterm_bytes\": 65536, \"vmpin_bytes\": 0, \"vmlck_bytes\": 0, \"memlock_limit_bytes\": 8388608, "
		      "\"findings\": [\"pin_not_charged\"]}");
	json_check(t, "[p for p in d[\"processes\"] if p[\"pid\"] == 300][0][\"memlock_limit_bytes\"] is None");
	json_check(t, "[c for c in d[\"cgroups\"] if c[\"cgroup\"] == \"/machine.slice/vm1\"][0][\"memory_current_bytes\"] == 4 << 30");
	json_check(t, "d[\"accounting_findings\"] == {\"pin_not_charged\": 1, \"charged_not_pinned\": 1}");
	json_check(t, "sum(p[\"pinned_bytes\"] for p in d[\"processes\"]) == (16 + 16 + 512 + 1 + 1 + 1 + 1) * 4096");
	free(t);
	snapshot_free(&s);
}

static char *render(const struct pw_snapshot *s, enum pw_by by, enum pw_sort key)
{
	return CAPTURE(top_render(out, s, by, key, 0, 0));
}

static void top_by_process_and_cgroup(void **state)
{
	struct pw_snapshot s;
	enum pw_by by;

	snapshot_of_sample(&s);
	char *t = render(&s, PW_BY_PROCESS, PW_SORT_PAGES);
	print_message("%s", t);
	assert_non_null(strstr(t, ", by process\n"));
	assert_non_null(strstr(t, "accounting: 1 processes pin_not_charged, 1 charged_not_pinned\n"));
	assert_non_null(strstr(t, "    PID COMM               PINNED  LONGTERM     VmPin     VmLck   MEMLOCK  FINDINGS           CGROUP\n"));
	assert_non_null(strstr(t, "    300 qemu-system-x86      2.0M      2.0M        0B      4.0M unlimited  charged_not_pinned /machine.slice/vm1\n"));
	assert_non_null(strstr(t, "    100 pwtest              64.0K     64.0K        0B        0B      8.0M  pin_not_charged    /system.slice/pwtest.service\n"));
	assert_non_null(strstr(t, "    500 gone                 4.0K      4.0K         -         -         -  -                  (exited)\n"));
	/* the largest first */
	assert_true(strstr(t, "    300 qemu-system-x86") < strstr(t, "    100 pwtest"));
	free(t);
	t = render(&s, PW_BY_CGROUP, PW_SORT_PAGES);
	print_message("%s", t);
	assert_non_null(strstr(t, "CGROUP                                   PROCS    PINNED  LONGTERM     VmPin     VmLck    MEMORY"));
	assert_non_null(strstr(t, "/machine.slice/vm1                           1      2.0M      2.0M        0B      4.0M      4.0G"));
	assert_non_null(strstr(t, "/system.slice/pwtest.service                 2    128.0K    128.0K     64.0K        0B         -"));
	free(t);
	assert_int_equal(top_by_parse("cgroup", &by), 0);
	assert_int_equal(by, PW_BY_CGROUP);
	assert_int_equal(top_by_parse("process", &by), 0);
	assert_int_equal(by, PW_BY_PROCESS);
	assert_int_equal(top_by_parse("pid", &by), -EINVAL);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_per_process_split_by_longterm),
		cmocka_unit_test(findings_uncharged_and_overcharged),
		cmocka_unit_test(slack_bounds_the_overcharge),
		cmocka_unit_test(whole_folios_lost_pins_lost_holders),
		cmocka_unit_test(cgroups_sum_their_processes),
		cmocka_unit_test(topk_folds_into_other),
		cmocka_unit_test(exposition_and_json),
		cmocka_unit_test(top_by_process_and_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
