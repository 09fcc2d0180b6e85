# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page, the
# systemd unit and its defaults file, bash completion, the JSON schemas of
# the documents pinwatch writes, and the Prometheus rules and Grafana
# dashboard as examples. make uninstall removes them, but not
# /etc/default/pinwatch (configuration; install keeps an existing one).
PREFIX     ?= /usr/local
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR     ?= $(PREFIX)/share/doc/pinwatch
DATADIR    ?= $(PREFIX)/share/pinwatch
INSTALLED  := $(SBINDIR)/pinwatch $(MANDIR)/man8/pinwatch.8 $(UNITDIR)/pinwatch.service \
              $(BASHCOMPDIR)/pinwatch \
              $(DOCDIR)/examples/pinwatch-rules.yml $(DOCDIR)/examples/pinwatch-rules.test.yml \
              $(DOCDIR)/examples/pinwatch-dashboard.json \
              $(patsubst schemas/%,$(DATADIR)/schemas/%,$(wildcard schemas/*.schema.json))

.PHONY: install uninstall
install: $(OUT)/pinwatch
	install -D -m 0755 $(OUT)/pinwatch $(DESTDIR)$(SBINDIR)/pinwatch
	install -D -m 0644 man/pinwatch.8 $(DESTDIR)$(MANDIR)/man8/pinwatch.8
	mkdir -p $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		deploy/systemd/pinwatch.service > $(DESTDIR)$(UNITDIR)/pinwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pinwatch.service
	@# the admin's PINWATCH_ARGS survive a reinstall
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/pinwatch ] || \
		install -D -m 0644 deploy/systemd/pinwatch.default $(DESTDIR)$(SYSCONFDIR)/default/pinwatch
	install -D -m 0644 deploy/bash-completion/pinwatch $(DESTDIR)$(BASHCOMPDIR)/pinwatch
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/examples deploy/prometheus/pinwatch-rules.yml \
		deploy/prometheus/pinwatch-rules.test.yml deploy/grafana/pinwatch-dashboard.json
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/schemas schemas/*.schema.json

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# make image: the container image of deploy/container/Containerfile, built
# with Debian's buildah on a base made by mmdebstrap, and run once (root).
.PHONY: image
image:
	@deploy/container/build-image.sh

# make deb: a Debian package (debian/, debhelper) built from the tracked
# files of this tree in $(OUT)/deb, checked by lintian.
.PHONY: deb
deb:
	rm -rf $(OUT)/deb && mkdir -p $(OUT)/deb/pinwatch-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t $(OUT)/deb/pinwatch-$(VERSION)
	cd $(OUT)/deb/pinwatch-$(VERSION) && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	lintian --allow-root --fail-on error,warning $(OUT)/deb/pinwatch_$(VERSION)_amd64.deb
	@ls $(OUT)/deb/*.deb
