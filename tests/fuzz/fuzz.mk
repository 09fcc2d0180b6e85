# libFuzzer targets for every parser of outside input (included by the top
# Makefile). tests/fuzz/fuzz_<t>.c links the parser sources with clang's
# -fsanitize=fuzzer,address,undefined; seeds live in tests/fuzz/corpus/<t>/.
#   make fuzz                 each target FUZZ_TIME seconds (default 60); new
#                             inputs go to $(OUT)/fuzz/corpus-<t>, crashes to
#                             $(OUT)/fuzz/crash-<t>-*
#   make fuzz-check           (part of make check) each target briefly:
#                             the seeds plus FUZZ_CHECK_RUNS mutations
FUZZ_DIR     := $(OUT)/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRCS    := src/names.c src/report.c src/report_text.c src/report_json.c src/ksyms.c src/preempt.c \
                src/suppress.c src/parse.c src/jsonw.c
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -I. -DPINWATCH_VERSION='"$(VERSION)"' \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TIME    ?= 60
FUZZ_CHECK_RUNS ?= 20000

.PHONY: fuzz fuzz-build fuzz-check

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) src/*.h bpf/pinwatch.h
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_SRCS) -o $@

fuzz-build: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

# fuzz_run TARGET ARGS: the writable corpus first (libFuzzer adds to it), the seeds after
fuzz_run = mkdir -p $(FUZZ_DIR)/corpus-$(1) && \
	$(FUZZ_DIR)/fuzz_$(1) $(2) -artifact_prefix=$(FUZZ_DIR)/crash-$(1)- \
		$(FUZZ_DIR)/corpus-$(1) tests/fuzz/corpus/$(1) > $(FUZZ_DIR)/$(1).log 2>&1

fuzz: fuzz-build
	@st=0; for t in $(FUZZ_TARGETS); do \
		echo "fuzz: $$t for $(FUZZ_TIME)s"; \
		if $(call fuzz_run,$$t,-max_total_time=$(FUZZ_TIME)); then tail -n 1 $(FUZZ_DIR)/$$t.log; \
		else tail -n 30 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t FAILED (see $(FUZZ_DIR)/$$t.log)"; st=1; fi; \
	done; exit $$st

fuzz-check:
	@mkdir -p $(FUZZ_DIR); st=0; for t in $(FUZZ_TARGETS); do \
		if ! $(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz_$$t > $(FUZZ_DIR)/build-$$t.log 2>&1; then \
			tail -n 5 $(FUZZ_DIR)/build-$$t.log; \
			tests/result.sh FAIL fuzz/$$t "build failed (see $(FUZZ_DIR)/build-$$t.log)"; st=1; \
		elif $(call fuzz_run,$$t,-runs=$(FUZZ_CHECK_RUNS) -max_total_time=20); then \
			tests/result.sh PASS fuzz/$$t; \
		else \
			tail -n 20 $(FUZZ_DIR)/$$t.log; \
			tests/result.sh FAIL fuzz/$$t "crash or sanitizer report (see $(FUZZ_DIR)/$$t.log)"; st=1; \
		fi; \
	done; exit $$st
