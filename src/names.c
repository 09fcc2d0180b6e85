// SPDX-License-Identifier: GPL-2.0
/*
 * The fixed names of finding kinds and GUP APIs: text, JSON, metrics and
 * suppression files all spell them this way.
 */
#include "src/names.h"

const char *pw_kind_name(enum pw_kind k)
{
	static const char *const names[PW_K__MAX] = {
		[PW_K_NONE] = "none",
		[PW_K_LEAK] = "leak",
		[PW_K_PUT_INSTEAD_OF_UNPIN] = "put_instead_of_unpin",
		[PW_K_UNPIN_WITHOUT_PIN] = "unpin_without_pin",
		[PW_K_PREEXISTING] = "preexisting",
		[PW_K_LONGTERM_IN_MOVABLE] = "longterm_in_movable",
	};

	return (unsigned)k < PW_K__MAX ? names[k] : "unknown";
}

const char *pw_api_name(enum pw_api a)
{
	static const char *const names[PW_API__MAX] = {
		[PW_API_UNKNOWN] = "unknown",
		PW_HOOKS(PW_API_NAME_, PW_HOOK_NONE, PW_API_NAME_, PW_HOOK_NONE, PW_HOOK_NONE)
	};

	return (unsigned)a < PW_API__MAX ? names[a] : "unknown";
}
