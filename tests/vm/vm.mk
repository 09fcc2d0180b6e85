# VM tests: boot Debian kernels under qemu TCG and run tests/vm/scenarios in them.
# Included by the top-level Makefile.
#   make vm                          both kernels (concurrently, VM_PARALLEL=1)
#   make vm VM_KERNELS=6.12          one kernel
#   make vm-prep-6.12                just build what a 6.12 VM needs
#   tests/vm/run-vm.sh 6.12 NAME...  one kernel, chosen scenarios (builds as needed);
#                                    NAME may be a path, e.g. the lead's demo scenario:
#   $(VM_RUN) 6.12 $(VM_DEMO)        -> the hook for a `demo` target
VM_KERNELS  ?= 6.1 6.12
VM_PARALLEL ?= 1
VM_RUN      := tests/vm/run-vm.sh
VM_DEMO     ?= demo
VM_KMOD_SRC ?= tests/kmod
VM_PWTEST   := $(if $(wildcard tests/prog/prog.mk),$(OUT)/pwtest)
VM_KMOD_FILES := $(wildcard $(VM_KMOD_SRC)/*.c $(VM_KMOD_SRC)/*.h $(VM_KMOD_SRC)/Kbuild)

.PHONY: vm vm-pwtest

# Out-of-tree module against the extracted Debian headers. The headers' Makefile
# picks CC itself (Debian's gcc-12; pahole adds module BTF on 6.12). MAKEFLAGS is
# dropped so a `make CC=clang ...` on our command line cannot leak into Kbuild.
$(OUT)/kmod-%/pinwatch_test.ko: $(VM_KMOD_FILES)
	@test -f $(VM_KMOD_SRC)/Kbuild || { echo "vm: no $(VM_KMOD_SRC)/Kbuild" >&2; exit 1; }
	@kdir=$$(tests/vm/fetch-kernel.sh $*) && \
	rm -rf $(OUT)/kmod-$* && mkdir -p $(OUT)/kmod-$* && cp $(VM_KMOD_FILES) $(OUT)/kmod-$*/ && \
	env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
		make -s -C $$kdir/build M=$(abspath $(OUT)/kmod-$*) modules

vm-kmod-%: $(OUT)/kmod-%/pinwatch_test.ko ;
vm-pwtest: $(VM_PWTEST)
vm-prep-%: vm-pwtest vm-kmod-% ;

# Build once (a failed build is a FAIL result, not an abort), then boot the VMs.
# Concurrent VMs each write their own log, printed whole afterwards.
vm:
	@mkdir -p $(OUT)
	@$(MAKE) --no-print-directory all >/dev/null 2>&1 || \
		echo "vm: warning: 'make all' failed; scenarios needing pinwatch will fail" >&2
	@$(MAKE) --no-print-directory vm-pwtest || tests/result.sh FAIL vm/build/pwtest "make $(VM_PWTEST) failed"
	@for v in $(VM_KERNELS); do \
		$(MAKE) --no-print-directory vm-kmod-$$v || tests/result.sh FAIL vm/$$v/kmod "module build failed"; \
	done
	@rc=0; pids=; \
	for v in $(VM_KERNELS); do \
		if [ "$(VM_PARALLEL)" = 1 ]; then \
			PW_VM_NOBUILD=1 PW_OUT=$(OUT) $(VM_RUN) $$v > $(OUT)/vm-$$v.log 2>&1 & pids="$$pids $$!"; \
		else PW_VM_NOBUILD=1 PW_OUT=$(OUT) $(VM_RUN) $$v || rc=1; fi; \
	done; \
	for p in $$pids; do wait $$p || rc=1; done; \
	if [ "$(VM_PARALLEL)" = 1 ]; then for v in $(VM_KERNELS); do cat $(OUT)/vm-$$v.log; done; fi; \
	exit $$rc
