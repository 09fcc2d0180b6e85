# Soak (not part of `make check`, which runs the same scenario with 200k
# events): tests/vm/scenarios/soak.sh in the VM, once per kernel and attach
# mode, under one `pinwatch run`, with SOAK_EVENTS (default 10 million)
# pin+unpin events and the scenario timeout raised to SOAK_TIMEOUT seconds.
# Results: $(OUT)/soak-results.txt; VM files in $(OUT)/soak-<v>/.
SOAK_KERNELS ?= 6.1 6.12
SOAK_MODES   ?= fentry kprobe
SOAK_EVENTS  ?= 10000000
SOAK_TIMEOUT ?= 3600

.PHONY: soak
soak: deps
	@$(MAKE) --no-print-directory all vm-pwtest $(patsubst %,vm-kmod-%,$(SOAK_KERNELS))
	@mkdir -p $(OUT)/soak && sed 's/^# timeout: .*/# timeout: $(SOAK_TIMEOUT)/' \
		tests/vm/scenarios/soak.sh > $(OUT)/soak/soak.sh
	@rm -f $(OUT)/soak-results.txt; rc=0; for v in $(SOAK_KERNELS); do \
		PW_VM_NOBUILD=1 PW_OUT=$(OUT) PW_VM_DIR=$(OUT)/soak-$$v PW_RESULTS=$(abspath $(OUT))/soak-results.txt \
		PW_VM_APPEND="pw.soak_events=$(SOAK_EVENTS)" \
		$(VM_RUN) $$v $(patsubst %,$(OUT)/soak/soak.sh@%,$(SOAK_MODES)) || rc=1; \
	done; tests/summary.sh $(OUT)/soak-results.txt; exit $$rc
