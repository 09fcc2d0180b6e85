/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel function pinwatch hooks, once. Adding a hook is adding a line
 * here: the BPF twins (bpf/gup_acquire.bpf.c, bpf/gup_release.bpf.c), the
 * probe table (src/probe.c), enum pw_api and its names (bpf/pinwatch.h,
 * src/names.c) all expand from it. Users pass one macro per kind of line
 * (PW_HOOK_NONE for the kinds they do not want):
 *
 *   GUP(sym, role, API, F, P, RT)    a GUP call, its own API PW_API_<API>
 *                                    named "sym"; F, P: 1-based positions of
 *                                    gup_flags and the pages array; RT: the
 *                                    return type (an int is sign-extended)
 *   GUP_AS(sym, role, API, F, P, RT) the same for a call reported as another's API
 *   OWN_API(sym, role, API)          programs written out by hand, their own API
 *   OWN(sym, role)                   programs written out by hand
 *   UNPIN(sym, N, rd, call)          an unpin of N arguments (1-3), at entry:
 *                                    rd reads the first (pw_ptr: a struct
 *                                    pointer, pw_arg: an array), call is run
 *                                    with sp, a0..a(N-1) set
 *
 * role: ACQUIRE, RELEASE or API (probed and attached as the others, but no
 * pin of its own: FOLL_GET calls, the blocked-range hooks). The order is the
 * probe's and the APIs': every get_user_pages API comes after every pin API
 * (api >= PW_API_GET_FAST means FOLL_GET, bpf/gup_acquire.bpf.c).
 */
#ifndef PW_HOOKS_H
#define PW_HOOKS_H

#define PW_HOOKS(GUP, GUP_AS, OWN_API, OWN, UNPIN)						\
	GUP(pin_user_pages_fast, ACQUIRE, PIN_FAST, 3, 4, int)					\
	GUP(pin_user_pages, ACQUIRE, PIN, 3, 4, long)						\
	GUP(pin_user_pages_remote, ACQUIRE, PIN_REMOTE, 4, 5, long)				\
	GUP(pin_user_pages_unlocked, ACQUIRE, PIN_UNLOCKED, 4, 3, long)				\
	GUP_AS(pin_user_pages_fast_only, ACQUIRE, PIN_FAST, 3, 4, int)	/* <= 6.2 */		\
	OWN_API(memfd_pin_folios, ACQUIRE, MEMFD_PIN)	/* long-term by design */		\
	OWN_API(folio_add_pin, ACQUIRE, ADD_PIN)	/* not counted in vmstat */		\
	OWN(folio_add_pins, ACQUIRE)								\
	UNPIN(unpin_user_page, 1, pw_ptr, pw_unpin_one(ctx, sp, a0, 1, false))			\
	UNPIN(unpin_user_pages, 2, pw_arg, pw_unpin_many(ctx, sp, a0, a1, PW_SRC_PAGES))	\
	/* with make_dirty false it calls unpin_user_pages(), which counts them */		\
	UNPIN(unpin_user_pages_dirty_lock, 3, pw_arg,						\
	      (__u8)a2 ? pw_unpin_many(ctx, sp, a0, a1, PW_SRC_PAGES) : 0)			\
	UNPIN(unpin_user_page_range_dirty_lock, 2, pw_ptr,					\
	      pw_unpin_many(ctx, sp, a0, a1, PW_SRC_RANGE))					\
	UNPIN(unpin_folio, 1, pw_ptr, pw_unpin_one(ctx, sp, a0, 1, true))	/* 6.11+ */	\
	UNPIN(unpin_folios, 2, pw_arg, pw_unpin_many(ctx, sp, a0, a1, PW_SRC_FOLIOS))	/* 6.11+ */ \
	UNPIN(unpin_user_folio, 2, pw_ptr, pw_unpin_one(ctx, sp, a0, a1, true))	/* 6.12+ */	\
	GUP(get_user_pages_fast, API, GET_FAST, 3, 4, int)					\
	GUP(get_user_pages, API, GET, 3, 4, long)						\
	GUP(get_user_pages_remote, API, GET_REMOTE, 4, 5, long)					\
	GUP(get_user_pages_unlocked, API, GET_UNLOCKED, 4, 3, long)				\
	OWN(offline_pages, API)		/* blocked ranges (bpf/blocked.bpf.c) */		\
	OWN(migrate_pages, API)

#define PW_HOOK_NONE(...)

/* enum pw_api: one per GUP and OWN_API line */
#define PW_API_ENUM_(sym, role, api, ...) PW_API_##api,
#define PW_API_NAME_(sym, role, api, ...) [PW_API_##api] = #sym,

#endif
