#!/bin/sh
# Build the test module for one kernel of the matrix.
# Usage: build-kmod.sh KERNEL OUTDIR SOURCE...   (OUTDIR gets the sources and the .ko)
# Debian's headers + kbuild of that kernel, extracted by fetch-kernel.sh. The
# kbuild tools of trixie's kernels need trixie's glibc (>= 2.38) and gcc-14,
# so their build runs in a Debian trixie build root (buildroot.sh) with this
# tree bind-mounted at the same path; bookworm's and older run here.
# A kernel whose headers Debian does not ship (fetch-kernel.sh's "-") has no
# module: exit 3, and the scenarios that need it are not run there.
set -eu
k=$1; out=$2; shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$(tests/vm/fetch-kernel.sh "$k")
[ -d "$kdir/build" ] || { echo "build-kmod: Debian ships no headers for kernel $k" >&2; exit 3; }
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
rm -rf "$out"; mkdir -p "$out"; cp "$@" "$out/"
# MAKEFLAGS is dropped so a `make CC=clang ...` on our command line cannot leak into Kbuild.
build="env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL make -s -C $kdir/build M=$out modules"
case "$(cat "$kdir/suite")" in
trixie*)
	root=$(tests/vm/buildroot.sh trixie)
	# the root sees this tree (cache and build dir) at the same absolute paths
	mkdir -p "$root$top"
	case "$out" in "$top"/*) ;; *) echo "build-kmod: $out is outside $top" >&2; exit 2 ;; esac
	# a cache shared between checkouts (.cache a symlink) is mounted at its own path too
	cache=$(readlink -f "$top/.cache")
	case "$cache" in "$top"/*) more=: ;; *) mkdir -p "$root$cache"; more="mount --bind '$cache' '$root$cache'" ;; esac
	unshare -m sh -c "mount --bind '$top' '$root$top' && $more && mount -t proc proc '$root/proc' && exec chroot '$root' $build" ;;
*)	$build ;;
esac
