#!/bin/sh
# Build the test VM's initramfs for one kernel.
# Usage: mkinitramfs.sh KERNEL <kernel-cache-dir> <out.cpio.gz> [scenario.sh ...]
# Contents: busybox-static + applet links, /init, /pw/bin (pwtest, pinwatch, bpftool with
# their shared libraries and loader, $PW_VM_EXTRA_BINS), $PW_VM_EXTRA_ROOTS (trees
# laid over the root, with their libraries), /pw/kmod/pinwatch_test.ko,
# /pw/mods (virtio-blk and its non-built-in deps, decompressed: busybox insmod
# cannot be trusted with .ko.xz), /pw/lib.sh, /pw/scenarios/*.sh + scenarios.list.
set -eu
v=$1; kdir=$2; out=$3; shift 3
top=$(cd "$(dirname "$0")/../.." && pwd)
ob=${PW_OUT:-build}; case "$ob" in /*) ;; *) ob=$top/$ob ;; esac
stage=$(dirname "$out")/initramfs.d
rm -rf "$stage"
mkdir -p "$stage"/bin "$stage"/dev "$stage"/proc "$stage"/sys "$stage"/tmp "$stage"/run \
	"$stage"/root "$stage"/pw/bin "$stage"/pw/kmod "$stage"/pw/mods "$stage"/pw/scenarios

# busybox and one symlink per applet at its usual place (sh, insmod, timeout, ...).
cp /bin/busybox "$stage/bin/busybox"
for a in $(/bin/busybox --list-full); do
	mkdir -p "$stage/$(dirname "$a")"
	[ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
done
cp "$top/tests/vm/guest/init" "$stage/init"; chmod 755 "$stage/init"
echo "$v" > "$stage/pw/kver"

# A binary plus, if dynamic, every library ldd resolves and the loader, at the
# same absolute paths as on the host (the guest userland is this host's).
add_bin() {
	cp -L "$1" "$stage/pw/bin/"
	add_libs "$1"
}
# add_libs FILE [TREE]: the host libraries ldd resolves for FILE (none if it is
# not a dynamic ELF file); with TREE, its libraries come first and those found
# in TREE are not copied (the tree is laid over the root whole)
add_libs() {
	LD_LIBRARY_PATH=${2:+$2/usr/lib/x86_64-linux-gnu:$2/lib/x86_64-linux-gnu} ldd "$1" 2>/dev/null |
	sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
	while read -r lib; do
		case "$lib" in "${2:-//}"/*) continue ;; esac
		[ -e "$stage$lib" ] || { mkdir -p "$stage$(dirname "$lib")"; cp -L "$lib" "$stage$lib"; }
	done
}
# bpftool: scenarios check that nothing of pinwatch's stays loaded; jq
# reads the JSON documents
for b in "$ob/pwtest" "$ob/pinwatch" $(command -v bpftool) $(command -v jq) ${PW_VM_EXTRA_BINS:-}; do
	if [ -f "$b" ]; then add_bin "$b"; else echo "mkinitramfs: note: no $b, not in initramfs" >&2; fi
done
# Extra trees laid over the root, files at their absolute paths (a scenario's
# "# userland:", fetch-userland.sh: e.g. an ibverbs provider, its .driver
# file, ibv_rc_pingpong), each ELF file in them with its host libraries.
for t in ${PW_VM_EXTRA_ROOTS:-}; do
	[ -d "$t" ] || { echo "mkinitramfs: no tree $t" >&2; exit 1; }
	t=$(cd "$t" && pwd -P)
	cp -a "$t/." "$stage/"
	find "$t" -type f | while read -r f; do add_libs "$f" "$t"; done
done
[ -f "$ob/kmod-$v/pinwatch_test.ko" ] && cp "$ob/kmod-$v/pinwatch_test.ko" "$stage/pw/kmod/"
[ -f "$top/tests/vm/guest/lib.sh" ] && cp "$top/tests/vm/guest/lib.sh" "$stage/pw/lib.sh"

# Kernel modules: virtio_pci (the transport) and virtio_blk, plus what they depend
# on, minus what this kernel has built in (6.12 builds virtio in, 6.1 does not).
# There is no modules.dep in the package, so resolve deps with modinfo.
mdir=$(readlink -f "$kdir/modules")
order=$stage/pw/mods/order; : > "$order"
need() {
	local n f d   # recursive: keep each level's name/file (dash and bash have local)
	n=$(echo "$1" | tr - _)
	grep -q "^$n\$" "$order" && return 0
	grep -q "/$n\.ko\|/$(echo "$n" | tr _ -)\.ko" "$mdir/modules.builtin" && return 0
	f=$(find "$mdir/kernel" -name "$n.ko*" -o -name "$(echo "$n" | tr _ -).ko*" -o -name "$1.ko*" | head -n1)
	[ -n "$f" ] || { echo "mkinitramfs: module $n not found for $v" >&2; return 1; }
	for d in $(modinfo -F depends "$f" | tr , ' '); do need "$d"; done
	case "$f" in
	*.xz) xz -dc "$f" > "$stage/pw/mods/$n.ko" ;;
	*.zst) zstd -dqc "$f" > "$stage/pw/mods/$n.ko" ;;
	*) cp "$f" "$stage/pw/mods/$n.ko" ;;
	esac
	echo "$n" >> "$order"
}
# vfat (+ codepages): legacy fs/direct-io.c, the one user of folio_add_pin
# "NAME?" in PW_VM_MODULES: only where the kernel has it as a module
for m in virtio_pci virtio_blk vfat nls_cp437 nls_ascii nls_utf8 ${PW_VM_MODULES:-}; do
	case "$m" in
	*\?) n=${m%\?}; [ -z "$(find "$mdir/kernel" -name "$n.ko*" | head -n1)" ] || need "$n" ;;
	*) need "$m" ;;
	esac
done

# Scenarios: copied under their base name; the list keeps the given order.
: > "$stage/pw/scenarios.list"
for s in "$@"; do
	n=$(basename "$s" .sh)
	cp "$s" "$stage/pw/scenarios/$n.sh"
	echo "$n" >> "$stage/pw/scenarios.list"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
