#!/bin/sh
# A Debian build root of SUITE under .cache (mmdebstrap from Debian's archive),
# for the kbuild tools of kernels built with a newer glibc and gcc than this
# machine's. Usage: buildroot.sh SUITE -> prints its path. Made once.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
suite=${1:?usage: buildroot.sh SUITE}
root=${PINWATCH_CACHE:-$top/.cache}/$suite-root
if [ ! -x "$root/usr/bin/make" ]; then
	command -v mmdebstrap >/dev/null || { echo "buildroot: needs mmdebstrap (make deps)" >&2; exit 1; }
	rm -rf "$root.tmp"
	mmdebstrap --quiet --variant=buildd --include=dwarves,bc,bison,flex,libelf-dev,libssl-dev,kmod \
		"$suite" "$root.tmp" http://deb.debian.org/debian >&2
	rm -rf "$root"; mv "$root.tmp" "$root"
fi
echo "$root"
