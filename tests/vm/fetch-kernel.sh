#!/bin/sh
# Fetch one Debian kernel (image, modules, and headers + kbuild where Debian
# ships them) into the gitignored cache and extract it, so VM tests and
# out-of-tree module builds need no install into /usr.
# Usage: fetch-kernel.sh KERNEL   -> prints the cache directory on stdout.
#        fetch-kernel.sh --list   -> the kernels it knows, one a line.
# Each kernel is pinned to the package versions tested. Suites other than the
# machine's own (bookworm) are reached through a private apt configuration
# under .cache/apt: the machine's apt sources are never changed.
# Idempotent: a finished extraction is marked with .done and not repeated.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PINWATCH_CACHE:-$top/.cache}
mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# KERNEL  suite  abi  flavour  image-package  kbuild-package ("-": no headers in the archive)
table() {
	cat <<EOF
5.10    bullseye-security  5.10.0-46      cloud-amd64  linux-image-5.10.0-46-cloud-amd64               -
6.1     bookworm           6.1.0-50       cloud-amd64  linux-image-6.1.0-50-cloud-amd64-unsigned       linux-kbuild-6.1
6.12    bookworm           6.12.107+deb12 cloud-amd64  linux-image-6.12.107+deb12-cloud-amd64-unsigned linux-kbuild-6.12.107+deb12
6.1-amd64  bookworm        6.1.0-50       amd64        linux-image-6.1.0-50-amd64-unsigned             -
6.12-amd64 bookworm        6.12.107+deb12 amd64        linux-image-6.12.107+deb12-amd64-unsigned       -
6.18    trixie-backports   6.18.15+deb13  cloud-amd64  linux-image-6.18.15+deb13-cloud-amd64           -
7.3     trixie-backports   7.3.4+deb13    cloud-amd64  linux-binary-7.3.4+deb13-cloud-amd64            linux-kbuild-7.3.4+deb13
7.3-rt  trixie-backports   7.3.4+deb13    rt-amd64     linux-binary-7.3.4+deb13-rt-amd64               linux-kbuild-7.3.4+deb13
EOF
}
if [ "${1:-}" = --list ]; then table | awk '{print $1}'; exit 0; fi
row=$(table | awk -v k="${1:-}" '$1 == k')
[ -n "$row" ] || { echo "fetch-kernel.sh: unknown kernel '${1:-}' (want one of: $(table | awk '{printf "%s ", $1}'))" >&2; exit 2; }
set -- $row
key=$1 suite=$2 abi=$3 flavour=$4 image=$5 kbuild=$6
dir=$cache/kernel-$key
# done: extracted, with what this script's current form records (a cache
# of an older form is extracted again)
if [ -f "$dir/.done" ] && [ -e "$dir/modules" ] && [ -f "$dir/suite" ]; then echo "$dir"; exit 0; fi

pkgs=$image
# 7.x splits a kernel in binary, modules and base (modules.builtin, config)
case "$image" in linux-binary-*) pkgs="$pkgs linux-modules-$abi-$flavour linux-base-$abi-$flavour" ;; esac
[ "$kbuild" = - ] || pkgs="$pkgs linux-headers-$abi-$flavour linux-headers-$abi-common $kbuild"

# bookworm is the machine's own suite; any other goes through .cache/apt
apt=
if [ "$suite" != bookworm ]; then
	a=$cache/apt/$suite
	mkdir -p "$a/lists/partial" "$a/cache"
	case "$suite" in *-security) url=$mirror-security ;; *) url=$mirror ;; esac
	echo "deb [signed-by=$keyring] $url $suite main" > "$a/sources.list"
	apt="-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=/dev/null
	     -o Dir::State::Lists=$a/lists -o Dir::Cache=$a/cache -o Dir::State::status=/dev/null"
	[ -f "$a/.updated" ] || { apt-get -qq $apt update >&2 && touch "$a/.updated"; } || {
		echo "fetch-kernel.sh: apt-get update of $suite failed" >&2; exit 1; }
fi
mkdir -p "$dir/debs"
rm -rf "$dir/root"; mkdir -p "$dir/root"
(cd "$dir/debs" && for p in $pkgs; do
	ls "${p}"_*.deb >/dev/null 2>&1 || apt-get -qq $apt download "$p" >&2 || {
		echo "fetch-kernel.sh: apt-get download $p ($suite) failed (run 'apt-get update' as root?)" >&2; exit 1; }
done)
for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root"; done

# the kernel and its modules: /boot and /lib/modules, or /usr/lib/modules/REL (linux-binary-*)
vmlinuz=$(ls "$dir"/root/boot/vmlinuz-* "$dir"/root/usr/lib/modules/*/vmlinuz 2>/dev/null | head -n1)
[ -n "$vmlinuz" ] || { echo "fetch-kernel.sh: no vmlinuz in $pkgs" >&2; exit 1; }
ln -sfn "$vmlinuz" "$dir/vmlinuz"
ln -sfn "$(ls -d "$dir"/root/lib/modules/* "$dir"/root/usr/lib/modules/* 2>/dev/null | head -n1)" "$dir/modules"

if [ "$kbuild" != - ]; then
	# The headers package's Makefile names the -common tree (and, on 7.x, its
	# own KBUILD_OUTPUT) by absolute /usr/src path; point those into the cache.
	hdr=$dir/root/usr/src/linux-headers-$abi-$flavour
	sed -i "s| /usr/src/| $dir/root/usr/src/|; s|=/usr/src/|=$dir/root/usr/src/|" "$hdr/Makefile"
	# scripts/ and tools/ are symlinks to /usr/lib/linux-kbuild-*; repoint them into the cache.
	for l in "$hdr"/scripts "$hdr"/tools "$dir"/root/usr/src/linux-headers-$abi-common/scripts \
		 "$dir"/root/usr/src/linux-headers-$abi-common/tools; do
		if [ -L "$l" ]; then t=$(readlink "$l"); case "$t" in /*) ln -sfn "$dir/root$t" "$l";; esac; fi
	done
	ln -sfn "$hdr" "$dir/build"
fi
echo "$abi" > "$dir/abi"
echo "$suite" > "$dir/suite"
touch "$dir/.done"
echo "$dir"
