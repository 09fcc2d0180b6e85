// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /proc/kallsyms text -> ksyms_parse, then every lookup on it. */
#include <stdint.h>
#include <string.h>
#include "src/ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *ks = ksyms_parse((const char *)data, size);
	char buf[128];
	__u64 a = 0;

	if (!ks)
		return 0;
	/* addresses from the input's first bytes, and around the ends of the space */
	memcpy(&a, data, size < sizeof(a) ? size : sizeof(a));
	const __u64 addrs[] = { a, a + 1, a - 1, 0, 1, ~0ull, 0xffffffff81000000ull,
				0xffffffff81100005ull, 1ull << 63 };
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		const struct ksym *s = ksyms_find(ks, addrs[i]);
		if (s && (!s->name || s->addr > addrs[i]))
			__builtin_trap();
		ksyms_format(ks, addrs[i], buf, sizeof(buf));
		ksyms_format(ks, addrs[i], buf, 8);	/* truncation */
		if (s && ksyms_by_name(ks, s->name) == NULL)
			__builtin_trap();	/* every text symbol is findable by name */
	}
	ksyms_by_name(ks, "");
	ksyms_by_name(ks, "pin_user_pages_fast");
	ksyms_free(ks);
	return 0;
}
