// SPDX-License-Identifier: GPL-2.0
/* The preemption model as pinwatch reads it (src/preempt.c): auto attach
 * prefers kprobes when tasks are preempted in the kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "src/preempt.h"

static void debugfs_names_the_parenthesised_mode(void **state)
{
	struct pw_preempt p = {0};
	assert_true(preempt_from_debugfs("none voluntary (full) lazy\n", &p));
	assert_true(p.full);
	assert_string_equal(p.model, "full");
	memset(&p, 0, sizeof(p));
	assert_true(preempt_from_debugfs("none (voluntary) full\n", &p));
	assert_false(p.full);
	assert_false(preempt_from_debugfs("none voluntary full\n", &p));	/* no mode marked */
	assert_false(preempt_from_debugfs(NULL, &p));
	assert_false(preempt_from_debugfs("(bogus)", &p));
}

static void cmdline_takes_the_last_preempt_word(void **state)
{
	struct pw_preempt p = {0};
	assert_true(preempt_from_cmdline("console=ttyS0 preempt=full quiet\n", &p));
	assert_true(p.full);
	assert_true(preempt_from_cmdline("preempt=full preempt=none", &p));
	assert_false(p.full);
	assert_string_equal(p.model, "none");
	memset(&p, 0, sizeof(p));
	assert_false(preempt_from_cmdline("console=ttyS0 nopreempt=full", &p));	/* not the word */
	assert_false(p.known);
	assert_false(preempt_from_cmdline("x.preempt=full", &p));
}

static void config_reads_the_model_choice(void **state)
{
	struct pw_preempt p = {0};
	/* Debian's: voluntary, dynamic; CONFIG_PREEMPT_RCU/COUNT are not the model */
	assert_true(preempt_from_config("CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_VOLUNTARY=y\n"
					"# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_COUNT=y\n"
					"CONFIG_PREEMPT_RCU=y\nCONFIG_PREEMPT_DYNAMIC=y\n", &p));
	assert_false(p.full);
	assert_string_equal(p.model, "voluntary");
	assert_true(preempt_from_config("CONFIG_PREEMPT=y\nCONFIG_PREEMPT_RCU=y\n", &p));
	assert_true(p.full);
	assert_true(preempt_from_config("CONFIG_PREEMPT_RT=y\n", &p));
	assert_string_equal(p.model, "rt");
	memset(&p, 0, sizeof(p));
	assert_false(preempt_from_config("CONFIG_PREEMPT_RCU=y\n", &p));
	assert_false(p.known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debugfs_names_the_parenthesised_mode),
		cmocka_unit_test(cmdline_takes_the_last_preempt_word),
		cmocka_unit_test(config_reads_the_model_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
