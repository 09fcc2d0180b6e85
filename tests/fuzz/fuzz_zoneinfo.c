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
	struct pw_zone_span z[4];
	int n = parse_zoneinfo_zones(s, z, 4);
	for (int i = 0; i < n; i++)
		if (z[i].end <= z[i].start || !z[i].name[0] || strlen(z[i].name) > 15)
			__builtin_trap();
	free(s);
	return 0;
}
