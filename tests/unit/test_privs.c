// SPDX-License-Identifier: GPL-2.0
/* privs: whom `run` starts CMD as (--user, SUDO_UID/SUDO_GID, --as-root). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include "tests/unit/helpers.h"
#include "src/privs.h"

static void privs_sudo_user_is_the_default_for_root(void **state)
{
	struct pw_runas ra;

	if (getuid() != 0)
		skip();	/* SUDO_UID only counts for root */
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65533", 1);
	assert_int_equal(privs_runas(NULL, false, &ra), 0);
	assert_int_equal(ra.uid, 65534);
	assert_int_equal(ra.gid, 65533);
	/* --as-root wins over sudo; --user over sudo */
	assert_int_equal(privs_runas(NULL, true, &ra), 0);
	assert_int_equal(ra.uid, (uid_t)-1);
	assert_int_equal(privs_runas("4242", false, &ra), 0);
	assert_int_equal(ra.uid, 4242);
	/* SUDO_UID=0 (sudo from root) or junk: no switch; no SUDO_GID: gid = uid */
	setenv("SUDO_UID", "0", 1);
	assert_int_equal(privs_runas(NULL, false, &ra), 0);
	assert_int_equal(ra.uid, (uid_t)-1);
	setenv("SUDO_UID", "12x", 1);
	assert_int_equal(privs_runas(NULL, false, &ra), 0);
	assert_int_equal(ra.uid, (uid_t)-1);
	setenv("SUDO_UID", "1234", 1);
	unsetenv("SUDO_GID");
	assert_int_equal(privs_runas(NULL, false, &ra), 0);
	assert_int_equal(ra.gid, 1234);
	unsetenv("SUDO_UID");
	assert_int_equal(privs_runas(NULL, false, &ra), 0);
	assert_int_equal(ra.uid, (uid_t)-1);
}

static void privs_user_option_takes_names_and_numbers(void **state)
{
	struct pw_runas ra;

	assert_int_equal(privs_runas("root", false, &ra), 0);
	assert_int_equal(ra.uid, 0);
	assert_string_equal(ra.name, "root");
	assert_int_equal(privs_runas("0", false, &ra), 0);
	assert_int_equal(ra.uid, 0);
	assert_int_equal(privs_runas("no-such-user-x", false, &ra), PW_EXIT_USAGE);
	assert_int_equal(privs_runas("-1", false, &ra), PW_EXIT_USAGE);
	assert_int_equal(privs_runas("4294967295", false, &ra), PW_EXIT_USAGE);
	assert_int_equal(privs_runas("root", true, &ra), PW_EXIT_USAGE);
}

static void privs_names_capabilities(void **state)
{
	assert_string_equal(privs_cap_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
	assert_string_equal(privs_cap_name(39), "CAP_BPF");
	assert_string_equal(privs_cap_name(38), "CAP_PERFMON");
	assert_string_equal(privs_cap_name(1000), "CAP_?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(privs_sudo_user_is_the_default_for_root),
		cmocka_unit_test(privs_user_option_takes_names_and_numbers),
		cmocka_unit_test(privs_names_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
