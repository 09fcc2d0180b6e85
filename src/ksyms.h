/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbolization from /proc/kallsyms, with module names. */
#ifndef PW_KSYMS_H
#define PW_KSYMS_H
#include <stddef.h>
#include <linux/types.h>

struct ksym {
	__u64 addr;
	const char *name;
	const char *module;	/* NULL for vmlinux */
};

struct ksyms *ksyms_load(const char *path);	/* NULL + errno on failure */
/* from an open kallsyms fd (rewound and read again; the fd stays open) */
struct ksyms *ksyms_load_fd(int fd);
/* from kallsyms text (len bytes, copied; need not be NUL-terminated) */
struct ksyms *ksyms_parse(const char *text, size_t len);
void ksyms_free(struct ksyms *ks);
const struct ksym *ksyms_find(const struct ksyms *ks, __u64 addr);	/* nearest symbol <= addr */
const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name);
/* "name+0xoff [module]" or "name+0xoff" or "0xaddr" */
char *ksyms_format(const struct ksyms *ks, __u64 addr, char *buf, size_t len);
#endif
