// SPDX-License-Identifier: GPL-2.0
/*
 * floor: load bench/floor.bpf.c's empty fentry/fexit programs on the symbols
 * this kernel has (a FUNC in its BTF: what fentry needs), attach what attaches,
 * print "floor: attached N: sym..." and wait for SIGINT/SIGTERM.
 * --per-folio: the ff_ programs (the per-folio primitives) instead.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct floor_bpf *skel = floor_bpf__open();
	struct bpf_program *prog;
	int n = 0, per_folio = argc == 2 && !strcmp(argv[1], "--per-folio");

	if (argc > 1 && !per_folio) {
		fprintf(stderr, "usage: floor [--per-folio]\n");
		return 2;
	}
	if (!vmlinux || !skel) {
		fprintf(stderr, "floor: no vmlinux BTF or cannot open the object\n");
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *sym = strchr(bpf_program__section_name(prog), '/') + 1;
		bool ff = !strncmp(bpf_program__name(prog), "ff_", 3);
		bpf_program__set_autoload(prog, ff == per_folio &&
					  btf__find_by_name_kind(vmlinux, sym, BTF_KIND_FUNC) > 0);
	}
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "floor: load failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("floor: attached");
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		/* a FUNC in BTF that was inlined everywhere has no address: skip it */
		if (bpf_program__attach(prog)) {
			printf(" %s", bpf_program__section_name(prog));
			n++;
		}
	}
	printf(" (%d programs)\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	floor_bpf__destroy(skel);	/* the links (not kept) detach when their fds close at exit */
	btf__free(vmlinux);
	return 0;
}
