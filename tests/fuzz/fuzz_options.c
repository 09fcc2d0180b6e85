// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: option values (--settle/--interval/--max-age durations,
 * --max-pages sizes, listen addresses, why's --pfn/--phys ranges) through
 * src/parse.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[64];
	__u64 v, first, last;
	int port;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';	/* argv strings end at the first NUL, like this */
	if (parse_duration_ns(s, &v) == 0 && strchr(s, '-'))
		__builtin_trap();	/* no negative durations */
	if (parse_size(s, &v) == 0 && (s[0] < '0' || s[0] > '9'))
		__builtin_trap();	/* sizes start with a digit */
	if (parse_listen(s, host, sizeof(host), &port) == 0 &&
	    (port < 1 || port > 65535 || strlen(host) >= sizeof(host)))
		__builtin_trap();
	parse_listen(s, host, 1, &port);	/* tiny host buffer */
	if (parse_range(s, &first, &last) == 0 && (last < first || s[0] == '-' || !s[0]))
		__builtin_trap();	/* a range is never backwards, never negative */
	free(s);
	return 0;
}
