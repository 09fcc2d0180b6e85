// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/modules text through parse_modules_hash, which decides
 * when serve and top read kallsyms again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	parse_modules_hash(s);
	free(s);
	return 0;
}
