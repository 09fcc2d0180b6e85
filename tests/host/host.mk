# Host tests of the pinwatch binary (no VM): command line, refusal, man page.
.PHONY: host
host: $(OUT)/pinwatch
	@PINWATCH=$(OUT)/pinwatch tests/host/cli.sh
	@OUT=$(OUT) tests/host/install.sh
