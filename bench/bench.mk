# make bench: pinwatch's overhead on the pin/unpin paths in Debian 6.1, 6.12
# and 7.3 VMs (TCG: only ratios count) against untraced, empty `floor` hooks
# and a bpftrace script. Not part of `make check`. See bench/run.sh.
#   BENCH_KERNELS (6.1 6.12 7.3), BENCH_ROUNDS (7), BENCH_SCALE (1: also the 1M-page run)
BENCH_KERNELS ?= 6.1 6.12 7.3
BENCH_ROUNDS  ?= 7
BENCH_SCALE   ?= 1

.PHONY: bench bench-floor
bench-floor: $(OUT)/bench/floor $(OUT)/bench/walkfloor

# Same clang -> bpftool skeleton pattern as pinwatch itself: floor (empty
# hooks) and walkfloor (the plainest per-page mirror, a reference point for profiling).
$(OUT)/bench/%.bpf.o: bench/%.bpf.c vmlinux.h
	@mkdir -p $(OUT)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUT)/bench/%.skel.h: $(OUT)/bench/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@
$(OUT)/bench/floor $(OUT)/bench/walkfloor: $(OUT)/bench/%: bench/%.c $(OUT)/bench/%.skel.h
	$(CC) $(CFLAGS) -I$(OUT)/bench $< -o $@ -lbpf -lelf -lz

bench: deps
	@command -v bpftrace >/dev/null || apt-get install -y bpftrace
	@command -v gnuplot >/dev/null || apt-get install -y --no-install-recommends gnuplot-nox
	@$(MAKE) --no-print-directory all vm-pwtest bench-floor $(patsubst %,vm-kmod-%,$(BENCH_KERNELS))
	@PW_OUT=$(OUT) BENCH_KERNELS="$(BENCH_KERNELS)" BENCH_ROUNDS=$(BENCH_ROUNDS) \
		BENCH_SCALE=$(BENCH_SCALE) bench/run.sh
	@bench/chart.sh
