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
		[PW_API_PIN_FAST] = "pin_user_pages_fast",
		[PW_API_PIN] = "pin_user_pages",
		[PW_API_PIN_REMOTE] = "pin_user_pages_remote",
		[PW_API_PIN_UNLOCKED] = "pin_user_pages_unlocked",
		[PW_API_MEMFD_PIN] = "memfd_pin_folios",
		[PW_API_ADD_PIN] = "folio_add_pin",
		[PW_API_GET_FAST] = "get_user_pages_fast",
		[PW_API_GET] = "get_user_pages",
		[PW_API_GET_REMOTE] = "get_user_pages_remote",
		[PW_API_GET_UNLOCKED] = "get_user_pages_unlocked",
	};

	return (unsigned)a < PW_API__MAX ? names[a] : "unknown";
}
