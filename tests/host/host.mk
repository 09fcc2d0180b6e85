# Host tests of the pinwatch binary (no VM): command line, refusal, man page.
.PHONY: host
host: $(OUT)/pinwatch
	@PINWATCH=$(OUT)/pinwatch tests/host/cli.sh
	@tests/host/guestlib.sh
	@OUT=$(OUT) tests/host/install.sh

# The Debian package, built, installed on this machine with apt, checked and
# purged (root; make check runs it).
.PHONY: package-check
package-check:
	@OUT=$(OUT) tests/host/package.sh
