/* SPDX-License-Identifier: GPL-2.0 */
/* The JSON writer of every document pinwatch writes: objects and arrays, one
 * member per line, indented, or all on one line (compact: the JSON lines of
 * serve and top). Strings are kernel bytes, not necessarily UTF-8: valid
 * sequences pass, invalid ones become U+FFFD so strict parsers accept it. */
#ifndef PW_JSONW_H
#define PW_JSONW_H
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct jw {
	FILE *out;
	int depth;
	bool first;	/* no member written yet at this depth */
	bool compact;	/* one line, no spaces */
};

/* key: a member of the open object; NULL: an element of the open array */
void jw_open(struct jw *w, const char *key, char c);	/* '{' or '[' */
void jw_close(struct jw *w, char c);			/* '}' or ']' */
void jw_str(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, __u64 v);
void jw_s64(struct jw *w, const char *key, __s64 v);
void jw_double(struct jw *w, const char *key, double v);	/* %.3f; NaN, inf: 0 */
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* Length of a valid UTF-8 sequence at s, or 0 if invalid (or at its NUL). */
int utf8_len(const unsigned char *s);
void jw_frames(struct jw *w, const char *key, char *const *frames, int n);
#endif
