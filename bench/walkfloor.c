// SPDX-License-Identifier: GPL-2.0
/* walkfloor [--read-page]: load bench/walkfloor.bpf.c, print
 * "walkfloor: attached", wait for SIGINT/SIGTERM. vmemmap_base from
 * /proc/kallsyms (page_offset_base's neighbour) when readable. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "walkfloor.skel.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
	struct walkfloor_bpf *skel = walkfloor_bpf__open();
	if (!skel) {
		fprintf(stderr, "walkfloor: cannot open the object\n");
		return 1;
	}
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char t, name[200];
		if (sscanf(line, "%llx %c %199s", &a, &t, name) == 3 && !strcmp(name, "vmemmap_base"))
			skel->rodata->cfg_base_addr = a;
	}
	if (f)
		fclose(f);
	skel->rodata->cfg_read_page = argc > 1 && !strcmp(argv[1], "--read-page");
	if (walkfloor_bpf__load(skel) || walkfloor_bpf__attach(skel)) {
		fprintf(stderr, "walkfloor: load/attach failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("walkfloor: attached%s\n", skel->rodata->cfg_read_page ? " (read page)" : "");
	fflush(stdout);
	while (!stop)
		pause();
	walkfloor_bpf__destroy(skel);
	return 0;
}
