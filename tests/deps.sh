#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# Run as root on Debian 12 (README); as non-root it only reports what is missing.
set -eu
PKGS="mmdebstrap clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc
 qemu-system-x86 busybox-static cpio xz-utils kmod liburing-dev libcmocka-dev dwarves
 libclang-rt-14-dev
 libmicrohttpd-dev prometheus
 debhelper lintian fakeroot dpkg-dev man-db python3-jsonschema jq"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2; exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# prometheus is installed for promtool only (the unit tests lint /metrics with
# it); the server it would start is not wanted on a build host
case " $missing " in *" prometheus "*)
	command -v systemctl >/dev/null && systemctl disable --now prometheus >/dev/null 2>&1 || true ;;
esac
