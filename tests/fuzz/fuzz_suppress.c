// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a --suppressions file through suppressions_parse, then matched
 * against typical frames and against the input's own lines as frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "src/report.h"
#include "src/suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256], *frames[8], *p;
	int n = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct suppressions *sup = suppressions_parse(s, "fuzz.supp", err, sizeof(err));
	if (!sup) {
		if (!memchr(err, '\0', sizeof(err)) || strncmp(err, "fuzz.supp", 9))
			__builtin_trap();	/* one message naming the file */
		free(s);
		return 0;
	}
	static char f0[] = "pwt_pin_fast+0xe [pinwatch_test]", f1[] = "gup_put_folio+0x5",
		    f2[] = "0xffffffffc0001234", f3[] = "";
	frames[n++] = f0; frames[n++] = f1; frames[n++] = f2; frames[n++] = f3;
	for (p = s; n < 8 && p && *p; n++) {	/* the input's lines as frames too */
		frames[n] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	for (int k = 0; k < PW_K__MAX; k++)
		suppressions_match(sup, k, frames, n);
	suppressions_free(sup);
	free(s);
	return 0;
}
