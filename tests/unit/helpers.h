/* SPDX-License-Identifier: GPL-2.0 */
/* Shared fixtures for the host unit tests. */
#ifndef PW_UNIT_HELPERS_H
#define PW_UNIT_HELPERS_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "src/ksyms.h"
#include "src/report.h"

#ifndef PW_TEST_DATA
#define PW_TEST_DATA "tests/unit/data"
#endif
#ifndef PW_SCHEMAS
#define PW_SCHEMAS "schemas"
#endif

/* The fixture kallsyms (tests/unit/data/kallsyms); fails the test if absent. */
struct ksyms *fixture_ksyms(void);

/* One raw finding whose stacks are given as "sym+0xoff,sym2+0x10,0xffff..."
 * and resolved through ks (so tests read like the report they expect). */
struct pw_raw_finding mk_finding(const struct ksyms *ks, enum pw_kind kind, enum pw_api api,
				 __u16 flags, __u32 tgid, const char *comm, __u64 pages,
				 __u64 pins, __u64 acq_ns, const char *acq, const char *rel);

/* A report with one group of every kind, totals, drift and two attach
 * points, as a run of tests/kmod's buggy driver would produce. */
void sample_report(struct pw_report *r);

/* CAPTURE(statements writing to FILE *out): what they wrote, as a
 * malloc'd string (open_memstream). */
#define CAPTURE(...) ({							\
	char *cap_buf_ = NULL;						\
	size_t cap_len_ = 0;						\
	FILE *out = open_memstream(&cap_buf_, &cap_len_);		\
	assert_non_null(out);						\
	__VA_ARGS__;							\
	fclose(out);							\
	cap_buf_;							\
})

/* The report's text and JSON writers into a string. */
char *capture_text(const struct pw_report *r);
char *capture_json(const struct pw_report *r);

/* Feed doc to python3 and evaluate expr (a Python expression over d, the
 * parsed document); the test fails unless it prints True. */
void json_check(const char *doc, const char *expr);

/* promtool check metrics on an exposition text; fails the test when promtool
 * is missing or rejects it. */
void promtool_check(const char *text);

/* doc must validate against schemas/NAME.schema.json (python3 jsonschema). */
void schema_check(const char *doc, const char *name);

/* Count occurrences of needle in hay. */
int count_str(const char *hay, const char *needle);
#endif
