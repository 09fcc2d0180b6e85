// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/zoneinfo text through parse_zoneinfo_max_pfn, which sizes
 * the mirror. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	__u64 v;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	parse_zoneinfo_max_pfn(s, &v);
	free(s);
	return 0;
}
