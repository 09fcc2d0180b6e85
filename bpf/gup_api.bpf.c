// SPDX-License-Identifier: GPL-2.0
/*
 * Attribution: the exported GUP entry points. Entering one opens a per-task
 * slot (API, and a stack taken lazily at the first grab inside the call, so
 * once per call rather than once per page); leaving it closes the slot.
 * Grabs outside any slot (hugetlb, devmap, io paths we do not know) take
 * their own stack.
 */
#include "mirror.bpf.h"
#include <bpf/bpf_tracing.h>

static __always_inline int pw_api_enter(__u16 api)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_slot *s = bpf_map_lookup_elem(&slots, &id);
	if (s) {		/* nested GUP entry: the outer call names the API */
		s->depth++;
		return 0;
	}
	struct pw_slot n = {};
	n.h.tgid = id >> 32;
	n.h.pid = (__u32)id;
	n.h.api = api;
	n.h.stack_id = -1;	/* taken at the first grab */
	n.depth = 1;
	bpf_get_current_comm(n.h.comm, sizeof(n.h.comm));
	bpf_map_update_elem(&slots, &id, &n, BPF_ANY);
	return 0;
}

static __always_inline int pw_api_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pw_slot *s = bpf_map_lookup_elem(&slots, &id);
	if (s && --s->depth == 0)
		bpf_map_delete_elem(&slots, &id);
	return 0;
}

#define PW_API_HOOKS(sym, api)							\
SEC("fentry/" #sym) int BPF_PROG(fe_##sym) { return pw_api_enter(api); }	\
SEC("fexit/" #sym) int BPF_PROG(fx_##sym) { return pw_api_exit(); }		\
SEC("kprobe/" #sym) int BPF_KPROBE(kp_##sym) { return pw_api_enter(api); }	\
SEC("kretprobe/" #sym) int BPF_KRETPROBE(kr_##sym) { return pw_api_exit(); }

PW_API_HOOKS(pin_user_pages_fast, PW_API_PIN_FAST)
PW_API_HOOKS(pin_user_pages, PW_API_PIN)
PW_API_HOOKS(pin_user_pages_remote, PW_API_PIN_REMOTE)
PW_API_HOOKS(pin_user_pages_unlocked, PW_API_PIN_UNLOCKED)
PW_API_HOOKS(memfd_pin_folios, PW_API_MEMFD_PIN)
PW_API_HOOKS(get_user_pages_fast, PW_API_GET_FAST)
PW_API_HOOKS(get_user_pages, PW_API_GET)
PW_API_HOOKS(get_user_pages_remote, PW_API_GET_REMOTE)
PW_API_HOOKS(get_user_pages_unlocked, PW_API_GET_UNLOCKED)
