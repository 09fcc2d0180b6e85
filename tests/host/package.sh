#!/bin/sh
# The Debian package: `make deb` builds it lintian-clean, it installs on this
# machine with apt, and what it installs works (pinwatch --version, man
# pinwatch, systemd-analyze verify of the unit, the service disabled); then
# it is purged and leaves nothing. Needs root. One result per check.
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-build}
res() { "$top/tests/result.sh" "$@"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ "$(id -u)" = 0 ] || { res FAIL host/package "must run as root to install the package"; exit 0; }

if ! make -s -C "$top" OUT="$out" deb >"$tmp/deb.log" 2>&1; then
	res FAIL host/package/build "$(tail -n 5 "$tmp/deb.log" | tr '\n' ' ')"; exit 0
fi
res PASS host/package/build-lintian-clean
deb=$(ls "$top/$out"/deb/pinwatch_*_amd64.deb)
version=$(dpkg-deb -f "$deb" Version)
if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$tmp/apt.log" 2>&1; then
	res PASS host/package/installs
else res FAIL host/package/installs "$(tail -n 3 "$tmp/apt.log" | tr '\n' ' ')"; exit 0; fi

if [ "$(/usr/sbin/pinwatch --version)" = "pinwatch $version" ]; then res PASS host/package/version
else res FAIL host/package/version "$(/usr/sbin/pinwatch --version 2>&1)"; fi
if MANWIDTH=80 man -P cat pinwatch 2>/dev/null | grep -q '^ACCOUNTING'; then res PASS host/package/man
else res FAIL host/package/man "man pinwatch does not render"; fi
if systemd-analyze verify /lib/systemd/system/pinwatch.service >"$tmp/verify" 2>&1 && [ ! -s "$tmp/verify" ]; then
	res PASS host/package/unit-verifies
else res FAIL host/package/unit-verifies "$(head -c 300 "$tmp/verify")"; fi
# maintainer scripts that stop the service on removal (dh_installsystemd)
if grep -q deb-systemd-helper /var/lib/dpkg/info/pinwatch.postrm 2>/dev/null &&
   grep -q deb-systemd-invoke /var/lib/dpkg/info/pinwatch.prerm 2>/dev/null; then
	res PASS host/package/maintainer-scripts
else res FAIL host/package/maintainer-scripts "no systemd handling in prerm/postrm"; fi
# not enabled by the package: a tracer needs a kernel it can trace
if [ ! -e /etc/systemd/system/multi-user.target.wants/pinwatch.service ] &&
   dpkg-query -L pinwatch | grep -qx /etc/default/pinwatch && grep -qx /etc/default/pinwatch /var/lib/dpkg/info/pinwatch.conffiles; then
	res PASS host/package/disabled-conffile
else res FAIL host/package/disabled-conffile "enabled, or /etc/default/pinwatch not a conffile"; fi

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq pinwatch >"$tmp/purge.log" 2>&1
if [ ! -e /usr/sbin/pinwatch ] && [ ! -e /etc/default/pinwatch ] && ! dpkg-query -W pinwatch >/dev/null 2>&1; then
	res PASS host/package/purge
else res FAIL host/package/purge "left: $(ls /usr/sbin/pinwatch /etc/default/pinwatch 2>&1 | tr '\n' ' ')"; fi
