# pinwatch — see README.md. `make` builds, `make check` runs every test,
# `make demo` boots Debian 6.12 in qemu and shows a buggy driver caught.
OUT      := build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
ARCH     := x86
VERSION  := 0.1.0
CFLAGS   ?= -g -O2
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
            -std=gnu11 -I. -I$(OUT) -DPINWATCH_VERSION='"$(VERSION)"'
# STATIC=1: libbpf (and its libelf, zlib) linked in, so the binary never
# meets another libbpf at run time; glibc and libmicrohttpd stay shared.
BPF_STATIC := -Wl,-Bstatic -lbpf -lelf -lz -Wl,-Bdynamic
BPF_LIBS := $(if $(STATIC),$(BPF_STATIC),-lbpf -lelf -lz)
LDLIBS   := $(BPF_LIBS) $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -lpthread
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I. -Ibpf -Wall -Wno-unused-function

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SRCS     := $(wildcard src/*.c)
OBJS     := $(patsubst src/%.c,$(OUT)/src/%.o,$(SRCS))
# The plain layer: no skeleton, no session, no /sys; the unit tests link
# these alone (tests/unit/unit.mk), the commands link them with the rest.
PLAIN_SRCS := src/names.c src/report.c src/report_text.c src/report_json.c src/ksyms.c \
              src/suppress.c src/parse.c src/holders.c src/metrics.c src/top_table.c \
              src/privs.c src/preempt.c src/jsonw.c src/view.c src/accounting.c src/folded.c \
              src/atomicfile.c src/why_build.c src/why_out.c src/blocked_text.c
ifneq ($(ARCH),x86)
$(error ARCH=$(ARCH): pinwatch reads x86-64 layouts (vmemmap, the preempt count); only x86 is supported)
endif

.PHONY: all deps check unit vm demo clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUT)/pinwatch

deps:
	@tests/deps.sh

# -MMD: each object depends on the headers it includes, no more
$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux.h | $(OUT)/bpf
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

# One BPF object per concern, statically linked by bpftool into one object,
# so maps are shared and userspace loads a single skeleton.
$(OUT)/pinwatch.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(OUT)/pinwatch.skel.h: $(OUT)/pinwatch.bpf.o
	$(BPFTOOL) gen skeleton $< name pinwatch_bpf > $@

# The page scan (`why`): an object of its own, without the tracer's maps.
$(OUT)/bpf/pagescan.bpf.o: bpf/scan/pagescan.bpf.c vmlinux.h | $(OUT)/bpf
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/pagescan.skel.h: $(OUT)/bpf/pagescan.bpf.o
	$(BPFTOOL) gen skeleton $< name pagescan_bpf > $@

$(OUT)/src/%.o: src/%.c | $(OUT)/src
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
# only the loaders include a skeleton: the rest does not wait for clang
$(OUT)/src/tracer.o: $(OUT)/pinwatch.skel.h
$(OUT)/src/pagescan.o: $(OUT)/pagescan.skel.h

$(OUT)/pinwatch: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)
# the same objects linked with libbpf in, whatever STATIC says (the tests)
$(OUT)/pinwatch-static: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(BPF_STATIC) $(filter-out -lbpf -lelf -lz,$(LDLIBS))

$(OUT)/bpf $(OUT)/src:
	mkdir -p $@

-include $(BPF_OBJS:.o=.d) $(OUT)/bpf/pagescan.bpf.d $(OBJS:.o=.d)

# Test pieces live next to the tests and add their own targets.
-include tests/unit/unit.mk
-include tests/host/host.mk
-include tests/prog/prog.mk
-include tests/vm/vm.mk
-include tests/fuzz/fuzz.mk
-include tests/vm/soak.mk
-include bench/bench.mk
-include deploy/install.mk

# check: everything, one results file, one summary line. A stage that cannot
# run, or exits non-zero without recording why, records a failure
# (tests/stage.sh) instead of vanishing.
check: deps
	@rm -f $(OUT)/results.txt; mkdir -p $(OUT)
	@$(MAKE) --no-print-directory all || tests/result.sh FAIL build "make all failed"
	@tests/stage.sh unit $(MAKE) --no-print-directory unit
	@tests/stage.sh host $(MAKE) --no-print-directory host
	@tests/stage.sh package $(MAKE) --no-print-directory package-check
	@tests/stage.sh fuzz $(MAKE) --no-print-directory fuzz-check
	@tests/stage.sh vm $(MAKE) --no-print-directory vm
	@tests/summary.sh $(OUT)/results.txt

# demo: boot Debian 6.12 in qemu and run a buggy driver under pinwatch.
demo: deps
	@$(MAKE) --no-print-directory all vm-prep-6.12
	@PW_VM_NOBUILD=1 PW_RESULTS=$(OUT)/demo-results.txt tests/vm/run-vm.sh 6.12 demo@fentry

clean:
	rm -rf $(OUT)
