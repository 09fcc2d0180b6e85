// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/zoneinfo text through parse_zoneinfo_max_pfn, which sizes
 * the mirror, and parse_zoneinfo_span (why --zone). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	__u64 v, a, b;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	parse_zoneinfo_max_pfn(s, &v);
	if (parse_zoneinfo_span(s, "Normal", &a, &b) == 0 && b <= a)
		__builtin_trap();	/* a zone's span is never empty */
	free(s);
	return 0;
}
