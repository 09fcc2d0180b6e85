// SPDX-License-Identifier: GPL-2.0
/* The JSON Schemas (schemas/) against documents a 6.12 guest wrote (a run
 * report, why's, a line of serve's stream; tests/vm/tools/capture-docs.sh),
 * beside the writers' own samples the other tests check: the contract holds
 * for what pinwatch really writes, not only for what the tests feed it. */
#include <stdio.h>
#include <stdlib.h>
#include "tests/unit/helpers.h"
#include "src/parse.h"

static void check_recorded(const char *file, const char *schema)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", PW_TEST_DATA, file);
	char *doc = read_text_file(path);
	if (!doc)
		fail_msg("no recorded document %s", path);
	schema_check(doc, schema);
	free(doc);
}

static void recorded_run_report(void **state) { check_recorded("vm-6.12-run-report.json", "pinwatch-report"); }
static void recorded_why(void **state) { check_recorded("vm-6.12-why.json", "pinwatch-why"); }
static void recorded_stream_line(void **state) { check_recorded("vm-6.12-serve-line.json", "pinwatch-stream"); }

/* a document of one type is not valid as another: the type field tells */
static void types_tell_documents_apart(void **state)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/vm-6.12-why.json", PW_TEST_DATA);
	char *doc = read_text_file(path);
	assert_non_null(doc);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import json,sys,jsonschema; jsonschema.validate("
		 "json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' %s %s/pinwatch-report.schema.json "
		 ">/dev/null 2>&1", path, PW_SCHEMAS);
	assert_int_not_equal(system(cmd), 0);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded_run_report),
		cmocka_unit_test(recorded_why),
		cmocka_unit_test(recorded_stream_line),
		cmocka_unit_test(types_tell_documents_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
