/* SPDX-License-Identifier: GPL-2.0 */
/* Suppressions: lines "kind:pattern" ('#' comments, blank lines ignored).
 * kind is a finding kind name or '*'; pattern is an fnmatch(3) glob matched
 * against each frame's function name ("pwt_pin_*") or the whole formatted
 * frame ("*[nvidia]"). A group is suppressed when any frame of its acquiring
 * or releasing stack matches. */
#ifndef PW_SUPPRESS_H
#define PW_SUPPRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "bpf/pinwatch.h"

struct suppressions;
/* Returns NULL on error and writes a one-line message "FILE:LINE: why" to err. */
struct suppressions *suppressions_load(const char *path, char *err, size_t errlen);
struct suppressions *suppressions_parse(const char *text, const char *name, char *err, size_t errlen);
void suppressions_free(struct suppressions *s);
bool suppressions_match(const struct suppressions *s, enum pw_kind kind,
			char *const *frames, int n);
#endif
