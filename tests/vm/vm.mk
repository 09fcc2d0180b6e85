# VM tests: boot Debian kernels under qemu TCG and run tests/vm/scenarios in them.
# Included by the top-level Makefile.
#   make vm                          every kernel of the matrix, each scenario
#                                    where its "# kernels:" header says (run-vm.sh)
#   make vm VM_KERNELS=6.12          one kernel
#   make matrix                      every scenario on every kernel, in every plan
#   make vm-prep-6.12                just build what a 6.12 VM needs
#   tests/vm/run-vm.sh 6.12 NAME...  one kernel, chosen scenarios (builds as needed)
# The kernels: tests/vm/fetch-kernel.sh --list. VMs run VM_JOBS at a time,
# longest first (TCG: one core each; more than the cores makes the timing
# scenarios' interrupts land elsewhere).
VM_KERNELS  ?= 6.1 6.12 7.3 7.3-rt 6.18 5.10 6.1-amd64 6.12-amd64
VM_JOBS     ?= 2
VM_RUN      := tests/vm/run-vm.sh
VM_DEMO     ?= demo
VM_KMOD_SRC ?= tests/kmod
VM_PWTEST   := $(if $(wildcard tests/prog/prog.mk),$(OUT)/pwtest)
VM_KMOD_FILES := $(wildcard $(VM_KMOD_SRC)/*.c $(VM_KMOD_SRC)/*.h $(VM_KMOD_SRC)/Kbuild)

.PHONY: vm vm-pwtest matrix verifier-table

# Out-of-tree module against the extracted Debian headers (build-kmod.sh:
# in a trixie build root for trixie's kernels; exit 3 where Debian ships no
# headers, and the scenarios that need the module do not run there).
$(OUT)/kmod-%/pinwatch_test.ko: $(VM_KMOD_FILES)
	@test -f $(VM_KMOD_SRC)/Kbuild || { echo "vm: no $(VM_KMOD_SRC)/Kbuild" >&2; exit 1; }
	@tests/vm/build-kmod.sh $* $(OUT)/kmod-$* $(VM_KMOD_FILES)

vm-kmod-%: $(OUT)/kmod-%/pinwatch_test.ko ;
vm-pwtest: $(VM_PWTEST)
# (no test module where Debian ships no headers: 6.18, 6.1-amd64, ...)
vm-prep-%: vm-pwtest
	@[ ! -d "$$(tests/vm/fetch-kernel.sh $*)/build" ] || $(MAKE) --no-print-directory vm-kmod-$*

# Build once (a failed build is a FAIL result, not an abort), then boot the VMs.
# Concurrent VMs each write their own log, printed whole afterwards. A kernel
# Debian ships no headers for has no test module (build-kmod.sh says so).
vm:
	@mkdir -p $(OUT)
	@$(MAKE) --no-print-directory all >/dev/null 2>&1 || \
		echo "vm: warning: 'make all' failed; scenarios needing pinwatch will fail" >&2
	@$(MAKE) --no-print-directory vm-pwtest || tests/result.sh FAIL vm/build/pwtest "make $(VM_PWTEST) failed"
	@for v in $(VM_KERNELS); do \
		kdir=$$(tests/vm/fetch-kernel.sh $$v) || { tests/result.sh FAIL vm/$$v/fetch "kernel download failed"; continue; }; \
		[ ! -d $$kdir/build ] || $(MAKE) --no-print-directory vm-kmod-$$v || \
			tests/result.sh FAIL vm/$$v/kmod "module build failed"; \
	done
	@printf '%s\n' $(VM_KERNELS) | xargs -P $(VM_JOBS) -I{} sh -c \
		'PW_VM_NOBUILD=1 PW_OUT=$(OUT) $(VM_RUN) {} > $(OUT)/vm-{}.log 2>&1; rc=$$?; cat $(OUT)/vm-{}.log; exit $$rc'

matrix:
	@$(MAKE) --no-print-directory vm PW_VM_MATRIX=1 VM_KERNELS="$(VM_KERNELS)"

# The verifier's instruction counts of the last make vm / make matrix
# (kernel-support prints them), as the table the README points to.
verifier-table:
	@tests/vm/verifier-table.sh $(OUT)/vm-*/results.norm > bench/results/verifier.md.tmp && \
		mv bench/results/verifier.md.tmp bench/results/verifier.md && echo "wrote bench/results/verifier.md"
