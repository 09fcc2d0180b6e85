/* SPDX-License-Identifier: GPL-2.0 */
/* Where struct page of pfn 0 sits: shared by the tracer and the page scan. */
#ifndef PW_VMEMMAP_BPF_H
#define PW_VMEMMAP_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Address of vmemmap_base from kallsyms (0 when unknown), set by the loader. */
const volatile __u64 cfg_vmemmap_base_addr __weak = 0;

/* vmemmap_base when the kernel does not randomize it (x86-64, 4-level) */
#define PW_VMEMMAP_DEFAULT 0xffffea0000000000ULL

/* vmemmap_base never changes once booted: read once, kept in .bss (a plain
 * load afterwards instead of a helper call per GUP call) */
__u64 pw_base_cache __weak = 0;

/* struct page address of pfn 0 */
static __always_inline __u64 pw_vmemmap(void)
{
	__u64 base = pw_base_cache;
	if (base)
		return base;
	if (cfg_vmemmap_base_addr)
		bpf_probe_read_kernel(&base, sizeof(base), (void *)cfg_vmemmap_base_addr);
	base = base ? base : PW_VMEMMAP_DEFAULT;
	pw_base_cache = base;
	return base;
}
#endif
