# Host unit tests (cmocka). Included by the top-level Makefile; `make unit`
# builds and runs each tests/unit/test_*.c and records every test case as its
# own PASS/FAIL line via tests/result.sh. A test that fails to build, crashes,
# hangs or trips a sanitizer records a FAIL instead of vanishing.
#
# The tests compile the skeleton-free sources directly (not build/src/*.o,
# which depend on the BPF skeleton), with ASan+UBSan to catch memory bugs.
UNIT_DIR    := $(OUT)/unit
UNIT_TESTS  := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_SRCS   := $(PLAIN_SRCS) tests/unit/helpers.c
UNIT_SAN    ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
UNIT_CFLAGS := $(CFLAGS) $(UNIT_SAN) -DPW_TEST_DATA='"$(CURDIR)/tests/unit/data"' -DPW_SCHEMAS='"$(CURDIR)/schemas"'

$(UNIT_DIR)/test_%: tests/unit/test_%.c $(UNIT_SRCS) src/*.h bpf/pinwatch.h tests/unit/helpers.h
	@mkdir -p $(UNIT_DIR)
	$(CC) $(UNIT_CFLAGS) $< $(UNIT_SRCS) -o $@ -lcmocka -lbpf

# Each binary is built by its own sub-make so one broken test cannot stop
# the others; the target fails if anything failed.
unit:
	@mkdir -p $(UNIT_DIR); st=0; for t in $(UNIT_TESTS); do \
		if $(MAKE) --no-print-directory $(UNIT_DIR)/$$t >$(UNIT_DIR)/build-$$t.log 2>&1; then \
			tests/unit/run.sh $(UNIT_DIR)/$$t || st=1; \
		else \
			cat $(UNIT_DIR)/build-$$t.log; \
			tests/result.sh FAIL unit/$${t#test_} "build failed (see $(UNIT_DIR)/build-$$t.log)"; st=1; \
		fi; \
	done; exit $$st
