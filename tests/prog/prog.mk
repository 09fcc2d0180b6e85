# pwtest: static userspace driver for the VM scenarios (included by the top Makefile).
PWTEST_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -Itests/kmod

.PHONY: pwtest
pwtest: $(OUT)/pwtest

PWTEST_SRCS := tests/prog/pwtest.c tests/prog/pinners.c tests/prog/pty.c tests/prog/irq.c \
	tests/prog/threads.c tests/prog/move.c tests/prog/witness.c tests/prog/unmovable.c

$(OUT)/pwtest: $(PWTEST_SRCS) tests/prog/pwtest.h tests/kmod/pinwatch_test.h
	@mkdir -p $(OUT)
	$(CC) $(PWTEST_CFLAGS) -static $(PWTEST_SRCS) -o $@ -luring -lpthread
