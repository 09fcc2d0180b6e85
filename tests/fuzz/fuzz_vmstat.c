// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/vmstat text through parse_vmstat_value; the key is the
 * input's first line when there is one, else the real counter names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl;
	__s64 v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	parse_vmstat_value(s, "nr_foll_pin_acquired", &v);
	parse_vmstat_value(s, "nr_foll_pin_released", &v);
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		parse_vmstat_value(nl + 1, s, &v);	/* any key, even empty or odd */
	}
	free(s);
	return 0;
}
