// SPDX-License-Identifier: GPL-2.0
/* Shared fixtures for the host unit tests (see helpers.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/helpers.h"

struct ksyms *fixture_ksyms(void)
{
	struct ksyms *ks = ksyms_load(PW_TEST_DATA "/kallsyms");

	assert_non_null(ks);
	return ks;
}

static int parse_stack(const struct ksyms *ks, const char *spec, __u64 *ips)
{
	char buf[512], *tok, *save, *plus;
	const struct ksym *s;
	int n = 0;

	if (!spec)
		return 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok && n < PW_STACK_DEPTH;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "0x", 2)) {
			ips[n++] = strtoull(tok, NULL, 16);
			continue;
		}
		plus = strchr(tok, '+');
		if (plus)
			*plus++ = '\0';
		s = ksyms_by_name(ks, tok);
		if (!s)
			fail_msg("fixture has no symbol '%s'", tok);
		ips[n++] = s->addr + (plus ? strtoull(plus, NULL, 16) : 0);
	}
	return n;
}

struct pw_raw_finding mk_finding(const struct ksyms *ks, enum pw_kind kind, enum pw_api api,
				 __u16 flags, __u32 tgid, const char *comm, __u64 pages,
				 __u64 pins, __u64 acq_ns, const char *acq, const char *rel)
{
	struct pw_raw_finding f;

	memset(&f, 0, sizeof(f));
	f.key.kind = kind;
	f.key.api = api;
	f.key.flags = flags;
	f.key.tgid = tgid;
	strncpy(f.key.comm, comm, sizeof(f.key.comm) - 1);
	f.val.pages = pages;
	f.val.pins = pins;
	f.val.acq_ns = acq_ns;
	f.val.pid = tgid;
	f.n_acq = parse_stack(ks, acq, f.acq_ips);
	f.n_rel = parse_stack(ks, rel, f.rel_ips);
	f.key.acq_stack = f.n_acq ? 1 : -1;
	f.key.rel_stack = f.n_rel ? 2 : -1;
	return f;
}

#define SAMPLE_NOW 100000000000ULL

void sample_report(struct pw_report *r)
{
	struct ksyms *ks = fixture_ksyms();
	struct pw_raw_finding f[] = {
		mk_finding(ks, PW_K_PUT_INSTEAD_OF_UNPIN, PW_API_PIN_FAST, 0, 1234, "pwtest", 8, 8,
			   SAMPLE_NOW - 2100000000ULL, "pwt_pin_fast+0x4f,pwt_ioctl+0x120",
			   "__folio_put+0x10,pwt_release+0x30"),
		mk_finding(ks, PW_K_LEAK, PW_API_PIN_FAST, PW_F_LONGTERM, 1234, "pwtest", 1, 1,
			   SAMPLE_NOW - 5000000000ULL, "pwt_helper+0x8", NULL),
		mk_finding(ks, PW_K_UNPIN_WITHOUT_PIN, PW_API_UNKNOWN, 0, 1234, "pwtest", 2, 2, 0,
			   NULL, "unpin_user_page+0x4,pwt_release+0x30"),
		mk_finding(ks, PW_K_PREEXISTING, PW_API_UNKNOWN, 0, 1, "systemd", 3, 3, 0,
			   NULL, "unpin_user_pages+0x10"),
	};
	static const struct pw_attach at[] = {
		{ "pin_user_pages_fast", "fexit" }, { "unpin_user_page", "fentry" },
	};

	memset(r, 0, sizeof(*r));
	f[2].key.rel_tgid = 1234;
	strcpy(f[2].key.rel_comm, "pwtest");
	assert_int_equal(report_add_findings(r, f, 4, ks, NULL, SAMPLE_NOW), 0);
	ksyms_free(ks);
	snprintf(r->kernel, sizeof(r->kernel), "6.12.0-test");
	r->attach = malloc(sizeof(at));
	memcpy(r->attach, at, sizeof(at));
	r->n_attach = 2;
	r->pins_acquired = 9;
	r->stacks_reused = 5;
	r->pins_released = 8;
	r->pages_pinned_at_end = 1;
	r->nr_foll_pin_acquired_delta = 12;
	r->nr_foll_pin_released_delta = 10;
	r->seen_acquired_all = 10;
	r->seen_released_all = 10;
	r->seen_nostat_acquired = 1;
	r->duration_s = 3.0;
	report_finish(r);
}

static char *capture(const struct pw_report *r, bool json)
{
	return json ? CAPTURE(assert_int_equal(report_json(out, r), 0)) : CAPTURE(report_text(out, r));
}

char *capture_text(const struct pw_report *r)
{
	return capture(r, false);
}

char *capture_json(const struct pw_report *r)
{
	return capture(r, true);
}

int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

/* text into a temporary file; its name in path (caller unlinks it) */
static void temp_with(char *path, const char *text)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

/* The output of cmd (a printf format taking the file's name) run on doc. */
static void run_on(const char *doc, const char *cmd_fmt, const char *arg, char *out, size_t len)
{
	char tmpl[] = "/tmp/pw-unit-docXXXXXX", cmd[1024];

	temp_with(tmpl, doc);
	snprintf(cmd, sizeof(cmd), cmd_fmt, arg, tmpl);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	pclose(p);
	unlink(tmpl);
}

/* Feed doc to python3 and evaluate expr (a Python expression over d, the
 * parsed document); the test fails unless it prints True. Python is the
 * strict, independent parser here: our writer must not grade itself. */
void json_check(const char *doc, const char *expr)
{
	char out[512];

	run_on(doc, "python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding=\"utf-8\")); "
		    "print(bool(%s))' %s 2>&1 | tail -n 3", expr, out, sizeof(out));
	if (strcmp(out, "True\n"))
		fail_msg("python: %s for: %s\n%s", out, expr, doc);
}

/* promtool check metrics on an exposition text; the test fails when promtool
 * is missing or rejects it. */
void promtool_check(const char *text)
{
	char path[] = "/tmp/pw-unit-promXXXXXX", cmd[256];

	if (system("command -v promtool >/dev/null 2>&1")) {
		print_message("promtool not installed (Debian package prometheus; make deps)\n");
		fail();
	}
	temp_with(path, text);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	int rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

/* doc validated by Debian's python3-jsonschema against schemas/NAME.schema.json:
 * the document contract (a field the writer adds, drops or retypes without
 * the schema changing fails here). */
void schema_check(const char *doc, const char *name)
{
	char schema[512], out[512];

	snprintf(schema, sizeof(schema), "%s/%s.schema.json", PW_SCHEMAS, name);
	run_on(doc, "/usr/bin/python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2], "
		    "encoding=\"utf-8\")), json.load(open(sys.argv[1]))); print(\"valid\")' %s %s 2>&1 | tail -n 3",
	       schema, out, sizeof(out));
	if (strcmp(out, "valid\n"))
		fail_msg("%s schema: %s", name, out);
}
