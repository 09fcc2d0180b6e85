/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for option values and /proc files. Each returns 0 or -EINVAL and never
 * accepts trailing junk, negative sizes or overflow. */
#ifndef PW_PARSE_H
#define PW_PARSE_H
#include <stddef.h>
#include <linux/types.h>

/* "2s", "500ms", "1.5", "3m", "1h", "100us" (bare number = seconds) -> ns */
int parse_duration_ns(const char *s, __u64 *ns);
/* "65536", "64k", "1M", "2G" (binary units) -> count */
int parse_size(const char *s, __u64 *out);
/* "host:port" or ":port" or "port" -> host (default 127.0.0.1) and port 1..65535 */
int parse_listen(const char *s, char *host, int hostlen, int *port);
/* value of key in a /proc/vmstat-like text ("key value\n" lines) */
int parse_vmstat_value(const char *text, const char *key, __s64 *val);
/* highest pfn + 1 of any zone in a /proc/zoneinfo text; -ENOENT when none */
int parse_zoneinfo_max_pfn(const char *text, __u64 *max_pfn);
/* pfns [start, end) spanned by zone (case-insensitive; NULL: any zone) over
 * every node of a /proc/zoneinfo text; -ENOENT when no such zone has pages */
int parse_zoneinfo_span(const char *text, const char *zone, __u64 *start, __u64 *end);
/* Every zone with pages of every node in a /proc/zoneinfo text: name (as
 * zoneinfo spells it, at most 15 bytes) and span [start, end). Returns the
 * count (at most max), or -EINVAL. */
struct pw_zone_span {
	char name[16];
	__u64 start, end;
};
int parse_zoneinfo_zones(const char *text, struct pw_zone_span *out, int max);
/* "A" or "A-B" (decimal, or hex with 0x; B >= A, inclusive) -> first, last */
int parse_range(const char *s, __u64 *first, __u64 *last);
/* /proc/modules text -> a hash of each module's name and address (not its
 * use count, which changes with every open()); 5381 for no module. */
unsigned long parse_modules_hash(const char *text);
/* "Key:   1234 kB" of a /proc/PID/status text -> bytes; -ENOENT without key */
int parse_status_kb(const char *text, const char *key, __u64 *bytes);
/* the soft "Max locked memory" of a /proc/PID/limits text -> bytes (~0 for
 * unlimited) */
int parse_limits_memlock(const char *text, __u64 *bytes);
/* the cgroup v2 path ("0::/path") of a /proc/PID/cgroup text; -ENOENT when
 * the process is in no v2 hierarchy */
int parse_cgroup_v2(const char *text, char *path, size_t len);
/* starttime (field 22, clock ticks since boot) of a /proc/PID/stat text */
int parse_stat_starttime(const char *text, __u64 *ticks);
/* The whole text of a file for the parsers ("" when empty), NULL with errno
 * set when it cannot be opened or read; the caller frees it. */
char *read_text_file(const char *path);
#endif
