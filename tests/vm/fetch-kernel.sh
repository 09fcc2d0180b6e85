#!/bin/sh
# Fetch one Debian kernel (image + headers + kbuild) into the gitignored cache and
# extract it, so VM tests and out-of-tree module builds need no install into /usr.
# Usage: fetch-kernel.sh 6.1|6.12   -> prints the cache directory on stdout.
# Idempotent: a finished extraction is marked with .done and not repeated.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PINWATCH_CACHE:-$top/.cache}
case "${1:-}" in
6.1)  abi=6.1.0-50;            kbuild=linux-kbuild-6.1 ;;
6.12) abi=6.12.107+deb12;      kbuild=linux-kbuild-6.12.107+deb12 ;;
*) echo "fetch-kernel.sh: unknown kernel '${1:-}' (want 6.1 or 6.12)" >&2; exit 2 ;;
esac
dir=$cache/kernel-$1
if [ -f "$dir/.done" ]; then echo "$dir"; exit 0; fi
mkdir -p "$dir/debs" "$dir/root"
pkgs="linux-image-$abi-cloud-amd64-unsigned linux-headers-$abi-cloud-amd64 linux-headers-$abi-common $kbuild"
[ "$1" = 6.1 ] && pkgs="$pkgs"
(cd "$dir/debs" && for p in $pkgs; do
	ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" >&2 || {
		echo "fetch-kernel.sh: apt-get download $p failed (run 'apt-get update' as root?)" >&2; exit 1; }
done)
for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root"; done
# The headers package's arch Makefile includes the -common tree by absolute /usr/src path;
# point that one-line include into the cache instead.
hdr=$dir/root/usr/src/linux-headers-$abi-cloud-amd64
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$hdr/Makefile"
# scripts/ and tools/ are symlinks to /usr/lib/linux-kbuild-*; repoint them into the cache.
for l in "$hdr"/scripts "$hdr"/tools "$dir"/root/usr/src/linux-headers-$abi-common/scripts "$dir"/root/usr/src/linux-headers-$abi-common/tools; do
	if [ -L "$l" ]; then t=$(readlink "$l"); case "$t" in /*) ln -sfn "$dir/root$t" "$l";; esac; fi
done
ln -sfn "$(ls "$dir"/root/boot/vmlinuz-*)" "$dir/vmlinuz"
ln -sfn "$hdr" "$dir/build"
echo "$abi" > "$dir/abi"
touch "$dir/.done"
echo "$dir"
